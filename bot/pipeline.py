"""The durable bot: inbox → Application → outbox → relay, rebuilt when the database fails.

Whatever feeds it (the webhook, the long-polling loop) hands updates to :meth:`Pipeline.receive`,
which returns only once they are stored; only then may the feeder acknowledge them to Telegram.
The processor handles the inbox (:mod:`bot.processor`), the Application's bot queues every reply
in the outbox (:mod:`bot.outbox_request`) and the relay delivers it (:mod:`bot.relay`). When the
database fails the processor stops, and a fresh Application is built once it is back: nothing
that was not committed is remembered, and nothing that was is lost. Of the processes sharing a
database only one, the leader, handles and delivers; the others store what they receive and
stand by (:mod:`intake.leadership`).

What is not a valid update never enters the inbox: it becomes a dead letter at once. An update
whose handling fails for another reason is tried again alone, and after :data:`MAX_ATTEMPTS`
failures becomes a dead letter, so one bad update never stops the others; staff admins are told
of dead letters once. The processor, the relay and the housekeeping run under a
:class:`bot.supervisor.Supervisor`, which starts again a task that died of a bug.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram.ext import Application, ApplicationBuilder, ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.application import configure_application
from bot.backoff import Backoff
from bot.outbox_request import queueing_bot
from bot.persistence import DatabasePersistence
from bot.processor import StorageUnavailable, TransactionalJobQueue, UpdateFailed, UpdateProcessor
from bot.relay import Relay, SendLimits
from bot.services import Runtime, publisher
from bot.supervisor import Supervisor
from bot.update_check import ID_MAX, ID_MIN, NotAnUpdate, read_update
from bot.wakeup import Wakeup
from bot.web_chat import texts
from bot.web_chat.delivery import WebDelivery
from bot.web_chat.news import WebNews
from handlers.dead_letters import tell_staff
from handlers.notify import note_undelivered
from handlers.staff.live_cards import LiveCards
from intake.cards import CardPlaces
from intake.clock import utcnow
from intake.database import STORAGE_ERRORS
from intake.dead_letters import DeadLetters
from intake.inbox import Inbox, Received
from intake.leadership import RETRY_SECONDS, leadership
from intake.outbox import Delivery, Letter, Outbox
from intake.private_chats import PrivateChats
from intake.subscriptions import Subscriptions
from intake.web_chat import WEB_INBOX, WebChats

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
PURGE_EVERY = timedelta(hours=1)
# An update is handled this many times (alone, in a fresh Application) before it is set aside.
MAX_ATTEMPTS = 3
# Dead letters are looked for this often besides when one is made (another process may make one).
REPORT_EVERY = timedelta(minutes=1)
PROCESSOR = "update processor"
RELAY = "outbox relay"
UNKNOWN_TYPE = "application/octet-stream"


class Lead(StrEnum):
    """Where a process stands among those sharing a database."""

    STARTING = "starting"
    LEADER = "leader"
    STANDBY = "standby"


@dataclass(frozen=True)
class Health:
    """How the bot is doing, for ``/healthz``.

    Attributes:
        lead: Whether this process leads its database or stands by for another.
        processing: Whether updates are being handled.
        relaying: Whether the outbox is being delivered.
        lag_seconds: How long the oldest update still waiting has waited (0: none waits).
        relay_backlog: Messages waiting to be delivered.
        dead_letters: Dead letters waiting for staff.
        last_error: The class of the last error the bot recovered from, if any.

    """

    lead: Lead
    processing: bool
    relaying: bool
    lag_seconds: float
    relay_backlog: int
    dead_letters: int
    last_error: str | None

    @property
    def healthy(self) -> bool:
        """Whether the processor and the relay run, or another process leads and this one waits."""
        return self.lead is Lead.STANDBY or (self.processing and self.relaying)


def build_processor(
    runtime: Runtime,
    bot: ExtBot[None],
    inbox: Inbox,
    *,
    console_url: str,
    after_commit: Callable[[], None],
    alone_through: int | None = None,
) -> UpdateProcessor:
    """A fresh Application (not yet initialised) and the processor that feeds it the inbox.

    Args:
        runtime: The services and the state store.
        bot: The bot the handlers send through.
        inbox: The stored updates.
        console_url: The staff console's address, for ``/console`` links.
        after_commit: Called after every committed batch or job (wakes the relay).
        alone_through: Updates up to this id are handled one per batch.

    """
    persistence = DatabasePersistence(runtime.store)
    engine = runtime.services.intake.engine
    # Notices of intake's changes go out through the bot the handlers send with, in order.
    publish = publisher(runtime.services, bot)
    application = (
        ApplicationBuilder()
        .bot(bot)
        .persistence(persistence)
        .job_queue(TransactionalJobQueue(persistence, engine, after_commit, publish))
        .updater(None)
        .build()
    )
    configure_application(application, runtime.services, console_url)
    return UpdateProcessor(
        application, persistence, inbox, after_commit, publish, alone_through=alone_through
    )


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
        # A token is "<bot id>:<secret>": the id getMe would return, known before any call.
        bot_id = int(token.partition(":")[0])
        self.inbox = Inbox(engine, bot_id, also=(WEB_INBOX,))
        self.web_chats = WebChats(engine, retention=runtime.services.questions.retention)
        self.web_news = WebNews()
        self.outbox = Outbox(engine)
        self.dead_letters = DeadLetters(engine)
        limits = limits or SendLimits()
        self.direct_bot: ExtBot[None] = ExtBot(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=AiohttpRequest(limits.concurrency),
            get_updates_request=AiohttpRequest(1),
        )
        self.sender = self._queueing_bot()
        self._live_cards = LiveCards(runtime.services)
        self._private_chats = PrivateChats(engine)
        self._subscriptions = Subscriptions(engine)
        self._card_places = CardPlaces(engine)
        web = WebDelivery(
            self.web_chats,
            {"id": bot_id, "is_bot": True, "first_name": texts.WEB_BOT_NAME},
            self.web_news.tell,
            self._telegram_file,
        )
        self._relay = Relay(self.outbox, self.direct_bot, self._undeliverable, limits, web=web)
        self._processor: UpdateProcessor | None = None
        self._application: App | None = None
        self._supervisor = Supervisor()
        self._leadership = leadership(engine)
        self._lead_state = Lead.STARTING
        self._leading = asyncio.Event()
        self._alone_through: int | None = None
        self._dead_letter_made = Wakeup()

    @property
    def running(self) -> bool:
        """Whether updates are being handled (false while the database is away)."""
        return self._application is not None and self._application.running

    async def receive(self, updates: Sequence[Received]) -> None:
        """Store updates; when this returns they are safe and may be acknowledged.

        Those that are not valid updates are stored as dead letters instead of in the inbox.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: They could not be stored; do not acknowledge them.
            OSError: The database could not be reached.

        """
        valid: list[Received] = []
        invalid: list[tuple[Received, NotAnUpdate]] = []
        for item in updates:
            try:
                read_update(item.payload, None)
            except NotAnUpdate as refused:
                invalid.append((item, refused))
            else:
                valid.append(item)
        # Storing the valid ones first keeps a retry after a failure from doubling dead letters.
        await self.inbox.add(valid)
        for item, reason in invalid:
            raw = json.dumps(item.payload, ensure_ascii=False)
            await self.reject(raw, str(reason), update_id=_usable_id(item.update_id))
        if self._processor is not None:
            self._processor.wake()

    def wake(self) -> None:
        """Look at the inbox now (the chat page stored an update there itself)."""
        if self._processor is not None:
            self._processor.wake()

    async def fetch_file(self, file_id: str) -> bytes:
        """The bytes of a file sent to the bot, from Telegram or from the chat page.

        Raises:
            telegram.error.TelegramError: Telegram could not give it.
            sqlalchemy.exc.SQLAlchemyError: The chat page's file could not be read.
            OSError: The database could not be reached.

        """
        stored = await self.web_chats.file(file_id)
        if stored is not None:
            return stored.content
        return (await self._telegram_file(file_id))[0]

    async def _telegram_file(self, file_id: str) -> tuple[bytes, str]:
        file = await self.direct_bot.get_file(file_id)
        content = bytes(await file.download_as_bytearray())
        return content, mimetypes.guess_type(file.file_path or "")[0] or UNKNOWN_TYPE

    async def reject(self, raw: str, reason: str, *, update_id: int | None = None) -> None:
        """Keep something offered as an update that is not one, as a dead letter.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: It could not be stored; do not acknowledge it.
            OSError: The database could not be reached.

        """
        letter = await self.dead_letters.reject(
            raw, reason, bot_id=self.inbox.bot_id, update_id=update_id
        )
        log.error("not a valid update (%s); kept as dead letter %d", reason, letter)
        self._dead_letter_made.set()

    async def health(self) -> Health:
        """How the bot is doing now.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: The database could not be asked.
            OSError: The database could not be reached.

        """
        oldest = await self.inbox.oldest_pending()
        return Health(
            lead=self._lead_state,
            processing=self.running,
            relaying=self._supervisor.is_running(RELAY),
            lag_seconds=(utcnow() - oldest).total_seconds() if oldest else 0.0,
            relay_backlog=(await self.outbox.counts())[Delivery.PENDING],
            dead_letters=await self.dead_letters.count(),
            last_error=self._supervisor.last_error,
        )

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
        """Handle and deliver until the lead is lost; a task that dies of a bug is restarted."""
        keep = self._supervisor.keep
        lost = asyncio.create_task(self._leadership.lost(), name="leadership")
        processing = asyncio.create_task(
            keep(PROCESSOR, lambda: self._process(started)), name=PROCESSOR
        )
        tasks = (
            lost,
            processing,
            asyncio.create_task(keep(RELAY, self._relay.run), name=RELAY),
            asyncio.create_task(keep("purge", self._housekeeping), name="inbox and outbox purge"),
            asyncio.create_task(keep("dead letter reports", self._report), name="dead letters"),
        )
        try:
            await asyncio.wait((lost, processing), return_when=asyncio.FIRST_COMPLETED)
            if processing.done():
                processing.result()  # the supervisor never lets it end but by failing: raise that
            log.warning("lost the lead of the database (its connection broke)")
        finally:
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def _process(self, started: asyncio.Event | None) -> None:
        """Serve Applications one after another, a fresh one after each failure."""
        adopted = await self.inbox.adopt_unscoped()
        if adopted:
            log.info("%d updates stored before the inbox was scoped by bot taken over", adopted)
        pause = Backoff()
        while True:
            try:
                await self._serve(started, pause)
            except StorageUnavailable as failure:
                self._supervisor.note(failure.__cause__ or failure)
                log.warning(
                    "database unavailable (%s); restarting the bot in %.1f s",
                    type(failure.__cause__).__name__,
                    pause.seconds,
                )
            except UpdateFailed as failure:
                self._supervisor.note(failure.__cause__ or failure)
                await self._after_failure(failure)
            await pause.wait()

    async def _after_failure(self, failure: UpdateFailed) -> None:
        """Trace a failed batch to its update, and set that update aside once it failed enough."""
        cause = failure.__cause__ or failure
        error = f"{type(cause).__name__}: {cause}"
        log.error("handling updates %s failed", failure.update_ids, exc_info=cause)
        if len(failure.update_ids) > 1:
            self._alone_through = failure.update_ids[-1]
            return
        update_id = failure.update_ids[0]
        try:
            attempts = await self.inbox.record_failure(update_id, error)
            if attempts >= MAX_ATTEMPTS:
                scope = await self.inbox.scope_of(update_id)
                await self.dead_letters.bury_update(scope, update_id, error)
        except STORAGE_ERRORS as storage:
            # Uncounted, the update is simply tried once more.
            log.warning("failure of update %s not recorded (%s)", update_id, type(storage).__name__)
            return
        if attempts >= MAX_ATTEMPTS:
            log.error("update %s failed %d times; set aside as a dead letter", update_id, attempts)
            self._dead_letter_made.set()

    async def _report(self) -> None:
        """Tell staff of new dead letters as they come, waiting out database failures."""
        while True:
            try:
                await tell_staff(self._runtime.services, self.sender, self.dead_letters)
            except STORAGE_ERRORS as error:
                log.warning("dead letters not reported (%s)", type(error).__name__)
            else:
                self._relay.wake()
            await self._dead_letter_made.pause(REPORT_EVERY.total_seconds())

    async def _housekeeping(self) -> None:
        """Forget handled updates, finished messages, cards, old web chats and questions' words.

        Every hour.
        """
        while True:
            try:
                purged = (
                    await self.inbox.purge()
                    + await self.outbox.purge()
                    + await self._card_places.purge()
                    + await self.web_chats.purge()
                )
                blanked = await self._runtime.services.questions.purge()
            except STORAGE_ERRORS as error:
                log.warning("old rows and questions not purged (%s)", type(error).__name__)
            else:
                log.info(
                    "purged %d old rows (inbox, outbox, cards, web chats), %d old questions",
                    purged,
                    blanked,
                )
            await asyncio.sleep(PURGE_EVERY.total_seconds())

    async def _serve(self, started: asyncio.Event | None, pause: Backoff) -> None:
        processor = build_processor(
            self._runtime,
            self._queueing_bot(),
            self.inbox,
            console_url=self._console_url,
            after_commit=self._relay.wake,
            alone_through=self._alone_through,
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

    def _queueing_bot(self) -> ExtBot[None]:
        return queueing_bot(
            self._token, self.outbox, base_url=self._base_url, base_file_url=self._base_file_url
        )

    async def _undeliverable(self, letter: Letter, state: Delivery) -> None:
        if state is Delivery.UNDELIVERABLE and letter.chat_id > 0:
            await self._private_chats.refused(letter.chat_id)
            if letter.bulk:
                # Blocked: no more 普法 until they come back and /dingyue again.
                await self._subscriptions.unsubscribe(letter.chat_id)
        await self._live_cards.undelivered(self.sender, letter, state)
        if letter.regarding is None:
            return
        await note_undelivered(
            self._runtime.services,
            letter.regarding.ticket_number,
            letter.regarding.about,
            blocked=state is Delivery.UNDELIVERABLE,
        )


def _usable_id(update_id: int) -> int | None:
    return update_id if ID_MIN <= update_id <= ID_MAX else None
