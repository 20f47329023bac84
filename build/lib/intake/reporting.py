"""The township's yearly figures, for any period, broken down by month, village, category, level.

Every figure is computed over one cohort: the tickets **accepted** (受理) during the period, that
is whose ``accepted_at`` falls on a township date from ``start`` to ``end`` inclusive. What
happened to them is counted as of the end of the period (the *cut-off*, the first instant after
``end``), so a past period's report does not change as later work is done:

受理件数 (accepted)
    The tickets in the cohort.
办结件数 (closed)
    Cohort tickets closed (已办结, with any rating or 未评价) before the cut-off.
办结率 (closure_rate)
    办结件数 / 受理件数.
按期办结件数, 按期办结率 (closed_on_time, on_time_rate)
    Closed tickets whose last answer (答复) came by their handling deadline, including an
    approved extension; the rate is 按期办结件数 / 办结件数.
矛盾纠纷排查数 (disputes_found)
    Cohort tickets of kind 矛盾纠纷.
化解数, 化解率 (disputes_resolved, resolution_rate)
    Those disputes closed before the cut-off; the rate is 化解数 / 矛盾纠纷排查数. (A dispute rated
    不满意 is reopened, never closed, so it counts as resolved only once it is closed again.)
平均办理天数 (average_days)
    Over closed tickets, the mean number of days from acceptance to the last answer, counted as
    township calendar dates (accepted on 3 March and answered on 5 March is 2 days).
超过30天件数 (over_30_days)
    Cohort tickets whose handling took more than 30 days: answered more than 30 days after
    acceptance, or still unanswered at the cut-off with more than 30 days between acceptance
    and ``end``.
满意率 (satisfaction_rate)
    Of the 回访 ratings given before the cut-off on cohort tickets, the share that were 满意 or
    基本满意. Every rating counts (a ticket rated 不满意 and later 满意 counts both); 未评价 is no
    rating and is left out.

A rate whose denominator is zero is shown as "—". Breakdowns: by the month of acceptance (every
month of the period), by village and by category (every configured one, then any others found),
and by the ticket's current level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from intake.enums import LEVELS, Level, Rating, TicketKind

OVER_DAYS = 30
_SATISFIED = frozenset({Rating.SATISFIED, Rating.BASICALLY_SATISFIED})


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
class ReportTicket:
    """What the report needs to know about one accepted ticket.

    ``answers`` and ``ratings`` come from the ticket's history, so that work done after a
    period does not change that period's figures.
    """

    kind: TicketKind
    category: str
    village_code: str
    level: Level
    accepted_at: datetime
    answers: tuple[datetime, ...]
    closed_at: datetime | None
    handle_due_at: datetime | None
    ratings: tuple[tuple[datetime, Rating], ...]


@dataclass(frozen=True)
class Figures:
    """The township's figures for one cohort (see the module docstring for each definition)."""

    accepted: int
    closed: int
    closure_rate: Ratio
    closed_on_time: int
    on_time_rate: Ratio
    disputes_found: int
    disputes_resolved: int
    resolution_rate: Ratio
    average_days: Ratio
    over_30_days: int
    satisfaction_rate: Ratio

    def cells(self) -> tuple[str, ...]:
        """The figures as text, in the order of :data:`FIGURE_LABELS`."""
        return (
            str(self.accepted),
            str(self.closed),
            self.closure_rate.percent(),
            self.on_time_rate.percent(),
            str(self.disputes_found),
            str(self.disputes_resolved),
            self.resolution_rate.percent(),
            self.average_days.decimal(),
            str(self.over_30_days),
            self.satisfaction_rate.percent(),
        )


FIGURE_LABELS = (
    "受理件数",
    "办结件数",
    "办结率",
    "按期办结率",
    "矛盾纠纷排查数",
    "化解数",
    "化解率",
    "平均办理天数",
    "超过30天件数",
    "满意率",
)


@dataclass(frozen=True)
class ReportRow:
    """One line of a breakdown."""

    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    """The figures for a period, overall and broken down."""

    start: date
    end: date
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


def compute_report(
    tickets: Sequence[ReportTicket],
    *,
    start: date,
    end: date,
    tz: ZoneInfo,
    labels: ReportLabels,
) -> Report:
    """Compute the figures for tickets accepted from ``start`` to ``end`` (township dates).

    Args:
        tickets: Candidate tickets; those accepted outside the period are ignored.
        start: First day of the period.
        end: Last day of the period.
        tz: The township's time zone.
        labels: Villages and categories to list, in order.

    Returns:
        The report.

    """
    cutoff = datetime.combine(end + timedelta(days=1), time(), tz)
    cohort = [t for t in tickets if start <= t.accepted_at.astimezone(tz).date() <= end]

    def figures(group: Sequence[ReportTicket]) -> Figures:
        return _figures(group, cutoff=cutoff, end=end, tz=tz)

    def breakdown(
        key: Callable[[ReportTicket], str], ordered: Sequence[tuple[str, str]]
    ) -> tuple[ReportRow, ...]:
        known = dict(ordered)
        extra = sorted({key(t) for t in cohort} - known.keys())
        return tuple(
            ReportRow(code, known.get(code, code), figures([t for t in cohort if key(t) == code]))
            for code in [*known, *extra]
        )

    months = [(month, month) for month in _months(start, end)]
    return Report(
        start=start,
        end=end,
        total=figures(cohort),
        by_month=breakdown(lambda t: t.accepted_at.astimezone(tz).strftime("%Y-%m"), months),
        by_village=breakdown(lambda t: t.village_code, labels.villages),
        by_category=breakdown(lambda t: t.category, [(c, c) for c in labels.categories]),
        by_level=breakdown(lambda t: t.level.value, [(lv.value, lv.label) for lv in LEVELS]),
    )


def _figures(
    cohort: Sequence[ReportTicket], *, cutoff: datetime, end: date, tz: ZoneInfo
) -> Figures:
    def closed(ticket: ReportTicket) -> bool:
        return ticket.closed_at is not None and ticket.closed_at < cutoff

    def last_answer(ticket: ReportTicket) -> datetime | None:
        return max((at for at in ticket.answers if at < cutoff), default=None)

    def handling_days(ticket: ReportTicket) -> int:
        answered = last_answer(ticket)
        last = answered.astimezone(tz).date() if answered is not None else end
        return (last - ticket.accepted_at.astimezone(tz).date()).days

    def answered_on_time(ticket: ReportTicket) -> bool:
        answered = last_answer(ticket)
        due = ticket.handle_due_at
        return answered is not None and due is not None and answered <= due

    done = [t for t in cohort if closed(t)]
    on_time = [t for t in done if answered_on_time(t)]
    disputes = [t for t in cohort if t.kind is TicketKind.DISPUTE]
    resolved = [t for t in disputes if closed(t)]
    ratings = [
        rating
        for t in cohort
        for at, rating in t.ratings
        if at < cutoff and rating is not Rating.UNRATED
    ]
    return Figures(
        accepted=len(cohort),
        closed=len(done),
        closure_rate=Ratio(len(done), len(cohort)),
        closed_on_time=len(on_time),
        on_time_rate=Ratio(len(on_time), len(done)),
        disputes_found=len(disputes),
        disputes_resolved=len(resolved),
        resolution_rate=Ratio(len(resolved), len(disputes)),
        average_days=Ratio(sum(handling_days(t) for t in done), len(done)),
        over_30_days=sum(1 for t in cohort if handling_days(t) > OVER_DAYS),
        satisfaction_rate=Ratio(sum(1 for r in ratings if r in _SATISFIED), len(ratings)),
    )


def _months(start: date, end: date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
