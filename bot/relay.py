"""The relay: delivers the outbox, in order per chat, within Telegram's limits, retrying.

Each round takes the first waiting row of every chat (:meth:`intake.outbox.Outbox.due`), makes
the calls side by side, and records each result as soon as its call returns (those returning
together in one transaction), so that a crash sends again only the calls that were in flight.
What Telegram says decides what happens next:

* delivered → ``sent``;
* 429 → tried again when Telegram's ``retry_after`` says, and the chat waits until then;
* 403 (the person blocked the bot) → ``undeliverable``, and staff are told on the ticket;
* another 400 → ``failed`` (the call itself is wrong; retrying cannot help), staff told likewise
  — except "message is not modified", which means an edit sent again had already been made;
* a timeout, a dropped connection, a 5xx → tried again with growing pauses. A timeout may hide
  a delivery, so a message can arrive twice; it is the same text both times.

While the database is away the relay pauses, growing the pause, and goes on once it is back.
The results of calls already made are kept until they are recorded, so a message delivered
while the database was away is not sent again.

Within a chat, calls are spaced to Telegram's limits: about one message a second in a private
chat (a short burst allowed) and twenty a minute in a group. Across chats, Telegram allows about
thirty messages a second: every message counts against that, but only broadcasts' messages wait
for room, so replies go at once while a broadcast to every subscriber takes its time.

Rows for the chat page's visitors (:func:`intake.web_chat.is_web_chat`) take the same path, but
are delivered to the web chats' store (:mod:`bot.web_chat.delivery`) instead of Telegram, unspaced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.api_calls import call
from bot.backoff import Backoff
from bot.wakeup import Wakeup
from bot.web_chat.delivery import WebDelivery
from intake.database import STORAGE_ERRORS
from intake.outbox import Delivery, Letter, Outbox, Result
from intake.web_chat import is_web_chat

log = logging.getLogger(__name__)

Undeliverable = Callable[[Letter, Delivery], Awaitable[None]]
NOT_MODIFIED = "message is not modified"


@dataclass(frozen=True)
class SendLimits:
    """How fast the relay may send.

    Attributes:
        private_burst: Messages a private chat may receive at once.
        private_per_second: Then this many a second.
        group_burst: Messages a group may receive at once.
        group_per_second: Then this many a second.
        broadcast_burst: Broadcast messages that may go at once, over all chats.
        broadcast_per_second: Then this many messages a second, over all chats, replies included.
        concurrency: Calls in flight at once, over all chats.
        batch: Rows taken per round.
        first_retry: The pause before the first retry; each further one doubles it.
        longest_retry: The longest pause between retries.
        idle_poll: How often an idle relay looks for rows queued by another process.

    """

    private_burst: float = 5.0
    private_per_second: float = 1.0
    group_burst: float = 20.0
    group_per_second: float = 20 / 60
    broadcast_burst: float = 30.0
    broadcast_per_second: float = 30.0
    concurrency: int = 64
    batch: int = 500
    first_retry: timedelta = timedelta(seconds=1)
    longest_retry: timedelta = timedelta(minutes=5)
    idle_poll: timedelta = timedelta(milliseconds=250)


class _Buckets:
    """A token bucket per chat, on the event loop's clock."""

    def __init__(self, limits: SendLimits) -> None:
        self._limits = limits
        self._tokens: dict[int, tuple[float, float]] = {}
        self._paused: dict[int, float] = {}

    def wait(self, chat_id: int, now: float) -> float:
        """Seconds until ``chat_id`` may receive a message (0: now)."""
        paused = self._paused.get(chat_id, 0.0) - now
        tokens = self._refill(chat_id, now)
        rate = self._rate(chat_id)[1]
        return max(paused, 0.0 if tokens >= 1 else (1 - tokens) / rate)

    def take(self, chat_id: int, now: float) -> None:
        """Count one message to ``chat_id``."""
        self._tokens[chat_id] = (self._refill(chat_id, now) - 1, now)

    def pause(self, chat_id: int, until: float) -> None:
        """Send nothing to ``chat_id`` before ``until`` (Telegram asked us to wait)."""
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    def _rate(self, chat_id: int) -> tuple[float, float]:
        limits = self._limits
        if chat_id < 0:
            return limits.group_burst, limits.group_per_second
        return limits.private_burst, limits.private_per_second

    def _refill(self, chat_id: int, now: float) -> float:
        burst, rate = self._rate(chat_id)
        tokens, then = self._tokens.get(chat_id, (burst, now))
        return min(burst, tokens + (now - then) * rate)


class _GlobalBucket:
    """One token bucket over all chats: everything takes from it, broadcasts wait for it."""

    def __init__(self, limits: SendLimits) -> None:
        self._burst = limits.broadcast_burst
        self._rate = limits.broadcast_per_second
        self._tokens = self._burst
        self._then: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until a broadcast message may go (0: now)."""
        tokens = self._refill(now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def until_full(self, now: float) -> float:
        """Seconds until the bucket is full again, to send held messages in a batch."""
        return max(self._burst - self._refill(now), 0.0) / self._rate

    def take(self, now: float) -> None:
        """Count one message (a reply may take the bucket below zero: it is not held)."""
        self._tokens = self._refill(now) - 1
        self._then = now

    def _refill(self, now: float) -> float:
        then = now if self._then is None else self._then
        return min(self._burst, self._tokens + (now - then) * self._rate)


class Relay:
    """Delivers the outbox until stopped.

    Args:
        outbox: What to deliver.
        bot: A bot that makes calls directly (not one of :func:`bot.outbox_request.queueing_bot`).
        on_undeliverable: Told of every row that can never be delivered, after it is recorded.
        limits: How fast to send.
        web: Delivers the rows of web chats, and uploads their files to Telegram (without it
            every row goes to the Bot API).

    """

    def __init__(
        self,
        outbox: Outbox,
        bot: Bot,
        on_undeliverable: Undeliverable,
        limits: SendLimits | None = None,
        web: WebDelivery | None = None,
    ) -> None:
        self._outbox = outbox
        self._bot = bot
        self._web = web
        self._on_undeliverable = on_undeliverable
        self._limits = limits or SendLimits()
        self._buckets = _Buckets(self._limits)
        self._everyone = _GlobalBucket(self._limits)
        self._slots = asyncio.Semaphore(self._limits.concurrency)
        self._wakeup = Wakeup()
        self._unrecorded: list[tuple[Letter, Result]] = []
        self._unreported: list[tuple[Letter, Delivery]] = []

    def wake(self) -> None:
        """Look at the outbox now (something was just queued)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Deliver round after round until cancelled, waiting out database failures."""
        failing = Backoff()
        while True:
            try:
                pause = await self.deliver_round()
            except STORAGE_ERRORS as error:
                log.warning(
                    "outbox unavailable (%s); trying again in %.1f s",
                    type(error).__name__,
                    failing.seconds,
                )
                await failing.wait()
                continue
            except Exception:
                # A bug must not end delivery for everyone: it is logged, and retried slowly.
                log.exception("outbox round failed; trying again in %.1f s", failing.seconds)
                await failing.wait()
                continue
            failing.reset()
            if pause > 0:
                await self._wakeup.pause(pause)

    async def deliver_round(self) -> float:
        """Make the calls that may be made now and record their results.

        Returns:
            Seconds to wait before the next round (0 if more is ready at once).

        Raises:
            sqlalchemy.exc.SQLAlchemyError: The database failed; results not yet recorded are
                kept and recorded first in the next round.
            OSError: The database could not be reached; likewise.

        """
        await self._settle()
        loop = asyncio.get_running_loop()
        idle = self._limits.idle_poll.total_seconds()
        letters = await self._outbox.due(self._limits.batch)
        now = loop.time()
        ready, waits = self._admit(letters, now)
        if not ready:
            return min([idle, *waits])
        outstanding = len(ready)
        returned = asyncio.Event()

        async def keep(letter: Letter) -> None:
            nonlocal outstanding
            try:
                self._unrecorded.append((letter, await self._attempt(letter)))
            finally:
                outstanding -= 1
                returned.set()

        calls = [asyncio.ensure_future(keep(letter)) for letter in ready]
        try:
            while outstanding or self._unrecorded:
                if not self._unrecorded:
                    await returned.wait()
                returned.clear()
                # Recorded as they return, not once the slowest has: a kill then repeats only
                # the calls still in flight. Those returning while one records wait for the next.
                await self._settle()
        except STORAGE_ERRORS:
            # The calls still out were made; their results are kept to be recorded later.
            await asyncio.gather(*calls, return_exceptions=True)
            raise
        finally:
            for call in calls:
                call.cancel()
            # A web chat's delivery cancelled inside its unit of work rolls back first: it must
            # end while the database is still open, not outlive the relay.
            await asyncio.gather(*calls, return_exceptions=True)
        for call in calls:
            call.result()  # a bug in a call is raised, not lost
        return 0.0

    def _admit(self, letters: list[Letter], now: float) -> tuple[list[Letter], list[float]]:
        """The letters that may go now (counted as sent), and how long the others must wait.

        A broadcast's letters held for the global limit wait until the bucket is full again,
        so that they go in batches rather than one round each.
        """
        ready: list[Letter] = []
        waits: list[float] = []
        for letter in letters:
            wait = self._buckets.wait(letter.chat_id, now)
            if wait == 0 and letter.bulk and _counts(letter) and self._everyone.wait(now) > 0:
                wait = self._everyone.until_full(now)
            if wait > 0:
                waits.append(wait)
                continue
            ready.append(letter)
            if _counts(letter):
                self._buckets.take(letter.chat_id, now)
                self._everyone.take(now)
        return ready, waits

    async def _settle(self) -> None:
        """Record the results of the calls made, then report those that can never be delivered.

        What is done is forgotten only once it has reached the database, so a failure here is
        picked up where it stopped by the next call.
        """
        if self._unrecorded:
            # Calls may return while this records: they stay for the next time.
            taken = self._unrecorded[:]
            await self._outbox.record([result for _, result in taken])
            self._unreported += [
                (letter, result.state)
                for letter, result in taken
                if result.state in (Delivery.UNDELIVERABLE, Delivery.FAILED)
            ]
            del self._unrecorded[: len(taken)]
        while self._unreported:
            await self._on_undeliverable(*self._unreported[0])
            del self._unreported[0]

    async def _attempt(self, letter: Letter) -> Result:
        async with self._slots:
            try:
                made = await self._call(letter)
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                self._buckets.pause(letter.chat_id, asyncio.get_running_loop().time() + wait)
                return self._again(letter, "RetryAfter", timedelta(seconds=wait))
            except Forbidden:
                log.warning(
                    "outbox %s: %s refused, recipient unreachable", letter.id, letter.method
                )
                return Result(letter.id, Delivery.UNDELIVERABLE, error="Forbidden")
            except BadRequest as error:
                if NOT_MODIFIED in error.message.lower():
                    # An edit sent again after an unknown outcome: the first one went through.
                    return Result(letter.id, Delivery.SENT)
                log.warning("outbox %s: %s refused as a bad request", letter.id, letter.method)
                return Result(letter.id, Delivery.FAILED, error=f"BadRequest: {error.message}")
            except TelegramError as error:
                return self._again(letter, type(error).__name__, self._backoff(letter))
        return Result(letter.id, Delivery.SENT, **_card_shown(letter, made))

    async def _call(self, letter: Letter) -> Any:
        if self._web is None:
            return await call(self._bot, letter.method, dict(letter.params))
        if is_web_chat(letter.chat_id):
            return await self._web.deliver(letter)
        method, params = await self._web.to_telegram(letter.method, dict(letter.params))
        return await call(self._bot, method, params)

    def _again(self, letter: Letter, error: str, wait: timedelta) -> Result:
        log.info("outbox %s: %s not delivered (%s), retrying", letter.id, letter.method, error)
        return Result(letter.id, Delivery.PENDING, retry_in=wait, error=error)

    def _backoff(self, letter: Letter) -> timedelta:
        grown = self._limits.first_retry * (1 << min(letter.attempts, 16))
        return min(grown, self._limits.longest_retry)


def _counts(letter: Letter) -> bool:
    """Whether a call counts against the chat's message limit (callback answers do not).

    A web chat has no limit: its messages are only written to the database.
    """
    return letter.method != "answerCallbackQuery" and not is_web_chat(letter.chat_id)


def _card_shown(letter: Letter, made: Any) -> dict[str, Any]:
    """The message a card was sent as, for the outbox to record (edits then address it)."""
    if letter.card_key is None or not isinstance(made, dict) or "message_id" not in made:
        return {}
    return {"card_key": letter.card_key, "message_id": made["message_id"]}


def _seconds(retry_after: int | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
