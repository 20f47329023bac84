"""Filing: opening a ticket, once per source message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intake import rules, texts, validation
from intake.access import can_see
from intake.enums import EventType, Level, Source, TicketState
from intake.errors import ErrorCode, IntakeError
from intake.inputs import NewTicket
from intake.models import Ticket, TicketSequence, User
from intake.service.core import Change, ServiceCore
from intake.views import Outcome


class FilingService(ServiceCore):
    """Opening tickets, numbered per year."""

    async def file_ticket(self, actor_id: int, new: NewTicket) -> Outcome:
        """Open a ticket; filing the same ``source_key`` again returns the first ticket.

        Who the villager is depends on the source: with ``Source.VILLAGER`` it is the actor;
        with ``LIAISON`` (liaisons only) or an offline source (``WINDOW``, ``PHONE``,
        ``RECEPTION``, ``GRID_PATROL``: grid, village and township staff) it is the named
        ``villager_name``, linked to ``villager_id`` if given. A ``RECEPTION`` records the
        leader and the day, a ``GRID_PATROL`` the place.

        Args:
            actor_id: Who files.
            new: The ticket.

        Returns:
            The new ticket and its ``filed`` event; for a repeat, the first ticket and no events.

        Raises:
            IntakeError: For bad input (see :func:`intake.validation.clean_new_ticket`), an
                unknown ``villager_id``, or a source the actor may not use.

        """
        now = self._now()
        clean = validation.clean_new_ticket(self._config, new, today=self.deadlines.local_date(now))
        try:
            async with self._sessions.begin() as session:
                actor = await self._require_user(session, actor_id)
                rules.check_filing(actor.to_view(), new.source)
                existing = await self._ticket_by_source_key(session, new.source_key)
                if existing is not None:
                    return self._repeat_filing(actor, existing)
                if new.source is Source.VILLAGER:
                    villager_id: int | None = actor.id
                    villager_name: str | None = clean.villager_name or actor.display_name
                else:
                    villager_id = new.villager_id
                    villager_name = clean.villager_name
                    if villager_id is not None:
                        await self._require_user(session, villager_id)
                ticket = Ticket(
                    number=await self._next_number(session, now),
                    source_key=new.source_key,
                    kind=new.kind,
                    category=new.category,
                    text=clean.text,
                    attachments=[
                        {"kind": a.kind.value, "file_id": a.file_id} for a in new.attachments
                    ],
                    source=new.source,
                    filed_by_id=actor.id,
                    villager_id=villager_id,
                    villager_name=villager_name,
                    village_code=clean.village.code,
                    grid_code=clean.grid_code,
                    faq_shown=list(new.faq_shown),
                    contact_phone=clean.contact_phone,
                    contact_consent=new.contact_consent and clean.contact_phone is not None,
                    state=TicketState.NEW,
                    level=Level.GRID,
                    received_at=now,
                    accept_due_at=self.deadlines.acceptance_due(now),
                    reception_leader=clean.reception_leader,
                    reception_date=clean.reception_date,
                    patrol_place=clean.patrol_place,
                    co_unit_rows=[],
                )
                session.add(ticket)
                await session.flush()
                change = Change(session, actor, ticket, now)
                change.record(
                    EventType.FILED,
                    to_state=TicketState.NEW,
                    to_level=Level.GRID,
                    due_at=ticket.accept_due_at,
                    village_code=ticket.village_code,
                    grid_code=ticket.grid_code,
                )
                outcome = await self._finish(session, change)
        except IntegrityError:
            # The same source message was filed concurrently and the other filing won.
            async with self._sessions() as session:
                raced = await self._ticket_by_source_key(session, new.source_key)
                if raced is None:
                    raise
                return self._repeat_filing(await self._require_user(session, actor_id), raced)
        await self._announce(outcome)
        return outcome

    def _repeat_filing(self, actor: User, ticket: Ticket) -> Outcome:
        if not can_see(actor.to_view(), ticket.to_view()):
            raise IntakeError(ErrorCode.CONFLICT, texts.ALREADY_FILED)
        return Outcome(ticket=ticket.to_view(), events=())

    async def _next_number(self, session: AsyncSession, now: datetime) -> str:
        year = self.deadlines.local_date(now).year
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(TicketSequence)
            .values(year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[TicketSequence.year],
                set_={"last_value": TicketSequence.last_value + 1},
            )
            .returning(TicketSequence.last_value)
        )
        value = (await session.execute(statement)).scalar_one()
        return f"{year}-{value:06d}"
