"""Ticket cards that stay current: each one shown is redrawn wherever it is on every change.

Every card is sent through the outbox marked with a key (:class:`intake.cards.CardPlaces`), and
the relay records the message it became. A change queues an edit of every card still shown,
with the text and only the buttons of the ticket's new state. An edit Telegram refuses (the
message was deleted, or is too old to edit) shows a fresh card in that chat instead and retires
the old one; a card that could not be sent at all is retired.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Bot
from telegram.constants import ParseMode

from handlers import people
from handlers.services import Services
from handlers.staff import cards
from handlers.texts import staff as texts
from intake import IntakeError, TicketView
from intake.access import can_see
from intake.cards import CardPlace, CardPlaces
from intake.outbox import Delivery, Letter, showing_card

log = logging.getLogger(__name__)


class LiveCards:
    """Shows ticket cards and keeps them current.

    Args:
        services: The services (intake, names and deadlines for the card's text).

    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._places = CardPlaces(services.intake.engine)

    async def show(
        self, bot: Bot, chat_id: int, ticket: TicketView, *, heading: str | None = None
    ) -> str:
        """Send the ticket's card to ``chat_id``; return the key it is kept current by."""
        key = await self._places.shown(ticket.number, chat_id)
        view = await cards.view_for_chat(self._services, chat_id, ticket)
        with showing_card(key):
            await bot.send_message(
                chat_id,
                await cards.card_text(self._services, view, heading=heading),
                parse_mode=ParseMode.HTML,
                reply_markup=cards.card_keyboard(ticket),
            )
        return key

    async def redraw(self, bot: Bot, ticket: TicketView, *, skip: Collection[str] = ()) -> None:
        """Edit every card of the ticket still shown (but those in ``skip``, just sent).

        A card in the private chat of someone who may no longer see the ticket (it moved to
        another grid, village or unit) says so instead, and is no longer kept current.
        """
        places = [place for place in await self._places.of(ticket.number) if place.key not in skip]
        if not places:
            return
        keyboard = cards.card_keyboard(ticket)
        for place in places:
            if place.viewer is not None and not can_see(place.viewer, ticket):
                await self._withdraw(bot, place)
                continue
            # ID and phone numbers show in full only in the holder's private chat.
            view = await cards.view_for_chat(self._services, place.chat_id, ticket)
            text = await cards.card_text(self._services, view)
            with showing_card(place.key):
                await bot.edit_message_text(
                    text, chat_id=place.chat_id, parse_mode=ParseMode.HTML, reply_markup=keyboard
                )

    async def _withdraw(self, bot: Bot, place: CardPlace) -> None:
        """Retire a card its viewer may no longer see, and replace its text with a short note."""
        await self._places.retire(place.key)
        if place.message_id is not None:
            await bot.edit_message_text(
                texts.CARD_GONE.format(number=place.ticket_number),
                chat_id=place.chat_id,
                message_id=place.message_id,
            )

    async def is_shown(self, chat_id: int, message_id: int) -> bool:
        """Whether the message is a card :meth:`redraw` keeps current."""
        return await self._places.is_shown(chat_id, message_id)

    async def undelivered(self, bot: Bot, letter: Letter, state: Delivery) -> None:
        """A call on a card could not be made: retire the card, and show a fresh one for an edit.

        Args:
            bot: The bot to queue the fresh card with.
            letter: The call, marked with its card's key.
            state: Why it could not be made (refused, or the recipient blocked the bot).

        """
        if letter.card_key is None:
            return
        place = await self._places.find(letter.card_key)
        if place is None:
            return
        await self._places.retire(place.key)
        if state is not Delivery.FAILED or not letter.method.startswith("edit"):
            return
        admin = await people.system_actor(self._services)
        if admin is None:
            log.warning("ticket %s: card not shown again (no administrator)", place.ticket_number)
            return
        try:
            ticket = await self._services.intake.get_ticket(admin.id, place.ticket_number)
        except IntakeError as error:
            log.warning("ticket %s: card not shown again (%s)", place.ticket_number, error.code)
            return
        await self.show(bot, place.chat_id, ticket)
