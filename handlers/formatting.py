"""Formatting shared by every area: escaping, ticket numbers, names and dates for Telegram HTML.

Dates are reckoned on the services' clock (:attr:`handlers.services.Services.clock`), so a test
that moves the clock moves "today" on every card and notice with it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from handlers.services import Services
from handlers.texts import staff as texts
from intake import IntakeError

TICKET_NUMBER = re.compile(r"\d{4}-\d{6,}")
_TITLE_NUMBER = re.compile(r"工单 (\d{4}-\d{6,})")


def escape(text: str) -> str:
    """Escape text from people for Telegram HTML."""
    return html.escape(text, quote=False)


def card_number(text: str | None) -> str | None:
    """The ticket number of a card or prompt the bot sent, read from its first line."""
    if not text:
        return None
    first_line = text.split("\n", 1)[0]
    if not first_line.startswith((texts.CARD_MARK, texts.PROMPT_MARK)):
        return None
    found = _TITLE_NUMBER.search(first_line)
    return found.group(1) if found else None


def village_name(services: Services, code: str) -> str:
    """The village's name, or its code if the configuration no longer has it."""
    village = services.intake_config.village(code)
    return village.name if village is not None else code


async def person_name(services: Services, user_id: int | None) -> str:
    """Someone's display name for staff messages."""
    if user_id is None:
        return texts.NOBODY
    try:
        return (await services.intake.get_user(user_id)).display_name
    except IntakeError:
        return texts.UNKNOWN_PERSON


def due_date_text(services: Services, due: datetime) -> str:
    """A deadline as the township's last allowed day, e.g. 5月3日."""
    policy = services.intake.deadlines
    day = policy.due_date(due)
    if day.year == policy.local_date(services.clock()).year:
        return texts.DATE.format(month=day.month, day=day.day)
    return texts.DATE_WITH_YEAR.format(year=day.year, month=day.month, day=day.day)


def days_left_text(services: Services, due: datetime) -> str:
    """How far away a deadline is, in whole township days: 还剩 3 天, 今天到期, 已超期 2 天."""
    policy = services.intake.deadlines
    days = (policy.due_date(due) - policy.local_date(services.clock())).days
    if days > 0:
        return texts.DAYS_LEFT.format(days=days)
    if days == 0:
        return texts.DUE_TODAY
    return texts.DAYS_OVERDUE.format(days=-days)
