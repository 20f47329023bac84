"""What the staff area waits for in a chat: answers to its prompts, public replies to confirm.

A prompt is a message from the bot that the staff member answers with a Telegram reply; what
it is for is kept in the chat's persisted ``chat_data`` under the id of the message to be
answered, so a restart between the button and the answer loses nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from telegram.ext import ContextTypes

Context = ContextTypes.DEFAULT_TYPE

_PENDING = "staff_pending"
PENDING_MAX = 100


class Step(StrEnum):
    """What the awaited text is."""

    REJECT_REASON = "reject_reason"
    REJECT_ROUTE = "reject_route"
    ESCALATE = "escalate"  # the reason; ``arg`` is the target level or None for the next one
    REROUTE = "reroute"  # the reason; ``arg`` is the village code
    ASSIGN = "assign"  # the assignee's @username or id
    REPLY = "reply"  # the public reply
    CLOSE = "close"  # the reason for closing without 回访
    CONFIRM_REPLY = "confirm_reply"  # ``text`` holds a reply written to a card, not yet sent


@dataclass(frozen=True)
class Pending:
    """One awaited answer.

    Attributes:
        step: What it is for.
        number: The ticket.
        by: The Telegram id of the staff member who must answer.
        card: The chat and message id of the card to refresh afterwards, if known.
        arg: The target level, village code or lead unit chosen before the prompt.
        unit: The lead unit, for joint handling.
        text: Text carried to the next step (the rejection reason, the reply to confirm).

    """

    step: Step
    number: str
    by: int
    card: tuple[int, int] | None = None
    arg: str | None = None
    unit: str | None = None
    text: str | None = None


def remember(context: Context, message_id: int, pending: Pending) -> None:
    """Wait for an answer to ``message_id`` (the oldest waits are dropped beyond a bound)."""
    waiting = _waiting(context)
    waiting[str(message_id)] = {**asdict(pending), "card": list(pending.card or ()) or None}
    while len(waiting) > PENDING_MAX:
        del waiting[next(iter(waiting))]


def find(context: Context, message_id: int) -> Pending | None:
    """What an answer to ``message_id`` is for; ``None`` if nothing (or nothing readable)."""
    raw = _waiting(context).get(str(message_id))
    if not isinstance(raw, dict):
        return None
    try:
        card = raw.get("card")
        return Pending(
            step=Step(raw["step"]),
            number=str(raw["number"]),
            by=int(raw["by"]),
            card=(int(card[0]), int(card[1])) if card else None,
            arg=raw.get("arg"),
            unit=raw.get("unit"),
            text=raw.get("text"),
        )
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def forget(context: Context, message_id: int) -> None:
    """Stop waiting for an answer to ``message_id``."""
    _waiting(context).pop(str(message_id), None)


def _waiting(context: Context) -> dict[str, Any]:
    if context.chat_data is None:
        raise RuntimeError("chat_data is only available for updates in a chat")
    waiting: dict[str, Any] = context.chat_data.setdefault(_PENDING, {})
    return waiting
