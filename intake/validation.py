"""Checking and normalising what people type, before anything is written.

Every refusal is an :class:`~intake.errors.IntakeError` with a Chinese message. Phone numbers
are never repeated in messages, so they cannot leak into logs through an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from intake import texts
from intake.config import IntakeConfig, Village
from intake.enums import Source
from intake.errors import ErrorCode, IntakeError
from intake.inputs import NewTicket

SOURCE_KEY_MAX = 200
NAME_MAX = 64
PLACE_MAX = 128
REASON_MAX = 1000
# A reception is registered within days of it; a year back is the furthest it makes sense.
RECEPTION_DAYS_BACK = 366

# Mainland mobile numbers, or landlines with their area code; +86 / 86 prefixes are dropped.
_PHONE = re.compile(r"(?:\+?86)?(1\d{10}|0\d{9,11})")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class CleanTicket:
    """The fields of a :class:`~intake.inputs.NewTicket` after checking."""

    text: str
    village: Village
    grid_code: str
    villager_name: str | None
    contact_phone: str | None
    reception_leader: str | None
    reception_date: date | None
    patrol_place: str | None


def clean_text(text: str | None, *, what: str, limit: int) -> str:
    """Strip ``text`` and refuse it if empty or longer than ``limit`` characters.

    Args:
        text: What was typed.
        what: The field's Chinese name, for the message.
        limit: The most characters allowed.

    Returns:
        The stripped text.

    Raises:
        IntakeError: ``EMPTY_TEXT`` or ``TEXT_TOO_LONG``.

    """
    stripped = (text or "").strip()
    if not stripped:
        raise IntakeError(ErrorCode.EMPTY_TEXT, texts.EMPTY.format(what=what))
    if len(stripped) > limit:
        raise IntakeError(
            ErrorCode.TEXT_TOO_LONG,
            texts.TOO_LONG.format(what=what, limit=limit, length=len(stripped)),
        )
    return stripped


def check_extension_days(config: IntakeConfig, days: int) -> None:
    """Refuse an extension (延期) outside 1 to the configured most days.

    Raises:
        IntakeError: ``INVALID_INPUT``.

    """
    limit = config.deadlines.extension_max_days
    if not 1 <= days <= limit:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.EXTENSION_DAYS.format(limit=limit))


def clean_phone(phone: str | None, *, consent: bool) -> str | None:
    """Normalise a contact number, refusing it without the villager's consent.

    Returns:
        The digits of the number, or ``None`` when none was given.

    Raises:
        IntakeError: ``INVALID_INPUT``, without repeating the number.

    """
    if phone is None or not phone.strip():
        return None
    if not consent:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.PHONE_NEEDS_CONSENT)
    match = _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", phone))
    if match is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.PHONE_MALFORMED)
    return match.group(1)


def find_village(config: IntakeConfig, code: str) -> Village:
    """The configured village with ``code``.

    Raises:
        IntakeError: ``UNKNOWN_VILLAGE``.

    """
    village = config.village(code)
    if village is None:
        raise IntakeError(ErrorCode.UNKNOWN_VILLAGE, texts.UNKNOWN_VILLAGE.format(code=code))
    return village


def clean_grid(config: IntakeConfig, village: Village, code: str | None) -> str:
    """The grid of a ticket: ``code`` if given and consistent, else the village's grid.

    Raises:
        IntakeError: ``UNKNOWN_GRID`` if the grid does not exist or does not cover the village.

    """
    if code is None:
        return village.grid
    grid = config.grid(code)
    if grid is None:
        raise IntakeError(ErrorCode.UNKNOWN_GRID, texts.UNKNOWN_GRID.format(grid=code))
    if grid.code != village.grid:
        raise IntakeError(
            ErrorCode.UNKNOWN_GRID,
            texts.VILLAGE_NOT_IN_GRID.format(village=village.name, grid=grid.name),
        )
    return grid.code


def parse_day(text: str, today: date) -> date:
    """A day as staff type it: ``2026-12-05``, ``2026年12月5日``, ``12月5日``, ``12-5``, 今天.

    A day without a year is the latest such day not after ``today``.

    Raises:
        IntakeError: ``INVALID_INPUT`` for anything else or a day that does not exist.

    """
    typed = text.strip()
    if typed in texts.RELATIVE_DAYS:
        return today - timedelta(days=texts.RELATIVE_DAYS[typed])
    full = _FULL_DATE.fullmatch(typed)
    month_day = _MONTH_DAY.fullmatch(typed)
    try:
        if full is not None:
            year, month, day = (int(part) for part in full.groups())
            return date(year, month, day)
        if month_day is not None:
            month, day = (int(part) for part in month_day.groups())
            guess = date(today.year, month, day)
            return guess if guess <= today else date(today.year - 1, month, day)
    except ValueError:
        pass
    raise IntakeError(
        ErrorCode.INVALID_INPUT,
        texts.UNREADABLE_DAY.format(typed=typed[:20]),
    )


def clean_reception_date(day: date | None, today: date) -> date:
    """The day of a leader's reception: given, not in the future, not over a year back.

    Raises:
        IntakeError: ``INVALID_INPUT``.

    """
    if day is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.RECEPTION_DAY_NEEDED)
    if day > today:
        raise IntakeError(
            ErrorCode.INVALID_INPUT, texts.RECEPTION_DAY_AHEAD.format(day=day.isoformat())
        )
    if (today - day).days > RECEPTION_DAYS_BACK:
        raise IntakeError(
            ErrorCode.INVALID_INPUT, texts.RECEPTION_DAY_OLD.format(day=day.isoformat())
        )
    return day


def clean_new_ticket(config: IntakeConfig, new: NewTicket, *, today: date) -> CleanTicket:
    """Check a filing against the configuration.

    Args:
        config: The intake configuration.
        new: The filing.
        today: The township's date, to check a leader reception's date against.

    Raises:
        IntakeError: For an empty or oversized text, unknown village, grid or category, too
            many attachments, a missing villager name when filing on someone's behalf, a
            phone number that is malformed or given without consent, or channel details that
            are missing (the leader and day of a 镇领导接访, the place of a 网格排查) or do not
            belong to the channel.

    """
    if not new.source_key or len(new.source_key) > SOURCE_KEY_MAX:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.NO_SOURCE_KEY)
    text = clean_text(new.text, what=texts.WHAT_TICKET_TEXT, limit=config.max_text_chars)
    village = find_village(config, new.village_code)
    grid_code = clean_grid(config, village, new.grid_code)
    if new.category not in config.categories:
        raise IntakeError(
            ErrorCode.UNKNOWN_CATEGORY,
            texts.UNKNOWN_CATEGORY.format(
                category=new.category, categories=texts.LIST_JOIN.join(config.categories)
            ),
        )
    if len(new.attachments) > config.max_attachments:
        raise IntakeError(
            ErrorCode.INVALID_INPUT, texts.TOO_MANY_ATTACHMENTS.format(limit=config.max_attachments)
        )
    if any(not attachment.file_id for attachment in new.attachments):
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.ATTACHMENT_WITHOUT_FILE)
    if new.source is Source.VILLAGER and new.villager_name is None:
        villager_name = None
    else:
        villager_name = clean_text(new.villager_name, what=texts.WHAT_VILLAGER_NAME, limit=NAME_MAX)
    leader, day, place = _clean_channel(new, today)
    return CleanTicket(
        text=text,
        village=village,
        grid_code=grid_code,
        villager_name=villager_name,
        contact_phone=clean_phone(new.contact_phone, consent=new.contact_consent),
        reception_leader=leader,
        reception_date=day,
        patrol_place=place,
    )


def _clean_channel(new: NewTicket, today: date) -> tuple[str | None, date | None, str | None]:
    """The leader and day of a 镇领导接访, or the place of a 网格排查; nothing for the others."""
    if new.source is Source.RECEPTION:
        leader = clean_text(new.reception_leader, what=texts.WHAT_RECEPTION_LEADER, limit=NAME_MAX)
        return leader, clean_reception_date(new.reception_date, today), None
    if new.source is Source.GRID_PATROL:
        return (
            None,
            None,
            clean_text(new.patrol_place, what=texts.WHAT_PATROL_PLACE, limit=PLACE_MAX),
        )
    if new.reception_leader or new.reception_date or new.patrol_place:
        raise IntakeError(
            ErrorCode.INVALID_INPUT,
            texts.CHANNEL_DETAILS_MISPLACED.format(source=new.source.label),
        )
    return None, None, None
