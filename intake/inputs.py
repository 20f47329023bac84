"""What callers hand to the intake service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from intake.enums import AttachmentKind, Level, Source, TicketKind, TicketState


@dataclass(frozen=True)
class Attachment:
    """A file the villager sent, kept as a Telegram file id (the file stays with Telegram)."""

    kind: AttachmentKind
    file_id: str


@dataclass(frozen=True)
class NewTicket:
    """A request to open a ticket.

    Attributes:
        source_key: Identifies the source message, e.g. ``tg:<chat id>:<message id>`` or a staff
            form's token. Filing the same key again returns the first ticket instead of a copy.
        kind: Consultation, complaint, dispute or request.
        category: One of the configured categories (the FAQ domains).
        text: What the villager says, as written or transcribed.
        village_code: The village the matter belongs to.
        source: How it reached the township; decides who the villager is (see
            :meth:`intake.service.IntakeService.file_ticket`).
        grid_code: The grid; defaults to the village's grid.
        villager_name: The villager's name, required when filed on their behalf.
        villager_id: The villager's user id, when filed on behalf of a registered user.
        attachments: Photos, voice messages, videos and documents.
        faq_shown: Ids of the FAQ entries the villager saw before filing.
        contact_phone: A phone number for call-backs, stored only with consent.
        contact_consent: Whether the villager agreed to be called back on that number.
        reception_leader: The township leader who received the villager (镇领导接访 only).
        reception_date: The day of that reception, a township date (镇领导接访 only).
        patrol_place: Where the grid worker found the matter (网格排查 only).

    """

    source_key: str
    kind: TicketKind
    category: str
    text: str
    village_code: str
    source: Source = Source.VILLAGER
    grid_code: str | None = None
    villager_name: str | None = None
    villager_id: int | None = None
    attachments: tuple[Attachment, ...] = ()
    faq_shown: tuple[str, ...] = ()
    contact_phone: str | None = field(default=None, repr=False)
    contact_consent: bool = False
    reception_leader: str | None = None
    reception_date: date | None = None
    patrol_place: str | None = None


@dataclass(frozen=True)
class TicketFilter:
    """Narrows :meth:`intake.service.IntakeService.list_tickets`; empty fields match anything."""

    states: frozenset[TicketState] = frozenset()
    levels: frozenset[Level] = frozenset()
    kinds: frozenset[TicketKind] = frozenset()
    village_code: str | None = None
    grid_code: str | None = None
    category: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
