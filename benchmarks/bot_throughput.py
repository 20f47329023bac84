"""The whole bot's throughput and reply latency, end to end over HTTP (run by hand).

    .venv/bin/python benchmarks/bot_throughput.py [--backend sqlite|postgresql|both]
        [--database-url URL] [--messages 6000] [--offered 400] [--rate 50] [--seconds 20]
        [--breakdown] [--profile]

Two processes share the machine. The bot — the system under test — runs alone in a child
process, exactly as ``mingbai run`` does (``bot.runners.polling``: the poller stores updates in
the inbox, the processor handles them in units of work, the relay delivers the outbox), long
polling the local Bot API over the loopback interface. This process is Telegram: the local Bot
API and the simulated villagers who write to the bot, so that the moment a villager's message
reaches "Telegram" and the moment the bot's ``sendMessage`` reaches it are read from one clock.

- Sustained throughput: ``--messages`` questions offered open loop at ``--offered`` per second,
  more than the bot can take, so that a backlog builds; prints replies per second at steady
  state (between the 10th and the 90th percentile of the replies, i.e. without the start and
  the tail).
- Latency: questions offered at ``--rate`` per second for ``--seconds`` seconds; prints p50/p99
  from the local API creating the update to the local API receiving the ``sendMessage`` that
  answers it (``ApiCall.at``).

The relay runs with the production ``SendLimits`` (per-chat token buckets: a private chat gets 5
messages at once, then 1 a second). Telegram's limits are per chat, so a load of many villagers
who each ask a few questions is what a busy day looks like: every villager asks
:data:`QUESTIONS_PER_VILLAGER` questions per phase, fewer than a private chat's burst and than
the guard's per-villager message limit, so neither limit ever delays a reply.

The trained understanding model is read from ``MINGBAI_MODEL_DIR`` when it is set (trained
there once), otherwise trained again in each run's temporary data folder. Each backend gets a
fresh database: SQLite in a temporary directory; PostgreSQL as a new
database beside the one ``--database-url`` (or ``MINGBAI_TEST_DATABASE_URL``) names, dropped
afterwards. Questions are villagers' own wordings (``benchmarks/questions/independent.jsonl``),
kept to those the bot answers with exactly one message, so that the n-th reply in a chat answers
the n-th question there.

Besides the figures, each phase prints the bot's CPU per message (its event-loop thread, its
driver threads; the PostgreSQL backends serving its database; this process), and warns when
other processes took more than a tenth of the machine, which makes a run's figures suspect.
The latency phase also prints where the time goes, from stamps the bot process takes (same
clock): fetching and storing the update, waiting in the inbox, handling it until its batch
commits, and the relay's delivery. Below saturation the bot works in ever smaller batches rather
than idling, so CPU per message there is not a measure of efficiency; at saturation it is.

``--breakdown`` prints, for both phases, the wall time of the pipeline's stages and the SQL
statements per handled update (counted with a ``before_cursor_execute`` listener, by the task
that ran them: poller, processor, relay); ``--profile`` adds cProfile's top functions and writes
the profile beside (the profiler slows the bot down, so those runs' figures are not the bot's).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import inspect
import io
import json
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from telegram import Update
from telegram.ext import Application

import bot.poller
import bot.relay
from bot.local_api import LocalBotApi, TelegramUser
from bot.pipeline import App, Pipeline
from bot.processor import UpdateProcessor
from bot.relay import Relay, SendLimits
from bot.runners import BotApi, polling
from bot.services import open_runtime
from bot.settings import Settings
from intake.inbox import Inbox, Received
from intake.moderation import Moderation
from intake.outbox import Outbox
from intake.question_log import QuestionLog
from intake.state_store import StateStore
from knowledge.service import Faq

SCRIPT = Path(__file__).resolve()
QUESTIONS = SCRIPT.parent / "questions/independent.jsonl"
STAFF_CHAT_ID = -1001000000001
ADMIN_ID = 900001
CONSOLE_URL = "http://127.0.0.1:8080/console"
TEST_DATABASE_ENV = "MINGBAI_TEST_DATABASE_URL"
MODEL_DIR_ENV = "MINGBAI_MODEL_DIR"
# The production limits: the benchmark keeps them and spreads the load over many chats instead.
LIMITS = SendLimits()
QUESTIONS_PER_VILLAGER = 4
# Villager id ranges per phase, so that each phase's chats hold only its own replies.
PROBE_IDS = 100_000
THROUGHPUT_IDS = 200_000
LATENCY_IDS = 1_200_000
PROBED_QUESTIONS = 120
# The probe waits this long without a new reply before it counts a chat's replies.
QUIET_SECONDS = 1.5
# No wait may hang the benchmark: it gives up when the bot makes no progress for this long.
STALL_SECONDS = 60.0
STEADY = (0.1, 0.9)
TOP_FUNCTIONS = 30
# The bot's answers are single JSON lines; the timeline of a long run makes a long one.
ANSWER_BYTES = 1 << 28
# Above this share of the machine used by other processes, a run's figures are suspect.
FOREIGN_LOAD = 0.1


# The bot process ------------------------------------------------------------------------------


@dataclass
class Meter:
    """What the bot did since the last mark: stage timings, SQL statements, CPU."""

    stages: dict[str, list[float]] = field(default_factory=dict)
    sql: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))
    updates: int = 0
    # Per handled update: chat id, message id, stored, handling started, committed (time.time()).
    timeline: list[list[float]] = field(default_factory=list)
    stored: dict[int, float] = field(default_factory=dict)
    batch: list[list[float]] = field(default_factory=list)
    process_cpu: float = 0.0
    thread_cpu: float = 0.0
    profile: cProfile.Profile | None = None

    def mark(self, profile: bool) -> None:
        """Start counting afresh (and profiling, if asked)."""
        self.stages = {name: [0, 0.0] for name in self.stages}
        self.sql.clear()
        self.updates = 0
        self.timeline.clear()
        self.process_cpu = time.process_time()
        self.thread_cpu = time.thread_time()
        if profile:
            self.profile = cProfile.Profile()
            self.profile.enable()

    def read(self, profile_path: str | None) -> dict[str, Any]:
        """Everything counted since the mark, as JSON values."""
        report: dict[str, Any] = {
            "updates": self.updates,
            "timeline": self.timeline,
            "process_cpu": time.process_time() - self.process_cpu,
            "main_thread_cpu": time.thread_time() - self.thread_cpu,
            "stages": {name: list(value) for name, value in self.stages.items()},
            "sql": {name: list(value) for name, value in self.sql.items()},
        }
        if self.profile is not None:
            self.profile.disable()
            if profile_path:
                self.profile.dump_stats(profile_path)
            report["profile"] = _top_functions(self.profile)
            self.profile = None
        return report

    def add(self, table: dict[str, list[float]], name: str, seconds: float) -> None:
        entry = table[name]
        entry[0] += 1
        entry[1] += seconds

    def time_stage(self, owner: Any, attribute: str, name: str) -> None:
        """Count the calls of ``owner.attribute`` and their wall time as stage ``name``."""
        original = getattr(owner, attribute)
        meter = self
        self.stages[name] = [0, 0.0]  # listed in the order timed

        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    meter.add(meter.stages, name, time.perf_counter() - start)

            setattr(owner, attribute, timed_async)
        else:

            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    meter.add(meter.stages, name, time.perf_counter() - start)

            setattr(owner, attribute, timed)

    def follow_updates(self) -> None:
        """Count handled updates and stamp when each was stored, taken up and committed."""
        meter = self
        receive = Pipeline.receive
        handle_batch = UpdateProcessor.handle_batch
        process_update = Application.process_update

        @functools.wraps(receive)
        async def stored(pipeline: Pipeline, updates: Sequence[Received]) -> None:
            await receive(pipeline, updates)
            now = time.time()
            meter.stored.update((update.update_id, now) for update in updates)

        @functools.wraps(handle_batch)
        async def committed(processor: UpdateProcessor) -> int:
            meter.batch = []
            handled = await handle_batch(processor)
            now = time.time()
            meter.updates += handled
            for entry in meter.batch:
                entry.append(now)
            meter.timeline.extend(meter.batch)
            return handled

        @functools.wraps(process_update)
        async def taken_up(application: App, update: object) -> None:
            if isinstance(update, Update) and update.effective_message is not None:
                meter.batch.append(
                    [
                        update.effective_message.chat_id,
                        update.effective_message.message_id,
                        meter.stored.pop(update.update_id, 0.0),
                        time.time(),
                    ]
                )
            await process_update(application, update)

        Pipeline.receive = stored  # type: ignore[method-assign,assignment]
        UpdateProcessor.handle_batch = committed  # type: ignore[method-assign,assignment]
        Application.process_update = taken_up  # type: ignore[method-assign,assignment]

    def watch_sql(self, engine: Any) -> None:
        """Count every statement on ``engine`` by who ran it, its kind and its table."""
        meter = self

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            started = conn.info["bench_started"].pop()
            elapsed = time.perf_counter() - started
            meter.add(meter.sql, f"{_origin()}: {_statement_kind(statement)}", elapsed)

        @event.listens_for(engine, "commit")
        def commit(conn: Any) -> None:
            meter.add(meter.sql, f"{_origin()}: COMMIT", 0.0)


def _origin() -> str:
    # The pipeline task runs the processor; the poller's task is unnamed.
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return "other"
    name = task.get_name() if task is not None else ""
    return {"pipeline": "processor", "outbox relay": "relay"}.get(name, "poller/other")


_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _statement_kind(statement: str) -> str:
    words = statement.split(None, 2)
    verb = words[0].upper() if words else "?"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN"):
        return " ".join(words[:2]).upper() if verb == "BEGIN" else verb
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1) if table else ''}".strip()


def _top_functions(profile: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(TOP_FUNCTIONS)
    stats.sort_stats("cumulative").print_stats(TOP_FUNCTIONS)
    return out.getvalue()


def instrument(meter: Meter) -> None:
    """Time the pipeline's stages (each wrapper costs a microsecond or so per call)."""
    stages: list[tuple[Any, str, str]] = [
        (UpdateProcessor, "handle_batch", "processor: batch (unit of work)"),
        (Inbox, "pending", "processor: inbox.pending"),
        (Application, "process_update", "processor: PTB process_update"),
        (Moderation, "standing", "  guard: moderation.standing"),
        (Faq, "understand", "  understanding: Faq.understand"),
        (QuestionLog, "record", "  question log: record"),
        (Outbox, "add", "  outbox.add"),
        (Application, "update_persistence", "processor: update_persistence"),
        (StateStore, "write", "processor: state write"),
        (Inbox, "mark_done", "processor: inbox.mark_done"),
        (AsyncSession, "commit", "commit (all)"),
        (bot.poller, "call", "poller: getUpdates HTTP"),
        (Inbox, "add", "poller: inbox.add"),
        (Relay, "deliver_round", "relay: round"),
        (Outbox, "due", "relay: outbox.due"),
        (bot.relay, "call", "relay: Bot API HTTP call"),
        (Outbox, "record", "relay: outbox.record"),
    ]
    for owner, attribute, name in stages:
        meter.time_stage(owner, attribute, name)
    meter.follow_updates()


async def serve_bot(config: dict[str, Any]) -> None:
    """The bot process: run the bot and answer the load generator's commands on stdin.

    Commands are JSON lines: ``{"mark": true, "profile": bool}`` starts counting,
    ``{"read": true, "profile_path": str | null}`` answers what was counted; the end of stdin
    stops the bot. Answers are JSON lines on stdout (everything else goes to stderr).
    """
    protocol, sys.stdout = sys.stdout, sys.stderr
    meter = Meter()
    instrument(meter)
    settings = Settings(
        data_dir=Path(config["data_dir"]),
        model_dir=Path(config["model_dir"]) if config["model_dir"] else None,
        database_url=config["database_url"],
        staff_chat_id=STAFF_CHAT_ID,
        admin_ids=(ADMIN_ID,),
    )
    api = BotApi(config["token"], config["base_url"], config["base_file_url"])
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)

    def answer(value: dict[str, Any]) -> None:
        protocol.write(json.dumps(value) + "\n")
        protocol.flush()

    async with open_runtime(settings) as runtime:
        meter.watch_sql(runtime.services.intake.engine.sync_engine)
        async with polling(runtime, api, CONSOLE_URL, limits=LIMITS):
            answer({"ready": True, "pid": os.getpid()})
            while line := await commands.readline():
                command = json.loads(line)
                if command.get("mark"):
                    meter.mark(command.get("profile", False))
                    answer({"marked": True})
                elif command.get("read"):
                    answer(meter.read(command.get("profile_path")))


# The load generator ---------------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(backend: str, url: str) -> AsyncIterator[str]:
    """The database URL to run on: PostgreSQL gets a new database, dropped afterwards.

    Yields:
        The URL for the bot; empty for the default SQLite file in the data directory.

    """
    if backend == "sqlite":
        yield ""
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


class BotProcess:
    """The bot, in a child process, and the line protocol to it (see :func:`serve_bot`)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    @asynccontextmanager
    async def running(cls, config: dict[str, Any]) -> AsyncIterator[BotProcess]:
        """Start the bot and wait until it polls; stop it when the block ends."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--bot-process",
            json.dumps(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=ANSWER_BYTES,
        )
        bot = cls(process)
        try:
            await bot._answer()
            yield bot
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def mark(self, profile: bool) -> None:
        """Start counting the bot's work."""
        await self._command({"mark": True, "profile": profile})

    async def read(self, profile_path: str | None) -> dict[str, Any]:
        """What the bot did since the mark."""
        return await self._command({"read": True, "profile_path": profile_path})

    async def _command(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()
        return await self._answer()

    async def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), STALL_SECONDS)
        if not line:
            raise SystemExit(f"the bot process ended (exit status {await self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer


@dataclass
class Cpu:
    """CPU seconds: this process (load generator + local API), the database server, the machine.

    The database server's share is that of the PostgreSQL backends serving the benchmark's
    database (their process titles name it); SQLite runs inside the bot.
    """

    own: float
    database: float
    busy: float
    total: float

    @classmethod
    def now(cls, database: str) -> Cpu:
        """The counters as they stand."""
        busy = total = served = 0.0
        try:
            tick = os.sysconf("SC_CLK_TCK")
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
            ticks = [float(value) for value in fields]
            total = sum(ticks[:8]) / tick
            busy = total - (ticks[3] + ticks[4]) / tick
            if database:
                served = sum(
                    _backend_ticks(stat, database) for stat in Path("/proc").glob("*/stat")
                )
                served /= tick
        except (OSError, ValueError, IndexError):
            pass  # not Linux: only this process's own share is known
        return cls(time.process_time(), served, busy, total)

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.own - other.own,
            self.database - other.database,
            self.busy - other.busy,
            self.total - other.total,
        )


def _backend_ticks(stat: Path, database: str) -> float:
    """User + system ticks of a PostgreSQL backend serving ``database`` (0 for others)."""
    try:
        if f" {database} " not in stat.with_name("cmdline").read_text():
            return 0.0
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the process ended meanwhile
    return float(fields[11]) + float(fields[12])


@dataclass
class Phase:
    """One measured load: when each question was asked and each reply arrived, per chat."""

    asked: dict[int, list[float]]
    message_ids: dict[int, list[int]]
    replied: dict[int, list[float]]
    seconds: float
    cpu: Cpu
    bot: dict[str, Any]

    @property
    def questions(self) -> int:
        return sum(len(times) for times in self.asked.values())

    def reply_times(self) -> list[float]:
        return sorted(t for chat in self.asked for t in self.replied.get(chat, ()))

    def latencies(self) -> list[float]:
        return [
            replied - asked
            for chat, times in self.asked.items()
            for asked, replied in zip(times, self.replied.get(chat, ()), strict=False)
        ]

    def segments(self) -> dict[str, list[float]]:
        """Each answered question's latency cut where the bot stamped it (seconds)."""
        stamps = {(int(chat), int(message)): rest for chat, message, *rest in self.bot["timeline"]}
        cuts: dict[str, list[float]] = defaultdict(list)
        for chat, times in self.asked.items():
            replies = self.replied.get(chat, ())
            for asked, message, replied in zip(
                times, self.message_ids[chat], replies, strict=False
            ):
                stored, started, committed = stamps.get((chat, message), (0.0, 0.0, 0.0))
                if not stored:
                    continue
                cuts["getUpdates + inbox.add"].append(stored - asked)
                cuts["waiting in the inbox"].append(started - stored)
                cuts["handled, until the batch commits"].append(committed - started)
                cuts["relay: commit → sendMessage received"].append(replied - committed)
        return cuts

    def extra_replies(self) -> int:
        return sum(
            len(self.replied.get(chat, ())) > len(times) for chat, times in self.asked.items()
        )


class Telegram:
    """The local Bot API and the villagers who write to the bot through it."""

    def __init__(self, api: LocalBotApi, bot: BotProcess, database: str) -> None:
        self.api = api
        self.bot = bot
        self.database = database

    def villagers(self, first_id: int, count: int) -> list[TelegramUser]:
        """``count`` villagers with ids from ``first_id``."""
        return [self.api.user(first_id + n, f"村民{n}") for n in range(count)]

    def sent(self, chats: Iterable[int]) -> int:
        """How many messages the bot has sent to these chats so far."""
        return sum(len(self.api.world.chats[chat].sent) for chat in chats)

    async def wait_for_replies(self, chats: list[int], expected: int) -> None:
        """Wait until the bot has sent ``expected`` messages to ``chats`` in all."""
        seen, progress = -1, time.monotonic()
        while (count := self.sent(chats)) < expected:
            if count != seen:
                seen, progress = count, time.monotonic()
            elif time.monotonic() - progress > STALL_SECONDS:
                raise SystemExit(f"the bot stalled: {count} of {expected} replies")
            await asyncio.sleep(0.1)

    async def wait_for_quiet(self, chats: list[int]) -> None:
        """Wait until no new message reached ``chats`` for :data:`QUIET_SECONDS`."""
        seen = self.sent(chats)
        while True:
            await asyncio.sleep(QUIET_SECONDS)
            count = self.sent(chats)
            if count == seen:
                return
            seen = count

    def replies_since(self, first_call: int) -> dict[int, list[float]]:
        """When the local API received each successful ``sendMessage``, per chat."""
        replied: dict[int, list[float]] = defaultdict(list)
        for call in self.api.calls[first_call:]:
            if call.method == "sendMessage" and call.status == 200:
                replied[int(call.params["chat_id"])].append(call.at)
        return replied

    async def single_reply_questions(self, questions: list[str]) -> list[str]:
        """The questions the bot answers with exactly one message (this also warms it up)."""
        villagers = self.villagers(PROBE_IDS, len(questions))
        for villager, question in zip(villagers, questions, strict=True):
            await villager.send(question)
        chats = [villager.user_id for villager in villagers]
        await self.wait_for_replies(chats, len(chats))
        await self.wait_for_quiet(chats)
        return [
            question
            for villager, question in zip(villagers, questions, strict=True)
            if villager.unread == 1
        ]

    async def offer(
        self,
        first_id: int,
        questions: list[str],
        count: int,
        rate: float,
        *,
        profile: bool = False,
        profile_path: str | None = None,
    ) -> Phase:
        """Offer ``count`` questions at ``rate`` a second, open loop, and wait for the answers.

        Villagers take turns (round robin), each asking :data:`QUESTIONS_PER_VILLAGER`.
        """
        users = self.villagers(first_id, -(-count // QUESTIONS_PER_VILLAGER))
        asked: dict[int, list[float]] = {user.user_id: [] for user in users}
        message_ids: dict[int, list[int]] = {user.user_id: [] for user in users}
        rng = random.Random(first_id)
        first_call = len(self.api.calls)
        await self.bot.mark(profile)
        cpu = Cpu.now(self.database)
        start = time.monotonic()
        for n in range(count):
            # The schedule is fixed in advance: the offered load does not wait for the bot.
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            user = users[n % len(users)]
            asked[user.user_id].append(time.time())  # the local API creates the update now
            message = await user.send(rng.choice(questions))
            message_ids[user.user_id].append(message["message_id"])
        await self.wait_for_replies(list(asked), count)
        seconds = time.monotonic() - start
        cpu = Cpu.now(self.database) - cpu
        report = await self.bot.read(profile_path)
        return Phase(asked, message_ids, self.replies_since(first_call), seconds, cpu, report)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


def steady_rate(times: list[float]) -> tuple[float, list[int]]:
    """Replies per second between the :data:`STEADY` percentiles, and per whole second there."""
    low = round(STEADY[0] * (len(times) - 1))
    high = round(STEADY[1] * (len(times) - 1))
    window = times[low : high + 1]
    per_second = Counter(int(t - window[0]) for t in window)
    whole = [per_second[s] for s in range(int(window[-1] - window[0]))]
    return (high - low) / (window[-1] - window[0]), whole


def describe_limits() -> str:
    limits = LIMITS
    return (
        f"relay SendLimits: production defaults — private chats {limits.private_burst:g} at "
        f"once then {limits.private_per_second:g}/s, groups {limits.group_burst:g} at once then "
        f"{limits.group_per_second * 60:g}/min, {limits.concurrency} calls in flight, "
        f"{limits.batch} rows a round.\n"
        f"villagers: each asks {QUESTIONS_PER_VILLAGER} questions per phase (fewer than a "
        f"private chat's burst of {limits.private_burst:g} and the guard's per-villager limit), "
        f"so no per-chat limit delays a reply; the load is spread over many chats instead."
    )


def print_cpu(phase: Phase, per: int) -> None:
    """CPU per message: the bot, the database server, the load generator, everyone else."""
    bot_cpu = phase.bot["process_cpu"]
    main_cpu = phase.bot["main_thread_cpu"]
    cpu = phase.cpu
    print(
        f"  CPU per message: bot {1000 * bot_cpu / per:.2f} ms (event loop thread "
        f"{1000 * main_cpu / per:.2f}, driver threads {1000 * (bot_cpu - main_cpu) / per:.2f})"
        + (f", PostgreSQL server {1000 * cpu.database / per:.2f} ms" if cpu.database else "")
        + f"; load generator + local API {1000 * cpu.own / per:.2f} ms"
    )
    if not cpu.total:
        return
    foreign = cpu.busy - bot_cpu - cpu.database - cpu.own
    print(
        f"  machine busy {100 * cpu.busy / cpu.total:.0f}% of {os.cpu_count()} CPUs; "
        f"other processes {100 * foreign / cpu.total:.0f}%"
    )
    if foreign > FOREIGN_LOAD * cpu.total:
        print("  warning: other processes competed for the CPUs; these figures understate the bot")


def print_segments(phase: Phase) -> None:
    """Where the latency goes, from the bot's own stamps (same clock: one machine)."""
    print("  where the latency goes (p50 / p90 / p99 ms):")
    for name, values in phase.segments().items():
        print(
            f"    {name:40} {1000 * statistics.median(values):6.0f} "
            f"{1000 * percentile(values, 0.9):6.0f} {1000 * percentile(values, 0.99):6.0f}"
        )


def profile_file(args: argparse.Namespace, backend: str, phase: str) -> str | None:
    """Where the bot writes its profile of a phase (with ``--profile``)."""
    if not args.profile:
        return None
    return str(Path(tempfile.gettempdir()) / f"mingbai-bench-{backend}-{phase}.prof")


def print_breakdown(phase: Phase, profile_path: str | None) -> None:
    """Where the bot's time went: stages (wall time) and SQL statements, per handled update."""
    report = phase.bot
    updates = max(1, report["updates"])
    print(f"  breakdown over {report['updates']} handled updates (wall time; stages overlap):")
    print(f"    {'stage':44} {'calls':>7} {'per upd':>8} {'ms/upd':>8} {'ms/call':>8}")
    for name, (calls, seconds) in report["stages"].items():
        print(
            f"    {name:44} {calls:7d} {calls / updates:8.2f} "
            f"{1000 * seconds / updates:8.2f} {1000 * seconds / max(1, calls):8.3f}"
        )
    sql = sorted(report["sql"].items(), key=lambda item: (item[0].split(":")[0], -item[1][0]))
    total = sum(calls for name, (calls, _) in sql if not name.endswith("COMMIT"))
    print(f"  SQL statements: {total / updates:.2f} per handled update")
    print(f"    {'origin: statement':44} {'count':>7} {'per upd':>8} {'ms/upd':>8} {'ms/stmt':>8}")
    for name, (calls, seconds) in sql:
        print(
            f"    {name:44} {calls:7d} {calls / updates:8.2f} "
            f"{1000 * seconds / updates:8.2f} {1000 * seconds / max(1, calls):8.3f}"
        )
    if "profile" in report:
        print(report["profile"])
        print(f"  profile written to {profile_path}")


@dataclass
class Figures:
    """One backend's results, for the summary."""

    backend: str
    throughput: float
    p50: float
    p99: float


async def run_backend(backend: str, args: argparse.Namespace, questions: list[str]) -> Figures:
    probe = random.Random(0).sample(questions, min(PROBED_QUESTIONS, len(questions)))
    with tempfile.TemporaryDirectory() as data_dir:
        async with (
            fresh_database(backend, args.database_url) as database_url,
            LocalBotApi() as api,
        ):
            bot_id = int(api.token.partition(":")[0])
            api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
            config = {
                "data_dir": data_dir,
                # The trained model is kept between runs where the environment says so.
                "model_dir": os.environ.get(MODEL_DIR_ENV),
                "database_url": database_url,
                "token": api.token,
                "base_url": api.base_url,
                "base_file_url": api.base_file_url,
            }
            where = database_url or f"sqlite+aiosqlite:///{data_dir}/mingbai.db"
            print(f"\n== {backend}: {make_url(where).render_as_string()} ==")
            async with BotProcess.running(config) as bot:
                print(
                    f"processes: the bot alone in pid {bot.process.pid} (system under test); "
                    f"the load generator and the local Bot API in pid {os.getpid()}; "
                    f"{os.cpu_count()} CPUs"
                )
                print(describe_limits())
                served = make_url(database_url).database if database_url else None
                telegram = Telegram(api, bot, served or "")
                single = await telegram.single_reply_questions(probe)
                print(f"warm-up: {len(single)} of {len(probe)} probed questions get one reply")

                burst = await telegram.offer(
                    THROUGHPUT_IDS,
                    single,
                    args.messages,
                    args.offered,
                    profile=args.profile,
                    profile_path=profile_file(args, backend, "throughput"),
                )
                rate, per_second = steady_rate(burst.reply_times())
                offered_for = args.messages / args.offered
                print(
                    f"sustained throughput: {rate:.1f} replies/s at steady state "
                    f"({args.messages} questions offered at {args.offered:g}/s for "
                    f"{offered_for:.0f} s; all answered after {burst.seconds:.1f} s; replies "
                    f"per whole second there: min {min(per_second, default=0)}, median "
                    f"{statistics.median(per_second) if per_second else 0:g}, max "
                    f"{max(per_second, default=0)})"
                    + (" [profiled: slowed down by the profiler]" if args.profile else "")
                )
                if rate > 0.9 * args.offered:
                    print("  warning: the bot kept up with the offered load; raise --offered")
                print_cpu(burst, args.messages)
                if args.breakdown or args.profile:
                    print_breakdown(burst, profile_file(args, backend, "throughput"))

                steady = await telegram.offer(
                    LATENCY_IDS,
                    single,
                    round(args.rate * args.seconds),
                    args.rate,
                    profile=args.profile,
                    profile_path=profile_file(args, backend, "latency"),
                )
                times = steady.latencies()
                p50 = statistics.median(times) * 1000
                p99 = percentile(times, 0.99) * 1000
                print(
                    f"latency at {args.rate:g} msg/s for {args.seconds:g} s: p50 {p50:.0f} ms  "
                    f"p90 {percentile(times, 0.9) * 1000:.0f} ms  p99 {p99:.0f} ms  "
                    f"max {max(times) * 1000:.0f} ms  (n={len(times)})"
                )
                print_cpu(steady, steady.questions)
                print_segments(steady)
                if args.breakdown or args.profile:
                    print_breakdown(steady, profile_file(args, backend, "latency"))
                for phase in (burst, steady):
                    if phase.extra_replies():
                        print(
                            f"warning: {phase.extra_replies()} chats got more replies than "
                            "questions; pairing is off there"
                        )
    return Figures(backend, rate, p50, p99)


async def run(args: argparse.Namespace) -> None:
    questions = [
        json.loads(line)["q"]
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [await run_backend(backend, args, questions) for backend in backends]
    print("\nsummary (targets, issue 7: ≥ 200 replies/s sustained; p99 ≤ 250 ms at 50 msg/s)")
    for figures in results:
        print(
            f"  {figures.backend:10} {figures.throughput:7.1f} replies/s "
            f"{'✓' if figures.throughput >= 200 else '✗'}   "
            f"p50 {figures.p50:4.0f} ms  p99 {figures.p99:4.0f} ms "
            f"{'✓' if figures.p99 <= 250 else '✗'}"
        )
    print(f"  {json.dumps([asdict(figures) for figures in results])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        help="default: postgresql if --database-url is given, else sqlite",
    )
    parser.add_argument(
        "--database-url",
        help=f"PostgreSQL server to create the database on (default: ${TEST_DATABASE_ENV})",
    )
    parser.add_argument("--messages", type=int, default=6000, help="throughput run's questions")
    parser.add_argument("--offered", type=float, default=400.0, help="throughput run's rate/s")
    parser.add_argument("--rate", type=float, default=50.0, help="latency run's rate/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="latency run's length")
    parser.add_argument("--breakdown", action="store_true", help="where the bot's time goes")
    parser.add_argument("--profile", action="store_true", help="--breakdown and cProfile")
    parser.add_argument("--bot-process", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bot_process:
        asyncio.run(serve_bot(json.loads(args.bot_process)))
        return
    args.backend = args.backend or ("postgresql" if args.database_url else "sqlite")
    args.database_url = args.database_url or os.environ.get(TEST_DATABASE_ENV, "")
    if args.backend != "sqlite" and not args.database_url.startswith("postgresql"):
        parser.error(f"PostgreSQL needs --database-url or {TEST_DATABASE_ENV}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
