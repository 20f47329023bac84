"""The outbox request: sending calls become outbox rows, reading calls reach the local Bot API."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.local_api import LocalBotApi
from bot.outbox_request import in_chat, queued, queueing_bot
from intake.database import unit_of_work
from intake.models import OutboxMessage
from intake.outbox import Delivery, Outbox

VILLAGER = 1001
GROUP = -1001000000001


@pytest.fixture
async def bot(api: LocalBotApi, engine: AsyncEngine) -> AsyncIterator[ExtBot[None]]:
    async with queueing_bot(
        api.token, Outbox(engine), base_url=api.base_url, base_file_url=api.base_file_url
    ) as bot:
        yield bot


async def rows(engine: AsyncEngine) -> list[tuple[int, str, dict[str, Any]]]:
    """The outbox as (chat, method, params), in the order queued."""
    async with AsyncSession(engine) as session:
        found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.chat_id, row.method, row.params) for row in found]


def calls_other_than_get_me(api: LocalBotApi) -> list[str]:
    return [call.method for call in api.calls if call.method != "getMe"]


def test_what_is_queued() -> None:
    for method in (
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "answerCallbackQuery",
        "copyMessage",
        "forwardMessage",
        "deleteMessage",
    ):
        assert queued(method), method
    for method in ("getMe", "getFile", "getChat", "getUpdates", "setWebhook", "deleteWebhook"):
        assert not queued(method), method


async def test_send_message_is_queued_with_json_parameters(
    bot: ExtBot[None], api: LocalBotApi, engine: AsyncEngine
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("投诉", callback_data="file")]])
    sent = await bot.send_message(
        VILLAGER, "<b>您好</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert await rows(engine) == [
        (
            VILLAGER,
            "sendMessage",
            {
                "chat_id": VILLAGER,
                "text": "<b>您好</b>",
                "parse_mode": "HTML",
                "reply_markup": {"inline_keyboard": [[{"text": "投诉", "callback_data": "file"}]]},
            },
        )
    ]
    # A stand-in: nothing has been sent yet, so there is no real message id.
    assert sent.message_id == 0
    assert sent.chat.id == VILLAGER
    assert sent.chat.type == Chat.PRIVATE
    assert sent.text == "<b>您好</b>"
    assert calls_other_than_get_me(api) == []


async def test_a_group_message_stands_in_as_a_group_message(
    bot: ExtBot[None], engine: AsyncEngine
) -> None:
    sent = await bot.send_message(GROUP, "新工单")
    assert sent.chat.id == GROUP
    assert sent.chat.type == Chat.SUPERGROUP
    assert await rows(engine) == [(GROUP, "sendMessage", {"chat_id": GROUP, "text": "新工单"})]


async def test_reply_text_queues_a_reply_in_the_message_chat(
    bot: ExtBot[None], engine: AsyncEngine
) -> None:
    asked = Message(
        7,
        datetime.now(UTC),
        Chat(VILLAGER, Chat.PRIVATE),
        from_user=User(VILLAGER, "张三", is_bot=False),
        text="彩礼能要回来吗",
    )
    asked.set_bot(bot)
    reply = await asked.reply_text("可以协商返还。", do_quote=True)
    assert reply.message_id == 0
    assert await rows(engine) == [
        (
            VILLAGER,
            "sendMessage",
            {"chat_id": VILLAGER, "text": "可以协商返还。", "reply_parameters": {"message_id": 7}},
        )
    ]


async def test_a_callback_answer_queues_in_the_lane_of_its_chat(
    bot: ExtBot[None], engine: AsyncEngine, api: LocalBotApi
) -> None:
    with in_chat(VILLAGER):
        assert await bot.answer_callback_query("1001-1", text="已收到") is True
    assert await rows(engine) == [
        (
            VILLAGER,
            "answerCallbackQuery",
            {"callback_query_id": "1001-1", "text": "已收到"},
        )
    ]
    assert calls_other_than_get_me(api) == []


async def test_edits_and_deletions_are_queued_and_answer_true(
    bot: ExtBot[None], engine: AsyncEngine
) -> None:
    assert await bot.edit_message_text("已处理", chat_id=VILLAGER, message_id=3) is True
    assert await bot.delete_message(VILLAGER, 4) is True
    assert await rows(engine) == [
        (VILLAGER, "editMessageText", {"chat_id": VILLAGER, "message_id": 3, "text": "已处理"}),
        (VILLAGER, "deleteMessage", {"chat_id": VILLAGER, "message_id": 4}),
    ]


async def test_reading_calls_reach_the_bot_api_at_once(
    bot: ExtBot[None], api: LocalBotApi, engine: AsyncEngine
) -> None:
    api.user(VILLAGER, "张三")
    me = await bot.get_me()
    chat = await bot.get_chat(VILLAGER)
    assert me.username == "mingbai_bot"
    assert chat.first_name == "张三"
    assert [call.method for call in api.calls_of("getChat")] == ["getChat"]
    assert await rows(engine) == []


async def test_a_call_with_a_file_to_upload_is_made_at_once(
    bot: ExtBot[None], api: LocalBotApi, engine: AsyncEngine
) -> None:
    await api.user(VILLAGER, "张三").send("表格")
    sent = await bot.send_document(VILLAGER, b"%PDF-1.4", filename="form.pdf")
    # Uploads cannot be stored as JSON; the real message comes back.
    assert sent.message_id > 0
    assert [call.status for call in api.calls_of("sendDocument")] == [200]
    assert await rows(engine) == []


async def test_queued_rows_roll_back_with_their_unit_of_work(
    bot: ExtBot[None], engine: AsyncEngine
) -> None:
    with pytest.raises(RuntimeError, match="handler failed"):
        async with unit_of_work(engine):
            await bot.send_message(VILLAGER, "工单号 2026-000001")
            raise RuntimeError("handler failed")
    async with unit_of_work(engine):
        await bot.send_message(VILLAGER, "工单号 2026-000002")
    assert await rows(engine) == [
        (VILLAGER, "sendMessage", {"chat_id": VILLAGER, "text": "工单号 2026-000002"})
    ]
    assert (await Outbox(engine).counts())[Delivery.PENDING] == 1


class UnreachableOutbox(Outbox):
    """An outbox whose database has gone away."""

    async def add(self, chat_id: int, method: str, params: dict[str, Any]) -> None:
        raise OperationalError("INSERT INTO outbox", {}, OSError("connection refused"))


async def test_a_database_failure_while_queueing_is_raised_as_itself(
    api: LocalBotApi, engine: AsyncEngine
) -> None:
    async with queueing_bot(
        api.token,
        UnreachableOutbox(engine),
        base_url=api.base_url,
        base_file_url=api.base_file_url,
    ) as bot:
        # Not a NetworkError: the processor rolls the batch back only for a storage error.
        with pytest.raises(OperationalError) as raised:
            await bot.send_message(VILLAGER, "工单号 2026-000001")
        assert isinstance(raised.value.orig, OSError)
        with pytest.raises(OperationalError):
            await bot.answer_callback_query("1001-1")
    assert await rows(engine) == []
