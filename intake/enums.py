"""The closed vocabularies of intake, each code paired with the Chinese label people see.

Codes are stable English identifiers stored in the database; labels are what the bot and the
staff console show, so renaming a label never needs a migration.
"""

from __future__ import annotations

from enum import StrEnum

from intake import texts


class Role(StrEnum):
    """What a person may do: villagers and liaisons file, staff handle, admins manage."""

    VILLAGER = "villager"
    LIAISON = "liaison"
    GRID_WORKER = "grid_worker"
    VILLAGE_MEDIATOR = "village_mediator"
    TOWNSHIP_OFFICER = "township_officer"
    DEPARTMENT = "department"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The Chinese name of the role."""
        return texts.ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        """Whether the role handles tickets rather than only filing them."""
        return self not in (Role.VILLAGER, Role.LIAISON)


class TicketKind(StrEnum):
    """What the villager brings: a question, a complaint, a dispute or a request for help."""

    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    REQUEST = "request"

    @property
    def label(self) -> str:
        """The Chinese name of the kind."""
        return texts.KIND_LABELS[self]


class Source(StrEnum):
    """How the ticket reached the township."""

    VILLAGER = "villager"
    LIAISON = "liaison"
    RECEPTION = "reception"
    PHONE = "phone"
    WINDOW = "window"
    GRID_PATROL = "grid_patrol"

    @property
    def label(self) -> str:
        """The Chinese name of the source."""
        return texts.SOURCE_LABELS[self]


# The order staff are offered them in: the window and the phone are the most common.
OFFLINE_SOURCES = (Source.WINDOW, Source.PHONE, Source.RECEPTION, Source.GRID_PATROL)


class TicketState(StrEnum):
    """Where a ticket is in its life; see :mod:`intake.rules` for the allowed moves."""

    NEW = "new"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    ANSWERED = "answered"
    AWAITING_FEEDBACK = "awaiting_feedback"
    CLOSED = "closed"
    REJECTED = "rejected"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """The Chinese name of the state."""
        return texts.STATE_LABELS[self]


class Level(StrEnum):
    """The four levels of the township's chain, lowest first."""

    GRID = "grid"
    VILLAGE = "village"
    TOWNSHIP = "township"
    DEPARTMENT = "department"

    @property
    def label(self) -> str:
        """The Chinese name of the level."""
        return texts.LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """Position in the chain: 0 for the grid, 3 for joint handling."""
        return LEVELS.index(self)


LEVELS = (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.DEPARTMENT)


class Visibility(StrEnum):
    """Who may read an event: the villager too, or staff only."""

    PUBLIC = "public"
    INTERNAL = "internal"

    @property
    def label(self) -> str:
        """The Chinese name of the visibility."""
        return texts.PUBLIC if self is Visibility.PUBLIC else texts.INTERNAL


class EventType(StrEnum):
    """Every kind of change a ticket's history can hold."""

    FILED = "filed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETURNED = "returned"
    REROUTED = "rerouted"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    REPLIED = "replied"
    NOTED = "noted"
    EXTENDED = "extended"
    FEEDBACK_REQUESTED = "feedback_requested"
    FEEDBACK_RECORDED = "feedback_recorded"
    REOPENED = "reopened"
    CLOSED = "closed"
    MORE_REQUESTED = "more_requested"
    MORE_RECEIVED = "more_received"

    @property
    def label(self) -> str:
        """The Chinese name of the event."""
        return texts.EVENT_LABELS[self]

    @property
    def visibility(self) -> Visibility:
        """Whether villagers see this kind of event.

        The villager sees what the law says they must be told (acceptance, rejection with the
        right route, extension with its reason, the answer, feedback and closure); routing,
        assignment, level changes and notes stay internal because their reasons often name
        other parties.
        """
        return Visibility.PUBLIC if self in _PUBLIC_EVENTS else Visibility.INTERNAL


_PUBLIC_EVENTS = frozenset(
    {
        EventType.FILED,
        EventType.ACCEPTED,
        EventType.REJECTED,
        EventType.REPLIED,
        EventType.EXTENDED,
        EventType.FEEDBACK_REQUESTED,
        EventType.FEEDBACK_RECORDED,
        EventType.REOPENED,
        EventType.CLOSED,
        EventType.MORE_REQUESTED,
        EventType.MORE_RECEIVED,
    }
)


class Rating(StrEnum):
    """The villager's answer at 回访, or 未评价 when none came."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    UNRATED = "unrated"

    @property
    def label(self) -> str:
        """The Chinese name of the rating."""
        return texts.RATING_LABELS[self]


class AttachmentKind(StrEnum):
    """The kinds of Telegram file a ticket can carry."""

    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        """The Chinese name of the attachment kind."""
        return texts.ATTACHMENT_LABELS[self]


class DeadlineKind(StrEnum):
    """The clocks that run on a ticket."""

    ACCEPTANCE = "acceptance"
    HANDLING = "handling"
    LEVEL = "level"

    @property
    def label(self) -> str:
        """The Chinese name of the deadline."""
        return texts.DEADLINE_LABELS[self]


class Side(StrEnum):
    """Who wrote a message of a ticket's thread: the villager's side or the township's."""

    VILLAGER = "villager"
    STAFF = "staff"

    @property
    def label(self) -> str:
        """The Chinese name of the side."""
        return texts.SIDE_VILLAGER if self is Side.VILLAGER else texts.SIDE_STAFF
