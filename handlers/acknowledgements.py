"""What the person acting sees first: their own change taking effect, before the notices.

Intake announces each change as it is made (:mod:`intake.changes`) and the Notifier publishes it
at once (:mod:`handlers.notify`), so an area cannot send anything between its change and the
notices about it. What the actor must see first — the card a staff member pressed redrawn, a
villager's rating buttons answered — is handed to :func:`acknowledged_first` around the change,
and the Notifier sends it before the notices (:func:`take`). A neutral module: the staff area
and the feedback area use it, and the Notifier imports both areas' helpers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from telegram import Bot

from intake import Outcome

Acknowledgement = Callable[[Bot, Outcome], Awaitable[None]]

_waiting: ContextVar[list[Acknowledgement] | None] = ContextVar(
    "mingbai_acknowledged_first", default=None
)


@contextmanager
def acknowledged_first(acknowledge: Acknowledgement) -> Iterator[None]:
    """Let the person acting see the change made in the block before anyone is told of it.

    Only the first change published in the block is acknowledged; a block whose change is
    refused acknowledges nothing.

    Args:
        acknowledge: Sends what the actor sees first, given the bot and the change's outcome.

    """
    token = _waiting.set([acknowledge])
    try:
        yield
    finally:
        _waiting.reset(token)


def take() -> Acknowledgement | None:
    """The acknowledgement waiting for the change being published, if any; it is taken once."""
    waiting = _waiting.get()
    return waiting.pop() if waiting else None
