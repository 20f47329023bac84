"""Repeated replies after a crash, counted: at most one per call in flight when the bot died.

Telegram answers every call 0.1–1.5 s late (800 ms on average), after the call took effect: the
worst case for a repeat, since a message is delivered long before the bot hears so. Villagers
ask questions while the bot — ``mingbai run`` in a child process, as in ``test_crash`` — is
killed with SIGKILL while calls are in flight, some time after a call made beside them was
answered, and started again. A reply the bot did not hear
was delivered is sent again; every reply it heard of must not be. So the messages delivered
twice are at most the calls in flight at the kill.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.local_api import ApiCall, LocalBotApi
from bot.local_api.params import Params
from intake import create_engine
from intake.models import OutboxMessage
from tests.e2e.harness import ADMIN_ID, STAFF_CHAT_ID
from tests.e2e.test_crash import (
    QUESTIONS,
    STEP_TIMEOUT,
    BotProcess,
    Villagers,
    drained,
    until,
)

SEED = 11
LATENCY = (0.1, 1.5)
# Calls that are never late: the long poll has its own timing, and set-up calls.
PROMPT = frozenset({"getupdates", "getme", "setwebhook", "deletewebhook", "getfile"})
VILLAGERS = tuple(range(420001, 420013))
QUESTIONS_EACH = 3
# The kill strikes once a reply was answered this long ago while replies made with it (in the
# same round of the relay) are still out: long enough for it to be recorded.
RECORDED_WITHIN = 0.3
# An answer this fresh may not have reached the bot when it is killed.
ON_ITS_WAY = 0.05


class LateAnswers:
    """The local Bot API's interceptor: every call takes effect at once and is answered late.

    Args:
        api: The local Bot API.
        seed: Seeds the delays.

    """

    def __init__(self, api: LocalBotApi, seed: int) -> None:
        self._methods = api.methods
        self._random = random.Random(seed)
        self.in_flight: set[int] = set()
        """The ``id`` of each ``sendMessage`` call done but not yet answered."""
        self.answered: list[tuple[float, frozenset[int]]] = []
        """For each ``sendMessage`` answered: when, and which calls were still out then."""
        api.interceptor = self

    def out(self) -> int:
        """The calls the bot has not heard back from: unanswered, or answered so lately that
        the answer may still be on its way (:data:`ON_ITS_WAY` seconds)."""
        now = asyncio.get_running_loop().time()
        lately = sum(now - at < ON_ITS_WAY for at, _ in self.answered[-50:])
        return len(self.in_flight) + lately

    def answered_while_out(self, ago: float) -> bool:
        """Whether a call answered at least ``ago`` seconds since left calls out still out."""
        now = asyncio.get_running_loop().time()
        return any(
            now - at >= ago and out & self.in_flight for at, out in reversed(self.answered[-50:])
        )

    async def __call__(self, call: ApiCall, request: web.Request) -> web.StreamResponse | None:
        """Make the call, then answer it after a while (``None``: calls never late)."""
        handler = self._methods.find(call.method)
        if handler is None or call.method.lower() in PROMPT:
            return None
        delay = self._random.uniform(*LATENCY)
        result = await handler(await Params.read(request))
        counted = call.method == "sendMessage"
        if counted:
            self.in_flight.add(id(call))
        try:
            await asyncio.sleep(delay)
        finally:
            self.in_flight.discard(id(call))
        if counted:
            self.answered.append((asyncio.get_running_loop().time(), frozenset(self.in_flight)))
        return web.json_response({"ok": True, "result": result})


async def messages_queued(engine: AsyncEngine) -> int:
    """How many messages the bot meant to send (each once)."""
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.method == "sendMessage")
        )
        return int(count or 0)


def messages_delivered(api: LocalBotApi) -> int:
    return sum(len(chat.sent) for chat in api.world.chats.values())


async def test_duplicate_count_after_a_kill_is_at_most_the_calls_in_flight(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    async with LocalBotApi() as api:
        bot_id = int(api.token.partition(":")[0])
        api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
        bot = BotProcess(api, tmp_path)
        engine = create_engine(bot.database_url)
        late = LateAnswers(api, SEED)
        in_flight_at_kill = 0
        try:
            await bot.start()
            villagers = Villagers(api)

            async def kill_while_replying() -> None:
                nonlocal in_flight_at_kill

                async def replying() -> bool:
                    return late.answered_while_out(RECORDED_WITHIN)

                await until(replying, STEP_TIMEOUT, "replies in flight")
                in_flight_at_kill = late.out()
                await bot.kill()
                await bot.start()

            async with asyncio.TaskGroup() as tasks:
                for user_id in VILLAGERS:
                    tasks.create_task(
                        villagers.ask(
                            user_id,
                            rng.sample(list(QUESTIONS), QUESTIONS_EACH),
                            random.Random(f"{SEED}-{user_id}"),
                        )
                    )
                tasks.create_task(kill_while_replying())
            await drained(api, engine)
            assert await bot.stop() == 0

            duplicate_count = messages_delivered(api) - await messages_queued(engine)
            print(f"duplicate_count={duplicate_count} in_flight_at_kill={in_flight_at_kill}")
            assert in_flight_at_kill >= 1
            assert 0 <= duplicate_count <= in_flight_at_kill
        except Exception:
            print(bot.logs())  # shown by pytest with the failure
            raise
        finally:
            await bot.close()
            await engine.dispose()
