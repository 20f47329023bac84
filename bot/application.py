"""The Application factory: every handler area composed in one place, in priority order."""

from __future__ import annotations

from typing import Any

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseHandler

from bot.console import link_issuer
from bot.persistence import DatabasePersistence
from handlers.console import console_handlers
from handlers.errors import report_error
from handlers.fallbacks import fallback_handlers
from handlers.feedback import feedback_handlers
from handlers.filing import filing_handlers
from handlers.guard import guard_handlers
from handlers.liaison import liaison_handlers
from handlers.mytickets import mytickets_handlers
from handlers.questions import question_handlers
from handlers.services import Services
from handlers.smalltalk import smalltalk_handlers
from handlers.staff import schedule_staff_jobs, staff_handlers
from handlers.start import start_handlers
from handlers.topics import topics_handlers
from intake.state_store import StateStore

# Every area's handlers share group 0, so exactly one handler takes each update; the order is the
# priority: staff first (only in the staff chat), then the flows that hold a conversation, then
# commands and buttons, and free text last.
AREAS = (
    staff_handlers,
    filing_handlers,
    feedback_handlers,
    liaison_handlers,
    start_handlers,
    topics_handlers,
    mytickets_handlers,
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


def build_application(
    token: str,
    services: Services,
    store: StateStore,
    *,
    base_url: str,
    base_file_url: str,
    console_url: str,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build the bot: handlers, persistence in the database, rate limits and staff jobs.

    Args:
        token: The bot token.
        services: What the handlers work with.
        store: Where conversation state is kept between restarts.
        base_url: The Bot API base URL (Telegram's, a self-hosted server or the local one).
        base_file_url: The Bot API base URL for file downloads.
        console_url: The staff console's address, for the login links ``/console`` gives.
    """
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .persistence(DatabasePersistence(store))
        # Without retries the limiter re-raises Telegram's RetryAfter and the reply is lost.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(False)
        .build()
    )
    console = console_handlers(services, link_issuer(services, console_url))
    application.add_handlers(guard_handlers(services), group=-1)
    application.add_handlers(compose_handlers(services, console))
    application.add_error_handler(report_error)
    if application.job_queue is not None:
        schedule_staff_jobs(application.job_queue, services)
    return application
