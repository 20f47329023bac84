"""普法 on the township's days: /dingyue and its topics, /tuiding, and the daily broadcast.

A villager subscribes with every topic chosen, then may untick those he does not want; the
buttons stay under the message so he can change them again with /dingyue. On a calendar day
(:mod:`knowledge.pufa`) the job plans that day's broadcast and sends it out through the outbox
(:mod:`intake.broadcasts`), exactly once however often it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    JobQueue,
)

from handlers import callbacks
from handlers.callbacks import exactly, starts_with
from handlers.keyboards import keyboard
from handlers.replies import Choice
from handlers.services import Services
from handlers.start import PRIVATE_COMMAND
from handlers.texts import pufa as texts
from intake.broadcasts import Broadcasts, Planned
from intake.subscriptions import Subscriptions
from knowledge.citations import sources_line
from knowledge.pufa import PufaCalendar, PufaDay

Context = ContextTypes.DEFAULT_TYPE

SUBSCRIBE = callbacks.PUFA + "sub"
TOPIC = callbacks.PUFA + "t:"
DONE = callbacks.PUFA + "done"
STOP_YES = callbacks.PUFA + "stop:yes"
STOP_NO = callbacks.PUFA + "stop:no"

PUFA_JOB = "pufa-broadcasts"
PUFA_EVERY = timedelta(minutes=1)
PUSH_AT = time(9, 0)  # township time: after breakfast, before the fields
TOPICS_PER_ROW = 2


def push_text(piece: PufaDay, readable_laws: Mapping[str, str]) -> str:
    """The message a subscriber gets for a piece: title, text, sources, and how to stop.

    The sources read as under an FAQ answer (:func:`knowledge.citations.sources_line`).
    """
    sources = sources_line(piece.citations, readable_laws)
    return texts.PUSH.format(title=piece.title, text=piece.text, sources=sources)


async def subscribe_offer(services: Services, chat_id: int) -> InlineKeyboardMarkup | None:
    """A button that subscribes to 普法 messages, to offer under other replies.

    ``None`` for a chat already subscribed.
    """
    if await Subscriptions(services.intake.engine).topics(chat_id) is not None:
        return None
    return keyboard([(Choice(texts.SUBSCRIBE_BUTTON, SUBSCRIBE),)])


def topic_buttons(calendar: PufaCalendar, chosen: Set[str]) -> InlineKeyboardMarkup | None:
    """Every topic, ticked where chosen, two a row, then 选好了."""
    choices = [
        Choice(
            (texts.TOPIC_ON if code in chosen else texts.TOPIC_OFF).format(name=name),
            TOPIC + code,
        )
        for code, name in calendar.topics.items()
    ]
    rows = [choices[i : i + TOPICS_PER_ROW] for i in range(0, len(choices), TOPICS_PER_ROW)]
    return keyboard([*rows, (Choice(texts.DONE_BUTTON, DONE),)])


def pufa_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/dingyue, /tuiding and their buttons."""
    pufa = PufaFlow(services)
    return [
        CommandHandler("dingyue", pufa.on_subscribe, PRIVATE_COMMAND),
        CommandHandler("tuiding", pufa.on_unsubscribe, PRIVATE_COMMAND),
        CallbackQueryHandler(pufa.on_subscribe_button, pattern=exactly(SUBSCRIBE)),
        CallbackQueryHandler(pufa.on_topic, pattern=starts_with(TOPIC)),
        CallbackQueryHandler(pufa.on_done, pattern=exactly(DONE)),
        CallbackQueryHandler(pufa.on_stop, pattern=exactly(STOP_YES)),
        CallbackQueryHandler(pufa.on_keep, pattern=exactly(STOP_NO)),
    ]


class PufaFlow:
    """The villager's side of 普法 messages, as handler callbacks sharing the services."""

    def __init__(self, services: Services) -> None:
        self.calendar = services.pufa
        self.subscriptions = Subscriptions(services.intake.engine)

    async def on_subscribe(self, update: Update, context: Context) -> None:
        """/dingyue: subscribe (every topic at first) or show the topics of a subscriber."""
        message = update.effective_message
        if message is not None:
            await self._show_topics(message)

    async def on_subscribe_button(self, update: Update, context: Context) -> None:
        """The 订阅普法消息 button offered under another reply: as /dingyue."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if isinstance(query.message, Message):
            await self._show_topics(query.message)

    async def _show_topics(self, message: Message) -> None:
        chat_id = message.chat.id
        topics = await self.subscriptions.topics(chat_id)
        text = texts.TOPICS
        if topics is None:
            topics = await self.subscriptions.subscribe(chat_id, self.calendar.topics)
            text = texts.SUBSCRIBED
        await message.chat.send_message(text, reply_markup=topic_buttons(self.calendar, topics))

    async def on_topic(self, update: Update, context: Context) -> None:
        """A topic button: tick or untick it; the last one stays (that is /tuiding)."""
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        topic = (query.data or "").removeprefix(TOPIC)
        chat_id = query.message.chat.id
        if topic not in self.calendar.topics:
            # A button from an older calendar, or forged.
            await query.answer(texts.UNKNOWN_TOPIC, show_alert=True)
            return
        chosen = await self.subscriptions.topics(chat_id)
        if chosen is None:
            await query.answer(texts.NOT_SUBSCRIBED, show_alert=True)
            return
        if chosen == {topic}:
            await query.answer(texts.LAST_TOPIC, show_alert=True)
            return
        chosen = await self.subscriptions.toggle(chat_id, topic)
        await query.answer()
        if chosen is not None:
            await query.edit_message_reply_markup(topic_buttons(self.calendar, chosen))

    async def on_done(self, update: Update, context: Context) -> None:
        """选好了: say which topics the villager gets, and how to change or stop."""
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        chosen = await self.subscriptions.topics(query.message.chat.id)
        if chosen is None:
            await query.answer(texts.NOT_SUBSCRIBED, show_alert=True)
            return
        await query.answer()
        names = "、".join(name for code, name in self.calendar.topics.items() if code in chosen)
        await query.edit_message_text(texts.DONE.format(topics=names))

    async def on_unsubscribe(self, update: Update, context: Context) -> None:
        """/tuiding: ask to confirm, or say there is nothing to stop."""
        message = update.effective_message
        if message is None:
            return
        if await self.subscriptions.topics(message.chat.id) is None:
            await message.chat.send_message(texts.NOT_SUBSCRIBED)
            return
        choices = (
            Choice(texts.UNSUBSCRIBE_YES, STOP_YES),
            Choice(texts.UNSUBSCRIBE_NO, STOP_NO),
        )
        await message.chat.send_message(texts.UNSUBSCRIBE_CONFIRM, reply_markup=keyboard([choices]))

    async def on_stop(self, update: Update, context: Context) -> None:
        """确认退订: nothing more is sent, not even what is queued."""
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        await query.answer()
        await self.subscriptions.unsubscribe(query.message.chat.id)
        await query.edit_message_text(texts.UNSUBSCRIBED)

    async def on_keep(self, update: Update, context: Context) -> None:
        """不退订了."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await query.edit_message_text(texts.STILL_SUBSCRIBED)


class PufaJobs:
    """The broadcast job: plans a calendar day's pieces, and sends out what is due.

    Args:
        services: The services (the calendar, the database, the township's time zone).
        clock: Returns the current instant; the services' clock unless given.

    """

    def __init__(self, services: Services, *, clock: Callable[[], datetime] | None = None) -> None:
        clock = clock or services.clock
        self._calendar = services.pufa
        self._readable_laws = services.faq.base.readable_laws
        self._tz = services.intake_config.tz
        self._broadcasts = Broadcasts(services.intake.engine, clock=clock)
        self._clock = clock

    async def run(self, context: Context) -> None:
        """Plan today's pieces (once), then queue every broadcast whose time has come."""
        today = self._clock().astimezone(self._tz).date()
        for piece in self._calendar.on(today):
            await self._broadcasts.plan(self.planned(piece, today))
        await self._broadcasts.send_out_due()

    def planned(self, piece: PufaDay, day: date) -> Planned:
        """The broadcast of ``piece`` on the calendar day ``day``."""
        send_at = datetime.combine(day, PUSH_AT, tzinfo=self._tz).astimezone(UTC)
        return Planned(
            key=f"day:{piece.id}:{day.isoformat()}",
            piece=piece.id,
            topic=piece.topic,
            text=push_text(piece, self._readable_laws),
            send_at=send_at,
        )


def schedule_pufa_jobs(job_queue: JobQueue[Context], services: Services) -> None:
    """Look every minute, from a minute after the start, for a 普法 day and broadcasts due.

    Not at once: a bot restarted for a moment (or a test's bot) has no push to hurry.
    """
    job_queue.run_repeating(
        PufaJobs(services).run, interval=PUFA_EVERY, first=PUFA_EVERY, name=PUFA_JOB
    )
