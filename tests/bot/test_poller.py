"""The poller against the local Bot API: an update is confirmed only once it is stored."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy.exc import OperationalError
from telegram.ext import ExtBot

from bot import poller
from bot.backoff import Backoff
from bot.local_api import ApiCall, Faults, Interceptor, LocalBotApi
from bot.poller import Poller
from intake.inbox import Received

VILLAGER = 1001
# Bounds the waits for the poller; each one normally ends within milliseconds.
PATIENCE_SECONDS = 5.0


class Receiver:
    """Stores batches in memory, failing as the database does the first ``failures`` times."""

    def __init__(self, api: LocalBotApi, failures: int = 0) -> None:
        self.api = api
        self.failures = failures
        self.offered: list[list[Received]] = []
        self.held_while_offered: list[list[int]] = []
        self.stored: list[Received] = []
        self.stored_some = asyncio.Event()

    async def __call__(self, batch: Sequence[Received]) -> None:
        if not batch:
            return
        self.offered.append(list(batch))
        self.held_while_offered.append([update["update_id"] for update in self.api.updates.pending])
        if self.failures:
            self.failures -= 1
            raise OperationalError("INSERT INTO inbox_updates", {}, Exception("database is locked"))
        self.stored.extend(batch)
        self.stored_some.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.stored_some.wait(), PATIENCE_SECONDS)


class PollWatch:
    """An interceptor that hands over the offset of every ``getUpdates`` call, then ``then``'s."""

    def __init__(self, then: Interceptor | None = None) -> None:
        self.then = then
        self.offsets: asyncio.Queue[int | None] = asyncio.Queue()

    async def __call__(self, call: ApiCall, request: web.Request) -> web.StreamResponse | None:
        if call.method == "getUpdates":
            # The server records form values as sent.
            offset = call.params.get("offset")
            self.offsets.put_nowait(None if offset is None else int(offset))
        return None if self.then is None else await self.then(call, request)

    async def next_offset(self) -> int | None:
        return await asyncio.wait_for(self.offsets.get(), PATIENCE_SECONDS)


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry after milliseconds rather than the production half second."""
    monkeypatch.setattr(poller, "Backoff", lambda: Backoff(timedelta(milliseconds=10)))


@asynccontextmanager
async def polling(bot: ExtBot[None], receiver: Receiver) -> AsyncIterator[None]:
    task = asyncio.create_task(Poller(bot, receiver, timeout=1).run())
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_an_update_is_confirmed_only_after_it_is_stored(
    api: LocalBotApi, direct_bot: ExtBot[None]
) -> None:
    await api.user(VILLAGER, "张三").send("彩礼能要回来吗")
    watch = PollWatch()
    api.interceptor = watch
    receiver = Receiver(api, failures=2)
    async with polling(direct_bot, receiver):
        assert await watch.next_offset() is None
        await receiver.wait()
        # The call after the batch was stored is the first to confirm it.
        assert await watch.next_offset() == 2

    [update] = receiver.stored
    assert update.update_id == 1
    assert update.payload["message"]["text"] == "彩礼能要回来吗"
    # The same batch was offered until it was stored, and Telegram kept it all that time.
    assert receiver.offered == [[update]] * 3
    assert receiver.held_while_offered == [[1]] * 3
    assert api.updates.pending == []
    assert api.calls_of("deleteWebhook")[0].params["drop_pending_updates"] == "false"


async def test_failed_get_updates_calls_are_made_again(
    api: LocalBotApi, direct_bot: ExtBot[None]
) -> None:
    Faults().install(api).next("getUpdates", "502").next("getUpdates", "drop")
    await api.user(VILLAGER, "张三").send("你好")
    receiver = Receiver(api)
    async with polling(direct_bot, receiver):
        await receiver.wait()
    assert [update.update_id for update in receiver.stored] == [1]
    assert [call.status for call in api.calls_of("getUpdates")][:3] == [502, None, 200]


async def test_items_that_are_not_updates_are_ignored(
    api: LocalBotApi, direct_bot: ExtBot[None]
) -> None:
    real = {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": 1767225600,
            "chat": {"id": VILLAGER, "type": "private", "first_name": "张三"},
            "from": {"id": VILLAGER, "is_bot": False, "first_name": "张三"},
            "text": "你好",
        },
    }
    answered = False

    async def odd_batch_once(call: ApiCall, request: web.Request) -> web.StreamResponse | None:
        nonlocal answered
        if call.method != "getUpdates" or answered:
            return None
        answered = True
        result = [7, "update", None, {"no": "id"}, {"update_id": "6"}, real]
        return web.json_response({"ok": True, "result": result})

    watch = PollWatch(odd_batch_once)
    api.interceptor = watch
    receiver = Receiver(api)
    async with polling(direct_bot, receiver):
        assert await watch.next_offset() is None
        await receiver.wait()
        assert await watch.next_offset() == 6
    assert receiver.stored == [Received(5, real)]
