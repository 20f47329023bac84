"""Fixtures for the intake tests: a migrated database on each backend, a clock, some people.

SQLite always runs; PostgreSQL runs when ``MINGBAI_TEST_DATABASE_URL`` is set (``.ci/run``
sets it). Each PostgreSQL test session works in its own schema, dropped at the end, so runs can
repeat on the same database and even overlap.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from intake import (
    IntakeConfig,
    IntakeService,
    Level,
    NewTicket,
    Outcome,
    Role,
    Source,
    TicketKind,
    TicketState,
    TicketView,
    UserView,
    create_engine,
    load_config,
    upgrade,
)
from intake.models import User

PG_URL = os.environ.get("MINGBAI_TEST_DATABASE_URL", "")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TABLES = (
    "ticket_events, ticket_co_units, tickets, role_changes, users, ticket_sequences, bot_state, "
    "question_log, faq_ratings, console_login_tokens, console_sessions, console_passwords, "
    "bans, ban_events, held_updates, inbox_updates, outbox_messages, ticket_cards, private_chats, "
    "ticket_messages, liaison_applications, dead_letters, broadcasts, subscriptions, "
    "subscription_topics, web_visitors, web_posts, web_messages, web_events, web_files"
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="PostgreSQL not tested: MINGBAI_TEST_DATABASE_URL is not set"
        ),
    ),
]


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given as township (Asia/Shanghai) wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Backend:
    """A migrated template database, from which each test gets a clean copy."""

    name: str
    sqlite_template: Path | None = None
    pg_schema: str | None = None


def pg_engine(schema: str) -> AsyncEngine:
    """An engine like :func:`intake.create_engine` builds, confined to one schema."""
    return create_async_engine(
        PG_URL,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"server_settings": {"search_path": schema}},
    )


async def _create_pg_schema(schema: str, *, migrate: bool) -> None:
    admin = create_async_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    if migrate:
        engine = pg_engine(schema)
        await upgrade(engine)
        await engine.dispose()


async def _drop_pg_schema(schema: str) -> None:
    admin = create_async_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


async def _migrate_sqlite(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        asyncio.run(_migrate_sqlite(template))
        yield Backend("sqlite", sqlite_template=template)
        return
    schema = f"intake_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_pg_schema(schema, migrate=True))
    try:
        yield Backend("postgresql", pg_schema=schema)
    finally:
        asyncio.run(_drop_pg_schema(schema))


@pytest.fixture
async def engine(backend: Backend, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database."""
    if backend.sqlite_template is not None:
        path = tmp_path / "intake.db"
        shutil.copyfile(backend.sqlite_template, path)
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
    else:
        assert backend.pg_schema is not None
        engine = pg_engine(backend.pg_schema)
        async with engine.begin() as connection:
            # TRUNCATE fires no row triggers, so the append-only tables can be emptied here.
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_engine(backend: Backend, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database with no tables at all."""
    if backend.name == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    schema = f"intake_empty_{uuid.uuid4().hex[:12]}"
    await _create_pg_schema(schema, migrate=False)
    engine = pg_engine(schema)
    try:
        yield engine
    finally:
        await engine.dispose()
        await _drop_pg_schema(schema)


@pytest.fixture(scope="session")
def config() -> IntakeConfig:
    return load_config()


@pytest.fixture
def clock() -> FakeClock:
    # A Monday morning in the township, clear of holidays.
    return FakeClock(local(2026, 3, 2, 9))


@pytest.fixture
def service(engine: AsyncEngine, config: IntakeConfig, clock: FakeClock) -> IntakeService:
    return IntakeService(engine, config, clock=clock)


@dataclass(frozen=True)
class People:
    """User ids of a cast: V01 is in grid G01, V02 in G02."""

    admin: int
    villager: int
    neighbour: int
    outsider: int
    liaison: int
    grid: int
    other_grid: int
    mediator: int
    other_mediator: int
    officer: int
    police: int
    justice: int


_CAST: dict[str, tuple[str, Role, dict[str, str]]] = {
    "admin": ("管理员", Role.ADMIN, {}),
    "villager": ("张三", Role.VILLAGER, {"village_code": "V01", "grid_code": "G01"}),
    "neighbour": ("李四", Role.VILLAGER, {"village_code": "V01", "grid_code": "G01"}),
    "outsider": ("王五", Role.VILLAGER, {"village_code": "V02", "grid_code": "G02"}),
    "liaison": ("赵明白", Role.LIAISON, {"village_code": "V01", "grid_code": "G01"}),
    "grid": ("网格员甲", Role.GRID_WORKER, {"grid_code": "G01"}),
    "other_grid": ("网格员乙", Role.GRID_WORKER, {"grid_code": "G02"}),
    "mediator": ("调解员甲", Role.VILLAGE_MEDIATOR, {"village_code": "V01", "grid_code": "G01"}),
    "other_mediator": (
        "调解员乙",
        Role.VILLAGE_MEDIATOR,
        {"village_code": "V02", "grid_code": "G02"},
    ),
    "officer": ("镇干部", Role.TOWNSHIP_OFFICER, {}),
    "police": ("民警", Role.DEPARTMENT, {"unit": "派出所"}),
    "justice": ("司法所员", Role.DEPARTMENT, {"unit": "司法所"}),
}


@pytest.fixture
async def people(engine: AsyncEngine, clock: FakeClock) -> People:
    """The cast, written straight to the database (role changes are tested in the service)."""
    async with AsyncSession(engine) as session, session.begin():
        users = {
            key: User(
                telegram_id=1000 + index,
                display_name=name,
                role=role,
                created_at=clock(),
                **area,
            )
            for index, (key, (name, role, area)) in enumerate(_CAST.items())
        }
        session.add_all(users.values())
        await session.flush()
        return People(**{key: user.id for key, user in users.items()})


_source_keys = itertools.count(1)


def new_ticket(**overrides: object) -> NewTicket:
    """A valid dispute from village V01, with a fresh source key unless one is given."""
    values: dict[str, Any] = {
        "source_key": f"tg:1:{next(_source_keys)}",
        "kind": TicketKind.DISPUTE,
        "category": "相邻",
        "text": "邻居家盖房占了我家的路，说了几次都不听。",
        "village_code": "V01",
    }
    values.update(overrides)
    return NewTicket(**values)


async def file(service: IntakeService, actor: int, **overrides: object) -> Outcome:
    return await service.file_ticket(actor, new_ticket(**overrides))


async def accepted(service: IntakeService, people: People, **overrides: object) -> str:
    """A ticket filed by the villager and accepted by the grid worker; returns its number."""
    number = (await file(service, people.villager, **overrides)).ticket.number
    await service.accept(people.grid, number)
    return number


def ticket_view(**fields: object) -> TicketView:
    """A ticket of V01 / G01 at grid level, for rules that need no database."""
    values: dict[str, Any] = {
        "id": 1,
        "number": "2026-000001",
        "kind": TicketKind.DISPUTE,
        "category": "相邻",
        "text": "占道",
        "source": Source.VILLAGER,
        "filed_by_id": 10,
        "villager_id": 10,
        "villager_name": "张三",
        "village_code": "V01",
        "grid_code": "G01",
        "attachments": (),
        "faq_shown": (),
        "contact_phone": None,
        "contact_consent": False,
        "state": TicketState.NEW,
        "level": Level.GRID,
        "assignee_id": None,
        "lead_unit": None,
        "co_units": (),
        "received_at": local(2026, 3, 2),
        "accepted_at": None,
        "answered_at": None,
        "closed_at": None,
        "accept_due_at": local(2026, 3, 18, 0),
        "handle_due_at": None,
        "level_due_at": None,
        "feedback_due_at": None,
        "extension_days": None,
        "rating": None,
        "reject_reason": None,
        "reject_route": None,
    }
    values.update(fields)
    return TicketView(**values)


def user_view(role: Role, user_id: int = 50, **area: str | None) -> UserView:
    """A person with ``role``; area fields default to none."""
    values: dict[str, str | None] = {"village_code": None, "grid_code": None, "unit": None}
    values.update(area)
    return UserView(id=user_id, telegram_id=None, display_name="某人", role=role, **values)
