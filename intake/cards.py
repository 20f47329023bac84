"""Where each ticket card was shown, so that every change can redraw it there.

A card is shown by queueing its message inside :func:`intake.outbox.showing_card` with the key
:meth:`CardPlaces.shown` hands out; the relay records the message id it was sent as. Redrawing
queues an edit of every card still shown; a card that can no longer be edited is retired.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import OutboxMessage, Ticket, TicketCard, User
from intake.outbox import Delivery
from intake.states import CLOSED_STATES
from intake.views import UserView


@dataclass(frozen=True)
class CardPlace:
    """One card: its key, ticket, chat and message (once sent), and whose private chat it is."""

    key: str
    ticket_number: str
    chat_id: int
    message_id: int | None = None
    viewer: UserView | None = None


class CardPlaces:
    """The cards shown and not retired.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def shown(self, ticket_number: str, chat_id: int) -> str:
        """Note a card about to be sent to ``chat_id``; return its key for the outbox."""
        key = uuid.uuid4().hex
        await self._sessions.insert(
            TicketCard(
                key=key,
                ticket_number=ticket_number,
                chat_id=chat_id,
                message_id=None,
                shown_at=self._clock(),
            )
        )
        return key

    async def of(self, ticket_number: str) -> list[CardPlace]:
        """Every card of the ticket still shown, oldest first, with the private chats' people."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(TicketCard, User)
                .outerjoin(User, User.telegram_id == TicketCard.chat_id)
                .where(TicketCard.ticket_number == ticket_number)
                .order_by(TicketCard.shown_at, TicketCard.key)
            )
            return [
                CardPlace(
                    card.key,
                    card.ticket_number,
                    card.chat_id,
                    card.message_id,
                    user.to_view() if user is not None else None,
                )
                for card, user in rows
            ]

    async def find(self, key: str) -> CardPlace | None:
        """The card ``key``, unless it was retired."""
        async with self._sessions() as session:
            row = await session.get(TicketCard, key)
            return CardPlace(row.key, row.ticket_number, row.chat_id) if row else None

    async def is_shown(self, chat_id: int, message_id: int) -> bool:
        """Whether the message is a card kept current (so redrawing it once is enough)."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(TicketCard.key).where(
                    TicketCard.chat_id == chat_id, TicketCard.message_id == message_id
                )
            )
            return found is not None

    async def purge(self) -> int:
        """Forget the cards of closed and rejected tickets, once no call on them is waiting.

        Nothing can change such a ticket's card any more (a note does not show on it).

        Returns:
            How many were forgotten.

        """
        finished = select(Ticket.number).where(Ticket.state.in_(CLOSED_STATES))
        waiting = select(OutboxMessage.card_key).where(
            OutboxMessage.state == Delivery.PENDING, OutboxMessage.card_key.is_not(None)
        )
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(TicketCard).where(
                    TicketCard.ticket_number.in_(finished), TicketCard.key.not_in(waiting)
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def retire(self, key: str) -> None:
        """Stop keeping the card ``key`` current (its message is gone or cannot be edited)."""
        async with self._sessions.begin() as session:
            await session.execute(delete(TicketCard).where(TicketCard.key == key))
