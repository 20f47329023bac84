from __future__ import annotations

import pytest

from intake import ErrorCode, IntakeError, Level, Role, Source, TicketState
from intake.enums import OFFLINE_SOURCES
from intake.rules import Action, check, check_filing, check_level_change
from intake.views import UserView
from tests.intake.conftest import ticket_view, user_view

S = TicketState
HANDLING = {S.ACCEPTED, S.IN_PROGRESS, S.EXTENDED}

# The state machine as the issue describes it, restated independently of intake.rules.
ALLOWED_FROM = {
    Action.ACCEPT: {S.NEW, S.RETURNED},
    Action.REJECT: {S.NEW, S.RETURNED},
    Action.REROUTE: {S.NEW, S.RETURNED},
    Action.RETURN: {S.NEW, *HANDLING},
    Action.CLAIM: HANDLING,
    Action.ASSIGN: HANDLING,
    Action.ESCALATE: HANDLING,
    Action.DEESCALATE: HANDLING,
    Action.REPLY: HANDLING,
    Action.NOTE: set(S),
    Action.EXTEND: {S.ACCEPTED, S.IN_PROGRESS},
    Action.REQUEST_FEEDBACK: {S.ANSWERED},
    Action.RECORD_FEEDBACK: {S.AWAITING_FEEDBACK},
    Action.CLOSE: {S.ANSWERED, S.AWAITING_FEEDBACK},
    Action.REQUEST_MORE: {S.NEW, S.RETURNED, *HANDLING},
    Action.MESSAGE: set(S) - {S.CLOSED, S.REJECTED},
}

ADMIN = user_view(Role.ADMIN)


@pytest.mark.parametrize("action", list(Action))
def test_each_action_is_allowed_from_exactly_its_states(action: Action) -> None:
    for state in TicketState:
        ticket = ticket_view(state=state, level=Level.VILLAGE)
        if state in ALLOWED_FROM[action]:
            check(action, ADMIN, ticket)
            continue
        with pytest.raises(IntakeError) as refused:
            check(action, ADMIN, ticket)
        assert refused.value.code is ErrorCode.WRONG_STATE
        assert f"当前状态为「{state.label}」，不能{action.label}" in refused.value.message


def grid(user_id: int = 50, code: str = "G01") -> UserView:
    return user_view(Role.GRID_WORKER, user_id, grid_code=code)


def mediator(code: str = "V01") -> UserView:
    return user_view(Role.VILLAGE_MEDIATOR, village_code=code)


OFFICER = user_view(Role.TOWNSHIP_OFFICER)
POLICE = user_view(Role.DEPARTMENT, unit="派出所")
JUSTICE = user_view(Role.DEPARTMENT, unit="司法所")
VILLAGER = user_view(Role.VILLAGER, 10)
LIAISON = user_view(Role.LIAISON, 11, village_code="V01")
STRANGER = user_view(Role.VILLAGER, 12)
JOINT = {"level": Level.DEPARTMENT, "lead_unit": "派出所", "co_units": ("司法所",)}

CASES = [
    # accept: the ticket's grid and village, supervisors; a returned ticket only supervisors.
    (Action.ACCEPT, grid(), {}, True),
    (Action.ACCEPT, grid(code="G02"), {}, False),
    (Action.ACCEPT, mediator(), {}, True),
    (Action.ACCEPT, mediator("V02"), {}, False),
    (Action.ACCEPT, OFFICER, {}, True),
    (Action.ACCEPT, POLICE, {}, False),
    (Action.ACCEPT, VILLAGER, {}, False),
    (Action.ACCEPT, LIAISON, {}, False),
    (Action.ACCEPT, grid(), {"state": S.RETURNED}, False),
    (Action.ACCEPT, mediator(), {"state": S.RETURNED}, False),
    (Action.ACCEPT, OFFICER, {"state": S.RETURNED}, True),
    # formal decisions: township officers and admins.
    (Action.REJECT, OFFICER, {}, True),
    (Action.REJECT, mediator(), {}, False),
    (Action.REJECT, grid(), {}, False),
    (Action.REROUTE, grid(), {}, False),
    (Action.EXTEND, OFFICER, {"state": S.IN_PROGRESS}, True),
    (Action.EXTEND, grid(), {"state": S.IN_PROGRESS}, False),
    (Action.CLOSE, OFFICER, {"state": S.ANSWERED}, True),
    (Action.CLOSE, mediator(), {"state": S.ANSWERED}, False),
    # return: any staff.
    (Action.RETURN, POLICE, {"state": S.IN_PROGRESS, **JOINT}, True),
    (Action.RETURN, VILLAGER, {"state": S.IN_PROGRESS}, False),
    # claim: whoever works at the ticket's level and area.
    (Action.CLAIM, grid(), {"state": S.ACCEPTED}, True),
    (Action.CLAIM, grid(code="G02"), {"state": S.ACCEPTED}, False),
    (Action.CLAIM, mediator(), {"state": S.ACCEPTED}, False),
    (Action.CLAIM, OFFICER, {"state": S.ACCEPTED}, False),
    (Action.CLAIM, ADMIN, {"state": S.ACCEPTED}, True),
    (Action.CLAIM, mediator(), {"state": S.ACCEPTED, "level": Level.VILLAGE}, True),
    (Action.CLAIM, grid(), {"state": S.ACCEPTED, "level": Level.VILLAGE}, False),
    (Action.CLAIM, OFFICER, {"state": S.ACCEPTED, "level": Level.TOWNSHIP}, True),
    (Action.CLAIM, POLICE, {"state": S.ACCEPTED, **JOINT}, True),
    (Action.CLAIM, JUSTICE, {"state": S.ACCEPTED, **JOINT}, False),
    (Action.CLAIM, OFFICER, {"state": S.ACCEPTED, **JOINT}, False),
    # assign: the village's mediator and supervisors.
    (Action.ASSIGN, mediator(), {"state": S.ACCEPTED}, True),
    (Action.ASSIGN, mediator("V02"), {"state": S.ACCEPTED}, False),
    (Action.ASSIGN, grid(), {"state": S.ACCEPTED}, False),
    (Action.ASSIGN, OFFICER, {"state": S.ACCEPTED}, True),
    # escalate and reply: the holder, or the level's staff while nobody holds it.
    (Action.ESCALATE, grid(7), {"state": S.IN_PROGRESS, "assignee_id": 7}, True),
    (Action.ESCALATE, grid(8), {"state": S.IN_PROGRESS, "assignee_id": 7}, False),
    (Action.ESCALATE, grid(8), {"state": S.ACCEPTED}, True),
    (Action.ESCALATE, OFFICER, {"state": S.IN_PROGRESS, "assignee_id": 7}, True),
    (Action.REPLY, mediator(), {"state": S.IN_PROGRESS, "assignee_id": 7}, False),
    (Action.REPLY, POLICE, {"state": S.ACCEPTED, **JOINT}, True),
    (Action.REQUEST_FEEDBACK, grid(7), {"state": S.ANSWERED, "assignee_id": 7}, True),
    (Action.REQUEST_FEEDBACK, VILLAGER, {"state": S.ANSWERED, "assignee_id": 7}, False),
    # deescalate: supervisors; the village mediator from village mediation.
    (Action.DEESCALATE, mediator(), {"state": S.IN_PROGRESS, "level": Level.VILLAGE}, True),
    (Action.DEESCALATE, mediator(), {"state": S.IN_PROGRESS, "level": Level.TOWNSHIP}, False),
    (Action.DEESCALATE, OFFICER, {"state": S.IN_PROGRESS, **JOINT}, True),
    # feedback: the villager, whoever filed, the holder, supervisors.
    (Action.RECORD_FEEDBACK, VILLAGER, {"state": S.AWAITING_FEEDBACK}, True),
    (Action.RECORD_FEEDBACK, LIAISON, {"state": S.AWAITING_FEEDBACK, "filed_by_id": 11}, True),
    (Action.RECORD_FEEDBACK, STRANGER, {"state": S.AWAITING_FEEDBACK}, False),
    (Action.RECORD_FEEDBACK, mediator(), {"state": S.AWAITING_FEEDBACK}, False),
    (Action.RECORD_FEEDBACK, grid(7), {"state": S.AWAITING_FEEDBACK, "assignee_id": 7}, True),
    # notes: staff only.
    (Action.NOTE, JUSTICE, {"state": S.IN_PROGRESS, **JOINT}, True),
    (Action.NOTE, VILLAGER, {}, False),
]


@pytest.mark.parametrize(("action", "actor", "fields", "allowed"), CASES)
def test_roles(action: Action, actor: UserView, fields: dict[str, object], allowed: bool) -> None:
    ticket = ticket_view(**fields)

    if allowed:
        check(action, actor, ticket)
        return
    with pytest.raises(IntakeError) as refused:
        check(action, actor, ticket)
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert actor.role.label in refused.value.message
    assert f"可以{action.label}" in refused.value.message


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VILLAGER, {Source.VILLAGER}),
        (Role.LIAISON, {Source.VILLAGER, Source.LIAISON}),
        (Role.GRID_WORKER, {Source.VILLAGER, *OFFLINE_SOURCES}),
        (Role.VILLAGE_MEDIATOR, {Source.VILLAGER, *OFFLINE_SOURCES}),
        (Role.TOWNSHIP_OFFICER, {Source.VILLAGER, *OFFLINE_SOURCES}),
        (Role.DEPARTMENT, {Source.VILLAGER}),
        (Role.ADMIN, set(Source)),
    ],
)
def test_who_may_file_from_which_source(role: Role, allowed: set[Source]) -> None:
    for source in Source:
        if source in allowed:
            check_filing(user_view(role), source)
        else:
            with pytest.raises(IntakeError) as refused:
                check_filing(user_view(role), source)
            assert refused.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize(
    ("level", "target", "up", "actor", "code"),
    [
        (Level.GRID, Level.VILLAGE, True, grid(), None),
        (Level.GRID, Level.TOWNSHIP, True, grid(), None),
        (Level.VILLAGE, Level.GRID, True, grid(), ErrorCode.INVALID_INPUT),
        (Level.VILLAGE, Level.VILLAGE, True, OFFICER, ErrorCode.INVALID_INPUT),
        (Level.TOWNSHIP, Level.VILLAGE, False, OFFICER, None),
        (Level.TOWNSHIP, Level.DEPARTMENT, False, OFFICER, ErrorCode.INVALID_INPUT),
        (Level.TOWNSHIP, Level.DEPARTMENT, True, OFFICER, None),
        (Level.VILLAGE, Level.DEPARTMENT, True, mediator(), ErrorCode.FORBIDDEN),
    ],
)
def test_level_changes_go_the_stated_way(
    level: Level, target: Level, up: bool, actor: UserView, code: ErrorCode | None
) -> None:
    ticket = ticket_view(level=level, state=S.IN_PROGRESS)

    if code is None:
        check_level_change(actor, ticket, target, up=up)
        return
    with pytest.raises(IntakeError) as refused:
        check_level_change(actor, ticket, target, up=up)
    assert refused.value.code is code
