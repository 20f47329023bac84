"""Waking the chat pages that wait for news: their long polls end as soon as there is some."""

from __future__ import annotations

import asyncio
from contextlib import suppress


class WebNews:
    """Per chat, an event set when something new is shown there (in this process)."""

    def __init__(self) -> None:
        """No page waits yet."""
        self._waiting: dict[int, set[asyncio.Event]] = {}

    def tell(self, chat_id: int) -> None:
        """Something new is shown in ``chat_id``: wake its pages."""
        for event in self._waiting.get(chat_id, set()):
            event.set()

    def tell_everyone(self) -> None:
        """Wake every waiting page (the server is stopping)."""
        for events in self._waiting.values():
            for event in events:
                event.set()

    async def wait(self, chat_id: int, seconds: float) -> None:
        """Wait until something new is shown in ``chat_id``, or ``seconds`` have passed."""
        event = asyncio.Event()
        waiting = self._waiting.setdefault(chat_id, set())
        waiting.add(event)
        try:
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=seconds)
        finally:
            waiting.discard(event)
            if not waiting:
                del self._waiting[chat_id]
