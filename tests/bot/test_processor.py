"""The update processor: stored updates handled in order, their effects committed together."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import ContextTypes

from bot.local_api import LocalBotApi
from bot.outbox_request import queueing_bot
from bot.persistence import USER_DATA, DatabasePersistence
from bot.pipeline import build_processor
from bot.processor import App, StorageUnavailable, UpdateFailed, UpdateProcessor
from bot.services import Runtime, open_runtime
from bot.settings import Settings
from handlers import draft
from handlers.texts import filing as filing_texts
from intake import NewTicket, TicketKind
from intake.inbox import Inbox, Received
from intake.models import OutboxMessage
from intake.outbox import Delivery, Outbox

VILLAGER = 1001
ADMIN = 1009
NEIGHBOUR = 1002
CONSOLE_URL = "http://127.0.0.1/console"
FILING_STATES = "conversations:filing"


class Commits:
    """Counts the processor's ``after_commit`` calls (the relay's wake-ups)."""

    def __init__(self) -> None:
        self.count = 0
        self.event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(Settings(data_dir=tmp_path)) as opened:
        yield opened


@pytest.fixture
def inbox(runtime: Runtime, api: LocalBotApi) -> Inbox:
    return Inbox(runtime.services.intake.engine, int(api.token.partition(":")[0]))


@pytest.fixture
def outbox(runtime: Runtime) -> Outbox:
    return Outbox(runtime.services.intake.engine)


@pytest.fixture
def commits() -> Commits:
    return Commits()


@dataclass(frozen=True)
class Started:
    application: App
    processor: UpdateProcessor


Processing = Callable[..., AbstractAsyncContextManager[Started]]


@pytest.fixture
def processing(
    runtime: Runtime, api: LocalBotApi, inbox: Inbox, outbox: Outbox, commits: Commits
) -> Processing:
    """Starts an Application and its processor, built as :class:`bot.pipeline.Pipeline` does."""

    @asynccontextmanager
    async def started(alone_through: int | None = None) -> AsyncIterator[Started]:
        bot = queueing_bot(
            api.token, outbox, base_url=api.base_url, base_file_url=api.base_file_url
        )
        processor = build_processor(
            runtime,
            bot,
            inbox,
            console_url=CONSOLE_URL,
            after_commit=commits,
            alone_through=alone_through,
        )
        application = processor.application
        async with application:
            await application.start()
            try:
                yield Started(application, processor)
            finally:
                await application.stop()

    return started


async def store_what_telegram_holds(api: LocalBotApi, inbox: Inbox) -> list[int]:
    """Store the local API's pending updates, newest first; returns their ids."""
    pending = api.updates.pending
    await inbox.add([Received(update["update_id"], update) for update in reversed(pending)])
    return [update["update_id"] for update in pending]


async def queued(runtime: Runtime) -> list[tuple[int, dict[str, Any]]]:
    """The outbox as (chat, params), in the order queued."""
    async with AsyncSession(runtime.services.intake.engine) as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.chat_id, row.params) for row in rows]


async def test_a_batch_is_handled_in_order_and_committed_with_its_replies_and_state(
    api: LocalBotApi,
    runtime: Runtime,
    inbox: Inbox,
    commits: Commits,
    processing: Processing,
) -> None:
    villager = api.user(VILLAGER, "张三")
    await villager.send_command("/file")
    # Typed while the kind buttons are shown: only after /file is it an answer to them.
    await villager.send("纠纷")
    await api.user(NEIGHBOUR, "李四").send("彩礼能要回来吗")
    assert await store_what_telegram_holds(api, inbox) == [1, 2, 3]

    async with processing() as started:
        assert await started.processor.handle_batch() == 3

    assert await inbox.count_pending() == 0
    assert commits.count == 1
    replies = await queued(runtime)
    assert [chat for chat, _ in replies] == [VILLAGER, VILLAGER, VILLAGER, NEIGHBOUR]
    assert replies[0][1]["text"].startswith(filing_texts.ASK_KIND)
    assert replies[1][1]["text"] == filing_texts.PRESS_A_BUTTON
    assert "inline_keyboard" in replies[3][1]["reply_markup"]
    assert await runtime.store.load(FILING_STATES) == {f"[{VILLAGER}, {VILLAGER}]": draft.KIND}


async def test_an_empty_inbox_is_no_batch(processing: Processing, commits: Commits) -> None:
    async with processing() as started:
        assert await started.processor.handle_batch() == 0
    assert commits.count == 0


async def test_a_storage_error_in_a_handler_rolls_the_whole_batch_back(
    api: LocalBotApi,
    runtime: Runtime,
    inbox: Inbox,
    outbox: Outbox,
    commits: Commits,
    processing: Processing,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def database_away(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO question_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(runtime.services.questions, "record", database_away)
    await api.user(VILLAGER, "张三").send_command("/file")
    await api.user(NEIGHBOUR, "李四").send("彩礼能要回来吗")
    await store_what_telegram_holds(api, inbox)

    async with processing() as started:
        with pytest.raises(StorageUnavailable) as raised:
            await started.processor.handle_batch()
    assert isinstance(raised.value.__cause__, OperationalError)
    # The first update's reply and conversation state went with the second's failure.
    assert await inbox.count_pending() == 2
    assert await outbox.counts() == dict.fromkeys(Delivery, 0)
    assert await runtime.store.load(FILING_STATES) == {}
    assert commits.count == 0

    # Once the database is back, a fresh Application handles the same batch.
    monkeypatch.undo()
    async with processing() as started:
        assert await started.processor.handle_batch() == 2
    assert await inbox.count_pending() == 0
    assert [chat for chat, _ in await queued(runtime)] == [VILLAGER, NEIGHBOUR]
    assert await runtime.store.load(FILING_STATES) == {f"[{VILLAGER}, {VILLAGER}]": draft.KIND}


async def test_a_job_commits_what_it_queues_and_wakes_the_relay(
    runtime: Runtime, commits: Commits, processing: Processing
) -> None:
    async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(VILLAGER, "您的工单明天到期")

    async with processing() as started:
        job_queue = started.application.job_queue
        assert job_queue is not None
        job_queue.run_once(remind, 0)
        await asyncio.wait_for(commits.event.wait(), timeout=5)
    assert await queued(runtime) == [(VILLAGER, {"chat_id": VILLAGER, "text": "您的工单明天到期"})]


async def test_a_change_made_in_a_job_is_published_through_the_applications_bot_with_the_job(
    runtime: Runtime, commits: Commits, processing: Processing
) -> None:
    intake = runtime.services.intake
    villager = await intake.get_or_create_user(VILLAGER, "张三")
    admin = await intake.ensure_admin(ADMIN, "管理员")
    new = NewTicket("tg:job", TicketKind.DISPUTE, "相邻", "院墙的纠纷。", "V01")
    number = (await intake.file_ticket(villager.id, new)).ticket.number
    assert await queued(runtime) == []  # outside the bot's updates and jobs, nobody is told

    async def accept(context: ContextTypes.DEFAULT_TYPE) -> None:
        await intake.accept(admin.id, number)

    async with processing() as started:
        job_queue = started.application.job_queue
        assert job_queue is not None
        job_queue.run_once(accept, 0)
        await asyncio.wait_for(commits.event.wait(), timeout=5)
    [(chat, params)] = await queued(runtime)
    assert chat == VILLAGER
    assert params["text"].startswith(f"您反映的事情（工单 {number}）已经受理了。")


async def test_a_job_keeps_what_it_changed_of_its_user_and_a_failing_job_reaches_error_handlers(
    runtime: Runtime, commits: Commits, processing: Processing
) -> None:
    failed = asyncio.Event()
    errors: list[object] = []

    async def remember(context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.user_data is not None
        context.user_data["reminded"] = True

    async def broken(context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("a bug in a job")

    async def note(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)
        failed.set()

    async with processing() as started:
        started.application.add_error_handler(note)
        job_queue = started.application.job_queue
        assert job_queue is not None
        job_queue.run_once(remember, 0, user_id=VILLAGER)
        await asyncio.wait_for(commits.event.wait(), timeout=5)
        job_queue.run_once(broken, 0)
        await asyncio.wait_for(failed.wait(), timeout=5)
    assert await runtime.store.load(USER_DATA) == {str(VILLAGER): {"reminded": True}}
    assert [type(error) for error in errors] == [RuntimeError]


async def test_a_poison_update_fails_its_batch_which_is_then_handled_one_update_at_a_time(
    api: LocalBotApi,
    runtime: Runtime,
    inbox: Inbox,
    outbox: Outbox,
    commits: Commits,
    processing: Processing,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write = DatabasePersistence.write_staged

    async def broken_for_the_neighbour(self: DatabasePersistence) -> None:
        if (USER_DATA, str(NEIGHBOUR)) in self._saves:
            raise ValueError("a bug")
        await write(self)

    monkeypatch.setattr(DatabasePersistence, "write_staged", broken_for_the_neighbour)
    await api.user(VILLAGER, "张三").send("彩礼能要回来吗")
    await api.user(NEIGHBOUR, "李四").send("彩礼能要回来吗")
    await store_what_telegram_holds(api, inbox)

    async with processing() as started:
        with pytest.raises(UpdateFailed) as raised:
            await started.processor.handle_batch()
    assert raised.value.update_ids == [1, 2]
    assert isinstance(raised.value.__cause__, ValueError)
    assert await inbox.count_pending() == 2
    assert await outbox.counts() == dict.fromkeys(Delivery, 0)

    # One at a time, the failure is traced to the update that causes it.
    async with processing(alone_through=2) as started:
        assert await started.processor.handle_batch() == 1
        with pytest.raises(UpdateFailed) as raised:
            await started.processor.handle_batch()
    assert raised.value.update_ids == [2]
    assert [chat for chat, _ in await queued(runtime)] == [VILLAGER]
    assert await inbox.count_pending() == 1
    assert commits.count == 1
