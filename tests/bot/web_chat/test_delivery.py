"""Deliveries to the chat page (:mod:`bot.web_chat.delivery`): Telegram's rules, exactly once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import InputFile
from telegram.error import BadRequest

from bot.relay import NOT_MODIFIED
from bot.web_chat.delivery import WebDelivery
from intake.outbox import Letter
from intake.web_chat import EventKind, WebChats

BOT = {"id": 42, "is_bot": True, "first_name": "明白"}
KEYBOARD = {"inline_keyboard": [[{"text": "👍 有用", "callback_data": "rate:up"}]]}


class Chat:
    """A web chat and what the relay hands the delivery for it."""

    def __init__(self, delivery: WebDelivery, chat_id: int) -> None:
        self.delivery = delivery
        self.chat_id = chat_id
        self.next_id = 1

    def letter(self, method: str, **params: Any) -> Letter:
        self.next_id += 1
        return Letter(self.next_id, self.chat_id, method, params, 0, None)

    async def call(self, method: str, **params: Any) -> Any:
        return await self.delivery.deliver(self.letter(method, chat_id=self.chat_id, **params))


@pytest.fixture
async def chats(engine: AsyncEngine) -> WebChats:
    return WebChats(engine)


@pytest.fixture
async def woken() -> list[int]:
    return []


@pytest.fixture
async def chat(chats: WebChats, woken: list[int]) -> Chat:
    async def fetch(file_id: str) -> tuple[bytes, str]:
        if file_id != "telegram-photo":
            raise LookupError(file_id)
        return b"\xff\xd8\xffphoto", "image/jpeg"

    visitor = await chats.new_visitor("a" * 64, None)
    return Chat(WebDelivery(chats, BOT, woken.append, fetch), visitor.chat_id)


async def test_a_message_is_shown_with_its_buttons_and_wakes_the_page(
    chat: Chat, chats: WebChats, woken: list[int]
) -> None:
    sent = await chat.call(
        "sendMessage", text="<b>您好</b>", parse_mode="HTML", reply_markup=json.dumps(KEYBOARD)
    )
    assert sent["text"] == "您好" and sent["entities"][0]["type"] == "bold"
    assert sent["from"] == BOT and sent["message_id"] == 1
    assert sent["reply_markup"] == KEYBOARD
    [event] = await chats.events(chat.chat_id, 0)
    assert (event.kind, event.payload) == (EventKind.MESSAGE, sent)
    assert woken == [chat.chat_id]


async def test_a_row_delivered_again_is_answered_from_what_was_shown(
    chat: Chat, chats: WebChats
) -> None:
    letter = chat.letter("sendMessage", chat_id=chat.chat_id, text="只显示一次")
    first = await chat.delivery.deliver(letter)
    assert await chat.delivery.deliver(letter) == first
    assert len(await chats.events(chat.chat_id, 0)) == 1


async def test_edits_follow_telegrams_rules(chat: Chat) -> None:
    sent = await chat.call("sendMessage", text="回答", reply_markup=json.dumps(KEYBOARD))
    edited = await chat.call("editMessageReplyMarkup", message_id=sent["message_id"])
    assert "reply_markup" not in edited and edited["edit_date"]
    with pytest.raises(BadRequest, match=NOT_MODIFIED):
        await chat.call("editMessageReplyMarkup", message_id=sent["message_id"])
    changed = await chat.call("editMessageText", message_id=sent["message_id"], text="新的回答")
    assert changed["text"] == "新的回答"
    with pytest.raises(BadRequest, match="message to edit not found"):
        await chat.call("editMessageText", message_id=99, text="没有")
    with pytest.raises(BadRequest, match="message text is empty"):
        await chat.call("sendMessage", text="")


async def test_deletions_popups_and_unknown_methods(chat: Chat, chats: WebChats) -> None:
    sent = await chat.call("sendMessage", text="一会儿删掉")
    assert await chat.call("deleteMessage", message_id=sent["message_id"]) is True
    with pytest.raises(BadRequest, match="message to delete not found"):
        await chat.call("deleteMessage", message_id=sent["message_id"])
    popup = chat.letter("answerCallbackQuery", callback_query_id="web-1", text="谢谢您的反馈！")
    assert await chat.delivery.deliver(popup) is True
    assert await chat.call("sendChatAction", action="typing") is True
    with pytest.raises(BadRequest, match="not available in a web chat"):
        await chat.call("sendSticker", sticker="x")
    kinds = [e.kind for e in await chats.events(chat.chat_id, 0)]
    assert kinds == [EventKind.MESSAGE, EventKind.DELETE, EventKind.POPUP]


async def test_files_are_shown_from_the_page_or_fetched_from_telegram(
    chat: Chat, chats: WebChats
) -> None:
    own = await chats.add_file(chat.chat_id, "photo", "image/png", b"\x89PNG")
    shown = await chat.call("sendPhoto", photo=own, caption="您的照片")
    assert shown["photo"][-1]["file_id"] == own and shown["caption"] == "您的照片"
    fetched = await chat.call("sendPhoto", photo="telegram-photo")
    stored = await chats.file(fetched["photo"][-1]["file_id"])
    assert stored is not None and stored.content == b"\xff\xd8\xffphoto"
    assert stored.chat_id == chat.chat_id
    with pytest.raises(BadRequest, match="wrong file identifier"):
        await chat.call("sendPhoto", photo="unknown")


async def test_web_files_go_to_telegram_as_uploads(chat: Chat, chats: WebChats) -> None:
    photo = await chats.add_file(chat.chat_id, "photo", "image/jpeg", b"\xff\xd8\xff")
    method, params = await chat.delivery.to_telegram("sendPhoto", {"chat_id": -5, "photo": photo})
    assert method == "sendPhoto" and isinstance(params["photo"], InputFile)
    recording = await chats.add_file(chat.chat_id, "voice", "audio/webm", b"\x1a\x45\xdf\xa3")
    method, params = await chat.delivery.to_telegram("sendVoice", {"voice": recording})
    assert method == "sendDocument" and "voice" not in params
    assert isinstance(params["document"], InputFile)
    telegram = {"chat_id": -5, "photo": "AgACAgIAAx"}
    assert await chat.delivery.to_telegram("sendPhoto", telegram) == ("sendPhoto", telegram)
