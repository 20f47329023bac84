from __future__ import annotations

from datetime import date, datetime

import pytest

from intake import Figures, IntakeError, IntakeService, Level, Rating, Ratio, TicketKind
from intake.reporting import FIGURE_LABELS
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
    accepted: int,
    closed: int,
    on_time: int,
    disputes: int,
    resolved: int,
    days: int,
    over_30: int,
    satisfied: int,
    ratings: int,
) -> Figures:
    return Figures(
        accepted=accepted,
        closed=closed,
        closure_rate=Ratio(closed, accepted),
        closed_on_time=on_time,
        on_time_rate=Ratio(on_time, closed),
        disputes_found=disputes,
        disputes_resolved=resolved,
        resolution_rate=Ratio(resolved, disputes),
        average_days=Ratio(days, closed),
        over_30_days=over_30,
        satisfaction_rate=Ratio(satisfied, ratings),
    )


NOTHING = figures(0, 0, 0, 0, 0, 0, 0, 0, 0)


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

    # T1–T6 accepted; T1–T4 closed, T3 late; disputes T1, T3, T5, T6 of which T1, T3 closed;
    # days 4 + 1 + 64 + 78; over 30 days T3, T4, T5; ratings 满意, 基本满意, 不满意, 满意.
    assert report.total == figures(6, 4, 3, 4, 2, 147, 3, 3, 4)
    assert report.total.cells() == (
        "6",
        "4",
        "66.7%",
        "75.0%",
        "4",
        "2",
        "50.0%",
        "36.8",
        "3",
        "75.0%",
    )
    assert len(report.total.cells()) == len(FIGURE_LABELS)


async def test_the_figures_break_down_by_month(service: IntakeService, year: Year) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))

    months = {row.key: row.figures for row in report.by_month}
    assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert months["2025-01"] == figures(2, 2, 2, 1, 1, 5, 0, 2, 2)
    assert months["2025-02"] == figures(1, 1, 0, 1, 1, 64, 1, 1, 2)
    assert months["2025-03"] == figures(1, 1, 1, 0, 0, 78, 1, 0, 0)
    assert months["2025-06"] == figures(1, 0, 0, 1, 0, 0, 1, 0, 0)
    assert months["2025-12"] == figures(1, 0, 0, 1, 0, 0, 0, 0, 0)
    for month in ("2025-04", "2025-05", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11"):
        assert months[month] == NOTHING


async def test_the_figures_break_down_by_village_category_and_level(
    service: IntakeService, year: Year
) -> None:
    report = await service.report(date(2025, 1, 1), date(2025, 12, 31))

    villages = {row.key: row for row in report.by_village}
    assert len(villages) == 34
    assert villages["V01"].label == "示例村01"
    assert villages["V01"].figures == figures(4, 3, 3, 2, 1, 83, 1, 2, 2)
    assert villages["V02"].figures == figures(2, 1, 0, 2, 1, 64, 2, 1, 2)
    assert villages["V03"].figures == NOTHING
    categories = {row.key: row.figures for row in report.by_category}
    assert categories["相邻"] == figures(3, 1, 1, 3, 1, 4, 1, 1, 1)
    assert categories["婚姻"] == figures(1, 1, 1, 0, 0, 1, 0, 1, 1)
    assert categories["土地"] == figures(1, 1, 0, 1, 1, 64, 1, 1, 2)
    assert categories["消费"] == figures(1, 1, 1, 0, 0, 78, 1, 0, 0)
    assert categories["服务"] == NOTHING
    levels = {row.key: row for row in report.by_level}
    assert [row.label for row in report.by_level] == ["网格", "村级调解", "镇级研判", "部门联动"]
    assert levels[Level.GRID.value].figures == figures(5, 3, 3, 3, 1, 83, 2, 2, 2)
    assert levels[Level.TOWNSHIP.value].figures == figures(1, 1, 0, 1, 1, 64, 1, 1, 2)


async def test_each_period_counts_its_own_acceptances(service: IntakeService, year: Year) -> None:
    december_2024 = await service.report(date(2024, 12, 1), date(2024, 12, 31))
    whole_2024 = await service.report(date(2024, 1, 1), date(2025, 1, 31))
    january_2026 = await service.report(date(2026, 1, 1), date(2026, 1, 31))

    # T0 was closed only in January 2025, after the December report's cut-off.
    assert december_2024.total == figures(1, 0, 0, 1, 0, 0, 0, 0, 0)
    assert whole_2024.total == figures(3, 3, 3, 2, 2, 15, 0, 3, 3)
    assert january_2026.total == figures(1, 0, 0, 1, 0, 0, 0, 0, 0)


async def test_an_inverted_period_is_refused(service: IntakeService) -> None:
    with pytest.raises(IntakeError) as refused:
        await service.report(date(2025, 12, 31), date(2025, 1, 1))

    assert "结束日期不能早于开始日期" in refused.value.message


async def test_an_empty_period_has_zero_counts_and_no_rates(service: IntakeService) -> None:
    report = await service.report(date(2025, 11, 15), date(2026, 2, 3))

    assert report.total == NOTHING
    assert [row.key for row in report.by_month] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert report.total.cells()[2] == "—"
