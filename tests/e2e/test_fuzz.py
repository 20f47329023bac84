"""Random input through the real bot: it never fails, and a villager is never left unanswered.

One bot serves every example (starting one per example would cost seconds each), so the
function-scoped-fixture health check is suppressed on purpose: each example uses a villager of
its own, who never wrote to the bot before, and so starts from a clean conversation state.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.local_api import BotMessage, TelegramUser
from handlers import callbacks, draft
from handlers.texts.common import SOMETHING_WENT_WRONG
from intake import TicketKind
from tests.e2e.harness import BotHarness

# Telegram's limits: a message holds up to 4096 UTF-16 code units, callback data 1-64 bytes.
MAX_MESSAGE_UTF16 = 4096
MAX_CALLBACK_BYTES = 64
# A huge message is matched against the whole FAQ; generous, as CI machines are slow.
REPLY_TIMEOUT = 15.0
BARRIER_DATA = "fuzz:barrier"
BARRIER_USER_ID = 790000
FIRST_VILLAGER_ID = 790001

# Where in a conversation the random input arrives; each needs a bot message to press on,
# except a villager's very first message.
FRESH = "fresh"
AFTER_START = "after /start"
AFTER_ANSWER = "after an answer"
FILING_KIND = "filing: choosing the kind"
FILING_STORY = "filing: telling the story"
WITH_MESSAGE = (AFTER_START, AFTER_ANSWER, FILING_KIND, FILING_STORY)

HTML = (
    "<b>",
    "</b>",
    "<i>x</i>",
    "<a href='javascript:alert(1)'>",
    "<script>alert(1)</script>",
    "<pre><code class='x'>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&",
    "<",
    ">",
    "<tg-spoiler>",
    "<blockquote expandable>",
)
EMOJI = ("😀", "👨‍👩‍👧‍👦", "🇨🇳", "👍🏽", "❤️", "🧑🏻‍🌾", "\U0001f9d1\u200d\u2696\ufe0f")
RTL = ("\u202e", "\u202b", "\u200f", "\u2067", "مرحبا", "שלום", "ئۇيغۇر")
QUESTIONS = ("离婚冷静期多长时间", "彩礼能要回来吗", "宅基地", "我要投诉", "征地补偿款", "转人工")

control = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
fragment = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=chinese, min_size=1, max_size=30),
    st.text(alphabet=control, min_size=1, max_size=5),
    st.sampled_from(HTML),
    st.sampled_from(EMOJI),
    st.sampled_from(RTL),
    st.sampled_from(QUESTIONS),
    st.from_regex(r"/[a-z_]{1,12}(@mingbai_bot)?", fullmatch=True),
    st.from_regex(r"1[3-9]\d{9}|\d{4}-\d{6}", fullmatch=True),
)
# Huge messages repeat a fragment up to the limit: drawing thousands of characters one by one
# would exhaust hypothesis's budget for a single example.
huge = st.builds(lambda unit, times: unit * times, fragment.filter(bool), st.integers(100, 4096))


def as_telegram_delivers(text: str) -> str:
    """The text as Telegram passes it on: trimmed and cut to the longest message allowed."""
    text = text.strip()
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1  # beyond the BMP: a surrogate pair in UTF-16
        if units > MAX_MESSAGE_UTF16:
            return text[:index].strip()
    return text


texts = (
    st.one_of(st.lists(fragment, min_size=1, max_size=8).map("".join), huge)
    .map(as_telegram_delivers)
    .filter(bool)
)

PREFIXES = (
    callbacks.SHOW_FAQ,
    callbacks.RATE_FAQ,
    callbacks.DETAILS,
    callbacks.TO_STAFF,
    callbacks.TOPICS,
    callbacks.TICKET_HISTORY,
    callbacks.FILING,
    callbacks.FEEDBACK,
    callbacks.STAFF,
    draft.KIND_DATA,
    draft.VILLAGE_DATA,
    draft.PAGE_DATA,
)
EXACT = (
    callbacks.VOICE_TO_STAFF,
    callbacks.REPHRASE,
    callbacks.ASK,
    callbacks.MY_TICKETS,
    callbacks.FILE_TICKET,
    draft.STORY_DONE,
    draft.STORY_CLEAR,
    draft.SKIP_PHONE,
    draft.SUBMIT,
    draft.REDO,
    draft.ABANDON,
    draft.DROP_OFFER,
    draft.BEHALF,
)
callback_data = (
    st.one_of(
        st.text(min_size=1, max_size=MAX_CALLBACK_BYTES),
        st.sampled_from(EXACT),
        st.builds(
            str.__add__,
            st.sampled_from(PREFIXES),
            st.one_of(
                st.text(max_size=40),
                st.from_regex(r"-?\d{1,20}(:(up|down|-?\d{1,5}))?", fullmatch=True),
                st.from_regex(r"[a-z_]{1,12}[.:][a-z_0-9]{0,20}", fullmatch=True),
            ),
        ),
    )
    # Telegram rejects a button whose data is empty or over 64 bytes: no client can send it.
    .filter(lambda data: 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES)
)


@dataclass(frozen=True)
class Action:
    """One random input: a text message, or a press carrying ``data`` on the bot's last message."""

    context: str
    text: str | None = None
    data: str | None = None


actions = st.one_of(
    st.builds(Action, context=st.sampled_from((FRESH, *WITH_MESSAGE)), text=texts),
    st.builds(Action, context=st.sampled_from(WITH_MESSAGE), data=callback_data),
)


class _Errors(logging.Handler):
    """Collects every ERROR logged: the error handler's, PTB's, the servers'."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class FuzzedBot:
    """The bot under test, what it logged, and a villager whose press proves the bot idle.

    The bot handles updates one at a time, in order; once it has answered a press made after an
    example's input, it is done with that input, apology included if it failed.
    """

    def __init__(
        self, bot: BotHarness, errors: _Errors, barrier: TelegramUser, barrier_message: BotMessage
    ) -> None:
        self.bot = bot
        self.errors = errors
        self.barrier = barrier
        self.barrier_message = barrier_message
        self.villager_ids = itertools.count(FIRST_VILLAGER_ID)

    def __repr__(self) -> str:
        # Hypothesis prints a failing example's arguments: the whole bot would bury the input.
        return "FuzzedBot()"

    async def villager_at(self, context: str) -> tuple[TelegramUser, BotMessage | None]:
        """A new villager, brought to ``context``; the bot's last message there, if any."""
        user = self.bot.user(next(self.villager_ids), "随机村民")
        if context == FRESH:
            return user, None
        if context == AFTER_START:
            await user.send_command("/start")
            return user, await user.reply()
        if context == AFTER_ANSWER:
            await user.send("离婚冷静期多长时间")
            return user, await user.reply()
        await user.send_command("/file")
        kind = await user.reply()
        if context == FILING_KIND:
            return user, kind
        await user.press(kind, draft.KIND_DATA + TicketKind.COMPLAINT)
        village = await user.reply()
        await user.press(village, draft.VILLAGE_DATA + "V01")
        return user, await user.reply()

    async def settle(self) -> None:
        """Wait until the bot has finished with everything sent so far."""
        query = await self.barrier.press(self.barrier_message, BARRIER_DATA, forged=True)
        await self.barrier.callback_answer(query, timeout=REPLY_TIMEOUT)


@pytest.fixture
async def fuzzed(bot: BotHarness) -> AsyncIterator[FuzzedBot]:
    errors = _Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        barrier = bot.user(BARRIER_USER_ID, "屏障")
        await barrier.send_command("/help")
        help_message = await barrier.reply()
        yield FuzzedBot(bot, errors, barrier, help_message)
    finally:
        root.removeHandler(errors)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible, never flaky
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(action=actions)
async def test_random_input_never_fails_and_is_always_answered(
    fuzzed: FuzzedBot, action: Action
) -> None:
    fuzzed.errors.records.clear()  # an earlier example's errors were reported with it
    user, last = await fuzzed.villager_at(action.context)
    if action.text is not None:
        await user.send(action.text)
        replies = await user.replies(1, timeout=REPLY_TIMEOUT)
    else:
        assert last is not None and action.data is not None
        query = await user.press(last, action.data, forged=True)
        await user.callback_answer(query, timeout=REPLY_TIMEOUT)
        replies = []
    await fuzzed.settle()
    replies += await user.replies(user.unread, timeout=0)
    assert SOMETHING_WENT_WRONG not in [reply.text for reply in replies]
    assert [record.getMessage() for record in fuzzed.errors.records] == []
