"""A local Telegram Bot API server and the users who talk to the bot through it.

It lets the real python-telegram-bot ``Application`` run without Telegram: ``mingbai run``
without a token chats through it, and the end-to-end tests drive the bot through it.
"""

from bot.local_api.errors import ApiError
from bot.local_api.faults import Fault, FaultKind, Faults, Injected
from bot.local_api.server import DEFAULT_TOKEN, Interceptor, LocalBotApi, fresh_token
from bot.local_api.state import ApiCall
from bot.local_api.users import (
    BotMessage,
    Button,
    CallbackAnswer,
    ChatView,
    GroupChat,
    Key,
    News,
    ReplyTimeout,
    TelegramUser,
    UserActionError,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "ChatView",
    "Fault",
    "FaultKind",
    "Faults",
    "GroupChat",
    "Injected",
    "Interceptor",
    "Key",
    "LocalBotApi",
    "News",
    "ReplyTimeout",
    "TelegramUser",
    "UserActionError",
    "fresh_token",
]
