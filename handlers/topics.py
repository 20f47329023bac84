"""/topics: browse the FAQ by domain: domains as buttons, then a domain's questions, by page.

Browsing edits one message in place; picking a question sends its answer (a SHOW_FAQ button,
answered by :mod:`handlers.questions`). Callback data: ``topics:`` for the domains,
``topics:<domain>`` or ``topics:<domain>:<page>`` (from 0) for a domain's questions.
"""

from __future__ import annotations

import math
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from handlers import callbacks
from handlers.callbacks import starts_with
from handlers.keyboards import buttons, keyboard, send
from handlers.replies import Choice, Reply
from handlers.services import Services
from handlers.texts import questions as texts
from knowledge.loader import KnowledgeBase

Context = ContextTypes.DEFAULT_TYPE

# Short pages: a long column of questions is hard to read on a small phone.
PAGE_SIZE = 8


def topics_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/topics in private chats, and the browsing buttons."""
    topics = _Topics(services.faq.base)
    return [
        CommandHandler(
            "topics", topics.on_command, filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        ),
        CallbackQueryHandler(topics.on_button, pattern=starts_with(callbacks.TOPICS)),
    ]


def domains_reply(base: KnowledgeBase) -> Reply:
    """The list of domains, each a button."""
    return Reply(
        texts.TOPICS_PROMPT,
        tuple(
            Choice(texts.TOPIC_BUTTON.format(domain=domain, label=label), callbacks.TOPICS + domain)
            for domain, label in base.domains.items()
        ),
    )


class _Topics:
    def __init__(self, base: KnowledgeBase) -> None:
        self.base = base

    async def on_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        await send(message.chat, domains_reply(self.base))

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        domain, _, page = (query.data or "").removeprefix(callbacks.TOPICS).partition(":")
        message = query.message
        if not isinstance(message, Message):
            await query.answer(texts.STALE_BUTTON)
            return
        known = domain in self.base.domains
        # "topics:" asks for the list; a domain that no longer exists (or never did) starts over.
        await query.answer(texts.STALE_BUTTON if domain and not known else None)
        if known:
            text, markup = self._questions(domain, int(page) if page.isdecimal() else 0)
        else:
            reply = domains_reply(self.base)
            text, markup = reply.text, buttons(reply.choices)
        try:
            await message.edit_text(text, reply_markup=markup)
        except BadRequest as error:
            # A double tap asks for the page already shown; Telegram refuses the empty edit.
            if "not modified" not in error.message:
                raise

    def _questions(self, domain: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
        entries = self.base.in_domain(domain)
        label = self.base.domains[domain]
        back = Choice(texts.BACK_TO_TOPICS, callbacks.TOPICS)
        if not entries:
            return texts.TOPIC_EMPTY.format(domain=domain), keyboard([(back,)])
        pages = math.ceil(len(entries) / PAGE_SIZE)
        page = min(max(page, 0), pages - 1)
        shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        rows: list[tuple[Choice, ...]] = [
            (Choice(entry.question, callbacks.SHOW_FAQ + entry.id),) for entry in shown
        ]
        turn = []
        if page > 0:
            turn.append(Choice(texts.PREVIOUS_PAGE, f"{callbacks.TOPICS}{domain}:{page - 1}"))
        if page < pages - 1:
            turn.append(Choice(texts.NEXT_PAGE, f"{callbacks.TOPICS}{domain}:{page + 1}"))
        rows += [tuple(turn), (back,)]
        text = texts.TOPIC_QUESTIONS.format(domain=domain, label=label, page=page + 1, pages=pages)
        return text, keyboard(rows)
