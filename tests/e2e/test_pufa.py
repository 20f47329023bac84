"""普法 on the township's days, end to end over HTTP: /dingyue and its topics, /tuiding, a
calendar day's push reaching each subscriber exactly once across a second run and a restart,
and an officer's extra push scheduled in the console, counted as delivered.

The tests run the broadcast job by hand, on clocks stopped at the township times they name; the
bot's own job first runs a minute after it starts, when each test is over.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.local_api import BotMessage, TelegramUser
from handlers.feedback_prompts import rating_data
from handlers.pufa import DONE, STOP_NO, STOP_YES, SUBSCRIBE, TOPIC, PufaJobs, push_text
from handlers.texts import pufa as texts
from intake import Rating, Role
from intake.clock import utcnow
from intake.subscriptions import Subscriptions
from knowledge.pufa import PufaDay
from tests.e2e.harness import BotHarness
from tests.e2e.test_feedback import feedback_request
from tests.e2e.test_filing import villager
from tests.e2e.test_offline_intake import ConsoleBrowser, console_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
VILLAGER_ID = 620001
NEIGHBOUR_ID = 620002
STRANGER_ID = 620003
OFFICER_ID = 620101
GRID_WORKER_ID = 620102
EVERY_TOPIC = [
    "✅ 婚恋家庭",
    "✅ 土地",
    "✅ 邻里",
    "✅ 消费",
    "✅ 禁毒",
    "✅ 综合（宪法、国家安全）",
    texts.DONE_BUTTON,
]


def at(hour: int, year: int = 2026, month: int = 6, day: int = 26) -> Callable[[], datetime]:
    """A clock stopped at a township time (in the past: the relay delivers what is due now)."""
    return lambda: datetime(year, month, day, hour, tzinfo=SHANGHAI)


def piece(bot: BotHarness, piece_id: str) -> PufaDay:
    found = bot.runtime.services.pufa.piece(piece_id)
    assert found is not None
    return found


async def subscribed(user: TelegramUser) -> BotMessage:
    """/dingyue: subscribed to every topic; returns the topic menu."""
    await user.send_command("/dingyue")
    menu = await user.reply()
    assert menu.text == texts.SUBSCRIBED
    assert menu.button_texts == EVERY_TOPIC
    return menu


async def untick(user: TelegramUser, menu: BotMessage, topic: str) -> BotMessage:
    await user.press(menu, TOPIC + topic)
    [edited] = await user.edits()
    return edited


async def test_pufa_dingyue_subscribes_to_every_topic_and_the_villager_chooses(
    bot: BotHarness,
) -> None:
    user = bot.user(VILLAGER_ID, "马大爷")
    menu = await subscribed(user)

    menu = await untick(user, menu, "land")
    menu = await untick(user, menu, "drugs")
    assert menu.button_texts[1] == "⬜ 土地" and menu.button_texts[4] == "⬜ 禁毒"
    await user.press(menu, DONE)
    [done] = await user.edits()
    assert done.text == texts.DONE.format(topics="婚恋家庭、邻里、消费、综合（宪法、国家安全）")
    assert done.button_texts == []

    # /dingyue again shows the choice kept, to change it.
    await user.send_command("/dingyue")
    again = await user.reply()
    assert again.text == texts.TOPICS
    assert again.button_texts[1] == "⬜ 土地"
    menu = await untick(user, again, "land")
    assert menu.button_texts[1] == "✅ 土地"
    subscriptions = Subscriptions(bot.intake.engine)
    assert await subscriptions.topics(VILLAGER_ID) == {
        "marriage",
        "land",
        "neighbor",
        "consumer",
        "general",
    }


async def test_pufa_the_last_topic_stays_and_stale_buttons_say_how_to_subscribe(
    bot: BotHarness,
) -> None:
    user = bot.user(VILLAGER_ID, "马大爷")
    await Subscriptions(bot.intake.engine).subscribe(VILLAGER_ID, ["land"])
    await user.send_command("/dingyue")
    menu = await user.reply()
    assert [t for t in menu.button_texts if t.startswith("✅")] == ["✅ 土地"]

    answer = await user.callback_answer(await user.press(menu, TOPIC + "land"))
    assert answer.show_alert and answer.text == texts.LAST_TOPIC
    assert await Subscriptions(bot.intake.engine).topics(VILLAGER_ID) == {"land"}

    await Subscriptions(bot.intake.engine).unsubscribe(VILLAGER_ID)
    answer = await user.callback_answer(await user.press(menu, TOPIC + "marriage"))
    assert answer.text == texts.NOT_SUBSCRIBED
    forged = await user.press(menu, TOPIC + "lottery", forged=True)
    assert (await user.callback_answer(forged)).text == texts.UNKNOWN_TOPIC


async def test_pufa_tuiding_asks_first_and_then_stops_everything(bot: BotHarness) -> None:
    user = bot.user(VILLAGER_ID, "马大爷")
    await user.send_command("/tuiding")
    assert (await user.reply()).text == texts.NOT_SUBSCRIBED

    await subscribed(user)
    await user.send_command("/tuiding")
    confirm = await user.reply()
    assert confirm.text == texts.UNSUBSCRIBE_CONFIRM
    assert confirm.button_texts == [texts.UNSUBSCRIBE_YES, texts.UNSUBSCRIBE_NO]
    await user.press(confirm, STOP_NO)
    assert (await user.edits())[0].text == texts.STILL_SUBSCRIBED
    assert await Subscriptions(bot.intake.engine).topics(VILLAGER_ID) is not None

    await user.send_command("/tuiding")
    confirm = await user.reply()
    await user.press(confirm, STOP_YES)
    assert (await user.edits())[0].text == texts.UNSUBSCRIBED
    assert await Subscriptions(bot.intake.engine).topics(VILLAGER_ID) is None

    # A 普法 day after that: nothing comes.
    await PufaJobs(bot.runtime.services, clock=at(10)).run(sender(bot))
    await asyncio.sleep(0.5)
    assert user.unread == 0


def sender(bot: BotHarness) -> SimpleNamespace:
    """The job's context: the running bot's queueing bot."""
    return SimpleNamespace(bot=bot.pipeline.sender)


async def test_pufa_a_calendar_day_reaches_each_subscriber_once_across_runs_and_a_restart(
    bot: BotHarness,
) -> None:
    user = bot.user(VILLAGER_ID, "马大爷")
    neighbour = bot.user(NEIGHBOUR_ID, "韩大妈")
    stranger = bot.user(STRANGER_ID, "路人")
    await subscribed(user)
    await untick(neighbour, await subscribed(neighbour), "drugs")
    await stranger.send_command("/start")
    await stranger.reply()

    # 6·26 before nine: not yet.
    await PufaJobs(bot.runtime.services, clock=at(8)).run(sender(bot))
    await asyncio.sleep(0.3)
    assert user.unread == 0

    await PufaJobs(bot.runtime.services, clock=at(10)).run(sender(bot))
    push = await user.reply()
    assert push.text == push_text(
        piece(bot, "drugs_day"), bot.runtime.services.faq.base.readable_laws
    )
    assert push.text.startswith("📢 6·26 国际禁毒日\n\n毒品一沾就难戒，害的是您自己")
    assert push.text.endswith("不想再收到普法消息，请发送 /tuiding 退订。")

    # Run again, restart, run again: nothing more, to anyone.
    await PufaJobs(bot.runtime.services, clock=at(11)).run(sender(bot))
    await bot.restart()
    await PufaJobs(bot.runtime.services, clock=at(12)).run(sender(bot))
    await asyncio.sleep(0.5)
    assert user.unread == 0
    assert neighbour.unread == 0  # unticked 禁毒
    assert stranger.unread == 0  # never subscribed


async def test_pufa_a_rating_offers_to_subscribe(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    await user.press(ask, rating_data(ticket.number, Rating.SATISFIED))
    thanks = await user.reply()
    assert thanks.button_texts == [texts.SUBSCRIBE_BUTTON]

    await user.press(thanks, SUBSCRIBE)
    menu = await user.reply()
    assert menu.text == texts.SUBSCRIBED and menu.button_texts == EVERY_TOPIC


async def test_pufa_a_useful_answer_offers_to_subscribe_until_subscribed(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send("离婚冷静期多长时间")
    answer = await user.reply()
    await user.press(answer, "rate:divorce.cooling_off:up")
    [rated] = await user.edits()
    await user.press(rated, SUBSCRIBE)
    menu = await user.reply()
    assert menu.text == texts.SUBSCRIBED and menu.button_texts == EVERY_TOPIC

    await user.send("离婚冷静期多长时间")
    answer = await user.reply()
    await user.press(answer, "rate:divorce.cooling_off:up")
    [rated] = await user.edits()
    assert texts.SUBSCRIBE_BUTTON not in rated.button_texts


DELIVERED = re.compile(
    r'<td class="planned">(\d+)</td>\s*<td class="delivered">(\d+)</td>\s*'
    r'<td class="failed">(\d+)</td>'
)


async def test_pufa_an_officer_schedules_an_extra_push_and_sees_it_delivered(
    bot: BotHarness,
) -> None:
    user = bot.user(VILLAGER_ID, "马大爷")
    neighbour = bot.user(NEIGHBOUR_ID, "韩大妈")
    await subscribed(user)
    await untick(neighbour, await subscribed(neighbour), "consumer")
    # Subscribed once, then blocked the bot (Telegram refuses to write to them).
    bot.user(STRANGER_ID, "路人")
    await Subscriptions(bot.intake.engine).subscribe(STRANGER_ID, ["consumer"])
    await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)
    await bot.staff(GRID_WORKER_ID, "网格员马", Role.GRID_WORKER, grid_code="G01")
    now = utcnow().astimezone(SHANGHAI)
    past = now - timedelta(hours=1)

    async with console_of(bot) as grid_worker:
        await grid_worker.login(bot, GRID_WORKER_ID)
        status, _ = await grid_worker.get("/broadcasts")
        assert status == 403

    async with console_of(bot) as browser:
        await browser.login(bot, OFFICER_ID)
        status, page = await browser.get("/broadcasts")
        assert status == 200 and "还没有推送" in page and "3·15 消费者权益日" in page

        status, _, page = await browser.post(
            "/broadcasts",
            {
                "piece": "consumer_day",
                "date": past.date().isoformat(),
                "time": past.strftime("%H:%M"),
            },
        )
        assert status == 400 and "已经过去了" in page
        status, _, page = await browser.post(
            "/broadcasts", {"piece": "lottery", "date": "2027-01-01", "time": "09:00"}
        )
        assert status == 400 and errors_of(page) == ["请从列表里选一段普法内容。"]
        status, _, page = await browser.post(
            "/broadcasts", {"piece": "consumer_day", "date": "明天", "time": "09:00"}
        )
        assert status == 400 and "请填写发送的日期和时间" in page
        status, _, _ = await browser.post(
            "/broadcasts",
            {"piece": "consumer_day", "date": "2027-01-01", "time": "09:00", "csrf": "forged"},
        )
        assert status == 403

        form = {
            "piece": "consumer_day",
            "date": now.date().isoformat(),
            "time": now.strftime("%H:%M"),
        }
        status, _, page = await browser.post("/broadcasts", form)
        assert status == 200 and "已安排" in page and "订阅「消费」" in page
        status, _, page = await browser.post("/broadcasts", form)
        assert "没有重复安排" in page

        await PufaJobs(bot.runtime.services).run(sender(bot))
        push = await user.reply()
        assert push.text == push_text(
            piece(bot, "consumer_day"), bot.runtime.services.faq.base.readable_laws
        )
        assert await counts_once_settled(browser) == ("2", "1", "1")
    # Who blocked the bot gets no more pushes (once the relay has reported the refusal).
    for _ in range(50):
        if await Subscriptions(bot.intake.engine).topics(STRANGER_ID) is None:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("a subscriber who blocked the bot is still subscribed")
    await asyncio.sleep(0.3)
    assert neighbour.unread == 0  # unticked 消费


def errors_of(page: str) -> list[str]:
    return re.findall(r'<p class="error" role="alert" id="error">([^<]*)</p>', page)


async def counts_once_settled(browser: ConsoleBrowser) -> tuple[str, ...]:
    """The broadcast's planned, delivered and failed counts, once every message is settled."""
    for _ in range(50):
        _, page = await browser.get("/broadcasts")
        found = DELIVERED.search(page)
        assert found is not None
        planned, delivered, failed = found.groups()
        if int(delivered) + int(failed) == int(planned):
            return planned, delivered, failed
        await asyncio.sleep(0.1)
    raise AssertionError("the broadcast's messages were not all settled")
