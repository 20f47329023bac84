"""Staff registering a case that arrived offline, for the villager who brought it.

``/dengji`` → how it arrived (接待专窗, 电话, 镇领导接访 with the leader and the day, 网格排查
with the place) → then the steps of filing on someone's behalf (:mod:`handlers.liaison`): the
villager's name → kind → village → the villager's phone → the story → confirm. These steps run
inside the ``filing`` conversation (:mod:`handlers.filing`), which adds :class:`OfflineIntake`'s
entry point and states to its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import draft, liaison, people
from handlers.callbacks import exactly, starts_with
from handlers.draft import CHANNEL, LEADER, PLACE, RECEPTION_DAY, Context, Draft
from handlers.services import Services
from handlers.texts import offline as texts
from intake import IntakeError, Source, UserView
from intake.enums import OFFLINE_SOURCES
from intake.rules import check_filing
from intake.validation import NAME_MAX, PLACE_MAX, clean_reception_date, parse_day

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
STEPS = frozenset({CHANNEL, LEADER, RECEPTION_DAY, PLACE})


def may_register_offline(user: UserView) -> bool:
    """Whether intake lets this person register offline cases (grid, village, township staff)."""
    try:
        check_filing(user, Source.WINDOW)
    except IntakeError:
        return False
    return True


async def ask_channel(message: Message, context: Context, current: Draft) -> str:
    """Ask how the case arrived."""
    rows = [
        [InlineKeyboardButton(source.label, callback_data=draft.CHANNEL_DATA + source.value)]
        for source in OFFLINE_SOURCES
    ]
    await message.reply_text(texts.ASK_CHANNEL, reply_markup=InlineKeyboardMarkup(rows))
    return draft.save(context, current, CHANNEL)


async def ask_leader(message: Message, context: Context, current: Draft) -> str:
    """Ask which leader received the villager."""
    await message.reply_text(texts.ASK_LEADER)
    return draft.save(context, current, LEADER)


async def ask_reception_day(message: Message, context: Context, current: Draft) -> str:
    """Ask the day of the reception (今天 as a button)."""
    today = InlineKeyboardButton(texts.TODAY_BUTTON, callback_data=draft.RECEPTION_TODAY)
    await message.reply_text(texts.ASK_RECEPTION_DAY, reply_markup=InlineKeyboardMarkup([[today]]))
    return draft.save(context, current, RECEPTION_DAY)


async def ask_place(message: Message, context: Context, current: Draft) -> str:
    """Ask where the grid worker found the matter."""
    await message.reply_text(texts.ASK_PLACE)
    return draft.save(context, current, PLACE)


async def ask_step(message: Message, context: Context, current: Draft) -> str:
    """Ask the question of an offline step again."""
    if current.step == LEADER:
        return await ask_leader(message, context, current)
    if current.step == RECEPTION_DAY:
        return await ask_reception_day(message, context, current)
    if current.step == PLACE:
        return await ask_place(message, context, current)
    return await ask_channel(message, context, current)


class OfflineIntake:
    """The ``/dengji`` entry point and the channel steps, sharing the services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def entry_points(self) -> list[BaseHandler[Any, Any, Any]]:
        """``/dengji``."""
        return [CommandHandler("dengji", self.start_command, filters=PRIVATE)]

    def states(self) -> dict[str, list[BaseHandler[Any, Any, Any]]]:
        """The channel steps, each without its stray-message handler (the flow adds it)."""
        return {
            CHANNEL: [
                CallbackQueryHandler(self.choose_channel, pattern=starts_with(draft.CHANNEL_DATA))
            ],
            LEADER: [MessageHandler(TYPED, self.take_leader)],
            RECEPTION_DAY: [
                CallbackQueryHandler(self.reception_today, pattern=exactly(draft.RECEPTION_TODAY)),
                MessageHandler(TYPED, self.take_reception_day),
            ],
            PLACE: [MessageHandler(TYPED, self.take_place)],
        }

    async def start_command(self, update: Update, context: Context) -> str | int:
        """``/dengji``: staff only; anyone else is told what to use instead."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return draft.END
        actor = await people.actor(self.services, context, user)
        if not may_register_offline(actor):
            await message.reply_text(texts.NOT_OFFLINE_STAFF)
            return draft.END
        current = draft.start(context, behalf=True, home_village=actor.village_code)
        return await ask_channel(message, context, current)

    async def choose_channel(self, update: Update, context: Context) -> str | None:
        """A channel button."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None or message is None:
            return None
        chosen = (query.data or "").removeprefix(draft.CHANNEL_DATA)
        await query.answer()
        current = draft.load(context)
        if chosen not in {source.value for source in OFFLINE_SOURCES}:
            return await ask_channel(message, context, current)
        current.source = chosen
        if chosen == Source.RECEPTION:
            return await ask_leader(message, context, current)
        if chosen == Source.GRID_PATROL:
            return await ask_place(message, context, current)
        return await liaison.ask_name(message, context, current)

    async def take_leader(self, update: Update, context: Context) -> str | None:
        """The leader's name."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        leader = await _typed(message, NAME_MAX)
        if leader is None:
            return await ask_leader(message, context, current)
        current.leader = leader
        return await ask_reception_day(message, context, current)

    async def reception_today(self, update: Update, context: Context) -> str | None:
        """今天."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None or message is None:
            return None
        await query.answer()
        return await self._day_chosen(message, context, self._today())

    async def take_reception_day(self, update: Update, context: Context) -> str | None:
        """The day, typed."""
        message = update.effective_message
        if message is None:
            return None
        try:
            day = parse_day(message.text or "", self._today())
        except IntakeError as error:
            await message.reply_text(error.message)
            return await ask_reception_day(message, context, draft.load(context))
        return await self._day_chosen(message, context, day)

    async def take_place(self, update: Update, context: Context) -> str | None:
        """Where the matter was found."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        place = await _typed(message, PLACE_MAX)
        if place is None:
            return await ask_place(message, context, current)
        current.place = place
        return await liaison.ask_name(message, context, current)

    async def _day_chosen(self, message: Message, context: Context, day: date) -> str:
        current = draft.load(context)
        try:
            current.reception_day = clean_reception_date(day, self._today()).isoformat()
        except IntakeError as error:
            await message.reply_text(error.message)
            return await ask_reception_day(message, context, current)
        return await liaison.ask_name(message, context, current)

    def _today(self) -> date:
        return self.services.intake.deadlines.local_date(self.services.clock())


async def _typed(message: Message, limit: int) -> str | None:
    """The stripped text of ``message``, or ``None`` after saying why it is not taken."""
    typed = (message.text or "").strip()
    if not typed:
        await message.reply_text(texts.EMPTY)
        return None
    if len(typed) > limit:
        await message.reply_text(texts.TOO_LONG.format(limit=limit))
        return None
    return typed
