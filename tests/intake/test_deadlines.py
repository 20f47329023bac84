from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake import DeadlineKind, IntakeConfig, Level, TicketState
from intake.config import DayCount, DayUnit
from intake.deadlines import DeadlinePolicy, WorkCalendar, open_deadlines
from tests.intake.conftest import local, ticket_view

CALENDAR = WorkCalendar(
    holidays={date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5)},
    makeup_workdays={date(2026, 10, 10)},
)


def working(days: int) -> DayCount:
    return DayCount(days=days, unit=DayUnit.WORKING)


def calendar(days: int) -> DayCount:
    return DayCount(days=days, unit=DayUnit.CALENDAR)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 30), True),  # Wednesday
        (date(2026, 10, 1), False),  # holiday
        (date(2026, 10, 3), False),  # Saturday
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 12), True),  # Monday
    ],
)
def test_working_days_are_weekdays_minus_holidays_plus_makeup_days(
    day: date, expected: bool
) -> None:
    assert CALENDAR.is_workday(day) is expected


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2026, 9, 25), working(1), date(2026, 9, 28)),  # Friday → Monday
        (date(2026, 9, 29), working(3), date(2026, 10, 7)),  # skips the holidays and weekend
        (date(2026, 10, 9), working(1), date(2026, 10, 10)),  # the make-up Saturday counts
        (date(2026, 9, 1), calendar(15), date(2026, 9, 16)),  # a plain calendar period
        (date(2026, 9, 2), calendar(10), date(2026, 9, 14)),  # ends Saturday → Monday
        (date(2026, 9, 16), calendar(15), date(2026, 10, 6)),  # ends on a holiday → next workday
    ],
)
def test_periods_do_not_count_the_start_day(start: date, period: DayCount, expected: date) -> None:
    assert CALENDAR.add(start, period) == expected


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(1, 40))
def test_a_working_period_ends_after_exactly_that_many_working_days(start: date, days: int) -> None:
    end = CALENDAR.add(start, working(days))

    counted = [start + timedelta(n) for n in range(1, (end - start).days + 1)]
    assert CALENDAR.is_workday(end)
    assert sum(CALENDAR.is_workday(day) for day in counted) == days


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(1, 90))
def test_a_calendar_period_ending_on_a_rest_day_moves_to_the_next_working_day(
    start: date, days: int
) -> None:
    end = CALENDAR.add(start, calendar(days))

    plain_end = start + timedelta(days)
    assert CALENDAR.is_workday(end)
    assert end >= plain_end
    assert not any(
        CALENDAR.is_workday(plain_end + timedelta(n)) for n in range((end - plain_end).days)
    )


def test_deadlines_are_the_end_of_the_township_due_date(config: IntakeConfig) -> None:
    policy = DeadlinePolicy(config)
    # 00:30 in the township is still the previous day in UTC; the township date counts.
    received = local(2026, 3, 2, 0, 30)
    assert received.astimezone(UTC).date() == date(2026, 3, 1)

    due = policy.acceptance_due(received)

    assert due == local(2026, 3, 18, 0)
    assert due.tzinfo is UTC
    assert policy.due_date(due) == date(2026, 3, 17)


def test_the_packaged_holidays_shape_the_deadlines(config: IntakeConfig) -> None:
    policy = DeadlinePolicy(config)
    before_spring_festival = local(2026, 2, 12)  # Thursday

    assert policy.level_due(before_spring_festival, Level.GRID) == local(2026, 2, 25, 0)
    # The make-up Saturdays 14 and 28 February count as working days.
    assert policy.level_due(before_spring_festival, Level.VILLAGE) == local(2026, 3, 1, 0)
    # 15 calendar days is Friday 27 February, a working day.
    assert policy.acceptance_due(before_spring_festival) == local(2026, 2, 28, 0)
    assert policy.handling_due(local(2026, 3, 2), 0) == local(2026, 5, 7, 0)
    assert policy.handling_due(local(2026, 3, 2), 30) == local(2026, 6, 2, 0)
    assert policy.feedback_due(local(2026, 9, 24)) == local(2026, 10, 9, 0)


def test_running_deadlines_depend_on_the_state() -> None:
    base = {
        "accept_due_at": datetime(2026, 3, 17, 16, tzinfo=UTC),
        "handle_due_at": datetime(2026, 5, 6, 16, tzinfo=UTC),
        "level_due_at": datetime(2026, 3, 5, 16, tzinfo=UTC),
    }

    def running(state: TicketState, **fields: object) -> list[DeadlineKind]:
        ticket = ticket_view(state=state, **{**base, **fields})
        return [kind for kind, _ in open_deadlines(ticket)]

    new = running(TicketState.NEW, handle_due_at=None, level_due_at=None)
    assert new == [DeadlineKind.ACCEPTANCE]
    accepted = datetime(2026, 3, 2, tzinfo=UTC)
    for state in (TicketState.ACCEPTED, TicketState.IN_PROGRESS, TicketState.EXTENDED):
        assert running(state, accepted_at=accepted) == [DeadlineKind.HANDLING, DeadlineKind.LEVEL]
    assert running(TicketState.RETURNED, accepted_at=None) == [DeadlineKind.ACCEPTANCE]
    assert running(TicketState.RETURNED, accepted_at=accepted) == [DeadlineKind.HANDLING]
    for state in (
        TicketState.ANSWERED,
        TicketState.AWAITING_FEEDBACK,
        TicketState.CLOSED,
        TicketState.REJECTED,
    ):
        assert running(state, accepted_at=accepted) == []
