"""The catalogue of ticket actions, the named state sets, and 回访 recorded by phone."""

from __future__ import annotations

from datetime import date

import pytest

from intake import EventType, IntakeError, IntakeService, Level, Rating, Role, TicketState
from intake.actions import BY_CODE, CATALOGUE, Input, available, offered
from intake.reporting import Ratio
from intake.rules import FROM_STATES, Action, who_may
from intake.states import (
    CLOSED_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    TRIAGE_STATES,
    WAITING_ON_VILLAGER_STATES,
    WORKING_STATES,
)
from intake.texts import PHONE_FEEDBACK_NOTE
from tests.intake.conftest import People, accepted, ticket_view, user_view


def test_the_catalogue_holds_every_action_once_with_its_rule() -> None:
    assert len(CATALOGUE) == len(Action)
    assert {entry.action for entry in CATALOGUE} == set(Action)
    assert set(BY_CODE) == {action.value for action in Action}
    for entry in CATALOGUE:
        assert entry.states == FROM_STATES[entry.action]
        assert entry.who == who_may(entry.action)
        assert entry.label == entry.action.label
    assert BY_CODE["extend"].inputs == (Input.DAYS, Input.REASON)
    assert BY_CODE["record_feedback"].inputs == (Input.RATING, Input.REASON)
    assert Input.CO_UNITS in BY_CODE["escalate"].inputs


def test_the_named_state_sets_split_every_state_one_way() -> None:
    assert TRIAGE_STATES | HANDLING_STATES == WORKING_STATES
    assert not TRIAGE_STATES & HANDLING_STATES
    assert frozenset(TicketState) == OPEN_STATES | CLOSED_STATES
    assert not OPEN_STATES & CLOSED_STATES
    # Answered and awaiting 回访: open, but no longer being worked on.
    assert WAITING_ON_VILLAGER_STATES <= OPEN_STATES - WORKING_STATES
    assert TicketState.ANSWERED in OPEN_STATES - WORKING_STATES - WAITING_ON_VILLAGER_STATES


def test_a_tickets_shape_rules_out_some_actions_whoever_asks() -> None:
    codes = {entry.code for entry in offered(ticket_view(state=TicketState.IN_PROGRESS))}
    assert {"extend", "escalate", "claim", "return", "note"} <= codes
    assert "deescalate" not in codes  # already at 网格

    extended = ticket_view(state=TicketState.ACCEPTED, extension_days=10)
    held = ticket_view(state=TicketState.IN_PROGRESS, assignee_id=7, level=Level.DEPARTMENT)
    assert "extend" not in {entry.code for entry in offered(extended)}
    assert {"claim", "escalate"}.isdisjoint({entry.code for entry in offered(held)})
    assert "deescalate" in {entry.code for entry in offered(held)}
    assert {entry.code for entry in offered(ticket_view(state=TicketState.CLOSED))} == {"note"}


def test_what_a_person_may_take_follows_the_rules() -> None:
    ticket = ticket_view(state=TicketState.IN_PROGRESS)
    grid = user_view(Role.GRID_WORKER, grid_code="G01")
    officer = user_view(Role.TOWNSHIP_OFFICER)
    grid_may = {entry.code for entry in available(grid, ticket)}
    officer_may = {entry.code for entry in available(officer, ticket)}
    assert {"claim", "reply", "escalate", "return", "note"} <= grid_may
    assert {"extend", "deescalate", "assign"}.isdisjoint(grid_may)
    assert {"extend", "assign", "return"} <= officer_may
    awaiting = ticket_view(state=TicketState.AWAITING_FEEDBACK, assignee_id=grid.id)
    assert "record_feedback" in {entry.code for entry in available(grid, awaiting)}
    other = user_view(Role.GRID_WORKER, user_id=51, grid_code="G01")
    assert "record_feedback" not in {entry.code for entry in available(other, awaiting)}


async def awaiting_feedback(service: IntakeService, people: People) -> str:
    number = await accepted(service, people)
    await service.reply(people.grid, number, "已协调好。")
    await service.request_feedback(people.grid, number)
    return number


async def test_a_phone_rating_closes_like_the_villagers_own_with_the_recorder_noted(
    service: IntakeService, people: People
) -> None:
    number = await awaiting_feedback(service, people)

    outcome = await service.record_feedback(
        people.officer, number, Rating.BASICALLY_SATISFIED, by_phone=True
    )

    assert outcome.ticket.state is TicketState.CLOSED
    assert outcome.ticket.rating is Rating.BASICALLY_SATISFIED
    recorded, closed = outcome.events
    assert recorded.type is EventType.FEEDBACK_RECORDED
    assert recorded.actor_id == people.officer
    assert recorded.text == PHONE_FEEDBACK_NOTE
    assert closed.type is EventType.CLOSED and closed.rating is Rating.BASICALLY_SATISFIED
    # It counts in the figures as a rating given in the chat would.
    report = await service.report(date(2026, 3, 1), date(2026, 3, 31))
    assert report.total.satisfaction_rate == Ratio(1, 1)


async def test_a_dissatisfied_phone_rating_reopens_the_ticket(
    service: IntakeService, people: People
) -> None:
    number = await awaiting_feedback(service, people)
    with pytest.raises(IntakeError, match="不满意的原因不能为空"):
        await service.record_feedback(people.grid, number, Rating.DISSATISFIED, by_phone=True)

    outcome = await service.record_feedback(
        people.grid, number, Rating.DISSATISFIED, reason="路还是没让出来", by_phone=True
    )

    assert outcome.ticket.state is TicketState.IN_PROGRESS
    assert [event.type for event in outcome.events] == [
        EventType.FEEDBACK_RECORDED,
        EventType.REOPENED,
    ]
    assert outcome.events[0].text == f"{PHONE_FEEDBACK_NOTE}：路还是没让出来"
    assert outcome.events[0].actor_id == people.grid


async def test_only_staff_record_a_phone_rating(service: IntakeService, people: People) -> None:
    number = await awaiting_feedback(service, people)
    with pytest.raises(IntakeError, match="只有工作人员可以记录电话回访"):
        await service.record_feedback(people.villager, number, Rating.SATISFIED, by_phone=True)
    with pytest.raises(IntakeError, match=r"不能对工单 .* 记录回访评价"):
        await service.record_feedback(people.mediator, number, Rating.SATISFIED, by_phone=True)
    ticket = await service.get_ticket(people.admin, number)
    assert ticket.state is TicketState.AWAITING_FEEDBACK
