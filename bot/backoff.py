"""Growing pauses between attempts at something that failed (the Bot API, the database)."""

from __future__ import annotations

import asyncio
from datetime import timedelta


class Backoff:
    """Pauses that double after each failure, up to a ceiling.

    Args:
        first: The first pause.
        longest: The longest pause.

    """

    def __init__(
        self,
        first: timedelta = timedelta(seconds=0.5),
        longest: timedelta = timedelta(seconds=30),
    ) -> None:
        self._first = first
        self._longest = longest
        self._next = first

    @property
    def seconds(self) -> float:
        """The next pause."""
        return self._next.total_seconds()

    async def wait(self) -> None:
        """Pause, and make the next pause longer."""
        await asyncio.sleep(self.seconds)
        self._next = min(self._next * 2, self._longest)

    def reset(self) -> None:
        """It worked: the next failure starts again from the first pause."""
        self._next = self._first
