"""Building the services the commands and the bot share, from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot

from bot.settings import Settings
from handlers.notify import Notifier
from handlers.services import Services
from intake import IntakeService, Outcome, create_engine, load_config, upgrade
from intake.changes import ChangeListener
from intake.question_log import QuestionLog
from intake.state_store import StateStore
from knowledge.pufa import BUNDLED_CALENDAR, load_pufa_calendar
from knowledge.service import Faq
from knowledge.understanding import UnderstandingConfig


def load_faq(settings: Settings) -> Faq:
    """Load the FAQ named by the settings, with any threshold the settings override.

    The trained understanding model is kept between starts in the settings' model folder.

    Raises:
        KnowledgeBaseError: The FAQ files are invalid.
    """
    config = UnderstandingConfig.load()
    overrides = {
        "answer_threshold": settings.answer_threshold,
        "clarify_threshold": settings.clarify_threshold,
    }
    config = config.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    return Faq.load(settings.faq_dir, config, settings.effective_model_dir, settings.contacts_file)


def publisher(services: Services, bot: Bot) -> ChangeListener:
    """What intake's changes are announced to: the Notifier, sending through ``bot``.

    Set as the listener (:func:`intake.changes.listening`) around each update, each job and
    each console request, with the bot that queues their messages in the outbox.
    """
    notifier = services.notifier

    async def publish(outcome: Outcome) -> None:
        await notifier.publish(bot, outcome)

    return publish


@dataclass(frozen=True)
class Runtime:
    """The services of a running bot and where it keeps its conversation state."""

    services: Services
    store: StateStore


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Open the database (migrated to the latest schema), load the FAQ and intake rules.

    The administrators named in the settings are made admins, so that they can grant roles.
    """
    engine = create_engine(
        settings.effective_database_url, sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    try:
        await upgrade(engine)
        intake_config = load_config()
        intake = IntakeService(engine, intake_config)
        for admin_id in settings.admin_ids:
            await intake.ensure_admin(admin_id, f"管理员 {admin_id}")
        services = Services(
            faq=load_faq(settings),
            intake=intake,
            intake_config=intake_config,
            staff_chat_id=settings.staff_chat_id,
            admin_ids=frozenset(settings.admin_ids),
            questions=QuestionLog(
                engine, retention=timedelta(days=settings.question_retention_days)
            ),
            notifier_for=Notifier,
            digest_hour=settings.digest_hour,
            pufa=load_pufa_calendar(settings.pufa_file or BUNDLED_CALENDAR),
        )
        yield Runtime(services, StateStore(engine))
    finally:
        await engine.dispose()
