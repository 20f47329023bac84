"""Fault injection, driven by a real python-telegram-bot ``Bot`` over HTTP."""

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import make_mocked_request
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.local_api import ApiCall, Fault, Faults, LocalBotApi

VILLAGER = 1001
# Far below the fault's hold, so that a timeout costs the test a fraction of a second.
READ_TIMEOUT = 0.3

# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after")


@pytest.fixture
async def impatient_bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=READ_TIMEOUT, httpx_kwargs={"verify": False})
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        yield bot


async def greeted(api: LocalBotApi) -> int:
    """A villager who wrote first, so that the bot may write to them."""
    await api.user(VILLAGER).send("你好")
    return VILLAGER


def sent_texts(api: LocalBotApi) -> list[str]:
    return [sent.message["text"] for sent in api.world.chats[VILLAGER].sent]


async def outcome(bot: Bot, text: str) -> str:
    """What became of one sendMessage: ``ok`` or the exception's name."""
    try:
        await bot.send_message(VILLAGER, text)
    except TelegramError as error:
        return type(error).__name__
    return "ok"


async def test_scripted_429s_carry_retry_after_then_calls_pass(api: LocalBotApi, bot: Bot) -> None:
    faults = Faults().install(api).next("sendMessage", Fault("429", retry_after=2), times=2)
    chat = await greeted(api)
    for _ in range(2):
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(chat, "好")
        assert raised.value.retry_after == 2
    await bot.send_message(chat, "好")
    assert [call.status for call in api.calls_of("sendMessage")] == [429, 429, 200]
    assert [done.fault.kind for done in faults.of("sendMessage")] == ["429", "429"]
    assert faults.scripted("sendMessage") == 0
    assert sent_texts(api) == ["好"]


@pytest.mark.parametrize(("kind", "description"), [("500", "Internal"), ("502", "Bad Gateway")])
async def test_server_errors_are_network_errors_and_nothing_is_sent(
    api: LocalBotApi, bot: Bot, kind: str, description: str
) -> None:
    Faults().install(api).next("SENDMESSAGE", Fault(kind))  # type: ignore[arg-type]
    with pytest.raises(NetworkError, match=description):
        await bot.send_message(await greeted(api), "好")
    assert [call.status for call in api.calls_of("sendMessage")] == [int(kind)]
    assert sent_texts(api) == []


async def test_a_dropped_connection_gives_no_response(api: LocalBotApi, bot: Bot) -> None:
    Faults().install(api).next("sendMessage", "drop")
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(await greeted(api), "好")
    [call] = api.calls_of("sendMessage")
    assert call.status is None and call.error == "connection dropped"
    assert sent_texts(api) == []
    # The server goes on answering.
    await bot.send_message(VILLAGER, "再来")
    assert sent_texts(api) == ["再来"]


async def test_a_processed_call_takes_effect_though_its_response_is_lost(
    api: LocalBotApi, bot: Bot
) -> None:
    faults = Faults().install(api)
    faults.next("sendMessage", Fault("drop", processed=True))
    faults.next("sendMessage", Fault("502", processed=True))
    chat = await greeted(api)
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(chat, "第一条")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(chat, "第二条")
    # The bot cannot tell these were delivered: a retry would show the villager each one twice.
    assert sent_texts(api) == ["第一条", "第二条"]


async def test_a_processed_upload_reads_the_file_again(api: LocalBotApi, bot: Bot) -> None:
    Faults().install(api).next("sendDocument", Fault("502", processed=True))
    with pytest.raises(NetworkError):
        await bot.send_document(await greeted(api), b"%PDF-1.4", filename="a.pdf")
    [sent] = api.world.chats[VILLAGER].sent
    file_id = sent.message["document"]["file_id"]
    stored = api.world.files.get(file_id)
    assert stored is not None and stored.content == b"%PDF-1.4"


async def test_a_timeout_holds_the_request_until_the_client_gives_up(
    api: LocalBotApi, impatient_bot: Bot
) -> None:
    Faults().install(api).next("sendMessage", "timeout")
    chat = await greeted(api)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await impatient_bot.send_message(chat, "好")
    # The fault's hold is a minute; the client's read timeout ended it.
    assert READ_TIMEOUT <= time.monotonic() - started < 5
    assert sent_texts(api) == []
    await impatient_bot.send_message(chat, "好")
    assert sent_texts(api) == ["好"]


async def test_a_short_hold_is_still_answered_by_a_drop(api: LocalBotApi, bot: Bot) -> None:
    Faults().install(api).next("sendMessage", Fault("timeout", seconds=0.1))
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(await greeted(api), "好")


async def test_a_slow_answer_comes_late_but_comes(api: LocalBotApi, bot: Bot) -> None:
    Faults().install(api).next("sendMessage", Fault("slow", seconds=0.2))
    chat = await greeted(api)
    started = time.monotonic()
    await bot.send_message(chat, "慢")
    assert time.monotonic() - started >= 0.2
    assert sent_texts(api) == ["慢"]


async def test_a_dropped_poll_after_handing_out_updates_loses_none(
    api: LocalBotApi, bot: Bot
) -> None:
    Faults().install(api).next("getUpdates", Fault("drop", processed=True))
    await greeted(api)
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    # Updates are confirmed only by a later offset, so the lost batch is handed out again.
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "你好"


async def test_random_faults_are_repeatable_by_seed_and_keep_to_their_methods(
    api: LocalBotApi, bot: Bot
) -> None:
    await greeted(api)

    async def run(seed: int) -> list[str]:
        plan = Faults(rate=0.5, kinds=["429", "502", "drop"], methods=["sendMessage"], seed=seed)
        plan.install(api)
        outcomes = [await outcome(bot, str(n)) for n in range(12)]
        assert (await bot.get_me()).id == bot.id  # not in ``methods``: never fails
        return outcomes

    first = await run(seed=7)
    assert await run(seed=7) == first
    assert set(first) == {"ok", "RetryAfter", "NetworkError"}
    assert await run(seed=8) != first


async def test_random_faults_stop_at_the_limit_and_when_cleared(api: LocalBotApi, bot: Bot) -> None:
    await greeted(api)
    faults = Faults(rate=1.0, kinds=["502"], limit=2).install(api)
    assert [await outcome(bot, "好") for _ in range(3)] == ["NetworkError", "NetworkError", "ok"]
    faults.limit = None
    faults.next("sendMessage", "429")
    faults.clear()
    assert await outcome(bot, "好") == "ok"
    assert len(faults.injected) == 2


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda: Fault("404"), "unknown fault kind"),  # type: ignore[arg-type]
        (lambda: Fault("429", retry_after=0), "retry_after"),
        (lambda: Fault("slow", seconds=-1), "negative"),
        (lambda: Fault("429", processed=True), "processed"),
        (lambda: Fault("slow", processed=True), "processed"),
        (lambda: Faults(rate=1.5), "probability"),
        (lambda: Faults(rate=0.5, kinds=[]), "kind"),
    ],
)
def test_plans_that_make_no_sense_are_refused(fault: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fault()  # type: ignore[operator]


def test_durations_default_by_kind() -> None:
    assert Fault("timeout").duration == 60.0
    assert Fault("slow").duration == 0.5
    assert Fault("drop").duration == 0.0
    assert Fault("slow", seconds=2).duration == 2


async def test_a_processed_fault_needs_the_plan_installed() -> None:
    plan = Faults().next("sendMessage", Fault("502", processed=True))
    request = make_mocked_request("POST", "/bot1:x/sendMessage")
    with pytest.raises(RuntimeError, match="install"):
        await plan(ApiCall("sendMessage", {}, time.time()), request)
