"""What every area of the intake service stands on.

A change to one ticket in one transaction, the clock, and the lookups of people and tickets.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from intake import rules, texts
from intake.access import can_see
from intake.changes import announce
from intake.clock import utcnow
from intake.config import IntakeConfig
from intake.database import session_factory
from intake.deadlines import DeadlinePolicy
from intake.enums import EventType, Side, TicketState, Visibility
from intake.errors import ErrorCode, IntakeError
from intake.inputs import Attachment
from intake.models import Ticket, TicketEvent, TicketMessage, User
from intake.rules import Action
from intake.views import Outcome, UserView

# One logger for every area, named as before the service was split.
log = logging.getLogger("intake.service")


@dataclass
class Change:
    """A change to one ticket in progress.

    Holds the actor (``None`` for the system), the ticket, the session it was loaded in and the
    events recorded so far.
    """

    session: AsyncSession
    actor: User | None
    ticket: Ticket
    now: datetime
    events: list[TicketEvent] = field(default_factory=list)
    message: TicketMessage | None = None

    @property
    def actor_view(self) -> UserView:
        """The person making the change."""
        if self.actor is None:
            raise RuntimeError("this change needs a person, not the system")
        return self.actor.to_view()

    def check(self, action: Action) -> None:
        """Refuse the action unless the actor may take it on this ticket in its state."""
        rules.check(action, self.actor_view, self.ticket.to_view())

    def record(self, type_: EventType, **fields: Any) -> None:
        """Add an event of this type, by the actor, now."""
        self.events.append(
            TicketEvent(
                ticket_id=self.ticket.id,
                type=type_,
                visibility=type_.visibility,
                actor_id=self.actor.id if self.actor is not None else None,
                created_at=self.now,
                **fields,
            )
        )

    def write(
        self,
        side: Side,
        visibility: Visibility,
        text: str | None,
        attachment: Attachment | None = None,
        source_key: str | None = None,
    ) -> None:
        """Add a message to the ticket's thread, written by the actor."""
        self.message = TicketMessage(
            ticket_id=self.ticket.id,
            side=side,
            author_id=self.actor_view.id,
            visibility=visibility,
            created_at=self.now,
            text=text,
            file_kind=attachment.kind if attachment is not None else None,
            file_id=attachment.file_id if attachment is not None else None,
            source_key=source_key,
        )

    def move(self, state: TicketState) -> dict[str, TicketState]:
        """Set the state; return the from/to fields for the event that records it."""
        before, self.ticket.state = self.ticket.state, state
        return {"from_state": before, "to_state": state}


class ServiceCore:
    """What every area of the service shares: the database, the clock, one change at a time.

    Built as :class:`~intake.service.IntakeService`, whose arguments it takes.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        config: IntakeConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._config = config
        self._clock = clock
        self.deadlines = DeadlinePolicy(config)

    @property
    def engine(self) -> AsyncEngine:
        """The database this service works on, for its companions (question log, console)."""
        return self._engine

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return now.astimezone(UTC)

    async def _change(
        self,
        actor_id: int | None,
        number: str,
        apply: Callable[[Change], Awaitable[None]],
    ) -> Outcome:
        """Run ``apply`` on one ticket in one transaction, refusing stale concurrent updates."""
        now = self._now()
        try:
            async with self._sessions.begin() as session:
                if actor_id is None:
                    actor = None
                    ticket = await self._require_ticket(session, number)
                else:
                    actor = await self._require_user(session, actor_id)
                    ticket = await self._visible_ticket(session, number, actor)
                change = Change(session, actor, ticket, now)
                await apply(change)
                outcome = await self._finish(session, change)
        except StaleDataError:
            raise await self._conflict(number) from None
        await self._announce(outcome)
        return outcome

    async def _finish(self, session: AsyncSession, change: Change) -> Outcome:
        session.add_all(change.events)
        if change.message is not None:
            session.add(change.message)
        # Flushing here runs the version check, so a lost race surfaces as StaleDataError.
        await session.flush()
        return Outcome(
            ticket=change.ticket.to_view(),
            events=tuple(event.to_view() for event in change.events),
            message=change.message.to_view() if change.message is not None else None,
        )

    async def _conflict(self, number: str) -> IntakeError:
        async with self._sessions() as session:
            ticket = await self._require_ticket(session, number)
        return IntakeError(
            ErrorCode.CONFLICT,
            texts.CONFLICT.format(number=number, state=ticket.state.label),
        )

    async def _require_user(self, session: AsyncSession, user_id: int) -> User:
        user = await session.get(User, user_id)
        if user is None:
            raise IntakeError(ErrorCode.UNKNOWN_USER, texts.UNKNOWN_USER.format(user_id=user_id))
        return user

    async def _user_by_telegram(self, session: AsyncSession, telegram_id: int) -> User | None:
        result = await session.scalars(select(User).where(User.telegram_id == telegram_id))
        return result.one_or_none()

    async def _ticket_by_source_key(self, session: AsyncSession, key: str) -> Ticket | None:
        result = await session.scalars(select(Ticket).where(Ticket.source_key == key))
        return result.one_or_none()

    async def _require_ticket(self, session: AsyncSession, number: str) -> Ticket:
        result = await session.scalars(select(Ticket).where(Ticket.number == number.strip()))
        ticket = result.one_or_none()
        if ticket is None:
            raise not_found(number)
        return ticket

    async def _visible_ticket(self, session: AsyncSession, number: str, actor: User) -> Ticket:
        ticket = await self._require_ticket(session, number)
        if not can_see(actor.to_view(), ticket.to_view()):
            raise not_found(number)
        return ticket

    @staticmethod
    async def _announce(outcome: Outcome) -> None:
        """Log a change made and hand it to the context's listener (:mod:`intake.changes`)."""
        # Numbers, types and ids only: ticket text and phone numbers never go to the log.
        for event in outcome.events:
            log.info(
                "ticket %s: %s by user %s", outcome.ticket.number, event.type.value, event.actor_id
            )
        await announce(outcome)


def not_found(number: str) -> IntakeError:
    """The same refusal for a ticket that does not exist and one hidden from the actor."""
    return IntakeError(ErrorCode.NOT_FOUND, texts.TICKET_NOT_FOUND.format(number=number.strip()))
