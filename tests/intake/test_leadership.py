"""One leader per database (:mod:`intake.leadership`), on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.leadership import ADVISORY_KEY, AdvisoryLock, Leadership, LockFile, leadership


@pytest.fixture
async def contenders(engine: AsyncEngine) -> AsyncIterator[tuple[Leadership, Leadership]]:
    """Two processes' claims to the lead of one database (each its own lock, as in two
    processes: its own connection or its own open file)."""
    first, second = leadership(engine), leadership(engine)
    yield first, second
    await first.release()
    await second.release()


async def test_one_leads_and_the_other_takes_over_once_it_is_released(
    contenders: tuple[Leadership, Leadership],
) -> None:
    first, second = contenders

    assert await first.take()
    assert await first.take()  # still its own
    assert not await second.take()
    assert not await second.take()
    await first.release()
    assert await second.take()
    assert not await first.take()


async def test_the_lead_is_not_lost_while_it_is_held(
    contenders: tuple[Leadership, Leadership],
) -> None:
    first, _ = contenders
    assert await first.take()

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(first.lost(), timeout=0.3)


async def test_an_sqlite_lead_is_a_lock_file_beside_the_database(
    engine: AsyncEngine, backend: object
) -> None:
    claim = leadership(engine)
    if engine.dialect.name != "sqlite":
        assert isinstance(claim, AdvisoryLock)
        return
    assert isinstance(claim, LockFile)
    database = engine.url.database
    assert database is not None and claim.path.name == f"{database.rsplit('/', 1)[-1]}.lock"
    try:
        assert await claim.take()
        assert claim.path.read_text().strip().isdigit()  # the leader's process id
    finally:
        await claim.release()


async def test_a_postgresql_lead_ends_with_its_connection(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    first = AdvisoryLock(engine, check_every=0.05)
    second = AdvisoryLock(engine, check_every=0.05)
    try:
        assert await first.take()
        async with engine.connect() as admin:
            # What a server restart or a dropped connection does to the leader's session.
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND objid = :low AND classid = :high"
                ),
                {"low": ADVISORY_KEY & 0xFFFFFFFF, "high": ADVISORY_KEY >> 32},
            )
            await admin.commit()
        await asyncio.wait_for(first.lost(), timeout=5)
        await first.release()
        assert await second.take()
    finally:
        await first.release()
        await second.release()
