"""Greetings, thanks, "你是谁" and stickers: a friendly word, never an FAQ answer.

Which messages are small talk is told by the understanding step (``knowledge/intents.yaml``); a
greeting followed by a question ("你好，彩礼能退吗") is a question. Text messages reach
:func:`reply_to_small_talk` from :mod:`handlers.questions`, which understands every message once.
"""

from __future__ import annotations

from typing import Any

from telegram import Chat, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from handlers.keyboards import buttons
from handlers.services import Services
from handlers.start import MENU
from handlers.texts import questions as texts
from knowledge.intents import Intent

Context = ContextTypes.DEFAULT_TYPE

REPLIES = {
    Intent.GREETING: texts.GREETING,
    Intent.THANKS: texts.THANKS,
    Intent.IDENTITY: texts.IDENTITY,
}


def smalltalk_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """Stickers in private chats (every area is composed with the services; this one needs none)."""
    return [
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.Sticker.ALL,
            _on_sticker,
        ),
    ]


async def reply_to_small_talk(chat: Chat, kind: Intent) -> None:
    """A friendly word for a kind of small talk (one of :data:`REPLIES`)."""
    # Whoever asks who the bot is also learns what it can do for them.
    markup = buttons(MENU) if kind is Intent.IDENTITY else None
    await chat.send_message(REPLIES[kind], reply_markup=markup)


async def _on_sticker(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.STICKER)
