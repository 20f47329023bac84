"""Telling people what happened to a ticket: every area hands its intake Outcome to the Notifier.

* A new ticket becomes a card in the staff group; so does a ticket reopened after 不满意.
* Every card already shown, in the group or a private chat, is redrawn for the new state
  (:mod:`handlers.staff.live_cards`).
* Whoever the ticket now reaches gets its card privately (:mod:`handlers.staff.notices`).
* Every public event is told to the villager in a short plain message — or, for a ticket a
  法律明白人 filed, to that liaison, to relay. Nobody is told about their own action: the area
  that handled it has already answered them.
* A ticket that reaches 待回访 gets the 回访 buttons
  (:func:`handlers.feedback_prompts.ask_for_feedback`).
* A message added to a ticket's thread goes across: staff's public messages (and requests for
  补充材料) to the villager, the villager's words and files to the staff group. Internal
  messages go nowhere.

Nobody calls the Notifier after a change: intake announces every change it makes to the
listener of the calling context (:mod:`intake.changes`), which the composition root sets to
:meth:`Notifier.publish` with the bot of the update, the job or the console. What the person
acting must see first (the card they pressed redrawn, their rating buttons answered) is handed
to :func:`handlers.acknowledgements.acknowledged_first` around the change, and goes out before
the notices.

Every message is queued in the outbox with the change that caused it; notices to villagers are
marked with their ticket, so that a notice the relay can never deliver (the villager blocked the
bot) becomes a note on the ticket (:func:`note_undelivered`) for staff to follow up by phone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Message
from telegram.constants import ParseMode

from handlers import acknowledgements, formatting, people
from handlers.feedback_prompts import ask_for_feedback
from handlers.services import Services
from handlers.staff import thread as staff_thread
from handlers.staff.live_cards import LiveCards
from handlers.staff.notices import HolderNotices
from handlers.texts import staff as texts
from handlers.texts import thread as thread_texts
from intake import (
    AttachmentKind,
    EventType,
    EventView,
    IntakeError,
    Outcome,
    Source,
    ThreadMessageView,
    TicketView,
    Visibility,
)
from intake.enums import Side
from intake.outbox import regarding
from intake.privacy import mask_numbers

log = logging.getLogger(__name__)

# Leaves room in a 1,024-character caption for the heading and HTML escapes.
CAPTION_WORDS_MAX = 600


class Notifier:
    """Turns the events of intake outcomes into messages.

    Args:
        services: The services (for the staff group, names and deadlines).

    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self.live_cards = LiveCards(services)
        self._holder_notices = HolderNotices(services, self.live_cards)

    async def publish(self, bot: Bot, outcome: Outcome) -> None:
        """Send what the staff group, the ticket's holders and the villager must learn."""
        acknowledge = acknowledgements.take()
        if acknowledge is not None:
            await acknowledge(bot, outcome)
        ticket = outcome.ticket
        posted: list[str] = []
        for event in outcome.events:
            if event.type is EventType.FILED:
                posted += await self._post_card(bot, ticket)
            elif event.type is EventType.REOPENED:
                posted += await self._post_card(bot, ticket, heading=texts.CARD_REOPENED)
        if any(event.type is not EventType.NOTED for event in outcome.events):
            await self.live_cards.redraw(bot, ticket, skip=posted)
        await self._holder_notices.tell_new_holders(bot, outcome)
        for event in outcome.events:
            if event.visibility is not Visibility.PUBLIC:
                continue
            with regarding(ticket.number, event.type.label):
                if event.type is EventType.FEEDBACK_REQUESTED:
                    await ask_for_feedback(bot, self._services, ticket)
                else:
                    await self._tell_villager(bot, ticket, event)
        message = outcome.message
        if message is not None and message.visibility is Visibility.PUBLIC:
            asked = any(event.type is EventType.MORE_REQUESTED for event in outcome.events)
            with regarding(ticket.number, thread_texts.WRITTEN):
                if message.side is Side.STAFF:
                    await self._pass_to_villager(bot, ticket, message, asked=asked)
                else:
                    await self._pass_to_staff(bot, outcome, message)

    async def _pass_to_villager(
        self, bot: Bot, ticket: TicketView, message: ThreadMessageView, *, asked: bool
    ) -> None:
        recipient = await people.contact_for(self._services, ticket)
        if recipient is None or recipient.telegram_id is None:
            return
        template = thread_texts.VILLAGER_MORE_REQUESTED if asked else thread_texts.VILLAGER_MESSAGE
        notice = template.format(number=ticket.number, text=formatting.escape(message.text or ""))
        if ticket.source is Source.LIAISON:
            name = formatting.escape(ticket.villager_name or texts.NOBODY)
            notice = texts.FOR_LIAISON.format(name=name) + notice
        await bot.send_message(recipient.telegram_id, notice, parse_mode=ParseMode.HTML)

    async def _pass_to_staff(self, bot: Bot, outcome: Outcome, message: ThreadMessageView) -> None:
        chat_id = self._services.staff_chat_id
        if chat_id is None:
            log.warning(
                "ticket %s: no staff group to pass a villager's message to", outcome.ticket.number
            )
            return
        ticket = outcome.ticket
        supplied = any(event.type is EventType.MORE_RECEIVED for event in outcome.events)
        heading = (
            thread_texts.STAFF_MORE_RECEIVED if supplied else thread_texts.STAFF_VILLAGER_WROTE
        )
        name = formatting.escape(await formatting.person_name(self._services, message.author_id))
        text = heading.format(number=ticket.number, name=name)
        # The whole staff group reads this: ID and phone numbers keep only their last 4 digits.
        words = mask_numbers(message.text or "")
        if len(words) > CAPTION_WORDS_MAX:
            # A caption holds 1,024 characters; the whole message is in the thread.
            words = words[:CAPTION_WORDS_MAX] + "…"
        if words:
            text += "\n" + formatting.escape(words)
        keyboard = staff_thread.villager_wrote_keyboard(ticket.number)
        attachment = message.attachment
        html = ParseMode.HTML
        if attachment is None:
            await bot.send_message(chat_id, text, parse_mode=html, reply_markup=keyboard)
            return
        senders: dict[AttachmentKind, Callable[..., Awaitable[Message]]] = {
            AttachmentKind.PHOTO: bot.send_photo,
            AttachmentKind.VOICE: bot.send_voice,
            AttachmentKind.VIDEO: bot.send_video,
            AttachmentKind.DOCUMENT: bot.send_document,
        }
        await senders[attachment.kind](
            chat_id, attachment.file_id, caption=text, parse_mode=html, reply_markup=keyboard
        )

    async def _post_card(
        self, bot: Bot, ticket: TicketView, *, heading: str | None = None
    ) -> list[str]:
        chat_id = self._services.staff_chat_id
        if chat_id is None:
            log.warning("ticket %s: no staff group is configured to show it in", ticket.number)
            return []
        return [await self.live_cards.show(bot, chat_id, ticket, heading=heading)]

    async def _tell_villager(self, bot: Bot, ticket: TicketView, event: EventView) -> None:
        notice = self._notice(ticket, event)
        recipient = await people.contact_for(self._services, ticket)
        if notice is None or recipient is None or recipient.id == event.actor_id:
            return
        assert recipient.telegram_id is not None
        if ticket.source is Source.LIAISON:
            name = formatting.escape(ticket.villager_name or texts.NOBODY)
            notice = texts.FOR_LIAISON.format(name=name) + notice
        await bot.send_message(recipient.telegram_id, notice, parse_mode=ParseMode.HTML)

    def _notice(self, ticket: TicketView, event: EventView) -> str | None:
        number = ticket.number
        text = formatting.escape(event.text or "")
        match event.type:
            case EventType.FILED:
                return texts.VILLAGER_FILED.format(number=number)
            case EventType.ACCEPTED:
                return texts.VILLAGER_ACCEPTED.format(number=number, date=self._date(event))
            case EventType.REJECTED:
                route = formatting.escape(event.route or "")
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
        if event.due_at is None:
            return texts.NOBODY
        return formatting.due_date_text(self._services, event.due_at)


async def note_undelivered(services: Services, number: str, about: str, *, blocked: bool) -> None:
    """Leave staff a note on the ticket: a message about it can never be delivered.

    Args:
        services: The services (intake, and the administrator who writes system notes).
        number: The ticket.
        about: What the message was about (the event's label).
        blocked: The recipient blocked the bot (otherwise Telegram refused the message itself).

    """
    admin = await people.system_actor(services)
    if admin is None:
        log.warning("ticket %s: undelivered notice not noted (no administrator)", number)
        return
    template = texts.BLOCKED_NOTE if blocked else texts.UNDELIVERED_NOTE
    try:
        await services.intake.add_note(admin.id, number, template.format(event=about))
    except IntakeError as error:
        log.warning("ticket %s: undelivered notice not noted (%s)", number, error.code)
