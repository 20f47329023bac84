"""What the intake service returns: plain frozen records, detached from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from intake.enums import (
    DeadlineKind,
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


@dataclass(frozen=True)
class UserView:
    """A person known to the service."""

    id: int
    telegram_id: int | None
    display_name: str
    role: Role
    village_code: str | None
    grid_code: str | None
    unit: str | None


@dataclass(frozen=True)
class TicketView:
    """A ticket as it stands. The phone number is kept out of ``repr`` so it never reaches logs."""

    id: int
    number: str
    kind: TicketKind
    category: str
    text: str
    source: Source
    filed_by_id: int
    villager_id: int | None
    villager_name: str | None
    village_code: str
    grid_code: str
    attachments: tuple[Attachment, ...]
    faq_shown: tuple[str, ...]
    contact_phone: str | None = field(repr=False)
    contact_consent: bool
    state: TicketState
    level: Level
    assignee_id: int | None
    lead_unit: str | None
    co_units: tuple[str, ...]
    received_at: datetime
    accepted_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    accept_due_at: datetime
    handle_due_at: datetime | None
    level_due_at: datetime | None
    feedback_due_at: datetime | None
    extension_days: int | None
    rating: Rating | None
    reject_reason: str | None
    reject_route: str | None
    reception_leader: str | None = None
    reception_date: date | None = None
    patrol_place: str | None = None
    more_requested_at: datetime | None = None


@dataclass(frozen=True)
class EventView:
    """One entry of a ticket's history; fields that do not apply to its type are ``None``."""

    id: int
    ticket_id: int
    type: EventType
    visibility: Visibility
    actor_id: int | None
    created_at: datetime
    from_state: TicketState | None
    to_state: TicketState | None
    from_level: Level | None
    to_level: Level | None
    assignee_id: int | None
    text: str | None
    route: str | None
    rating: Rating | None
    extension_days: int | None
    due_at: datetime | None
    lead_unit: str | None
    co_units: tuple[str, ...]
    village_code: str | None
    grid_code: str | None


@dataclass(frozen=True)
class ThreadMessageView:
    """One message of a ticket's thread (see :meth:`IntakeService.thread`)."""

    id: int
    ticket_id: int
    side: Side
    author_id: int
    visibility: Visibility
    created_at: datetime
    text: str | None
    attachment: Attachment | None


@dataclass(frozen=True)
class Outcome:
    """The ticket after a change, the events it recorded (empty if none) and its thread message.

    ``message`` is the message a change added to the ticket's thread, if it added one.
    """

    ticket: TicketView
    events: tuple[EventView, ...]
    message: ThreadMessageView | None = None


@dataclass(frozen=True)
class DeadlineAlert:
    """A deadline of an open ticket that has passed or will pass soon."""

    ticket: TicketView
    kind: DeadlineKind
    due_at: datetime


@dataclass(frozen=True)
class RoleChange:
    """A recorded change of someone's role or area."""

    id: int
    user: UserView
    actor_id: int | None
    from_role: Role | None
    created_at: datetime
