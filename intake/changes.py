"""Who hears of a change to a ticket: the listener named in the calling context.

Every change the intake service makes (a ticket filed, moved, answered, rated, a message added
to its thread) is announced with its :class:`~intake.views.Outcome` to the listener set with
:func:`listening`, right after the change's transaction block ends and before the method
returns, in the caller's task. Inside a :func:`~intake.database.unit_of_work` what the listener
writes (the bot queues its notices in the outbox) therefore joins the change's transaction.

The bot's composition root sets the listener where its notices belong: around each update the
processor handles, each job, each request to the staff console. Elsewhere (the command line,
tests driving intake directly, the relay noting an undeliverable notice) nothing is announced.
An outcome with neither events nor a thread message (a repeated filing, a ticket the 回访 sweep
found already rated) has nothing to tell and is not announced.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from intake.views import Outcome

ChangeListener = Callable[[Outcome], Awaitable[None]]

_listener: ContextVar[ChangeListener | None] = ContextVar("mingbai_change_listener", default=None)


@contextmanager
def listening(listener: ChangeListener) -> Iterator[None]:
    """Announce to ``listener`` every change the intake service makes until the block ends."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


async def announce(outcome: Outcome) -> None:
    """Hand a change's outcome to the current listener, if there is one and it says something.

    Raises:
        Exception: Whatever the listener raises (e.g. the outbox could not be written), so the
            caller's unit of work rolls back as when the caller itself sent the notices.

    """
    listener = _listener.get()
    if listener is not None and (outcome.events or outcome.message is not None):
        await listener(outcome)
