"""The chat page end to end: a browser's requests to the real server and the real bot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from yarl import URL

from bot.runners import web_server
from bot.web_chat import texts as web_texts
from bot.web_chat.app import COOKIE
from handlers import draft
from handlers.staff.cards import Press, press_data
from handlers.texts import answers, guard
from handlers.texts import filing as filing_texts
from handlers.texts import mytickets as mytickets_texts
from handlers.texts import questions as texts
from handlers.texts import thread as thread_texts
from intake import AttachmentKind, Role, TicketKind
from intake.models import InboxUpdate
from intake.web_chat import WEB_CHAT_FIRST, WEB_INBOX
from tests.e2e.harness import CONSOLE_URL, BotHarness, running_bot
from tests.e2e.test_staff import NUMBER
from tests.e2e.test_ticket_thread import console_as
from tests.e2e.web_visitor import WebVisitor, web_visitor

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
STORY = "邻居家的牛把我家的青稞地踩坏了，他不肯赔。"


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


async def web_updates(bot: BotHarness) -> int:
    async with bot.runtime.services.intake.engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.bot_id == WEB_INBOX)
        )
    return int(count or 0)


async def file_from_the_web(visitor: WebVisitor) -> str:
    """The whole filing flow on the page, with a photo and a phone; returns the number."""
    await visitor.say("/file")
    kind = await visitor.bot_message(filing_texts.ASK_KIND[:6])
    await visitor.press_data(kind, draft.KIND_DATA + TicketKind.COMPLAINT)
    village = await visitor.bot_message(filing_texts.ASK_VILLAGE)
    await visitor.press(village, "示例村02")
    await visitor.bot_message(filing_texts.ASK_STORY[:8])
    await visitor.say(STORY)
    received = await visitor.bot_message(filing_texts.STORY_RECEIVED)
    uploaded = await visitor.upload("photo", JPEG)
    assert uploaded.status == 200
    received = await visitor.bot_message(filing_texts.STORY_RECEIVED)
    await visitor.press_data(received, draft.STORY_DONE)
    phone = await visitor.bot_message(filing_texts.ASK_PHONE[:8])
    keyboard = phone["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"]
    await visitor.share_phone("13800001234", "马大爷")
    await visitor.bot_message(filing_texts.PHONE_SAVED)
    summary = await visitor.bot_message("请核对")
    assert "照片1个" in summary["text"] and "尾号 1234" in summary["text"]
    await visitor.press_data(summary, draft.SUBMIT)
    filed = await visitor.bot_message("登记好了")
    found = NUMBER.search(filed["text"])
    assert found is not None
    return found.group()


async def test_a_first_visit_is_welcomed_with_the_menu(visitor: WebVisitor) -> None:
    assert WEB_CHAT_FIRST <= visitor.chat_id < 2**53
    await visitor.start()
    welcome = await visitor.reply()
    assert "法律明白助手" in welcome["text"]
    labels = [b["text"] for row in welcome["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [texts.MENU_ASK, texts.MENU_TOPICS, texts.MENU_MY_TICKETS, texts.MENU_STAFF]
    # His /start is not shown as his message: only what the bot said.
    assert all(e["payload"]["from"]["id"] != visitor.chat_id for e in visitor.seen)


async def test_a_question_gets_its_sourced_answer_and_a_rating(visitor: WebVisitor) -> None:
    await visitor.say("离婚冷静期多长时间")
    answer = await visitor.reply()
    assert answer["text"].startswith("【离婚冷静期是多长时间？")
    assert "\n" + answers.SOURCES_LABEL + "民法典第1077" in answer["text"]
    mine = [m for m in visitor.messages.values() if m["from"]["id"] == visitor.chat_id]
    assert [m["text"] for m in mine] == ["离婚冷静期多长时间"]

    await visitor.press(answer, texts.RATE_UP)
    assert await visitor.popup() == texts.THANKS_FOR_RATING
    edited = await visitor.edit()
    assert edited["message_id"] == answer["message_id"] and edited["edit_date"]
    labels = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert texts.RATE_UP not in labels and answers.ASK_STAFF in labels


async def test_an_unclear_question_offers_a_choice(visitor: WebVisitor) -> None:
    await visitor.say("彩礼")
    clarify = await visitor.reply()
    assert clarify["text"] == answers.CLARIFY_PROMPT
    first = clarify["reply_markup"]["inline_keyboard"][0][0]
    await visitor.press_data(clarify, first["callback_data"])
    answer = await visitor.reply()
    assert answer["text"].startswith(f"【{first['text']}】")


async def test_a_full_filing_with_a_photo_reaches_staff_and_their_reply_comes_back(
    bot: BotHarness, visitor: WebVisitor, site: URL
) -> None:
    number = await file_from_the_web(visitor)
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    ticket = await bot.intake.get_ticket(admin.id, number)
    assert ticket.village_code == "V02" and ticket.contact_phone == "13800001234"
    assert ticket.villager_name == "马大爷"
    assert [a.kind for a in ticket.attachments] == [AttachmentKind.PHOTO]
    card = await bot.staff_group.reply()
    assert card.text.startswith(f"📋 工单 {number}｜待受理")

    # Staff answer a web ticket exactly as a Telegram one.
    staff = await bot.staff(320001, "韩干事", Role.TOWNSHIP_OFFICER)
    await staff.callback_answer(await staff.press(card, press_data(Press.ACCEPT, number)))
    accepted = await visitor.bot_message(f"您反映的事情（工单 {number}）已经受理了")
    assert accepted["chat"]["id"] == visitor.chat_id
    [card] = await bot.staff_group.edits()
    written = await staff.reply_to(card, "已请村委会协调，邻居同意赔偿两袋青稞。")
    confirm = await bot.staff_group.reply()
    await staff.press(confirm, press_data(Press.SEND, str(written["message_id"])))
    replied = await visitor.bot_message(f"工单 {number} 有答复了")
    assert "邻居同意赔偿两袋青稞" in replied["text"]

    # 我的登记 on a later visit from the same phone (the same cookie).
    page = site / "chat/"
    cookie = visitor.http.cookie_jar.filter_cookies(page)[COOKIE].value
    async with web_visitor(site) as later:
        later.http.cookie_jar.update_cookies({COOKIE: cookie}, page)
        await later.open()
        assert later.chat_id == visitor.chat_id
        # The page shows the whole conversation again; the listing comes after it.
        history = await later.api_get("events", after="0", wait="0")
        assert [e["id"] for e in history["events"]] == [e["id"] for e in visitor.seen]
        later.after = visitor.after
        await later.say("/mytickets")
        listing = await later.bot_message(number)
        assert "已答复" in listing["text"]


async def test_files_cross_between_the_page_and_the_staff_group(
    bot: BotHarness, visitor: WebVisitor, site: URL
) -> None:
    number = await file_from_the_web(visitor)
    await bot.staff_group.reply()  # the card
    staff = await bot.staff(320001, "韩干事", Role.TOWNSHIP_OFFICER)
    async with console_as(bot, staff) as console:
        await console.act(number, "accept", "")
        await console.act(number, "request_more", "请拍一张借条的照片发过来。")
    await visitor.bot_message("请拍一张借条的照片发过来。")

    # His photo reaches the staff group as a photo: its bytes are uploaded to Telegram.
    assert (await visitor.upload("photo", JPEG)).status == 200
    passed_on = await bot.staff_group.reply()
    assert passed_on.text.startswith(
        thread_texts.STAFF_MORE_RECEIVED.format(number=number, name=web_texts.VISITOR_NAME)[:8]
    )
    stored = bot.api.world.files.get(passed_on.raw["photo"][-1]["file_id"])
    assert stored is not None and stored.content == JPEG

    # Staff see his photos in the console, which fetches them through the pipeline.
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    ticket = await bot.intake.get_ticket(admin.id, number)
    for attachment in ticket.attachments:
        assert await bot.pipeline.fetch_file(attachment.file_id) == JPEG


async def test_my_tickets_when_there_are_none(visitor: WebVisitor) -> None:
    await visitor.say("/mytickets")
    assert (await visitor.reply())["text"] == mytickets_texts.NONE_YET


async def test_one_visitor_never_sees_anothers_messages_or_files(
    visitor: WebVisitor, site: URL
) -> None:
    await visitor.say("离婚冷静期多长时间")
    answer = await visitor.reply()
    assert (await visitor.upload("photo", JPEG)).status == 200
    photo = await visitor.reply()  # the bot offers to file it
    mine = [m for m in visitor.messages.values() if "photo" in m]
    file_id = mine[0]["photo"][-1]["file_id"]
    async with web_visitor(site) as other:
        await other.open()
        assert other.chat_id != visitor.chat_id
        assert (await other.api_get("events", after="0", wait="0"))["events"] == []
        stolen = await other.http.get(site / "chat/api/files" / file_id)
        assert stolen.status == 404
        own = await visitor.http.get(site / "chat/api/files" / file_id)
        assert own.status == 200 and await own.read() == JPEG
        # Nor can he press the buttons under another's message.
        data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        pressed = await other.post("press", {"message_id": answer["message_id"], "data": data})
        assert pressed.status == 400
        assert (await pressed.json())["error"] == web_texts.BUTTON_GONE
    assert photo["chat"]["id"] == visitor.chat_id


async def test_a_post_without_the_csrf_token_is_refused(
    bot: BotHarness, visitor: WebVisitor
) -> None:
    refused = await visitor.post("send", {"text": "你好"}, csrf="forged")
    assert refused.status == 403
    assert (await refused.json())["error"] == web_texts.CSRF_FAILED
    assert await web_updates(bot) == 0


async def test_a_contact_needs_a_number_and_at_most_a_short_name(
    bot: BotHarness, visitor: WebVisitor
) -> None:
    empty = await visitor.post("contact", {"phone": " "})
    assert (empty.status, (await empty.json())["error"]) == (400, web_texts.PHONE_EMPTY)
    long = await visitor.post("contact", {"phone": "13800001234", "name": "马" * 65})
    assert long.status == 400
    assert (await long.json())["error"] == web_texts.NAME_TOO_LONG.format(limit=64)
    assert await web_updates(bot) == 0


async def test_a_post_sent_again_is_stored_once(bot: BotHarness, visitor: WebVisitor) -> None:
    body = {"key": "same-key-0001", "text": "离婚冷静期多长时间"}
    first = await visitor.post("send", body)
    again = await visitor.post("send", body)
    assert (await first.json())["new"] is True
    assert (await again.json())["new"] is False
    assert await web_updates(bot) == 1
    await visitor.reply()
    mine = [m for m in visitor.messages.values() if m["from"]["id"] == visitor.chat_id]
    assert len(mine) == 1


async def test_a_flood_is_refused_politely_with_the_wait(
    bot: BotHarness, visitor: WebVisitor
) -> None:
    limits = bot.runtime.services.intake_config.limits
    statuses = [
        (await visitor.post("send", {"text": f"第{n}条"})).status
        for n in range(2 * limits.messages)
    ]
    assert set(statuses) == {200}
    refused = await visitor.post("send", {"text": "还有一条"})
    assert refused.status == 429
    body = await refused.json()
    assert body["retry_after"] >= 1
    assert body["error"] == guard.RATE_LIMITED.format(
        window=limits.window_seconds, limit=limits.messages, seconds=body["retry_after"]
    )


async def test_uploads_are_type_checked_and_capped(bot: BotHarness, visitor: WebVisitor) -> None:
    wrong = await visitor.upload("photo", b"<html>not a photo</html>")
    assert wrong.status == 400
    assert (await wrong.json())["error"] == web_texts.FILE_WRONG_TYPE
    too_large = await visitor.upload("voice", b"OggS" + b"\x00" * (5 << 20))
    assert too_large.status == 413
    assert await web_updates(bot) == 0
    voice = await visitor.upload("voice", b"OggS" + b"\x00" * 100, duration="12")
    assert voice.status == 200
    await visitor.reply()
    [sent] = [m for m in visitor.messages.values() if "voice" in m]
    assert sent["voice"]["duration"] == 12 and sent["voice"]["mime_type"] == "audio/ogg"


async def test_the_qr_codes_village_is_remembered_in_the_session(site: URL) -> None:
    async with web_visitor(site) as browser:
        page = await browser.open(village="V03")
        assert re.search(r"HttpOnly", page.headers["Set-Cookie"], re.IGNORECASE)
        assert "samesite=lax" in page.headers["Set-Cookie"].lower()
        assert (await browser.api_get("session"))["village"] == "示例村03"
        await browser.open(village="nowhere")
        assert (await browser.api_get("session"))["village"] == "示例村03"
        # The QR code's address may leave out the last slash.
        async with browser.http.get(site / "chat" % {"v": "V04"}) as page:
            assert page.status == 200 and page.url.path == "/chat/"
        assert (await browser.api_get("session"))["village"] == "示例村04"


async def test_the_qr_codes_village_is_offered_first_and_spares_the_question(
    bot: BotHarness, site: URL
) -> None:
    async with web_visitor(site) as browser:
        await browser.open(village="V03")
        await browser.say("/file")
        kind = await browser.bot_message(filing_texts.ASK_KIND[:6])
        await browser.press_data(kind, draft.KIND_DATA + TicketKind.COMPLAINT)
        village = await browser.bot_message(filing_texts.ASK_VILLAGE)
        [own] = village["reply_markup"]["inline_keyboard"][0]
        assert own["text"] == filing_texts.OWN_VILLAGE.format(name="示例村03")
        assert own["callback_data"] == draft.VILLAGE_DATA + "V03"

    async with web_visitor(site) as browser:
        await browser.open(village="V04")
        await browser.say("离婚冷静期多长时间")
        answer = await browser.reply()
        await browser.press(answer, answers.ASK_STAFF)
        filed = await browser.bot_message(filing_texts.HANDED_OVER[:12])
        found = NUMBER.search(filed["text"])
        assert found is not None
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    ticket = await bot.intake.get_ticket(admin.id, found.group())
    assert ticket.village_code == "V04" and "离婚冷静期多长时间" in ticket.text


async def test_a_stopping_server_ends_its_long_polls_at_once(bot: BotHarness) -> None:
    loop = asyncio.get_running_loop()
    server = web_server(
        bot.pipeline, bot.runtime, host="127.0.0.1", port=0, console_url=CONSOLE_URL
    )
    address = await server.__aenter__()
    async with web_visitor(URL(address)) as browser:
        await browser.open()
        waiting = asyncio.create_task(browser.poll())
        await asyncio.sleep(0.3)
        started = loop.time()
        await server.__aexit__(None, None, None)
        assert loop.time() - started < 5.0
        assert await waiting == []
