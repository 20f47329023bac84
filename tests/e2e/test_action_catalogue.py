"""One catalogue of ticket actions, both staff tools: the Telegram staff group and the console.

Transcripts against the real Application: Telegram through the local Bot API over HTTP, the
console through the bot's own aiohttp server on a real port, logged in by a login link. Every
action of :data:`intake.actions.CATALOGUE` must be reachable in both.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from yarl import URL

from bot.console import issue_login_link
from bot.local_api import BotMessage, TelegramUser
from bot.runners import web_server
from handlers.staff.cards import Press, press_data
from handlers.texts import staff as texts
from intake import EventType, Level, NewTicket, Rating, Role, TicketKind, TicketState
from intake.actions import CATALOGUE, TicketAction
from intake.texts import PHONE_FEEDBACK_NOTE
from tests.e2e.harness import CONSOLE_URL, BotHarness

VILLAGER_ID = 340001
OFFICER_ID = 340002
GRID_WORKER_ID = 340003
STORY = "邻居盖牛圈占了我家的路，说了几次都不听。"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_FORMS = re.compile(r'id="action-([a-z_]+)"')
_ERROR = re.compile(r'<p class="error" role="alert"[^>]*>(.*?)</p>', re.S)


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马大姐")


async def villager_who_started(bot: BotHarness) -> TelegramUser:
    """The villager, having opened a chat with the bot (so that notices can reach them)."""
    user = villager(bot)
    await user.send_command("/start")
    await user.reply()
    return user


async def officer(bot: BotHarness) -> TelegramUser:
    return await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)


async def filed(bot: BotHarness, key: str) -> str:
    """A complaint from V01 filed straight into intake (nobody is told; ``/ticket`` shows it)."""
    person = await bot.intake.get_or_create_user(VILLAGER_ID, "马大姐")
    new = NewTicket(f"tg:catalogue:{key}", TicketKind.COMPLAINT, "相邻", STORY, "V01")
    return (await bot.intake.file_ticket(person.id, new)).ticket.number


async def card_of(bot: BotHarness, staff: TelegramUser, number: str) -> BotMessage:
    """The ticket's card, as ``/ticket`` shows it in the staff group."""
    await staff.send_to(bot.staff_group, f"/ticket {number}")
    card, _history = await bot.staff_group.replies(2)
    assert card.text.startswith(f"📋 工单 {number}")
    return card


async def press(user: TelegramUser, message: BotMessage, press: Press, number: str, arg=None):
    query = await user.press(message, press_data(press, number, arg))
    return await user.callback_answer(query)


async def answer_prompt(bot: BotHarness, staff: TelegramUser, text: str) -> BotMessage:
    """Reply to the prompt just sent to the staff group; return the bot's next message."""
    prompt = await bot.staff_group.reply()
    assert prompt.text.startswith("✍️"), prompt.text
    await staff.reply_to(prompt, text)
    return await bot.staff_group.reply()


async def admin_id(bot: BotHarness) -> int:
    return (await bot.intake.ensure_admin(bot.admin.user_id, "管理员")).id


async def state_of(bot: BotHarness, number: str) -> TicketState:
    return (await bot.intake.get_ticket(await admin_id(bot), number)).state


async def in_state(bot: BotHarness, number: str, state: TicketState) -> None:
    """Move a new ticket on by intake calls (as the admin, telling nobody) to ``state``."""
    admin = await admin_id(bot)
    steps = {
        TicketState.ACCEPTED: lambda: bot.intake.accept(admin, number),
        TicketState.ANSWERED: lambda: bot.intake.reply(admin, number, "已协调好了。"),
        TicketState.AWAITING_FEEDBACK: lambda: bot.intake.request_feedback(admin, number),
    }
    for step, run in steps.items():
        if await state_of(bot, number) is state:
            return
        await run()
        assert step is await state_of(bot, number)
    assert await state_of(bot, number) is state


# Telegram ---------------------------------------------------------------------------------------

_ORDER = (
    TicketState.NEW,
    TicketState.ACCEPTED,
    TicketState.ANSWERED,
    TicketState.AWAITING_FEEDBACK,
)


async def test_action_catalogue_every_action_has_a_working_button_in_telegram(
    bot: BotHarness,
) -> None:
    admin = bot.admin
    for index, entry in enumerate(CATALOGUE):
        number = await filed(bot, f"buttons-{index}")
        state = next(state for state in _ORDER if state in entry.states)
        await in_state(bot, number, state)
        if entry.code == "deescalate":
            await bot.intake.escalate(
                await admin_id(bot), number, reason="网格调解不成", to_level=Level.VILLAGE
            )
        card = await card_of(bot, admin, number)

        assert (await press(admin, card, Press.MORE, number)).text == texts.CHOOSE_ACTION
        [menu] = await bot.staff_group.edits()
        assert entry.label in menu.button_texts, (entry.code, menu.button_texts)
        answer = await press(admin, menu, Press(entry.code), number)

        assert not answer.show_alert, (entry.code, answer.text)
        assert answer.text not in (None, texts.STALE_BUTTON), entry.code
        await _drain(bot, entry, number)


async def _drain(bot: BotHarness, entry: TicketAction, number: str) -> None:
    """Read what the press sent to the staff group: a menu or the redrawn card, or a prompt."""
    if entry.code in _MENUS or not entry.inputs:
        await bot.staff_group.edits()
    else:
        prompt = await bot.staff_group.reply()
        assert prompt.text.startswith(f"✍️ 工单 {number}｜"), prompt.text


# Actions whose button first shows a menu of choices in place of the card's buttons.
_MENUS = ("reroute", "record_feedback")


async def test_action_catalogue_return_and_extend_from_telegram(bot: BotHarness) -> None:
    staff = await officer(bot)
    await villager_who_started(bot)
    number = await filed(bot, "return-extend")
    await in_state(bot, number, TicketState.ACCEPTED)
    card = await card_of(bot, staff, number)

    # 延期 asks for the days, then the reason; a bad number is refused and can be given again.
    await press(staff, card, Press.MORE, number)
    [menu] = await bot.staff_group.edits()
    assert {"延期", "退回分流"} <= set(menu.button_texts)
    assert "下派" not in menu.button_texts  # already at 网格
    assert (await press(staff, menu, Press.EXTEND, number)).text == texts.WRITE_IT
    prompt = await bot.staff_group.reply()
    assert "写上延期天数（1 到 30 天）" in prompt.text
    await staff.reply_to(prompt, "十五天")
    assert (await bot.staff_group.reply()).text == texts.DAYS_NOT_NUMBER
    await staff.reply_to(prompt, "45")
    assert (await bot.staff_group.reply()).text == "延期天数须在 1 到 30 天之间。"
    await staff.reply_to(prompt, "15")
    done = await answer_prompt(bot, staff, "需要等土地确权的结果。")
    assert done.text == f"已延期：工单 {number}"
    told = await villager(bot).reply()
    assert told.text.startswith(f"您的事情（工单 {number}）需要多一些时间办理，延长 15 天")
    assert "需要等土地确权的结果" in told.text
    assert await state_of(bot, number) is TicketState.EXTENDED
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜延期")

    # 退回 asks for the reason and puts the ticket back in triage, without telling the villager.
    card = await card_of(bot, staff, number)
    await press(staff, card, Press.MORE, number)
    [menu] = await bot.staff_group.edits()
    assert "延期" not in menu.button_texts  # only once
    assert (await press(staff, menu, Press.RETURN, number)).text == texts.WRITE_IT
    done = await answer_prompt(bot, staff, "不属于本网格，应由镇里重新分流。")
    assert done.text == f"已退回分流：工单 {number}"
    assert await state_of(bot, number) is TicketState.RETURNED
    history = await bot.intake.history(await admin_id(bot), number)
    assert history[-1].type is EventType.RETURNED
    assert history[-1].text == "不属于本网格，应由镇里重新分流。"
    assert villager(bot).unread == 0


async def test_action_catalogue_phone_feedback_from_telegram(bot: BotHarness) -> None:
    staff = await officer(bot)
    await villager_who_started(bot)
    number = await filed(bot, "phone-telegram")
    await in_state(bot, number, TicketState.AWAITING_FEEDBACK)

    # Waiting on the villager is still open: /tickets lists it, as the console's queue does.
    await staff.send_to(bot.staff_group, "/tickets")
    queue = await bot.staff_group.reply()
    assert f"{number}｜待回访" in queue.text

    card = await card_of(bot, staff, number)
    assert texts.BUTTON_PHONE_FEEDBACK in card.button_texts

    # 不满意 by phone: the reason is asked, then the ticket reopens as the villager's would.
    assert (await press(staff, card, Press.RECORD_FEEDBACK, number)).text == texts.CHOOSE_RATING
    [ratings] = await bot.staff_group.edits()
    assert ratings.button_texts == ["满意", "基本满意", "不满意", texts.BUTTON_BACK]
    answer = await press(staff, ratings, Press.RATING, number, Rating.DISSATISFIED.value)
    assert answer.text == texts.WRITE_IT
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "村民说牛圈还没拆。")
    sent = [message.text for message in await bot.staff_group.replies(2)]
    assert f"已回访评价、重新办理：工单 {number}" in sent
    assert any(text.startswith(f"📋 工单 {number}｜办理中\n{texts.CARD_REOPENED}") for text in sent)
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜办理中")
    assert (await villager(bot).reply()).text == texts.VILLAGER_FEEDBACK_RECORDED.format(
        number=number, rating="不满意"
    )
    assert await state_of(bot, number) is TicketState.IN_PROGRESS
    history = await bot.intake.history(await admin_id(bot), number)
    recorded = next(e for e in history if e.type is EventType.FEEDBACK_RECORDED)
    staff_user = await bot.intake.get_or_create_user(OFFICER_ID, "韩干事")
    assert recorded.actor_id == staff_user.id
    assert recorded.text == f"{PHONE_FEEDBACK_NOTE}：村民说牛圈还没拆。"

    # Answered again and called back: 满意 closes it at once.
    admin = await admin_id(bot)
    await bot.intake.reply(admin, number, "牛圈已经拆了。")
    await bot.intake.request_feedback(admin, number)
    card = await card_of(bot, staff, number)
    await press(staff, card, Press.RECORD_FEEDBACK, number)
    [ratings] = await bot.staff_group.edits()
    answer = await press(staff, ratings, Press.RATING, number, Rating.SATISFIED.value)
    assert answer.text == f"已回访评价、办结：工单 {number}"
    assert await state_of(bot, number) is TicketState.CLOSED

    # A villager pressing a staff rating button (from an old copy of the card) is turned away.
    stranger = bot.user(VILLAGER_ID + 9, "路人")
    data = press_data(Press.RATING, number, Rating.SATISFIED.value)
    answer = await stranger.callback_answer(await stranger.press(ratings, data, forged=True))
    assert answer.show_alert and answer.text == texts.NOT_STAFF.format(role="村民")


# The console ------------------------------------------------------------------------------------


@dataclass
class ConsoleClient:
    """A staff member's browser session on the bot's console, over real HTTP."""

    session: aiohttp.ClientSession
    base: str
    csrf: str = ""

    async def login(self, bot: BotHarness, telegram_id: int) -> None:
        link = await issue_login_link(bot.runtime.services, telegram_id, base_url=self.base)
        assert link is not None
        async with self.session.get(link) as page:
            csrf = _csrf(await page.text())
        form = {"csrf": csrf, "token": URL(link).query["token"]}
        async with self.session.post(f"{self.base}/login/link", data=form) as done:
            assert done.status == 200, await done.text()
            self.csrf = _csrf(await done.text())

    async def page(self, number: str) -> str:
        async with self.session.get(f"{self.base}/tickets/{number}") as page:
            assert page.status == 200
            return await page.text()

    async def act(self, number: str, action: str, **form: str) -> tuple[int, str]:
        data = {"csrf": self.csrf, **form}
        async with self.session.post(f"{self.base}/tickets/{number}/{action}", data=data) as done:
            return done.status, await done.text()


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, html[:500]
    return found.group(1)


def _error(html: str) -> str:
    found = _ERROR.search(html)
    return found.group(1) if found else ""


@pytest.fixture
async def console(bot: BotHarness) -> AsyncIterator[ConsoleClient]:
    """The console of the running bot, served by its aiohttp server on a free port."""
    async with (
        web_server(
            bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
        ) as address,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session,
    ):
        yield ConsoleClient(session, f"{address}/console")


async def test_action_catalogue_the_console_offers_every_action_it_may_take(
    bot: BotHarness, console: ConsoleClient
) -> None:
    await admin_id(bot)
    await console.login(bot, bot.admin.user_id)
    seen: set[str] = set()
    for state in _ORDER:
        number = await filed(bot, f"console-{state.value}")
        await in_state(bot, number, state)
        if state is TicketState.ACCEPTED:
            await bot.intake.escalate(
                await admin_id(bot), number, reason="网格调解不成", to_level=Level.VILLAGE
            )
        ticket = await bot.intake.get_ticket(await admin_id(bot), number)
        forms = set(_FORMS.findall(await console.page(number)))
        expected = {entry.code for entry in CATALOGUE if entry.applies(ticket)}
        assert forms == expected, state
        seen |= forms
    assert seen == {entry.code for entry in CATALOGUE}


async def test_action_catalogue_return_deescalate_and_reroute_from_the_console(
    bot: BotHarness, console: ConsoleClient
) -> None:
    await officer(bot)
    await console.login(bot, OFFICER_ID)
    number = await filed(bot, "console-routing")

    # 改派: the village is corrected while in triage.
    status, html = await console.act(number, "reroute", village_code="V03", reason="实际在三村")
    assert status == 200, _error(html)
    assert "已改派到其他村（社区）。" in html
    ticket = await bot.intake.get_ticket(await admin_id(bot), number)
    assert ticket.village_code == "V03"
    status, html = await console.act(number, "reroute", village_code="V999", reason="随便")
    assert status == 400 and "V999" in _error(html)

    # 下派: from 镇级研判 back to 村级调解, with a reason; a level that is not lower is refused.
    await in_state(bot, number, TicketState.ACCEPTED)
    await bot.intake.escalate(
        await admin_id(bot), number, reason="村里调不了", to_level=Level.TOWNSHIP
    )
    status, html = await console.act(number, "deescalate", to_level="department", reason="试试")
    assert status == 400 and "不能下派到「部门联动」" in _error(html)
    status, html = await console.act(
        number, "deescalate", to_level="village", reason="村里熟悉情况"
    )
    assert status == 200, _error(html)
    assert "已下派。" in html
    assert (await bot.intake.get_ticket(await admin_id(bot), number)).level is Level.VILLAGE

    # 退回: a reason is needed; with one, the ticket goes back to triage.
    status, html = await console.act(number, "return", reason="  ")
    assert status == 400 and "退回理由不能为空" in _error(html)
    status, html = await console.act(number, "return", reason="分错了，重新分流")
    assert status == 200, _error(html)
    assert "已退回分流。" in html
    assert await state_of(bot, number) is TicketState.RETURNED
    types = [e.type for e in await bot.intake.history(await admin_id(bot), number)]
    assert types[-3:] == [EventType.ESCALATED, EventType.DEESCALATED, EventType.RETURNED]
    assert villager(bot).unread == 0  # routing stays internal


async def test_action_catalogue_phone_feedback_from_the_console(
    bot: BotHarness, console: ConsoleClient
) -> None:
    await officer(bot)
    await console.login(bot, OFFICER_ID)
    await villager_who_started(bot)
    number = await filed(bot, "console-phone")
    await in_state(bot, number, TicketState.AWAITING_FEEDBACK)
    assert "record_feedback" in _FORMS.findall(await console.page(number))

    status, html = await console.act(number, "record_feedback")
    assert status == 400 and "请选择回访评价" in _error(html)
    status, html = await console.act(number, "record_feedback", rating="dissatisfied")
    assert status == 400 and "不满意的原因不能为空" in _error(html)
    assert await state_of(bot, number) is TicketState.AWAITING_FEEDBACK

    status, html = await console.act(
        number, "record_feedback", rating="dissatisfied", reason="路还是不通"
    )
    assert status == 200, _error(html)
    assert "已记录电话回访的评价。" in html
    assert (await villager(bot).reply()).text == texts.VILLAGER_FEEDBACK_RECORDED.format(
        number=number, rating="不满意"
    )
    assert await state_of(bot, number) is TicketState.IN_PROGRESS
    assert f"{PHONE_FEEDBACK_NOTE}：路还是不通" in html
    assert "韩干事（镇干部）" in html  # the recorder, in the history
