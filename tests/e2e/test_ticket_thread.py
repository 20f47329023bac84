"""A ticket's thread, end to end: staff ask for more, villagers' replies join their ticket.

Transcripts through the local Bot API over HTTP against the real Application; staff work in the
staff group and in the console, served by the bot's own web server.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from yarl import URL

from bot.console import issue_login_link
from bot.local_api import BotMessage, TelegramUser
from bot.runners import web_server
from handlers.callbacks import THREAD_CHOICE
from handlers.staff.cards import Press
from handlers.texts import filing as filing_texts
from handlers.texts import mytickets as mytickets_texts
from handlers.texts import staff as staff_texts
from handlers.texts import thread as texts
from intake import EventType, TicketState, Visibility
from tests.e2e.harness import CONSOLE_URL, BotHarness
from tests.e2e.test_filing import tell, up_to_the_story
from tests.e2e.test_staff import file_ticket, filed_with_card, officer, press, villager

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class ConsoleSession:
    """A staff member signed in to the running bot's console."""

    def __init__(self, client: aiohttp.ClientSession, address: str) -> None:
        self.client = client
        self.address = address
        self.csrf = ""

    async def page(self, number: str) -> str:
        async with self.client.get(f"{self.address}/console/tickets/{number}") as response:
            assert response.status == 200
            return await response.text()

    async def act(self, number: str, action: str, text: str) -> str:
        form = {"csrf": self.csrf, "text": text}
        url = f"{self.address}/console/tickets/{number}/{action}"
        async with self.client.post(url, data=form) as response:
            assert response.status == 200, await response.text()
            return await response.text()


@asynccontextmanager
async def console_as(bot: BotHarness, staff: TelegramUser) -> AsyncIterator[ConsoleSession]:
    """The bot's console on a free port, signed in with a one-time link as ``staff``."""
    runtime = bot.runtime
    async with (
        web_server(bot.pipeline, runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL) as at,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client,
    ):
        link = await issue_login_link(runtime.services, staff.user_id, base_url=CONSOLE_URL)
        assert link is not None
        session = ConsoleSession(client, at)
        async with client.get(at + URL(link).path_qs) as landing:
            csrf = _CSRF.search(await landing.text())
        assert csrf is not None
        form = {"csrf": csrf.group(1), "token": URL(link).query["token"]}
        async with client.post(f"{at}/console/login/link", data=form) as signed_in:
            found = _CSRF.search(await signed_in.text())
        assert found is not None
        session.csrf = found.group(1)
        yield session


async def accepted_ticket(bot: BotHarness) -> tuple[str, BotMessage, TelegramUser, BotMessage]:
    """A ticket filed by the villager and accepted in the staff group.

    Returns:
        The number, the card as edited, the officer and the villager's notice of acceptance.

    """
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    notice = await villager(bot).reply()
    assert notice.text.startswith(f"您反映的事情（工单 {number}）已经受理了")
    return number, card, staff, notice


async def thread_of(bot: BotHarness, number: str, *, as_villager: bool = False) -> list[str]:
    who = villager(bot).user_id if as_villager else bot.admin.user_id
    reader = await bot.intake.get_or_create_user(who, "")
    if not as_villager:
        reader = await bot.intake.ensure_admin(who, "管理员")
    return [m.text or "" for m in await bot.intake.thread(reader.id, number)]


async def test_ticket_thread_more_requested_reply_joins_and_staff_see_it(bot: BotHarness) -> None:
    number, _card, staff, _ = await accepted_ticket(bot)
    user = villager(bot)

    # The officer asks for the IOU in the console: not an answer, the ticket waits on the villager.
    async with console_as(bot, staff) as console:
        page = await console.act(number, "request_more", "请拍一张借条的照片发过来。")
        assert "已请村民补充材料" in page and 'id="waiting"' in page
        asked = await user.reply()
        assert asked.text.startswith(f"工单 {number}：为了办好您的事，工作人员请您补充材料")
        assert "请拍一张借条的照片发过来。" in asked.text
        ticket = await bot.intake.get_ticket(
            (await bot.intake.ensure_admin(bot.admin.user_id, "")).id, number
        )
        assert ticket.state is TicketState.ACCEPTED and ticket.answered_at is None

        # The villager's photo joins the ticket: no FAQ answer, no offer to file it.
        await user.send_photo(caption="借条在这，他借了三千块")
        assert (await user.reply()).text == texts.ADDED.format(number=number)
        passed_on = await bot.staff_group.reply()
        assert passed_on.text.startswith(
            texts.STAFF_MORE_RECEIVED.format(number=number, name="马大姐")
        )
        assert "借条在这，他借了三千块" in passed_on.text and "photo" in passed_on.raw
        assert passed_on.button_texts == [texts.BUTTON_THREAD, texts.BUTTON_SAY]

        page = await console.page(number)
        assert "借条在这，他借了三千块" in page and "/thread/" in page
        assert 'id="waiting"' not in page
    history = [e.type for e in await bot.intake.history(ticket.filed_by_id, number)]
    assert history[-2:] == [EventType.MORE_REQUESTED, EventType.MORE_RECEIVED]

    # In Telegram the holder reads the thread and writes back to the villager.
    await press(staff, passed_on, Press.THREAD)
    shown = await bot.staff_group.reply()
    assert shown.text.startswith(texts.THREAD_TITLE.format(number=number))
    assert "〔照片〕借条在这，他借了三千块" in shown.text
    assert "请拍一张借条的照片发过来。" in shown.text
    assert await press(staff, shown, Press.MESSAGE) == (staff_texts.WRITE_IT, False, None)
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "收到，我们明天上门核实。")
    assert (await bot.staff_group.reply()).text == f"已留言：工单 {number}"
    told = await user.reply()
    assert told.text.startswith(f"工单 {number}：工作人员给您留言")
    assert "收到，我们明天上门核实。" in told.text
    assert await thread_of(bot, number) == [
        "请拍一张借条的照片发过来。",
        "借条在这，他借了三千块",
        "收到，我们明天上门核实。",
    ]


async def test_ticket_thread_a_reply_to_a_bot_message_about_a_ticket_joins(bot: BotHarness) -> None:
    number, _, _, notice = await accepted_ticket(bot)
    user = villager(bot)

    await user.reply_to(notice, "邻居说牛不是他家的，村里老李看见了")

    assert (await user.reply()).text == texts.ADDED.format(number=number)
    passed_on = await bot.staff_group.reply()
    assert passed_on.text.startswith(
        texts.STAFF_VILLAGER_WROTE.format(number=number, name="马大姐")
    )
    assert await thread_of(bot, number) == ["邻居说牛不是他家的，村里老李看见了"]


async def test_ticket_thread_naming_the_number_joins(bot: BotHarness) -> None:
    number, _ = await filed_with_card(bot)
    user = villager(bot)

    await user.send(f"关于 {number}：对方今天又把牛赶进地里了")

    assert (await user.reply()).text == texts.ADDED.format(number=number)
    assert await thread_of(bot, number) == [f"关于 {number}：对方今天又把牛赶进地里了"]


async def test_ticket_thread_two_open_tickets_ask_which(bot: BotHarness) -> None:
    user = villager(bot)
    first = await file_ticket(user, "邻居家的牛把我家的青稞地踩坏了。")
    second = await file_ticket(user, "工地欠了我两个月工资。")

    await user.send("补充一下：老板姓王，电话打不通")
    which = await user.reply()

    assert which.text == texts.WHICH_TICKET
    assert [button.callback_data for row in which.buttons for button in row] == [
        THREAD_CHOICE + second,
        THREAD_CHOICE + first,
    ]
    await user.press(which, THREAD_CHOICE + second)
    assert (await user.reply()).text == texts.ADDED.format(number=second)
    assert await thread_of(bot, second) == ["补充一下：老板姓王，电话打不通"]
    assert await thread_of(bot, first) == []
    # A second tap finds nothing held.
    again = await user.press(which, THREAD_CHOICE + first)
    assert (await user.callback_answer(again)).text == texts.CHOICE_GONE


async def test_ticket_thread_supplement_and_my_tickets_make_no_duplicate(bot: BotHarness) -> None:
    user = villager(bot)
    number = await file_ticket(user)
    me = await bot.intake.get_or_create_user(user.user_id, "")

    await user.send("补充一下，对方答应月底赔")
    added = await user.reply()
    await user.send("我的登记")
    listing = await user.reply()

    assert added.text == texts.ADDED.format(number=number) and not added.buttons
    assert listing.text.startswith(mytickets_texts.HEADER) and number in listing.text
    assert len(await bot.intake.list_tickets(me.id)) == 1
    assert await thread_of(bot, number) == ["补充一下，对方答应月底赔"]


async def test_ticket_thread_internal_note_not_shown_to_villager(bot: BotHarness) -> None:
    number, card, staff, _ = await accepted_ticket(bot)
    user = villager(bot)

    # In Telegram: 对话 on the card, then 内部留言.
    await press(staff, card, Press.THREAD)
    shown = await bot.staff_group.reply()
    assert shown.text.endswith(texts.THREAD_EMPTY)
    await press(staff, shown, Press.INTERNAL)
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "对方是村干部的亲戚，注意回避")
    assert (await bot.staff_group.reply()).text == f"已留言：工单 {number}"
    await press(staff, card, Press.THREAD)
    marked = await bot.staff_group.reply()
    assert "（内部）：对方是村干部的亲戚，注意回避" in marked.text

    # In the console: another internal message, shown to staff marked 内部.
    async with console_as(bot, staff) as console:
        page = await console.act(number, "internal_message", "已电话联系派出所")
        assert "已添加内部留言" in page
        assert "对方是村干部的亲戚，注意回避" in page and "已电话联系派出所" in page
        assert page.count('class="staff internal"') == 2

    assert user.unread == 0
    assert await thread_of(bot, number, as_villager=True) == []
    staff_view = await bot.intake.thread(
        (await bot.intake.ensure_admin(bot.admin.user_id, "")).id, number
    )
    assert [m.visibility for m in staff_view] == [Visibility.INTERNAL, Visibility.INTERNAL]


async def test_ticket_thread_waits_while_the_villager_files_a_new_ticket(bot: BotHarness) -> None:
    number, *_ = await accepted_ticket(bot)
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    # Asked directly in intake: only the waiting matters here, not the notice.
    await bot.intake.request_more(admin.id, number, "请补充借条的照片。")
    user = villager(bot)

    # Filing comes first: the story goes into the new ticket, not the waiting one's thread.
    await up_to_the_story(user)
    received = await tell(user, "另外一件事：村口的路灯坏了半年了")
    assert received.text == filing_texts.STORY_RECEIVED
    assert await thread_of(bot, number) == ["请补充借条的照片。"]

    await user.send_command("/cancel")
    await user.reply()
    await user.send("借条找不到了，有转账记录")
    assert (await user.reply()).text == texts.ADDED.format(number=number)
