"""The chat page in a real headless Chromium at a phone's size (390×844), against the real bot.

A villager opens the QR code's address, asks, rates the answer, chooses from "您想问的是", sends a
photo, and what he typed is shown as text, never as HTML. Another records his story, hands it to
staff, reads their reply, and keeps talking through a restart of the server. Screenshots are kept
with the tests' files. Skips, saying so, only where no Chromium is installed
(``.ci/install-chromium``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, expect
from yarl import URL

from bot.runners import web_server
from handlers.texts import answers
from handlers.texts import filing as filing_texts
from handlers.texts import questions as texts
from handlers.texts import thread as thread_texts
from intake import AttachmentKind, Role, TicketKind
from tests.e2e.chromium import chromium, needs_chromium
from tests.e2e.harness import CONSOLE_URL, BotHarness, running_bot
from tests.e2e.test_console_browser import PNG
from tests.e2e.test_staff import NUMBER
from tests.e2e.test_ticket_thread import console_as

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def site(bot: BotHarness) -> AsyncIterator[str]:
    async with web_server(
        bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
    ) as address:
        yield address


@pytest.fixture
async def phone(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    async with chromium(tmp_path / "chromium-profile", PHONE) as context:
        yield context


async def test_a_villager_asks_rates_chooses_and_sends_a_photo_on_a_phone(
    site: str, phone: BrowserContext, tmp_path: Path
) -> None:
    page = await phone.new_page()
    await page.goto(f"{site}/chat?v=V02")
    await expect(page.locator("#village")).to_have_text("您的村：示例村02")
    bot = page.locator(".bubble.bot")
    await expect(bot.first).to_contain_text("法律明白助手")

    await page.locator("#text").fill("离婚冷静期多长时间")
    await page.locator("#text").press("Enter")
    answer = bot.filter(has_text="【离婚冷静期是多长时间？")
    await expect(answer).to_contain_text(answers.SOURCES_LABEL + "民法典第1077")
    await expect(page.locator(".bubble.mine")).to_have_text(["离婚冷静期多长时间"])

    await answer.get_by_role("button", name=texts.RATE_UP).click()
    await expect(page.locator("#notice")).to_have_text(texts.THANKS_FOR_RATING)
    await expect(answer.get_by_role("button", name=texts.RATE_UP)).to_have_count(0)
    await expect(answer).to_contain_text("（已更新）")

    await page.locator("#text").fill("彩礼")
    await page.get_by_role("button", name="发送", exact=True).click()
    clarify = bot.filter(has_text=answers.CLARIFY_PROMPT)
    choice = clarify.get_by_role("button").first
    chosen = await choice.text_content()
    await choice.click()
    await expect(bot.filter(has_text=f"【{chosen}】")).to_have_count(1)

    await page.locator("#photo").set_input_files(
        {"name": "借条.png", "mimeType": "image/png", "buffer": PNG}
    )
    await expect(page.locator(".bubble.mine img")).to_have_count(1)
    await expect(bot.last).not_to_contain_text("【")  # the bot answers the photo (offers filing)

    # What he types is shown as he typed it.
    await page.locator("#text").fill("<b>加粗</b><img src=x onerror=alert(1)>")
    await page.locator("#text").press("Enter")
    mine = page.locator(".bubble.mine").last
    await expect(mine).to_have_text("<b>加粗</b><img src=x onerror=alert(1)>")
    assert await mine.locator("b, img").count() == 0

    # Made for the phone: nothing wider than its screen.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot = tmp_path / "chat-page-phone.png"
    await page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


async def test_a_full_filing_with_a_photo_and_his_phone_in_the_browser(
    bot: BotHarness, site: str, phone: BrowserContext, tmp_path: Path
) -> None:
    page = await phone.new_page()
    await page.goto(f"{site}/chat/?v=V02")
    said = page.locator(".bubble.bot")
    await expect(said.first).to_contain_text("法律明白助手")

    await page.locator("#text").fill("/file")
    await page.locator("#text").press("Enter")
    kinds = said.filter(has_text=filing_texts.ASK_KIND[:6])
    await kinds.get_by_role("button", name=TicketKind.DISPUTE.label).click()
    villages = said.filter(has_text=filing_texts.ASK_VILLAGE)
    own = filing_texts.OWN_VILLAGE.format(name="示例村02")
    await villages.get_by_role("button", name=own).click()
    await expect(said.filter(has_text=filing_texts.ASK_STORY[:8])).to_have_count(1)
    await page.locator("#text").fill("邻居家的牛把我家的青稞地踩坏了，他不肯赔。")
    await page.locator("#text").press("Enter")
    received = said.filter(has_text=filing_texts.STORY_RECEIVED)
    await expect(received).to_have_count(1)
    await page.locator("#photo").set_input_files(
        {"name": "青稞地.png", "mimeType": "image/png", "buffer": PNG}
    )
    await expect(received).to_have_count(2)
    await received.last.get_by_role("button", name=filing_texts.STORY_DONE_BUTTON).click()

    # The contact button opens a form for his number, as Telegram's shares his own.
    await (
        page.locator("#keyboard")
        .get_by_role("button", name=filing_texts.SHARE_PHONE_BUTTON)
        .click()
    )
    await page.locator("#phone").fill("13800001234")
    await page.locator("#name").fill("马大爷")
    await page.get_by_role("button", name="发送手机号").click()
    summary = said.filter(has_text="请核对")
    await expect(summary).to_contain_text("照片1个")
    await expect(summary).to_contain_text("尾号 1234")
    await summary.get_by_role("button", name=filing_texts.CONFIRM_BUTTON).click()
    filed = said.filter(has_text="登记好了")
    await expect(filed).to_have_count(1)
    await page.screenshot(path=str(tmp_path / "chat-page-filed.png"), full_page=True)
    found = NUMBER.search(await filed.inner_text())
    assert found is not None
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    ticket = await bot.intake.get_ticket(admin.id, found.group())
    assert (ticket.villager_name, ticket.contact_phone) == ("马大爷", "13800001234")
    assert [a.kind for a in ticket.attachments] == [AttachmentKind.PHOTO]


async def test_a_villager_files_by_voice_reads_the_reply_and_talks_through_a_restart(
    phone: BrowserContext, tmp_path: Path
) -> None:
    async with running_bot(tmp_path / "bot") as bot:
        server = web_server(
            bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
        )
        address = await server.__aenter__()
        page = await phone.new_page()
        await page.goto(f"{address}/chat?v=V02")
        said = page.locator(".bubble.bot")
        await expect(said.first).to_contain_text("法律明白助手")

        record = page.locator("#record")
        await record.click()
        await expect(record).to_have_text("⏹ 说完了，发送录音")
        await page.wait_for_timeout(1500)
        await record.click()
        await expect(page.locator(".bubble.mine audio")).to_have_count(1)
        offer = said.filter(has_text=filing_texts.VOICE_OFFER[:10])
        await offer.get_by_role("button", name=filing_texts.VOICE_BUTTON).click()
        filed = said.filter(has_text=filing_texts.HANDED_OVER[:12])
        await expect(filed).to_have_count(1)
        found = NUMBER.search(await filed.inner_text())
        assert found is not None
        number = found.group()

        admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
        ticket = await bot.intake.get_ticket(admin.id, number)
        assert ticket.village_code == "V02"
        [voice] = ticket.attachments
        assert voice.kind is AttachmentKind.VOICE
        assert (await bot.pipeline.fetch_file(voice.file_id)).startswith(b"\x1a\x45\xdf\xa3")

        staff = await bot.staff(320001, "韩干事", Role.TOWNSHIP_OFFICER)
        async with console_as(bot, staff) as console:
            await console.act(number, "accept", "")
            await console.act(number, "reply", "已请村委会明天上门调解，请您在家等候。")
        await expect(said.filter(has_text="已请村委会明天上门调解")).to_have_count(1)

        # The server and the bot stop; he writes on, and his page sends it once they are back.
        port = URL(address).port
        await server.__aexit__(None, None, None)
        await bot.stop()
        await page.locator("#text").fill("邻居说明天下午在家")
        await page.locator("#text").press("Enter")
        await page.wait_for_timeout(2500)
        await bot.start()
        async with web_server(
            bot.pipeline, bot.runtime, host="127.0.0.1", port=port or 0, console_url=CONSOLE_URL
        ):
            # Within the hour after 找工作人员 his words join the ticket, once.
            added = said.filter(has_text=thread_texts.ADDED.format(number=number))
            await expect(added).to_have_count(1)
            mine = page.locator(".bubble.mine").filter(has_text="邻居说明天下午在家")
            await expect(mine).to_have_count(1)
            thread = await bot.intake.thread(admin.id, number)
            assert [m.text for m in thread].count("邻居说明天下午在家") == 1
            await page.screenshot(path=str(tmp_path / "chat-page-restart.png"), full_page=True)
