"""/forget: a villager erases his question history, after confirming.

The questions he asked and the ratings he gave go, and so does what the bot remembers of them
between messages; his tickets stay, being official records.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from handlers import callbacks, memory
from handlers.callbacks import exactly
from handlers.keyboards import keyboard
from handlers.replies import Choice
from handlers.services import Services
from handlers.start import PRIVATE_COMMAND
from handlers.texts import privacy as texts

Context = ContextTypes.DEFAULT_TYPE

YES = callbacks.FORGET + "yes"
NO = callbacks.FORGET + "no"


def forget_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/forget, and its two buttons."""

    async def on_yes(update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        count = await services.questions.forget(query.from_user.id)
        memory.forget_questions(context)
        await query.edit_message_text(texts.FORGOTTEN.format(count=count))

    return [
        CommandHandler("forget", _on_forget, PRIVATE_COMMAND),
        CallbackQueryHandler(on_yes, pattern=exactly(YES)),
        CallbackQueryHandler(_on_no, pattern=exactly(NO)),
    ]


async def _on_forget(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    choices = (Choice(texts.FORGET_YES, YES), Choice(texts.FORGET_NO, NO))
    await message.chat.send_message(texts.FORGET_CONFIRM, reply_markup=keyboard([choices]))


async def _on_no(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await query.edit_message_text(texts.NOT_FORGOTTEN)
