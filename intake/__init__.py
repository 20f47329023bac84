"""Tickets on the township's four-level dispute chain: data, rules and the service.

Nothing here imports ``telegram``, ``knowledge``, ``handlers`` or ``bot``; the bot's composition
root builds an :class:`IntakeService` from :func:`create_engine` and :func:`load_config`.
"""

from intake.config import ConfigError, IntakeConfig, load_config
from intake.database import create_engine
from intake.enums import (
    AttachmentKind,
    DeadlineKind,
    EventType,
    Level,
    Rating,
    Role,
    Source,
    TicketKind,
    TicketState,
    Visibility,
)
from intake.errors import ErrorCode, IntakeError
from intake.inputs import Attachment, NewTicket, TicketFilter
from intake.migrate import current_revision, head_revision, upgrade
from intake.reporting import FIGURE_LABELS, Figures, Ratio, Report, ReportRow
from intake.service import IntakeService
from intake.texts import FIGURE_DEFINITIONS
from intake.views import (
    DeadlineAlert,
    EventView,
    Outcome,
    RoleChange,
    ThreadMessageView,
    TicketView,
    UserView,
)

__all__ = [
    "FIGURE_DEFINITIONS",
    "FIGURE_LABELS",
    "Attachment",
    "AttachmentKind",
    "ConfigError",
    "DeadlineAlert",
    "DeadlineKind",
    "ErrorCode",
    "EventType",
    "EventView",
    "Figures",
    "IntakeConfig",
    "IntakeError",
    "IntakeService",
    "Level",
    "NewTicket",
    "Outcome",
    "Rating",
    "Ratio",
    "Report",
    "ReportRow",
    "Role",
    "RoleChange",
    "Source",
    "ThreadMessageView",
    "TicketFilter",
    "TicketKind",
    "TicketState",
    "TicketView",
    "UserView",
    "Visibility",
    "create_engine",
    "current_revision",
    "head_revision",
    "load_config",
    "upgrade",
]
