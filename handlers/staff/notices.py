"""Private notices to whoever holds a ticket (:mod:`intake.holders`).

* The moment a ticket reaches someone — it is filed in their grid, assigned to them, sent up or
  down to their level, rerouted to their village, reopened, or put in joint handling with their
  unit — they get its card in a private chat, with the buttons of its state. Nobody is told of
  their own action.
* Deadline reminders reach each holder privately with the tickets they hold, besides the staff
  group.
* Every morning each holder gets a digest of what they hold.

Telegram lets the bot write only to people who wrote to it first; a message it refuses (403) is
recorded, and ``/unreachable`` shows the admin who cannot be reached.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot
from telegram.constants import ParseMode

from handlers.services import Services
from handlers.staff import cards
from handlers.staff.live_cards import LiveCards
from handlers.texts import staff as texts
from intake import DeadlineAlert, EventType, Outcome, UserView
from intake.holders import Holders

# The events after which a ticket may be in new hands.
REACHING = frozenset(
    {
        EventType.FILED,
        EventType.ASSIGNED,
        EventType.CLAIMED,
        EventType.ESCALATED,
        EventType.DEESCALATED,
        EventType.REROUTED,
        EventType.RETURNED,
        EventType.REOPENED,
    }
)
DIGEST_LIMIT = 30


class HolderNotices:
    """Tells holders privately what reached them, what is due, and what they hold.

    Args:
        services: The services (intake, names and deadlines).
        live_cards: Shows the cards, so that they stay current.

    """

    def __init__(self, services: Services, live_cards: LiveCards) -> None:
        self._services = services
        self._live_cards = live_cards
        self._holders = Holders(services.intake.engine)

    async def tell_new_holders(self, bot: Bot, outcome: Outcome) -> None:
        """Send the card privately to those the ticket reached with ``outcome``."""
        reaching = [event for event in outcome.events if event.type in REACHING]
        if not reaching:
            return
        actors = {event.actor_id for event in outcome.events}
        ticket = outcome.ticket
        for holder in await self._holders.of(ticket):
            if holder.id in actors or holder.telegram_id is None:
                continue
            await self._live_cards.show(bot, holder.telegram_id, ticket, heading=texts.CARD_YOURS)

    async def remind(self, bot: Bot, alerts: Sequence[DeadlineAlert], *, overdue: bool) -> None:
        """Tell each holder privately of the alerts on tickets they hold."""
        hours = self._services.intake_config.deadlines.due_soon_hours
        for holder, theirs in await self._by_holder(alerts):
            assert holder.telegram_id is not None
            count = len(theirs)
            title = (
                texts.OVERDUE_TITLE.format(count=count)
                if overdue
                else texts.DUE_SOON_TITLE.format(hours=hours, count=count)
            )
            lines = [texts.HOLDER_REMINDER_TITLE, title]
            lines += [cards.alert_line(self._services, alert) for alert in theirs[:DIGEST_LIMIT]]
            await bot.send_message(holder.telegram_id, "\n".join(lines), parse_mode=ParseMode.HTML)

    async def send_digests(self, bot: Bot) -> None:
        """Send every holder the list of tickets they hold, with buttons to open each card."""
        for holder, tickets in await self._holders.held():
            if holder.telegram_id is None:
                continue
            lines = [texts.DIGEST_TITLE.format(count=len(tickets))]
            lines += [cards.queue_line(self._services, ticket) for ticket in tickets[:DIGEST_LIMIT]]
            if len(tickets) > DIGEST_LIMIT:
                lines.append(texts.DIGEST_MORE.format(count=len(tickets) - DIGEST_LIMIT))
            await bot.send_message(
                holder.telegram_id,
                "\n".join(lines),
                parse_mode=ParseMode.HTML,
                reply_markup=cards.show_keyboard(tickets[:DIGEST_LIMIT]),
            )

    async def _by_holder(
        self, alerts: Sequence[DeadlineAlert]
    ) -> list[tuple[UserView, list[DeadlineAlert]]]:
        found: dict[int, tuple[UserView, list[DeadlineAlert]]] = {}
        holders: dict[str, list[UserView]] = {}
        for alert in alerts:
            number = alert.ticket.number
            if number not in holders:
                holders[number] = await self._holders.of(alert.ticket)
            for holder in holders[number]:
                if holder.telegram_id is not None:
                    found.setdefault(holder.id, (holder, []))[1].append(alert)
        return list(found.values())
