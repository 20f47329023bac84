"""Villagers' messages in private chats: an answer, a choice of candidates, or a hand-over.

Every message is understood once (:meth:`knowledge.service.Faq.understand`) and acted on by
its kind: small talk gets a friendly word, a call for a person is offered a ticket, a message
about an earlier report is pointed to 我的登记. A message that asks for action (投诉, 请派人来,
到现在还没发 …) is offered a person at once: in the answer itself when the FAQ has one, else by a
ticket. The buttons here (:mod:`handlers.callbacks`): SHOW_FAQ shows an answer, DETAILS its
details, RATE_FAQ records 👍/👎, REPHRASE follows "换个说法"; 找工作人员 (TO_STAFF) is
:mod:`handlers.filing`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from handlers import callbacks
from handlers.callbacks import exactly, starts_with
from handlers.keyboards import buttons, send
from handlers.memory import remember_question, remember_shown
from handlers.pufa import subscribe_offer
from handlers.replies import DOWN, UP, Choice, answer_reply, details_reply, reply_to, to_staff
from handlers.services import Services
from handlers.smalltalk import REPLIES, reply_to_small_talk
from handlers.texts import answers
from handlers.texts import questions as texts
from knowledge.intents import Intent
from knowledge.normalize import normalize
from knowledge.schema import FaqEntry
from knowledge.understanding import Decision

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# A new text message (not an edit, not a command) in a villager's private chat with the bot.
PRIVATE_TEXT = (
    filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
)

FILE_TICKET = Choice(answers.FILE_TICKET, callbacks.FILE_TICKET)
MY_TICKETS = Choice(texts.MENU_MY_TICKETS, callbacks.MY_TICKETS)
REPHRASE = Choice(answers.REPHRASE, callbacks.REPHRASE)


def question_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """Free text in private chats, and the buttons of answers and hand-overs."""
    questions = _Questions(services)
    return [
        MessageHandler(PRIVATE_TEXT, questions.on_text),
        CallbackQueryHandler(questions.on_show_answer, pattern=starts_with(callbacks.SHOW_FAQ)),
        CallbackQueryHandler(questions.on_details, pattern=starts_with(callbacks.DETAILS)),
        CallbackQueryHandler(questions.on_rate, pattern=starts_with(callbacks.RATE_FAQ)),
        CallbackQueryHandler(
            _say_on_press(answers.REPHRASE_PROMPT), pattern=exactly(callbacks.REPHRASE)
        ),
    ]


async def answer_question(chat: Chat, context: Context, services: Services, text: str) -> None:
    """Answer a villager's message, offering a person when it asks for action.

    A message too long for a ticket is cut to its beginning and end (where villagers put the
    question) and answered from that, with a ticket offered, so that nothing is silently lost.
    """
    limit = services.intake_config.max_text_chars
    if len(text) > limit:
        text = shorten(text, limit)
        await chat.send_message(texts.LONG_MESSAGE, reply_markup=buttons([FILE_TICKET]))
    faq = services.faq
    result = faq.understand(text)
    # Before the check for emptiness: a lone 🙏 is thanks, though no word is left of it.
    if result.kind in REPLIES:
        await reply_to_small_talk(chat, result.kind)
        return
    if not normalize(text):
        await chat.send_message(answers.EMPTY_MESSAGE)
        return
    remember_question(context, text)
    best = result.best.id if result.decision is Decision.ANSWER and result.best else None
    await services.questions.record(
        chat.id, text, result.decision, best, [(c.id, c.score) for c in result.candidates]
    )
    if result.kind is Intent.ASKS_FOR_PERSON:
        await chat.send_message(texts.PERSON_OFFER, reply_markup=buttons([FILE_TICKET]))
        return
    if result.kind is Intent.ABOUT_TICKET:
        await chat.send_message(texts.ABOUT_TICKET, reply_markup=buttons([MY_TICKETS, FILE_TICKET]))
        return
    asks_for_action = result.kind is Intent.ACTION_REQUEST
    log.info(
        "question: %s, best %s, in scope %.2f, action %s",
        result.decision,
        result.best.id if result.best else "-",
        result.in_scope,
        asks_for_action,
    )
    if result.decision is Decision.ANSWER and result.best is not None:
        entry = faq.base.entry(result.best.id)
        await show_answer(chat, context, services, entry, offer=asks_for_action)
    elif asks_for_action:
        await chat.send_message(texts.ACTION_OFFER, reply_markup=buttons([FILE_TICKET]))
    else:
        await send(chat, reply_to(faq, result))


async def show_answer(
    chat: Chat, context: Context, services: Services, entry: FaqEntry, *, offer: bool = False
) -> None:
    """Send an FAQ answer with its buttons (:func:`handlers.replies.answer_reply`).

    ``offer`` adds a line offering a person, for a message that asks for action.
    """
    remember_shown(context, entry.id)
    village = await _village_for(chat, services, entry.answer)
    await send(chat, answer_reply(services.faq.base, entry, village, offer=offer))


async def _village_for(chat: Chat, services: Services, text: str) -> str | None:
    """The villager's village where the text names a village's own contacts, else ``None``.

    So that he reads his own committee and legal adviser; other texts need no lookup.
    """
    if services.faq.base.contacts.needs_village(text):
        return await services.intake.home_village(chat.id)
    return None


def shorten(text: str, limit: int) -> str:
    """The beginning and the end of a text, joined by a visible cut, in at most ``limit`` chars."""
    keep = max(0, limit - len(texts.LONG_MESSAGE_CUT))
    head = keep // 2
    tail = keep - head
    return text[:head] + texts.LONG_MESSAGE_CUT + (text[-tail:] if tail else "")


class _Questions:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        await answer_question(message.chat, context, self.services, message.text)

    async def on_show_answer(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        entry_id = (query.data or "").removeprefix(callbacks.SHOW_FAQ)
        chat = update.effective_chat
        if entry_id not in self.services.faq.base or chat is None:
            await query.answer(texts.ANSWER_GONE, show_alert=True)
            return
        await query.answer()
        await show_answer(chat, context, self.services, self.services.faq.base.entry(entry_id))

    async def on_details(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        entry_id = (query.data or "").removeprefix(callbacks.DETAILS)
        base = self.services.faq.base
        chat = update.effective_chat
        if entry_id not in base or base.entry(entry_id).details is None or chat is None:
            await query.answer(texts.ANSWER_GONE, show_alert=True)
            return
        await query.answer()
        entry = base.entry(entry_id)
        village = await _village_for(chat, self.services, entry.details or "")
        await send(chat, details_reply(base, entry, village))

    async def on_rate(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        data = query.data or ""
        entry_id, _, vote = data.removeprefix(callbacks.RATE_FAQ).rpartition(":")
        message = query.message
        # Honoured only while the answer still carries this button: the first press removes the
        # rating buttons, so a second press, an old message or forged data changes nothing.
        if (
            vote not in (UP, DOWN)
            or entry_id not in self.services.faq.base
            or not isinstance(message, Message)
            or not _offers(message, data)
        ):
            await query.answer(texts.STALE_BUTTON)
            return
        log.info("faq %s rated %s", entry_id, vote)
        await self.services.questions.record_rating(entry_id, vote == UP, query.from_user.id)
        await query.answer(texts.THANKS_FOR_RATING)
        kept = _without_rating(message.reply_markup)
        if vote == UP:
            # Who found an answer useful is the likeliest to want the township's 普法 days.
            kept = _joined(kept, await subscribe_offer(self.services, message.chat.id))
        await query.edit_message_reply_markup(kept)
        if vote == DOWN:
            entry = self.services.faq.base.entry(entry_id)
            await message.chat.send_message(
                texts.SORRY_NOT_HELPFUL, reply_markup=buttons([to_staff(entry), REPHRASE])
            )


def _say_on_press(
    text: str, markup: InlineKeyboardMarkup | None = None
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A button whose press is answered with one fixed message."""

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None:
            return
        await query.answer()
        if chat is not None:
            await chat.send_message(text, reply_markup=markup)

    return on_press


def _offers(message: Message, data: str) -> bool:
    markup = message.reply_markup
    return markup is not None and any(
        button.callback_data == data for row in markup.inline_keyboard for button in row
    )


def _without_rating(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The buttons less 👍 and 👎: the rest of their row (找工作人员) stays."""
    if markup is None:
        return None
    rows = [
        [
            button
            for button in row
            if not (
                isinstance(button.callback_data, str)
                and button.callback_data.startswith(callbacks.RATE_FAQ)
            )
        ]
        for row in markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def _joined(*markups: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    rows = [row for markup in markups if markup is not None for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(rows) if rows else None
