"""Cases that arrive offline, leader reception days, and 法律明白人 applications and register."""

from __future__ import annotations

from datetime import date

import pytest

from intake import ErrorCode, IntakeConfig, IntakeError, IntakeService, Role, Source
from intake.liaisons import ApplicationState, Liaisons
from intake.question_log import QuestionLog
from intake.receptions import ReceptionDay, reception_days
from intake.validation import parse_day
from tests.intake.conftest import FakeClock, People, file, local

TODAY = date(2026, 3, 2)
RECEPTION = {"source": Source.RECEPTION, "reception_leader": "王镇长"}


async def test_each_offline_channel_records_what_belongs_to_it(
    service: IntakeService, people: People
) -> None:
    window = await file(service, people.officer, source=Source.WINDOW, villager_name="马六")
    phone = await file(
        service,
        people.grid,
        source=Source.PHONE,
        villager_name="马七",
        contact_phone="139 0971 0000",
        contact_consent=True,
    )
    reception = await file(
        service,
        people.officer,
        source=Source.RECEPTION,
        villager_name="马八",
        reception_leader=" 王镇长 ",
        reception_date=date(2026, 2, 27),
    )
    patrol = await file(
        service,
        people.grid,
        source=Source.GRID_PATROL,
        villager_name="马九",
        patrol_place="三组水渠边",
    )

    assert window.ticket.source is Source.WINDOW and window.ticket.villager_id is None
    assert phone.ticket.contact_phone == "13909710000"
    assert (reception.ticket.reception_leader, reception.ticket.reception_date) == (
        "王镇长",
        date(2026, 2, 27),
    )
    assert patrol.ticket.patrol_place == "三组水渠边"
    assert patrol.ticket.filed_by_id == people.grid
    stored = await service.get_ticket(people.officer, reception.ticket.number)
    assert stored.reception_date == date(2026, 2, 27)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": Source.RECEPTION, "reception_date": TODAY}, "接访领导姓名不能为空"),
        ({"source": Source.RECEPTION, "reception_leader": "王镇长"}, "需要填写接访日期"),
        (
            {**RECEPTION, "reception_date": date(2026, 3, 3)},
            "还没到",
        ),
        (
            {**RECEPTION, "reception_date": date(2025, 1, 1)},
            "已超过一年",
        ),
        ({"source": Source.GRID_PATROL}, "排查地点不能为空"),
        ({"source": Source.WINDOW, "patrol_place": "村口"}, "不填接访领导"),
        ({"source": Source.PHONE, "villager_name": " "}, "村民姓名不能为空"),
    ],
)
async def test_bad_channel_details_are_refused_with_the_reason(
    service: IntakeService, people: People, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(IntakeError) as refused:
        await file(service, people.officer, **{"villager_name": "马六", **fields})
    assert message in refused.value.message
    assert await service.list_tickets(people.officer) == ()


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-02-27", date(2026, 2, 27)),
        ("2026年2月27日", date(2026, 2, 27)),
        ("2月27日", date(2026, 2, 27)),
        ("12-5", date(2025, 12, 5)),
        ("今天", TODAY),
        ("昨天", date(2026, 3, 1)),
    ],
)
def test_a_day_is_read_as_staff_type_it(typed: str, day: date) -> None:
    assert parse_day(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["上周三", "2026-02-30", "13月1日", ""])
def test_a_day_that_cannot_be_read_is_refused(typed: str) -> None:
    with pytest.raises(IntakeError) as refused:
        parse_day(typed, TODAY)
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert "2026-12-05" in refused.value.message


async def test_reception_days_count_the_cases_per_leader_and_day(
    service: IntakeService, people: People
) -> None:
    for leader, day in [
        ("王镇长", date(2026, 2, 23)),
        ("王镇长", date(2026, 2, 23)),
        ("李书记", date(2026, 2, 23)),
        ("王镇长", date(2026, 3, 2)),
    ]:
        await file(
            service,
            people.officer,
            source=Source.RECEPTION,
            villager_name="马六",
            reception_leader=leader,
            reception_date=day,
        )
    await file(service, people.officer, source=Source.WINDOW, villager_name="马七")

    days = await reception_days(service.engine, date(2026, 2, 1), date(2026, 3, 31))
    assert days == (
        ReceptionDay(date(2026, 3, 2), "王镇长", 1),
        ReceptionDay(date(2026, 2, 23), "李书记", 1),
        ReceptionDay(date(2026, 2, 23), "王镇长", 2),
    )
    assert await reception_days(service.engine, date(2026, 3, 1), date(2026, 3, 1)) == ()
    with pytest.raises(IntakeError):
        await reception_days(service.engine, date(2026, 3, 2), date(2026, 3, 1))


async def test_an_approved_applicant_becomes_a_liaison_of_their_village(
    service: IntakeService, config: IntakeConfig, clock: FakeClock, people: People
) -> None:
    desk = Liaisons(service, config, clock=clock)
    village = config.village("V02")
    assert village is not None
    applied = await desk.apply(people.neighbour, " 李四 ", village.name, "13909711111")
    assert (applied.state, applied.village_code, applied.phone) == (
        ApplicationState.PENDING,
        "V02",
        "13909711111",
    )
    assert "13909711111" not in repr(applied)
    with pytest.raises(IntakeError, match="等待管理员审核"):
        await desk.apply(people.neighbour, "李四", "V02", "13909711111")
    assert await desk.applications() == (applied,)

    with pytest.raises(IntakeError) as refused:
        await desk.decide(people.officer, applied.id, approve=True)
    assert refused.value.code is ErrorCode.FORBIDDEN
    approved = await desk.decide(people.admin, applied.id, approve=True)
    assert approved.state is ApplicationState.APPROVED
    user = await service.get_user(people.neighbour)
    assert (user.role, user.village_code) == (Role.LIAISON, "V02")
    assert await desk.applications() == ()
    with pytest.raises(IntakeError, match="已经审核过"):
        await desk.decide(people.admin, applied.id, approve=False)
    with pytest.raises(IntakeError, match="已经是法律明白人"):
        await desk.apply(people.neighbour, "李四", "V02", "13909711111")


@pytest.mark.parametrize(
    ("who", "name", "village", "phone", "message"),
    [
        ("outsider", "", "V01", "13909711111", "姓名不能为空"),
        ("outsider", "王五", "火星村", "13909711111", "没有找到村"),
        ("outsider", "王五", "V01", "", "请留下您的电话"),
        ("outsider", "王五", "V01", "12345", "电话号码格式不对"),
        ("grid", "网格员甲", "V01", "13909711111", "工作人员不用申请"),
    ],
)
async def test_a_bad_application_is_refused_with_the_reason(
    service: IntakeService,
    config: IntakeConfig,
    people: People,
    who: str,
    name: str,
    village: str,
    phone: str,
    message: str,
) -> None:
    desk = Liaisons(service, config)
    with pytest.raises(IntakeError, match=message):
        await desk.apply(getattr(people, who), name, village, phone)
    assert await desk.applications(None) == ()


async def test_a_declined_applicant_stays_a_villager(
    service: IntakeService, config: IntakeConfig, people: People
) -> None:
    desk = Liaisons(service, config)
    applied = await desk.apply(people.outsider, "王五", "V02", "13909711111")
    declined = await desk.decide(people.admin, applied.id, approve=False)
    assert declined.state is ApplicationState.DECLINED
    assert (await service.get_user(people.outsider)).role is Role.VILLAGER


async def test_the_register_counts_cases_and_questions_per_month_and_liaison(
    service: IntakeService, config: IntakeConfig, clock: FakeClock, people: People
) -> None:
    desk = Liaisons(service, config, clock=clock)
    questions = QuestionLog(service.engine, clock=clock)
    liaison_telegram = (await service.get_user(people.liaison)).telegram_id
    clock.now = local(2026, 1, 31, 23, 30)  # still January in the township
    await file(service, people.liaison, source=Source.LIAISON, villager_name="张大妈")
    await questions.record(liaison_telegram, "赡养费怎么要？", "answer", "family-1")
    clock.now = local(2026, 2, 3)
    await file(service, people.liaison, source=Source.LIAISON, villager_name="张大妈")
    await file(service, people.liaison, source=Source.LIAISON, villager_name="马奶奶")
    await file(service, people.villager)  # filed by a villager: not the liaison's service
    await questions.record(1000 + 1, "villager question", "none")

    rows = await desk.register(date(2026, 1, 1), date(2026, 2, 28))
    assert [(r.month, r.name, r.cases, r.questions) for r in rows] == [
        ("2026-01", "赵明白", 1, 1),
        ("2026-02", "赵明白", 2, 0),
    ]
    with pytest.raises(IntakeError):
        await desk.register(date(2026, 2, 1), date(2026, 1, 1))
