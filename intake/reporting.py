"""The township's figures for any period, broken down by month, village, category and level.

A report is asked for a period (``start`` to ``end``, township dates) and is counted *as of* the
end of its last day, the **cut-off**; a period ending after today ends today. What happened after
the cut-off never changes the figures, so a past period's report stays as it was printed.

Two cohorts are counted. The tickets **received** (提交或登记) in the period give the intake
figures (收件数, 不予受理件数, 未受理件数, 超期件数); the tickets **accepted** (受理) in the period
give the handling figures (everything else). Each figure's definition is in
:data:`~intake.texts.FIGURE_DEFINITIONS`, the text printed under it on the console, in
``mingbai report`` and in the Excel export; :mod:`intake.report_query` counts them in the
database.

A rate whose denominator is zero is shown as "—". Breakdowns: by month (every month of the
period; intake figures by the month received, handling figures by the month accepted), by village
and by category (every configured one, then any others found), and by the ticket's current level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from intake import texts
from intake.enums import LEVELS

OVER_DAYS = 30


@dataclass(frozen=True)
class Ratio:
    """An exact quotient, kept as its two counts so tests and tables agree."""

    numerator: int
    denominator: int

    def percent(self) -> str:
        """As a percentage with one decimal ("96.2%"), or "—" when undefined."""
        return self._format(100, "%")

    def decimal(self) -> str:
        """As a number with one decimal ("12.5"), or "—" when undefined."""
        return self._format(1, "")

    def _format(self, scale: int, suffix: str) -> str:
        if self.denominator == 0:
            return "—"
        value = Decimal(self.numerator * scale) / Decimal(self.denominator)
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}{suffix}"


@dataclass(frozen=True)
class Counts:
    """The additive counts behind the figures of one group of tickets.

    The first four count the received cohort, the others the accepted cohort; ``closed_days``
    is the sum of the handling days of the closed tickets.
    """

    received: int = 0
    rejected: int = 0
    not_accepted: int = 0
    overdue: int = 0
    accepted: int = 0
    closed: int = 0
    closed_on_time: int = 0
    closed_days: int = 0
    over_30_days: int = 0
    disputes_found: int = 0
    disputes_resolved: int = 0
    satisfied_ratings: int = 0
    ratings: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


RECEIVED_COUNTS = ("received", "rejected", "not_accepted", "overdue")
ACCEPTED_COUNTS = tuple(f.name for f in fields(Counts) if f.name not in RECEIVED_COUNTS)


@dataclass(frozen=True)
class Figures:
    """The township's figures for one group (see :data:`~intake.texts.FIGURE_DEFINITIONS`)."""

    received: int
    rejected: int
    not_accepted: int
    accepted: int
    closed: int
    closure_rate: Ratio
    closed_on_time: int
    on_time_rate: Ratio
    overdue: int
    over_30_days: int
    average_days: Ratio
    disputes_found: int
    disputes_resolved: int
    resolution_rate: Ratio
    satisfaction_rate: Ratio

    @classmethod
    def of(cls, counts: Counts) -> Figures:
        """The figures of a group from its counts."""
        return cls(
            received=counts.received,
            rejected=counts.rejected,
            not_accepted=counts.not_accepted,
            accepted=counts.accepted,
            closed=counts.closed,
            closure_rate=Ratio(counts.closed, counts.accepted),
            closed_on_time=counts.closed_on_time,
            on_time_rate=Ratio(counts.closed_on_time, counts.closed),
            overdue=counts.overdue,
            over_30_days=counts.over_30_days,
            average_days=Ratio(counts.closed_days, counts.closed),
            disputes_found=counts.disputes_found,
            disputes_resolved=counts.disputes_resolved,
            resolution_rate=Ratio(counts.disputes_resolved, counts.disputes_found),
            satisfaction_rate=Ratio(counts.satisfied_ratings, counts.ratings),
        )

    def values(self) -> tuple[int | Ratio, ...]:
        """The figures in the order of :data:`FIGURE_LABELS`."""
        return (
            self.received,
            self.rejected,
            self.not_accepted,
            self.accepted,
            self.closed,
            self.closure_rate,
            self.on_time_rate,
            self.overdue,
            self.over_30_days,
            self.average_days,
            self.disputes_found,
            self.disputes_resolved,
            self.resolution_rate,
            self.satisfaction_rate,
        )

    def cells(self) -> tuple[str, ...]:
        """The figures as text, in the order of :data:`FIGURE_LABELS`."""
        return tuple(
            _text(value, days=label == texts.AVERAGE_DAYS)
            for label, value in zip(FIGURE_LABELS, self.values(), strict=True)
        )


def _text(value: int | Ratio, *, days: bool) -> str:
    if isinstance(value, int):
        return str(value)
    return value.decimal() if days else value.percent()


FIGURE_LABELS = tuple(label for label, _definition in texts.FIGURE_DEFINITIONS)


@dataclass(frozen=True)
class ReportRow:
    """One line of a breakdown."""

    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    """The figures for a period, overall and broken down.

    ``as_of`` is the last day counted: ``end``, or today for a period not over yet.
    """

    start: date
    end: date
    as_of: date
    total: Figures
    by_month: tuple[ReportRow, ...]
    by_village: tuple[ReportRow, ...]
    by_category: tuple[ReportRow, ...]
    by_level: tuple[ReportRow, ...]


@dataclass(frozen=True)
class ReportLabels:
    """The configured villages (code → name) and categories, in display order."""

    villages: tuple[tuple[str, str], ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class GroupCounts:
    """The counts of each group of every breakdown, as the database returned them.

    Keys are months (``YYYY-MM``), village codes, categories and level codes; a group with no
    tickets may be missing.
    """

    total: Counts
    by_month: Mapping[str, Counts]
    by_village: Mapping[str, Counts]
    by_category: Mapping[str, Counts]
    by_level: Mapping[str, Counts]


def build_report(
    counts: GroupCounts, *, start: date, end: date, as_of: date, labels: ReportLabels
) -> Report:
    """Turn the counted groups into the report, listing every configured group in order.

    Args:
        counts: What :mod:`intake.report_query` counted.
        start: First day of the period.
        end: Last day of the period, as asked.
        as_of: The last day counted.
        labels: Villages and categories to list, in order.

    Returns:
        The report.

    """

    def breakdown(
        groups: Mapping[str, Counts], ordered: Iterable[tuple[str, str]]
    ) -> tuple[ReportRow, ...]:
        known = dict(ordered)
        extra = sorted(groups.keys() - known.keys())
        return tuple(
            ReportRow(key, known.get(key, key), Figures.of(groups.get(key, Counts())))
            for key in [*known, *extra]
        )

    return Report(
        start=start,
        end=end,
        as_of=as_of,
        total=Figures.of(counts.total),
        by_month=breakdown(counts.by_month, [(m, m) for m in months(start, end)]),
        by_village=breakdown(counts.by_village, labels.villages),
        by_category=breakdown(counts.by_category, [(c, c) for c in labels.categories]),
        by_level=breakdown(counts.by_level, [(lv.value, lv.label) for lv in LEVELS]),
    )


def months(start: date, end: date) -> list[str]:
    """Every month from ``start`` to ``end``, as ``YYYY-MM``."""
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
