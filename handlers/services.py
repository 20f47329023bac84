"""The services every handler works with, passed in by the composition root as one typed object."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake import IntakeConfig, IntakeService
from intake.question_log import QuestionLog
from knowledge.pufa import PufaCalendar, load_pufa_calendar
from knowledge.service import Faq

DEFAULT_DIGEST_HOUR = 8


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
        digest_hour: The hour (township time) each holder gets the digest of their tickets.
        pufa: The 普法 calendar and its topics.

    """

    faq: Faq
    intake: IntakeService
    intake_config: IntakeConfig
    staff_chat_id: int | None
    admin_ids: frozenset[int]
    questions: QuestionLog
    digest_hour: int = DEFAULT_DIGEST_HOUR
    pufa: PufaCalendar = field(default_factory=load_pufa_calendar)
