"""/mytickets: the tickets someone filed or is the villager of, and each one's public history.

A liaison sees the tickets they filed for villagers; staff see here only their own, not their
area's (that is /tickets in the staff group).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from handlers import callbacks, draft, formatting, people
from handlers.callbacks import exactly, starts_with
from handlers.draft import Context
from handlers.services import Services
from handlers.texts import filing as filing_texts
from handlers.texts import mytickets as texts
from intake import EventType, EventView, IntakeError, TicketState, TicketView, Visibility

# Not yet in handlers.callbacks (owned by the lead): + ticket number, "show its history".
SHOWN_MAX = 10
EXCERPT_CHARS = 30
# Enough to find someone's own tickets among those of their area, for staff who file too.
LISTED_MAX = 200
TICKET_NUMBER = re.compile(r"\d{4}-\d{6,}")
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def mytickets_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/mytickets, then the 查看进展 button under it."""
    view = MyTickets(services)
    return [
        CommandHandler("mytickets", view.list, filters=PRIVATE),
        CallbackQueryHandler(view.list, pattern=exactly(callbacks.MY_TICKETS)),
        CallbackQueryHandler(view.history, pattern=starts_with(callbacks.TICKET_HISTORY)),
    ]


class MyTickets:
    """The villager's view of their tickets."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def list(self, update: Update, context: Context) -> None:
        """Their tickets, newest first, with what happens next and a button for each."""
        if update.callback_query is not None:
            await update.callback_query.answer()
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        actor = await people.actor(self.services, context, user)
        visible = await self.services.intake.list_tickets(actor.id, limit=LISTED_MAX)
        own = [t for t in visible if actor.id in (t.villager_id, t.filed_by_id)]
        if not own:
            await message.reply_text(texts.NONE_YET)
            return
        shown = own[:SHOWN_MAX]
        lines = [texts.HEADER]
        lines += [self._entry(index, ticket) for index, ticket in enumerate(shown, 1)]
        if len(own) > SHOWN_MAX:
            lines.append(texts.MORE.format(count=SHOWN_MAX))
        buttons = [
            [
                InlineKeyboardButton(
                    texts.HISTORY_BUTTON.format(number=t.number),
                    callback_data=callbacks.TICKET_HISTORY + t.number,
                )
            ]
            for t in shown
        ]
        await message.reply_text("\n\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons))

    async def history(self, update: Update, context: Context) -> None:
        """The public history of one ticket (the number is checked: the data can be forged)."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None or message is None:
            if query is not None:
                await query.answer(filing_texts.STALE_BUTTON)
            return
        number = (query.data or "").removeprefix(callbacks.TICKET_HISTORY)
        if not TICKET_NUMBER.fullmatch(number):
            await query.answer(texts.NOT_FOUND, show_alert=True)
            return
        actor = await people.actor(self.services, context, query.from_user)
        try:
            ticket = await self.services.intake.get_ticket(actor.id, number)
            events = await self.services.intake.history(actor.id, number)
        except IntakeError:
            await query.answer(texts.NOT_FOUND, show_alert=True)
            return
        await query.answer()
        if actor.id not in (ticket.villager_id, ticket.filed_by_id):
            await message.reply_text(texts.NOT_FOUND)
            return
        lines = [texts.HISTORY_HEADER.format(number=number)]
        lines += [self._event(e) for e in events if e.visibility is Visibility.PUBLIC]
        await message.reply_text("\n".join(lines))

    def _entry(self, index: int, ticket: TicketView) -> str:
        text = ticket.text.replace("\n", " ")
        excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
        number = ticket.number
        if ticket.villager_name and ticket.filed_by_id != ticket.villager_id:
            number += texts.BEHALF.format(name=ticket.villager_name)
        return texts.ENTRY.format(
            index=index,
            number=number,
            kind=ticket.kind.label,
            state=ticket.state.label,
            excerpt=excerpt,
            next_step=self._next_step(ticket),
        )

    def _next_step(self, ticket: TicketView) -> str:
        """What happens next, in plain words."""
        state = ticket.state
        if state is TicketState.REJECTED:
            return texts.NEXT_REJECTED.format(
                reason=ticket.reject_reason or "", route=ticket.reject_route or ""
            )
        if state is TicketState.CLOSED:
            return texts.NEXT_CLOSED
        if state is TicketState.ANSWERED:
            return texts.NEXT_ANSWERED
        if state is TicketState.AWAITING_FEEDBACK and ticket.feedback_due_at is not None:
            return texts.NEXT_FEEDBACK.format(date=self._date(ticket.feedback_due_at))
        if ticket.handle_due_at is not None:
            return texts.NEXT_ANSWER.format(date=self._date(ticket.handle_due_at))
        return texts.NEXT_ACCEPTANCE.format(date=self._date(ticket.accept_due_at))

    def _event(self, event: EventView) -> str:
        day = self.services.intake.deadlines.local_date(event.created_at)
        line = texts.HISTORY_ENTRY.format(
            date=filing_texts.DATE.format(month=day.month, day=day.day), label=event.type.label
        )
        if event.type is EventType.FEEDBACK_RECORDED and event.rating is not None:
            return line + texts.HISTORY_TEXT.format(text=event.rating.label)
        if event.text and event.type in _SHOWN_TEXTS:
            return line + texts.HISTORY_TEXT.format(text=event.text)
        return line

    def _date(self, moment: datetime) -> str:
        return formatting.due_date_text(self.services, moment)


# Events whose text the villager should read again: the answer, and the reasons given to them.
_SHOWN_TEXTS = frozenset({EventType.REPLIED, EventType.REJECTED, EventType.EXTENDED})
