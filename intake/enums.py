"""The closed vocabularies of intake, each code paired with the Chinese label people see.

Codes are stable English identifiers stored in the database; labels are what the bot and the
staff console show, so renaming a label never needs a migration.
"""

from __future__ import annotations

from enum import StrEnum


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
        return _ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        """Whether the role handles tickets rather than only filing them."""
        return self not in (Role.VILLAGER, Role.LIAISON)


_ROLE_LABELS = {
    Role.VILLAGER: "村民",
    Role.LIAISON: "法律明白人",
    Role.GRID_WORKER: "网格员",
    Role.VILLAGE_MEDIATOR: "村调解员",
    Role.TOWNSHIP_OFFICER: "镇干部",
    Role.DEPARTMENT: "部门",
    Role.ADMIN: "管理员",
}


class TicketKind(StrEnum):
    """What the villager brings: a question, a complaint, a dispute or a request for help."""

    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    REQUEST = "request"

    @property
    def label(self) -> str:
        """The Chinese name of the kind."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    TicketKind.CONSULTATION: "咨询",
    TicketKind.COMPLAINT: "投诉",
    TicketKind.DISPUTE: "矛盾纠纷",
    TicketKind.REQUEST: "求助",
}


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
        return _SOURCE_LABELS[self]


# The order staff are offered them in: the window and the phone are the most common.
OFFLINE_SOURCES = (Source.WINDOW, Source.PHONE, Source.RECEPTION, Source.GRID_PATROL)


_SOURCE_LABELS = {
    Source.VILLAGER: "村民自报",
    Source.LIAISON: "法律明白人代报",
    Source.RECEPTION: "镇领导接访",
    Source.PHONE: "电话登记",
    Source.WINDOW: "接待专窗",
    Source.GRID_PATROL: "网格排查",
}


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
        return _STATE_LABELS[self]


_STATE_LABELS = {
    TicketState.NEW: "待受理",
    TicketState.ACCEPTED: "已受理",
    TicketState.IN_PROGRESS: "办理中",
    TicketState.EXTENDED: "延期",
    TicketState.ANSWERED: "已答复",
    TicketState.AWAITING_FEEDBACK: "待回访",
    TicketState.CLOSED: "已办结",
    TicketState.REJECTED: "不予受理",
    TicketState.RETURNED: "退回",
}


class Level(StrEnum):
    """The four levels of the township's chain, lowest first."""

    GRID = "grid"
    VILLAGE = "village"
    TOWNSHIP = "township"
    DEPARTMENT = "department"

    @property
    def label(self) -> str:
        """The Chinese name of the level."""
        return _LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """Position in the chain: 0 for the grid, 3 for joint handling."""
        return LEVELS.index(self)


LEVELS = (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.DEPARTMENT)

_LEVEL_LABELS = {
    Level.GRID: "网格",
    Level.VILLAGE: "村级调解",
    Level.TOWNSHIP: "镇级研判",
    Level.DEPARTMENT: "部门联动",
}


class Visibility(StrEnum):
    """Who may read an event: the villager too, or staff only."""

    PUBLIC = "public"
    INTERNAL = "internal"

    @property
    def label(self) -> str:
        """The Chinese name of the visibility."""
        return "公开" if self is Visibility.PUBLIC else "内部"


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
        return _EVENT_LABELS[self]

    @property
    def visibility(self) -> Visibility:
        """Whether villagers see this kind of event.

        The villager sees what the law says they must be told (acceptance, rejection with the
        right route, extension with its reason, the answer, feedback and closure); routing,
        assignment, level changes and notes stay internal because their reasons often name
        other parties.
        """
        return Visibility.PUBLIC if self in _PUBLIC_EVENTS else Visibility.INTERNAL


_EVENT_LABELS = {
    EventType.FILED: "提交",
    EventType.ACCEPTED: "受理",
    EventType.REJECTED: "不予受理",
    EventType.RETURNED: "退回分流",
    EventType.REROUTED: "改派村网格",
    EventType.CLAIMED: "认领",
    EventType.ASSIGNED: "指派",
    EventType.ESCALATED: "上报",
    EventType.DEESCALATED: "下派",
    EventType.REPLIED: "答复",
    EventType.NOTED: "内部备注",
    EventType.EXTENDED: "延期",
    EventType.FEEDBACK_REQUESTED: "发起回访",
    EventType.FEEDBACK_RECORDED: "回访评价",
    EventType.REOPENED: "重新办理",
    EventType.CLOSED: "办结",
    EventType.MORE_REQUESTED: "请补充材料",
    EventType.MORE_RECEIVED: "收到补充材料",
}

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
        return _RATING_LABELS[self]


_RATING_LABELS = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
    Rating.UNRATED: "未评价",
}


class AttachmentKind(StrEnum):
    """The kinds of Telegram file a ticket can carry."""

    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        """The Chinese name of the attachment kind."""
        return _ATTACHMENT_LABELS[self]


_ATTACHMENT_LABELS = {
    AttachmentKind.PHOTO: "照片",
    AttachmentKind.VOICE: "语音",
    AttachmentKind.VIDEO: "视频",
    AttachmentKind.DOCUMENT: "文件",
}


class DeadlineKind(StrEnum):
    """The clocks that run on a ticket."""

    ACCEPTANCE = "acceptance"
    HANDLING = "handling"
    LEVEL = "level"

    @property
    def label(self) -> str:
        """The Chinese name of the deadline."""
        return _DEADLINE_LABELS[self]


_DEADLINE_LABELS = {
    DeadlineKind.ACCEPTANCE: "受理期限",
    DeadlineKind.HANDLING: "办理期限",
    DeadlineKind.LEVEL: "本级处置目标",
}


class Side(StrEnum):
    """Who wrote a message of a ticket's thread: the villager's side or the township's."""

    VILLAGER = "villager"
    STAFF = "staff"

    @property
    def label(self) -> str:
        """The Chinese name of the side."""
        return "村民" if self is Side.VILLAGER else "工作人员"
