"""The state machine: which action is allowed from which state, and to whom.

States (``TicketState``) and the actions that move between them::

    file            → 待受理 new
    accept          待受理 new / 退回 returned           → 已受理 accepted
    reject          待受理 new / 退回 returned           → 不予受理 rejected   (reason + route)
    reroute         待受理 new / 退回 returned           → (same; village/grid corrected)
    return          待受理 / 已受理 / 办理中 / 延期       → 退回 returned       (reason)
    claim, assign   已受理 / 办理中 / 延期                → 办理中 in progress  (延期 stays 延期)
    escalate,
    deescalate      已受理 / 办理中 / 延期                → (same state; level changes, reason)
    extend          已受理 / 办理中                       → 延期 extended      (once, reason)
    reply           已受理 / 办理中 / 延期                → 已答复 answered
    request_feedback 已答复                               → 待回访 awaiting feedback
    record_feedback 待回访  满意/基本满意                 → 已办结 closed
                    待回访  不满意                        → 办理中 in progress (reason)
    close           已答复 / 待回访                       → 已办结 closed (未评价)
    note            any state                             → (same state)
    request_more    待受理 / 退回 / 已受理 / 办理中 / 延期 → (same state; waits on the villager)
    message         any state but 已办结 / 不予受理       → (same state)

The 7-day 回访 sweep closes 待回访 tickets as 未评价 (system, no actor).

Who may act (on top of being able to see the ticket, :mod:`intake.access`):

================  ========================================================================
accept            grid worker of its grid, village mediator of its village, township
                  officer, admin; a returned ticket only township officer or admin
reject, reroute   township officer, admin
return            any staff
claim             staff of the ticket's current level: grid worker of its grid (网格),
                  village mediator of its village (村级调解), township officer (镇级研判),
                  staff of the lead unit (部门联动); admin — only while nobody holds it
assign            village mediator of its village, township officer, admin; the assignee
                  must be someone who could claim it
escalate, reply,  the assignee; staff who could claim it while unassigned; township officer,
request_feedback  admin. Escalating to 部门联动 only township officer or admin
deescalate        township officer, admin; village mediator of its village from 村级调解
extend, close     township officer, admin
record_feedback   its villager, the liaison or staff who filed it, the assignee, township
                  officer, admin
note              any staff
request_more      in triage, whoever may accept; in handling, whoever may reply
message           any staff (a public message is not the answer, 答复)
================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from intake import texts
from intake.enums import Level, Role, Source, TicketState
from intake.errors import ErrorCode, IntakeError
from intake.states import HANDLING_STATES, OPEN_STATES, TRIAGE_STATES, WORKING_STATES
from intake.views import TicketView, UserView


class Action(StrEnum):
    """Something a person does to a ticket."""

    ACCEPT = "accept"
    REJECT = "reject"
    REROUTE = "reroute"
    RETURN = "return"
    CLAIM = "claim"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    DEESCALATE = "deescalate"
    REPLY = "reply"
    NOTE = "note"
    EXTEND = "extend"
    REQUEST_FEEDBACK = "request_feedback"
    RECORD_FEEDBACK = "record_feedback"
    CLOSE = "close"
    REQUEST_MORE = "request_more"
    MESSAGE = "message"

    @property
    def label(self) -> str:
        """The Chinese verb for the action."""
        return texts.ACTION_LABELS[self]


FROM_STATES: dict[Action, frozenset[TicketState]] = {
    Action.ACCEPT: TRIAGE_STATES,
    Action.REJECT: TRIAGE_STATES,
    Action.REROUTE: TRIAGE_STATES,
    Action.RETURN: HANDLING_STATES | {TicketState.NEW},
    Action.CLAIM: HANDLING_STATES,
    Action.ASSIGN: HANDLING_STATES,
    Action.ESCALATE: HANDLING_STATES,
    Action.DEESCALATE: HANDLING_STATES,
    Action.REPLY: HANDLING_STATES,
    Action.NOTE: frozenset(TicketState),
    Action.EXTEND: frozenset({TicketState.ACCEPTED, TicketState.IN_PROGRESS}),
    Action.REQUEST_FEEDBACK: frozenset({TicketState.ANSWERED}),
    Action.RECORD_FEEDBACK: frozenset({TicketState.AWAITING_FEEDBACK}),
    Action.CLOSE: frozenset({TicketState.ANSWERED, TicketState.AWAITING_FEEDBACK}),
    Action.REQUEST_MORE: WORKING_STATES,
    Action.MESSAGE: OPEN_STATES,
}

_SUPERVISORS = frozenset({Role.TOWNSHIP_OFFICER, Role.ADMIN})


def is_supervisor(user: UserView) -> bool:
    """Township officers and admins oversee the whole chain."""
    return user.role in _SUPERVISORS


def can_claim(user: UserView, ticket: TicketView) -> bool:
    """Whether ``user`` works at the ticket's current level and area, so may hold it."""
    match user.role:
        case Role.ADMIN:
            return True
        case Role.GRID_WORKER:
            return ticket.level is Level.GRID and ticket.grid_code == user.grid_code
        case Role.VILLAGE_MEDIATOR:
            return ticket.level is Level.VILLAGE and ticket.village_code == user.village_code
        case Role.TOWNSHIP_OFFICER:
            return ticket.level is Level.TOWNSHIP
        case Role.DEPARTMENT:
            return ticket.level is Level.DEPARTMENT and ticket.lead_unit == user.unit
        case _:
            return False


def _handles(user: UserView, ticket: TicketView) -> bool:
    if ticket.assignee_id is not None:
        return ticket.assignee_id == user.id or is_supervisor(user)
    return can_claim(user, ticket) or is_supervisor(user)


def _may_accept(user: UserView, ticket: TicketView) -> bool:
    if is_supervisor(user):
        return True
    if ticket.state is TicketState.RETURNED:
        return False
    if user.role is Role.GRID_WORKER:
        return ticket.grid_code == user.grid_code
    return user.role is Role.VILLAGE_MEDIATOR and ticket.village_code == user.village_code


def _mediator_of(user: UserView, ticket: TicketView) -> bool:
    return user.role is Role.VILLAGE_MEDIATOR and ticket.village_code == user.village_code


def _may_deescalate(user: UserView, ticket: TicketView) -> bool:
    return is_supervisor(user) or (_mediator_of(user, ticket) and ticket.level is Level.VILLAGE)


def _may_rate(user: UserView, ticket: TicketView) -> bool:
    involved = (ticket.villager_id, ticket.filed_by_id, ticket.assignee_id)
    return user.id in involved or is_supervisor(user)


def _may_request_more(user: UserView, ticket: TicketView) -> bool:
    # In triage the material decides acceptance, so whoever may accept may ask for it.
    if ticket.state in TRIAGE_STATES:
        return _may_accept(user, ticket)
    return _handles(user, ticket)


def _staff(user: UserView, _ticket: TicketView) -> bool:
    return user.role.is_staff


def _supervisor(user: UserView, _ticket: TicketView) -> bool:
    return is_supervisor(user)


_MAY: dict[Action, Callable[[UserView, TicketView], bool]] = {
    Action.ACCEPT: _may_accept,
    Action.REJECT: _supervisor,
    Action.REROUTE: _supervisor,
    Action.RETURN: _staff,
    Action.CLAIM: can_claim,
    Action.ASSIGN: lambda user, ticket: is_supervisor(user) or _mediator_of(user, ticket),
    Action.ESCALATE: _handles,
    Action.DEESCALATE: _may_deescalate,
    Action.REPLY: _handles,
    Action.NOTE: _staff,
    Action.EXTEND: _supervisor,
    Action.REQUEST_FEEDBACK: _handles,
    Action.RECORD_FEEDBACK: _may_rate,
    Action.CLOSE: _supervisor,
    Action.REQUEST_MORE: _may_request_more,
    Action.MESSAGE: _staff,
}


def who_may(action: Action) -> str:
    """Who may take ``action``, in Chinese, as refusals and the action catalogue say it."""
    return texts.WHO_MAY[action]


def check(action: Action, actor: UserView, ticket: TicketView) -> None:
    """Refuse ``action`` unless the ticket's state and the actor's role allow it.

    Args:
        action: What the actor wants to do.
        actor: Who wants to do it (already known to be able to see the ticket).
        ticket: The ticket as it stands.

    Raises:
        IntakeError: ``WRONG_STATE`` or ``FORBIDDEN``, with the reason in Chinese.

    """
    if ticket.state not in FROM_STATES[action]:
        raise IntakeError(
            ErrorCode.WRONG_STATE,
            texts.WRONG_STATE.format(
                number=ticket.number, state=ticket.state.label, action=action.label
            ),
        )
    if not _MAY[action](actor, ticket):
        raise IntakeError(
            ErrorCode.FORBIDDEN,
            texts.NOT_YOURS.format(
                role=actor.role.label,
                number=ticket.number,
                action=action.label,
                who=who_may(action),
            ),
        )


OFFLINE_FILERS = frozenset(
    {Role.GRID_WORKER, Role.VILLAGE_MEDIATOR, Role.TOWNSHIP_OFFICER, Role.ADMIN}
)

_FILERS: dict[Source, frozenset[Role]] = {
    Source.VILLAGER: frozenset(Role),
    Source.LIAISON: frozenset({Role.LIAISON, Role.ADMIN}),
    Source.RECEPTION: OFFLINE_FILERS,
    Source.PHONE: OFFLINE_FILERS,
    Source.WINDOW: OFFLINE_FILERS,
    Source.GRID_PATROL: OFFLINE_FILERS,
}


def check_filing(actor: UserView, source: Source) -> None:
    """Refuse to file with ``source`` unless the actor's role may.

    Anyone may file for themselves; only liaisons file on a villager's behalf, and only grid,
    village and township staff register what arrives offline (window, phone, leader reception,
    grid patrol).

    Raises:
        IntakeError: ``FORBIDDEN``.

    """
    if actor.role not in _FILERS[source]:
        allowed = texts.LIST_JOIN.join(role.label for role in Role if role in _FILERS[source])
        raise IntakeError(
            ErrorCode.FORBIDDEN,
            texts.FILING_NOT_ALLOWED.format(
                role=actor.role.label, source=source.label, allowed=allowed
            ),
        )


def check_level_change(actor: UserView, ticket: TicketView, target: Level, *, up: bool) -> None:
    """Refuse a level change that does not go the stated way or that the actor may not make.

    Args:
        actor: Who changes the level.
        ticket: The ticket as it stands.
        target: The level it should move to.
        up: ``True`` to escalate, ``False`` to de-escalate.

    Raises:
        IntakeError: ``INVALID_INPUT`` for a move the wrong way, ``FORBIDDEN`` for escalation to
            部门联动 by someone other than a township officer or admin.

    """
    if (target.rank > ticket.level.rank) != up or target is ticket.level:
        direction = texts.ESCALATE if up else texts.DEESCALATE
        raise IntakeError(
            ErrorCode.INVALID_INPUT,
            texts.WRONG_WAY.format(
                number=ticket.number,
                level=ticket.level.label,
                direction=direction,
                target=target.label,
            ),
        )
    if target is Level.DEPARTMENT and not is_supervisor(actor):
        raise IntakeError(ErrorCode.FORBIDDEN, texts.DEPARTMENT_BY_SUPERVISORS)
