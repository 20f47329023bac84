"""The one catalogue of what staff can do to a ticket, which both staff tools are built from.

Each entry names the action (its code and Chinese verb are :class:`intake.rules.Action`'s), the
states it is offered in and who may take it (both from :mod:`intake.rules`), and the inputs it
needs. The Telegram staff area and the web console render the actions a ticket offers from
:func:`offered` / :func:`available` and dispatch each code to the matching
:class:`~intake.service.IntakeService` method; a test walks this catalogue and fails if either
tool lacks an action.

Besides its state, a ticket's shape rules some actions out whoever asks: it is extended only
once, nothing is escalated beyond 部门联动 nor de-escalated below 网格, and a held ticket is
not claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from intake import rules, texts
from intake.enums import Level, TicketState
from intake.errors import IntakeError
from intake.rules import Action
from intake.views import TicketView, UserView


class Input(StrEnum):
    """Something an action needs from the person taking it; the code doubles as a field name."""

    TEXT = "text"
    REASON = "reason"
    ROUTE = "route"
    DAYS = "days"
    ASSIGNEE = "assignee"
    LEVEL = "to_level"
    LEAD_UNIT = "lead_unit"
    CO_UNITS = "co_units"
    VILLAGE = "village_code"
    RATING = "rating"

    @property
    def label(self) -> str:
        """The Chinese name of the input."""
        return texts.INPUT_LABELS[self]


@dataclass(frozen=True)
class TicketAction:
    """One entry of the catalogue.

    Attributes:
        action: The action; its value is the code both tools use, its label the Chinese verb.
        inputs: What the action needs, in the order it is asked for.

    """

    action: Action
    inputs: tuple[Input, ...] = ()

    @property
    def code(self) -> str:
        """The stable code, e.g. ``"extend"``."""
        return self.action.value

    @property
    def label(self) -> str:
        """The Chinese verb, e.g. 延期."""
        return self.action.label

    @property
    def states(self) -> frozenset[TicketState]:
        """The states the action is offered in."""
        return rules.FROM_STATES[self.action]

    @property
    def who(self) -> str:
        """Who may take it, in Chinese."""
        return rules.who_may(self.action)

    def applies(self, ticket: TicketView) -> bool:
        """Whether the ticket's state and shape allow the action, whoever asks."""
        return ticket.state in self.states and _SHAPE.get(self.action, _any_shape)(ticket)

    def permits(self, user: UserView, ticket: TicketView) -> bool:
        """Whether ``user`` may take the action on ``ticket`` now (they must be able to see it)."""
        if not self.applies(ticket):
            return False
        try:
            rules.check(self.action, user, ticket)
        except IntakeError:
            return False
        return True


def _any_shape(_ticket: TicketView) -> bool:
    return True


_SHAPE: dict[Action, Callable[[TicketView], bool]] = {
    Action.CLAIM: lambda ticket: ticket.assignee_id is None,
    Action.ESCALATE: lambda ticket: ticket.level is not Level.DEPARTMENT,
    Action.DEESCALATE: lambda ticket: ticket.level is not Level.GRID,
    Action.EXTEND: lambda ticket: ticket.extension_days is None,
}

CATALOGUE: tuple[TicketAction, ...] = (
    TicketAction(Action.ACCEPT),
    TicketAction(Action.CLAIM),
    TicketAction(Action.ASSIGN, (Input.ASSIGNEE,)),
    TicketAction(Action.REPLY, (Input.TEXT,)),
    TicketAction(Action.ESCALATE, (Input.LEVEL, Input.LEAD_UNIT, Input.REASON, Input.CO_UNITS)),
    TicketAction(Action.DEESCALATE, (Input.LEVEL, Input.REASON)),
    TicketAction(Action.REROUTE, (Input.VILLAGE, Input.REASON)),
    TicketAction(Action.RETURN, (Input.REASON,)),
    TicketAction(Action.EXTEND, (Input.DAYS, Input.REASON)),
    TicketAction(Action.NOTE, (Input.TEXT,)),
    TicketAction(Action.MESSAGE, (Input.TEXT,)),
    TicketAction(Action.REQUEST_MORE, (Input.TEXT,)),
    TicketAction(Action.REQUEST_FEEDBACK),
    TicketAction(Action.RECORD_FEEDBACK, (Input.RATING, Input.REASON)),
    TicketAction(Action.CLOSE, (Input.REASON,)),
    TicketAction(Action.REJECT, (Input.REASON, Input.ROUTE)),
)

BY_CODE: dict[str, TicketAction] = {entry.code: entry for entry in CATALOGUE}


def offered(ticket: TicketView) -> tuple[TicketAction, ...]:
    """The actions the ticket's state and shape allow, for a view anyone on staff may press."""
    return tuple(entry for entry in CATALOGUE if entry.applies(ticket))


def available(user: UserView, ticket: TicketView) -> tuple[TicketAction, ...]:
    """The actions ``user`` may take on ``ticket`` now, in catalogue order."""
    return tuple(entry for entry in CATALOGUE if entry.permits(user, ticket))
