"""What the bot remembers about a villager between messages (kept in persisted ``user_data``).

Areas share these through the accessors here rather than through ad-hoc keys: the questions area
records what it showed, the filing area files it with the ticket.
"""

from __future__ import annotations

import time
from typing import Any

from telegram.ext import ContextTypes

Context = ContextTypes.DEFAULT_TYPE

_SHOWN = "faq_shown"
_LAST_QUESTION = "last_question"
_HANDED_OVER = "handed_over"
MAX_SHOWN = 10
# After 找工作人员, what the villager writes next adds to that ticket for this long: long enough
# to find and photograph a paper, short enough that a new question days later is a question.
FOLLOW_UP_SECONDS = 3600


def _data(context: Context) -> dict[str, Any]:
    data = context.user_data
    if data is None:
        raise RuntimeError("user_data is only available for updates from a user")
    return data


def remember_shown(context: Context, entry_id: str) -> None:
    """Record that an FAQ answer was shown to this user (the most recent last, bounded)."""
    shown: list[str] = _data(context).setdefault(_SHOWN, [])
    if entry_id in shown:
        shown.remove(entry_id)
    shown.append(entry_id)
    del shown[:-MAX_SHOWN]


def shown_entries(context: Context) -> tuple[str, ...]:
    """The FAQ answers shown to this user since their last ticket."""
    return tuple(_data(context).get(_SHOWN, ()))


def remember_question(context: Context, text: str) -> None:
    """Keep the user's last question, to start a ticket's story with it."""
    _data(context)[_LAST_QUESTION] = text


def last_question(context: Context) -> str | None:
    """The user's last question, if any."""
    value = _data(context).get(_LAST_QUESTION)
    return value if isinstance(value, str) else None


def forget_questions(context: Context) -> None:
    """Forget the user's questions and the answers shown, as ``/forget`` asks."""
    forget_filed(context)


def forget_filed(context: Context) -> None:
    """Clear what was carried into a ticket once it is filed."""
    _data(context).pop(_SHOWN, None)
    _data(context).pop(_LAST_QUESTION, None)


def remember_handed_over(context: Context, number: str) -> None:
    """Record the ticket just filed by 找工作人员: what follows adds to it for a while."""
    _data(context)[_HANDED_OVER] = {"number": number, "at": time.time()}


def handed_over(context: Context) -> str | None:
    """The ticket filed by 找工作人员 within :data:`FOLLOW_UP_SECONDS`, if any."""
    value = _data(context).get(_HANDED_OVER)
    if not isinstance(value, dict) or not isinstance(value.get("number"), str):
        return None
    at = value.get("at")
    if not isinstance(at, (int, float)) or time.time() - at > FOLLOW_UP_SECONDS:
        return None
    return str(value["number"])


def forget_handed_over(context: Context) -> None:
    """End the follow-up: the villager asks something new."""
    _data(context).pop(_HANDED_OVER, None)
