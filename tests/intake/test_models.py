from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Executable, delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake import IntakeService, Role
from intake.models import RoleChangeRecord, Ticket, TicketEvent
from tests.intake.conftest import People, file, local


@pytest.mark.parametrize(
    "statement",
    [
        update(TicketEvent).values(text="改过的记录"),
        delete(TicketEvent),
        update(RoleChangeRecord).values(unit="派出所"),
        delete(RoleChangeRecord),
    ],
    ids=["update events", "delete events", "update role changes", "delete role changes"],
)
async def test_the_database_refuses_to_edit_history(
    service: IntakeService, people: People, engine: AsyncEngine, statement: Executable
) -> None:
    number = (await file(service, people.villager)).ticket.number
    await service.accept(people.grid, number)
    await service.set_role(people.admin, people.neighbour, Role.GRID_WORKER, grid_code="G01")

    with pytest.raises(DBAPIError) as refused:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(statement)

    assert "append-only" in str(refused.value)
    assert len(await service.history(people.admin, number)) == 2


async def test_editing_an_event_through_the_orm_is_refused(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    number = (await file(service, people.villager)).ticket.number

    with pytest.raises(DBAPIError):
        async with AsyncSession(engine) as session, session.begin():
            row = (await session.scalars(select(TicketEvent))).one()
            row.text = "篡改"

    [event] = await service.history(people.admin, number)
    assert event.text is None


async def test_source_keys_are_unique_in_the_database(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    await file(service, people.villager, source_key="tg:9:9")
    second = await file(service, people.villager, source_key="tg:9:10")

    with pytest.raises(IntegrityError):
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(
                update(Ticket).where(Ticket.id == second.ticket.id).values(source_key="tg:9:9")
            )


async def test_instants_come_back_timezone_aware_in_utc(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    outcome = await file(service, people.villager)

    async with AsyncSession(engine) as session:
        ticket = await session.get(Ticket, outcome.ticket.id)
        assert ticket is not None
        assert ticket.received_at == local(2026, 3, 2, 9)
        assert ticket.received_at.tzinfo is UTC
        stored = (await session.execute(text("SELECT received_at FROM tickets"))).scalar_one()
    # SQLite keeps the UTC wall time; PostgreSQL a timestamptz.
    stored_utc = stored if isinstance(stored, str) else stored.astimezone(UTC).isoformat(" ")
    assert str(stored_utc).startswith("2026-03-02 01:00:00")


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    with pytest.raises(StatementError) as refused:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(update(Ticket).values(received_at=datetime(2026, 3, 2, 9)))

    assert "naive datetime" in str(refused.value)


async def test_other_time_zones_are_stored_as_the_same_instant(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    number = (await file(service, people.villager)).ticket.number
    new_york = timezone(timedelta(hours=-5))

    async with AsyncSession(engine) as session, session.begin():
        await session.execute(
            update(Ticket).values(closed_at=datetime(2026, 3, 1, 20, tzinfo=new_york))
        )

    assert (await service.get_ticket(people.admin, number)).closed_at == local(2026, 3, 2, 9)


async def test_every_ticket_update_bumps_its_version(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    number = (await file(service, people.villager)).ticket.number
    await service.accept(people.grid, number)
    await service.claim(people.grid, number)
    await service.add_note(people.grid, number, "备注不改工单本身")

    async with AsyncSession(engine) as session:
        version = (await session.scalars(select(Ticket.version))).one()
    assert version == 3
