"""Handling the inbox: stored updates go through the Application, effects commit together.

A batch of stored updates is handled inside one unit of work (:func:`intake.unit_of_work`):
the tickets they file, the replies they queue in the outbox, the conversation state they
change and the inbox rows marked done commit at once, or — if the database fails on the way —
not at all, and the batch is handled again. Updates are taken strictly in ``update_id`` order,
so each villager's messages are handled in the order sent.

Any other failure of a batch is a bug or a poison update: the processor stops with
:class:`UpdateFailed`, naming the updates of the batch, and its owner handles them again one at
a time, counting the failures of each; one that keeps failing becomes a dead letter
(:mod:`intake.dead_letters`) and the rest of the inbox moves on.

A database failure inside a handler reaches python-telegram-bot's error handlers, not the
processor; :func:`stop_on_storage_error` (the first error handler) records it so the batch is
rolled back instead of committed half done. After such a failure the Application's memory
(conversation states, ``user_data``) is ahead of the database, so the processor stops with
:class:`StorageUnavailable` and its owner builds a fresh Application.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, Job
from telegram.ext import JobQueue as _JobQueue

from bot.outbox_request import in_chat
from bot.persistence import DatabasePersistence
from bot.update_check import read_update
from bot.wakeup import Wakeup
from intake.changes import ChangeListener, listening
from intake.database import STORAGE_ERRORS, unit_of_work
from intake.inbox import Inbox, Received

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
BATCH = 200
IDLE_POLL_SECONDS = 0.5


class StorageUnavailable(Exception):
    """The database failed while updates were handled; nothing of the batch was kept."""


class UpdateFailed(Exception):
    """Handling failed for a reason other than the database; nothing of the batch was kept.

    Attributes:
        update_ids: The updates of the failed batch, in order.

    """

    def __init__(self, update_ids: list[int]) -> None:
        """Name the updates of the failed batch."""
        super().__init__(f"handling updates {update_ids[0]}..{update_ids[-1]} failed")
        self.update_ids = update_ids


@dataclass
class _Failures:
    errors: list[BaseException] = field(default_factory=list)


_failures: ContextVar[_Failures | None] = ContextVar("mingbai_storage_failures", default=None)


@contextmanager
def _watching() -> Iterator[_Failures]:
    failures = _Failures()
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


async def stop_on_storage_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Error handler: a database failure ends the batch rather than being reported to the user.

    Raises:
        ApplicationHandlerStop: For storage errors, so no other error handler runs.

    """
    failures = _failures.get()
    if failures is not None and isinstance(context.error, STORAGE_ERRORS):
        failures.errors.append(context.error)
        raise ApplicationHandlerStop


class UpdateProcessor:
    """Handles stored updates until stopped or until the database fails.

    Args:
        application: The initialised, started Application (its bot queues into the outbox).
        persistence: The Application's persistence, whose staged changes commit with a batch.
        inbox: Where the updates are stored.
        after_commit: Called after every committed batch (wakes the relay).
        publish: Hears of every change intake makes while an update is handled (the notices,
            queued through the Application's bot, commit with the batch).
        alone_through: Updates up to this id are handled one per batch (a batch holding them
            failed, and the failure must be traced to one update).

    """

    def __init__(
        self,
        application: App,
        persistence: DatabasePersistence,
        inbox: Inbox,
        after_commit: Callable[[], None],
        publish: ChangeListener,
        *,
        alone_through: int | None = None,
    ) -> None:
        self._application = application
        self._persistence = persistence
        self._inbox = inbox
        self._after_commit = after_commit
        self._publish = publish
        self._alone_through = alone_through
        self._wakeup = Wakeup()

    @property
    def application(self) -> App:
        """The Application the updates go through."""
        return self._application

    def wake(self) -> None:
        """Look at the inbox now (something was just stored)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Handle batches until cancelled.

        Raises:
            StorageUnavailable: The database failed; the Application must be rebuilt.
            UpdateFailed: A batch failed otherwise; the Application must be rebuilt.

        """
        while True:
            if not await self.handle_batch():
                await self._wakeup.pause(IDLE_POLL_SECONDS)

    async def handle_batch(self) -> int:
        """Handle the oldest stored updates in one unit of work.

        Returns:
            How many were handled (0: the inbox was empty).

        Raises:
            StorageUnavailable: The database failed; nothing of the batch was kept.
            UpdateFailed: Something else failed; nothing of the batch was kept.

        """
        try:
            received = await self._inbox.pending(BATCH)
        except STORAGE_ERRORS as error:
            raise StorageUnavailable from error
        if not received:
            return 0
        if self._alone_through is not None and received[0].update_id <= self._alone_through:
            received = received[:1]
        try:
            await self._handle(received)
        except StorageUnavailable:
            raise
        except STORAGE_ERRORS as error:
            raise StorageUnavailable from error
        except Exception as error:
            raise UpdateFailed([item.update_id for item in received]) from error
        self._after_commit()
        return len(received)

    async def _handle(self, received: list[Received]) -> None:
        application = self._application
        async with unit_of_work(self._inbox.engine):
            for item in received:
                update = read_update(item.payload, application.bot)
                with _watching() as failures, in_chat(_lane(update)), listening(self._publish):
                    await application.process_update(update)
                if failures.errors:
                    raise StorageUnavailable from failures.errors[0]
            await application.update_persistence()
            await self._persistence.write_staged()
            await self._inbox.mark_done([item.update_id for item in received])


def _lane(update: Update) -> int:
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else 0


class TransactionalJobQueue(_JobQueue[Any]):
    """A job queue whose jobs each run in one unit of work, their messages committed with them.

    Args:
        persistence: Stages the conversation-state changes jobs make.
        engine: The intake database.
        after_commit: Called after every job that committed (wakes the relay).
        publish: Hears of every change intake makes in a job (the notices commit with it).

    """

    def __init__(
        self,
        persistence: DatabasePersistence,
        engine: AsyncEngine,
        after_commit: Callable[[], None],
        publish: ChangeListener,
    ) -> None:
        super().__init__()
        self._persistence = persistence
        self._engine = engine
        self._after_commit = after_commit
        self._publish = publish

    @staticmethod
    async def job_callback(job_queue: _JobQueue[Any], job: Job[Any]) -> None:
        """Run the job, then write what it changed, all in one transaction."""
        assert isinstance(job_queue, TransactionalJobQueue)
        application = job_queue.application
        async with unit_of_work(job_queue._engine):
            with listening(job_queue._publish):
                await _run_here(application, job)
            await application.update_persistence()
            await job_queue._persistence.write_staged()
        job_queue._after_commit()


async def _run_here(application: App, job: Job[Any]) -> None:
    """Run a job in this task, as ``Job.run`` does but for the task.

    ``Job.run`` shields the job in a task of its own, which cannot join the caller's unit of
    work: its writes would open a second transaction and wait for the first one's lock.
    """
    context = application.context_types.context.from_job(job, application)
    await context.refresh_data()
    try:
        await job.callback(context)
    except Exception as error:
        await application.create_task(
            application.process_error(None, error, job=job), name=f"Job:{job.id}:process_error"
        )
    finally:
        application.mark_data_for_update_persistence(chat_ids=job.chat_id, user_ids=job.user_id)
