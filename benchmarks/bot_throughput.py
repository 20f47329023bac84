"""The whole bot's throughput and reply latency, end to end over HTTP (run by hand).

    .venv/bin/python benchmarks/bot_throughput.py [--database-url URL] [--messages 2000]
        [--villagers 50] [--rate 50] [--seconds 20] [--no-rate-limit] [--profile]

The production Application long-polls the local Bot API on the loopback interface, exactly as
``mingbai run`` and the end-to-end tests do; simulated villagers ask questions through it.

- Sustained throughput: ``--villagers`` villagers each ask, wait for the answer and ask again
  (a closed loop), ``--messages`` questions in all; prints answered questions per second.
- Latency: questions arrive at ``--rate`` per second for ``--seconds`` seconds (an open loop,
  round-robin over the villagers); prints p50/p99 from the moment the local API creates the
  update to the moment it records the bot's ``sendMessage`` (``ApiCall.at``).

The database is SQLite in a temporary directory by default. ``--database-url`` with PostgreSQL
(``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) creates a fresh database beside the one
named, for this run only, and drops it afterwards. Questions are villagers' own wordings
(``benchmarks/questions/independent.jsonl``), kept to those the bot answers with exactly one
message, so that the n-th reply in a chat answers the n-th question. ``--no-rate-limit`` runs the
bot without python-telegram-bot's limiter (a diagnosis: Telegram itself limits a bot to about 30
messages a second); ``--profile`` prints where the throughput run spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, nullcontext
from pathlib import Path
from unittest import mock

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.ext import AIORateLimiter

import bot.application
from bot.local_api import LocalBotApi, TelegramUser
from bot.local_api.objects import JsonDict
from bot.local_chat import local_api
from bot.runners import polling
from bot.services import open_runtime
from bot.settings import Settings

QUESTIONS = Path(__file__).resolve().parent / "questions/independent.jsonl"
STAFF_CHAT_ID = -1001000000001
ADMIN_ID = 900001
CONSOLE_URL = "http://127.0.0.1:8080/console"
# Villager id ranges per phase, so that each phase's chats hold only its own replies.
PROBE_IDS = 100_000
THROUGHPUT_IDS = 200_000
LATENCY_IDS = 300_000
BARRIER_ID = 99_999
BARRIER_DATA = "bench:barrier"
PROBED_QUESTIONS = 120
# No wait may hang the benchmark: each is bounded, generously for slow machines.
REPLY_TIMEOUT = 60.0


@asynccontextmanager
async def fresh_database(url: str | None) -> AsyncIterator[str]:
    """The database URL to run on: PostgreSQL gets a new database, dropped afterwards.

    Yields:
        The URL for the bot; empty for the default SQLite file in the data directory.

    """
    if not url or not url.startswith("postgresql"):
        yield url or ""
        return
    server = make_url(url)
    name = f"mingbai_bench_{os.getpid()}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


class Bench:
    """The running bot, the local API it polls, and the villagers who ask it."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self.barrier = api.user(BARRIER_ID, "计时")
        self._barrier_message: JsonDict | None = None

    def villagers(self, first_id: int, count: int) -> list[TelegramUser]:
        """``count`` villagers with ids from ``first_id``."""
        return [self.api.user(first_id + n, f"村民{n}") for n in range(count)]

    async def settle(self) -> None:
        """Wait until the bot has finished every update so far (it handles them in order)."""
        if self._barrier_message is None:
            self._barrier_message = await self.barrier.send("计时")
        query = await self.barrier.press(self._barrier_message, BARRIER_DATA, forged=True)
        await self.barrier.callback_answer(query, timeout=REPLY_TIMEOUT)

    def reply_times(self, chat_id: int) -> list[float]:
        """When the local API received each successful ``sendMessage`` to ``chat_id``."""
        return [
            call.at
            for call in self.api.calls_of("sendMessage")
            if call.status == 200 and int(call.params.get("chat_id", 0)) == chat_id
        ]


async def single_reply_questions(bench: Bench, questions: list[str]) -> list[str]:
    """The questions the bot answers with exactly one message (this also warms the bot up)."""
    villagers = bench.villagers(PROBE_IDS, len(questions))
    for villager, question in zip(villagers, questions, strict=True):
        await villager.send(question)
    await bench.settle()
    return [
        question
        for villager, question in zip(villagers, questions, strict=True)
        if villager.unread == 1
    ]


async def sustained_throughput(
    bench: Bench, questions: list[str], messages: int, villagers: int
) -> float:
    """Answered questions per second, villagers asking again as soon as they are answered."""
    users = bench.villagers(THROUGHPUT_IDS, villagers)
    turns = [messages // villagers + (n < messages % villagers) for n in range(villagers)]
    rng = random.Random(1)

    async def ask(user: TelegramUser, count: int) -> None:
        for _ in range(count):
            await user.send(rng.choice(questions))
            await user.reply(timeout=REPLY_TIMEOUT)

    start = time.time()
    await asyncio.gather(*(ask(user, count) for user, count in zip(users, turns, strict=True)))
    last = max(max(bench.reply_times(user.user_id), default=start) for user in users)
    return messages / (last - start)


async def latencies_at(
    bench: Bench, questions: list[str], rate: float, seconds: float, villagers: int
) -> list[float]:
    """Update-to-reply times in seconds for questions offered at ``rate`` per second."""
    users = bench.villagers(LATENCY_IDS, villagers)
    created: dict[int, list[float]] = {user.user_id: [] for user in users}
    rng = random.Random(2)
    start = time.monotonic()
    for n in range(round(rate * seconds)):
        # Pacing the offered load, not waiting for the bot: the schedule is fixed in advance.
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        user = users[n % villagers]
        created[user.user_id].append(time.time())  # the local API creates the update now
        await user.send(rng.choice(questions))
    await asyncio.gather(
        *(user.replies(len(created[user.user_id]), timeout=REPLY_TIMEOUT) for user in users)
    )
    replies = {user.user_id: bench.reply_times(user.user_id) for user in users}
    extra = sum(len(replies[chat]) != len(asked) for chat, asked in created.items())
    if extra:
        print(f"warning: {extra} chats got more replies than questions; pairing is off there")
    return [
        replied - asked
        for chat, times in created.items()
        for asked, replied in zip(times, replies[chat], strict=False)
    ]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


@contextmanager
def profiled(enabled: bool) -> Iterator[None]:
    """Profile the block (every task on the loop) and print the top functions by own time."""
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)


async def run(args: argparse.Namespace) -> None:
    questions = [
        json.loads(line)["q"]
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    probe = random.Random(0).sample(questions, min(PROBED_QUESTIONS, len(questions)))
    limiter: AbstractContextManager[object] = (
        mock.patch.object(
            bot.application,
            "AIORateLimiter",
            functools.partial(AIORateLimiter, overall_max_rate=0, group_max_rate=0),
        )
        if args.no_rate_limit
        else nullcontext()
    )
    with tempfile.TemporaryDirectory() as data_dir, limiter:
        async with fresh_database(args.database_url) as database_url:
            settings = Settings(
                data_dir=Path(data_dir),
                database_url=database_url,
                staff_chat_id=STAFF_CHAT_ID,
                admin_ids=(ADMIN_ID,),
            )
            where = make_url(settings.effective_database_url).render_as_string()
            limits = "no rate limiter" if args.no_rate_limit else "PTB AIORateLimiter (defaults)"
            print(f"database {where}; {limits}")
            async with LocalBotApi() as api, open_runtime(settings) as runtime:
                bot_id = int(api.token.partition(":")[0])
                api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
                async with polling(runtime, local_api(api), CONSOLE_URL):
                    bench = Bench(api)
                    single = await single_reply_questions(bench, probe)
                    print(f"{len(single)} of {len(probe)} probed questions get one reply")

                    with profiled(args.profile):
                        per_second = await sustained_throughput(
                            bench, single, args.messages, args.villagers
                        )
                    print(
                        f"sustained: {per_second:.1f} msg/s "
                        f"({args.messages} questions, {args.villagers} villagers, closed loop)"
                    )

                    times = await latencies_at(
                        bench, single, args.rate, args.seconds, args.villagers
                    )
                    p50 = statistics.median(times) * 1000
                    p99 = percentile(times, 0.99) * 1000
                    print(
                        f"latency at {args.rate:g} msg/s for {args.seconds:g} s: "
                        f"p50 {p50:.0f} ms  p99 {p99:.0f} ms  (n={len(times)})"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://user@host/db")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--villagers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--profile", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
