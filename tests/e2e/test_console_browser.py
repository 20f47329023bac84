"""The staff console in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Log in with a one-time link, open the queue, open a ticket, reply, close, download the Excel
file and save a screenshot. Skips, saying so, only where no Chromium is installed
(``.ci/install-chromium`` installs it).
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import BrowserContext, expect

from bot.console import build_console, issue_login_link
from handlers.notify import Notifier
from handlers.services import Services
from intake import (
    Attachment,
    AttachmentKind,
    EventType,
    IntakeService,
    Outcome,
    Role,
    Source,
    TicketState,
    create_engine,
    load_config,
    upgrade,
)
from intake.clock import utcnow
from intake.question_log import QuestionLog
from knowledge.service import Faq
from tests.e2e.chromium import chromium, needs_chromium
from tests.intake.conftest import new_ticket

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


pytestmark = needs_chromium


@dataclass
class Township:
    """The console on a real port, a ticket to handle and what the bot was told."""

    server: TestServer
    services: Services
    officer_telegram_id: int
    number: str
    notified: list[Outcome]


@pytest.fixture
async def township(tmp_path: Path) -> AsyncIterator[Township]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'mingbai.db'}")
    await upgrade(engine)
    config = load_config()
    intake = IntakeService(engine, config)
    admin = (await intake.ensure_admin(1, "管理员")).id
    officer = (await intake.get_or_create_user(2, "王镇长")).id
    villager = (await intake.get_or_create_user(3, "张三")).id
    await intake.set_role(admin, officer, Role.TOWNSHIP_OFFICER)
    ticket = new_ticket(
        text="邻居家盖房占了我家的路。<script>alert('x')</script>",
        attachments=(Attachment(AttachmentKind.PHOTO, "photo-1"),),
    )
    number = (await intake.file_ticket(villager, ticket)).ticket.number
    await intake.accept(officer, number)
    services = Services(
        faq=Faq.load(),
        intake=intake,
        intake_config=config,
        staff_chat_id=None,
        admin_ids=frozenset({1}),
        questions=QuestionLog(intake.engine),
        notifier_for=Notifier,
    )
    notified: list[Outcome] = []

    async def notify(outcome: Outcome) -> None:
        notified.append(outcome)

    async def fetch_file(file_id: str) -> bytes:
        return PNG

    app = web.Application()
    # The console's own address only decides whether cookies are Secure (not on plain http);
    # links are made below with the port the test server gets.
    app.add_subapp(
        "/console",
        build_console(
            services,
            notify=notify,
            fetch_file=fetch_file,
            secret_key=b"browser-test-secret-key",
            base_url="http://127.0.0.1/console",
        ),
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Township(server, services, 2, number, notified)
    finally:
        await server.close()
        await engine.dispose()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    async with chromium(tmp_path / "chromium-profile", {"width": 1280, "height": 900}) as context:
        yield context


async def test_a_staff_member_handles_a_ticket_in_the_browser(
    township: Township, browser: BrowserContext, tmp_path: Path
) -> None:
    base_url = str(township.server.make_url("/console"))
    link = await issue_login_link(
        township.services, township.officer_telegram_id, base_url=base_url
    )
    assert link is not None
    page = browser.pages[0] if browser.pages else await browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    # Log in by the link: the page asks for a click, then the queue opens.
    await page.goto(link)
    await page.click("#confirm-login")
    await expect(page).to_have_url(f"{base_url}/queue")
    await expect(page.locator("header")).to_contain_text("王镇长（镇干部）")

    # The queue lists the ticket; open it.
    await page.click(f"text={township.number}")
    await expect(page.locator("h1")).to_contain_text(f"工单 {township.number}")
    await expect(page.locator("#ticket-text")).to_contain_text("<script>alert('x')</script>")
    photo = page.locator("img.photo")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("image => image.naturalWidth") == 1

    # Reply, then close.
    await page.fill("#action-reply textarea[name=text]", "已经和邻居谈好，下周让出路来。")
    await page.click("#action-reply button[type=submit]")
    await expect(page.locator("#state")).to_have_text(TicketState.ANSWERED.label)
    await expect(page.locator(".notice")).to_contain_text("已答复")
    await page.fill("#action-close textarea[name=reason]", "村民电话确认，不需要回访。")
    await page.click("#action-close button[type=submit]")
    await expect(page.locator("#state")).to_have_text(TicketState.CLOSED.label)
    await expect(page.locator("#history")).to_contain_text("已经和邻居谈好")

    # The figures, and their Excel file.
    await page.click("#nav-figures")
    await expect(page.locator("#totals")).to_contain_text("受理件数")
    async with page.expect_download() as download_info:
        await page.click("#export-xlsx")
    download = await download_info.value
    workbook = tmp_path / download.suggested_filename
    await download.save_as(workbook)
    assert workbook.name.endswith(".xlsx")
    with zipfile.ZipFile(workbook) as archive:
        assert "xl/workbook.xml" in archive.namelist()
        assert "受理件数" in archive.read("xl/sharedStrings.xml").decode()

    screenshot = tmp_path / "console-figures.png"
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    assert dialogs == []  # the villager's <script> never ran
    told = [event.type for outcome in township.notified for event in outcome.events]
    assert told == [EventType.REPLIED, EventType.CLOSED]
    ticket = await township.services.intake.get_ticket(1, township.number)
    assert ticket.state is TicketState.CLOSED


async def test_the_queue_is_a_list_of_cards_on_a_phone(
    township: Township, browser: BrowserContext, tmp_path: Path
) -> None:
    intake = township.services.intake
    villager = (await intake.get_or_create_user(4, "李四")).id
    for text in ("邻居的树枝伸到我家院子里，落叶堵了水渠，商量了几次都不肯修剪。", "工资拖欠" * 30):
        await intake.file_ticket(villager, new_ticket(text=text))
    base_url = str(township.server.make_url("/console"))
    link = await issue_login_link(
        township.services, township.officer_telegram_id, base_url=base_url
    )
    assert link is not None
    page = await browser.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})

    await page.goto(link)
    await page.click("#confirm-login")
    await expect(page).to_have_url(f"{base_url}/queue")
    await expect(page.locator("#queue thead")).to_be_hidden()

    # Nothing is wider than the screen: no sideways scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    cards = page.locator("#queue tbody tr")
    assert await cards.count() == 3
    boxes = [await cards.nth(i).bounding_box() for i in range(3)]
    tops = []
    for box in boxes:
        assert box is not None
        # A card spans the screen, not a column of one character per line.
        assert box["x"] >= 0
        assert 300 <= box["width"] <= 390
        tops.append((box["y"], box["y"] + box["height"]))
    # The cards are stacked one under the other.
    assert all(bottom <= top for (_, bottom), (top, _) in itertools.pairwise(tops))
    # Each line shows its label next to the value, on one line for a short value.
    state = cards.nth(0).locator("td[data-label=状态]")
    label = await state.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"状态"'
    state_box = await state.bounding_box()
    assert state_box is not None and state_box["height"] < 40
    await expect(cards.nth(0).locator("a.ticket-link")).to_be_visible()

    screenshot = tmp_path / "console-queue-phone.png"
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


async def test_offline_intake_a_case_is_registered_in_the_browser(
    township: Township, browser: BrowserContext
) -> None:
    base_url = str(township.server.make_url("/console"))
    link = await issue_login_link(
        township.services, township.officer_telegram_id, base_url=base_url
    )
    assert link is not None
    page = browser.pages[0] if browser.pages else await browser.new_page()
    await page.goto(link)
    await page.click("#confirm-login")
    await expect(page).to_have_url(f"{base_url}/queue")

    await page.click("#nav-new-ticket")
    form = page.locator("#new-ticket")
    await form.locator("select[name=channel]").select_option(label="镇领导接访")
    await form.locator("input[name=leader]").fill("王镇长")
    await form.locator("input[name=villager_name]").fill("马老三")
    await form.locator("select[name=village]").select_option(value="V02")
    await form.locator("select[name=kind]").select_option(label="矛盾纠纷")
    await form.locator("select[name=category]").select_option(value="土地")
    await form.locator("textarea[name=text]").fill("承包地边界和邻居说不清。")
    await form.locator("button[type=submit]").click()

    # Refused for the missing day; what was typed is still there.
    await expect(page.locator("#error")).to_contain_text("镇领导接访需要填写接访日期")
    await expect(form.locator("input[name=villager_name]")).to_have_value("马老三")
    await expect(form.locator("select[name=village]")).to_have_value("V02")
    today = township.services.intake.deadlines.local_date(utcnow()).isoformat()
    await form.locator("input[name=reception_date]").fill(today)
    await form.locator("button[type=submit]").click()

    await expect(page.locator(".notice")).to_contain_text("已登记")
    await expect(page.locator("#reception")).to_have_text(f"王镇长，{today}")
    [filed] = [outcome.ticket for outcome in township.notified]
    assert (filed.source, filed.villager_name, filed.village_code) == (
        Source.RECEPTION,
        "马老三",
        "V02",
    )
