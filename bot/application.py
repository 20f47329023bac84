"""The Application's handlers: every area composed in one place, in priority order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, BaseHandler

from bot.console import link_issuer
from bot.processor import stop_on_storage_error
from handlers.console import console_handlers
from handlers.errors import report_error
from handlers.fallbacks import fallback_handlers
from handlers.feedback import feedback_handlers
from handlers.filing import filing_handlers
from handlers.forget import forget_handlers
from handlers.guard import guard_handlers
from handlers.liaison import liaison_handlers
from handlers.mytickets import mytickets_handlers
from handlers.private_chats import private_chat_handlers
from handlers.pufa import pufa_handlers, schedule_pufa_jobs
from handlers.questions import question_handlers
from handlers.services import Services
from handlers.smalltalk import smalltalk_handlers
from handlers.staff import schedule_staff_jobs, staff_handlers
from handlers.start import start_handlers
from handlers.thread import thread_handlers, thread_router_handlers
from handlers.topics import topics_handlers

App = Application[Any, Any, Any, Any, Any, Any]

# Every private message is first noted (staff who wrote to the bot can be written to privately);
# the guard then sees every update; then a villager's message that belongs to a ticket's thread is
# taken before any area could answer it from the FAQ or offer a new ticket.
PRIVATE_CHAT_GROUP = -3
GUARD_GROUP = -2
THREAD_GROUP = -1

# Every area's handlers share group 0, so exactly one handler takes each update; the order is the
# priority: staff first (only in the staff chat), then the flows that hold a conversation, then
# commands and buttons, and free text last.
AREAS = (
    staff_handlers,
    filing_handlers,
    feedback_handlers,
    liaison_handlers,
    forget_handlers,
    start_handlers,
    topics_handlers,
    mytickets_handlers,
    pufa_handlers,
    thread_handlers,
    smalltalk_handlers,
    question_handlers,
    fallback_handlers,
)


def compose_handlers(
    services: Services, console: list[BaseHandler[Any, Any, Any]]
) -> list[BaseHandler[Any, Any, Any]]:
    """Every handler of every area, in priority order, the console's /console after staff."""
    staff, *others = AREAS
    return [
        *staff(services),
        *console,
        *(handler for area in others for handler in area(services)),
    ]


def configure_application(application: App, services: Services, console_url: str) -> None:
    """Give the bot its handlers, error handlers and staff jobs.

    Args:
        application: The Application, built with the queueing bot, the database persistence
            and the transactional job queue (:mod:`bot.pipeline`).
        services: What the handlers work with.
        console_url: The staff console's address, for the login links ``/console`` gives.
    """
    console = console_handlers(services, link_issuer(services, console_url))
    application.add_handlers(private_chat_handlers(services), group=PRIVATE_CHAT_GROUP)
    application.add_handlers(guard_handlers(services), group=GUARD_GROUP)
    application.add_handlers(thread_router_handlers(services), group=THREAD_GROUP)
    application.add_handlers(compose_handlers(services, console))
    # First: a database failure rolls the batch back instead of being reported to the user.
    application.add_error_handler(stop_on_storage_error)
    application.add_error_handler(report_error)
    if application.job_queue is not None:
        schedule_staff_jobs(application.job_queue, services)
        schedule_pufa_jobs(application.job_queue, services)
