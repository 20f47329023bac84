"""Scheduled staff work: closing tickets whose 回访 ran out, deadline reminders, daily digests.

Reminders go to the staff group and, privately, to whoever holds each ticket; the digest tells
every holder each morning what they hold (:mod:`handlers.staff.notices`).
"""

from __future__ import annotations

from datetime import time, timedelta

from telegram.constants import ParseMode
from telegram.ext import ContextTypes, JobQueue

from handlers import people
from handlers.services import Services
from handlers.staff import cards
from handlers.staff.live_cards import LiveCards
from handlers.staff.notices import HolderNotices
from handlers.texts import staff as texts

Context = ContextTypes.DEFAULT_TYPE

CLOSE_UNRATED_JOB = "staff-close-unrated"
REMINDERS_JOB = "staff-deadline-reminders"
DIGEST_JOB = "staff-holder-digest"
CLOSE_UNRATED_EVERY = timedelta(hours=1)
REMINDERS_AT = time(8, 30)  # township time, before the working day starts
ALERTS_LIMIT = 30


class StaffJobs:
    """The scheduled callbacks, sharing the services and one Notifier."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._holder_notices = HolderNotices(services, LiveCards(services))

    async def close_unrated(self, context: Context) -> None:
        """Close tickets whose 回访 period ran out as 未评价, and tell their villagers."""
        await self._services.intake.close_unrated()

    async def remind(self, context: Context) -> None:
        """Post the overdue and soon-due deadlines to the staff group and to their holders."""
        admin = await people.system_actor(self._services)
        if admin is None:
            return  # nobody who sees every ticket
        overdue = await self._services.intake.overdue(admin.id)
        due_soon = await self._services.intake.due_soon(admin.id)
        await self._holder_notices.remind(context.bot, overdue, overdue=True)
        await self._holder_notices.remind(context.bot, due_soon, overdue=False)
        chat_id = self._services.staff_chat_id
        if chat_id is None or (not overdue and not due_soon):
            return
        lines = [texts.REMINDER_TITLE]
        if overdue:
            lines.append(texts.OVERDUE_TITLE.format(count=len(overdue)))
            lines += [cards.alert_line(self._services, a) for a in overdue[:ALERTS_LIMIT]]
        if due_soon:
            hours = self._services.intake_config.deadlines.due_soon_hours
            lines.append(texts.DUE_SOON_TITLE.format(hours=hours, count=len(due_soon)))
            lines += [cards.alert_line(self._services, a) for a in due_soon[:ALERTS_LIMIT]]
        await context.bot.send_message(chat_id, "\n".join(lines), parse_mode=ParseMode.HTML)

    async def digest(self, context: Context) -> None:
        """Send every holder the list of tickets they hold."""
        await self._holder_notices.send_digests(context.bot)


def schedule_staff_jobs(job_queue: JobQueue[Context], services: Services) -> None:
    """Run the 回访 sweep hourly; post deadline reminders and the holders' digests daily.

    Args:
        job_queue: The Application's job queue.
        services: The services the jobs use.

    """
    jobs = StaffJobs(services)
    job_queue.run_repeating(
        jobs.close_unrated,
        interval=CLOSE_UNRATED_EVERY,
        first=timedelta(minutes=1),
        name=CLOSE_UNRATED_JOB,
    )
    job_queue.run_daily(
        jobs.remind,
        time=REMINDERS_AT.replace(tzinfo=services.intake_config.tz),
        name=REMINDERS_JOB,
    )
    job_queue.run_daily(
        jobs.digest,
        time=time(services.digest_hour, tzinfo=services.intake_config.tz),
        name=DIGEST_JOB,
    )
