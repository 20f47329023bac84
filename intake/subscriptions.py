"""Who asked for 普法 messages (/dingyue), on which topics, and who stopped them (/tuiding).

Topics are short codes the caller names (the calendar's, see :mod:`knowledge.pufa`); intake
stores them as given. A chat that unsubscribes gets nothing more, not even a broadcast already
queued for it but not yet sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import OutboxMessage, Subscription, SubscriptionTopic
from intake.outbox import Delivery


class Subscriptions:
    """Subscribes and unsubscribes private chats, and changes their topics.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def subscribe(self, chat_id: int, topics: Iterable[str]) -> frozenset[str]:
        """Subscribe a chat to ``topics``; a chat already subscribed keeps the topics it chose.

        Returns:
            The chat's topics.

        """
        async with self._sessions.begin() as session:
            if await session.get(Subscription, chat_id) is None:
                session.add(Subscription(chat_id=chat_id, subscribed_at=self._clock()))
                await session.flush()
                session.add_all(SubscriptionTopic(chat_id=chat_id, topic=t) for t in set(topics))
        return await self._topics_or_empty(chat_id)

    async def topics(self, chat_id: int) -> frozenset[str] | None:
        """The chat's topics; ``None`` if it is not subscribed."""
        async with self._sessions() as session:
            if await session.get(Subscription, chat_id) is None:
                return None
        return await self._topics_or_empty(chat_id)

    async def toggle(self, chat_id: int, topic: str) -> frozenset[str] | None:
        """Add the topic to the chat's, or take it away if the chat has it.

        Returns:
            The chat's topics now; ``None`` if it is not subscribed (nothing changed).

        """
        async with self._sessions.begin() as session:
            if await session.get(Subscription, chat_id) is None:
                return None
            chosen = await session.get(SubscriptionTopic, (chat_id, topic))
            if chosen is None:
                session.add(SubscriptionTopic(chat_id=chat_id, topic=topic))
            else:
                await session.delete(chosen)
        return await self._topics_or_empty(chat_id)

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop every 普法 message to the chat, those queued but not yet sent included.

        Returns:
            Whether the chat was subscribed.

        """
        async with self._sessions.begin() as session:
            await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.broadcast_id.is_not(None),
                    OutboxMessage.state == Delivery.PENDING,
                )
            )
            await session.execute(
                delete(SubscriptionTopic).where(SubscriptionTopic.chat_id == chat_id)
            )
            gone = await session.execute(
                delete(Subscription).where(Subscription.chat_id == chat_id)
            )
        return bool(getattr(gone, "rowcount", 0))

    async def count(self) -> int:
        """How many chats are subscribed."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)

    async def _topics_or_empty(self, chat_id: int) -> frozenset[str]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SubscriptionTopic.topic).where(SubscriptionTopic.chat_id == chat_id)
            )
            return frozenset(rows)
