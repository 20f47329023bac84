from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake import Level, Role, TicketView
from intake.access import can_see, visible_clause
from intake.models import Ticket, TicketCoUnit, User
from intake.views import UserView
from tests.intake.conftest import FakeClock, ticket_view, user_view

FILER, VILLAGER, HOLDER = 11, 10, 12

TICKETS = {
    "grid": ticket_view(id=1, number="T1"),
    "village": ticket_view(id=2, number="T2", level=Level.VILLAGE, assignee_id=HOLDER),
    "elsewhere": ticket_view(
        id=3, number="T3", village_code="V02", grid_code="G02", villager_id=None, filed_by_id=FILER
    ),
    "joint": ticket_view(
        id=4, number="T4", level=Level.DEPARTMENT, lead_unit="派出所", co_units=("司法所",)
    ),
    "joint_elsewhere": ticket_view(
        id=5,
        number="T5",
        village_code="V02",
        grid_code="G02",
        villager_id=20,
        filed_by_id=20,
        level=Level.DEPARTMENT,
        lead_unit="市场监管所",
    ),
}

USERS = {
    "villager": (user_view(Role.VILLAGER, VILLAGER), {"grid", "village", "joint"}),
    "filer": (user_view(Role.LIAISON, FILER, village_code="V02"), {"elsewhere"}),
    "holder": (user_view(Role.GRID_WORKER, HOLDER, grid_code="G09"), {"village"}),
    "stranger": (user_view(Role.VILLAGER, 30, village_code="V01"), set()),
    "grid": (user_view(Role.GRID_WORKER, 31, grid_code="G01"), {"grid", "village", "joint"}),
    "grid2": (user_view(Role.GRID_WORKER, 32, grid_code="G02"), {"elsewhere", "joint_elsewhere"}),
    "mediator": (
        user_view(Role.VILLAGE_MEDIATOR, 33, village_code="V01"),
        {"grid", "village", "joint"},
    ),
    "officer": (user_view(Role.TOWNSHIP_OFFICER, 34), set(TICKETS)),
    "admin": (user_view(Role.ADMIN, 35), set(TICKETS)),
    "police": (user_view(Role.DEPARTMENT, 36, unit="派出所"), {"joint"}),
    "justice": (user_view(Role.DEPARTMENT, 37, unit="司法所"), {"joint"}),
    "market": (user_view(Role.DEPARTMENT, 38, unit="市场监管所"), {"joint_elsewhere"}),
    "no_area": (user_view(Role.GRID_WORKER, 39), set()),
}


@pytest.mark.parametrize("who", list(USERS))
def test_who_sees_which_ticket(who: str) -> None:
    user, expected = USERS[who]

    assert {name for name, ticket in TICKETS.items() if can_see(user, ticket)} == expected


async def test_the_sql_rule_matches_the_python_rule(engine: AsyncEngine, clock: FakeClock) -> None:
    async with AsyncSession(engine) as session, session.begin():
        session.add_all(_user_row(user, clock) for user, _ in USERS.values())
        session.add(_user_row(user_view(Role.VILLAGER, 20), clock))
        await session.flush()
        session.add_all(_ticket_row(ticket) for ticket in TICKETS.values())

    async with AsyncSession(engine) as session:
        for who, (user, expected) in USERS.items():
            query = select(Ticket.number).where(visible_clause(user))
            numbers = set((await session.scalars(query)).all())
            assert numbers == {TICKETS[name].number for name in expected}, who


def _user_row(user: UserView, clock: FakeClock) -> User:
    return User(
        id=user.id,
        telegram_id=user.id,
        display_name=user.display_name,
        role=user.role,
        village_code=user.village_code,
        grid_code=user.grid_code,
        unit=user.unit,
        created_at=clock(),
    )


def _ticket_row(ticket: TicketView) -> Ticket:
    return Ticket(
        id=ticket.id,
        number=ticket.number,
        source_key=ticket.number,
        kind=ticket.kind,
        category=ticket.category,
        text=ticket.text,
        attachments=[],
        source=ticket.source,
        filed_by_id=ticket.filed_by_id,
        villager_id=ticket.villager_id,
        villager_name=ticket.villager_name,
        village_code=ticket.village_code,
        grid_code=ticket.grid_code,
        faq_shown=[],
        contact_consent=False,
        state=ticket.state,
        level=ticket.level,
        assignee_id=ticket.assignee_id,
        lead_unit=ticket.lead_unit,
        received_at=ticket.received_at,
        accept_due_at=ticket.accept_due_at,
        co_unit_rows=[TicketCoUnit(unit=unit) for unit in ticket.co_units],
    )
