"""The crash test of issue 7: the bot process killed with SIGKILL again and again, nothing lost.

Villagers ask questions and file complaints side by side while the bot — ``mingbai run`` in a
child process, long-polling a local Bot API on an SQLite file — is killed at random moments and
started again. The local Bot API lives in the test process: Telegram does not crash with the bot,
and keeps the updates it has not confirmed.

Replies are delivered at least once (a kill between a delivery and its record sends it again), so
villagers wait for the reply each step expects and ignore repeats; they never send anything
twice, because nothing sent is lost. Afterwards every complaint is exactly one ticket, every
question was answered, and nothing is left in the inbox or the outbox.

Villagers on the chat page ask too, through the same process's web server: their page sends a
message again (with the same key) until the server has stored it, and reads on from where it
was. Each of their messages is stored once, and each answer is shown exactly once (the web chat's
delivery is recorded with the outbox row it delivers).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from yarl import URL

from bot.local_api import ApiCall, BotMessage, Fault, Faults, LocalBotApi, TelegramUser
from bot.server import HEALTH_PATH
from bot.settings import ENV_PREFIX, Settings
from handlers import draft
from handlers.texts import filing as texts
from intake import TicketKind, create_engine
from intake.inbox import Inbox
from intake.models import Ticket, User
from intake.outbox import Delivery, Outbox
from intake.web_chat import WEB_INBOX, EventKind, WebChats
from tests.e2e.harness import ADMIN_ID, STAFF_CHAT_ID
from tests.e2e.test_staff import NUMBER
from tests.e2e.web_visitor import WebVisitor, web_visitor

SEED = 7
# Seconds the bot runs, once up, before it is killed. Villagers spend longer than all of these
# together thinking (questioners ask every question once, slowly), so every kill falls while
# they are talking to the bot.
UPTIME = (0.5, 2.5)
THINKING = (0.4, 1.2)
QUESTIONER_THINKING = (1.0, 2.0)
LATE_START = 3.0
# A step may wait through a restart (about 3 s here, the imports mostly) or two.
STEP_TIMEOUT = 20.0
START_TIMEOUT = 20.0
DRAIN_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.02

QUESTIONS = {
    "离婚冷静期多长时间": "离婚冷静期是多长时间？冷静期里能反悔吗？",
    "工资到现在还没发怎么办": "打工的工资被拖欠了怎么办？",
    "宅基地可以卖给外村人吗": "农村的房子和宅基地能卖给城里人或者外村人吗？",
    "被狗咬了谁负责": "被别人家的狗咬了，谁来负责？",
    "借钱不还怎么办": "别人借钱不还怎么办？",
    "土地承包经营权能继承吗": "承包地能继承吗？",
    "老人不给赡养费怎么办": "子女不赡养老人、不给生活费怎么办？",
    "结婚登记要带哪些材料": "结婚登记要带什么材料、去哪里办？",
}
STORIES = (
    "邻居家的牛把我家的青稞地踩坏了，他不肯赔。",
    "邻居把我家浇地的水渠堵了，说了好几次也不听。",
    "村里修路占了我家两分地，到现在没给补偿。",
    "包工头拖欠我三个月工资，打电话也不接。",
    "隔壁盖房子把墙砌到了我家院子里。",
    "小卖部卖给我过期的奶粉，老板不给退。",
    "借给亲戚的两万块钱，三年了还不还。",
    "前院的狗天天半夜叫，还咬伤了我家孩子。",
)
COMPLAINERS = tuple(range(400001, 400001 + len(STORIES)))
QUESTIONERS = tuple(range(410001, 410009))
WEB_QUESTIONERS = 3
WEB_QUESTIONS = 3


Moment = Literal["random", "delivered", "undelivered"]
"""When a kill strikes: after a random while; just after a reply took effect at Telegram but
before the bot heard so (it sends it again); while a reply is on its way (it is sent later)."""

MOMENTS: tuple[Moment, ...] = ("random", "random", "delivered", "undelivered")


@dataclass(frozen=True)
class Kill:
    """One SIGKILL, and what was in flight when it struck."""

    moment: Moment
    villagers_talking: int
    unconfirmed_updates: int
    inbox_pending: int
    outbox_pending: int
    held: ApiCall | None
    """The reply the bot was sending when killed (not for random kills)."""


class BotProcess:
    """``mingbai run`` in a child process on ``data_dir``, restarted at will.

    Each start listens on a new free port (for the health check) and logs to its own file,
    named after the process (processes sharing ``data_dir`` need different names).
    """

    def __init__(self, api: LocalBotApi, data_dir: Path, name: str = "bot") -> None:
        self._data_dir = data_dir
        self._name = name
        # Only what this test sets: no database URL or configuration file from the environment;
        # but the run's trained model (tests/conftest.py), which each start would train again.
        self._env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(ENV_PREFIX) or k == ENV_PREFIX + "MODEL_DIR"
        } | {
            ENV_PREFIX + "TELEGRAM_TOKEN": api.token,
            ENV_PREFIX + "TELEGRAM_API_URL": api.base_url,
            ENV_PREFIX + "TELEGRAM_FILE_URL": api.base_file_url,
            ENV_PREFIX + "DATA_DIR": str(data_dir),
            ENV_PREFIX + "STAFF_CHAT_ID": str(STAFF_CHAT_ID),
            ENV_PREFIX + "ADMIN_IDS": str(ADMIN_ID),
        }
        self._process: asyncio.subprocess.Process | None = None
        self._port = 0
        self._logs: list[Path] = []

    @property
    def database_url(self) -> str:
        """The SQLite database the bot uses."""
        return Settings(data_dir=self._data_dir).effective_database_url

    async def start(self) -> None:
        """Start a new bot process and wait until it handles updates."""
        assert self._process is None or self._process.returncode is not None
        self._port = _free_port()
        log = self._data_dir / f"{self._name}-{len(self._logs) + 1}.log"
        self._logs.append(log)
        with log.open("wb") as output:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=self._env | {ENV_PREFIX + "LISTEN_PORT": str(self._port)},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self._until_up()

    async def kill(self) -> None:
        """SIGKILL: the process ends at once, whatever it was doing."""
        process = self._running()
        process.kill()
        await process.wait()

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops the bot; returns the exit status."""
        process = self._running()
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_TIMEOUT):
            return await process.wait()

    async def close(self) -> None:
        """Kill the process if it still runs (the test failed half way)."""
        if self._process is not None and self._process.returncode is None:
            await self.kill()

    def logs(self) -> str:
        """The end of every process's log, for a failure's report."""
        tails = (
            f"--- {path.name} ---\n"
            + "\n".join(path.read_text(errors="replace").splitlines()[-40:])
            for path in self._logs
            if path.exists()
        )
        return "\n".join(tails)

    @property
    def address(self) -> URL:
        """The running process's web server."""
        return URL(f"http://127.0.0.1:{self._port}")

    @property
    def health_url(self) -> str:
        """The running process's health check."""
        return f"http://127.0.0.1:{self._port}{HEALTH_PATH}"

    def _running(self) -> asyncio.subprocess.Process:
        process = self._process
        assert process is not None and process.returncode is None, "the bot is not running"
        return process

    async def _until_up(self) -> None:
        url = self.health_url
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                self._running()  # it did not die starting
                try:
                    async with http.get(url) as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await until(healthy, START_TIMEOUT, "the bot up")


async def until(
    condition: Callable[[], Awaitable[bool]],
    timeout: float,  # noqa: ASYNC109 - a bound on a poll, not on one call
    what: str,
) -> None:
    """Check ``condition`` until it holds: the state is in another process, nothing signals it.

    Raises:
        AssertionError: It did not hold within ``timeout`` seconds.

    """
    try:
        async with asyncio.timeout(timeout):
            while True:
                if await condition():
                    return
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {timeout} s") from None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def expect(user: TelegramUser, wanted: Callable[[BotMessage], bool]) -> BotMessage:
    """The next bot message ``wanted`` picks, skipping repeats of earlier ones and the rest."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP_TIMEOUT
    while True:
        [message] = await user.replies(1, timeout=max(deadline - loop.time(), 0.01))
        if wanted(message):
            return message


def has_button(data: str) -> Callable[[BotMessage], bool]:
    return lambda message: any(
        button.callback_data == data for row in message.buttons for button in row
    )


def answers(question: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.text.startswith(f"【{QUESTIONS[question]}】")


class Villagers:
    """The villagers' side: what they do, how many are still at it, what they were told."""

    def __init__(self, api: LocalBotApi) -> None:
        self._api = api
        self.talking = 0
        self.numbers: dict[int, str] = {}

    async def ask(self, user_id: int, questions: list[str], rng: random.Random) -> None:
        """Ask each question in turn, waiting for its answer."""
        async with self._talking(user_id, rng) as user:
            for question in questions:
                await self._ask(user, question, rng, QUESTIONER_THINKING)

    async def complain(
        self, user_id: int, story: str, question: str, village: str, rng: random.Random
    ) -> None:
        """Ask a question first, then file ``story`` as a complaint through the filing flow."""
        async with self._talking(user_id, rng) as user:
            await self._ask(user, question, rng)
            await user.send_command("/file")
            kind = await expect(user, lambda m: m.text.startswith(texts.ASK_KIND))
            await self._press(user, kind, draft.KIND_DATA + TicketKind.COMPLAINT, rng)
            villages = await expect(user, lambda m: m.text == texts.ASK_VILLAGE)
            await self._press(user, villages, draft.VILLAGE_DATA + village, rng)
            await expect(user, lambda m: m.text.startswith(texts.ASK_STORY))
            await self._send(user, story, rng)
            received = await expect(user, lambda m: m.text == texts.STORY_RECEIVED)
            await self._press(user, received, draft.STORY_DONE, rng)
            await expect(user, lambda m: m.text == texts.ASK_PHONE)
            await self._send(user, texts.SKIP_BUTTON, rng)
            summary = await expect(user, lambda m: story in m.text and has_button(draft.SUBMIT)(m))
            await self._press(user, summary, draft.SUBMIT, rng)
            filed = await expect(user, lambda m: m.text.startswith("登记好了！"))
            number = NUMBER.search(filed.text)
            assert number is not None, filed.text
            self.numbers[user_id] = number.group()

    async def _ask(
        self,
        user: TelegramUser,
        question: str,
        rng: random.Random,
        thinking: tuple[float, float] = THINKING,
    ) -> None:
        await self._send(user, question, rng, thinking)
        await expect(user, answers(question))

    async def _send(
        self,
        user: TelegramUser,
        text: str,
        rng: random.Random,
        thinking: tuple[float, float] = THINKING,
    ) -> None:
        await asyncio.sleep(rng.uniform(*thinking))
        await user.send(text)

    async def _press(
        self, user: TelegramUser, message: BotMessage, data: str, rng: random.Random
    ) -> None:
        await asyncio.sleep(rng.uniform(*THINKING))
        await user.press(message, data)

    @asynccontextmanager
    async def _talking(self, user_id: int, rng: random.Random) -> AsyncIterator[TelegramUser]:
        """The villager, from a late start until done, counted in :attr:`talking`."""
        self.talking += 1
        try:
            await asyncio.sleep(rng.uniform(0, LATE_START))
            yield self._api.user(user_id, f"村民{user_id}")
        finally:
            self.talking -= 1


class WebVillagers:
    """Villagers on the chat page of whichever bot process runs now."""

    def __init__(self, bot: BotProcess, villagers: Villagers) -> None:
        self._bot = bot
        self._villagers = villagers
        self.asked: dict[int, list[str]] = {}

    async def ask(self, questions: list[str], rng: random.Random) -> None:
        """Open the page and ask each question in turn, waiting for its answer."""
        self._villagers.talking += 1
        try:
            await asyncio.sleep(rng.uniform(0, LATE_START))
            async with web_visitor(self._bot.address) as visitor:
                await self._patiently(visitor, visitor.open)
                asked = self.asked.setdefault(visitor.chat_id, [])
                for question in questions:
                    await asyncio.sleep(rng.uniform(*QUESTIONER_THINKING))
                    key = secrets.token_hex(16)
                    await self._patiently(visitor, partial(visitor.say, question, key))
                    asked.append(question)
                    title = f"【{QUESTIONS[question]}】"
                    await self._patiently(visitor, partial(visitor.bot_message, title))
        finally:
            self._villagers.talking -= 1

    async def _patiently(self, visitor: WebVisitor, step: Callable[[], Awaitable[object]]) -> None:
        """Do ``step`` as the page does: again after a failure, at the server now running."""
        async with asyncio.timeout(STEP_TIMEOUT * 2):
            while True:
                visitor.base = self._bot.address
                try:
                    await step()
                except aiohttp.ClientError:
                    await asyncio.sleep(POLL_SECONDS * 10)
                else:
                    return


class Killer:
    """Kills the bot at chosen moments while villagers talk to it, and starts it again.

    The moments around a reply use the local Bot API's fault injection: the reply's call is held
    without an answer (after taking effect, or before), and the bot is killed while it waits.
    """

    def __init__(
        self, bot: BotProcess, api: LocalBotApi, villagers: Villagers, engine: AsyncEngine
    ) -> None:
        self._bot = bot
        self._api = api
        self._villagers = villagers
        self._engine = engine
        self._faults = Faults().install(api)
        self.kills: list[Kill] = []

    async def run(self, rng: random.Random) -> None:
        """Kill once at each of :data:`MOMENTS`, in a random order, while villagers talk."""
        for moment in rng.sample(MOMENTS, len(MOMENTS)):
            await asyncio.sleep(rng.uniform(*UPTIME))
            if not self._villagers.talking:
                return
            held = await self._hold_a_reply(moment)
            await self._bot.kill()
            self.kills.append(await self._in_flight(moment, held))
            await self._bot.start()

    async def _hold_a_reply(self, moment: Moment) -> ApiCall | None:
        """Hold the next reply's call without an answer (once it took effect, if ``delivered``)."""
        if moment == "random":
            return None
        injected = self._faults.injected
        before = len(injected)
        self._faults.next("sendMessage", Fault("timeout", processed=moment == "delivered"))

        async def held() -> bool:
            if len(injected) == before:
                return False
            return moment == "undelivered" or sent_to(self._api, injected[-1].call) > 0

        await until(held, STEP_TIMEOUT, f"a reply held ({moment})")
        return injected[-1].call

    async def _in_flight(self, moment: Moment, held: ApiCall | None) -> Kill:
        outbox = await Outbox(self._engine).counts()
        return Kill(
            moment=moment,
            villagers_talking=self._villagers.talking,
            unconfirmed_updates=len(self._api.updates.pending),
            inbox_pending=await inbox_of(self._api, self._engine).count_pending(),
            outbox_pending=outbox.get(Delivery.PENDING, 0),
            held=held,
        )


def inbox_of(api: LocalBotApi, engine: AsyncEngine) -> Inbox:
    """The inbox of the bot ``api`` serves, with the chat page's updates."""
    return Inbox(engine, int(api.token.partition(":")[0]), also=(WEB_INBOX,))


def sent_to(api: LocalBotApi, call: ApiCall) -> int:
    """How many times the message of ``call`` is in its chat."""
    chat_id, text = call.params["chat_id"], call.params["text"]
    return sum(sent.message.get("text") == text for sent in api.world.chats[int(chat_id)].sent)


async def drained(api: LocalBotApi, engine: AsyncEngine) -> None:
    """Wait until every update is handled and every reply delivered."""
    inbox, outbox = inbox_of(api, engine), Outbox(engine)

    async def empty() -> bool:
        if api.updates.pending or await inbox.count_pending():
            return False
        return not (await outbox.counts()).get(Delivery.PENDING, 0)

    await until(empty, DRAIN_TIMEOUT, "inbox and outbox empty")


async def tickets_by_villager(engine: AsyncEngine) -> dict[int, list[tuple[str, str]]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(User.telegram_id, Ticket.number, Ticket.text).join(
                User, Ticket.villager_id == User.id
            )
        )
        found: dict[int, list[tuple[str, str]]] = {}
        for telegram_id, number, text in rows:
            found.setdefault(telegram_id, []).append((number, text))
        return found


def sent_texts(api: LocalBotApi, chat_id: int) -> list[str]:
    return [sent.message.get("text", "") for sent in api.world.chats[chat_id].sent]


async def test_killed_again_and_again_the_bot_loses_nothing_and_files_nothing_twice(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    questions = list(QUESTIONS)
    async with LocalBotApi() as api:
        bot_id = int(api.token.partition(":")[0])
        api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
        bot = BotProcess(api, tmp_path)
        engine = create_engine(bot.database_url)
        try:
            await bot.start()  # it creates and migrates the database
            villagers = Villagers(api)
            web_villagers = WebVillagers(bot, villagers)
            killer = Killer(bot, api, villagers, engine)
            async with asyncio.TaskGroup() as tasks:
                for index, user_id in enumerate(COMPLAINERS):
                    tasks.create_task(
                        villagers.complain(
                            user_id,
                            f"{STORIES[index]}（{user_id}）",
                            rng.choice(questions),
                            f"V{index % 8 + 1:02d}",
                            random.Random(f"{SEED}-{user_id}"),
                        )
                    )
                for user_id in QUESTIONERS:
                    tasks.create_task(
                        villagers.ask(
                            user_id,
                            rng.sample(questions, len(questions)),
                            random.Random(f"{SEED}-{user_id}"),
                        )
                    )
                for index in range(WEB_QUESTIONERS):
                    tasks.create_task(
                        web_villagers.ask(
                            rng.sample(questions, WEB_QUESTIONS), random.Random(f"{SEED}-w{index}")
                        )
                    )
                tasks.create_task(killer.run(random.Random(SEED)))
            await drained(api, engine)
            assert await bot.stop() == 0

            kills = killer.kills
            assert sorted(kill.moment for kill in kills) == sorted(MOMENTS), kills
            assert all(kill.villagers_talking for kill in kills), kills
            for kill in kills:
                if kill.held is not None:
                    assert kill.outbox_pending, kill  # the held reply, at least
                if kill.moment == "delivered":
                    # It arrived, but the bot never heard so: the next one sends it again.
                    assert kill.held is not None and sent_to(api, kill.held) >= 2, kill
                if kill.moment == "undelivered":
                    assert kill.held is not None and sent_to(api, kill.held) >= 1, kill

            tickets = await tickets_by_villager(engine)
            assert sorted(tickets) == sorted(COMPLAINERS)
            staff_texts = sent_texts(api, STAFF_CHAT_ID)
            for index, user_id in enumerate(COMPLAINERS):
                [(number, text)] = tickets[user_id]
                assert f"{STORIES[index]}（{user_id}）" in text
                assert villagers.numbers[user_id] == number
                assert any(t.startswith(f"📋 工单 {number}｜待受理") for t in staff_texts), number

            for user_id in (*COMPLAINERS, *QUESTIONERS):
                received = sent_texts(api, user_id)
                asked = [
                    m["text"]
                    for m in api.world.chats[user_id].messages.values()
                    if m.get("from", {}).get("id") == user_id and m.get("text") in QUESTIONS
                ]
                assert asked, user_id
                for question in asked:
                    title = f"【{QUESTIONS[question]}】"
                    assert any(t.startswith(title) for t in received), (user_id, question)

            web_chats = WebChats(engine)
            assert len(web_villagers.asked) == WEB_QUESTIONERS
            for chat_id, asked in web_villagers.asked.items():
                shown = [e.payload for e in await web_chats.events(chat_id, 0)]
                assert all(e.kind is EventKind.MESSAGE for e in await web_chats.events(chat_id, 0))
                mine = [m["text"] for m in shown if m["from"]["id"] == chat_id]
                assert mine == asked, chat_id  # each stored once, in order
                for question in asked:
                    title = f"【{QUESTIONS[question]}】"
                    answers_shown = [m for m in shown if m.get("text", "").startswith(title)]
                    assert len(answers_shown) == 1, (chat_id, question)

            assert await inbox_of(api, engine).count_pending() == 0
            assert (await Outbox(engine).counts()).get(Delivery.PENDING, 0) == 0
        except Exception:
            print(bot.logs())  # shown by pytest with the failure
            raise
        finally:
            await bot.close()
            await engine.dispose()
