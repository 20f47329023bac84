"""When each step of a ticket is due.

Two ways of counting days, chosen per period in ``intake.yaml``:

* **calendar** days, used by default for the statutory periods (受理 15 days, 办理 60 days, 延期
  at most 30 days, 回访 7 days). They are counted the way Chinese law counts a period of 日
  (民法典 arts. 201 and 203): the day the clock starts is not counted, and a period whose last day
  is a rest day (weekend or public holiday) ends on the next working day instead.
* **working** days, used by default for the internal per-level targets (grid 3, village 7,
  township 15, joint handling 30): Monday to Friday, minus the configured public holidays, plus
  the configured make-up working days (调休上班). The start day is not counted.

Dates are those of the township (Asia/Shanghai). A ticket is due by the end of its due date, so
the stored deadline is the first instant of the following local day, in UTC; it is overdue from
that instant on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from intake.config import DayCount, DayUnit, IntakeConfig
from intake.enums import DeadlineKind, Level, TicketState
from intake.states import HANDLING_STATES
from intake.views import TicketView

_DAY = timedelta(days=1)


class WorkCalendar:
    """Which days the township works."""

    def __init__(self, holidays: Iterable[date], makeup_workdays: Iterable[date]) -> None:
        self._holidays = frozenset(holidays)
        self._makeup_workdays = frozenset(makeup_workdays)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self._makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def next_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += _DAY
        return day

    def add(self, start: date, period: DayCount) -> date:
        """The last day of ``period`` counted from ``start`` (which is not counted).

        Args:
            start: The day the clock starts.
            period: How many days, and whether calendar or working days.

        Returns:
            The due date.

        """
        if period.unit is DayUnit.CALENDAR:
            return self.next_workday(start + timedelta(days=period.days))
        day, remaining = start, period.days
        while remaining:
            day += _DAY
            if self.is_workday(day):
                remaining -= 1
        return day


class DeadlinePolicy:
    """Turns the configured periods into deadline instants for a ticket."""

    def __init__(self, config: IntakeConfig) -> None:
        self._rules = config.deadlines
        self._tz = config.tz
        self.calendar = WorkCalendar(config.holidays, config.makeup_workdays)

    def acceptance_due(self, received_at: datetime) -> datetime:
        """When the decision to accept or reject a ticket received at ``received_at`` is due."""
        return self._due(received_at, self._rules.acceptance)

    def handling_due(self, accepted_at: datetime, extension_days: int) -> datetime:
        """When the answer is due, counting an approved extension in the same unit."""
        handling = self._rules.handling
        period = DayCount(days=handling.days + extension_days, unit=handling.unit)
        return self._due(accepted_at, period)

    def level_due(self, entered_at: datetime, level: Level) -> datetime:
        """The internal target for a ticket that reached ``level`` at ``entered_at``."""
        return self._due(entered_at, self._rules.level_targets[level])

    def feedback_due(self, requested_at: datetime) -> datetime:
        """When an unanswered 回访 closes the ticket as 未评价."""
        return self._due(requested_at, self._rules.feedback)

    def local_date(self, moment: datetime) -> date:
        """The township's calendar date at ``moment``."""
        return moment.astimezone(self._tz).date()

    def due_date(self, deadline: datetime) -> date:
        """The last day allowed by a stored deadline instant."""
        return self.local_date(deadline - timedelta(microseconds=1))

    def _due(self, start: datetime, period: DayCount) -> datetime:
        last_day = self.calendar.add(self.local_date(start), period)
        return datetime.combine(last_day + _DAY, time(), self._tz).astimezone(UTC)


def open_deadlines(ticket: TicketView) -> tuple[tuple[DeadlineKind, datetime], ...]:
    """The deadlines still running on ``ticket``.

    A ticket awaiting the acceptance decision runs the acceptance clock; one being handled runs
    the handling clock and its level's target. A returned ticket is back in triage: if it had
    been accepted, only the handling clock runs on (bouncing a ticket does not restart it).
    Answered, closed and rejected tickets run none.
    """
    if ticket.state is TicketState.NEW or (
        ticket.state is TicketState.RETURNED and ticket.accepted_at is None
    ):
        return ((DeadlineKind.ACCEPTANCE, ticket.accept_due_at),)
    if ticket.state is TicketState.RETURNED:
        running = [(DeadlineKind.HANDLING, ticket.handle_due_at)]
    elif ticket.state in HANDLING_STATES:
        running = [
            (DeadlineKind.HANDLING, ticket.handle_due_at),
            (DeadlineKind.LEVEL, ticket.level_due_at),
        ]
    else:
        running = []
    return tuple((kind, due) for kind, due in running if due is not None)
