"""普法 broadcasts: planned once, sent out once, one outbox row per subscribed chat.

A broadcast is planned under a key naming what it is (a calendar day of one year, or an
officer's extra push), so planning it again finds the first. Once its time has come it is sent
out: one ``sendMessage`` row per chat subscribed to its topic, all written in one transaction
with the mark that it went out. A chat has at most one row per broadcast (a unique key in the
database), so a restart, a second run or a second process never queues anything twice. The
relay then delivers the rows within Telegram's broadcast limit (:mod:`bot.relay`); a
broadcast's rows are kept after delivery, as its record of who got it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.enums import Role
from intake.models import Broadcast, OutboxMessage, SubscriptionTopic
from intake.outbox import Delivery

# Who may schedule an extra broadcast: it reaches every subscriber in the township.
SCHEDULERS = frozenset({Role.TOWNSHIP_OFFICER, Role.ADMIN})
SEND = "sendMessage"


@dataclass(frozen=True)
class Planned:
    """A broadcast to send out.

    Attributes:
        key: What it is, unique (e.g. ``day:consumer_day:2027``).
        piece: The calendar piece it carries.
        topic: Who gets it: the chats subscribed to this topic.
        text: The message, exactly as sent.
        send_at: When it goes out.
        created_by: The staff member who scheduled it (``None``: the calendar).

    """

    key: str
    piece: str
    topic: str
    text: str
    send_at: datetime
    created_by: int | None = None


@dataclass(frozen=True)
class BroadcastSummary:
    """A broadcast and what became of its messages.

    Attributes:
        planned: Messages queued (one per subscribed chat, once sent out).
        delivered: Those the relay sent.
        failed: Those Telegram refused (the person blocked the bot, or another refusal).

    """

    id: int
    key: str
    piece: str
    topic: str
    send_at: datetime
    sent_out_at: datetime | None
    created_by: int | None
    planned: int
    delivered: int
    failed: int


class Broadcasts:
    """Plans broadcasts, sends out those due, and counts their deliveries.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def plan(self, planned: Planned) -> bool:
        """Plan a broadcast unless one with its key exists.

        Returns:
            Whether it is new.

        """
        async with self._sessions.begin() as session:
            found = await session.scalar(select(Broadcast.id).where(Broadcast.key == planned.key))
            if found is not None:
                return False
            session.add(
                Broadcast(
                    key=planned.key,
                    piece=planned.piece,
                    topic=planned.topic,
                    text=planned.text,
                    send_at=planned.send_at,
                    created_by_id=planned.created_by,
                    created_at=self._clock(),
                )
            )
        return True

    async def send_out_due(self) -> int:
        """Queue every due broadcast to the chats subscribed to its topic.

        Returns:
            How many messages were queued.

        """
        now = self._clock()
        queued = 0
        async with self._sessions.begin() as session:
            due = await session.scalars(
                select(Broadcast)
                .where(Broadcast.sent_out_at.is_(None), Broadcast.send_at <= now)
                .order_by(Broadcast.send_at, Broadcast.id)
            )
            for broadcast in list(due):
                already = select(OutboxMessage.chat_id).where(
                    OutboxMessage.broadcast_id == broadcast.id
                )
                chats = await session.scalars(
                    select(SubscriptionTopic.chat_id)
                    .where(
                        SubscriptionTopic.topic == broadcast.topic,
                        SubscriptionTopic.chat_id.not_in(already),
                    )
                    .order_by(SubscriptionTopic.chat_id)
                )
                rows = [
                    OutboxMessage(
                        chat_id=chat_id,
                        method=SEND,
                        params={"chat_id": chat_id, "text": broadcast.text},
                        state=Delivery.PENDING,
                        attempts=0,
                        created_at=now,
                        next_attempt_at=now,
                        broadcast_id=broadcast.id,
                    )
                    for chat_id in chats
                ]
                session.add_all(rows)
                queued += len(rows)
                await session.execute(
                    update(Broadcast).where(Broadcast.id == broadcast.id).values(sent_out_at=now)
                )
        return queued

    async def listing(self, limit: int) -> list[BroadcastSummary]:
        """The latest broadcasts (by when they go out), with their delivery counts."""
        messages = (
            select(
                OutboxMessage.broadcast_id.label("broadcast_id"),
                func.count().label("planned"),
                func.sum(case((OutboxMessage.state == Delivery.SENT, 1), else_=0)).label(
                    "delivered"
                ),
                func.sum(
                    case(
                        (OutboxMessage.state.in_((Delivery.UNDELIVERABLE, Delivery.FAILED)), 1),
                        else_=0,
                    )
                ).label("failed"),
            )
            .where(OutboxMessage.broadcast_id.is_not(None))
            .group_by(OutboxMessage.broadcast_id)
            .subquery()
        )
        async with self._sessions() as session:
            rows = await session.execute(
                select(Broadcast, messages.c.planned, messages.c.delivered, messages.c.failed)
                .outerjoin(messages, messages.c.broadcast_id == Broadcast.id)
                .order_by(Broadcast.send_at.desc(), Broadcast.id.desc())
                .limit(limit)
            )
            return [
                BroadcastSummary(
                    id=b.id,
                    key=b.key,
                    piece=b.piece,
                    topic=b.topic,
                    send_at=b.send_at,
                    sent_out_at=b.sent_out_at,
                    created_by=b.created_by_id,
                    planned=int(planned or 0),
                    delivered=int(delivered or 0),
                    failed=int(failed or 0),
                )
                for b, planned, delivered, failed in rows
            ]
