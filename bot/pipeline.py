"""The durable bot: inbox → Application → outbox → relay, rebuilt when the database fails.

Whatever feeds it (the webhook, the long-polling loop) hands updates to :meth:`Pipeline.receive`,
which returns only once they are stored; only then may the feeder acknowledge them to Telegram.
The processor handles the inbox (:mod:`bot.processor`), the Application's bot queues every reply
in the outbox (:mod:`bot.queueing_bot`) and the relay delivers it (:mod:`bot.relay`). When the
database fails the processor stops, and a fresh Application is built once it is back: nothing
that was not committed is remembered, and nothing that was is lost. Of the processes sharing a
database only one, the leader, handles and delivers; the others store what they receive and
stand by (:mod:`intake.leadership`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram.ext import Application, ApplicationBuilder, ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.application import configure_application
from bot.backoff import Backoff
from bot.persistence import DatabasePersistence
from bot.processor import StorageUnavailable, TransactionalJobQueue, UpdateProcessor
from bot.queueing_bot import QueueingBot
from bot.relay import Relay, SendLimits
from bot.services import Runtime
from handlers.notify import note_undelivered
from intake.database import STORAGE_ERRORS
from intake.inbox import Inbox, Received
from intake.leadership import RETRY_SECONDS, leadership
from intake.outbox import Delivery, Letter, Outbox

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
PURGE_EVERY = timedelta(hours=1)


class Lead(StrEnum):
    """Where a process stands among those sharing a database."""

    STARTING = "starting"
    LEADER = "leader"
    STANDBY = "standby"


def build_processor(
    runtime: Runtime,
    bot: QueueingBot,
    inbox: Inbox,
    *,
    console_url: str,
    after_commit: Callable[[], None],
) -> UpdateProcessor:
    """A fresh Application (not yet initialised) and the processor that feeds it the inbox.

    Args:
        runtime: The services and the state store.
        bot: The bot the handlers send through.
        inbox: The stored updates.
        console_url: The staff console's address, for ``/console`` links.
        after_commit: Called after every committed batch or job (wakes the relay).

    """
    persistence = DatabasePersistence(runtime.store)
    engine = runtime.services.intake.engine
    application = (
        ApplicationBuilder()
        .bot(bot)
        .persistence(persistence)
        .job_queue(TransactionalJobQueue(persistence, engine, after_commit))
        .updater(None)
        .build()
    )
    configure_application(application, runtime.services, console_url)
    return UpdateProcessor(application, persistence, inbox, after_commit)


class Pipeline:
    """Everything between Telegram's updates and Telegram's Bot API, durably.

    Args:
        runtime: The services and the state store.
        token: The bot token.
        base_url: The Bot API base URL.
        base_file_url: The Bot API base URL for files.
        console_url: The staff console's address, for ``/console`` links.
        limits: How fast the relay may send.

    Attributes:
        direct_bot: A bot that calls the Bot API at once (files, webhook set-up, the relay).
        sender: A bot that queues what it sends, for senders outside an update (the console).

    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        token: str,
        base_url: str,
        base_file_url: str,
        console_url: str,
        limits: SendLimits | None = None,
    ) -> None:
        self._runtime = runtime
        self._token = token
        self._base_url = base_url
        self._base_file_url = base_file_url
        self._console_url = console_url
        engine = runtime.services.intake.engine
        self.inbox = Inbox(engine)
        self.outbox = Outbox(engine)
        limits = limits or SendLimits()
        self.direct_bot: ExtBot[None] = ExtBot(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=AiohttpRequest(limits.concurrency),
            get_updates_request=AiohttpRequest(1),
        )
        self.sender = self._queueing_bot()
        self._relay = Relay(self.outbox, self.direct_bot, self._undeliverable, limits)
        self._processor: UpdateProcessor | None = None
        self._application: App | None = None
        self._leadership = leadership(engine)
        self._lead_state = Lead.STARTING
        self._leading = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether updates are being handled (false while the database is away)."""
        return self._application is not None and self._application.running

    async def receive(self, updates: Sequence[Received]) -> None:
        """Store updates; when this returns they are safe and may be acknowledged.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: They could not be stored; do not acknowledge them.
            OSError: The database could not be reached.

        """
        await self.inbox.add(updates)
        if self._processor is not None:
            self._processor.wake()

    @property
    def lead(self) -> Lead:
        """Whether this process leads its database, stands by, or has not yet found out."""
        return self._lead_state

    @property
    def leading(self) -> asyncio.Event:
        """Set while this process leads its database (handles updates and delivers)."""
        return self._leading

    async def run(self, started: asyncio.Event | None = None) -> None:
        """Lead or stand by until cancelled; while leading, handle and deliver.

        Another process may lead the database; this one then stands by until it can take the
        lead (:mod:`intake.leadership`), and leads again should it lose the lead.

        Args:
            started: Set once the first Application is handling updates, or once this process
                stands by.

        """
        await self.direct_bot.initialize()
        try:
            while True:
                await self._take_the_lead(started)
                try:
                    await self._handle_while_leading(started)
                finally:
                    self._leading.clear()
                    self._lead_state = Lead.STARTING
                    await self._leadership.release()
        finally:
            await self.direct_bot.shutdown()

    async def _take_the_lead(self, started: asyncio.Event | None) -> None:
        """Wait until this process leads the database, standing by meanwhile."""
        while True:
            try:
                if await self._leadership.take():
                    break
            except STORAGE_ERRORS as error:
                log.warning("cannot ask who leads the database (%s)", type(error).__name__)
            else:
                if self._lead_state is not Lead.STANDBY:
                    log.warning(
                        "another process leads this database: standing by, taking over if it"
                        " stops (updates received here are stored for it)"
                    )
                    self._lead_state = Lead.STANDBY
                if started is not None:
                    started.set()
            await asyncio.sleep(RETRY_SECONDS)
        if self._lead_state is Lead.STANDBY:
            log.warning("the leading process is gone: taking over")
        log.info("leading the database: handling updates, delivering, running jobs")
        self._lead_state = Lead.LEADER
        self._leading.set()

    async def _handle_while_leading(self, started: asyncio.Event | None) -> None:
        """Handle and deliver until the lead is lost, rebuilding the Application as needed."""
        relay = asyncio.create_task(self._relay.run(), name="outbox relay")
        housekeeping = asyncio.create_task(self._housekeeping(), name="inbox and outbox purge")
        serving = asyncio.create_task(self._serve_again_and_again(started), name="processor")
        lost = asyncio.create_task(self._leadership.lost(), name="leadership")
        tasks = (lost, serving, housekeeping, relay)
        try:
            await asyncio.wait((lost, serving), return_when=asyncio.FIRST_COMPLETED)
            if serving.done():
                serving.result()  # it only ends by failing: raise that
            log.warning("lost the lead of the database (its connection broke)")
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def _serve_again_and_again(self, started: asyncio.Event | None) -> None:
        pause = Backoff()
        while True:
            try:
                await self._serve(started, pause)
            except StorageUnavailable as failure:
                log.warning(
                    "database unavailable (%s); restarting the bot in %.1f s",
                    type(failure.__cause__).__name__,
                    pause.seconds,
                )
            await pause.wait()

    async def _housekeeping(self) -> None:
        """Forget handled updates and finished messages once they are old, every hour."""
        while True:
            try:
                purged = await self.inbox.purge() + await self.outbox.purge()
            except STORAGE_ERRORS as error:
                log.warning("inbox and outbox not purged (%s)", type(error).__name__)
            else:
                log.info("purged %d old inbox and outbox rows", purged)
            await asyncio.sleep(PURGE_EVERY.total_seconds())

    async def _serve(self, started: asyncio.Event | None, pause: Backoff) -> None:
        processor = build_processor(
            self._runtime,
            self._queueing_bot(),
            self.inbox,
            console_url=self._console_url,
            after_commit=self._relay.wake,
        )
        application = processor.application
        try:
            async with application:
                await application.start()
                self._application, self._processor = application, processor
                pause.reset()
                if started is not None:
                    started.set()
                try:
                    await processor.run()
                finally:
                    self._application = self._processor = None
                    await application.stop()
        except STORAGE_ERRORS as error:
            # Starting reads conversation state from the database, which may be away.
            raise StorageUnavailable from error

    def _queueing_bot(self) -> QueueingBot:
        return QueueingBot(
            self._token, self.outbox, base_url=self._base_url, base_file_url=self._base_file_url
        )

    async def _undeliverable(self, letter: Letter, state: Delivery) -> None:
        if letter.regarding is None:
            return
        await note_undelivered(
            self._runtime.services,
            letter.regarding.ticket_number,
            letter.regarding.about,
            blocked=state is Delivery.UNDELIVERABLE,
        )
