"""The township leaders' weekly reception days (镇领导每周接访) and the cases received there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import texts
from intake.database import session_factory
from intake.enums import Source
from intake.errors import ErrorCode, IntakeError
from intake.models import Ticket


@dataclass(frozen=True)
class ReceptionDay:
    """One leader's reception on one day, and how many cases were registered from it."""

    day: date
    leader: str
    cases: int


async def reception_days(engine: AsyncEngine, start: date, end: date) -> tuple[ReceptionDay, ...]:
    """The reception days from ``start`` to ``end`` (inclusive), latest first, per leader.

    Raises:
        IntakeError: ``INVALID_INPUT`` if ``end`` is before ``start``.

    """
    if end < start:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.END_BEFORE_START)
    cases = func.count(Ticket.id)
    query = (
        select(Ticket.reception_date, Ticket.reception_leader, cases)
        .where(
            Ticket.source == Source.RECEPTION,
            Ticket.reception_date >= start,
            Ticket.reception_date <= end,
        )
        .group_by(Ticket.reception_date, Ticket.reception_leader)
        .order_by(Ticket.reception_date.desc(), Ticket.reception_leader)
    )
    async with session_factory(engine)() as session:
        rows = (await session.execute(query)).all()
    return tuple(
        ReceptionDay(day=day, leader=leader, cases=count)
        for day, leader, count in rows
        if day is not None and leader is not None
    )
