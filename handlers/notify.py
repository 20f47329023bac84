"""Telling people what happened to a ticket: every area hands its intake Outcome to the Notifier.

* A new ticket becomes a card in the staff group; so does a ticket reopened after 不满意.
* Every public event is told to the villager in a short plain message — or, for a ticket a
  法律明白人 filed, to that liaison, to relay. Nobody is told about their own action: the area
  that handled it has already answered them.
* A ticket that reaches 待回访 gets the 回访 buttons (:func:`handlers.feedback.ask_for_feedback`).

A villager who blocked the bot must not break anything: the failure is logged without personal
data and, where intake allows, noted on the ticket for staff to follow up by phone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from handlers.services import Services
from handlers.staff import cards, people
from handlers.texts import staff as texts
from intake import EventType, EventView, IntakeError, Outcome, Source, TicketView, Visibility

log = logging.getLogger(__name__)


class Notifier:
    """Turns the events of intake outcomes into messages.

    Args:
        services: The services (for the staff group, names and deadlines).

    """

    def __init__(self, services: Services) -> None:
        self._services = services

    async def publish(self, bot: Bot, outcome: Outcome) -> None:
        """Send what the staff group and the villager must learn from ``outcome``."""
        ticket = outcome.ticket
        for event in outcome.events:
            if event.type is EventType.FILED:
                await self._post_card(bot, ticket)
            elif event.type is EventType.REOPENED:
                await self._post_card(bot, ticket, heading=texts.CARD_REOPENED)
            if event.visibility is not Visibility.PUBLIC:
                continue
            if event.type is EventType.FEEDBACK_REQUESTED:
                await self._deliver(ticket, event, self._ask_for_feedback(bot, ticket))
            else:
                await self._tell_villager(bot, ticket, event)

    async def _post_card(self, bot: Bot, ticket: TicketView, *, heading: str | None = None) -> None:
        chat_id = self._services.staff_chat_id
        if chat_id is None:
            log.warning("ticket %s: no staff group is configured to show it in", ticket.number)
            return
        text = await cards.card_text(self._services, ticket, heading=heading)
        try:
            await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=cards.card_keyboard(ticket)
            )
        except TelegramError as error:
            log.error("ticket %s: card not posted (%s)", ticket.number, type(error).__name__)

    async def _ask_for_feedback(self, bot: Bot, ticket: TicketView) -> None:
        # Imported here: the feedback area publishes its own outcomes through this module.
        from handlers.feedback import ask_for_feedback

        await ask_for_feedback(bot, self._services, ticket)

    async def _tell_villager(self, bot: Bot, ticket: TicketView, event: EventView) -> None:
        notice = self._notice(ticket, event)
        recipient = await people.contact_for(self._services, ticket)
        if notice is None or recipient is None or recipient.id == event.actor_id:
            return
        assert recipient.telegram_id is not None
        if ticket.source is Source.LIAISON:
            name = cards.escape(ticket.villager_name or texts.NOBODY)
            notice = texts.FOR_LIAISON.format(name=name) + notice
        send = bot.send_message(recipient.telegram_id, notice, parse_mode=ParseMode.HTML)
        await self._deliver(ticket, event, send)

    def _notice(self, ticket: TicketView, event: EventView) -> str | None:
        number = ticket.number
        text = cards.escape(event.text or "")
        match event.type:
            case EventType.FILED:
                return texts.VILLAGER_FILED.format(number=number)
            case EventType.ACCEPTED:
                return texts.VILLAGER_ACCEPTED.format(number=number, date=self._date(event))
            case EventType.REJECTED:
                route = cards.escape(event.route or "")
                return texts.VILLAGER_REJECTED.format(number=number, reason=text, route=route)
            case EventType.REPLIED:
                return texts.VILLAGER_REPLIED.format(number=number, text=text)
            case EventType.EXTENDED:
                return texts.VILLAGER_EXTENDED.format(
                    number=number, days=event.extension_days, date=self._date(event), reason=text
                )
            case EventType.FEEDBACK_RECORDED if event.rating is not None:
                return texts.VILLAGER_FEEDBACK_RECORDED.format(
                    number=number, rating=event.rating.label
                )
            case EventType.REOPENED:
                return texts.VILLAGER_REOPENED.format(number=number)
            case EventType.CLOSED:
                note = texts.VILLAGER_CLOSED_NOTE.format(text=text) if text else ""
                return texts.VILLAGER_CLOSED.format(number=number, note=note)
            case _:
                return None

    def _date(self, event: EventView) -> str:
        return cards.due_date_text(self._services, event.due_at) if event.due_at else texts.NOBODY

    async def _deliver(self, ticket: TicketView, event: EventView, send: Awaitable[object]) -> None:
        try:
            await send
        except Forbidden:
            log.warning(
                "ticket %s: %s notice not delivered, the recipient blocked the bot",
                ticket.number,
                event.type.value,
            )
            await self._note_undelivered(ticket, event)
        except TelegramError as error:
            log.warning(
                "ticket %s: %s notice not delivered (%s)",
                ticket.number,
                event.type.value,
                type(error).__name__,
            )

    async def _note_undelivered(self, ticket: TicketView, event: EventView) -> None:
        """Leave staff an internal note, as whoever caused the event or else the administrator."""
        intake = self._services.intake
        author_id = event.actor_id
        if author_id is None or not (await intake.get_user(author_id)).role.is_staff:
            admin = await people.system_actor(self._services)
            author_id = admin.id if admin is not None else None
        if author_id is None:
            return
        note = texts.BLOCKED_NOTE.format(event=event.type.label)
        try:
            await intake.add_note(author_id, ticket.number, note)
        except IntakeError as error:
            log.warning("ticket %s: undelivered notice not noted (%s)", ticket.number, error.code)
