"""Two bot processes on one database: one leads, the other stands by and takes over.

Two ``mingbai run`` processes share an SQLite file, as two copies of the bot would (a second one
started by mistake, or a standby kept on purpose). Only the leader handles updates and delivers;
the standby's health check says it stands by. Villagers ask questions and file complaints while
the leader is killed with SIGKILL; the standby takes over within 10 s, and afterwards every
complaint is exactly one ticket, told to its villager and shown to staff, every question was
answered, and no reply came twice except those in flight at the kill (Telegram answers late, as
in ``test_duplicates``).
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import aiohttp

from bot.local_api import LocalBotApi
from bot.pipeline import Lead
from intake import create_engine
from intake.inbox import Inbox
from intake.outbox import Delivery, Outbox
from tests.e2e.harness import ADMIN_ID, STAFF_CHAT_ID
from tests.e2e.test_crash import (
    COMPLAINERS,
    QUESTIONERS,
    QUESTIONS,
    STEP_TIMEOUT,
    STORIES,
    BotProcess,
    Villagers,
    drained,
    sent_texts,
    tickets_by_villager,
    until,
)
from tests.e2e.test_duplicates import (
    RECORDED_WITHIN,
    LateAnswers,
    messages_delivered,
    messages_queued,
)

SEED = 5
TAKEOVER_SECONDS = 10.0
# The leader serves a while before it is killed, so that villagers are mid-conversation.
UPTIME = 2.0


async def lead_of(bot: BotProcess) -> str:
    """What the process's health check says of its lead, once it is healthy (``""`` before)."""
    async with aiohttp.ClientSession() as http, http.get(bot.health_url) as response:
        lead: str = (await response.json())["lead"]
        return lead if response.status == 200 else ""


async def test_leader_killed_mid_conversation_the_standby_takes_over_losing_and_doubling_nothing(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    questions = list(QUESTIONS)
    async with LocalBotApi() as api:
        bot_id = int(api.token.partition(":")[0])
        api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
        leader, standby = BotProcess(api, tmp_path, "leader"), BotProcess(api, tmp_path, "standby")
        engine = create_engine(leader.database_url)
        late = LateAnswers(api, SEED)
        in_flight_at_kill = 0
        takeover = 0.0
        try:
            await leader.start()  # it creates and migrates the database
            await standby.start()
            assert await lead_of(leader) == Lead.LEADER
            assert await lead_of(standby) == Lead.STANDBY
            villagers = Villagers(api)

            async def kill_the_leader() -> None:
                nonlocal in_flight_at_kill, takeover
                await asyncio.sleep(UPTIME)

                async def replying() -> bool:
                    return late.answered_while_out(RECORDED_WITHIN)

                await until(replying, STEP_TIMEOUT, "replies in flight")
                assert villagers.talking
                in_flight_at_kill = late.out()
                await leader.kill()
                loop = asyncio.get_running_loop()
                killed = loop.time()

                async def led() -> bool:
                    return await lead_of(standby) == Lead.LEADER

                await until(led, TAKEOVER_SECONDS, "the standby leading")
                takeover = loop.time() - killed

            async with asyncio.TaskGroup() as tasks:
                for index, user_id in enumerate(COMPLAINERS[:6]):
                    tasks.create_task(
                        villagers.complain(
                            user_id,
                            f"{STORIES[index]}（{user_id}）",
                            rng.choice(questions),
                            f"V{index % 8 + 1:02d}",
                            random.Random(f"{SEED}-{user_id}"),
                        )
                    )
                for user_id in QUESTIONERS[:4]:
                    tasks.create_task(
                        villagers.ask(
                            user_id,
                            rng.sample(questions, 3),
                            random.Random(f"{SEED}-{user_id}"),
                        )
                    )
                tasks.create_task(kill_the_leader())
            await drained(api, engine)
            assert await standby.stop() == 0

            assert 0 < takeover <= TAKEOVER_SECONDS
            tickets = await tickets_by_villager(engine)
            assert sorted(tickets) == sorted(COMPLAINERS[:6])
            staff_texts = sent_texts(api, STAFF_CHAT_ID)
            for index, user_id in enumerate(COMPLAINERS[:6]):
                [(number, text)] = tickets[user_id]
                assert f"{STORIES[index]}（{user_id}）" in text
                assert villagers.numbers[user_id] == number
                assert any(t.startswith(f"📋 工单 {number}｜待受理") for t in staff_texts), number
            for user_id in QUESTIONERS[:4]:
                received = sent_texts(api, user_id)
                assert sum(t.startswith("【") for t in received) >= 3, (user_id, received)
            duplicate_count = messages_delivered(api) - await messages_queued(engine)
            print(f"duplicate_count={duplicate_count} in_flight_at_kill={in_flight_at_kill}")
            assert 0 <= duplicate_count <= in_flight_at_kill
            assert await Inbox(engine, bot_id).count_pending() == 0
            assert (await Outbox(engine).counts()).get(Delivery.PENDING, 0) == 0
            assert "taking over" in standby.logs()
        except Exception:
            print(leader.logs(), standby.logs())  # shown by pytest with the failure
            raise
        finally:
            await standby.close()
            await leader.close()
            await engine.dispose()
