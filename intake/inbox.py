"""The durable inbox: every Telegram update is stored before Telegram is told it arrived.

The bot acknowledges an update (the webhook's HTTP 200, the next ``getUpdates`` offset) only
once :meth:`Inbox.add` has committed it, then handles stored updates in ``update_id`` order and
marks each done in the same transaction as its effects. An update Telegram sends twice is
stored once; a done update is kept for a while so that a late duplicate is still recognised.

Update ids are numbered per bot (and by the local Bot API from 1 at each start), so the inbox
keys an update by the id of the bot that received it as well: another bot's updates, or an
earlier local run's, are never taken for duplicates. The chat page's updates are kept under a
scope of their own (:data:`intake.web_chat.WEB_INBOX`) with ids far above Telegram's, and the bot
that handles both reads its own scope and theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import InboxUpdate

# Telegram resends an unacknowledged update within hours, and after a week of silence picks
# update ids at random: two days keeps duplicates recognisable and old ids out of the way.
KEEP_DONE = timedelta(days=2)
# Rows stored before updates were scoped by bot (migration 0011) carry this bot id.
UNSCOPED = 0
ERROR_MAX = 200


@dataclass(frozen=True)
class Received:
    """One update as Telegram sent it."""

    update_id: int
    payload: dict[str, Any]


class Inbox:
    """One bot's stored updates, handled once each.

    Args:
        engine: The (migrated) intake database.
        bot_id: The bot whose updates these are (its id from ``getMe``): those added are
            stored under it.
        clock: Returns the current instant.
        also: Further scopes whose updates are handled with the bot's (their ids must never
            meet the bot's).

    """

    def __init__(
        self,
        engine: AsyncEngine,
        bot_id: int,
        *,
        clock: Callable[[], datetime] = utcnow,
        also: Sequence[int] = (),
    ) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._clock = clock
        self.bot_id = bot_id
        self._scopes = (bot_id, *also)

    @property
    def engine(self) -> AsyncEngine:
        """The database the inbox is in (units of work on it include the inbox)."""
        return self._engine

    async def add(self, updates: Sequence[Received]) -> int:
        """Store updates in one transaction; those already stored are left as they are.

        Returns:
            How many were new.

        """
        if not updates:
            return 0
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        now = self._clock()
        statement = (
            insert(InboxUpdate)
            .values(
                [
                    {
                        "bot_id": self.bot_id,
                        "update_id": u.update_id,
                        "payload": u.payload,
                        "received_at": now,
                        "attempts": 0,
                    }
                    for u in updates
                ]
            )
            .on_conflict_do_nothing(index_elements=[InboxUpdate.bot_id, InboxUpdate.update_id])
            .returning(InboxUpdate.update_id)
        )
        async with self._sessions.begin() as session:
            return len((await session.execute(statement)).all())

    async def adopt_unscoped(self) -> int:
        """Take over the updates stored before the inbox knew which bot they were for.

        Returns:
            How many were taken over.

        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(InboxUpdate).where(InboxUpdate.bot_id == UNSCOPED).values(bot_id=self.bot_id)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def pending(self, limit: int) -> list[Received]:
        """The oldest updates not yet done, in the order Telegram numbered them."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(InboxUpdate.update_id, InboxUpdate.payload)
                .where(InboxUpdate.bot_id.in_(self._scopes), InboxUpdate.done_at.is_(None))
                .order_by(InboxUpdate.update_id)
                .limit(limit)
            )
            return [Received(update_id, payload) for update_id, payload in rows]

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Record updates as handled (inside the unit of work that handled them)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.bot_id.in_(self._scopes), InboxUpdate.update_id.in_(update_ids))
                .values(done_at=self._clock())
            )

    async def record_failure(self, update_id: int, error: str) -> int:
        """Count one failed attempt at handling an update.

        Returns:
            How many attempts have failed so far.

        """
        row = InboxUpdate.bot_id.in_(self._scopes) & (InboxUpdate.update_id == update_id)
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboxUpdate)
                .where(row)
                .values(attempts=InboxUpdate.attempts + 1, last_error=error[:ERROR_MAX])
            )
            return (await session.scalar(select(InboxUpdate.attempts).where(row))) or 0

    async def scope_of(self, update_id: int) -> int:
        """The scope (a bot id) an update of this inbox is stored under."""
        async with self._sessions() as session:
            scope = await session.scalar(
                select(InboxUpdate.bot_id).where(
                    InboxUpdate.bot_id.in_(self._scopes), InboxUpdate.update_id == update_id
                )
            )
        return self.bot_id if scope is None else int(scope)

    async def count_pending(self) -> int:
        """How many updates wait to be handled."""
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.bot_id.in_(self._scopes), InboxUpdate.done_at.is_(None))
            )
            return count or 0

    async def oldest_pending(self) -> datetime | None:
        """When the oldest update still waiting was received (``None``: none waits)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(func.min(InboxUpdate.received_at)).where(
                    InboxUpdate.bot_id.in_(self._scopes), InboxUpdate.done_at.is_(None)
                )
            )

    async def purge(self) -> int:
        """Forget updates (of any bot) done longer ago than :data:`KEEP_DONE`.

        Returns:
            How many were forgotten.

        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(InboxUpdate).where(InboxUpdate.done_at < self._clock() - KEEP_DONE)
            )
            return int(getattr(result, "rowcount", 0) or 0)
