"""How long the township's report takes, and how long it stalls the bot's event loop (run by hand).

    .venv/bin/python benchmarks/report_figures.py [--database-url URL]
        [--tickets 100000 1000000] [--years 5] [--runs 3]

For each size, a fresh PostgreSQL schema (in the database ``--database-url`` or
``MINGBAI_TEST_DATABASE_URL`` names, dropped afterwards) is migrated and loaded with COPY:
that many tickets received over ``--years`` years up to 31 December 2025, each with the history
the service would have written (filed, accepted or rejected, answered, 回访, rated, closed; some
rated 不满意, reopened and answered again; some never decided). The tables are then analysed
(``VACUUM ANALYZE``), as autovacuum would do on a live database.

The report for 2025 (the console's default period on the last day of the year) is then asked
``--runs`` times through :meth:`intake.IntakeService.report` while a coroutine ticks every
millisecond on the same event loop; the longest gap between two ticks beyond the millisecond is
the event loop's longest stall, the time every villager's reply would have waited. Printed per
size: load time, the cohort counted, each run's report time (first run cold), the maximum stall
over all runs, and for comparison the longest stall of the same loop idling for a second (on a
busy machine the operating system alone pauses the process now and then).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from intake import EventType, IntakeService, Level, Rating, TicketKind, TicketState, load_config
from intake.migrate import upgrade

TICK = 0.001
LAST_DAY = date(2025, 12, 31)
NOW = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Run:
    """One report: how long it took and the longest event-loop stall while it ran."""

    seconds: float
    stall: float


def main() -> None:
    """Parse the arguments, then load and measure each size in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("MINGBAI_TEST_DATABASE_URL"))
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.database_url or make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("a PostgreSQL --database-url (or MINGBAI_TEST_DATABASE_URL) is needed")
    for size in args.tickets:
        asyncio.run(_measure(args.database_url, size, args.years, args.runs))


async def _measure(url: str, size: int, years: int, runs: int) -> None:
    async with _schema(url) as (engine, connect):
        started = time.perf_counter()
        tickets, events = await _load(connect, size, years)
        loaded = time.perf_counter() - started
        print(f"\n{size:,} tickets, {events:,} events over {years} years: loaded in {loaded:.0f} s")
        service = IntakeService(engine, load_config(), clock=lambda: NOW)
        idle = await _timed(None)
        results = [await _timed(service) for _ in range(runs)]
        report = await service.report(date(LAST_DAY.year, 1, 1), LAST_DAY)
        total = report.total
        print(
            f"  2025 report: {total.received:,} received, {total.accepted:,} accepted, "
            f"{total.closed:,} closed, {total.overdue:,} overdue, {total.rejected:,} rejected"
        )
        times = ", ".join(f"{run.seconds * 1000:.0f} ms" for run in results)
        stalls = ", ".join(f"{run.stall * 1000:.1f} ms" for run in results)
        print(f"  report time per run (first cold): {times}")
        print(f"  event-loop stall per run: {stalls}")
        print(
            f"  median report time: {statistics.median(r.seconds for r in results) * 1000:.0f} ms"
        )
        print(f"  max event-loop stall: {max(run.stall for run in results) * 1000:.1f} ms")
        print(f"  max stall after the first run: {max(r.stall for r in results[1:]) * 1000:.1f} ms")
        print(f"  (stall of an idle loop over 1 s on this machine: {idle.stall * 1000:.1f} ms)")
        assert tickets == size


async def _timed(service: IntakeService | None) -> Run:
    """Ask for the 2025 report (or, without a service, wait a second) while the loop ticks."""
    loop = asyncio.get_running_loop()
    stall = 0.0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal stall
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(TICK)
            stall = max(stall, loop.time() - before - TICK)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(10 * TICK)
    started = time.perf_counter()
    if service is None:
        await asyncio.sleep(1)
    else:
        await service.report(date(LAST_DAY.year, 1, 1), LAST_DAY)
    seconds = time.perf_counter() - started
    done.set()
    await ticker
    return Run(seconds, stall)


Connect = Callable[[], Awaitable[asyncpg.Connection]]


@asynccontextmanager
async def _schema(url: str) -> AsyncIterator[tuple[AsyncEngine, Connect]]:
    schema = f"report_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(
        url, hide_parameters=True, connect_args={"server_settings": {"search_path": schema}}
    )
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(dsn, server_settings={"search_path": schema})

    try:
        await upgrade(engine)
        yield engine, connect
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


TICKET_COLUMNS = [
    "id",
    "number",
    "source_key",
    "kind",
    "category",
    "text",
    "attachments",
    "source",
    "filed_by_id",
    "villager_id",
    "village_code",
    "grid_code",
    "faq_shown",
    "contact_consent",
    "state",
    "level",
    "received_at",
    "accepted_at",
    "answered_at",
    "closed_at",
    "accept_due_at",
    "handle_due_at",
    "rating",
    "version",
]
EVENT_COLUMNS = [
    "ticket_id",
    "type",
    "visibility",
    "created_at",
    "from_state",
    "to_state",
    "rating",
]


async def _load(connect: Connect, size: int, years: int) -> tuple[int, int]:
    config = load_config()
    villages = [(v.code, v.grid) for v in config.township.villages]
    connection = await connect()
    try:
        await connection.execute(
            "INSERT INTO users (id, display_name, role, created_at) "
            "VALUES (1, '村民', 'villager', now())"
        )
        tickets, events = 0, 0
        rng = random.Random(13)
        for chunk in _chunks(size, 50_000):
            ticket_rows: list[tuple[Any, ...]] = []
            event_rows: list[tuple[Any, ...]] = []
            for ticket_id in chunk:
                ticket, history = _ticket(rng, ticket_id, years, villages, config.categories)
                ticket_rows.append(ticket)
                event_rows += [(ticket_id, *event) for event in history]
            await connection.copy_records_to_table(
                "tickets", records=ticket_rows, columns=TICKET_COLUMNS
            )
            await connection.copy_records_to_table(
                "ticket_events", records=event_rows, columns=EVENT_COLUMNS
            )
            tickets += len(ticket_rows)
            events += len(event_rows)
        await connection.execute("VACUUM ANALYZE tickets")
        await connection.execute("VACUUM ANALYZE ticket_events")
    finally:
        await connection.close()
    return tickets, events


def _chunks(size: int, step: int) -> Iterator[range]:
    for first in range(1, size + 1, step):
        yield range(first, min(first + step, size + 1))


def _ticket(
    rng: random.Random,
    ticket_id: int,
    years: int,
    villages: list[tuple[str, str]],
    categories: tuple[str, ...],
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    span = years * 365 * 86_400
    received = NOW - timedelta(seconds=rng.randrange(span))
    village, grid = rng.choice(villages)
    kind = rng.choice(list(TicketKind))
    history: list[tuple[Any, ...]] = [
        (EventType.FILED, "public", received, None, TicketState.NEW, None)
    ]
    accepted = answered = closed = None
    rating = None
    state = TicketState.NEW
    fate = rng.random()
    if fate < 0.05:
        state = TicketState.REJECTED
        at = received + rng.randrange(1, 20) * DAY
        if at < NOW:
            history.append((EventType.REJECTED, "public", at, TicketState.NEW, state, None))
        else:
            state = TicketState.NEW
    elif fate < 0.97:
        at = received + timedelta(hours=rng.randrange(1, 24 * 20))
        if at < NOW:
            accepted, state = at, TicketState.ACCEPTED
            history.append((EventType.ACCEPTED, "public", at, TicketState.NEW, state, None))
    if accepted is not None:
        at = accepted + timedelta(hours=rng.randrange(24, 24 * 90))
        if rng.random() < 0.1 and at < NOW:
            history.append((EventType.REPLIED, "public", at, state, TicketState.ANSWERED, None))
            at += 2 * DAY
            history += [
                (EventType.FEEDBACK_RECORDED, "public", at, None, None, Rating.DISSATISFIED),
                (EventType.REOPENED, "public", at, TicketState.ANSWERED, state, None),
            ]
            at += rng.randrange(1, 60) * DAY
        if at < NOW:
            answered, state = at, TicketState.ANSWERED
            history.append((EventType.REPLIED, "public", at, state, state, None))
            at += rng.randrange(0, 8) * DAY
            if at < NOW:
                rating = rng.choice(list(Rating))
                closed, state = at, TicketState.CLOSED
                if rating is not Rating.UNRATED:
                    history.append((EventType.FEEDBACK_RECORDED, "public", at, None, None, rating))
                history.append(
                    (EventType.CLOSED, "public", at, TicketState.ANSWERED, state, rating)
                )
    ticket = (
        ticket_id,
        f"{received.year}-{ticket_id:07d}",
        f"bench:{ticket_id}",
        kind.value,
        rng.choice(categories),
        "村民反映的问题",
        "[]",
        "villager",
        1,
        1,
        village,
        grid,
        "[]",
        False,
        state.value,
        rng.choice([Level.GRID, Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.DEPARTMENT]).value,
        received,
        accepted,
        answered,
        closed,
        received + 15 * DAY,
        accepted + 60 * DAY if accepted is not None else None,
        rating.value if rating is not None else None,
        1,
    )
    rows = [
        (
            event_type.value,
            visibility,
            at,
            before.value if before else None,
            after.value if after else None,
            given.value if given else None,
        )
        for event_type, visibility, at, before, after, given in history
    ]
    return ticket, rows


if __name__ == "__main__":
    main()
