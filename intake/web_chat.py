"""The chat page's channel, stored: visitors, what they send, and what their page shows.

A visitor of the chat page is a private chat of a second channel beside Telegram. His chat id
(and user id) is :data:`WEB_CHAT_FIRST` plus his row's id: above any Telegram id and below 2**53,
so that JavaScript keeps it exact. What he sends becomes an update in the inbox under the web
channel's scope (:data:`WEB_INBOX`), once per key his page gave it, numbered from
:data:`WEB_UPDATE_FIRST` so that it never meets a Telegram update id. What the bot sends him is
delivered here by the relay as events his page fetches in order: a message, an edit, a deletion,
a pop-up. An event names the outbox row it delivered, so a row delivered twice is shown once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake.clock import utcnow
from intake.database import session_factory, unit_of_work
from intake.inbox import Inbox, Received
from intake.models import (
    Ticket,
    TicketMessage,
    User,
    WebEvent,
    WebFile,
    WebMessage,
    WebPost,
    WebVisitor,
)
from intake.question_log import RETENTION

WEB_CHAT_FIRST = 8 * 10**15
WEB_CHAT_LAST = (1 << 53) - 1
# The inbox scope (in place of a bot id) of the web channel's updates: no bot has a negative id.
WEB_INBOX = -1
# Telegram's update ids fit in 32 bits; the web channel's start far above them.
WEB_UPDATE_FIRST = 1 << 52
# A post's key only stops the page's retries from counting twice.
KEEP_POSTS = timedelta(days=2)
# A browser keeps a cookie at most 400 days; the page renews it at each visit.
VISITOR_LIFE = timedelta(days=400)


def is_web_chat(chat_id: int) -> bool:
    """Whether ``chat_id`` is a visitor of the chat page."""
    return WEB_CHAT_FIRST <= chat_id <= WEB_CHAT_LAST


class EventKind(StrEnum):
    """What an event shows the page."""

    MESSAGE = "message"
    EDIT = "edit"
    DELETE = "delete"
    POPUP = "popup"


@dataclass(frozen=True)
class Visitor:
    """A visitor of the chat page."""

    chat_id: int
    village_code: str | None


@dataclass(frozen=True)
class Event:
    """One thing shown on a visitor's page, in the order of ``id``."""

    id: int
    kind: EventKind
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredFile:
    """A file of a web chat."""

    file_id: str
    chat_id: int
    kind: str
    mime_type: str
    content: bytes


# Builds the update a post becomes from its update id and the message id it may take; returns
# the update and the message the visitor's own page shows (None for a button press).
UpdateBuilder = Callable[[int, int], tuple[dict[str, Any], dict[str, Any] | None]]


class WebChats:
    """The web channel's visitors and chats.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant.
        retention: How long a chat's messages and files are kept (as a question's words are).

    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Callable[[], datetime] = utcnow,
        retention: timedelta = RETENTION,
    ) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._clock = clock
        self._retention = retention
        self._inbox = Inbox(engine, WEB_INBOX, clock=clock)

    @property
    def engine(self) -> AsyncEngine:
        """The database the chats are in."""
        return self._engine

    async def visitor(self, token_hash: str) -> Visitor | None:
        """The visitor whose session token hashes to ``token_hash``, if there is one."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(WebVisitor).where(WebVisitor.token_hash == token_hash)
            )
            return None if row is None else _visitor(row)

    async def new_visitor(self, token_hash: str, village_code: str | None) -> Visitor:
        """A new visitor, named by the hash of his session token."""
        now = self._clock()
        row = WebVisitor(
            token_hash=token_hash,
            village_code=village_code,
            next_message_id=1,
            created_at=now,
            seen_at=now,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _visitor(row)

    async def returned(self, chat_id: int, village_code: str | None) -> None:
        """The visitor opened the page again, from a QR code naming ``village_code`` if any."""
        values: dict[str, Any] = {"seen_at": self._clock()}
        if village_code is not None:
            values["village_code"] = village_code
        async with self._sessions.begin() as session:
            await session.execute(
                update(WebVisitor).where(WebVisitor.id == chat_id - WEB_CHAT_FIRST).values(values)
            )

    async def post(self, chat_id: int, client_key: str, build: UpdateBuilder) -> bool:
        """Store what a visitor sent as an update in the inbox, once per ``client_key``.

        The update, the visitor's own message on his page and the key commit together.

        Returns:
            Whether it was new (``False``: the page sent it again, and it is stored already).

        """
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        async with unit_of_work(self._engine) as session:
            post_id = await session.scalar(
                insert(WebPost)
                .values(chat_id=chat_id, client_key=client_key, created_at=self._clock())
                .on_conflict_do_nothing(index_elements=[WebPost.chat_id, WebPost.client_key])
                .returning(WebPost.id)
            )
            if post_id is None:
                return False
            update_id = WEB_UPDATE_FIRST + post_id
            payload, shown = build(update_id, await self.next_message_id(chat_id))
            await self._inbox.add([Received(update_id, payload)])
            if shown is not None:
                await self.record(chat_id, EventKind.MESSAGE, shown)
            return True

    async def next_message_id(self, chat_id: int) -> int:
        """Take the chat's next message id (Telegram numbers a private chat's messages alike)."""
        async with self._sessions.begin() as session:
            taken = await session.scalar(
                update(WebVisitor)
                .where(WebVisitor.id == chat_id - WEB_CHAT_FIRST)
                .values(next_message_id=WebVisitor.next_message_id + 1)
                .returning(WebVisitor.next_message_id)
            )
        if taken is None:
            raise LookupError(f"no web chat {chat_id}")
        return int(taken) - 1

    async def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message of the chat as it stands now (``None``: never sent, or deleted)."""
        async with self._sessions() as session:
            row = await session.get(WebMessage, (chat_id, message_id))
            return None if row is None else dict(row.payload)

    async def delivered(self, outbox_id: int) -> Event | None:
        """The event an outbox row was delivered as, if it was."""
        async with self._sessions() as session:
            row = await session.scalar(select(WebEvent).where(WebEvent.outbox_id == outbox_id))
            return None if row is None else _event(row)

    async def record(
        self,
        chat_id: int,
        kind: EventKind,
        payload: dict[str, Any],
        *,
        outbox_id: int | None = None,
    ) -> None:
        """Show something on the chat's page, and keep the chat's messages as they now stand.

        Args:
            chat_id: The web chat.
            kind: A new message, an edit of one (``payload`` is the whole edited message), a
                deletion (``payload`` names the ``message_id``) or a pop-up.
            payload: What is shown.
            outbox_id: The outbox row this delivers, if any.

        """
        async with self._sessions.begin() as session:
            if kind is EventKind.MESSAGE:
                session.add(
                    WebMessage(
                        chat_id=chat_id,
                        message_id=payload["message_id"],
                        payload=payload,
                        created_at=self._clock(),
                    )
                )
            elif kind is EventKind.EDIT:
                await session.execute(
                    update(WebMessage)
                    .where(
                        WebMessage.chat_id == chat_id,
                        WebMessage.message_id == payload["message_id"],
                    )
                    .values(payload=payload)
                )
            elif kind is EventKind.DELETE:
                await session.execute(
                    delete(WebMessage).where(
                        WebMessage.chat_id == chat_id,
                        WebMessage.message_id == payload["message_id"],
                    )
                )
            session.add(
                WebEvent(
                    chat_id=chat_id,
                    kind=kind.value,
                    payload=payload,
                    outbox_id=outbox_id,
                    created_at=self._clock(),
                )
            )

    async def events(self, chat_id: int, after: int, limit: int = 200) -> list[Event]:
        """What the chat's page has not yet shown, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WebEvent)
                .where(WebEvent.chat_id == chat_id, WebEvent.id > after)
                .order_by(WebEvent.id)
                .limit(limit)
            )
            return [_event(row) for row in rows]

    async def add_file(self, chat_id: int, kind: str, mime_type: str, content: bytes) -> str:
        """Keep a file of the chat.

        Returns:
            Its file id (unguessable: the page fetches files by it).

        """
        file_id = "web-" + secrets.token_urlsafe(24)
        await self._sessions.insert(
            WebFile(
                file_id=file_id,
                chat_id=chat_id,
                kind=kind,
                mime_type=mime_type,
                content=content,
                created_at=self._clock(),
            )
        )
        return file_id

    async def file(self, file_id: str) -> StoredFile | None:
        """A file of a web chat, by its id."""
        async with self._sessions() as session:
            row = await session.get(WebFile, file_id)
            if row is None:
                return None
            return StoredFile(row.file_id, row.chat_id, row.kind, row.mime_type, row.content)

    async def purge(self) -> int:
        """Forget what privacy and the cookie's life no longer let the township keep.

        Posts' keys go after :data:`KEEP_POSTS` (a page sends a post again within minutes);
        messages, events and files after the history's ``retention``, except the files a ticket
        holds, which stay with the ticket; a visitor once his cookie has expired unused
        (:data:`VISITOR_LIFE`: nobody can open his chat again).

        Returns:
            How many rows were forgotten.

        """
        now = self._clock()
        cutoff = now - self._retention
        async with self._sessions.begin() as session:
            # The files a ticket holds stay for good: delete by the (few) expired ones, not by
            # excluding the ever longer list of those kept.
            expired = await session.scalars(
                select(WebFile.file_id).where(WebFile.created_at < cutoff)
            )
            doomed = set(expired) - await _files_held(session, cutoff)
            results = [
                await session.execute(delete(WebPost).where(WebPost.created_at < now - KEEP_POSTS)),
                await session.execute(delete(WebMessage).where(WebMessage.created_at < cutoff)),
                await session.execute(delete(WebEvent).where(WebEvent.created_at < cutoff)),
                await session.execute(delete(WebFile).where(WebFile.file_id.in_(doomed))),
                await session.execute(
                    delete(WebVisitor).where(WebVisitor.seen_at < now - VISITOR_LIFE)
                ),
            ]
        return sum(int(getattr(result, "rowcount", 0) or 0) for result in results)


async def _files_held(session: AsyncSession, before: datetime) -> set[str]:
    """Of the web chats' files older than ``before``, those a ticket or its thread holds."""
    old = select(WebFile.file_id).where(WebFile.created_at < before)
    held = set(
        await session.scalars(select(TicketMessage.file_id).where(TicketMessage.file_id.in_(old)))
    )
    owners = select(WebFile.chat_id).where(WebFile.created_at < before)
    attachments = await session.scalars(
        select(Ticket.attachments)
        .join(User, User.id == Ticket.villager_id)
        .where(User.telegram_id.in_(owners))
    )
    held.update(item["file_id"] for listed in attachments for item in listed)
    return {file_id for file_id in held if file_id is not None}


def _visitor(row: WebVisitor) -> Visitor:
    return Visitor(WEB_CHAT_FIRST + row.id, row.village_code)


def _event(row: WebEvent) -> Event:
    return Event(row.id, EventKind(row.kind), dict(row.payload))
