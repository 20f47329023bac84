"""The database briefly away — SQLite locked by another program, PostgreSQL restarted.

What the bot could not store it does not acknowledge: a polled update stays with Telegram (the
``getUpdates`` offset does not pass it), a webhook delivery gets 503 and is sent again. Handling
and delivery stop and start again by themselves once the database is back, and every message is
answered.

SQLite waits ``sqlite_busy_timeout_ms`` for a lock before it reports "database is locked"; these
tests shorten that wait so that a lock of a couple of seconds is an outage rather than a pause.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.local_api import Fault, Faults, LocalBotApi
from bot.local_chat import local_api
from bot.runners import webhook
from bot.services import open_runtime
from bot.settings import Settings
from handlers import draft
from intake.outbox import Delivery
from tests.e2e.harness import CONSOLE_URL, UNLIMITED, BotHarness, running_bot
from tests.e2e.test_faults import ANSWER, QUESTION, answers_sent
from tests.e2e.test_filing import up_to_the_summary
from tests.intake.conftest import PG_URL

BUSY_TIMEOUT_MS = 100
OUTAGE_SECONDS = 2.0
# Long enough for the backoffs (0.5 s, doubling) to retry after an outage of OUTAGE_SECONDS.
RECOVERY_SECONDS = 10.0
CHECK_SECONDS = 0.02


async def until(condition: Callable[[], bool | Awaitable[bool]]) -> None:
    """Wait for ``condition`` (a function, or a coroutine function) to hold.

    Raises:
        AssertionError: It did not hold within RECOVERY_SECONDS.

    """
    for _ in range(round(RECOVERY_SECONDS / CHECK_SECONDS)):
        met = condition()
        if await met if inspect.isawaitable(met) else met:
            return
        await asyncio.sleep(CHECK_SECONDS)
    raise AssertionError(f"still not so after {RECOVERY_SECONDS} s")


async def drained(bot: BotHarness) -> bool:
    """Whether every stored update is handled and every queued reply delivered."""
    pending = (await bot.pipeline.outbox.counts())[Delivery.PENDING]
    return not pending and not await bot.pipeline.inbox.count_pending()


@asynccontextmanager
async def write_locked(database: Path) -> AsyncIterator[None]:
    """Another program holding the SQLite file's write lock (a backup, an open ``sqlite3``)."""
    async with aiosqlite.connect(database, isolation_level=None) as other:
        await other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            await other.execute("ROLLBACK")


def held_update_ids(api: LocalBotApi) -> list[int]:
    """The updates Telegram still holds for the bot (not confirmed yet)."""
    return [update["update_id"] for update in api.updates.pending]


async def test_polled_updates_stay_unconfirmed_while_sqlite_is_locked_then_are_answered_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS) as bot:
        villagers = [bot.user(200801 + number, f"村民{number}") for number in range(3)]
        await villagers[0].send(QUESTION)
        assert ANSWER in (await villagers[0].reply()).text

        async with write_locked(tmp_path / "mingbai.db"):
            for villager in villagers:
                await villager.send(QUESTION)
            await until(lambda: len(held_update_ids(bot.api)) == 3)
            held = held_update_ids(bot.api)
            await asyncio.sleep(OUTAGE_SECONDS)
            assert "not stored (OperationalError); not confirmed" in caplog.text
            assert held_update_ids(bot.api) == held
            offsets = [
                int(call.params.get("offset") or 0) for call in bot.api.calls_of("getUpdates")
            ]
            assert max(offsets) <= min(held)
            assert await bot.pipeline.inbox.count_pending() == 0  # WAL: reading still works
            assert [villager.unread for villager in villagers] == [0, 0, 0]

        for villager in villagers:
            assert ANSWER in (await villager.reply(timeout=RECOVERY_SECONDS)).text
        await until(lambda: not held_update_ids(bot.api))
        await until(lambda: drained(bot))
        assert [villager.unread for villager in villagers] == [0, 0, 0]
        assert answers_sent(bot) == 4
        assert bot.pipeline.running


async def test_the_webhook_answers_503_while_sqlite_is_locked_and_the_update_is_answered_after(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path, sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS)
    async with (
        LocalBotApi() as api,
        open_runtime(settings) as runtime,
        webhook(
            runtime,
            local_api(api),
            secret="webhook-secret-2",
            host="127.0.0.1",
            port=0,
            console_url=CONSOLE_URL,
            limits=UNLIMITED,
        ),
    ):
        villager = api.user(200811, "韩大姐")
        async with write_locked(tmp_path / "mingbai.db"):
            await villager.send(QUESTION)
            await until(lambda: api.webhook.last_error_message is not None)
            await asyncio.sleep(OUTAGE_SECONDS)
            assert api.webhook.last_error_message == (
                "Wrong response from the webhook: 503 Service Unavailable"
            )
            refusals = [r for r in caplog.records if "not stored (OperationalError)" in r.message]
            assert len(refusals) >= 2  # Telegram kept trying; each try was refused
            assert held_update_ids(api) == [1]
            assert villager.unread == 0

        assert ANSWER in (await villager.reply(timeout=RECOVERY_SECONDS)).text
        await until(lambda: not held_update_ids(api))
        await asyncio.sleep(0.3)
        assert villager.unread == 0
        assert sum(ANSWER in call.params["text"] for call in api.calls_of("sendMessage")) == 1


async def test_a_reply_delivered_while_sqlite_is_locked_is_recorded_after_not_sent_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS) as bot:
        # The answer is on its way to Telegram when the lock is taken; its delivery cannot be
        # recorded until the lock is released.
        Faults().install(bot.api).next("sendMessage", Fault("slow", seconds=1.0))
        villager = bot.user(200821, "马老汉")
        await villager.send(QUESTION)
        await until(lambda: bool(bot.api.calls_of("sendMessage")))
        async with write_locked(tmp_path / "mingbai.db"):
            assert ANSWER in (await villager.reply()).text
            await until(lambda: "outbox unavailable" in caplog.text)
            await asyncio.sleep(OUTAGE_SECONDS)
            assert (await bot.pipeline.outbox.counts())[Delivery.PENDING] == 1

        await until(lambda: drained(bot))
        assert (await bot.pipeline.outbox.counts())[Delivery.SENT] == 1
        assert villager.unread == 0
        # The relay goes on delivering.
        await villager.send(QUESTION)
        assert ANSWER in (await villager.reply()).text
        assert answers_sent(bot) == 2


@asynccontextmanager
async def scratch_database() -> AsyncIterator[tuple[str, AsyncEngine, str]]:
    """A new PostgreSQL database on the test server, dropped at the end.

    Yields:
        Its URL, an engine on the server's test database (to administer it) and its name.

    """
    name = f"mingbai_outage_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
            yield url, admin, name
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@asynccontextmanager
async def restarting(admin: AsyncEngine, name: str) -> AsyncIterator[None]:
    """PostgreSQL down for the bot while the block runs, as during a restart.

    Every connection to the database is ended and new ones are refused until the block ends.
    """
    async with admin.connect() as connection:
        await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        await connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
    try:
        yield
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


@pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL not tested: MINGBAI_TEST_DATABASE_URL is not set"
)
async def test_a_postgresql_restart_loses_nothing_and_the_bot_recovers_by_itself(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        scratch_database() as (url, admin, name),
        running_bot(tmp_path, database_url=url) as bot,
    ):
        filer = bot.user(200831, "马大姐")
        summary = await up_to_the_summary(filer)
        askers = [bot.user(200832 + number, f"村民{number}") for number in range(3)]

        async with restarting(admin, name):
            await filer.press(summary, draft.SUBMIT)
            for asker in askers:
                await asker.send(QUESTION)
            await until(lambda: "database unavailable" in caplog.text)
            await asyncio.sleep(OUTAGE_SECONDS)
            assert not bot.pipeline.running
            assert [user.unread for user in (filer, *askers)] == [0, 0, 0, 0]
            assert len(held_update_ids(bot.api)) == 4

        filed = await filer.reply(timeout=RECOVERY_SECONDS)
        assert filed.text.startswith("登记好了！您的编号是")
        for asker in askers:
            assert ANSWER in (await asker.reply(timeout=RECOVERY_SECONDS)).text
        await until(lambda: drained(bot))
        await until(lambda: not held_update_ids(bot.api))
        assert bot.pipeline.running

        filer_id = (await bot.intake.get_or_create_user(filer.user_id, "")).id
        [ticket] = await bot.intake.list_tickets(filer_id)
        assert ticket.number in filed.text
        [card] = await bot.staff_group.replies(1)
        assert ticket.number in card.text
        assert [user.unread for user in (filer, *askers)] == [0, 0, 0, 0]
        assert answers_sent(bot) == 3
        assert bot.staff_group.unread == 0
