"""A ticket's thread as staff see it in Telegram: the messages, internal ones marked, and buttons.

The whole thread is on the console's ticket page; here the latest messages that fit in one
Telegram message are shown, with the buttons to write in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import formatting
from handlers.services import Services
from handlers.staff import cards
from handlers.staff.cards import Press
from handlers.texts import thread as texts
from intake import ThreadMessageView, TicketView, Visibility
from intake.rules import FROM_STATES, Action

SHOWN_MAX = 10  # with LINE_TEXT_MAX, well within a Telegram message
LINE_TEXT_MAX = 300


async def thread_text(
    services: Services, ticket: TicketView, messages: Sequence[ThreadMessageView]
) -> str:
    """The latest messages of the thread, oldest first, in Telegram HTML."""
    tz = services.intake_config.tz
    lines = [texts.THREAD_TITLE.format(number=ticket.number)]
    if ticket.more_requested_at is not None:
        lines.append(texts.THREAD_WAITING)
    if not messages:
        lines.append(texts.THREAD_EMPTY)
    shown = messages[-SHOWN_MAX:]
    if len(messages) > len(shown):
        lines.append(texts.THREAD_EARLIER.format(count=len(messages) - len(shown)))
    names: dict[int, str] = {}
    for message in shown:
        if message.author_id not in names:
            names[message.author_id] = await formatting.person_name(services, message.author_id)
        text = message.text or ""
        if len(text) > LINE_TEXT_MAX:
            text = text[:LINE_TEXT_MAX] + "…"
        if message.attachment is not None:
            text = texts.THREAD_FILE.format(kind=message.attachment.kind.label) + text
        internal = message.visibility is Visibility.INTERNAL
        lines.append(
            texts.THREAD_LINE.format(
                time=message.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
                side=message.side.label,
                name=formatting.escape(names[message.author_id]),
                internal=texts.THREAD_INTERNAL if internal else "",
                text=formatting.escape(text),
            )
        )
    return "\n".join(lines)


def thread_keyboard(ticket: TicketView) -> InlineKeyboardMarkup:
    """Write to the villager, write an internal message, or ask for more, as the state allows."""
    number = ticket.number
    row = [
        InlineKeyboardButton(
            texts.BUTTON_INTERNAL, callback_data=cards.press_data(Press.INTERNAL, number)
        )
    ]
    if ticket.state in FROM_STATES[Action.MESSAGE]:
        row.insert(
            0,
            InlineKeyboardButton(
                texts.BUTTON_SAY, callback_data=cards.press_data(Press.MESSAGE, number)
            ),
        )
    rows = [row]
    if ticket.state in FROM_STATES[Action.REQUEST_MORE]:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.BUTTON_MORE, callback_data=cards.press_data(Press.REQUEST_MORE, number)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def villager_wrote_keyboard(number: str) -> InlineKeyboardMarkup:
    """Under the staff group's notice of a villager's message: read the thread, or answer."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_THREAD, callback_data=cards.press_data(Press.THREAD, number)
                ),
                InlineKeyboardButton(
                    texts.BUTTON_SAY, callback_data=cards.press_data(Press.MESSAGE, number)
                ),
            ]
        ]
    )
