"""What the staff area waits for in a chat: answers to its prompts, public replies to confirm.

Every wait is kept in the chat's persisted ``chat_data``, so a restart between the button and
the answer loses nothing. No wait is keyed by the id of a message the bot sends: the bot's
messages go out later, through an outbox, so that id is not known when a prompt is sent.

- A prompt is a message from the bot that a staff member answers with a Telegram reply. Its
  wait is keyed by the ticket number and the Telegram id of the staff member who must answer:
  the reply brings both back (the number in the prompt's title, the staff member as its
  sender). A staff member waits for at most one answer per ticket in a chat; a newer prompt
  replaces the older one.
- A public reply written to a card waits for its 确认发送 / 取消 buttons, keyed by the id of
  the staff member's own message, which the buttons carry.

Both kinds share one bound: beyond :data:`PENDING_MAX` waits in a chat, the oldest are dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from telegram.ext import ContextTypes

Context = ContextTypes.DEFAULT_TYPE

_PENDING = "staff_pending"
_PROMPT = "prompt:"
_CONFIRM = "confirm:"
PENDING_MAX = 100


class Step(StrEnum):
    """What the awaited text is."""

    REJECT_REASON = "reject_reason"
    REJECT_ROUTE = "reject_route"
    ESCALATE = "escalate"  # the reason; ``arg`` is the target level or None for the next one
    CO_UNITS = "co_units"  # the co-handling units of 部门联动; ``text`` carries the reason
    REROUTE = "reroute"  # the reason; ``arg`` is the village code
    ASSIGN = "assign"  # the assignee's @username or id
    REPLY = "reply"  # the public reply
    CLOSE = "close"  # the reason for closing without 回访
    RETURN = "return"  # the reason for sending the ticket back to triage
    EXTEND_DAYS = "extend_days"
    EXTEND_REASON = "extend_reason"  # ``arg`` carries the days
    NOTE = "note"  # an internal note
    PHONE_FEEDBACK = "phone_feedback"  # why the villager, called back, is not satisfied
    CONFIRM_REPLY = "confirm_reply"  # ``text`` holds a reply written to a card, not yet sent
    SAY = "say"  # a message to the villager in the ticket's thread
    INTERNAL = "internal"  # an internal message in the ticket's thread
    MORE = "more"  # what the villager is asked to add (补充材料)


@dataclass(frozen=True)
class Pending:
    """One awaited answer.

    Attributes:
        step: What it is for.
        number: The ticket.
        by: The Telegram id of the staff member who must answer.
        card: The chat and message id of the card to refresh afterwards, if known.
        arg: The target level, village code, days or rating chosen before the prompt.
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


# Prompts ----------------------------------------------------------------------------------------


def remember(context: Context, pending: Pending) -> None:
    """Wait for ``pending.by`` to answer a prompt about ticket ``pending.number``.

    Args:
        context: The update's context; the wait is kept in its ``chat_data``.
        pending: What the answer is for. It replaces any wait for the same ticket and staff
            member, and counts as the newest wait when the oldest are dropped.

    """
    _store(context, _prompt_key(pending.number, pending.by), pending)


def find(context: Context, number: str, by: int) -> Pending | None:
    """What an answer from staff member ``by`` to a prompt about ticket ``number`` is for.

    Returns:
        The wait, or ``None`` if there is none (or none readable).

    """
    return _load(context, _prompt_key(number, by))


def waited_on_by_others(context: Context, number: str, by: int) -> bool:
    """Whether a staff member other than ``by`` must answer a prompt about ticket ``number``."""
    ticket, mine = _prompt_prefix(number), _prompt_key(number, by)
    return any(key.startswith(ticket) and key != mine for key in _waiting(context))


def forget(context: Context, number: str, by: int) -> None:
    """Stop waiting for staff member ``by`` to answer a prompt about ticket ``number``."""
    _waiting(context).pop(_prompt_key(number, by), None)


# Public replies to confirm ----------------------------------------------------------------------


def remember_reply(context: Context, message_id: int, pending: Pending) -> None:
    """Hold a public reply written to a card until its buttons send it or drop it.

    Args:
        context: The update's context; the wait is kept in its ``chat_data``.
        message_id: The id of the staff member's message holding the reply; the buttons carry it.
        pending: The reply (a :attr:`Step.CONFIRM_REPLY` wait).

    """
    _store(context, _confirm_key(message_id), pending)


def find_reply(context: Context, message_id: int) -> Pending | None:
    """The public reply held for the staff member's message ``message_id``.

    Returns:
        The wait, or ``None`` if there is none (or none readable).

    """
    return _load(context, _confirm_key(message_id))


def forget_reply(context: Context, message_id: int) -> None:
    """Stop holding the public reply of the staff member's message ``message_id``."""
    _waiting(context).pop(_confirm_key(message_id), None)


# Storage ----------------------------------------------------------------------------------------


def _prompt_prefix(number: str) -> str:
    return f"{_PROMPT}{number}:"


def _prompt_key(number: str, by: int) -> str:
    return f"{_prompt_prefix(number)}{by}"


def _confirm_key(message_id: int) -> str:
    return f"{_CONFIRM}{message_id}"


def _store(context: Context, key: str, pending: Pending) -> None:
    """Keep ``pending`` under ``key`` as the newest wait; drop the oldest beyond the bound."""
    waiting = _waiting(context)
    waiting.pop(key, None)  # a replaced wait moves to the end, as the newest
    waiting[key] = {**asdict(pending), "card": list(pending.card or ()) or None}
    while len(waiting) > PENDING_MAX:
        del waiting[next(iter(waiting))]


def _load(context: Context, key: str) -> Pending | None:
    raw = _waiting(context).get(key)
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


def _waiting(context: Context) -> dict[str, Any]:
    if context.chat_data is None:
        raise RuntimeError("chat_data is only available for updates in a chat")
    waiting: dict[str, Any] = context.chat_data.setdefault(_PENDING, {})
    return waiting
