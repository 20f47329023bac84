"""Long polling that confirms updates to Telegram only once they are stored.

Telegram forgets a batch of updates when the next ``getUpdates`` call names an offset past them,
so the offset moves only after :meth:`bot.pipeline.Pipeline.receive` has stored the batch. If the
database is away the batch is kept in memory and stored again until it succeeds; if the process
dies first, Telegram still has it and sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.api_calls import call
from bot.backoff import Backoff
from intake.database import STORAGE_ERRORS
from intake.inbox import Received

log = logging.getLogger(__name__)

Receive = Callable[[Sequence[Received]], Awaitable[None]]


class Poller:
    """Fetches updates with ``getUpdates`` and stores them before asking for more.

    Args:
        bot: A bot that calls the Bot API directly.
        receive: Stores a batch; raises if it could not.
        timeout: The long-polling timeout in seconds.

    """

    def __init__(self, bot: Bot, receive: Receive, *, timeout: int = 10) -> None:
        self._bot = bot
        self._receive = receive
        self._timeout = timeout

    async def run(self) -> None:
        """Poll until cancelled."""
        await self._bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        while True:
            batch = await self._fetch(offset)
            await self._store(batch)
            if batch:
                offset = max(item.update_id for item in batch) + 1

    async def _fetch(self, offset: int | None) -> list[Received]:
        pause = Backoff()
        while True:
            try:
                raw = await call(
                    self._bot,
                    "getUpdates",
                    {
                        "offset": offset,
                        "timeout": self._timeout,
                        "allowed_updates": Update.ALL_TYPES,
                    },
                    read_timeout=self._timeout + 5,
                )
            except TelegramError as error:
                log.warning("getUpdates failed (%s); trying again", type(error).__name__)
                await pause.wait()
                continue
            batch = [_received(item) for item in raw if _is_update(item)]
            if len(batch) < len(raw):
                # Without an update id an item can be neither confirmed nor told apart.
                log.error("%d items without an update id ignored", len(raw) - len(batch))
            return batch

    async def _store(self, batch: list[Received]) -> None:
        pause = Backoff()
        while True:
            try:
                await self._receive(batch)
                return
            except STORAGE_ERRORS as error:
                log.warning(
                    "%d updates not stored (%s); not confirmed, trying again",
                    len(batch),
                    type(error).__name__,
                )
                await pause.wait()


def _is_update(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("update_id"), int)


def _received(item: dict[str, Any]) -> Received:
    return Received(item["update_id"], item)
