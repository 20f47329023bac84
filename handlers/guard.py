"""The guard in front of every area (handler group -2): bans, the message limit, the ticket limit.

For each update, before any area sees it:

* a banned person gets one polite reply, the first time, and is ignored from then on;
* staff pass untouched;
* a villager's new private message over the limit (20 a minute by default, ``limits`` in
  ``intake/intake.yaml``) is **kept, not dropped**: the update is stored as Telegram sent it
  (:class:`intake.moderation.Moderation`), the villager is told once per window when they will
  be answered, and the stored updates are handed to the Application again, in the order sent, as
  soon as the window allows — by a job scheduled for that moment, or by the villager's next
  message, whichever comes first (after a restart, on first use). While someone has held
  updates, their new messages queue behind them, so their order is kept;
* a villager with the most open tickets allowed who starts filing (or presses 确认提交) is told
  that staff are handling their tickets; their draft stays.

Stopping an update raises :class:`~telegram.ext.ApplicationHandlerStop`, so no area sees it.
The rate window is in memory (a restart forgets who wrote how much, and nothing more) and runs on
the services' clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    ContextTypes,
    TypeHandler,
)

from handlers import callbacks, draft
from handlers.services import Services
from handlers.texts import guard as texts
from intake import Role
from intake.config import Limits
from intake.moderation import Moderation, Standing

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Clock = Callable[[], datetime]

# Above this many people tracked, those with nothing in their window are forgotten.
TRACKED_MAX = 10_000
RELEASE_JOB = "guard-release:"
FILING_COMMANDS = frozenset({"/file"})


def guard_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The guard, for handler group -2, on the services' clock."""
    guard = Guard(services, services.clock)
    return [TypeHandler(Update, guard.check)]


class RateWindow:
    """How many messages each person sent in the last ``window``, on a given clock.

    Args:
        limit: Messages allowed per window.
        window: The sliding window.
        clock: Returns the current instant.

    """

    def __init__(self, limit: int, window: timedelta, clock: Clock) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sent: dict[Hashable, deque[datetime]] = {}

    def admit(self, key: Hashable) -> datetime | None:
        """Count one message of ``key`` if the window has room.

        Returns:
            ``None`` if admitted (and counted); otherwise when the next one will be admitted.

        """
        now = self._clock()
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - self._window:
            sent.popleft()
        if len(sent) >= self._limit:
            return sent[0] + self._window
        sent.append(now)
        if len(self._sent) > TRACKED_MAX:
            self._forget_idle(now)
        return None

    def next_free(self, key: Hashable) -> datetime:
        """When ``key`` may next send a message (now, if the window has room)."""
        now = self._clock()
        sent = [instant for instant in self._sent.get(key, ()) if instant > now - self._window]
        return sent[0] + self._window if len(sent) >= self._limit else now

    def _forget_idle(self, now: datetime) -> None:
        for key in [
            k for k, sent in self._sent.items() if not sent or sent[-1] <= now - self._window
        ]:
            del self._sent[key]


class Guard:
    """The checks run on every update; see the module documentation.

    Args:
        services: What the handlers work with.
        clock: Returns the current instant.

    """

    def __init__(self, services: Services, clock: Clock) -> None:
        self._limits: Limits = services.intake_config.limits
        self._moderation = Moderation(services.intake.engine, clock=clock)
        self._clock = clock
        self._window = RateWindow(
            self._limits.messages, timedelta(seconds=self._limits.window_seconds), clock
        )
        # Telegram ids with held updates; loaded from the database on first use.
        self._holding: set[int] | None = None
        self._replaying: set[int] = set()
        self._told_until: dict[int, datetime] = {}
        self._release_lock = asyncio.Lock()

    async def check(self, update: Update, context: Context) -> None:
        """Let the update through, or answer it here and stop it.

        Raises:
            ApplicationHandlerStop: The update is handled (held, refused or ignored).

        """
        user = update.effective_user
        if user is None or user.is_bot:
            return
        standing = await self._moderation.standing(user.id)
        if standing is not None and standing.banned:
            await self._banned(update, context, standing)
            raise ApplicationHandlerStop
        if standing is not None and standing.role.is_staff:
            return
        if update.update_id not in self._replaying and _private_message(update):
            await self._limit_messages(update, context, user.id)
        if (standing is None or standing.role is Role.VILLAGER) and _files(update):
            await self._limit_tickets(update, context, standing)

    # Bans -----------------------------------------------------------------------------------

    async def _banned(self, update: Update, context: Context, standing: Standing) -> None:
        chat = update.effective_chat
        if standing.ban_notified or chat is None or chat.type != ChatType.PRIVATE:
            return
        if await self._moderation.mark_ban_notified(standing.user_id):
            await context.bot.send_message(chat.id, texts.BANNED)

    # The message limit ----------------------------------------------------------------------

    async def _limit_messages(self, update: Update, context: Context, telegram_id: int) -> None:
        holding = await self._holding_ids(context)
        if telegram_id in holding:
            # Queued behind what is held, so the order is kept; released at once if there is
            # room now.
            await self._hold(update, telegram_id)
            await self._release(context.application, telegram_id)
            if telegram_id in holding:
                await self._tell_limited(update, context, telegram_id)
            raise ApplicationHandlerStop
        if self._window.admit(telegram_id) is None:
            return
        await self._hold(update, telegram_id)
        holding.add(telegram_id)
        await self._tell_limited(update, context, telegram_id)
        raise ApplicationHandlerStop

    async def _holding_ids(self, context: Context) -> set[int]:
        if self._holding is None:
            self._holding = set(await self._moderation.holding())
            # Held before a restart: hand them back as soon as the limit allows.
            for telegram_id in self._holding:
                self._schedule_release(context, telegram_id, timedelta())
        return self._holding

    async def _hold(self, update: Update, telegram_id: int) -> None:
        await self._moderation.hold(telegram_id, update.update_id, update.to_dict())
        log.info("update %s held: over the message limit", update.update_id)

    async def _tell_limited(self, update: Update, context: Context, telegram_id: int) -> None:
        """Tell the villager once per window when they will be answered; schedule that."""
        now = self._clock()
        if self._told_until.get(telegram_id, now) > now:
            return
        free_at = self._window.next_free(telegram_id)
        self._told_until[telegram_id] = free_at
        wait = max(free_at - now, timedelta(seconds=1))
        self._schedule_release(context, telegram_id, wait)
        message = update.effective_message
        if message is not None:
            await message.reply_text(
                texts.RATE_LIMITED.format(
                    window=self._limits.window_seconds,
                    limit=self._limits.messages,
                    seconds=math.ceil(wait.total_seconds()),
                )
            )

    def _schedule_release(self, context: Context, telegram_id: int, when: timedelta) -> None:
        queue = context.job_queue
        name = f"{RELEASE_JOB}{telegram_id}"
        if queue is None or queue.get_jobs_by_name(name):
            return
        queue.run_once(self._release_job, when=when, data=telegram_id, name=name)

    async def _release_job(self, context: Context) -> None:
        job = context.job
        if job is not None and isinstance(job.data, int):
            await self._release(context.application, job.data)
            if self._holding is not None and job.data in self._holding:
                # Still over the limit (the villager kept writing): try again after a window.
                window = timedelta(seconds=self._limits.window_seconds)
                self._schedule_release(context, job.data, window)

    async def _release(
        self, application: Application[Any, Any, Any, Any, Any, Any], telegram_id: int
    ) -> None:
        """Hand held updates back to the Application, oldest first, while the window allows."""
        async with self._release_lock:
            for held in await self._moderation.held(telegram_id):
                if self._window.admit(telegram_id) is not None:
                    return
                self._replaying.add(held.update_id)
                try:
                    await application.process_update(Update.de_json(held.payload, application.bot))
                finally:
                    self._replaying.discard(held.update_id)
                # Recorded only once handled: a crash in between hands it back again.
                await self._moderation.release(held.id)
            if self._holding is not None and not await self._moderation.held(telegram_id):
                self._holding.discard(telegram_id)
                self._told_until.pop(telegram_id, None)

    # The ticket limit -----------------------------------------------------------------------

    async def _limit_tickets(
        self, update: Update, context: Context, standing: Standing | None
    ) -> None:
        if standing is None:
            return  # never seen before: no tickets yet
        count = await self._moderation.open_ticket_count(standing.user_id)
        if count < self._limits.open_tickets:
            return
        query = update.callback_query
        if query is not None:
            await query.answer()
        chat = update.effective_chat
        if chat is not None:
            text = texts.TOO_MANY_OPEN.format(count=count, limit=self._limits.open_tickets)
            if query is not None and query.data == draft.SUBMIT:
                text += "\n" + texts.DRAFT_KEPT
            await context.bot.send_message(chat.id, text)
        raise ApplicationHandlerStop


def _private_message(update: Update) -> bool:
    """A new message in a private chat (what the message limit counts)."""
    return update.message is not None and update.message.chat.type == ChatType.PRIVATE


def _files(update: Update) -> bool:
    """Whether the update starts filing a ticket or submits one."""
    query = update.callback_query
    if query is not None:
        return query.data in (callbacks.FILE_TICKET, draft.SUBMIT)
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE or not message.text:
        return False
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
    return command in FILING_COMMANDS
