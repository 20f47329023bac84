"""The chat page end to end: a browser's requests to the real server and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from yarl import URL

from bot.runners import web_server
from handlers.texts import answers
from handlers.texts import questions as texts
from tests.e2e.harness import CONSOLE_URL, BotHarness, running_bot
from tests.e2e.web_visitor import WebVisitor, web_visitor


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with running_bot(tmp_path) as harness:
        yield harness


@pytest.fixture
async def site(bot: BotHarness) -> AsyncIterator[URL]:
    async with web_server(
        bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
    ) as address:
        yield URL(address)


@pytest.fixture
async def visitor(site: URL) -> AsyncIterator[WebVisitor]:
    async with web_visitor(site) as browser:
        await browser.open()
        yield browser


async def test_a_first_visit_is_welcomed_with_the_menu(visitor: WebVisitor) -> None:
    await visitor.start()
    welcome = await visitor.bot_message("法律明白助手")
    labels = [b["text"] for row in welcome["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [texts.MENU_ASK, texts.MENU_TOPICS, texts.MENU_MY_TICKETS, texts.MENU_STAFF]
    # The visitor's /start is not shown: only what the bot said.
    assert [e["payload"]["from"]["id"] for e in visitor.seen] != [visitor.chat_id]


async def test_a_question_gets_its_sourced_answer(visitor: WebVisitor) -> None:
    await visitor.say("离婚冷静期多长时间")
    answer = await visitor.bot_message("【离婚冷静期是多长时间？")
    assert "\n" + answers.SOURCES_LABEL + "民法典第1077" in answer["text"]
    mine = [m for m in visitor.messages.values() if m["from"]["id"] == visitor.chat_id]
    assert [m["text"] for m in mine] == ["离婚冷静期多长时间"]
