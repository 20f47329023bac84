"""Queries: tickets, their history, deadlines and the township's figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select

from intake import texts
from intake.access import visible_clause
from intake.deadlines import open_deadlines
from intake.enums import Visibility
from intake.errors import ErrorCode, IntakeError
from intake.inputs import TicketFilter
from intake.models import Ticket, TicketEvent, User
from intake.report_query import Window, count_groups
from intake.reporting import Report, ReportLabels, build_report
from intake.service.core import ServiceCore
from intake.states import OPEN_STATES, WORKING_STATES
from intake.views import DeadlineAlert, EventView, TicketView

LIST_LIMIT_MAX = 200


class QueryService(ServiceCore):
    """Reading: tickets, history, deadlines, reports; nothing here changes anything."""

    async def open_tickets_of(self, telegram_id: int) -> tuple[TicketView, ...]:
        """The unfinished tickets a Telegram user is the villager of or filed, newest first.

        Looked up by Telegram id so that asking does not register anyone: someone unknown simply
        has none.
        """
        person = select(User.id).where(User.telegram_id == telegram_id).scalar_subquery()
        async with self._sessions() as session:
            query = (
                select(Ticket)
                .where(
                    or_(Ticket.villager_id == person, Ticket.filed_by_id == person),
                    Ticket.state.in_(OPEN_STATES),
                )
                .order_by(Ticket.received_at.desc(), Ticket.id.desc())
                .limit(LIST_LIMIT_MAX)
            )
            return tuple(ticket.to_view() for ticket in await session.scalars(query))

    async def get_ticket(self, actor_id: int, number: str) -> TicketView:
        """The ticket, if the actor may see it.

        Raises:
            IntakeError: ``NOT_FOUND`` whether it does not exist or is hidden from the actor.

        """
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            return (await self._visible_ticket(session, number, actor)).to_view()

    async def history(self, actor_id: int, number: str) -> tuple[EventView, ...]:
        """The ticket's events, oldest first; villagers and liaisons see only public ones."""
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            ticket = await self._visible_ticket(session, number, actor)
            query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
            if not actor.role.is_staff:
                query = query.where(TicketEvent.visibility == Visibility.PUBLIC)
            events = await session.scalars(query.order_by(TicketEvent.id))
            return tuple(event.to_view() for event in events)

    async def list_tickets(
        self,
        actor_id: int,
        filters: TicketFilter | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[TicketView, ...]:
        """Tickets the actor may see, newest first.

        Args:
            actor_id: Who asks.
            filters: Which tickets; all visible ones if omitted.
            limit: At most this many (capped at 200).
            offset: Skip this many, for paging.

        """
        filters = filters or TicketFilter()
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            query = _filtered(select(Ticket), filters).where(visible_clause(actor.to_view()))
            query = query.order_by(Ticket.received_at.desc(), Ticket.id.desc())
            query = query.limit(max(0, min(limit, LIST_LIMIT_MAX))).offset(max(0, offset))
            return tuple(ticket.to_view() for ticket in await session.scalars(query))

    async def overdue(self, actor_id: int) -> tuple[DeadlineAlert, ...]:
        """Running deadlines already passed, on tickets the actor may see, earliest first."""
        now = self._now()
        return await self._alerts(actor_id, lambda due: due <= now, now)

    async def due_soon(
        self, actor_id: int, within: timedelta | None = None
    ) -> tuple[DeadlineAlert, ...]:
        """Running deadlines that pass within ``within`` (default from the configuration)."""
        now = self._now()
        horizon = now + (within or timedelta(hours=self._config.deadlines.due_soon_hours))
        return await self._alerts(actor_id, lambda due: now < due <= horizon, horizon)

    async def report(self, start: date, end: date) -> Report:
        """The township's figures for the period from ``start`` to ``end`` (inclusive).

        The figures are aggregates without personal data, so no actor is checked; see
        :mod:`intake.reporting` for what each one counts. A period ending after today is counted
        up to today.

        Raises:
            IntakeError: ``INVALID_INPUT`` if ``end`` is before ``start`` or the period has not
                begun yet.

        """
        if end < start:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.END_BEFORE_START)
        now = self._now()
        today = self.deadlines.local_date(now)
        if start > today:
            raise IntakeError(
                ErrorCode.INVALID_INPUT,
                texts.START_IN_FUTURE.format(start=start, today=today),
            )
        tz = self._config.tz
        as_of = min(end, today)
        cutoff = datetime.combine(as_of + timedelta(days=1), time(), tz)
        window = Window(
            since=datetime.combine(start, time(), tz),
            cutoff=cutoff,
            checked_at=min(now, cutoff),
            as_of=as_of,
            tz=tz,
        )
        async with self._sessions() as session:
            counts = await count_groups(session, window, self._engine.dialect.name)
        labels = ReportLabels(
            villages=tuple((v.code, v.name) for v in self._config.township.villages),
            categories=self._config.categories,
        )
        return build_report(counts, start=start, end=end, as_of=as_of, labels=labels)

    async def _alerts(
        self, actor_id: int, passes: Callable[[datetime], bool], horizon: datetime
    ) -> tuple[DeadlineAlert, ...]:
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            query = select(Ticket).where(
                visible_clause(actor.to_view()),
                Ticket.state.in_(WORKING_STATES),
                or_(
                    Ticket.accept_due_at <= horizon,
                    Ticket.handle_due_at <= horizon,
                    Ticket.level_due_at <= horizon,
                ),
            )
            tickets = [ticket.to_view() for ticket in await session.scalars(query)]
        alerts = [
            DeadlineAlert(ticket=ticket, kind=kind, due_at=due)
            for ticket in tickets
            for kind, due in open_deadlines(ticket)
            if passes(due)
        ]
        return tuple(sorted(alerts, key=lambda alert: (alert.due_at, alert.ticket.number)))


_Query = TypeVar("_Query", bound=Select[Any])


def _filtered(query: _Query, filters: TicketFilter) -> _Query:
    if filters.states:
        query = query.where(Ticket.state.in_(filters.states))
    if filters.levels:
        query = query.where(Ticket.level.in_(filters.levels))
    if filters.kinds:
        query = query.where(Ticket.kind.in_(filters.kinds))
    if filters.village_code is not None:
        query = query.where(Ticket.village_code == filters.village_code)
    if filters.grid_code is not None:
        query = query.where(Ticket.grid_code == filters.grid_code)
    if filters.category is not None:
        query = query.where(Ticket.category == filters.category)
    if filters.assignee_id is not None:
        query = query.where(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    return query
