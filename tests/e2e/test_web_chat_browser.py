"""The chat page in a real headless Chromium at a phone's size (390×844), against the real bot.

A villager opens the QR code's address, asks, rates the answer, chooses from "您想问的是", sends a
photo, and what he typed is shown as text, never as HTML. A screenshot is kept with the test's
files. Skips, saying so, only where no Chromium is installed (``.ci/install-chromium``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, expect

from bot.runners import web_server
from handlers.texts import answers
from handlers.texts import questions as texts
from tests.e2e.chromium import chromium, needs_chromium
from tests.e2e.harness import CONSOLE_URL, running_bot
from tests.e2e.test_console_browser import PNG

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[str]:
    async with (
        running_bot(tmp_path) as bot,
        web_server(
            bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
        ) as address,
    ):
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
