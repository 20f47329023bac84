"""The database tables of intake (SQLAlchemy 2 typed models).

The schema itself is owned by the Alembic migrations in ``intake/migrations``; these classes must
match them (``tests/intake/test_migrations.py`` compares the two). ``ticket_events`` and
``role_changes`` are append-only: the service never updates or deletes them, and the migrations
install triggers so that the database refuses to as well.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from intake.enums import (
    AttachmentKind,
    EventType,
    Level,
    Rating,
    Role,
    Side,
    Source,
    TicketKind,
    TicketState,
    Visibility,
)
from intake.inputs import Attachment
from intake.views import EventView, ThreadMessageView, TicketView, UserView

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC on every backend.

    SQLite has no time zone type, so values are stored there as naive UTC and given their time
    zone back when read; naive values are refused so that local times never slip in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (naive on SQLite) on the way in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: intake stores only timezone-aware instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC instant on the way out."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _code(enum_class: type[StrEnum]) -> Enum:
    # Plain VARCHAR holding the enum's code, so adding a member needs no schema change.
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so Alembic can name every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person: a Telegram user, or someone added by staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[Role] = mapped_column(_code(Role))
    village_code: Mapped[str | None] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def to_view(self) -> UserView:
        """A detached copy for callers."""
        return UserView(
            id=self.id,
            telegram_id=self.telegram_id,
            display_name=self.display_name,
            role=self.role,
            village_code=self.village_code,
            grid_code=self.grid_code,
            unit=self.unit,
        )


class RoleChangeRecord(Base):
    """One change of a person's role or area (append-only)."""

    __tablename__ = "role_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_role: Mapped[Role | None] = mapped_column(_code(Role))
    to_role: Mapped[Role] = mapped_column(_code(Role))
    village_code: Mapped[str | None] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(64))


class TicketSequence(Base):
    """The last ticket number handed out in a year."""

    __tablename__ = "ticket_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """A consultation, complaint, dispute or request, and where it stands.

    ``version`` is checked on every update (optimistic locking): of two people changing the same
    ticket at once, the second one's update matches no row and is refused.
    """

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[TicketKind] = mapped_column(_code(TicketKind))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    source: Mapped[Source] = mapped_column(_code(Source))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    villager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    villager_name: Mapped[str | None] = mapped_column(String(64))
    village_code: Mapped[str] = mapped_column(String(32), index=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    faq_shown: Mapped[list[str]] = mapped_column(JSON)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_consent: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[TicketState] = mapped_column(_code(TicketState), index=True)
    level: Mapped[Level] = mapped_column(_code(Level))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    lead_unit: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accept_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handle_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    level_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[Rating | None] = mapped_column(_code(Rating))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    reject_route: Mapped[str | None] = mapped_column(Text)
    reception_leader: Mapped[str | None] = mapped_column(String(64))
    reception_date: Mapped[date | None] = mapped_column(Date, index=True)
    patrol_place: Mapped[str | None] = mapped_column(String(128))
    more_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    co_unit_rows: Mapped[list[TicketCoUnit]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TicketCoUnit.unit"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    @property
    def co_units(self) -> tuple[str, ...]:
        """The co-handling units of joint handling, in name order."""
        return tuple(row.unit for row in self.co_unit_rows)

    def to_view(self) -> TicketView:
        """A detached copy for callers."""
        return TicketView(
            id=self.id,
            number=self.number,
            kind=self.kind,
            category=self.category,
            text=self.text,
            source=self.source,
            filed_by_id=self.filed_by_id,
            villager_id=self.villager_id,
            villager_name=self.villager_name,
            village_code=self.village_code,
            grid_code=self.grid_code,
            attachments=tuple(
                Attachment(kind=AttachmentKind(item["kind"]), file_id=item["file_id"])
                for item in self.attachments
            ),
            faq_shown=tuple(self.faq_shown),
            contact_phone=self.contact_phone,
            contact_consent=self.contact_consent,
            state=self.state,
            level=self.level,
            assignee_id=self.assignee_id,
            lead_unit=self.lead_unit,
            co_units=self.co_units,
            received_at=self.received_at,
            accepted_at=self.accepted_at,
            answered_at=self.answered_at,
            closed_at=self.closed_at,
            accept_due_at=self.accept_due_at,
            handle_due_at=self.handle_due_at,
            level_due_at=self.level_due_at,
            feedback_due_at=self.feedback_due_at,
            extension_days=self.extension_days,
            rating=self.rating,
            reject_reason=self.reject_reason,
            reject_route=self.reject_route,
            reception_leader=self.reception_leader,
            reception_date=self.reception_date,
            patrol_place=self.patrol_place,
            more_requested_at=self.more_requested_at,
        )


class TicketCoUnit(Base):
    """A unit co-handling a ticket in joint handling (部门联动)."""

    __tablename__ = "ticket_co_units"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class TicketEvent(Base):
    """One entry of a ticket's history (append-only)."""

    __tablename__ = "ticket_events"
    # The report reads a period's answers, reopenings, rejections and ratings from this index
    # alone (an index-only scan on PostgreSQL), whatever the size of the history before it.
    __table_args__ = (
        Index("ix_ticket_events_created_at_type", "created_at", "type", "ticket_id", "rating"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    type: Mapped[EventType] = mapped_column(_code(EventType))
    visibility: Mapped[Visibility] = mapped_column(_code(Visibility))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_state: Mapped[TicketState | None] = mapped_column(_code(TicketState))
    to_state: Mapped[TicketState | None] = mapped_column(_code(TicketState))
    from_level: Mapped[Level | None] = mapped_column(_code(Level))
    to_level: Mapped[Level | None] = mapped_column(_code(Level))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[Rating | None] = mapped_column(_code(Rating))
    extension_days: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_unit: Mapped[str | None] = mapped_column(String(64))
    co_units: Mapped[list[str] | None] = mapped_column(JSON)
    village_code: Mapped[str | None] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(32))

    def to_view(self) -> EventView:
        """A detached copy for callers."""
        return EventView(
            id=self.id,
            ticket_id=self.ticket_id,
            type=self.type,
            visibility=self.visibility,
            actor_id=self.actor_id,
            created_at=self.created_at,
            from_state=self.from_state,
            to_state=self.to_state,
            from_level=self.from_level,
            to_level=self.to_level,
            assignee_id=self.assignee_id,
            text=self.text,
            route=self.route,
            rating=self.rating,
            extension_days=self.extension_days,
            due_at=self.due_at,
            lead_unit=self.lead_unit,
            co_units=tuple(self.co_units or ()),
            village_code=self.village_code,
            grid_code=self.grid_code,
        )


class TicketMessage(Base):
    """One message of a ticket's thread: the villager's words or files, or staff's (append-only).

    ``source_key`` names the Telegram message a villager's entry came from, so that an update
    handled twice (after a crash) adds it once.
    """

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    side: Mapped[Side] = mapped_column(_code(Side))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[Visibility] = mapped_column(_code(Visibility))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str | None] = mapped_column(Text)
    file_kind: Mapped[AttachmentKind | None] = mapped_column(_code(AttachmentKind))
    file_id: Mapped[str | None] = mapped_column(String(256))
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    def to_view(self) -> ThreadMessageView:
        """A detached copy for callers."""
        attachment = (
            Attachment(kind=self.file_kind, file_id=self.file_id)
            if self.file_kind is not None and self.file_id is not None
            else None
        )
        return ThreadMessageView(
            id=self.id,
            ticket_id=self.ticket_id,
            side=self.side,
            author_id=self.author_id,
            visibility=self.visibility,
            created_at=self.created_at,
            text=self.text,
            attachment=attachment,
        )


class StateEntry(Base):
    """One saved piece of the bot's conversation state (see :mod:`intake.state_store`)."""

    __tablename__ = "bot_state"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionRecord(Base):
    """A question put to the FAQ and what the bot did with it (:mod:`intake.question_log`)."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_by: Mapped[int | None] = mapped_column(BigInteger)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # None once the retention period is over (:meth:`QuestionLog.purge`).
    text: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16), index=True)
    entry_id: Mapped[str | None] = mapped_column(String(128), index=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class FaqRating(Base):
    """A person's 👍 or 👎 on an FAQ answer; their latest one per entry counts."""

    __tablename__ = "faq_ratings"
    __table_args__ = (UniqueConstraint("entry_id", "rated_by"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    rated_by: Mapped[int | None] = mapped_column(BigInteger)
    helpful: Mapped[bool] = mapped_column(Boolean)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsoleLoginToken(Base):
    """A one-time login link of the staff console; only a hash of its secret is kept."""

    __tablename__ = "console_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(Base):
    """A signed-in browser of the staff console; only a hash of its cookie is kept."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ConsolePassword(Base):
    """A login name and password an admin set for a staff member (scrypt hash only)."""

    __tablename__ = "console_passwords"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ban(Base):
    """A person staff have banned from the bot, while the ban lasts (lifting deletes the row).

    Who banned and lifted whom, when and why, stays in ``ban_events`` (append-only).
    """

    __tablename__ = "bans"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    banned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    banned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BanEvent(Base):
    """One ban or unban (append-only)."""

    __tablename__ = "ban_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    banned: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)


class HeldUpdate(Base):
    """A Telegram update held back by the flood limit, to be handled once the limit allows."""

    __tablename__ = "held_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    update_id: Mapped[int] = mapped_column(BigInteger)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class InboxUpdate(Base):
    """A Telegram update as received, kept until handled and a while after (:mod:`intake.inbox`)."""

    __tablename__ = "inbox_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))


class OutboxMessage(Base):
    """A Bot API call to make, kept until delivered or given up (:mod:`intake.outbox`)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    about: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    card_key: Mapped[str | None] = mapped_column(String(32))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))

    # One message per broadcast and chat, however often the broadcast is sent out. A row's id
    # never comes back once purged (SQLite would reuse the highest): the chat page's events
    # name the row they delivered.
    __table_args__ = (UniqueConstraint("broadcast_id", "chat_id"), {"sqlite_autoincrement": True})


class LiaisonApplication(Base):
    """Someone's request to serve as a 法律明白人, and the admin's decision on it."""

    __tablename__ = "liaison_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    village_code: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketCard(Base):
    """A ticket card the bot showed in a chat, kept current on every change (:mod:`intake.cards`).

    ``message_id`` is unknown until the relay has sent the card; a card whose message can no
    longer be edited is forgotten (retired) and a fresh one shown instead.
    """

    __tablename__ = "ticket_cards"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket_number: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PrivateChat(Base):
    """Whether the bot may write to someone privately (:mod:`intake.private_chats`).

    Telegram lets a bot write to a person only after they wrote to it, and no longer once they
    blocked it: ``opened_at`` is their latest private message, ``refused_at`` Telegram's latest 403.
    """

    __tablename__ = "private_chats"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeadLetterOrigin(StrEnum):
    """Where a dead letter came from."""

    REJECTED = "rejected"  # offered as an update, but not a valid one
    UPDATE = "update"  # a stored update whose handling kept failing
    OUTBOX = "outbox"  # an outbox row the relay could not read


class DeadLetter(Base):
    """An update or outbox row set aside as impossible to handle (:mod:`intake.dead_letters`)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    bot_id: Mapped[int | None] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Broadcast(Base):
    """A 普法 message for every subscriber of its topic (:mod:`intake.broadcasts`).

    ``key`` names what the broadcast is (a calendar day of a year, or one an officer scheduled),
    so that it is made once however often it is asked for; ``sent_out_at`` is when its outbox
    rows were written, ``None`` while it waits for ``send_at``.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    piece: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A private chat that asked for 普法 messages (/dingyue), with its topics."""

    __tablename__ = "subscriptions"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    subscribed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubscriptionTopic(Base):
    """One topic a subscribed chat wants to hear about."""

    __tablename__ = "subscription_topics"

    chat_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.chat_id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class WebVisitor(Base):
    """A visitor of the chat page, named by his session cookie (:mod:`intake.web_chat`).

    Only a hash of the cookie's token is kept. His chat id is derived from ``id``.
    """

    __tablename__ = "web_visitors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    village_code: Mapped[str | None] = mapped_column(String(32))
    next_message_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebPost(Base):
    """One thing a visitor sent, once per key his page gave it; its update id is from ``id``."""

    __tablename__ = "web_posts"
    # Update ids are made from ``id``: one must never come back once purged.
    __table_args__ = (
        UniqueConstraint("chat_id", "client_key", name="uq_web_posts_chat_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebMessage(Base):
    """A message of a web chat as it stands now (edits applied; deleted ones removed)."""

    __tablename__ = "web_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WebEvent(Base):
    """What the page of a web chat is shown, in order: messages, edits, deletions, pop-ups.

    ``outbox_id`` names the outbox row delivered, so that a row delivered again (the relay
    crashed before recording it) is recognised and not shown twice.
    """

    __tablename__ = "web_events"
    # The page asks for the events after the last id it saw: an id must never come back.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    outbox_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebFile(Base):
    """A file of a web chat: a visitor's photo or recording, or one the bot sent him."""

    __tablename__ = "web_files"

    file_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
