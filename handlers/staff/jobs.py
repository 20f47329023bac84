"""Scheduled staff work: closing tickets whose 回访 ran out, and deadline reminders."""

from __future__ import annotations

from datetime import time, timedelta

from telegram.constants import ParseMode
from telegram.ext import ContextTypes, JobQueue

# A module import, resolved at call time: handlers.notify itself imports this package.
from handlers import notify
from handlers.services import Services
from handlers.staff import cards, people
from handlers.texts import staff as texts

Context = ContextTypes.DEFAULT_TYPE

CLOSE_UNRATED_JOB = "staff-close-unrated"
REMINDERS_JOB = "staff-deadline-reminders"
CLOSE_UNRATED_EVERY = timedelta(hours=1)
REMINDERS_AT = time(8, 30)  # township time, before the working day starts
ALERTS_LIMIT = 30


class StaffJobs:
    """The scheduled callbacks, sharing the services and one Notifier."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._notifier = notify.Notifier(services)

    async def close_unrated(self, context: Context) -> None:
        """Close tickets whose 回访 period ran out as 未评价, and tell their villagers."""
        for outcome in await self._services.intake.close_unrated():
            await self._notifier.publish(context.bot, outcome)

    async def remind(self, context: Context) -> None:
        """Post the overdue and soon-due deadlines to the staff group, if there are any."""
        chat_id = self._services.staff_chat_id
        admin = await people.system_actor(self._services)
        if chat_id is None or admin is None:
            return  # nowhere to post, or nobody who sees every ticket
        overdue = await self._services.intake.overdue(admin.id)
        due_soon = await self._services.intake.due_soon(admin.id)
        if not overdue and not due_soon:
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


def schedule_staff_jobs(job_queue: JobQueue[Context], services: Services) -> None:
    """Run the 回访 sweep hourly and post deadline reminders every morning.

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
