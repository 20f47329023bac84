import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.local_api import ApiCall, LocalBotApi
from bot.local_api.errors import too_many_requests


async def _raw(url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "mingbai_bot", True)
    assert me.can_read_all_group_messages is False


async def test_urls_are_loopback(api: LocalBotApi) -> None:
    assert api.base_url.startswith("http://127.0.0.1:") and api.base_url.endswith("/bot")
    assert api.base_file_url == api.base_url.replace("/bot", "/file/bot")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
async def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        await LocalBotApi().start(host=host)


async def test_urls_need_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = LocalBotApi().base_url


async def test_a_server_starts_once(api: LocalBotApi) -> None:
    with pytest.raises(RuntimeError, match="once"):
        await api.start()


def test_tokens_must_look_like_tokens() -> None:
    with pytest.raises(ValueError, match="bot id"):
        LocalBotApi(token="secret")


async def test_wrong_token_is_unauthorized(api: LocalBotApi) -> None:
    status, body = await _raw(f"{api.base_url}1:wrong/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=api.base_url):
            pass


async def test_unknown_methods_are_not_found(api: LocalBotApi) -> None:
    status, body = await _raw(f"{api.base_url}{api.token}/sendInvoice")
    assert status == 404 and body["error_code"] == 404


async def test_json_bodies_and_query_strings_work(api: LocalBotApi) -> None:
    await api.user(1001).send("你好")
    url = f"{api.base_url}{api.token}/sendMessage"
    status, body = await _raw(url, json={"chat_id": 1001, "text": "JSON"})
    assert status == 200 and body["result"]["text"] == "JSON"
    status, body = await _raw(f"{url}?chat_id=1001&text=query")
    assert status == 200 and body["result"]["text"] == "query"


async def test_calls_are_recorded(api: LocalBotApi, bot: Bot) -> None:
    await api.user(1001).send("你好")
    await bot.send_message(1001, "好")
    with pytest.raises(NetworkError):
        await bot.send_message(999, "没有")
    first, second = api.calls_of("sendMessage")
    assert (first.params["chat_id"], first.params["text"], first.status) == ("1001", "好", 200)
    assert (second.status, second.error) == (400, "Bad Request: chat not found")
    assert api.calls[0].method == "getMe" and api.calls[0].at <= time.time()


# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
@pytest.mark.filterwarnings("ignore:.*retry_after")
async def test_the_interceptor_can_fail_calls(api: LocalBotApi, bot: Bot) -> None:
    async def flood_control(call: ApiCall, request: web.Request) -> web.StreamResponse | None:
        if call.method == "sendMessage":
            raise too_many_requests(3)
        if call.method == "getChat":
            return web.Response(status=502, text="Bad Gateway")
        return None

    api.interceptor = flood_control
    await api.user(1001).send("你好")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(1001, "好")
    assert "retry in 3 seconds" in str(raised.value).lower()
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_chat(1001)
    assert (await bot.get_me()).id == bot.id
    assert [call.status for call in api.calls_of("sendMessage")] == [429]


async def test_files_are_served_under_the_file_url(api: LocalBotApi) -> None:
    stored = api.world.files.get(api.add_file(b"%PDF", file_name="a.pdf"))
    assert stored is not None
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{api.base_file_url}{api.token}/{stored.file_path}") as response:
            assert response.status == 200 and await response.read() == b"%PDF"
        async with session.get(f"{api.base_file_url}1:wrong/{stored.file_path}") as response:
            assert response.status == 401
        async with session.get(f"{api.base_file_url}{api.token}/documents/nope") as response:
            assert response.status == 404


async def test_long_poll_returns_when_an_update_arrives(api: LocalBotApi, bot: Bot) -> None:
    polling = asyncio.Event()

    async def notice_polls(call: ApiCall, request: web.Request) -> None:
        if call.method == "getUpdates":
            polling.set()

    api.interceptor = notice_polls
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    async with asyncio.timeout(10):
        await polling.wait()
        await api.user(1001).send("在吗")
        [update] = await poll
    assert update.message is not None and update.message.text == "在吗"
    assert time.monotonic() - started < 10


async def test_stopping_ends_waiting_polls() -> None:
    api = LocalBotApi()
    await api.start()
    polling = asyncio.Event()

    async def notice_polls(call: ApiCall, request: web.Request) -> None:
        if call.method == "getUpdates":
            polling.set()

    api.interceptor = notice_polls
    async with Bot(api.token, base_url=api.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        async with asyncio.timeout(10):
            await polling.wait()
            await api.stop()
            assert await poll == ()


def test_users_and_groups_are_created_once() -> None:
    api = LocalBotApi()
    villager = api.user(1001, "张三")
    assert api.user(1001) is villager and api.user(1001, "张三") is villager
    with pytest.raises(ValueError, match="first_name"):
        api.user(1001, "李四")
    with pytest.raises(ValueError, match="user id"):
        api.user(api.bot_user["id"])
    group = api.group(-1001, "工作人员")
    assert api.group(-1001) is group and group.title == "工作人员"
    with pytest.raises(ValueError, match="negative"):
        api.group(5)
    with pytest.raises(ValueError, match="type"):
        api.group(-1001, kind="group")


async def test_the_real_application_runs_against_the_server(api: LocalBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    villager = api.user(1001, "张三")
    assert application.updater is not None
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            await villager.send("彩礼能要回来吗")
            assert (await villager.reply()).text == "彩礼能要回来吗"
            await villager.send("谢谢")
            assert (await villager.reply()).text == "谢谢"
        finally:
            await application.updater.stop()
            await application.stop()
    assert api.updates.pending == []  # the updater confirmed what it handled
