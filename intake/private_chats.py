"""Who the bot may write to privately.

Telegram lets a bot write to a person only once they have written to it, and not after they
blocked it. Staff who cannot be reached miss the cards and reminders sent to them, so the admin
is shown who they are, to ask them to open a chat with the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.enums import Role
from intake.models import PrivateChat, User
from intake.views import UserView

STAFF_ROLES = tuple(role for role in Role if role.is_staff)


class PrivateChats:
    """Records private chats opened and refused, and lists the staff who cannot be reached.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def opened(self, telegram_id: int) -> None:
        """The person wrote to the bot privately: the bot may write to them."""
        async with self._sessions.begin() as session:
            row = await session.get(PrivateChat, telegram_id)
            if row is None:
                session.add(PrivateChat(telegram_id=telegram_id, opened_at=self._clock()))
            else:
                row.opened_at = self._clock()

    async def refused(self, telegram_id: int) -> None:
        """Telegram refused a private message to the person (403)."""
        async with self._sessions.begin() as session:
            row = await session.get(PrivateChat, telegram_id)
            if row is None:
                session.add(PrivateChat(telegram_id=telegram_id, refused_at=self._clock()))
            else:
                row.refused_at = self._clock()

    async def unreachable_staff(self) -> list[UserView]:
        """Staff who never wrote to the bot privately, or were refused since they last did."""
        reachable = and_(
            PrivateChat.opened_at.is_not(None),
            or_(PrivateChat.refused_at.is_(None), PrivateChat.refused_at < PrivateChat.opened_at),
        )
        async with self._sessions() as session:
            rows = await session.scalars(
                select(User)
                .outerjoin(PrivateChat, PrivateChat.telegram_id == User.telegram_id)
                .where(User.role.in_(STAFF_ROLES), User.telegram_id.is_not(None))
                .where(or_(PrivateChat.telegram_id.is_(None), ~reachable))
                .order_by(User.display_name, User.id)
            )
            return [row.to_view() for row in rows]
