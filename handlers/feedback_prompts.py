"""The 回访 prompt: the buttons a villager (or the liaison who filed for them) rates a ticket with.

The notifier sends it when a ticket reaches 待回访 (:mod:`handlers.notify`); the feedback area
(:mod:`handlers.feedback`) reads the presses and sends the buttons again after /cancel.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks, people
from handlers.formatting import TICKET_NUMBER
from handlers.services import Services
from handlers.texts import feedback as texts
from intake import Rating, Source, TicketView

RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)


@dataclass(frozen=True)
class Press:
    """A 回访 button: ``fb:<ticket number>:<rating>``."""

    number: str
    rating: Rating


def rating_data(number: str, rating: Rating) -> str:
    """The callback data of a 回访 button."""
    return f"{callbacks.FEEDBACK}{number}:{rating.value}"


def parse_press(data: str | None) -> Press | None:
    """Read 回访 callback data; ``None`` if it is malformed (forged, or from an old version)."""
    if data is None or not data.startswith(callbacks.FEEDBACK):
        return None
    number, _, rating = data.removeprefix(callbacks.FEEDBACK).rpartition(":")
    if not TICKET_NUMBER.fullmatch(number) or rating not in {r.value for r in RATINGS}:
        return None
    return Press(number, Rating(rating))


def rating_buttons(number: str) -> InlineKeyboardMarkup:
    """满意 / 基本满意 / 不满意, one per row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.RATING_BUTTONS[r.value], callback_data=rating_data(number, r)
                )
            ]
            for r in RATINGS
        ]
    )


async def ask_for_feedback(bot: Bot, services: Services, ticket: TicketView) -> None:
    """Send the 回访 buttons for a ticket now 待回访: to its villager, or to the liaison who filed.

    Nothing is sent to someone registered without Telegram (staff call them instead).
    """
    recipient = await people.contact_for(services, ticket)
    if recipient is None or recipient.telegram_id is None:
        return
    if ticket.source is Source.LIAISON:
        text = texts.ASK_BEHALF.format(name=ticket.villager_name, number=ticket.number)
    else:
        text = texts.ASK.format(number=ticket.number)
    await bot.send_message(recipient.telegram_id, text, reply_markup=rating_buttons(ticket.number))
