"""What no other area took: unknown commands, edits, groups the bot does not serve, the rest.

These handlers come last. A villager's words are never dropped: an edited message is answered
as a new question; anything the bot cannot read gets a reply saying what it can read. Groups
other than the staff chat are not served: the bot stays silent there unless addressed, and then
asks to be written to privately, so that nobody's private matter is discussed in a group.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.questions import answer_question
from handlers.services import Services
from handlers.texts import questions as texts

Context = ContextTypes.DEFAULT_TYPE

PRIVATE = filters.ChatType.PRIVATE


def fallback_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The last handlers: each takes what every earlier area left."""

    async def on_edited(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        await message.chat.send_message(texts.EDITED)
        await answer_question(message.chat, context, services, message.text)

    async def on_group_message(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.chat.id == services.staff_chat_id:
            return
        if _addresses_bot(message, context):
            await message.reply_text(texts.GROUP_HINT)

    return [
        MessageHandler(
            PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND,
            on_edited,
        ),
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, _on_unknown_command),
        MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE, on_group_message),
        # Locations, polls, contacts outside a flow …; service messages need no answer.
        MessageHandler(
            PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, _on_unsupported
        ),
        CallbackQueryHandler(_on_stale_button),
        TypeHandler(Update, _ignore),
    ]


async def _on_unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.UNKNOWN_COMMAND)


async def _on_unsupported(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        await message.chat.send_message(texts.UNSUPPORTED_MESSAGE)


async def _on_stale_button(update: Update, context: Context) -> None:
    # Data no area recognises: an old keyboard from before an update of the bot, or forged.
    query = update.callback_query
    if query is not None:
        await query.answer(texts.STALE_BUTTON)


async def _ignore(update: Update, context: Context) -> None:
    """Take the update so that nothing else sees it; there is nothing to say."""


def _addresses_bot(message: Message, context: Context) -> bool:
    """Whether a group message mentions the bot, replies to it, or is a command for it."""
    bot = context.bot
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    text = (message.text or message.caption or "").casefold()
    if f"@{bot.username}".casefold() in text:
        return True
    return any(
        entity.type == MessageEntity.TEXT_MENTION
        and entity.user is not None
        and entity.user.id == bot.id
        for entity in (*message.entities, *message.caption_entities)
    )
