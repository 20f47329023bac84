"""The chat page's store (:mod:`intake.web_chat`), on every backend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from intake import Attachment, AttachmentKind, IntakeService
from intake.inbox import Inbox
from intake.web_chat import (
    KEEP_POSTS,
    VISITOR_LIFE,
    WEB_CHAT_FIRST,
    WEB_CHAT_LAST,
    WEB_INBOX,
    WEB_UPDATE_FIRST,
    EventKind,
    WebChats,
    is_web_chat,
)
from tests.intake.conftest import FakeClock, file


def a_text(text: str) -> Any:
    def build(update_id: int, message_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        message = {"message_id": message_id, "text": text}
        return {"update_id": update_id, "message": message}, message

    return build


def test_web_chats_are_beyond_telegram_and_exact_in_javascript() -> None:
    assert is_web_chat(WEB_CHAT_FIRST) and is_web_chat(2**53 - 1)
    assert not is_web_chat(WEB_CHAT_LAST + 1)
    assert not is_web_chat(7_000_000_000) and not is_web_chat(-1001000000001)


async def test_a_visitor_is_found_by_his_token_hash_only(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    chats = WebChats(engine, clock=clock)
    first = await chats.new_visitor("a" * 64, "V01")
    second = await chats.new_visitor("b" * 64, None)
    assert is_web_chat(first.chat_id) and second.chat_id == first.chat_id + 1
    assert await chats.visitor("a" * 64) == first
    assert await chats.visitor("c" * 64) is None
    await chats.returned(second.chat_id, "V07")
    await chats.returned(second.chat_id, None)
    found = await chats.visitor("b" * 64)
    assert found is not None and found.village_code == "V07"


async def test_a_post_is_stored_once_with_its_update_and_shown_message(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    chats = WebChats(engine, clock=clock)
    chat_id = (await chats.new_visitor("a" * 64, None)).chat_id
    assert await chats.post(chat_id, "key-00001", a_text("你好"))
    assert not await chats.post(chat_id, "key-00001", a_text("又一次"))
    assert await chats.post(chat_id, "key-00002", a_text("还有"))

    pending = await Inbox(engine, WEB_INBOX).pending(10)
    assert [u.payload["message"]["text"] for u in pending] == ["你好", "还有"]
    assert all(u.update_id > WEB_UPDATE_FIRST for u in pending)
    assert pending[0].update_id < pending[1].update_id
    events = await chats.events(chat_id, 0)
    assert [(e.kind, e.payload["message_id"]) for e in events] == [
        (EventKind.MESSAGE, 1),
        (EventKind.MESSAGE, 2),
    ]
    assert await chats.next_message_id(chat_id) == 3


async def test_edits_deletions_and_redeliveries_are_kept_in_order(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    chats = WebChats(engine, clock=clock)
    chat_id = (await chats.new_visitor("a" * 64, None)).chat_id
    other = (await chats.new_visitor("b" * 64, None)).chat_id
    await chats.record(chat_id, EventKind.MESSAGE, {"message_id": 1, "text": "一"}, outbox_id=10)
    await chats.record(chat_id, EventKind.EDIT, {"message_id": 1, "text": "二"}, outbox_id=11)
    await chats.record(chat_id, EventKind.POPUP, {"text": "谢谢"}, outbox_id=12)
    assert await chats.message(chat_id, 1) == {"message_id": 1, "text": "二"}
    delivered = await chats.delivered(11)
    assert delivered is not None and delivered.kind is EventKind.EDIT
    assert await chats.delivered(13) is None

    await chats.record(chat_id, EventKind.DELETE, {"message_id": 1}, outbox_id=13)
    assert await chats.message(chat_id, 1) is None
    events = await chats.events(chat_id, 0)
    assert [e.kind for e in events] == [
        EventKind.MESSAGE,
        EventKind.EDIT,
        EventKind.POPUP,
        EventKind.DELETE,
    ]
    assert [e.id for e in await chats.events(chat_id, events[1].id)] == [e.id for e in events[2:]]
    assert await chats.events(other, 0) == []


async def test_files_are_kept_with_their_chat(engine: AsyncEngine, clock: FakeClock) -> None:
    chats = WebChats(engine, clock=clock)
    file_id = await chats.add_file(WEB_CHAT_FIRST + 1, "photo", "image/png", b"\x89PNG")
    stored = await chats.file(file_id)
    assert stored is not None
    assert (stored.chat_id, stored.kind, stored.mime_type, stored.content) == (
        WEB_CHAT_FIRST + 1,
        "photo",
        "image/png",
        b"\x89PNG",
    )
    assert file_id.startswith("web-") and await chats.file("web-nothing") is None


async def test_purge_keeps_a_chat_for_the_retention_and_a_tickets_files_for_good(
    engine: AsyncEngine, clock: FakeClock, service: IntakeService
) -> None:
    chats = WebChats(engine, clock=clock, retention=timedelta(days=30))
    chat_id = (await chats.new_visitor("a" * 64, "V01")).chat_id
    await chats.post(chat_id, "key-00001", a_text("牛踩了青稞"))
    filed = await chats.add_file(chat_id, "photo", "image/jpeg", b"\xff\xd8\xff")
    loose = await chats.add_file(chat_id, "photo", "image/jpeg", b"\xff\xd8\xff")
    villager = await service.get_or_create_user(chat_id, "访客")
    await file(service, villager.id, attachments=(Attachment(AttachmentKind.PHOTO, filed),))

    clock.advance(days=KEEP_POSTS.days + 1)
    assert await chats.purge() == 1  # the post's key only
    assert len(await chats.events(chat_id, 0)) == 1

    clock.advance(days=30)
    await chats.purge()
    assert await chats.events(chat_id, 0) == []
    assert await chats.message(chat_id, 1) is None
    assert await chats.file(loose) is None
    assert await chats.file(filed) is not None
    assert await chats.visitor("a" * 64) is not None

    await chats.returned(chat_id, None)
    clock.advance(days=VISITOR_LIFE.days - 1)
    await chats.purge()
    assert await chats.visitor("a" * 64) is not None
    clock.advance(days=2)
    await chats.purge()
    assert await chats.visitor("a" * 64) is None
    assert await chats.file(filed) is not None


async def test_a_visitors_village_is_his_home_until_he_files_elsewhere(
    engine: AsyncEngine, service: IntakeService
) -> None:
    chats = WebChats(engine)
    chat_id = (await chats.new_visitor("a" * 64, "V03")).chat_id
    assert await service.home_village(chat_id) == "V03"
    villager = await service.get_or_create_user(chat_id, "访客")
    assert await service.home_village(chat_id) == "V03"
    await file(service, villager.id, village_code="V05")
    assert await service.home_village(chat_id) == "V05"
    assert await service.home_village(WEB_CHAT_FIRST + 999) is None
