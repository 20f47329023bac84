"""Structurally wrong updates, through the webhook and through the poller: none stops the bot.

Missing fields, wrong types, ids out of range, deep nesting and unknown update kinds are offered
to the real bot; after each example a villager's question must still be answered, and every
offering must be accounted for: stored in the inbox (and handled) or kept as a dead letter.

One bot serves every example (starting one per example would cost seconds each), so the
function-scoped-fixture health check is suppressed on purpose.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runners import web_server
from bot.server import SECRET_HEADER, WEBHOOK_PATH
from bot.update_check import ID_MAX
from intake.inbox import Received
from tests.e2e.harness import CONSOLE_URL, BotHarness
from tests.e2e.test_faults import ANSWER, QUESTION

SECRET = "fuzz-webhook-secret"
FIRST_VILLAGER_ID = 891001
PATIENCE_SECONDS = 20.0
# Valid update ids sent to the webhook stay far above the local Bot API's own numbering, which
# the poller stores under the same bot.
WEBHOOK_IDS = (10**12, ID_MAX)
# The local Bot API encodes what it hands the poller with json, which stops near 1000 levels.
POLLER_DEPTH = 50
WEBHOOK_DEPTH = 100_000
KINDS = ("message", "edited_message", "channel_post", "callback_query", "my_chat_member")

ids = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.integers(min_value=ID_MAX + 1),
    st.integers(max_value=-1),
    st.integers(*WEBHOOK_IDS),
)
users = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "is_bot": st.one_of(st.booleans(), st.text(max_size=2)),
        "first_name": st.one_of(st.text(max_size=8), st.integers()),
    },
)
chats = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "type": st.one_of(st.sampled_from(["private", "group", "supergroup"]), st.integers()),
    },
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "message_id": ids,
        "date": st.one_of(st.integers(0, 2**31), st.text(max_size=3), st.none()),
        "chat": st.one_of(chats, st.text(max_size=3)),
        "from": st.one_of(users, st.integers()),
        "text": st.one_of(st.text(max_size=20), st.integers(), st.lists(st.integers(), max_size=2)),
    },
)


def nested(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


bodies = st.one_of(
    messages, st.text(max_size=5), st.integers(), st.builds(nested, st.integers(1, POLLER_DEPTH))
)


@st.composite
def webhook_bodies(draw: st.DrawFn) -> bytes:
    """A body as the webhook may receive it, valid JSON or not."""
    if draw(st.booleans()):
        depth = draw(st.integers(1, WEBHOOK_DEPTH))
        return b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"
    update: dict[str, Any] = {}
    if draw(st.booleans()):
        update["update_id"] = draw(ids)
    kind = draw(st.one_of(st.sampled_from(KINDS), st.text(min_size=1, max_size=10)))
    update[kind] = draw(bodies)
    return json.dumps(update).encode()


@dataclass
class Offered:
    """What an example offered the bot."""

    webhook: list[bytes]
    poller: list[tuple[str, Any]]


offerings = st.builds(
    Offered,
    webhook=st.lists(webhook_bodies(), max_size=3),
    poller=st.lists(st.tuples(st.sampled_from(KINDS), bodies), max_size=3),
)


@dataclass
class FuzzedBot:
    """The bot, its webhook and a fresh villager for each example."""

    bot: BotHarness
    webhook_url: str
    http: aiohttp.ClientSession
    villager_ids: itertools.count[int]

    async def post(self, body: bytes) -> int:
        async with self.http.post(
            self.webhook_url,
            data=body,
            headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
        ) as response:
            return response.status

    async def accounted_for(self, update_id: int | None, raw: str) -> bool:
        """Whether an offering is in the inbox or kept as a dead letter."""
        letters = await self.bot.pipeline.dead_letters.listing(10_000)
        if any(letter.raw == raw for letter in letters):
            return True
        if update_id is None:
            return False
        if any(letter.update_id == update_id for letter in letters):
            return True
        # Stored before (or as a dead letter), the inbox does not take it as new.
        return await self.bot.pipeline.inbox.add([Received(update_id, json.loads(raw))]) == 0


@pytest.fixture
async def fuzzed(bot: BotHarness) -> AsyncIterator[FuzzedBot]:
    async with (
        web_server(
            bot.pipeline,
            bot.runtime,
            host="127.0.0.1",
            port=0,
            console_url=CONSOLE_URL,
            webhook_secret=SECRET,
        ) as address,
        aiohttp.ClientSession() as http,
    ):
        yield FuzzedBot(bot, address + WEBHOOK_PATH, http, itertools.count(FIRST_VILLAGER_ID))


def update_id_of(raw: bytes) -> int | None:
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    candidate = payload.get("update_id") if isinstance(payload, dict) else None
    valid = isinstance(candidate, int) and not isinstance(candidate, bool)
    return candidate if valid and 0 <= candidate <= ID_MAX else None


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible, never flaky
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offered=offerings)
async def test_wrong_updates_never_stop_the_bot_and_none_is_lost(
    fuzzed: FuzzedBot, offered: Offered
) -> None:
    api = fuzzed.bot.api
    for body in offered.webhook:
        assert await fuzzed.post(body) == 200
    pushed = [await api.updates.push(kind, payload) for kind, payload in offered.poller]

    villager = fuzzed.bot.user(next(fuzzed.villager_ids), "村民")
    await villager.send(QUESTION)
    assert ANSWER in (await villager.reply(timeout=PATIENCE_SECONDS)).text

    for body in offered.webhook:
        raw = body.decode()
        assert await fuzzed.accounted_for(update_id_of(body), raw), raw[:200]
    for update in pushed:
        assert update is not None
        raw = json.dumps(update, ensure_ascii=False)
        assert await fuzzed.accounted_for(update["update_id"], raw), raw[:200]
    for _ in range(round(PATIENCE_SECONDS / 0.05)):
        if not await fuzzed.bot.pipeline.inbox.count_pending():
            break
        await asyncio.sleep(0.05)
    assert await fuzzed.bot.pipeline.inbox.count_pending() == 0
