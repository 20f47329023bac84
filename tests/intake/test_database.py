from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import (
    ErrorCode,
    EventType,
    IntakeError,
    IntakeService,
    TicketFilter,
    TicketState,
    create_engine,
)
from intake.database import session_factory, unit_of_work
from intake.inbox import Inbox, Received
from intake.models import InboxUpdate
from intake.outbox import Delivery, Outbox
from intake.state_store import StateStore
from tests.intake.conftest import PG_URL, FakeClock, People, file

BOT_ID = 5001


async def test_sqlite_gets_its_folder_wal_mode_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "mingbai.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")

    async with engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    await engine.dispose()

    assert path.parent.is_dir()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy >= 1000


async def test_sql_parameters_are_hidden_from_errors(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    query = text("SELECT * FROM nowhere WHERE phone = :phone")

    with pytest.raises(DBAPIError) as failed:
        async with engine.connect() as connection:
            await connection.execute(query, {"phone": "13900001234"})
    await engine.dispose()

    assert "nowhere" in str(failed.value)
    assert "13900001234" not in str(failed.value)


async def test_the_sqlite_busy_timeout_is_configurable(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", sqlite_busy_timeout_ms=1234)

    async with engine.connect() as connection:
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    await engine.dispose()

    assert busy == 1234


@pytest.fixture
async def sqlite_pair(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one SQLite file; the second gives up at once when the file is locked."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    engine = create_engine(url)
    impatient = create_engine(url, sqlite_busy_timeout_ms=0)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine, impatient
    await engine.dispose()
    await impatient.dispose()


@pytest.mark.parametrize("kind", ["sessions.begin", "unit_of_work"])
async def test_sqlite_writers_lock_the_file_when_they_begin_and_readers_do_not(
    sqlite_pair: tuple[AsyncEngine, AsyncEngine], kind: str
) -> None:
    engine, impatient = sqlite_pair
    writing = session_factory(engine).begin() if kind == "sessions.begin" else unit_of_work(engine)
    other = session_factory(impatient)

    async with session_factory(engine)() as reader:
        await reader.execute(text("SELECT count(*) FROM notes"))
        # A reader's transaction leaves the write lock free.
        async with other.begin() as session:
            await session.execute(text("INSERT INTO notes VALUES ('first')"))

    async with writing as writer:
        # Nothing written yet, but the lock is already held: no upgrade can fail later.
        with pytest.raises(OperationalError, match="locked"):
            async with other.begin():
                pass
        await writer.execute(text("INSERT INTO notes VALUES ('second')"))
        # Readers still read (WAL), and see only what was committed.
        async with other() as session:
            count = await session.scalar(text("SELECT count(*) FROM notes"))
    assert count == 1


@pytest.fixture
def inbox(engine: AsyncEngine, clock: FakeClock) -> Inbox:
    return Inbox(engine, BOT_ID, clock=clock)


@pytest.fixture
def outbox(engine: AsyncEngine, clock: FakeClock) -> Outbox:
    return Outbox(engine, clock=clock)


@pytest.fixture
def store(engine: AsyncEngine, clock: FakeClock) -> StateStore:
    return StateStore(engine, clock=clock)


async def _stored(
    inbox: Inbox, outbox: Outbox, store: StateStore, service: IntakeService, admin: int
) -> tuple[list[int], int, dict[str, Any], int]:
    """What the services see: pending updates, pending messages, state, tickets."""
    return (
        [u.update_id for u in await inbox.pending(10)],
        (await outbox.counts())[Delivery.PENDING],
        await store.load("user_data"),
        len(await service.list_tickets(admin, TicketFilter())),
    )


async def test_the_writes_of_a_unit_of_work_commit_together(
    engine: AsyncEngine,
    inbox: Inbox,
    outbox: Outbox,
    store: StateStore,
    service: IntakeService,
    people: People,
) -> None:
    await inbox.add([Received(1, {"update_id": 1})])
    before = await _stored(inbox, outbox, store, service, people.admin)

    async with unit_of_work(engine):
        number = (await file(service, people.villager)).ticket.number
        await outbox.add(1001, "sendMessage", {"chat_id": 1001, "text": f"已登记 {number}"})
        await store.write({("user_data", "1001"): {"last": number}}, ())
        await inbox.mark_done([1])
        # Inside the unit its writes are visible; another task still sees the last commit.
        inside = await _stored(inbox, outbox, store, service, people.admin)
        elsewhere = await asyncio.create_task(_stored(inbox, outbox, store, service, people.admin))

    assert before == elsewhere == ([1], 0, {}, 0)
    assert inside == ([], 1, {"1001": {"last": number}}, 1)
    assert await _stored(inbox, outbox, store, service, people.admin) == inside


async def test_an_error_in_a_unit_of_work_undoes_all_of_it(
    engine: AsyncEngine,
    inbox: Inbox,
    outbox: Outbox,
    store: StateStore,
    service: IntakeService,
    people: People,
) -> None:
    await inbox.add([Received(1, {"update_id": 1})])

    with pytest.raises(RuntimeError, match="handler failed"):
        async with unit_of_work(engine):
            await file(service, people.villager)
            await outbox.add(1001, "sendMessage", {"chat_id": 1001, "text": "已登记"})
            await store.write({("user_data", "1001"): {"step": 2}}, ())
            await inbox.mark_done([1])
            raise RuntimeError("handler failed")

    assert await _stored(inbox, outbox, store, service, people.admin) == ([1], 0, {}, 0)


async def test_a_refused_step_inside_a_unit_of_work_undoes_only_itself(
    engine: AsyncEngine, outbox: Outbox, service: IntakeService, people: People
) -> None:
    async with unit_of_work(engine):
        number = (await file(service, people.villager)).ticket.number
        await service.accept(people.grid, number)
        await service.claim(people.grid, number)
        with pytest.raises(IntakeError) as refused:
            await service.claim(people.grid, number)
        await outbox.add(1001, "sendMessage", {"chat_id": 1001, "text": "已受理"})

    assert refused.value.code is ErrorCode.CONFLICT
    ticket = await service.get_ticket(people.admin, number)
    assert (ticket.state, ticket.assignee_id) == (TicketState.IN_PROGRESS, people.grid)
    history = await service.history(people.admin, number)
    assert [e.type for e in history] == [EventType.FILED, EventType.ACCEPTED, EventType.CLAIMED]
    assert (await outbox.counts())[Delivery.PENDING] == 1


@pytest.mark.parametrize("failure", ["integrity", "intake"])
async def test_a_failed_write_inside_a_unit_of_work_undoes_only_itself(
    engine: AsyncEngine, inbox: Inbox, failure: str
) -> None:
    sessions = session_factory(engine)
    async with unit_of_work(engine):
        await inbox.add([Received(1, {"update_id": 1})])
        with pytest.raises((IntegrityError, IntakeError)):
            async with sessions.begin() as session:
                session.add(_update(2))
                await session.flush()
                if failure == "intake":
                    raise IntakeError(ErrorCode.CONFLICT, "已经处理过了。")
                session.add(_update(1))
        await inbox.add([Received(3, {"update_id": 3})])

    assert [u.update_id for u in await inbox.pending(10)] == [1, 3]


def _update(update_id: int) -> InboxUpdate:
    return InboxUpdate(
        bot_id=BOT_ID,
        update_id=update_id,
        payload={"update_id": update_id},
        received_at=datetime.now(UTC),
        attempts=0,
    )


async def test_a_unit_of_work_inside_another_is_the_outer_one(
    engine: AsyncEngine, inbox: Inbox
) -> None:
    with pytest.raises(RuntimeError, match="later"):
        async with unit_of_work(engine) as outer:
            async with unit_of_work(engine) as inner:
                assert inner is outer
                await inbox.add([Received(1, {"update_id": 1})])
            # The inner block's end committed nothing.
            assert await asyncio.create_task(inbox.count_pending()) == 0
            raise RuntimeError("later")

    assert await inbox.count_pending() == 0


async def test_a_task_started_inside_a_unit_of_work_has_its_own_transaction(
    engine: AsyncEngine, inbox: Inbox
) -> None:
    with pytest.raises(RuntimeError, match="handler failed"):
        async with unit_of_work(engine):
            await inbox.add([Received(1, {"update_id": 1})])
            # On SQLite the task waits for the unit's write lock, so it is awaited after.
            child = asyncio.create_task(inbox.add([Received(2, {"update_id": 2})]))
            await asyncio.sleep(0)
            raise RuntimeError("handler failed")

    assert await child == 1
    assert [u.update_id for u in await inbox.pending(10)] == [2]


async def test_units_of_work_on_one_engine_take_turns(engine: AsyncEngine, inbox: Inbox) -> None:
    order: list[str] = []

    async def second() -> int:
        async with unit_of_work(engine):
            order.append("second begins")
            return await inbox.count_pending()

    async with unit_of_work(engine):
        order.append("first begins")
        await inbox.add([Received(1, {"update_id": 1})])
        waiting = asyncio.create_task(second())
        # No event marks "blocked", so the second unit gets a while to (wrongly) start.
        done, _ = await asyncio.wait([waiting], timeout=0.2)
        order.append("first ends")

    # It began after the first committed, and saw its write.
    assert await waiting == 1
    assert not done
    assert order == ["first begins", "first ends", "second begins"]


@pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL not tested: MINGBAI_TEST_DATABASE_URL is not set"
)
async def test_a_postgresql_connection_ended_by_the_server_is_an_operational_error() -> None:
    engine = create_engine(PG_URL)
    try:
        with pytest.raises(OperationalError) as ended:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()

    assert ended.value.connection_invalidated
