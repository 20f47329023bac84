"""/start, /help and /cancel outside a flow, in villagers' private chats.

/start registers the user, so that staff can give them a role (法律明白人, 网格员 …) afterwards.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from handlers import callbacks, memory
from handlers.callbacks import exactly
from handlers.keyboards import buttons
from handlers.replies import Choice
from handlers.services import Services
from handlers.texts import questions as texts

Context = ContextTypes.DEFAULT_TYPE

# Commands typed in a private chat; commands in groups are the staff's or not meant for the bot.
PRIVATE_COMMAND = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

MENU = (
    Choice(texts.MENU_ASK, callbacks.ASK),
    Choice(texts.MENU_TOPICS, callbacks.TOPICS),
    Choice(texts.MENU_MY_TICKETS, callbacks.MY_TICKETS),
    Choice(texts.MENU_STAFF, callbacks.FILE_TICKET),
)


def start_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/start, /help, and /cancel when no flow is under way (a flow handles its own /cancel)."""

    async def on_start(update: Update, context: Context) -> None:
        user = update.effective_user
        message = update.effective_message
        if user is None or message is None:
            return
        await services.intake.get_or_create_user(user.id, user.full_name)
        welcome = texts.WELCOME.format(days=services.questions.retention.days)
        await message.chat.send_message(welcome, reply_markup=buttons(MENU))

    return [
        CommandHandler("start", on_start, PRIVATE_COMMAND),
        CommandHandler("help", _on_help, PRIVATE_COMMAND),
        CommandHandler("cancel", _on_cancel, PRIVATE_COMMAND),
        CallbackQueryHandler(_on_ask, pattern=exactly(callbacks.ASK)),
    ]


async def _on_help(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.HELP, reply_markup=buttons(MENU))


async def _on_cancel(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.NOTHING_TO_CANCEL)


async def _on_ask(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    # Asking something new ends adding to the ticket just handed over (handlers.thread).
    memory.forget_handed_over(context)
    if query.message is not None:
        await query.message.chat.send_message(texts.ASK_PROMPT)
