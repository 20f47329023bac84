"""A loop's pause that ends early when there is work: the inbox processor's and the relay's."""

from __future__ import annotations

import asyncio
from contextlib import suppress


class Wakeup:
    """Set by whoever queued work; the loop pauses on it between rounds."""

    def __init__(self) -> None:
        """Start unset."""
        self._event = asyncio.Event()

    def set(self) -> None:
        """There is work: end the current (or next) pause."""
        self._event.set()

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds`` or until :meth:`set`, whichever comes first, then unset."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        self._event.clear()
