"""Counting the report's figures in the database (see :mod:`intake.reporting` for each one).

One statement does the work: a materialised CTE gives every ticket received or accepted in the
period one row of 0/1 flags, counted as of the cut-off from its history; six aggregates over it
give the total and each breakdown. The bot's event loop only sends the statement and reads a
few dozen rows back, however many tickets are stored.

Township dates need the township's time zone: PostgreSQL converts with its own zone database;
SQLite has none, so the zone's offset at the cut-off is applied (Asia/Shanghai has one offset
all year).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Row,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from intake.enums import EventType, Rating, TicketKind
from intake.models import Ticket, TicketEvent, UTCDateTime
from intake.reporting import ACCEPTED_COUNTS, OVER_DAYS, RECEIVED_COUNTS, Counts, GroupCounts

_SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
_RATED = (*_SATISFIED, Rating.DISSATISFIED)
_COUNTS = (*RECEIVED_COUNTS, *ACCEPTED_COUNTS)
_HISTORY = (EventType.REPLIED, EventType.REOPENED, EventType.REJECTED, EventType.FEEDBACK_RECORDED)


@dataclass(frozen=True)
class Window:
    """The instants that bound a report.

    Attributes:
        since: The first instant of the period.
        cutoff: The first instant after the last day counted.
        checked_at: When deadlines are checked: the cut-off, or now for a period not over yet.
        as_of: The last day counted, for the days of tickets still unanswered.
        tz: The township's time zone.

    """

    since: datetime
    cutoff: datetime
    checked_at: datetime
    as_of: date
    tz: ZoneInfo


class _Calendar:
    """Township dates and months of stored instants, in the dialect's own SQL."""

    def __init__(self, dialect: str, zone: str, offset_minutes: int) -> None:
        self._postgresql = dialect == "postgresql"
        self._zone = zone
        self._modifier = f"{offset_minutes:+d} minutes"

    def date_of(self, instant: SQLColumnExpression[Any]) -> ColumnElement[Any]:
        if self._postgresql:
            return cast(func.timezone(self._zone, instant), Date)
        return func.date(instant, self._modifier)

    def month_of(self, instant: SQLColumnExpression[Any]) -> ColumnElement[str]:
        if self._postgresql:
            return func.to_char(func.timezone(self._zone, instant), "YYYY-MM")
        return func.strftime("%Y-%m", instant, self._modifier)

    def day_parameter(self, name: str) -> ColumnElement[Any]:
        return bindparam(name, type_=Date() if self._postgresql else String())

    def day_value(self, value: date) -> date | str:
        return value if self._postgresql else value.isoformat()

    def days_between(
        self, first: ColumnElement[Any], last: ColumnElement[Any]
    ) -> ColumnElement[int]:
        if self._postgresql:
            return type_coerce(last - first, Integer)
        return cast(func.julianday(last) - func.julianday(first), Integer)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _latest(kind: EventType) -> ColumnElement[Any]:
    return func.max(case((TicketEvent.type == kind, TicketEvent.created_at)))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


async def count_groups(session: AsyncSession, window: Window, dialect: str) -> GroupCounts:
    """Count the figures of the period, overall and per month, village, category and level.

    Args:
        session: An open session.
        window: The period's instants.
        dialect: The database's dialect name (``postgresql`` or ``sqlite``).

    Returns:
        The counts of every group that has tickets.

    """
    offset = window.tz.utcoffset(window.cutoff.replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    calendar = _Calendar(dialect, window.tz.key, minutes)
    parameters = {
        "since": window.since,
        "cutoff": window.cutoff,
        "checked_at": window.checked_at,
        "as_of": calendar.day_value(window.as_of),
    }
    # The first call builds the statement: a few hundred SQL elements, built off the event loop.
    statement = await asyncio.to_thread(_statement, dialect, window.tz.key, minutes)
    rows = (await session.execute(statement, parameters)).all()
    return _grouped(rows)


@functools.cache
def _statement(dialect: str, zone: str, offset_minutes: int) -> CompoundSelect[Any]:
    # Built once per database and zone; each report only binds its instants.
    calendar = _Calendar(dialect, zone, offset_minutes)
    since = bindparam("since", type_=UTCDateTime())
    cutoff = bindparam("cutoff", type_=UTCDateTime())
    checked_at = bindparam("checked_at", type_=UTCDateTime())
    as_of = calendar.day_parameter("as_of")
    in_cohort = or_(
        and_(Ticket.received_at >= since, Ticket.received_at < cutoff),
        and_(Ticket.accepted_at >= since, Ticket.accepted_at < cutoff),
    )
    history = (
        select(
            TicketEvent.ticket_id,
            _latest(EventType.REPLIED).label("answered_at"),
            _latest(EventType.REOPENED).label("reopened_at"),
            _latest(EventType.REJECTED).label("rejected_at"),
            _count(
                (TicketEvent.type == EventType.FEEDBACK_RECORDED)
                & TicketEvent.rating.in_(_SATISFIED)
            ).label("satisfied_ratings"),
            _count(
                (TicketEvent.type == EventType.FEEDBACK_RECORDED) & TicketEvent.rating.in_(_RATED)
            ).label("ratings"),
        )
        # A ticket's history in the period is all the report needs: it is rejected after it is
        # received, and answered, reopened and rated after it is accepted.
        .where(
            TicketEvent.type.in_(_HISTORY),
            TicketEvent.created_at >= since,
            TicketEvent.created_at < cutoff,
        )
        .group_by(TicketEvent.ticket_id)
        .subquery("history")
    )
    accepted = (Ticket.accepted_at >= since) & (Ticket.accepted_at < cutoff)
    received = (Ticket.received_at >= since) & (Ticket.received_at < cutoff)
    accepted_by_cutoff = Ticket.accepted_at < cutoff
    rejected = history.c.rejected_at.is_not(None)
    not_accepted = ~rejected & (Ticket.accepted_at.is_(None) | (Ticket.accepted_at >= cutoff))
    # Answered means an answer since the last reopening: a ticket rated 不满意 is open again.
    answered = history.c.answered_at.is_not(None) & (
        history.c.reopened_at.is_(None) | (history.c.answered_at > history.c.reopened_at)
    )
    closed = Ticket.closed_at < cutoff
    accepted_on = calendar.date_of(Ticket.accepted_at)
    handling_days = case(
        (answered, calendar.days_between(accepted_on, calendar.date_of(history.c.answered_at))),
        else_=calendar.days_between(accepted_on, as_of),
    )
    decided_at = case((accepted_by_cutoff, Ticket.accepted_at), else_=history.c.rejected_at)
    late_decision = case(
        (decided_at.is_not(None), decided_at > Ticket.accept_due_at),
        else_=Ticket.accept_due_at <= checked_at,
    )
    late_answer = accepted_by_cutoff & case(
        (answered, history.c.answered_at > Ticket.handle_due_at),
        else_=Ticket.handle_due_at <= checked_at,
    )
    dispute = Ticket.kind == TicketKind.DISPUTE
    per_ticket = (
        select(
            _flag(received).label("in_received"),
            _flag(accepted).label("in_accepted"),
            calendar.month_of(Ticket.received_at).label("received_month"),
            calendar.month_of(Ticket.accepted_at).label("accepted_month"),
            Ticket.village_code.label("village"),
            Ticket.category.label("category"),
            Ticket.level.label("level"),
            literal(1).label("received"),
            _flag(rejected).label("rejected"),
            _flag(not_accepted).label("not_accepted"),
            _flag(late_decision | late_answer).label("overdue"),
            literal(1).label("accepted"),
            _flag(closed).label("closed"),
            _flag(closed & answered & (history.c.answered_at <= Ticket.handle_due_at)).label(
                "closed_on_time"
            ),
            case((closed, handling_days), else_=0).label("closed_days"),
            _flag(handling_days > OVER_DAYS).label("over_30_days"),
            _flag(dispute).label("disputes_found"),
            _flag(dispute & closed).label("disputes_resolved"),
            func.coalesce(history.c.satisfied_ratings, 0).label("satisfied_ratings"),
            func.coalesce(history.c.ratings, 0).label("ratings"),
        )
        .outerjoin(history, history.c.ticket_id == Ticket.id)
        .where(in_cohort)
        .cte("per_ticket")
        .prefix_with("MATERIALIZED")
    )
    columns = per_ticket.c

    def sums(cohort: str, names: tuple[str, ...]) -> list[ColumnElement[Any]]:
        weight = columns[cohort]
        return [func.coalesce(func.sum(weight * columns[name]), 0).label(name) for name in names]

    def grouped(group: str, key: ColumnElement[Any] | None) -> Any:
        query = select(
            literal(group).label("grouping"),
            (key if key is not None else null()).label("key"),
            *sums("in_received", RECEIVED_COUNTS),
            *sums("in_accepted", ACCEPTED_COUNTS),
        ).select_from(per_ticket)
        return query.group_by(key) if key is not None else query

    return union_all(
        grouped("total", None),
        grouped("received_month", columns.received_month).where(columns.in_received == 1),
        grouped("accepted_month", columns.accepted_month).where(columns.in_accepted == 1),
        grouped("village", columns.village),
        grouped("category", columns.category),
        grouped("level", columns.level),
    )


def _grouped(rows: Sequence[Row[Any]]) -> GroupCounts:
    total = Counts()
    groups: dict[str, dict[str, Counts]] = {
        name: {} for name in ("village", "category", "level", "month")
    }
    for row in rows:
        values = row._mapping
        counts = Counts(
            **{name: int(values[name]) for name in (*RECEIVED_COUNTS, *ACCEPTED_COUNTS)}
        )
        grouping = str(values["grouping"])
        if grouping == "total":
            total = counts
        elif grouping.endswith("_month"):
            kept = RECEIVED_COUNTS if grouping == "received_month" else ACCEPTED_COUNTS
            part = Counts(**{name: getattr(counts, name) for name in kept})
            months = groups["month"]
            months[values["key"]] = months.get(values["key"], Counts()) + part
        else:
            groups[grouping][str(values["key"])] = counts
    return GroupCounts(
        total=total,
        by_month=groups["month"],
        by_village=groups["village"],
        by_category=groups["category"],
        by_level=groups["level"],
    )
