"""The durable outbox: every message the bot sends is first a row, written with its cause.

Handlers never talk to Telegram directly: a call such as ``sendMessage`` becomes a row here, in
the same transaction as the change that caused it (the ticket filed, the update marked done).
A relay delivers rows in order per chat and records each result as soon as its call returns; a
crash between sending and recording sends that row again (at least once), with exactly the text
first written, so a villager never sees two different ticket numbers for one complaint.
A row the relay cannot even read (a chat id that is not a number) becomes a dead letter rather than
stopping every round.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import DeadLetter, DeadLetterOrigin, OutboxMessage, TicketCard

KEEP_FINISHED = timedelta(days=2)
ERROR_MAX = 200


class Delivery(StrEnum):
    """Where a row stands."""

    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # the recipient blocked the bot or left
    FAILED = "failed"  # Telegram refused the call itself; retrying cannot help


@dataclass(frozen=True)
class Regarding:
    """The ticket a message is about, so staff learn of it if it cannot be delivered."""

    ticket_number: str
    about: str


@dataclass(frozen=True)
class Letter:
    """One row to deliver."""

    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    attempts: int
    regarding: Regarding | None
    card_key: str | None = None
    bulk: bool = False  # part of a broadcast, held to the broadcast limit


_regarding: ContextVar[Regarding | None] = ContextVar("mingbai_outbox_regarding", default=None)
_card: ContextVar[str | None] = ContextVar("mingbai_outbox_card", default=None)


@contextmanager
def regarding(ticket_number: str, about: str) -> Iterator[None]:
    """Mark what is queued inside the block as being about this ticket."""
    token = _regarding.set(Regarding(ticket_number, about))
    try:
        yield
    finally:
        _regarding.reset(token)


@contextmanager
def showing_card(key: str) -> Iterator[None]:
    """Mark what is queued inside the block as showing or editing the card ``key``.

    The relay records the message id a card was sent as; an edit of the card is queued without
    one and made with the id recorded by then (the send comes first, in the same chat).
    """
    token = _card.set(key)
    try:
        yield
    finally:
        _card.reset(token)


class Outbox:
    """Bot API calls waiting to be made, and what became of them.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    async def add(self, chat_id: int, method: str, params: dict[str, Any]) -> None:
        """Queue a call (JSON parameters), inside the current unit of work if there is one."""
        about = _regarding.get()
        now = self._clock()
        await self._sessions.insert(
            OutboxMessage(
                chat_id=chat_id,
                method=method,
                params=params,
                ticket_number=about.ticket_number if about else None,
                about=about.about if about else None,
                card_key=_card.get(),
                state=Delivery.PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )

    async def due(self, limit: int) -> list[Letter]:
        """The first pending row of each chat, where its time has come, oldest first.

        Only a chat's first row is offered, so a chat's messages arrive in the order queued
        even when one of them must wait for a retry. Rows of broadcasts come after the others,
        so that a broadcast to thousands never holds up a reply. Rows that cannot be read are
        set aside as dead letters on the way.
        """
        heads = (
            select(func.min(OutboxMessage.id))
            .where(OutboxMessage.state == Delivery.PENDING)
            .group_by(OutboxMessage.chat_id)
        )
        async with self._sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(heads),
                    OutboxMessage.next_attempt_at <= self._clock(),
                )
                .order_by(OutboxMessage.broadcast_id.is_not(None), OutboxMessage.id)
                .limit(limit)
            )
            checked = [(row, _unreadable(row)) for row in rows]
            letters = [_letter(row) for row, reason in checked if reason is None]
            edited = [
                key
                for letter in letters
                if (key := letter.card_key) is not None and _edits_card(letter)
            ]
            message_ids: dict[str, int] = {}
            if edited:
                shown = await session.execute(
                    select(TicketCard.key, TicketCard.message_id).where(TicketCard.key.in_(edited))
                )
                message_ids = {key: mid for key, mid in shown if mid is not None}
        for row, reason in checked:
            if reason is not None:
                await self._set_aside(row, reason)
        return [_with_message_id(letter, message_ids) for letter in letters]

    async def _set_aside(self, row: OutboxMessage, reason: str) -> None:
        """Fail a row the relay cannot read and keep it as a dead letter, in one transaction."""
        now = self._clock()
        raw = {"chat_id": row.chat_id, "method": row.method, "params": row.params}
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(state=Delivery.FAILED, finished_at=now, last_error=reason)
            )
            session.add(
                DeadLetter(
                    source=DeadLetterOrigin.OUTBOX,
                    outbox_id=row.id,
                    raw=json.dumps(raw, ensure_ascii=False, default=repr),
                    error=reason,
                    created_at=now,
                )
            )

    async def record(self, results: Sequence[Result]) -> None:
        """Record what became of delivery attempts, in one transaction."""
        if not results:
            return
        now = self._clock()
        sent = [result.id for result in results if result.state is Delivery.SENT]
        async with self._sessions.begin() as session:
            if sent:
                # Most rounds are all deliveries: one statement for them.
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(sent))
                    .values(
                        state=Delivery.SENT,
                        attempts=OutboxMessage.attempts + 1,
                        finished_at=now,
                        last_error=None,
                    )
                )
            for result in results:
                if result.card_key is not None and result.message_id is not None:
                    await session.execute(
                        update(TicketCard)
                        .where(TicketCard.key == result.card_key)
                        .values(message_id=result.message_id)
                    )
                if result.state is Delivery.SENT:
                    continue
                values: dict[str, Any] = {
                    "attempts": OutboxMessage.attempts + 1,
                    "last_error": result.error[:ERROR_MAX] if result.error else None,
                }
                if result.state is Delivery.PENDING:
                    values["next_attempt_at"] = now + result.retry_in
                else:
                    values["state"] = result.state
                    values["finished_at"] = now
                await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == result.id).values(**values)
                )

    async def counts(self) -> dict[Delivery, int]:
        """How many rows stand where."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            )
            found = {Delivery(state): count for state, count in rows}
        return {state: found.get(state, 0) for state in Delivery}

    async def purge(self) -> int:
        """Forget rows finished longer ago than :data:`KEEP_FINISHED`, except broadcasts'.

        A broadcast's rows are its record of who got it (:mod:`intake.broadcasts`).

        Returns:
            How many were forgotten.

        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.finished_at < self._clock() - KEEP_FINISHED,
                    OutboxMessage.broadcast_id.is_(None),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Result:
    """What one delivery attempt came to.

    Attributes:
        id: The row.
        state: ``PENDING`` to try again after ``retry_in``; otherwise final.
        retry_in: How long to wait before the next attempt.
        error: Why it did not go, if it did not.
        card_key: The card the call sent, if it sent one.
        message_id: The message the card was sent as.

    """

    id: int
    state: Delivery
    retry_in: timedelta = timedelta()
    error: str | None = None
    card_key: str | None = None
    message_id: int | None = None


def _unreadable(row: OutboxMessage) -> str | None:
    """Why the relay could not make the call a row holds (``None``: it can)."""
    chat_id: object = row.chat_id
    if isinstance(chat_id, bool) or not isinstance(chat_id, int):
        return "chat_id is not an integer"
    method: object = row.method
    params: object = row.params
    if not isinstance(method, str) or not isinstance(params, dict):
        return "method or parameters malformed"
    return None


def _letter(row: OutboxMessage) -> Letter:
    about = Regarding(row.ticket_number, row.about or "") if row.ticket_number is not None else None
    return Letter(
        row.id,
        row.chat_id,
        row.method,
        row.params,
        row.attempts,
        about,
        row.card_key,
        bulk=row.broadcast_id is not None,
    )


def _edits_card(letter: Letter) -> bool:
    return letter.card_key is not None and letter.method.startswith("edit")


def _with_message_id(letter: Letter, message_ids: dict[str, int]) -> Letter:
    """An edit of a card, addressed to the message the card was sent as, once that is known.

    A card whose sending failed has no message: the edit goes without an id and Telegram
    refuses it, which shows a fresh card instead (see :mod:`handlers.staff.live_cards`).
    """
    if not _edits_card(letter) or letter.card_key not in message_ids:
        return letter
    params = {**letter.params, "message_id": message_ids[letter.card_key]}
    return replace(letter, params=params)
