"""The services every handler works with, passed in by the composition root as one typed object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from telegram import Bot

from intake import IntakeConfig, IntakeService, Outcome
from intake.clock import utcnow
from intake.question_log import QuestionLog
from knowledge.pufa import PufaCalendar, load_pufa_calendar
from knowledge.service import Faq

DEFAULT_DIGEST_HOUR = 8


class Notifying(Protocol):
    """What intake's changes are published through (:class:`handlers.notify.Notifier`).

    No area calls it: the composition root makes it the listener intake announces every change
    to (:mod:`intake.changes`), with the bot of the update, job or console request.
    """

    async def publish(self, bot: Bot, outcome: Outcome) -> None:
        """Send what the staff group, the ticket's holders and the villager must learn."""


@dataclass(frozen=True)
class Services:
    """What the handlers need from the rest of the system.

    Attributes:
        faq: The FAQ base and its understanding step.
        intake: Tickets, people and roles.
        intake_config: Villages, grids, categories and deadlines, for menus and texts.
        staff_chat_id: The staff group where new tickets appear, if one is configured.
        admin_ids: Telegram ids of the administrators (who grant roles).
        questions: Where every question and 👍/👎 is recorded, for the staff to learn from.
        notifier_for: Builds the notifier on these services (the composition root passes
            :class:`handlers.notify.Notifier`, which this module cannot import: it needs these
            services itself).
        digest_hour: The hour (township time) each holder gets the digest of their tickets.
        clock: Returns the current instant (timezone-aware): "today" on cards, the guard's
            windows; tests pass a fake one.
        pufa: The 普法 calendar and its topics.

    """

    faq: Faq
    intake: IntakeService
    intake_config: IntakeConfig
    staff_chat_id: int | None
    admin_ids: frozenset[int]
    questions: QuestionLog
    notifier_for: Callable[[Services], Notifying]
    digest_hour: int = DEFAULT_DIGEST_HOUR
    clock: Callable[[], datetime] = utcnow
    pufa: PufaCalendar = field(default_factory=load_pufa_calendar)

    @cached_property
    def notifier(self) -> Notifying:
        """The one notifier intake's changes are published through, built on first use."""
        return self.notifier_for(self)
