"""Dead letters: what the bot set aside because it could not be handled, kept for staff.

An update that was never a valid update, an update whose handling failed again and again for a
reason other than the database, and an outbox row the relay cannot even read would otherwise
stop everything queued behind them. Each becomes a dead letter instead, with the error and the
raw content; the rest moves on. Staff admins are told of each once, and retry or discard it on
the console.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import DeadLetter, InboxUpdate, OutboxMessage
from intake.models import DeadLetterOrigin as Origin
from intake.outbox import Delivery

ERROR_MAX = 200


@dataclass(frozen=True)
class DeadLetterView:
    """One dead letter, as staff see it."""

    id: int
    origin: Origin
    update_id: int | None
    raw: str
    error: str
    created_at: datetime
    retryable: bool


class DeadLetters:
    """The dead letters of the intake database.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def reject(
        self, raw: str, error: str, *, bot_id: int | None = None, update_id: int | None = None
    ) -> int:
        """Keep something offered as an update that is not a valid one (it never enters the inbox).

        Args:
            raw: What was offered, as received.
            error: Why it is not a valid update.
            bot_id: The bot it was offered to.
            update_id: Its update id, where it has a usable one.

        Returns:
            The dead letter's id.

        """
        letter = DeadLetter(
            source=Origin.REJECTED,
            bot_id=bot_id,
            update_id=update_id,
            raw=raw,
            error=error[:ERROR_MAX],
            created_at=self._clock(),
        )
        async with self._sessions.begin() as session:
            session.add(letter)
        return letter.id

    async def bury_update(self, bot_id: int, update_id: int, error: str) -> None:
        """Set a stored update aside: done for the inbox, a dead letter for staff."""
        now = self._clock()
        row = (InboxUpdate.bot_id == bot_id) & (InboxUpdate.update_id == update_id)
        async with self._sessions.begin() as session:
            payload = await session.scalar(select(InboxUpdate.payload).where(row))
            await session.execute(update(InboxUpdate).where(row).values(done_at=now))
            session.add(
                DeadLetter(
                    source=Origin.UPDATE,
                    bot_id=bot_id,
                    update_id=update_id,
                    raw=json.dumps(payload, ensure_ascii=False),
                    error=error[:ERROR_MAX],
                    created_at=now,
                )
            )

    async def count(self) -> int:
        """How many dead letters wait for staff."""
        async with self._sessions() as session:
            return (await session.scalar(select(func.count()).select_from(DeadLetter))) or 0

    async def get(self, letter_id: int) -> DeadLetterView | None:
        """One dead letter, if there is one by that id."""
        async with self._sessions() as session:
            row = await session.get(DeadLetter, letter_id)
            return _view(row) if row is not None else None

    async def listing(self, limit: int) -> list[DeadLetterView]:
        """The newest dead letters first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
            )
            return [_view(row) for row in rows]

    async def unreported(self) -> list[DeadLetterView]:
        """Dead letters staff have not been told of yet, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(DeadLetter).where(DeadLetter.reported_at.is_(None)).order_by(DeadLetter.id)
            )
            return [_view(row) for row in rows]

    async def mark_reported(self, ids: Sequence[int]) -> None:
        """Record that staff were told of these (inside the unit of work that told them)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeadLetter).where(DeadLetter.id.in_(ids)).values(reported_at=self._clock())
            )

    async def discard(self, letter_id: int) -> bool:
        """Forget a dead letter for good.

        Returns:
            Whether there was one by that id.

        """
        async with self._sessions.begin() as session:
            result = await session.execute(delete(DeadLetter).where(DeadLetter.id == letter_id))
            return bool(getattr(result, "rowcount", 0))

    async def retry(self, letter_id: int) -> bool:
        """Put a dead letter back where it came from, to be handled again from the start.

        Returns:
            Whether it went back; ``False`` if there is no such letter or it has nowhere to go
            (it was never a valid update).

        """
        async with self._sessions.begin() as session:
            letter = await session.get(DeadLetter, letter_id)
            if letter is None or not _retryable(letter):
                return False
            if letter.outbox_id is not None:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == letter.outbox_id)
                    .values(
                        state=Delivery.PENDING,
                        attempts=0,
                        next_attempt_at=self._clock(),
                        finished_at=None,
                        last_error=None,
                    )
                )
            else:
                await session.execute(
                    update(InboxUpdate)
                    .where(
                        InboxUpdate.bot_id == letter.bot_id,
                        InboxUpdate.update_id == letter.update_id,
                    )
                    .values(done_at=None, attempts=0, last_error=None)
                )
            await session.delete(letter)
            return True


def _retryable(letter: DeadLetter) -> bool:
    # A rejected update has no inbox row to go back to: it was never a valid update.
    return letter.source != Origin.REJECTED


def _view(row: DeadLetter) -> DeadLetterView:
    return DeadLetterView(
        id=row.id,
        origin=Origin(row.source),
        update_id=row.update_id,
        raw=row.raw,
        error=row.error,
        created_at=row.created_at,
        retryable=_retryable(row),
    )
