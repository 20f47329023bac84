import pytest
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot.api_calls import call
from bot.local_api import LocalBotApi

VILLAGER = 1001


async def test_a_call_by_name_returns_the_raw_result(
    api: LocalBotApi, direct_bot: ExtBot[None]
) -> None:
    await api.user(VILLAGER, "张三").send("你好")
    sent = await call(direct_bot, "sendMessage", {"chat_id": VILLAGER, "text": "您好"})
    # JSON as Telegram sent it, not a telegram.Message: the relay stores nothing of it.
    assert isinstance(sent, dict)
    assert sent["text"] == "您好"
    updates = await call(direct_bot, "getUpdates", {"timeout": 0}, read_timeout=5)
    assert [update["message"]["text"] for update in updates] == ["你好"]


async def test_refusals_are_raised_as_telegram_errors(
    api: LocalBotApi, direct_bot: ExtBot[None]
) -> None:
    api.user(VILLAGER, "张三")
    with pytest.raises(Forbidden):
        await call(direct_bot, "sendMessage", {"chat_id": VILLAGER, "text": "您好"})
    with pytest.raises(BadRequest, match="Chat not found"):
        await call(direct_bot, "sendMessage", {"chat_id": 4242, "text": "您好"})
