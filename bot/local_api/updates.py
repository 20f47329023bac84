"""The bot's pending updates, handed out by ``getUpdates`` or the webhook as Telegram does."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable

from bot.local_api.errors import ApiError
from bot.local_api.objects import JsonDict

# Telegram leaves these out unless they are asked for by name.
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_LIMIT = 100


class UpdateQueue:
    """Updates waiting for the bot, oldest first, kept until the bot confirms them.

    An update is confirmed by a later ``getUpdates`` whose offset is above its ``update_id``, or
    by its successful delivery to the webhook.
    """

    def __init__(self) -> None:
        self._pending: list[JsonDict] = []
        self._ids = itertools.count(1)
        self._allowed: frozenset[str] | None = None
        self._changed = asyncio.Condition()
        self._poll_generation = 0
        self._closed = False

    @property
    def pending(self) -> list[JsonDict]:
        """The updates not yet confirmed, oldest first."""
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str]:
        """The update types asked for; empty for Telegram's default."""
        return sorted(self._allowed or ())

    def allow(self, update_types: Iterable[str]) -> None:
        """Set the update types to create from now on; none means Telegram's default set."""
        self._allowed = frozenset(update_types) or None

    def accepts(self, update_type: str) -> bool:
        """Whether an update of ``update_type`` would be created now."""
        if self._allowed is None:
            return update_type not in NOT_SENT_BY_DEFAULT
        return update_type in self._allowed

    async def push(self, update_type: str, payload: JsonDict) -> JsonDict | None:
        """Create an update, unless the bot asked not to get its type.

        Args:
            update_type: The update's field, e.g. ``"message"`` or ``"callback_query"``.
            payload: The object in that field.

        Returns:
            The new update, or ``None`` if its type is not allowed.

        """
        if not self.accepts(update_type):
            return None
        update = {"update_id": next(self._ids), update_type: payload}
        self._pending.append(update)
        await self._notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates as ``getUpdates`` with ``offset`` does.

        A positive offset confirms every update with a lower id; a negative one keeps only the
        last ``-offset`` updates; zero confirms nothing.
        """
        if offset > 0:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def drop_pending(self) -> None:
        """Forget every pending update (``drop_pending_updates``)."""
        self._pending.clear()

    async def poll(
        self,
        *,
        offset: int = 0,
        limit: int = MAX_LIMIT,
        timeout: float = 0,  # noqa: ASYNC109 - getUpdates' own parameter
    ) -> list[JsonDict]:
        """Answer ``getUpdates``: confirm by ``offset``, then wait up to ``timeout`` for updates.

        Returns:
            Up to ``limit`` pending updates; empty if none came in time or the server stops.

        Raises:
            ApiError: 409 when a newer ``getUpdates`` call replaces this one, as Telegram does
                when two bot instances poll at once.

        """
        self.confirm(offset)
        limit = min(max(limit, 1), MAX_LIMIT)
        self._poll_generation += 1
        generation = self._poll_generation
        async with self._changed:
            self._changed.notify_all()  # so that an older poll ends with a conflict
            try:
                async with asyncio.timeout(max(timeout, 0)):
                    await self._changed.wait_for(
                        lambda: (
                            bool(self._pending)
                            or self._closed
                            or generation != self._poll_generation
                        )
                    )
            except TimeoutError:
                return []
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._pending[:limit]

    async def next_pending(self) -> JsonDict:
        """Wait for the oldest pending update (for webhook delivery)."""
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._pending))
        return self._pending[0]

    async def close(self) -> None:
        """End every waiting poll with no updates: the server is stopping."""
        self._closed = True
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
