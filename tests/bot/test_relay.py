"""The relay against the local Bot API: order per chat, Telegram's answers, per-chat spacing.

The outbox runs on a clock the tests move, so retry times are exact and no test waits for a
retry. The per-chat token buckets run on the event loop's clock; their waits are checked
against bounds read from that clock, never against measured durations.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.local_api import Fault, FaultKind, Faults, LocalBotApi
from bot.relay import Relay, SendLimits
from intake.broadcasts import Broadcasts, Planned
from intake.cards import CardPlaces
from intake.models import OutboxMessage
from intake.outbox import Delivery, Letter, Outbox, Regarding, Result, regarding, showing_card
from intake.subscriptions import Subscriptions

VILLAGER = 1001
NEIGHBOUR = 1002
STRANGER = 1003
GROUP = -1001000000001
# Far more than any test sends, so that only the limit under test holds messages back.
UNLIMITED = SendLimits(
    private_burst=1e6,
    group_burst=1e6,
    first_retry=timedelta(milliseconds=50),
    # Long, so that a round's answer is the bucket's wait, not the idle poll.
    idle_poll=timedelta(hours=1),
)
IDLE = UNLIMITED.idle_poll.total_seconds()

# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after")


class Clock:
    """The outbox's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Row:
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


@dataclass
class Told:
    """What the relay reported as never deliverable."""

    letters: list[tuple[Letter, Delivery]]

    async def __call__(self, letter: Letter, state: Delivery) -> None:
        self.letters.append((letter, state))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(engine: AsyncEngine, clock: Clock) -> Outbox:
    return Outbox(engine, clock=clock)


@pytest.fixture
def told() -> Told:
    return Told([])


@pytest.fixture
async def villagers(api: LocalBotApi) -> None:
    """Villagers who wrote to the bot, so that it may write to them."""
    for user_id, name in ((VILLAGER, "张三"), (NEIGHBOUR, "李四")):
        await api.user(user_id, name).send("你好")


@pytest.fixture
def relay_with(
    outbox: Outbox, direct_bot: ExtBot[None], told: Told
) -> Callable[[SendLimits], Relay]:
    def build(limits: SendLimits) -> Relay:
        return Relay(outbox, direct_bot, told, limits)

    return build


@pytest.fixture
def relay(relay_with: Callable[[SendLimits], Relay]) -> Relay:
    return relay_with(UNLIMITED)


async def queue_texts(outbox: Outbox, chat_id: int, *texts: str) -> None:
    for text in texts:
        await outbox.add(chat_id, "sendMessage", {"chat_id": chat_id, "text": text})


def received(api: LocalBotApi, chat_id: int) -> list[str]:
    """The texts the chat got, in order."""
    return [sent.message["text"] for sent in api.world.chats[chat_id].sent]


async def rows(engine: AsyncEngine) -> list[Row]:
    async with AsyncSession(engine) as session:
        found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [Row(row.state, row.attempts, row.next_attempt_at, row.last_error) for row in found]


@pytest.mark.usefixtures("villagers")
async def test_each_chat_gets_its_rows_in_order_and_chats_go_side_by_side(
    relay: Relay, outbox: Outbox, api: LocalBotApi, engine: AsyncEngine
) -> None:
    await queue_texts(outbox, VILLAGER, "一", "二")
    await queue_texts(outbox, NEIGHBOUR, "甲")
    await queue_texts(outbox, VILLAGER, "三")

    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一"]
    assert received(api, NEIGHBOUR) == ["甲"]
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二"]
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二", "三"]
    # Nothing left: the relay idles.
    assert await relay.deliver_round() == IDLE
    assert [row.state for row in await rows(engine)] == [Delivery.SENT] * 4
    assert [row.attempts for row in await rows(engine)] == [1] * 4


@pytest.mark.usefixtures("villagers")
async def test_flood_control_keeps_the_row_and_pauses_its_chat(
    relay: Relay, outbox: Outbox, api: LocalBotApi, engine: AsyncEngine, clock: Clock
) -> None:
    Faults().install(api).next("sendMessage", Fault("429", retry_after=1))
    await queue_texts(outbox, VILLAGER, "一", "二")
    loop = asyncio.get_running_loop()

    start = loop.time()
    assert await relay.deliver_round() == 0.0
    [first, second] = await rows(engine)
    assert (first.state, first.attempts, first.last_error) == (Delivery.PENDING, 1, "RetryAfter")
    assert first.next_attempt_at == clock.now + timedelta(seconds=1)
    # The second message waits behind the first, not around it.
    assert second.attempts == 0
    await queue_texts(outbox, NEIGHBOUR, "甲")
    assert await relay.deliver_round() == 0.0
    assert received(api, NEIGHBOUR) == ["甲"]
    assert received(api, VILLAGER) == []

    clock.advance(timedelta(seconds=1))
    pause = await relay.deliver_round()
    # The row is due again, but the chat itself waits out Telegram's second.
    assert 1.0 - (loop.time() - start) <= pause <= 1.0
    assert received(api, VILLAGER) == []

    await asyncio.sleep(pause + 0.01)
    assert await relay.deliver_round() == 0.0
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二"]
    assert [row.state for row in await rows(engine)] == [Delivery.SENT] * 3


@pytest.mark.usefixtures("villagers")
@pytest.mark.parametrize("kind", ["500", "502", "drop"])
async def test_transient_failures_are_retried_after_doubling_pauses(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    clock: Clock,
    kind: FaultKind,
) -> None:
    Faults().install(api).next("sendMessage", kind, times=3)
    await queue_texts(outbox, VILLAGER, "工单号 2026-000001")

    for attempt, wait_ms in enumerate((50, 100, 200), start=1):
        assert await relay.deliver_round() == 0.0
        [row] = await rows(engine)
        assert (row.state, row.attempts) == (Delivery.PENDING, attempt)
        assert row.next_attempt_at == clock.now + timedelta(milliseconds=wait_ms)
        assert row.last_error == "NetworkError"
        # Not due before its time.
        assert await relay.deliver_round() == IDLE
        clock.advance(timedelta(milliseconds=wait_ms))

    assert await relay.deliver_round() == 0.0
    [row] = await rows(engine)
    assert (row.state, row.attempts, row.last_error) == (Delivery.SENT, 4, None)
    assert received(api, VILLAGER) == ["工单号 2026-000001"]


@pytest.mark.usefixtures("villagers")
async def test_retry_pauses_stop_growing_at_the_longest(
    relay_with: Callable[[SendLimits], Relay],
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    relay = relay_with(
        SendLimits(first_retry=timedelta(seconds=1), longest_retry=timedelta(seconds=3))
    )
    Faults().install(api).next("sendMessage", "502", times=4)
    await queue_texts(outbox, VILLAGER, "好")
    waits = []
    for _ in range(4):
        await relay.deliver_round()
        [row] = await rows(engine)
        waits.append(row.next_attempt_at - clock.now)
        clock.advance(waits[-1])
    assert waits == [timedelta(seconds=s) for s in (1, 2, 3, 3)]


@pytest.mark.usefixtures("villagers")
@pytest.mark.parametrize("blocked", [False, True], ids=["never-wrote", "blocked"])
async def test_a_recipient_who_cannot_be_reached_is_given_up_and_reported(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    told: Told,
    blocked: bool,
) -> None:
    if blocked:
        Faults().install(api).next("sendMessage", "403", times=2)
        recipient = VILLAGER
    else:
        # Telegram refuses a first message to someone who never wrote to the bot.
        recipient = api.user(STRANGER, "王五").chat_id
    with regarding("2026-000001", "已受理"):
        await queue_texts(outbox, recipient, "您的工单已受理")
    await queue_texts(outbox, recipient, "第二条")

    assert await relay.deliver_round() == 0.0
    [first, second] = await rows(engine)
    assert (first.state, first.last_error) == (Delivery.UNDELIVERABLE, "Forbidden")
    assert second.state == Delivery.PENDING
    [(letter, state)] = told.letters
    assert state is Delivery.UNDELIVERABLE
    assert letter.chat_id == recipient
    assert letter.params == {"chat_id": recipient, "text": "您的工单已受理"}
    assert letter.regarding == Regarding("2026-000001", "已受理")

    # The next row is tried on its own; it is not about a ticket.
    await relay.deliver_round()
    [(_, _), (letter, _)] = told.letters
    assert letter.regarding is None


@pytest.mark.usefixtures("villagers")
@pytest.mark.parametrize(
    ("method", "params", "error"),
    [
        (
            "editMessageText",
            {"chat_id": VILLAGER, "message_id": 999, "text": "已处理"},
            "BadRequest: Message to edit not found",
        ),
        (
            "answerCallbackQuery",
            {"callback_query_id": "no-such-press"},
            "BadRequest: Query is too old and response timeout expired or query id is invalid",
        ),
    ],
)
async def test_a_bad_request_fails_the_row_for_good(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    told: Told,
    method: str,
    params: dict[str, Any],
    error: str,
) -> None:
    await outbox.add(VILLAGER, method, params)
    assert await relay.deliver_round() == 0.0
    [row] = await rows(engine)
    assert (row.state, row.attempts, row.last_error) == (Delivery.FAILED, 1, error)
    [(letter, state)] = told.letters
    assert (letter.method, state) == (method, Delivery.FAILED)
    assert [call.status for call in api.calls_of(method)] == [400]
    assert await relay.deliver_round() == IDLE


@pytest.mark.usefixtures("villagers")
async def test_an_edit_made_twice_counts_as_delivered(
    relay: Relay, outbox: Outbox, api: LocalBotApi, engine: AsyncEngine, told: Told
) -> None:
    # A crash between an edit reaching Telegram and its result being recorded sends it again.
    await queue_texts(outbox, VILLAGER, "原文")
    await relay.deliver_round()
    message = await api.user(VILLAGER, "张三").reply()
    edit = {"chat_id": VILLAGER, "message_id": message.message_id, "text": "改过"}
    await outbox.add(VILLAGER, "editMessageText", edit)
    await outbox.add(VILLAGER, "editMessageText", edit)
    await relay.deliver_round()
    await relay.deliver_round()
    assert [call.status for call in api.calls_of("editMessageText")] == [200, 400]
    assert {row.state for row in await rows(engine)} == {Delivery.SENT}
    assert told.letters == []


@pytest.mark.usefixtures("villagers")
async def test_a_card_is_edited_where_it_was_sent_and_a_lost_one_is_reported(
    relay: Relay, outbox: Outbox, api: LocalBotApi, engine: AsyncEngine, told: Told
) -> None:
    places = CardPlaces(engine)
    key = await places.shown("2026-000001", VILLAGER)
    with showing_card(key):
        await outbox.add(VILLAGER, "sendMessage", {"chat_id": VILLAGER, "text": "卡片：待受理"})
        await outbox.add(VILLAGER, "editMessageText", {"chat_id": VILLAGER, "text": "卡片：已受理"})
    await relay.deliver_round()
    await relay.deliver_round()
    user = api.user(VILLAGER, "张三")
    card = await user.reply()
    [edited] = await user.edits()
    assert (edited.message_id, edited.text) == (card.message_id, "卡片：已受理")
    assert await places.is_shown(VILLAGER, card.message_id)

    # The message is deleted: the next edit fails, and the relay says which card it was.
    del api.world.chat(VILLAGER).messages[card.message_id]
    with showing_card(key):
        await outbox.add(VILLAGER, "editMessageText", {"chat_id": VILLAGER, "text": "卡片：已答复"})
    await relay.deliver_round()
    [(letter, state)] = told.letters
    assert (letter.card_key, letter.params["message_id"], state) == (
        key,
        card.message_id,
        Delivery.FAILED,
    )


@pytest.mark.usefixtures("villagers")
async def test_a_private_chat_gets_a_burst_then_messages_spaced_out(
    relay_with: Callable[[SendLimits], Relay], outbox: Outbox, api: LocalBotApi
) -> None:
    relay = relay_with(
        SendLimits(private_burst=2, private_per_second=1.0, idle_poll=timedelta(hours=1))
    )
    await queue_texts(outbox, VILLAGER, "一", "二", "三", "四")
    await queue_texts(outbox, NEIGHBOUR, "甲", "乙", "丙")
    loop = asyncio.get_running_loop()

    start = loop.time()
    assert await relay.deliver_round() == 0.0
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二"]
    assert received(api, NEIGHBOUR) == ["甲", "乙"]
    # The burst is spent: the next message waits until a token has refilled, a second after the
    # first was taken.
    pause = await relay.deliver_round()
    assert 1.0 - (loop.time() - start) <= pause <= 1.0
    assert received(api, VILLAGER) == ["一", "二"]

    await asyncio.sleep(pause + 0.01)
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二", "三"]
    assert received(api, NEIGHBOUR) == ["甲", "乙", "丙"]
    # From now on one a second: the fourth is due two seconds after the first was sent.
    pause = await relay.deliver_round()
    assert 2.0 - (loop.time() - start) <= pause <= 1.0
    assert received(api, VILLAGER) == ["一", "二", "三"]


@pytest.mark.usefixtures("villagers")
async def test_a_group_gets_its_own_limit_and_private_chats_are_not_held_by_it(
    relay_with: Callable[[SendLimits], Relay], outbox: Outbox, api: LocalBotApi
) -> None:
    api.group(GROUP, "矛盾纠纷处置群")
    relay = relay_with(
        SendLimits(
            private_burst=1e6, group_burst=3, group_per_second=20 / 60, idle_poll=timedelta(hours=1)
        )
    )
    await queue_texts(outbox, GROUP, "工单1", "工单2", "工单3", "工单4")
    await queue_texts(outbox, VILLAGER, "一", "二", "三", "四", "五")
    loop = asyncio.get_running_loop()

    start = loop.time()
    for _ in range(3):
        assert await relay.deliver_round() == 0.0
    assert received(api, GROUP) == ["工单1", "工单2", "工单3"]
    # The group waits three seconds for its next token; the villager's chat goes on meanwhile.
    assert await relay.deliver_round() == 0.0
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["一", "二", "三", "四", "五"]
    pause = await relay.deliver_round()
    assert 3.0 - (loop.time() - start) <= pause <= 3.0
    assert received(api, GROUP) == ["工单1", "工单2", "工单3"]


@pytest.mark.usefixtures("villagers")
async def test_callback_answers_do_not_use_up_a_chats_messages(
    relay_with: Callable[[SendLimits], Relay],
    outbox: Outbox,
    api: LocalBotApi,
    direct_bot: ExtBot[None],
) -> None:
    relay = relay_with(
        SendLimits(private_burst=1, private_per_second=0.001, idle_poll=timedelta(hours=1))
    )
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("投诉", callback_data="file")]])
    asked = await direct_bot.send_message(VILLAGER, "请选择", reply_markup=keyboard)
    villager = api.user(VILLAGER)
    query = await villager.press(asked.to_dict(), "file")
    await outbox.add(
        VILLAGER, "answerCallbackQuery", {"callback_query_id": query["id"], "text": "好"}
    )
    await queue_texts(outbox, VILLAGER, "请说说事情经过")

    # The one message of the burst is still there after the answer.
    assert await relay.deliver_round() == 0.0
    assert (await villager.callback_answer(query, timeout=0)).text == "好"
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER)[-1] == "请说说事情经过"


@pytest.mark.usefixtures("villagers")
async def test_a_running_relay_delivers_as_soon_as_woken(
    relay: Relay, outbox: Outbox, api: LocalBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked = asyncio.Event()
    due = outbox.due

    async def watched_due(limit: int) -> list[Letter]:
        try:
            return await due(limit)
        finally:
            looked.set()

    monkeypatch.setattr(outbox, "due", watched_due)
    running = asyncio.create_task(relay.run())
    try:
        # The first round finds the outbox empty; the relay then idles for an hour unless woken.
        await asyncio.wait_for(looked.wait(), timeout=5)
        await queue_texts(outbox, VILLAGER, "您好")
        relay.wake()
        await api.user(VILLAGER).reply(timeout=5)
        assert received(api, VILLAGER) == ["您好"]
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running


def database_away() -> OperationalError:
    return OperationalError("UPDATE outbox_messages", {}, Exception("database is locked"))


@pytest.mark.usefixtures("villagers")
async def test_a_delivery_not_recorded_is_recorded_later_and_not_sent_again(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = outbox.record
    failures = [database_away()]

    async def record_unless_away(results: Sequence[Result]) -> None:
        if failures:
            raise failures.pop()
        await record(results)

    monkeypatch.setattr(outbox, "record", record_unless_away)
    await queue_texts(outbox, VILLAGER, "工单号 2026-000001")
    with pytest.raises(OperationalError):
        await relay.deliver_round()
    assert received(api, VILLAGER) == ["工单号 2026-000001"]
    [row] = await rows(engine)
    assert row.state == Delivery.PENDING

    # The database is back: the result kept in memory is recorded before anything is sent.
    assert await relay.deliver_round() == IDLE
    [row] = await rows(engine)
    assert (row.state, row.attempts) == (Delivery.SENT, 1)
    assert received(api, VILLAGER) == ["工单号 2026-000001"]


async def test_staff_are_told_of_an_undeliverable_row_once_the_database_is_back(
    outbox: Outbox, direct_bot: ExtBot[None], api: LocalBotApi
) -> None:
    told: list[Regarding | None] = []
    failures = [database_away()]

    async def note_unless_away(letter: Letter, state: Delivery) -> None:
        if failures:
            raise failures.pop()
        told.append(letter.regarding)

    relay = Relay(outbox, direct_bot, note_unless_away, UNLIMITED)
    stranger = api.user(STRANGER, "王五").chat_id
    with regarding("2026-000001", "已受理"):
        await queue_texts(outbox, stranger, "您的工单已受理")
    with pytest.raises(OperationalError):
        await relay.deliver_round()
    assert await outbox.counts() == {**dict.fromkeys(Delivery, 0), Delivery.UNDELIVERABLE: 1}

    assert await relay.deliver_round() == IDLE
    assert await relay.deliver_round() == IDLE
    assert told == [Regarding("2026-000001", "已受理")]
    assert len(api.calls_of("sendMessage")) == 1


@pytest.mark.usefixtures("villagers")
async def test_each_delivery_is_recorded_as_it_returns_not_after_the_slowest(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    faults = Faults().install(api).next("sendMessage", Fault("timeout"))
    recorded = asyncio.Event()
    record = outbox.record

    async def watched_record(results: Sequence[Result]) -> None:
        await record(results)
        recorded.set()

    monkeypatch.setattr(outbox, "record", watched_record)
    await queue_texts(outbox, VILLAGER, "一")
    await queue_texts(outbox, NEIGHBOUR, "甲")
    round_ = asyncio.create_task(relay.deliver_round())
    try:
        await asyncio.wait_for(recorded.wait(), timeout=5)
        assert [row.state for row in await rows(engine)] == [Delivery.PENDING, Delivery.SENT]
        # The villager's call is still out: only it would be sent again after a crash now.
        assert not round_.done()
        assert [done.call.params["text"] for done in faults.injected] == ["一"]
        assert received(api, NEIGHBOUR) == ["甲"]
    finally:
        round_.cancel()
        with pytest.raises(asyncio.CancelledError):
            await round_
    [villager, neighbour] = await rows(engine)
    assert (villager.state, villager.attempts) == (Delivery.PENDING, 0)
    assert (neighbour.state, neighbour.attempts) == (Delivery.SENT, 1)


@pytest.mark.usefixtures("villagers")
async def test_calls_still_out_when_the_database_fails_are_kept_and_not_sent_again(
    relay: Relay,
    outbox: Outbox,
    api: LocalBotApi,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Faults().install(api).next("sendMessage", Fault("slow", seconds=0.3))
    record = outbox.record
    failures = [database_away()]

    async def record_unless_away(results: Sequence[Result]) -> None:
        if failures:
            raise failures.pop()
        await record(results)

    monkeypatch.setattr(outbox, "record", record_unless_away)
    await queue_texts(outbox, VILLAGER, "一")
    await queue_texts(outbox, NEIGHBOUR, "甲")
    # The neighbour's result meets the failure while the villager's call is still slow.
    with pytest.raises(OperationalError):
        await relay.deliver_round()
    assert received(api, VILLAGER) == ["一"]

    assert await relay.deliver_round() == IDLE
    assert [(row.state, row.attempts) for row in await rows(engine)] == [(Delivery.SENT, 1)] * 2
    assert len(api.calls_of("sendMessage")) == 2


async def test_broadcasts_keep_the_limit_over_all_chats_and_replies_are_never_held(
    relay_with: Callable[[SendLimits], Relay],
    outbox: Outbox,
    engine: AsyncEngine,
    clock: Clock,
    api: LocalBotApi,
) -> None:
    subscribers = [2001, 2002, 2003, 2004]
    subscriptions = Subscriptions(engine, clock=clock)
    for user_id in [VILLAGER, NEIGHBOUR, *subscribers]:
        await api.user(user_id, "村民").send("你好")
    for user_id in subscribers:
        await subscriptions.subscribe(user_id, ["land"])
    broadcasts = Broadcasts(engine, clock=clock)
    await broadcasts.plan(
        Planned("day:land_session:2026-03-02", "land_session", "land", "普法", clock())
    )
    await broadcasts.send_out_due()
    await queue_texts(outbox, VILLAGER, "答复")
    relay = relay_with(
        SendLimits(
            private_burst=1e6,
            broadcast_burst=2,
            broadcast_per_second=2.0,
            idle_poll=timedelta(hours=1),
        )
    )
    # The reply goes first and counts: one broadcast message is left room for.
    assert await relay.deliver_round() == 0.0
    assert received(api, VILLAGER) == ["答复"]
    assert [user for user in subscribers if received(api, user)] == [2001]
    # The others wait for the bucket to fill again (two tokens at two a second), to go in a batch.
    pause = await relay.deliver_round()
    assert 0 < pause <= 1.0
    assert [user for user in subscribers if received(api, user)] == [2001]
    # A reply meanwhile is not held by the broadcast limit, but it counts: the broadcast waits
    # half a second longer.
    await queue_texts(outbox, NEIGHBOUR, "答复")
    assert await relay.deliver_round() == 0.0
    assert received(api, NEIGHBOUR) == ["答复"]
    later = await relay.deliver_round()
    assert pause < later <= 1.5

    await asyncio.sleep(later + 0.01)
    assert await relay.deliver_round() == 0.0
    assert [user for user in subscribers if received(api, user)] == [2001, 2002, 2003]


class SlowToStop:
    """A bot whose calls never return and, cancelled, take a moment to wind down.

    As a web chat's delivery does: cancelled inside its unit of work, it rolls back first.
    """

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.wound_down = asyncio.Event()

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)
            self.wound_down.set()
            raise


async def test_a_stopped_relay_ends_only_after_its_calls_have_wound_down(
    outbox: Outbox, told: Told
) -> None:
    bot = SlowToStop()
    relay = Relay(outbox, bot, told, UNLIMITED)  # type: ignore[arg-type]
    await queue_texts(outbox, VILLAGER, "一")
    round_ = asyncio.create_task(relay.deliver_round())
    await asyncio.wait_for(bot.started.wait(), timeout=5)
    round_.cancel()
    with pytest.raises(asyncio.CancelledError):
        await round_
    # Nothing of the round is left running once the relay has stopped (the database closes next).
    assert bot.wound_down.is_set()
