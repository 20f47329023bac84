"""Greetings, thanks, "你是谁" and stickers: a friendly word, never an FAQ answer.

Which messages are small talk is data (``knowledge/intents.yaml``); a greeting followed by a
question ("你好，彩礼能退吗") is a question and goes on to :mod:`handlers.questions`.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from handlers.keyboards import buttons
from handlers.questions import PRIVATE_TEXT
from handlers.services import Services
from handlers.start import MENU
from handlers.texts import questions as texts
from knowledge.intents import Intent, classify

Context = ContextTypes.DEFAULT_TYPE

REPLIES = {
    Intent.GREETING: texts.GREETING,
    Intent.THANKS: texts.THANKS,
    Intent.IDENTITY: texts.IDENTITY,
}


class _SmallTalk(filters.MessageFilter):
    """Text messages that are small talk as a whole."""

    def filter(self, message: Message) -> bool:
        return message.text is not None and classify(message.text) in REPLIES


def smalltalk_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """Small talk and stickers in private chats."""
    return [
        MessageHandler(PRIVATE_TEXT & _SmallTalk(), _on_small_talk),
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.Sticker.ALL,
            _on_sticker,
        ),
    ]


async def _on_small_talk(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    intent = classify(message.text)
    # Whoever asks who the bot is also learns what it can do for them.
    markup = buttons(MENU) if intent is Intent.IDENTITY else None
    await message.chat.send_message(REPLIES[intent], reply_markup=markup)


async def _on_sticker(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.STICKER)
