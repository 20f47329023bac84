"""Telegram inline keyboards from the choices of a reply."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.replies import Choice, Reply


async def send(chat: Chat, reply: Reply) -> Message:
    """Send a reply with its choices as buttons."""
    return await chat.send_message(reply.text, reply_markup=markup(reply))


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """A reply's buttons: its choices one per row, then its last row."""
    return keyboard([*((choice,) for choice in reply.choices), reply.row])


def buttons(choices: Iterable[Choice]) -> InlineKeyboardMarkup | None:
    """Inline buttons, one per row (labels are often whole questions); ``None`` if none."""
    return keyboard((choice,) for choice in choices)


def keyboard(rows: Iterable[Sequence[Choice]]) -> InlineKeyboardMarkup | None:
    """Inline buttons, row by row; ``None`` when there are none."""
    markup = [[InlineKeyboardButton(c.label, callback_data=c.action) for c in row] for row in rows]
    markup = [row for row in markup if row]
    return InlineKeyboardMarkup(markup) if markup else None
