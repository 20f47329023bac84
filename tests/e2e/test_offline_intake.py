"""Every way a case arrives, end to end: staff registering offline cases in Telegram and in the
console (over HTTP, on the bot's own web server), the leaders' reception days, and a villager
applying to serve as a 法律明白人, approved in the console and counted in the service register.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import aiohttp
from yarl import URL

from bot.console import issue_login_link
from bot.local_api import BotMessage, TelegramUser
from bot.runners import web_server
from handlers import draft
from handlers.texts import filing as filing_texts
from handlers.texts import liaison as liaison_texts
from handlers.texts import offline as texts
from intake import Role, Source, TicketKind, TicketView
from intake.clock import utcnow
from tests.e2e.harness import ADMIN_ID, BotHarness
from tests.e2e.test_filing import choose, tell

OFFICER_ID = 510001
GRID_WORKER_ID = 510002
VILLAGER_ID = 510003
LIAISON_ID = 510004
STORY = "马家和韩家为宅基地边界吵了起来，想请镇里调解。"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


async def officer(bot: BotHarness) -> TelegramUser:
    return await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)


async def all_tickets(bot: BotHarness) -> list[TicketView]:
    admin = await bot.intake.ensure_admin(ADMIN_ID, "管理员")
    return list(await bot.intake.list_tickets(admin.id))


def township_today(bot: BotHarness) -> date:
    return bot.intake.deadlines.local_date(utcnow())


async def register_in_telegram(
    user: TelegramUser, channel: Source, details: list[str], name: str
) -> BotMessage:
    """/dengji → the channel → its details → the villager → 矛盾纠纷 → 本村 → 跳过 → the story.

    Returns:
        The summary.

    """
    await user.send_command("/dengji")
    ask = await user.reply()
    assert ask.text == texts.ASK_CHANNEL
    assert ask.button_texts == ["接待专窗", "电话登记", "镇领导接访", "网格排查"]
    step = await choose(user, ask, draft.CHANNEL_DATA + channel.value)
    for typed in details:
        step = await tell(user, typed)
    assert step.text == liaison_texts.ASK_NAME
    kind = await tell(user, name)
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.DISPUTE)
    phone = await choose(user, village, draft.VILLAGE_DATA + "V01")
    assert phone.text == liaison_texts.ASK_VILLAGER_PHONE
    story = await choose(user, phone, draft.SKIP_PHONE)
    assert story.text.startswith(filing_texts.ASK_STORY)
    received = await tell(user, STORY)
    return await choose(user, received, draft.STORY_DONE)


async def test_offline_intake_staff_register_each_channel_in_telegram(bot: BotHarness) -> None:
    user = await officer(bot)

    summary = await register_in_telegram(user, Source.WINDOW, [], "马大哥")
    assert "登记方式：接待专窗" in summary.text and "代办村民：马大哥" in summary.text
    filed = await choose(user, summary, draft.SUBMIT)
    [window] = await all_tickets(bot)
    assert filed.text.startswith(f"登记好了！编号是 {window.number}（接待专窗，村民 马大哥）")
    card = await bot.staff_group.reply()
    assert "来源：接待专窗　村民：马大哥" in card.text

    summary = await register_in_telegram(user, Source.PHONE, [], "韩大嫂")
    assert "登记方式：电话登记" in summary.text
    await choose(user, summary, draft.SUBMIT)
    await bot.staff_group.reply()

    # 镇领导接访: the leader, then a day that cannot be read, then 今天.
    await user.send_command("/dengji")
    ask = await user.reply()
    assert (await choose(user, ask, draft.CHANNEL_DATA + Source.RECEPTION)).text == (
        texts.ASK_LEADER
    )
    day = await tell(user, "王镇长")
    assert day.text == texts.ASK_RECEPTION_DAY
    assert day.button_texts == [texts.TODAY_BUTTON]
    await user.send("上周三")
    unread, again = await user.replies(2)
    assert unread.text.startswith("看不懂日期「上周三」")
    assert again.text == texts.ASK_RECEPTION_DAY
    await user.send(f"{township_today(bot).year + 1}-01-01")
    future, again = await user.replies(2)
    assert "还没到" in future.text and again.text == texts.ASK_RECEPTION_DAY
    name = await choose(user, again, draft.RECEPTION_TODAY)
    assert name.text == liaison_texts.ASK_NAME
    kind = await tell(user, "马奶奶")
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.DISPUTE)
    phone = await choose(user, village, draft.VILLAGE_DATA + "V01")
    assert phone.text == liaison_texts.ASK_VILLAGER_PHONE
    await user.send("139 0971 2345")
    _saved, story = await user.replies(2)
    assert story.text.startswith(filing_texts.ASK_STORY)
    received = await tell(user, STORY)
    summary = await choose(user, received, draft.STORY_DONE)
    today = township_today(bot).isoformat()
    assert f"接访：王镇长，{today}" in summary.text and "电话：尾号 2345" in summary.text
    await choose(user, summary, draft.SUBMIT)
    card = await bot.staff_group.reply()
    assert f"接访：王镇长，{today}" in card.text

    summary = await register_in_telegram(user, Source.GRID_PATROL, ["三组水渠边"], "韩老汉")
    assert "登记方式：网格排查" in summary.text and "排查地点：三组水渠边" in summary.text
    await choose(user, summary, draft.SUBMIT)
    assert "排查地点：三组水渠边" in (await bot.staff_group.reply()).text

    tickets = {ticket.villager_name: ticket for ticket in await all_tickets(bot)}
    assert {name: t.source for name, t in tickets.items()} == {
        "马大哥": Source.WINDOW,
        "韩大嫂": Source.PHONE,
        "马奶奶": Source.RECEPTION,
        "韩老汉": Source.GRID_PATROL,
    }
    reception = tickets["马奶奶"]
    assert (reception.reception_leader, reception.reception_date) == ("王镇长", township_today(bot))
    assert reception.contact_phone == "13909712345"
    assert tickets["韩老汉"].patrol_place == "三组水渠边"
    assert all(t.villager_id is None and t.text == STORY for t in tickets.values())


async def test_offline_intake_in_telegram_is_for_staff_only(bot: BotHarness) -> None:
    villager = bot.user(VILLAGER_ID, "马大姐")
    await villager.send_command("/dengji")
    assert (await villager.reply()).text == texts.NOT_OFFLINE_STAFF
    liaison = await bot.staff(LIAISON_ID, "李明白", Role.LIAISON, village_code="V01")
    await liaison.send_command("/dengji")
    assert (await liaison.reply()).text == texts.NOT_OFFLINE_STAFF
    # Staff who try the liaisons' command are pointed to theirs.
    staff = await officer(bot)
    await staff.send_command("/daiban 马六")
    assert (await staff.reply()).text == liaison_texts.STAFF_USE_DENGJI
    assert await all_tickets(bot) == []


# The console, over HTTP -------------------------------------------------------------------------


@dataclass
class ConsoleBrowser:
    """A browser on the bot's console: cookies kept, the session's CSRF token at hand."""

    http: aiohttp.ClientSession
    base: str
    csrf: str = ""

    async def login(self, bot: BotHarness, telegram_id: int) -> None:
        services = bot.runtime.services
        link = await issue_login_link(services, telegram_id, base_url=f"{self.base}/console")
        assert link is not None
        async with self.http.get(link) as page:
            csrf = _CSRF.search(await page.text())
        assert csrf is not None
        token = URL(link).query["token"]
        form = {"csrf": csrf.group(1), "token": token}
        async with self.http.post(f"{self.base}/console/login/link", data=form) as done:
            assert done.status == 200, await done.text()  # redirected to the queue
            self.csrf = _csrf_of(await done.text())

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}/console{path}") as response:
            return response.status, await response.text()

    async def get_bytes(self, path: str) -> tuple[int, bytes]:
        async with self.http.get(f"{self.base}/console{path}") as response:
            return response.status, await response.read()

    async def post(self, path: str, form: dict[str, str]) -> tuple[int, str, str]:
        data = {"csrf": self.csrf, **form}
        async with self.http.post(f"{self.base}/console{path}", data=data) as response:
            return response.status, str(response.url), await response.text()


def _csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


@asynccontextmanager
async def console_of(bot: BotHarness) -> AsyncIterator[ConsoleBrowser]:
    """The bot's own web server on a free port, and a browser with its own cookies."""
    async with (
        web_server(
            bot.pipeline,
            bot.runtime,
            host="127.0.0.1",
            port=0,
            console_url="http://127.0.0.1/console",
        ) as address,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        yield ConsoleBrowser(http, address)


def offline_form(key: str, **fields: str) -> dict[str, str]:
    values = {
        "form_key": key,
        "channel": Source.RECEPTION.value,
        "leader": "王镇长",
        "reception_date": "",
        "place": "",
        "villager_name": "马老三",
        "phone": "",
        "village": "V01",
        "kind": TicketKind.DISPUTE.value,
        "category": "土地",
        "text": STORY,
    }
    return values | fields


async def test_offline_intake_console_new_ticket_page(bot: BotHarness) -> None:
    await bot.staff(GRID_WORKER_ID, "网格员马", Role.GRID_WORKER, grid_code="G01")
    today = township_today(bot).isoformat()
    async with console_of(bot) as browser:
        await browser.login(bot, GRID_WORKER_ID)
        status, page = await browser.get("/tickets/new")
        assert status == 200 and 'id="nav-new-ticket"' in page
        key = _FORM_KEY.search(page)
        assert key is not None

        # A reception without its day: refused with the reason, everything typed kept.
        form = offline_form(key.group(1), phone="13909715678", consent="yes")
        status, _url, page = await browser.post("/tickets/new", form)
        assert status == 400
        assert "镇领导接访需要填写接访日期" in page
        assert 'value="马老三"' in page and STORY in page and 'value="13909715678"' in page
        assert '<option value="reception" selected>' in page
        # A phone without the villager's consent is refused too.
        form = offline_form(key.group(1), phone="13909715678", reception_date=today)
        status, _url, page = await browser.post("/tickets/new", form)
        assert status == 400 and "需要村民本人同意" in page
        assert await all_tickets(bot) == []

        form["consent"] = "yes"
        status, url, page = await browser.post("/tickets/new", form)
        [ticket] = await all_tickets(bot)
        assert status == 200 and url.endswith(f"/console/tickets/{ticket.number}?done=filed")
        assert "已登记。" in page and "王镇长" in page
        assert (ticket.source, ticket.reception_leader) == (Source.RECEPTION, "王镇长")
        assert (ticket.category, ticket.contact_phone) == ("土地", "13909715678")
        card = await bot.staff_group.reply()
        assert f"接访：王镇长，{today}" in card.text

        # The same form sent again (a double click) files nothing more.
        await browser.post("/tickets/new", form)
        assert len(await all_tickets(bot)) == 1

        patrol = offline_form("patrol-1", channel=Source.GRID_PATROL.value, place="")
        status, _url, page = await browser.post("/tickets/new", patrol)
        assert status == 400 and "排查地点不能为空" in page
        patrol["place"], patrol["leader"] = "三组水渠边", ""
        status, _url, page = await browser.post("/tickets/new", patrol)
        assert status == 200 and "三组水渠边" in page
        assert len(await all_tickets(bot)) == 2

        # Villagers cannot log in; a department cannot open the form.
        await bot.staff(OFFICER_ID, "民警", Role.DEPARTMENT, unit="派出所")
        await browser.login(bot, OFFICER_ID)
        status, page = await browser.get("/tickets/new")
        assert status == 403 and 'id="nav-new-ticket"' not in page


async def test_offline_intake_leader_reception_days_are_listed(bot: BotHarness) -> None:
    await officer(bot)
    today = township_today(bot)
    async with console_of(bot) as browser:
        await browser.login(bot, OFFICER_ID)
        for key, leader, day in [
            ("r1", "王镇长", today),
            ("r2", "王镇长", today),
            ("r3", "李书记", today),
            ("r4", "王镇长", date(today.year, 1, 1)),
        ]:
            form = offline_form(key, leader=leader, reception_date=day.isoformat())
            status, _url, page = await browser.post("/tickets/new", form)
            assert status == 200, page
        await browser.post("/tickets/new", offline_form("w1", channel="window", leader=""))

        status, page = await browser.get(f"/receptions?from={today.year}-01-01")
        assert status == 200
        days = re.findall(r"<tr><td>([\d-]+)</td><td>(.+?)</td><td>(\d+)</td></tr>", page)
        expected = [(today.isoformat(), "李书记", "1"), (today.isoformat(), "王镇长", "2")]
        if today != date(today.year, 1, 1):
            expected.append((f"{today.year}-01-01", "王镇长", "1"))
        assert days == expected
        leaders = re.findall(r"<tr><td>(.+?)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
        assert ("王镇长", str(len(expected) - 1), "3") in leaders
        assert 'id="reception-total">4<' in page

        status, page = await browser.get("/receptions?from=2026-13-01")
        assert status == 400 and "日期「2026-13-01」无效" in page


async def test_offline_intake_liaison_applies_is_approved_and_counted(bot: BotHarness) -> None:
    user = bot.user(LIAISON_ID, "小李")
    await user.send_command("/daiban 张大妈")
    refusal = await user.reply()
    assert refusal.text == liaison_texts.NOT_A_LIAISON and "/shenqing" in refusal.text

    await user.send_command("/shenqing 李明白")
    assert (await user.reply()).text == liaison_texts.APPLY_USAGE
    await user.send_command("/shenqing 李明白 示例村03 12345")
    assert (await user.reply()).text.startswith("电话号码格式不对")
    await user.send_command("/shenqing 李明白 示例村03 13909713333")
    assert (await user.reply()).text == liaison_texts.APPLIED.format(
        name="李明白", village="示例村03"
    )
    announced = await bot.staff_group.reply()
    assert announced.text == liaison_texts.NEW_APPLICATION.format(name="李明白", village="示例村03")
    assert "13909713333" not in announced.text
    await user.send_command("/shenqing 李明白 示例村03 13909713333")
    assert (await user.reply()).text.startswith("您的申请已经提交，正在等待管理员审核")

    await bot.intake.ensure_admin(ADMIN_ID, "管理员")
    async with console_of(bot) as browser:
        await browser.login(bot, ADMIN_ID)
        status, page = await browser.get("/liaisons")
        assert status == 200 and "李明白" in page and "13909713333" in page
        found = re.search(r'id="approve-(\d+)"', page)
        assert found is not None
        status, _url, page = await browser.post(
            "/liaisons", {"application": found.group(1), "decision": "approve"}
        )
        assert status == 200 and "李明白 的申请：已通过。" in page
        assert "没有待审核的申请。" in page

        # Now a liaison of 示例村03: files for a villager and asks a question.
        await user.send_command("/daiban 张大妈")
        kind = await user.reply()
        village = await choose(user, kind, draft.KIND_DATA + TicketKind.DISPUTE)
        assert village.button_texts[0] == "本村：示例村03"
        phone = await choose(user, village, draft.VILLAGE_DATA + "V03")
        story = await choose(user, phone, draft.SKIP_PHONE)
        assert story.text.startswith(filing_texts.ASK_STORY)
        summary = await choose(user, await tell(user, STORY), draft.STORY_DONE)
        await choose(user, summary, draft.SUBMIT)
        await user.send("离婚冷静期多长时间")
        await user.reply()

        month = township_today(bot).strftime("%Y-%m")
        status, page = await browser.get("/liaisons")
        assert status == 200
        assert (
            f"<tr><td>{month}</td><td>李明白</td><td>示例村03</td><td>1</td><td>1</td></tr>" in page
        )
        status, workbook = await browser.get_bytes("/liaisons/register.xlsx")
        assert status == 200
        with zipfile.ZipFile(io.BytesIO(workbook)) as opened:
            strings = opened.read("xl/sharedStrings.xml").decode()
        assert "法律明白人服务台账" in strings and "李明白" in strings
