"""Villagers adding to their tickets: messages that belong to a ticket's thread, not to the FAQ.

The router runs in its own handler group, after the guard and before every area, and takes a
private message only when it belongs to one of the sender's unfinished tickets, because:

1. it replies to a bot message about that ticket (the bot's notices name the ticket number);
2. it names the ticket's number;
3. the ticket waits on the sender for 补充材料 (:meth:`IntakeService.request_more`);
4. it follows, within the hour, a 找工作人员 that filed that ticket (:mod:`handlers.memory`);
5. it begins with 补充 (adding to a ticket rather than starting a new one).

``我的登记`` typed by someone with unfinished tickets lists them (:mod:`handlers.mytickets`)
instead of offering a new ticket. A message with two or more candidate tickets is held and the
sender asked which one it is for, with a button per ticket. Everything else, and anything sent
while filing or giving the reason for 不满意, goes on to the areas untouched: the router takes a
message by stopping the update (:class:`~telegram.ext.ApplicationHandlerStop`).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from handlers import callbacks, draft, feedback, formatting, memory, people
from handlers.callbacks import starts_with
from handlers.draft import Context
from handlers.filing import MEDIA, PRIVATE
from handlers.keyboards import buttons
from handlers.mytickets import MyTickets
from handlers.replies import ask_another
from handlers.services import Services
from handlers.texts import thread as texts
from intake import Attachment, AttachmentKind, IntakeError, TicketView, UserView
from intake.moderation import Moderation

log = logging.getLogger(__name__)

# Words and files, not commands; a forwarded message is someone else's (the liaison's offer).
CONTENT = PRIVATE & ~filters.COMMAND & ~filters.FORWARDED & (filters.TEXT | MEDIA)
EXCERPT_CHARS = 12
HELD_MAX = 20
_HELD = "thread_held"


def thread_router_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The router, for its own handler group between the guard and the areas."""
    return [MessageHandler(CONTENT, ThreadRouter(services).on_message)]


def thread_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The area's buttons: which ticket a held message is for."""
    return [
        CallbackQueryHandler(
            ThreadRouter(services).on_choice, pattern=starts_with(callbacks.THREAD_CHOICE)
        )
    ]


class ThreadRouter:
    """Finds the ticket a villager's message belongs to and adds the message to its thread."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._moderation = Moderation(services.intake.engine)

    async def on_message(self, update: Update, context: Context) -> None:
        """Take the message if it belongs to a ticket's thread (raising to stop the update)."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        if draft.in_progress(context) or feedback.awaiting_reason(context):
            return  # their conversations come first
        replied = _bot_message_replied(message, context.bot.id)
        if replied is not None and formatting.card_number(replied.text) is not None:
            return  # a staff member answering a card or prompt
        # Someone never seen has no ticket; that is known from memory, without a query.
        if await self._moderation.standing(user.id) is None:
            return
        tickets = await self.services.intake.open_tickets_of(user.id)
        if not tickets:
            return
        words = (message.text or message.caption or "").strip()
        if words in texts.LIST_WORDS:
            await MyTickets(self.services).list(update, context)
            raise ApplicationHandlerStop
        candidates = _candidates(tickets, _number_in(replied), words, memory.handed_over(context))
        if not candidates:
            return
        held = _held_from(message)
        if len(candidates) == 1:
            actor = await people.actor(self.services, context, user)
            await self._join(message, context, actor, candidates[0].number, [held])
        else:
            _hold(context, held)
            await message.reply_text(texts.WHICH_TICKET, reply_markup=_which(candidates))
        raise ApplicationHandlerStop

    async def on_choice(self, update: Update, context: Context) -> None:
        """A ticket chosen for the held messages."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None:
            return
        number = (query.data or "").removeprefix(callbacks.THREAD_CHOICE)
        held = draft.user_data(context).get(_HELD)
        if message is None or not isinstance(held, list) or not held:
            await query.answer(texts.CHOICE_GONE, show_alert=True)
            return
        await query.answer()
        actor = await people.actor(self.services, context, query.from_user)
        if await self._join(message, context, actor, number, held):
            draft.user_data(context).pop(_HELD, None)

    async def _join(
        self,
        message: Message,
        context: Context,
        actor: UserView,
        number: str,
        held: list[dict[str, str | None]],
    ) -> bool:
        """Add the held messages to ticket ``number``; ``False`` (and why, said) if refused."""
        for item in held:
            kind, file_id = item.get("kind"), item.get("file_id")
            attachment = (
                Attachment(kind=AttachmentKind(kind), file_id=file_id)
                if kind in set(AttachmentKind) and file_id
                else None
            )
            try:
                await self.services.intake.add_villager_message(
                    actor.id,
                    number,
                    text=item.get("text"),
                    attachment=attachment,
                    source_key=str(item.get("key")),
                )
            except IntakeError as error:
                await message.reply_text(error.message)
                return False
        # Added after 找工作人员: the way back to asking questions stays one tap away.
        more = buttons([ask_another()]) if number == memory.handed_over(context) else None
        await message.reply_text(texts.ADDED.format(number=number), reply_markup=more)
        return True


def _bot_message_replied(message: Message, bot_id: int) -> Message | None:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return None
    return replied


def _number_in(message: Message | None) -> str | None:
    """The first ticket number a bot message names (its notices name theirs first)."""
    if message is None:
        return None
    found = formatting.TICKET_NUMBER.search(message.text or message.caption or "")
    return found.group(0) if found else None


def _candidates(
    tickets: tuple[TicketView, ...], replied: str | None, words: str, handed_over: str | None
) -> list[TicketView]:
    by_number = {ticket.number: ticket for ticket in tickets}
    if replied is not None and replied in by_number:
        return [by_number[replied]]
    mentioned = dict.fromkeys(formatting.TICKET_NUMBER.findall(words))
    named = [by_number[n] for n in mentioned if n in by_number]
    if named:
        return named
    waiting = [ticket for ticket in tickets if ticket.more_requested_at is not None]
    if waiting:
        return waiting
    if handed_over is not None and handed_over in by_number:
        return [by_number[handed_over]]
    return list(tickets) if words.startswith(texts.MORE_WORDS) else []


def _held_from(message: Message) -> dict[str, str | None]:
    attachment = draft.attachment_of(message)
    return {
        "text": message.text or message.caption,
        "kind": attachment[0].value if attachment else None,
        "file_id": attachment[1] if attachment else None,
        "key": f"tg:{message.chat_id}:{message.message_id}",
    }


def _hold(context: Context, held: dict[str, str | None]) -> None:
    waiting = draft.user_data(context).setdefault(_HELD, [])
    waiting.append(held)
    del waiting[:-HELD_MAX]


def _which(tickets: list[TicketView]) -> InlineKeyboardMarkup:
    rows = []
    for ticket in tickets:
        text = " ".join(ticket.text.split())
        excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
        label = texts.WHICH_BUTTON.format(
            number=ticket.number, kind=ticket.kind.label, excerpt=excerpt
        )
        data = callbacks.THREAD_CHOICE + ticket.number
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows)
