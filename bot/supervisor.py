"""Keeping the process's long-lived tasks alive: one that dies of a bug is started again.

The processor, the relay and the housekeeping each run as a task for as long as the process
does. A bug that escapes one of them must not leave the process up but deaf (the webhook still
answering, nothing handled): the supervisor logs it at ERROR, waits a growing pause and starts
the task again, and remembers the last error for the health check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.backoff import Backoff

log = logging.getLogger(__name__)

# A task that ran this long before failing was working: its next failure starts the pauses anew.
STEADY_SECONDS = 60.0


class Supervisor:
    """Runs tasks again when they fail, and keeps what the health check reports of them."""

    def __init__(self) -> None:
        """Nothing runs yet and nothing has failed."""
        self.last_error: str | None = None
        self._running: set[str] = set()

    def is_running(self, name: str) -> bool:
        """Whether the task called ``name`` runs now (not waiting to be started again)."""
        return name in self._running

    def note(self, error: BaseException) -> None:
        """Remember an error the health check reports (the last one wins)."""
        self.last_error = type(error).__name__

    async def keep(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run ``run()`` until cancelled, starting it again whenever it fails or returns."""
        pause = Backoff()
        loop = asyncio.get_running_loop()
        while True:
            self._running.add(name)
            started = loop.time()
            try:
                await run()
            except Exception as error:
                self.note(error)
                log.exception(
                    "%s died (%s); restarting it in %.1f s",
                    name,
                    type(error).__name__,
                    pause.seconds,
                )
            else:
                log.error("%s ended unexpectedly; restarting it in %.1f s", name, pause.seconds)
            finally:
                self._running.discard(name)
            if loop.time() - started > STEADY_SECONDS:
                pause.reset()
            await pause.wait()
