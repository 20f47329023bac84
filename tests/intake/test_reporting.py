from __future__ import annotations

from datetime import date, datetime

import pytest

from intake import Figures, IntakeError, IntakeService, Level, Rating, Ratio, TicketKind
from intake.reporting import FIGURE_LABELS
from intake.texts import FIGURE_DEFINITIONS
from tests.intake.conftest import FakeClock, People, file, local


@pytest.mark.parametrize(
    ("ratio", "percent", "decimal"),
    [
        (Ratio(2, 3), "66.7%", "0.7"),
        (Ratio(1, 8), "12.5%", "0.1"),
        (Ratio(1, 16), "6.3%", "0.1"),
        (Ratio(147, 4), "3675.0%", "36.8"),
        (Ratio(0, 5), "0.0%", "0.0"),
        (Ratio(0, 0), "—", "—"),
    ],
)
def test_ratios_round_half_up_and_show_a_dash_when_undefined(
    ratio: Ratio, percent: str, decimal: str
) -> None:
    assert (ratio.percent(), ratio.decimal()) == (percent, decimal)


def figures(
    *,
    received: int = 0,
    rejected: int = 0,
    not_accepted: int = 0,
    overdue: int = 0,
    accepted: int = 0,
    closed: int = 0,
    on_time: int = 0,
    days: int = 0,
    over_30: int = 0,
    disputes: int = 0,
    resolved: int = 0,
    satisfied: int = 0,
    ratings: int = 0,
) -> Figures:
    return Figures(
        received=received,
        rejected=rejected,
        not_accepted=not_accepted,
        accepted=accepted,
        closed=closed,
        closure_rate=Ratio(closed, accepted),
        closed_on_time=on_time,
        on_time_rate=Ratio(on_time, closed),
        overdue=overdue,
        over_30_days=over_30,
        average_days=Ratio(days, closed),
        disputes_found=disputes,
        disputes_resolved=resolved,
        resolution_rate=Ratio(resolved, disputes),
        satisfaction_rate=Ratio(satisfied, ratings),
    )


NOTHING = figures()


class Year:
    """A year of tickets with known outcomes, filed and handled through the service.

    ===  ====================  ==========  ========================================================
    T0   dispute, V01          2024-12-20  accepted before the period: not counted in 2025
    T1   dispute, V01, 相邻    2025-01-06  answered after 4 days, 满意
    T2   consultation, 婚姻    2025-01-15  answered after 1 day, 基本满意
    T3   dispute, V02, 土地    2025-02-10  to township; answered day 38, 不满意, answered again
                                           day 64 (late: due 2025-04-11), 满意
    T4   complaint, 消费       2025-03-03  extended 30 days; answered day 78 (on time); no
                                           feedback: closed 未评价
    T5   dispute, V02, 相邻    2025-06-10  still being handled at year end (204 days)
    T6   dispute, V01, 相邻    2025-12-31  accepted 23:30; answered and rated 满意 in 2026
    T7   request, 服务         2025-07-01  rejected, never accepted
    T8   dispute, V01, 相邻    2025-10-09  answered day 11, 不满意: open again at year end (83 days,
                                           past its handling deadline 2025-12-08)
    T10  consultation, V02     2025-12-01  received, never decided: past its acceptance deadline
                                           2025-12-16
    T9   dispute, V01          2026-01-01  accepted 00:10: after the period
    ===  ====================  ==========  ========================================================
    """

    def __init__(self, service: IntakeService, people: People, clock: FakeClock) -> None:
        self.service, self.people, self.clock = service, people, clock

    def at(self, moment: datetime) -> None:
        self.clock.now = moment

    async def build(self) -> None:
        s, p = self.service, self.people
        self.at(local(2024, 12, 20))
        t0 = await self.filed(p.villager)
        await s.accept(p.grid, t0)
        self.at(local(2024, 12, 30))
        await self.answer(p.grid, t0)
        self.at(local(2025, 1, 5))
        await s.record_feedback(p.villager, t0, Rating.SATISFIED)

        self.at(local(2025, 1, 6))
        t1 = await self.filed(p.villager)
        await s.accept(p.grid, t1)
        self.at(local(2025, 1, 10))
        await self.answer(p.grid, t1)
        self.at(local(2025, 1, 11))
        await s.record_feedback(p.villager, t1, Rating.SATISFIED)

        self.at(local(2025, 1, 15))
        t2 = await self.filed(p.villager, kind=TicketKind.CONSULTATION, category="婚姻")
        await s.accept(p.grid, t2)
        self.at(local(2025, 1, 16))
        await self.answer(p.grid, t2)
        await s.record_feedback(p.villager, t2, Rating.BASICALLY_SATISFIED)

        self.at(local(2025, 2, 10))
        t3 = await self.filed(p.outsider, village_code="V02", category="土地")
        await s.accept(p.other_grid, t3)
        self.at(local(2025, 2, 11))
        await s.escalate(p.other_grid, t3, reason="宅基地界址，需镇里研判", to_level=Level.TOWNSHIP)
        await s.claim(p.officer, t3)
        self.at(local(2025, 3, 20))
        await self.answer(p.officer, t3)
        self.at(local(2025, 3, 22))
        await s.record_feedback(p.outsider, t3, Rating.DISSATISFIED, reason="界址还是不对")
        self.at(local(2025, 4, 15))
        await self.answer(p.officer, t3)
        self.at(local(2025, 4, 16))
        await s.record_feedback(p.outsider, t3, Rating.SATISFIED)

        self.at(local(2025, 3, 3))
        t4 = await self.filed(p.villager, kind=TicketKind.COMPLAINT, category="消费")
        await s.accept(p.grid, t4)
        self.at(local(2025, 3, 4))
        await s.extend(p.officer, t4, days=30, reason="等待质检结果")
        await s.claim(p.grid, t4)
        self.at(local(2025, 5, 20))
        await self.answer(p.grid, t4)
        self.at(local(2025, 5, 28))
        assert len(await s.close_unrated()) == 1

        self.at(local(2025, 6, 10))
        t5 = await self.filed(p.outsider, village_code="V02")
        await s.accept(p.other_grid, t5)

        self.at(local(2025, 7, 1))
        t7 = await self.filed(p.villager, kind=TicketKind.REQUEST, category="服务")
        await s.reject(p.officer, t7, reason="属于法院管辖", route="向湟中区人民法院起诉")

        self.at(local(2025, 10, 9))
        t8 = await self.filed(p.villager)
        await s.accept(p.grid, t8)
        self.at(local(2025, 10, 20))
        await self.answer(p.grid, t8)
        self.at(local(2025, 10, 21))
        await s.record_feedback(p.villager, t8, Rating.DISSATISFIED, reason="对方还在占道")

        self.at(local(2025, 12, 1))
        await self.filed(
            p.outsider, village_code="V02", kind=TicketKind.CONSULTATION, category="婚姻"
        )

        self.at(local(2025, 12, 31, 23, 30))
        t6 = await self.filed(p.villager)
        await s.accept(p.grid, t6)
        self.at(local(2026, 1, 1, 0, 10))
        t9 = await self.filed(p.villager)
        await s.accept(p.grid, t9)
        self.at(local(2026, 1, 2))
        await self.answer(p.grid, t6)
        self.at(local(2026, 1, 3))
        await s.record_feedback(p.villager, t6, Rating.SATISFIED)

    async def filed(self, villager: int, **overrides: object) -> str:
        return (await file(self.service, villager, **overrides)).ticket.number

    async def answer(self, staff: int, number: str) -> None:
        await self.service.reply(staff, number, "答复")
        await self.service.request_feedback(staff, number)


@pytest.fixture
async def year(service: IntakeService, people: People, clock: FakeClock) -> Year:
    built = Year(service, people, clock)
    await built.build()
    return built


async def test_the_yearly_figures_are_exact(service: IntakeService, year: Year) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))

    # Received T1–T8 and T10; accepted T1–T6 and T8; T1–T4 closed, T3 answered late; disputes
    # T1, T3, T5, T6, T8 of which T1, T3 closed; days 4 + 1 + 64 + 78; over 30 days T3, T4, T5,
    # T8; past a statutory deadline T3, T5, T8, T10; ratings 满意, 基本满意, 不满意, 满意, 不满意.
    assert report.total == figures(
        received=9,
        rejected=1,
        not_accepted=1,
        overdue=4,
        accepted=7,
        closed=4,
        on_time=3,
        days=147,
        over_30=4,
        disputes=5,
        resolved=2,
        satisfied=3,
        ratings=5,
    )
    assert dict(zip(FIGURE_LABELS, report.total.cells(), strict=True)) == {
        "收件数": "9",
        "不予受理件数": "1",
        "未受理件数": "1",
        "受理件数": "7",
        "办结件数": "4",
        "办结率": "57.1%",
        "按期办结率": "75.0%",
        "超期件数": "4",
        "超过30天件数": "4",
        "平均办理天数": "36.8",
        "矛盾纠纷排查数": "5",
        "化解数": "2",
        "化解率": "40.0%",
        "满意率": "60.0%",
    }
    assert report.as_of == date(2025, 12, 31)


async def test_every_figure_has_a_definition() -> None:
    assert [label for label, _ in FIGURE_DEFINITIONS] == list(FIGURE_LABELS)
    assert len(FIGURE_LABELS) == len(figures().cells())
    assert all(definition.endswith("。") for _, definition in FIGURE_DEFINITIONS)


async def test_overdue_counts_missed_statutory_deadlines_not_30_days(
    service: IntakeService, year: Year
) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))
    months = {row.key: row.figures for row in report.by_month}

    # T3 answered after its deadline: both.
    assert (months["2025-02"].overdue, months["2025-02"].over_30_days) == (1, 1)
    # T4 took 78 days but was extended by 30 and answered in time: over 30 days, not overdue.
    assert (months["2025-03"].overdue, months["2025-03"].over_30_days) == (0, 1)
    # T10 was never decided on: its acceptance deadline passed on 2025-12-16.
    assert (months["2025-12"].overdue, months["2025-12"].over_30_days) == (1, 0)


async def test_overdue_is_counted_as_of_the_cut_off(service: IntakeService, year: Year) -> None:
    # T5's handling deadline (2025-08-11) had not passed by the end of July.
    july = await service.report(date(2025, 6, 1), date(2025, 7, 31))
    august = await service.report(date(2025, 6, 1), date(2025, 8, 31))

    assert july.total.overdue == 0
    assert august.total.overdue == 1


async def test_rejected_and_never_accepted_tickets_are_counted_where_received(
    service: IntakeService, year: Year
) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))
    months = {row.key: row.figures for row in report.by_month}

    assert months["2025-07"] == figures(received=1, rejected=1)
    assert months["2025-12"].received == 2
    assert months["2025-12"].not_accepted == 1
    # The never-accepted ticket is not yet a handling figure.
    assert months["2025-12"].accepted == 1


async def test_a_reopened_ticket_is_counted_to_the_period_end(
    service: IntakeService, year: Year
) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))
    october = {row.key: row.figures for row in report.by_month}["2025-10"]

    # Answered after 11 days, then rated 不满意: still open on 31 December, 83 days on.
    assert october == figures(
        received=1, overdue=1, accepted=1, over_30=1, disputes=1, satisfied=0, ratings=1
    )
    # Before the rating it was answered, after 11 days: not over 30.
    assert (await service.report(date(2025, 10, 1), date(2025, 10, 20))).total.over_30_days == 0


async def test_a_period_ending_in_the_future_ends_today(
    service: IntakeService, year: Year, clock: FakeClock
) -> None:
    this_year = await service.report(date(2026, 1, 1), date(2026, 12, 31))

    # T9, accepted on 1 January and unanswered, has waited 2 days, not the whole year.
    assert this_year.as_of == date(2026, 1, 3)
    assert this_year.end == date(2026, 12, 31)
    assert len(this_year.by_month) == 12
    assert this_year.total == figures(received=1, accepted=1, disputes=1)

    clock.now = local(2026, 2, 15)
    later = await service.report(date(2026, 1, 1), date(2026, 12, 31))
    assert later.total.over_30_days == 1


async def test_a_period_not_yet_begun_is_refused(service: IntakeService, year: Year) -> None:
    with pytest.raises(IntakeError) as refused:
        await service.report(date(2026, 2, 1), date(2026, 2, 28))

    assert "开始日期 2026-02-01 还没到" in refused.value.message


async def test_the_figures_break_down_by_month(service: IntakeService, year: Year) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))

    months = {row.key: row.figures for row in report.by_month}
    assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert months["2025-01"] == figures(
        received=2,
        accepted=2,
        closed=2,
        on_time=2,
        days=5,
        disputes=1,
        resolved=1,
        satisfied=2,
        ratings=2,
    )
    assert months["2025-02"] == figures(
        received=1,
        overdue=1,
        accepted=1,
        closed=1,
        days=64,
        over_30=1,
        disputes=1,
        resolved=1,
        satisfied=1,
        ratings=2,
    )
    assert months["2025-03"] == figures(
        received=1, accepted=1, closed=1, on_time=1, days=78, over_30=1
    )
    assert months["2025-06"] == figures(received=1, overdue=1, accepted=1, over_30=1, disputes=1)
    assert months["2025-12"] == figures(
        received=2, not_accepted=1, overdue=1, accepted=1, disputes=1
    )
    for month in ("2025-04", "2025-05", "2025-08", "2025-09", "2025-11"):
        assert months[month] == NOTHING


async def test_the_figures_break_down_by_village_category_and_level(
    service: IntakeService, year: Year
) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))

    villages = {row.key: row for row in report.by_village}
    assert len(villages) == 34
    assert villages["V01"].label == "示例村01"
    assert villages["V01"].figures == figures(
        received=6,
        rejected=1,
        overdue=1,
        accepted=5,
        closed=3,
        on_time=3,
        days=83,
        over_30=2,
        disputes=3,
        resolved=1,
        satisfied=2,
        ratings=3,
    )
    assert villages["V02"].figures == figures(
        received=3,
        not_accepted=1,
        overdue=3,
        accepted=2,
        closed=1,
        days=64,
        over_30=2,
        disputes=2,
        resolved=1,
        satisfied=1,
        ratings=2,
    )
    assert villages["V03"].figures == NOTHING
    categories = {row.key: row.figures for row in report.by_category}
    assert categories["相邻"] == figures(
        received=4,
        overdue=2,
        accepted=4,
        closed=1,
        on_time=1,
        days=4,
        over_30=2,
        disputes=4,
        resolved=1,
        satisfied=1,
        ratings=2,
    )
    assert categories["婚姻"] == figures(
        received=2,
        not_accepted=1,
        overdue=1,
        accepted=1,
        closed=1,
        on_time=1,
        days=1,
        satisfied=1,
        ratings=1,
    )
    assert categories["服务"] == figures(received=1, rejected=1)
    levels = {row.key: row for row in report.by_level}
    assert [row.label for row in report.by_level] == ["网格", "村级调解", "镇级研判", "部门联动"]
    assert levels[Level.GRID.value].figures == figures(
        received=8,
        rejected=1,
        not_accepted=1,
        overdue=3,
        accepted=6,
        closed=3,
        on_time=3,
        days=83,
        over_30=3,
        disputes=4,
        resolved=1,
        satisfied=2,
        ratings=3,
    )
    assert levels[Level.TOWNSHIP.value].figures == figures(
        received=1,
        overdue=1,
        accepted=1,
        closed=1,
        days=64,
        over_30=1,
        disputes=1,
        resolved=1,
        satisfied=1,
        ratings=2,
    )


async def test_each_period_counts_its_own_tickets(service: IntakeService, year: Year) -> None:
    december_2024 = await service.report(date(2024, 12, 1), date(2024, 12, 31))
    whole_2024 = await service.report(date(2024, 1, 1), date(2025, 1, 31))
    january_2026 = await service.report(date(2026, 1, 1), date(2026, 1, 31))

    # T0 was closed only in January 2025, after the December report's cut-off.
    assert december_2024.total == figures(received=1, accepted=1, disputes=1)
    assert whole_2024.total == figures(
        received=3,
        accepted=3,
        closed=3,
        on_time=3,
        days=15,
        disputes=2,
        resolved=2,
        satisfied=3,
        ratings=3,
    )
    assert january_2026.total == figures(received=1, accepted=1, disputes=1)


async def test_an_inverted_period_is_refused(service: IntakeService) -> None:
    with pytest.raises(IntakeError) as refused:
        await service.report(date(2025, 12, 31), date(2025, 1, 1))

    assert "结束日期不能早于开始日期" in refused.value.message


async def test_an_empty_period_has_zero_counts_and_no_rates(service: IntakeService) -> None:
    report = await service.report(date(2025, 11, 15), date(2026, 2, 3))

    assert report.total == NOTHING
    assert [row.key for row in report.by_month] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert dict(zip(FIGURE_LABELS, report.total.cells(), strict=True))["办结率"] == "—"


async def test_a_late_acceptance_is_overdue_even_once_answered(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    clock.now = local(2025, 8, 1)
    late = (await file(service, people.villager)).ticket.number
    prompt = (await file(service, people.villager)).ticket.number
    await service.accept(people.grid, prompt)
    # The acceptance deadline, 15 days on, falls on Saturday 16 August: it moves to Monday 18.
    clock.now = local(2025, 8, 19)
    await service.accept(people.grid, late)
    clock.now = local(2025, 8, 20)
    for number in (late, prompt):
        await service.reply(people.grid, number, "答复")

    clock.now = local(2025, 9, 1)
    august = await service.report(date(2025, 8, 1), date(2025, 8, 31))

    assert august.total.overdue == 1
    assert august.total.received == august.total.accepted == 2
