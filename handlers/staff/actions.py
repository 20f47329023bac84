"""The buttons on ticket cards, the prompts they lead to, and replies written to a card.

Anyone in a group can press a button, so a button proves nothing: the presser is looked up in
intake, non-staff are turned away at once, and every action runs through the IntakeService
method that checks the presser's role on the server side. A refusal is shown to the presser
only (an alert) and changes nothing. Before asking for a reason, the same rule intake will
apply (:func:`intake.rules.check`) is checked, so nobody types a reason only to be refused.

Intake announces each action's change, and the Notifier redraws the cards and tells whoever must
know; the card the staff member acted from is redrawn first
(:func:`handlers.acknowledgements.acknowledged_first`).
"""

from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes, filters

from handlers import formatting, people
from handlers.acknowledgements import acknowledged_first
from handlers.services import Services
from handlers.staff import cards, pending
from handlers.staff import thread as staff_thread
from handlers.staff.cards import Press, PressData
from handlers.staff.live_cards import LiveCards
from handlers.staff.pending import Pending, Step
from handlers.texts import staff as texts
from handlers.texts import thread as thread_texts
from intake import IntakeError, Level, Outcome, Rating, TicketView, UserView
from intake.actions import BY_CODE
from intake.enums import LEVELS
from intake.rules import Action, check, check_level_change
from intake.validation import check_extension_days

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
CardRef = tuple[int, int]

CALLBACK_ANSWER_MAX = 200
CONFIRM_PREVIEW_MAX = 3500
_LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


# Presses that check the presser may take the action, then ask for the text it needs.
_PROMPTED: dict[Press, tuple[Action, Step, str, str]] = {
    Press.CLOSE: (Action.CLOSE, Step.CLOSE, texts.ASK_CLOSE_REASON, texts.PLACEHOLDER_REASON),
    Press.RETURN: (Action.RETURN, Step.RETURN, texts.ASK_RETURN_REASON, texts.PLACEHOLDER_REASON),
    Press.EXTEND: (Action.EXTEND, Step.EXTEND_DAYS, texts.ASK_EXTEND_DAYS, texts.PLACEHOLDER_DAYS),
    Press.NOTE: (Action.NOTE, Step.NOTE, texts.ASK_NOTE, texts.PLACEHOLDER_NOTE),
    Press.REPLY: (Action.REPLY, Step.REPLY, texts.ASK_REPLY, texts.PLACEHOLDER_REPLY),
    Press.REJECT: (
        Action.REJECT,
        Step.REJECT_REASON,
        texts.ASK_REJECT_REASON,
        texts.PLACEHOLDER_REASON,
    ),
    Press.ASSIGN: (Action.ASSIGN, Step.ASSIGN, texts.ASK_ASSIGNEE, texts.PLACEHOLDER_ASSIGNEE),
    Press.MESSAGE: (Action.MESSAGE, Step.SAY, thread_texts.ASK_SAY, thread_texts.PLACEHOLDER_SAY),
    Press.INTERNAL: (
        Action.NOTE,
        Step.INTERNAL,
        thread_texts.ASK_INTERNAL,
        thread_texts.PLACEHOLDER_INTERNAL,
    ),
    Press.REQUEST_MORE: (
        Action.REQUEST_MORE,
        Step.MORE,
        thread_texts.ASK_MORE,
        thread_texts.PLACEHOLDER_MORE,
    ),
}


class _Refused(Exception):
    """A press or an answer that cannot be taken; the message says why, in Chinese."""


class RepliesToStaffMessage(filters.MessageFilter):
    """A reply to one of this bot's ticket cards or prompts."""

    def filter(self, message: Message) -> bool:
        """Whether ``message`` answers a card or a prompt the bot sent."""
        replied = message.reply_to_message
        if replied is None or replied.from_user is None:
            return False
        from_this_bot = replied.from_user.id == message.get_bot().id
        return from_this_bot and formatting.card_number(replied.text) is not None


class StaffActions:
    """Handles staff button presses and the replies to cards and prompts."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._intake = services.intake
        self._live_cards = LiveCards(services)

    # Buttons --------------------------------------------------------------------------------

    async def on_press(self, update: Update, context: Context) -> None:
        """A staff button was pressed: check who pressed it, act, and answer the press."""
        query = update.callback_query
        if query is None:
            return
        data = cards.parse_press(query.data)
        if data is None:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        actor = await people.actor(self._services, context, query.from_user)
        if not actor.role.is_staff:
            await query.answer(texts.NOT_STAFF.format(role=actor.role.label), show_alert=True)
            return
        try:
            toast = await self._press(query, context, actor, data)
        except (IntakeError, _Refused) as error:
            reason = error.message if isinstance(error, IntakeError) else str(error)
            await query.answer(reason[:CALLBACK_ANSWER_MAX], show_alert=True)
            return
        await query.answer(toast)

    async def _press(
        self, query: CallbackQuery, context: Context, actor: UserView, data: PressData
    ) -> str | None:
        """Carry out one press; return the short confirmation to show the presser."""
        card = query.message if isinstance(query.message, Message) else None
        if data.press in (Press.SEND, Press.DROP):
            return await self._confirm(context, query, card, data)
        number = data.key
        user = query.from_user
        asker = _Asker(self._services, context, user, card.chat_id if card else user.id, _ref(card))
        prompted = _PROMPTED.get(data.press)
        if prompted is not None:
            action, answer_step, question, placeholder = prompted
            await self._may(actor, number, action)
            return await asker.ask(answer_step, number, question, placeholder)
        match data.press:
            case Press.ACCEPT:
                with self._acting_from(_ref(card)):
                    return _done(await self._intake.accept(actor.id, number))
            case Press.CLAIM:
                with self._acting_from(_ref(card)):
                    return _done(await self._intake.claim(actor.id, number))
            case Press.REQUEST_FEEDBACK:
                with self._acting_from(_ref(card)):
                    return _done(await self._intake.request_feedback(actor.id, number))
            case Press.RECORD_FEEDBACK:
                await self._may(actor, number, Action.RECORD_FEEDBACK)
                await _show_keyboard(card, cards.rating_keyboard(number))
                return texts.CHOOSE_RATING
            case Press.RATING:
                return await self._phone_rating(context, actor, number, data.arg, card, asker)
            case Press.MORE:
                ticket = await self._intake.get_ticket(actor.id, number)
                await _show_keyboard(card, cards.more_keyboard(ticket))
                return texts.CHOOSE_ACTION
            case Press.ESCALATE | Press.DEESCALATE:
                ticket = await self._intake.get_ticket(actor.id, number)
                if not BY_CODE[data.press].applies(ticket):
                    raise _Refused(texts.STALE_BUTTON)
                step = 1 if data.press is Press.ESCALATE else -1
                target = LEVELS[ticket.level.rank + step]
                return await self._to_level(actor, ticket, target, card, asker)
            case Press.LEVEL:
                ticket = await self._intake.get_ticket(actor.id, number)
                return await self._to_level(actor, ticket, _level(data.arg), card, asker)
            case Press.UNIT:
                if data.arg not in self._services.intake_config.units:
                    raise _Refused(texts.STALE_BUTTON)
                ticket = await self._intake.get_ticket(actor.id, number)
                _check_level_change(actor, ticket, Level.DEPARTMENT)
                return await asker.ask(
                    Step.ESCALATE,
                    number,
                    texts.ASK_ESCALATE_REASON,
                    texts.PLACEHOLDER_REASON,
                    Level.DEPARTMENT,
                    data.arg,
                )
            case Press.REROUTE:
                await self._may(actor, number, Action.REROUTE)
                await _show_keyboard(card, cards.village_keyboard(self._services, number))
                return texts.CHOOSE_VILLAGE
            case Press.VILLAGE:
                village = self._services.intake_config.village(data.arg or "")
                if village is None:
                    raise _Refused(texts.STALE_BUTTON)
                await self._may(actor, number, Action.REROUTE)
                return await asker.ask(
                    Step.REROUTE,
                    number,
                    texts.ASK_REROUTE_REASON,
                    texts.PLACEHOLDER_REASON,
                    village.code,
                )
            case Press.DISPATCH:
                ticket = await self._intake.get_ticket(actor.id, number)
                await _show_keyboard(card, cards.dispatch_keyboard(ticket))
                return texts.CHOOSE_DISPATCH
            case Press.BACK:
                ticket = await self._intake.get_ticket(actor.id, number)
                await self._redraw(context.bot, _ref(card), ticket)
                return None
            case Press.SHOW:
                ticket = await self._intake.get_ticket(actor.id, number)
                await send_card(context.bot, self._services, asker.chat_id, ticket)
                return None
            case Press.THREAD:
                await self._show_thread(context.bot, actor, number, asker.chat_id)
                return None
        return None

    async def _show_thread(self, bot: Bot, actor: UserView, number: str, chat_id: int) -> None:
        """Send the ticket's thread, internal messages included (only staff press this)."""
        ticket = await self._intake.get_ticket(actor.id, number)
        messages = await self._intake.thread(actor.id, number)
        await bot.send_message(
            chat_id,
            await staff_thread.thread_text(self._services, ticket, messages),
            parse_mode=ParseMode.HTML,
            reply_markup=staff_thread.thread_keyboard(ticket),
        )

    async def _phone_rating(
        self,
        context: Context,
        actor: UserView,
        number: str,
        code: str | None,
        card: Message | None,
        asker: _Asker,
    ) -> str | None:
        """Record the rating a villager gave on a 回访 call; 不满意 first asks why."""
        try:
            rating = Rating(code or "")
        except ValueError:
            raise _Refused(texts.STALE_BUTTON) from None
        if rating is Rating.UNRATED:
            raise _Refused(texts.STALE_BUTTON)
        if rating is Rating.DISSATISFIED:
            await self._may(actor, number, Action.RECORD_FEEDBACK)
            return await asker.ask(
                Step.PHONE_FEEDBACK,
                number,
                texts.ASK_PHONE_FEEDBACK_REASON,
                texts.PLACEHOLDER_REASON,
                rating,
            )
        with self._acting_from(_ref(card)):
            outcome = await self._intake.record_feedback(actor.id, number, rating, by_phone=True)
        return _done(outcome)

    async def _to_level(
        self,
        actor: UserView,
        ticket: TicketView,
        target: Level,
        card: Message | None,
        asker: _Asker,
    ) -> str | None:
        """Ask why the ticket moves to ``target``; joint handling first needs its lead unit."""
        _check_level_change(actor, ticket, target)
        if target is Level.DEPARTMENT:
            await _show_keyboard(card, cards.unit_keyboard(self._services, ticket.number))
            return texts.CHOOSE_UNIT
        up = target.rank > ticket.level.rank
        ask = texts.ASK_ESCALATE_REASON if up else texts.ASK_DEESCALATE_REASON
        return await asker.ask(Step.ESCALATE, ticket.number, ask, texts.PLACEHOLDER_REASON, target)

    async def _may(self, actor: UserView, number: str, action: Action) -> None:
        """Refuse before any prompt what intake would refuse once the answer is written."""
        ticket = await self._intake.get_ticket(actor.id, number)
        check(action, actor, ticket)
        if not BY_CODE[action].applies(ticket):
            raise _Refused(texts.STALE_BUTTON)

    # Replies to cards and prompts -----------------------------------------------------------

    async def on_reply(self, update: Update, context: Context) -> None:
        """A staff member replied to a prompt (the awaited text) or to a card (a public reply)."""
        message = update.message
        if message is None or message.reply_to_message is None or message.from_user is None:
            return
        replied = message.reply_to_message
        number = prompt_number(replied.text)
        try:
            if number is not None:
                await self._answer(context, message, replied, number)
            else:
                await self._reply_to_card(context, message, replied)
        except (IntakeError, _Refused) as error:
            reason = error.message if isinstance(error, IntakeError) else str(error)
            await message.reply_text(reason, do_quote=True)

    async def _answer(
        self, context: Context, message: Message, prompt: Message, number: str
    ) -> None:
        """Complete the action a prompt about ticket ``number`` asked for, with the text written.

        The wait is found by the ticket and the replier, not by the prompt's message id; it
        must also be for the action the prompt's title names, so that a reply to an older
        prompt, replaced since, is not taken for the newer one.
        """
        user = message.from_user
        assert user is not None
        awaited = pending.find(context, number, user.id)
        if awaited is None or _first_line(prompt.text) != _title(awaited.step, number):
            if pending.waited_on_by_others(context, number, user.id):
                raise _Refused(texts.PROMPT_NOT_YOURS)
            raise _Refused(texts.PROMPT_EXPIRED)
        text = message.text
        if not text:
            raise _Refused(texts.TEXT_ONLY)
        actor = await people.actor(self._services, context, user)
        with self._acting_from(awaited.card):
            outcome = await self._complete(context, message, actor, awaited, text)
        if outcome is None:
            return  # the action's next prompt now waits in this one's place
        pending.forget(context, number, user.id)
        await message.reply_text(_done(outcome), do_quote=True)

    async def _complete(
        self, context: Context, message: Message, actor: UserView, awaited: Pending, text: str
    ) -> Outcome | None:
        intake, number = self._intake, awaited.number
        assert message.from_user is not None
        asker = _Asker(self._services, context, message.from_user, message.chat_id, awaited.card)
        match awaited.step:
            case Step.REJECT_REASON:
                await asker.ask(
                    Step.REJECT_ROUTE,
                    number,
                    texts.ASK_REJECT_ROUTE,
                    texts.PLACEHOLDER_ROUTE,
                    carried=text,
                )
                return None
            case Step.REJECT_ROUTE:
                return await intake.reject(actor.id, number, reason=awaited.text or "", route=text)
            case Step.ESCALATE:
                target = _level(awaited.arg)
                if target is Level.DEPARTMENT:
                    await asker.ask(
                        Step.CO_UNITS,
                        number,
                        texts.ASK_CO_UNITS,
                        texts.PLACEHOLDER_UNITS,
                        target,
                        awaited.unit,
                        carried=text,
                    )
                    return None
                ticket = await intake.get_ticket(actor.id, number)
                if target.rank > ticket.level.rank:
                    return await intake.escalate(actor.id, number, reason=text, to_level=target)
                return await intake.deescalate(actor.id, number, reason=text, to_level=target)
            case Step.CO_UNITS:
                return await intake.escalate(
                    actor.id,
                    number,
                    reason=awaited.text or "",
                    to_level=Level.DEPARTMENT,
                    lead_unit=awaited.unit,
                    co_units=_co_units(text),
                )
            case Step.RETURN:
                return await intake.return_to_triage(actor.id, number, reason=text)
            case Step.EXTEND_DAYS:
                days = _days(text)
                check_extension_days(self._services.intake_config, days)
                await asker.ask(
                    Step.EXTEND_REASON,
                    number,
                    texts.ASK_EXTEND_REASON,
                    texts.PLACEHOLDER_REASON,
                    str(days),
                )
                return None
            case Step.EXTEND_REASON:
                return await intake.extend(actor.id, number, days=_days(awaited.arg), reason=text)
            case Step.NOTE:
                return await intake.add_note(actor.id, number, text)
            case Step.PHONE_FEEDBACK:
                return await intake.record_feedback(
                    actor.id, number, Rating.DISSATISFIED, reason=text, by_phone=True
                )
            case Step.REROUTE:
                village = awaited.arg or ""
                return await intake.reroute(actor.id, number, village_code=village, reason=text)
            case Step.ASSIGN:
                assignee = await self._assignee(context, message, text)
                return await intake.assign(actor.id, number, assignee.id)
            case Step.REPLY:
                return await intake.reply(actor.id, number, text)
            case Step.CLOSE:
                return await intake.close(actor.id, number, reason=text)
            case Step.SAY:
                return await intake.post_message(actor.id, number, text)
            case Step.INTERNAL:
                return await intake.post_message(actor.id, number, text, internal=True)
            case Step.MORE:
                return await intake.request_more(actor.id, number, text)
            case Step.CONFIRM_REPLY:
                raise _Refused(texts.STALE_BUTTON)  # confirmed with its buttons, not by a reply

    async def _assignee(self, context: Context, message: Message, text: str) -> UserView:
        for entity in message.parse_entities([MessageEntity.TEXT_MENTION]):
            if entity.user is not None:
                return await people.actor(self._services, context, entity.user)
        reference = text.strip()
        found = await people.user_by_reference(context.bot, context, self._services, reference)
        if found is None:
            raise _Refused(texts.PERSON_UNKNOWN.format(who=reference))
        return found

    async def _reply_to_card(self, context: Context, message: Message, card: Message) -> None:
        """A reply to a card is a public answer: confirm it first, since it cannot be taken back."""
        assert message.from_user is not None
        number = formatting.card_number(card.text)
        if number is None:
            return
        actor = await people.actor(self._services, context, message.from_user)
        if not actor.role.is_staff:
            raise _Refused(texts.NOT_STAFF.format(role=actor.role.label))
        if not message.text:
            raise _Refused(texts.TEXT_ONLY)
        await self._may(actor, number, Action.REPLY)
        preview = message.text
        if len(preview) > CONFIRM_PREVIEW_MAX:
            preview = preview[:CONFIRM_PREVIEW_MAX] + "…"
        await message.reply_text(
            texts.CONFIRM_REPLY.format(number=number, text=formatting.escape(preview)),
            parse_mode=ParseMode.HTML,
            reply_markup=cards.confirm_keyboard(message.message_id),
            do_quote=True,
        )
        awaited = Pending(
            Step.CONFIRM_REPLY,
            number,
            by=message.from_user.id,
            card=(card.chat_id, card.message_id),
            text=message.text,
        )
        pending.remember_reply(context, message.message_id, awaited)

    async def _confirm(
        self, context: Context, query: CallbackQuery, confirmation: Message | None, data: PressData
    ) -> str | None:
        """确认发送 / 取消 under a reply written to a card."""
        key = int(data.key)
        awaited = pending.find_reply(context, key)
        if awaited is None or awaited.step is not Step.CONFIRM_REPLY or awaited.text is None:
            raise _Refused(texts.STALE_BUTTON)
        if awaited.by != query.from_user.id:
            raise _Refused(texts.CONFIRM_NOT_YOURS)
        if data.press is Press.DROP:
            pending.forget_reply(context, key)
            await _edit(confirmation, texts.REPLY_DROPPED)
            return texts.REPLY_DROPPED
        actor = await people.actor(self._services, context, query.from_user)
        number, card = awaited.number, awaited.card

        async def sent(bot: Bot, outcome: Outcome) -> None:
            await _edit(confirmation, texts.REPLY_SENT.format(number=number))
            await self._bring_up_to_date(bot, card, outcome.ticket)

        with acknowledged_first(sent):
            outcome = await self._intake.reply(actor.id, number, awaited.text)
        pending.forget_reply(context, key)
        return _done(outcome)

    # After an action --------------------------------------------------------------------------

    def _acting_from(self, card: CardRef | None) -> AbstractContextManager[None]:
        """Inside the block, the change's notices come after the card acted from is redrawn."""

        async def redraw(bot: Bot, outcome: Outcome) -> None:
            await self._bring_up_to_date(bot, card, outcome.ticket)

        return acknowledged_first(redraw)

    async def _bring_up_to_date(self, bot: Bot, card: CardRef | None, ticket: TicketView) -> None:
        """Redraw the card acted from unless the Notifier redraws it with the cards it knows."""
        if card is not None and not await self._live_cards.is_shown(*card):
            # A card shown before cards were kept current: the Notifier does not know of it.
            await self._redraw(bot, card, ticket)

    async def _redraw(self, bot: Bot, card: CardRef | None, ticket: TicketView) -> None:
        if card is None:
            return
        chat_id, message_id = card
        try:
            shown = await cards.view_for_chat(self._services, chat_id, ticket)
            await bot.edit_message_text(
                await cards.card_text(self._services, shown),
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=cards.card_keyboard(ticket),
            )
        except BadRequest as error:
            # Unchanged, deleted or too old to edit: the next /ticket shows the current state.
            log.debug("ticket %s: card not redrawn (%s)", ticket.number, error.message)


def _done(outcome: Outcome) -> str:
    """What the staff member is told was done."""
    done = [event.type.label for event in outcome.events] or [thread_texts.WRITTEN]
    return texts.DONE.format(action="、".join(done), number=outcome.ticket.number)


@dataclass(frozen=True)
class _Asker:
    """Sends a prompt the staff member answers by replying, and remembers what it is for.

    Attributes:
        services: The services (for village names).
        context: The update's context (the bot, the chat's pending answers).
        user: Who must answer.
        chat_id: Where to ask.
        card: The card to redraw once the action is done, if known.

    """

    services: Services
    context: Context
    user: User
    chat_id: int
    card: CardRef | None

    async def ask(
        self,
        step: Step,
        number: str,
        ask: str,
        placeholder: str,
        arg: str | None = None,
        unit: str | None = None,
        *,
        carried: str | None = None,
    ) -> str:
        """Send the prompt; return the short hint for the presser."""
        text = "\n".join(
            (
                _title(step, number),
                ask.format(who=self.user.mention_html(), **self._details(step, arg)),
            )
        )
        await self.context.bot.send_message(
            self.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder),
        )
        # No message id is kept (it is not known until the outbox delivers the prompt): the
        # answer is matched by the prompt's title and the replier.
        awaited = Pending(step, number, self.user.id, self.card, arg, unit, carried)
        pending.remember(self.context, awaited)
        return texts.WRITE_IT

    def _details(self, step: Step, arg: str | None) -> dict[str, str]:
        config = self.services.intake_config
        match step:
            case Step.ESCALATE:
                return {"level": _level(arg).label}
            case Step.REROUTE:
                village = formatting.village_name(self.services, arg or "")
                return {"village": formatting.escape(village)}
            case Step.CO_UNITS:
                return {"units": formatting.escape("、".join(config.units))}
            case Step.EXTEND_DAYS:
                return {"limit": str(config.deadlines.extension_max_days)}
            case Step.EXTEND_REASON:
                return {"days": arg or ""}
        return {}


_STEP_ACTIONS = {
    Step.REJECT_REASON: Action.REJECT,
    Step.REJECT_ROUTE: Action.REJECT,
    Step.ESCALATE: Action.ESCALATE,
    Step.CO_UNITS: Action.ESCALATE,
    Step.REROUTE: Action.REROUTE,
    Step.RETURN: Action.RETURN,
    Step.EXTEND_DAYS: Action.EXTEND,
    Step.EXTEND_REASON: Action.EXTEND,
    Step.NOTE: Action.NOTE,
    Step.PHONE_FEEDBACK: Action.RECORD_FEEDBACK,
    Step.ASSIGN: Action.ASSIGN,
    Step.REPLY: Action.REPLY,
    Step.CLOSE: Action.CLOSE,
    Step.CONFIRM_REPLY: Action.REPLY,
    Step.SAY: Action.MESSAGE,
    Step.INTERNAL: Action.NOTE,
    Step.MORE: Action.REQUEST_MORE,
}


def _title(step: Step, number: str) -> str:
    """The first line of a prompt: the ticket and the action it asks an answer for."""
    return texts.PROMPT_TITLE.format(number=number, action=_STEP_ACTIONS[step].label)


def prompt_number(text: str | None) -> str | None:
    """The ticket number in the title of a prompt the bot sent.

    Args:
        text: The text of the message replied to, as the replier's client shows it.

    Returns:
        The ticket number, or ``None`` if the text is not a prompt or its number is unreadable.

    """
    if not (text or "").startswith(texts.PROMPT_MARK):
        return None
    return formatting.card_number(text)


def _first_line(text: str | None) -> str:
    return (text or "").split("\n", 1)[0]


def _level(code: str | None) -> Level:
    try:
        return Level(code or "")
    except ValueError:
        raise _Refused(texts.STALE_BUTTON) from None


def _days(text: str | None) -> int:
    days = (text or "").strip()
    if not days.isdigit() or len(days) > 4:
        raise _Refused(texts.DAYS_NOT_NUMBER)
    return int(days)


def _co_units(text: str) -> tuple[str, ...]:
    """The co-handling units named in an answer; none for 「无」."""
    named = tuple(unit for unit in _LIST_SEPARATORS.split(text.strip()) if unit)
    return () if named in ((), *((word,) for word in texts.NO_CO_UNITS)) else named


def _check_level_change(actor: UserView, ticket: TicketView, target: Level) -> None:
    up = target.rank > ticket.level.rank
    check(Action.ESCALATE if up else Action.DEESCALATE, actor, ticket)
    check_level_change(actor, ticket, target, up=up)


def _ref(message: Message | None) -> CardRef | None:
    """Where the pressed card is; ``None`` for buttons under other messages (e.g. the thread)."""
    if message is None or not (message.text or "").startswith(texts.CARD_MARK):
        return None
    return (message.chat_id, message.message_id)


async def _show_keyboard(card: Message | None, keyboard: InlineKeyboardMarkup) -> None:
    """Swap the card's buttons for a menu (the card's text stays)."""
    if card is None:
        raise _Refused(texts.STALE_BUTTON)
    try:
        await card.edit_reply_markup(keyboard)
    except BadRequest as error:
        log.debug("card menu not shown (%s)", error.message)


async def _edit(message: Message | None, text: str) -> None:
    if message is None:
        return
    try:
        await message.edit_text(text)
    except BadRequest as error:
        log.debug("message not edited (%s)", error.message)


async def send_card(bot: Bot, services: Services, chat_id: int, ticket: TicketView) -> None:
    """Send a ticket's card with its buttons, kept current from then on."""
    await LiveCards(services).show(bot, chat_id, ticket)
