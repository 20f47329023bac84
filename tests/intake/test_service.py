"""The intake service end to end, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake import (
    Attachment,
    AttachmentKind,
    DeadlineKind,
    ErrorCode,
    EventType,
    IntakeError,
    IntakeService,
    Level,
    Outcome,
    Rating,
    Role,
    Source,
    TicketFilter,
    TicketKind,
    TicketState,
    TicketView,
    Visibility,
)
from intake.models import RoleChangeRecord, Ticket, TicketEvent, TicketSequence, User
from intake.service import IntakeService as _Service
from tests.intake.conftest import Backend, FakeClock, People, accepted, file, local, new_ticket

# Filing -------------------------------------------------------------------------------------


async def test_filing_numbers_tickets_by_year_and_records_the_filing(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    first = await file(service, people.villager)
    second = await file(service, people.villager)
    clock.now = local(2027, 1, 4)
    next_year = await file(service, people.villager)

    assert [first.ticket.number, second.ticket.number, next_year.ticket.number] == [
        "2026-000001",
        "2026-000002",
        "2027-000001",
    ]
    ticket = first.ticket
    assert ticket.state is TicketState.NEW
    assert ticket.level is Level.GRID
    assert (ticket.villager_id, ticket.filed_by_id) == (people.villager, people.villager)
    assert ticket.villager_name == "张三"
    assert (ticket.village_code, ticket.grid_code) == ("V01", "G01")
    assert ticket.received_at == local(2026, 3, 2, 9)
    # Received Monday 2 March: 15 calendar days is Tuesday 17 March, due by its end.
    assert ticket.accept_due_at == local(2026, 3, 18, 0)
    [event] = first.events
    assert event.type is EventType.FILED
    assert event.visibility is Visibility.PUBLIC
    assert (event.actor_id, event.to_state, event.to_level) == (
        people.villager,
        TicketState.NEW,
        Level.GRID,
    )


async def test_filing_keeps_attachments_faq_entries_and_consented_phone(
    service: IntakeService, people: People
) -> None:
    outcome = await file(
        service,
        people.villager,
        attachments=(
            Attachment(AttachmentKind.PHOTO, "photo-1"),
            Attachment(AttachmentKind.VOICE, "voice-1"),
        ),
        faq_shown=("neighbor.right_of_way", "neighbor.mediation"),
        contact_phone="+86 139-0000-1234",
        contact_consent=True,
    )

    ticket = await service.get_ticket(people.grid, outcome.ticket.number)
    assert ticket.attachments == (
        Attachment(AttachmentKind.PHOTO, "photo-1"),
        Attachment(AttachmentKind.VOICE, "voice-1"),
    )
    assert ticket.faq_shown == ("neighbor.right_of_way", "neighbor.mediation")
    assert (ticket.contact_phone, ticket.contact_consent) == ("13900001234", True)


async def test_filing_the_same_source_message_twice_yields_one_ticket(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    ticket = new_ticket(source_key="tg:42:7")

    first = await service.file_ticket(people.villager, ticket)
    again = await service.file_ticket(people.villager, ticket)

    assert again.ticket == first.ticket
    assert again.events == ()
    assert await _count(engine, Ticket) == 1
    assert await _count(engine, TicketEvent) == 1


async def test_the_same_message_filed_twice_at_once_makes_one_ticket(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    ticket = new_ticket()

    first, second = await asyncio.gather(
        service.file_ticket(people.villager, ticket), service.file_ticket(people.villager, ticket)
    )

    assert first.ticket.number == second.ticket.number
    assert sorted(len(o.events) for o in (first, second)) == [0, 1]
    assert await _count(engine, Ticket) == 1


async def test_a_liaison_files_for_a_named_villager(service: IntakeService, people: People) -> None:
    outcome = await file(
        service,
        people.liaison,
        source=Source.LIAISON,
        villager_name=" 张三 ",
        villager_id=people.villager,
    )

    ticket = outcome.ticket
    assert ticket.source is Source.LIAISON
    assert (ticket.filed_by_id, ticket.villager_id, ticket.villager_name) == (
        people.liaison,
        people.villager,
        "张三",
    )
    # Both the villager and the liaison who filed can follow it.
    assert (await service.get_ticket(people.villager, ticket.number)).id == ticket.id
    assert (await service.get_ticket(people.liaison, ticket.number)).id == ticket.id


async def test_staff_register_reception_day_and_phone_requests(
    service: IntakeService, people: People
) -> None:
    reception = await file(
        service,
        people.officer,
        source=Source.RECEPTION,
        villager_name="马六",
        reception_leader="王镇长",
        reception_date=local(2026, 3, 2).date(),
    )
    phone = await file(service, people.grid, source=Source.PHONE, villager_name="马七")

    assert (reception.ticket.source, reception.ticket.villager_id) == (Source.RECEPTION, None)
    assert (phone.ticket.villager_name, phone.ticket.filed_by_id) == ("马七", people.grid)


@pytest.mark.parametrize(
    ("who", "source"),
    [
        ("villager", Source.LIAISON),
        ("grid", Source.LIAISON),
        ("villager", Source.WINDOW),
        ("liaison", Source.PHONE),
        ("police", Source.PHONE),
    ],
)
async def test_only_the_right_roles_may_file_for_others(
    service: IntakeService, people: People, engine: AsyncEngine, who: str, source: Source
) -> None:
    with pytest.raises(IntakeError) as refused:
        await file(service, getattr(people, who), source=source, villager_name="马六")

    assert refused.value.code is ErrorCode.FORBIDDEN
    assert source.label in refused.value.message
    assert await _count(engine, Ticket) == 0


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"village_code": "V99"}, ErrorCode.UNKNOWN_VILLAGE, "V99"),
        ({"grid_code": "G02"}, ErrorCode.UNKNOWN_GRID, "示例网格02"),
        ({"grid_code": "G77"}, ErrorCode.UNKNOWN_GRID, "G77"),
        ({"text": ""}, ErrorCode.EMPTY_TEXT, "不能为空"),
        ({"text": " \n\t "}, ErrorCode.EMPTY_TEXT, "不能为空"),
        ({"text": "字" * 2001}, ErrorCode.TEXT_TOO_LONG, "最多 2000 个字"),
        ({"category": "天气"}, ErrorCode.UNKNOWN_CATEGORY, "天气"),
        ({"contact_phone": "13900001234"}, ErrorCode.INVALID_INPUT, "同意"),
        ({"contact_phone": "12345", "contact_consent": True}, ErrorCode.INVALID_INPUT, "格式"),
        (
            {"attachments": (Attachment(AttachmentKind.PHOTO, "p"),) * 11},
            ErrorCode.INVALID_INPUT,
            "最多 10 个",
        ),
        (
            {"attachments": (Attachment(AttachmentKind.DOCUMENT, ""),)},
            ErrorCode.INVALID_INPUT,
            "文件编号",
        ),
        ({"source_key": ""}, ErrorCode.INVALID_INPUT, "来源编号"),
        ({"villager_id": 999}, ErrorCode.UNKNOWN_USER, "999"),
    ],
)
async def test_bad_filings_are_refused_and_change_nothing(
    service: IntakeService,
    people: People,
    engine: AsyncEngine,
    overrides: dict[str, object],
    code: ErrorCode,
    words: str,
) -> None:
    source = (
        {"source": Source.LIAISON, "villager_name": "张三"} if "villager_id" in overrides else {}
    )
    actor = people.liaison if source else people.villager

    with pytest.raises(IntakeError) as refused:
        await file(service, actor, **source, **overrides)

    assert refused.value.code is code
    assert words in refused.value.message
    assert await _count(engine, Ticket) == 0
    assert await _count(engine, TicketEvent) == 0
    assert await _count(engine, TicketSequence) == 0
    # The number sequence did not move either.
    assert (await file(service, people.villager)).ticket.number == "2026-000001"


async def test_filing_for_someone_else_needs_their_name(
    service: IntakeService, people: People
) -> None:
    with pytest.raises(IntakeError) as refused:
        await file(service, people.liaison, source=Source.LIAISON)

    assert refused.value.code is ErrorCode.EMPTY_TEXT
    assert "村民姓名" in refused.value.message


async def test_phone_numbers_never_reach_the_log(
    service: IntakeService, people: People, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Statement logging (what echo=True gives) is on; SQLAlchemy's DEBUG also logs result rows,
    # which is a diagnostic mode not for production.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")

    outcome = await file(
        service, people.villager, contact_phone="13912345678", contact_consent=True
    )
    await service.accept(people.grid, outcome.ticket.number)
    with pytest.raises(IntakeError) as refused:
        await file(service, people.villager, contact_phone="1391234567x", contact_consent=True)

    assert caplog.records, "the service logs its changes"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ticket 2026-000001: filed" in logged
    assert "1391234567" not in logged
    assert "1391234567" not in repr(outcome)
    assert "1391234567" not in refused.value.message


# Triage -------------------------------------------------------------------------------------


async def test_accepting_starts_the_handling_and_level_clocks(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    number = (await file(service, people.villager)).ticket.number
    clock.advance(days=3)  # Thursday 5 March

    outcome = await service.accept(people.grid, number)

    ticket = outcome.ticket
    assert ticket.state is TicketState.ACCEPTED
    assert ticket.accepted_at == local(2026, 3, 5, 9)
    # 60 calendar days from 5 March is Monday 4 May, a holiday: due Wednesday 6 May.
    assert ticket.handle_due_at == local(2026, 5, 7, 0)
    # Grid target: 3 working days from Thursday is Tuesday 10 March.
    assert ticket.level_due_at == local(2026, 3, 11, 0)
    [event] = outcome.events
    assert (event.type, event.from_state, event.to_state) == (
        EventType.ACCEPTED,
        TicketState.NEW,
        TicketState.ACCEPTED,
    )
    assert event.visibility is Visibility.PUBLIC
    assert event.due_at == ticket.handle_due_at


@pytest.mark.parametrize("who", ["grid", "mediator", "officer", "admin"])
async def test_staff_of_the_ticket_area_may_accept(
    service: IntakeService, people: People, who: str
) -> None:
    number = (await file(service, people.villager)).ticket.number

    outcome = await service.accept(getattr(people, who), number)

    assert outcome.ticket.state is TicketState.ACCEPTED


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("other_grid", ErrorCode.NOT_FOUND),
        ("other_mediator", ErrorCode.NOT_FOUND),
        ("outsider", ErrorCode.NOT_FOUND),
        ("police", ErrorCode.NOT_FOUND),
        ("liaison", ErrorCode.NOT_FOUND),
        ("villager", ErrorCode.FORBIDDEN),
    ],
)
async def test_others_may_not_accept_and_nothing_changes(
    service: IntakeService, people: People, who: str, code: ErrorCode
) -> None:
    number = (await file(service, people.villager)).ticket.number
    before = await service.get_ticket(people.admin, number)

    with pytest.raises(IntakeError) as refused:
        await service.accept(getattr(people, who), number)

    assert refused.value.code is code
    assert await service.get_ticket(people.admin, number) == before
    assert len(await service.history(people.admin, number)) == 1


async def test_rejecting_needs_a_reason_and_the_right_route(
    service: IntakeService, people: People
) -> None:
    number = (await file(service, people.villager)).ticket.number

    with pytest.raises(IntakeError) as no_route:
        await service.reject(people.officer, number, reason="属于法院受理范围", route=" ")
    with pytest.raises(IntakeError) as not_allowed:
        await service.reject(people.grid, number, reason="不归我们管", route="去法院")
    outcome = await service.reject(
        people.officer, number, reason="已经法院判决", route="可向湟中区人民法院申请再审"
    )

    assert no_route.value.code is ErrorCode.EMPTY_TEXT
    assert "途径" in no_route.value.message
    assert not_allowed.value.code is ErrorCode.FORBIDDEN
    assert "镇干部或管理员" in not_allowed.value.message
    assert outcome.ticket.state is TicketState.REJECTED
    assert (outcome.ticket.reject_reason, outcome.ticket.reject_route) == (
        "已经法院判决",
        "可向湟中区人民法院申请再审",
    )
    [event] = outcome.events
    assert (event.type, event.visibility, event.route) == (
        EventType.REJECTED,
        Visibility.PUBLIC,
        "可向湟中区人民法院申请再审",
    )


async def test_a_rejected_ticket_cannot_be_accepted(service: IntakeService, people: People) -> None:
    number = (await file(service, people.villager)).ticket.number
    await service.reject(people.officer, number, reason="不属于受理范围", route="向法院起诉")

    with pytest.raises(IntakeError) as refused:
        await service.accept(people.officer, number)

    assert refused.value.code is ErrorCode.WRONG_STATE
    assert "不予受理" in refused.value.message


async def test_a_returned_ticket_goes_back_to_triage_with_its_clock_running(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    number = await accepted(service, people)
    first_due = (await service.get_ticket(people.admin, number)).handle_due_at
    await service.claim(people.grid, number)
    clock.advance(days=2)

    returned = await service.return_to_triage(people.grid, number, reason="其实是邻村的事")
    with pytest.raises(IntakeError) as grid_again:
        await service.accept(people.grid, number)
    clock.advance(days=1)
    again = await service.accept(people.officer, number)

    assert returned.ticket.state is TicketState.RETURNED
    assert returned.ticket.assignee_id is None
    assert returned.events[0].visibility is Visibility.INTERNAL
    assert grid_again.value.code is ErrorCode.FORBIDDEN
    assert again.ticket.accepted_at == local(2026, 3, 2, 9)
    assert again.ticket.handle_due_at == first_due


async def test_rerouting_moves_the_ticket_to_another_village(
    service: IntakeService, people: People
) -> None:
    number = (await file(service, people.villager)).ticket.number

    outcome = await service.reroute(people.officer, number, village_code="V02", reason="地在V02")

    assert (outcome.ticket.village_code, outcome.ticket.grid_code) == ("V02", "G02")
    assert (outcome.events[0].village_code, outcome.events[0].grid_code) == ("V02", "G02")
    assert (await service.get_ticket(people.other_grid, number)).number == number
    with pytest.raises(IntakeError):
        await service.get_ticket(people.grid, number)


# Handling -----------------------------------------------------------------------------------


async def test_a_dispute_travels_the_whole_chain_and_closes_on_satisfaction(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    number = await accepted(service, people)
    await service.claim(people.grid, number)
    await service.add_note(people.grid, number, "双方各执一词，需村里调解。")
    await service.escalate(people.grid, number, reason="网格调解不成")
    await service.claim(people.mediator, number)
    await service.escalate(people.mediator, number, reason="涉及宅基地界址")
    await service.claim(people.officer, number)
    clock.advance(days=1)
    joint = await service.escalate(
        people.officer,
        number,
        reason="需要派出所和司法所联合处理",
        lead_unit="派出所",
        co_units=["司法所"],
    )
    await service.claim(people.police, number)
    await service.reply(people.police, number, "经现场勘查，路归两家共用，已达成协议。")
    await service.request_feedback(people.police, number)
    closed = await service.record_feedback(people.villager, number, Rating.SATISFIED)

    assert joint.ticket.level is Level.DEPARTMENT
    assert (joint.ticket.lead_unit, joint.ticket.co_units) == ("派出所", ("司法所",))
    # Department target: 30 working days from Tuesday 3 March.
    assert joint.ticket.level_due_at == local(2026, 4, 16, 0)
    assert closed.ticket.state is TicketState.CLOSED
    assert closed.ticket.rating is Rating.SATISFIED
    assert closed.ticket.closed_at == local(2026, 3, 3, 9)
    assert [e.type for e in closed.events] == [EventType.FEEDBACK_RECORDED, EventType.CLOSED]

    staff_view = await service.history(people.officer, number)
    assert [e.type for e in staff_view] == [
        EventType.FILED,
        EventType.ACCEPTED,
        EventType.CLAIMED,
        EventType.NOTED,
        EventType.ESCALATED,
        EventType.CLAIMED,
        EventType.ESCALATED,
        EventType.CLAIMED,
        EventType.ESCALATED,
        EventType.CLAIMED,
        EventType.REPLIED,
        EventType.FEEDBACK_REQUESTED,
        EventType.FEEDBACK_RECORDED,
        EventType.CLOSED,
    ]
    levels = [(e.from_level, e.to_level) for e in staff_view if e.type is EventType.ESCALATED]
    assert levels == [
        (Level.GRID, Level.VILLAGE),
        (Level.VILLAGE, Level.TOWNSHIP),
        (Level.TOWNSHIP, Level.DEPARTMENT),
    ]
    villager_view = await service.history(people.villager, number)
    assert [e.type for e in villager_view] == [
        EventType.FILED,
        EventType.ACCEPTED,
        EventType.REPLIED,
        EventType.FEEDBACK_REQUESTED,
        EventType.FEEDBACK_RECORDED,
        EventType.CLOSED,
    ]
    assert all(e.visibility is Visibility.PUBLIC for e in villager_view)


async def test_escalation_releases_the_ticket_for_the_next_level(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    await service.claim(people.grid, number)

    outcome = await service.escalate(people.grid, number, reason="调解不成")

    assert (outcome.ticket.level, outcome.ticket.assignee_id) == (Level.VILLAGE, None)
    with pytest.raises(IntakeError) as grid_claims:
        await service.claim(people.grid, number)
    assert grid_claims.value.code is ErrorCode.FORBIDDEN
    assert (await service.claim(people.mediator, number)).ticket.assignee_id == people.mediator


@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({"reason": ""}, ErrorCode.EMPTY_TEXT, "上报理由"),
        ({"reason": "x", "to_level": Level.GRID}, ErrorCode.INVALID_INPUT, "不能上报到「网格」"),
        ({"reason": "x", "to_level": Level.DEPARTMENT}, ErrorCode.FORBIDDEN, "部门联动"),
        ({"reason": "x", "lead_unit": "派出所"}, ErrorCode.INVALID_INPUT, "只有部门联动"),
    ],
)
async def test_bad_escalations_are_refused(
    service: IntakeService,
    people: People,
    kwargs: dict[str, Any],
    code: ErrorCode,
    words: str,
) -> None:
    number = await accepted(service, people)

    with pytest.raises(IntakeError) as refused:
        await service.escalate(people.grid, number, **kwargs)

    assert refused.value.code is code
    assert words in refused.value.message
    assert (await service.get_ticket(people.admin, number)).level is Level.GRID


@pytest.mark.parametrize(
    ("lead", "co", "code"),
    [
        (None, (), ErrorCode.INVALID_INPUT),
        ("公安局", (), ErrorCode.UNKNOWN_UNIT),
        ("派出所", ("不存在所",), ErrorCode.UNKNOWN_UNIT),
        ("派出所", ("派出所",), ErrorCode.INVALID_INPUT),
    ],
)
async def test_joint_handling_needs_known_distinct_units(
    service: IntakeService, people: People, lead: str | None, co: tuple[str, ...], code: ErrorCode
) -> None:
    number = await accepted(service, people)

    with pytest.raises(IntakeError) as refused:
        await service.escalate(
            people.officer,
            number,
            reason="联合处理",
            to_level=Level.DEPARTMENT,
            lead_unit=lead,
            co_units=co,
        )

    assert refused.value.code is code


async def test_co_handling_units_see_but_only_the_lead_unit_claims(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    await service.escalate(
        people.officer,
        number,
        reason="联合处理",
        to_level=Level.DEPARTMENT,
        lead_unit="派出所",
        co_units=["司法所"],
    )

    await service.add_note(people.justice, number, "司法所已联系双方。")
    with pytest.raises(IntakeError) as co_claims:
        await service.claim(people.justice, number)
    deescalated = await service.deescalate(people.officer, number, reason="回到镇里研判")

    assert co_claims.value.code is ErrorCode.FORBIDDEN
    assert deescalated.ticket.level is Level.TOWNSHIP
    assert (deescalated.ticket.lead_unit, deescalated.ticket.co_units) == (None, ())
    with pytest.raises(IntakeError) as gone:
        await service.get_ticket(people.justice, number)
    assert gone.value.code is ErrorCode.NOT_FOUND


async def test_deescalation_is_a_recorded_move_down(service: IntakeService, people: People) -> None:
    number = await accepted(service, people)
    await service.escalate(people.grid, number, reason="调解不成")

    with pytest.raises(IntakeError) as grid_tries:
        await service.deescalate(people.grid, number, reason="回网格")
    with pytest.raises(IntakeError) as upwards:
        await service.deescalate(people.officer, number, reason="x", to_level=Level.TOWNSHIP)
    outcome = await service.deescalate(people.mediator, number, reason="小事，网格能处理")

    assert grid_tries.value.code is ErrorCode.FORBIDDEN
    assert upwards.value.code is ErrorCode.INVALID_INPUT
    [event] = outcome.events
    assert (event.type, event.from_level, event.to_level, event.text) == (
        EventType.DEESCALATED,
        Level.VILLAGE,
        Level.GRID,
        "小事，网格能处理",
    )
    with pytest.raises(IntakeError) as bottom:
        await service.deescalate(people.officer, number, reason="再往下")
    assert bottom.value.code is ErrorCode.INVALID_INPUT


async def test_assigning_needs_someone_at_the_ticket_level(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)

    with pytest.raises(IntakeError) as to_villager:
        await service.assign(people.mediator, number, people.neighbour)
    with pytest.raises(IntakeError) as by_grid:
        await service.assign(people.grid, number, people.grid)
    outcome = await service.assign(people.mediator, number, people.grid)

    assert to_villager.value.code is ErrorCode.INVALID_INPUT
    assert by_grid.value.code is ErrorCode.FORBIDDEN
    assert (outcome.ticket.assignee_id, outcome.ticket.state) == (
        people.grid,
        TicketState.IN_PROGRESS,
    )
    assert outcome.events[0].assignee_id == people.grid


async def test_replying_to_an_unheld_ticket_makes_the_replier_hold_it(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people, kind=TicketKind.CONSULTATION)

    outcome = await service.reply(people.grid, number, "可以申请村委会调解，不收费。")

    assert outcome.ticket.state is TicketState.ANSWERED
    assert outcome.ticket.assignee_id == people.grid
    assert outcome.ticket.answered_at is not None


async def test_only_the_holder_or_a_supervisor_replies(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    await service.assign(people.officer, number, people.grid)

    with pytest.raises(IntakeError) as mediator:
        await service.reply(people.mediator, number, "答复")
    with pytest.raises(IntakeError) as empty:
        await service.reply(people.grid, number, "   ")

    assert mediator.value.code is ErrorCode.FORBIDDEN
    assert empty.value.code is ErrorCode.EMPTY_TEXT
    assert (await service.reply(people.officer, number, "答复")).ticket.assignee_id == people.grid


async def test_notes_are_staff_only(service: IntakeService, people: People) -> None:
    number = await accepted(service, people)

    with pytest.raises(IntakeError) as villager_note:
        await service.add_note(people.villager, number, "我也想备注")
    outcome = await service.add_note(people.grid, number, "对方电话打不通")

    assert villager_note.value.code is ErrorCode.FORBIDDEN
    assert outcome.events[0].visibility is Visibility.INTERNAL
    assert outcome.ticket.state is TicketState.ACCEPTED
    assert [e.type for e in await service.history(people.villager, number)] == [
        EventType.FILED,
        EventType.ACCEPTED,
    ]


# Extension ----------------------------------------------------------------------------------


async def test_an_extension_moves_the_handling_deadline_once(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    number = await accepted(service, people)
    await service.claim(people.grid, number)

    outcome = await service.extend(people.officer, number, days=30, reason="需要等待鉴定结果")
    with pytest.raises(IntakeError) as twice:
        await service.extend(people.officer, number, days=5, reason="再等等")

    ticket = outcome.ticket
    assert (ticket.state, ticket.extension_days) == (TicketState.EXTENDED, 30)
    # Accepted Monday 2 March: 60 + 30 days is Sunday 31 May, so due Monday 1 June.
    assert ticket.handle_due_at == local(2026, 6, 2, 0)
    [event] = outcome.events
    assert (event.visibility, event.text, event.extension_days) == (
        Visibility.PUBLIC,
        "需要等待鉴定结果",
        30,
    )
    assert twice.value.code is ErrorCode.ALREADY_EXTENDED
    assert "30 天" in twice.value.message
    assert await service.get_ticket(people.admin, number) == ticket
    assert await _count(engine, TicketEvent) == 4


@pytest.mark.parametrize(
    ("who", "days", "reason", "code"),
    [
        ("officer", 31, "理由", ErrorCode.INVALID_INPUT),
        ("officer", 0, "理由", ErrorCode.INVALID_INPUT),
        ("officer", 10, "", ErrorCode.EMPTY_TEXT),
        ("grid", 10, "理由", ErrorCode.FORBIDDEN),
    ],
)
async def test_bad_extensions_are_refused(
    service: IntakeService, people: People, who: str, days: int, reason: str, code: ErrorCode
) -> None:
    number = await accepted(service, people)

    with pytest.raises(IntakeError) as refused:
        await service.extend(getattr(people, who), number, days=days, reason=reason)

    assert refused.value.code is code
    assert (await service.get_ticket(people.admin, number)).extension_days is None


async def test_an_extended_ticket_stays_extended_through_claims_and_reopening(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    await service.extend(people.officer, number, days=10, reason="等材料")
    claimed = await service.claim(people.grid, number)
    await service.reply(people.grid, number, "已处理")
    await service.request_feedback(people.grid, number)
    reopened = await service.record_feedback(
        people.villager, number, Rating.DISSATISFIED, reason="路还是不通"
    )

    assert claimed.ticket.state is TicketState.EXTENDED
    assert reopened.ticket.state is TicketState.EXTENDED


# Feedback and closing -----------------------------------------------------------------------


async def _answered(service: IntakeService, people: People) -> str:
    number = await accepted(service, people)
    await service.claim(people.grid, number)
    await service.reply(people.grid, number, "已经协调好了。")
    return number


async def test_dissatisfaction_reopens_the_ticket_with_the_villagers_reason(
    service: IntakeService, people: People
) -> None:
    number = await _answered(service, people)
    await service.request_feedback(people.grid, number)

    with pytest.raises(IntakeError) as no_reason:
        await service.record_feedback(people.villager, number, Rating.DISSATISFIED)
    outcome = await service.record_feedback(
        people.villager, number, Rating.DISSATISFIED, reason="对方根本没让路"
    )

    assert no_reason.value.code is ErrorCode.EMPTY_TEXT
    assert outcome.ticket.state is TicketState.IN_PROGRESS
    assert outcome.ticket.assignee_id == people.grid
    assert outcome.ticket.closed_at is None
    assert [(e.type, e.rating, e.text) for e in outcome.events] == [
        (EventType.FEEDBACK_RECORDED, Rating.DISSATISFIED, "对方根本没让路"),
        (EventType.REOPENED, None, "对方根本没让路"),
    ]
    again = await service.reply(people.grid, number, "重新协调，已让出通道。")
    assert again.ticket.state is TicketState.ANSWERED


@pytest.mark.parametrize("who", ["villager", "grid", "officer"])
async def test_feedback_may_come_from_the_villager_or_a_callback(
    service: IntakeService, people: People, who: str
) -> None:
    number = await _answered(service, people)
    await service.request_feedback(people.grid, number)

    outcome = await service.record_feedback(
        getattr(people, who), number, Rating.BASICALLY_SATISFIED
    )

    assert (outcome.ticket.state, outcome.ticket.rating) == (
        TicketState.CLOSED,
        Rating.BASICALLY_SATISFIED,
    )


async def test_feedback_is_refused_from_strangers_and_before_it_is_asked(
    service: IntakeService, people: People
) -> None:
    number = await _answered(service, people)

    with pytest.raises(IntakeError) as too_early:
        await service.record_feedback(people.villager, number, Rating.SATISFIED)
    await service.request_feedback(people.grid, number)
    with pytest.raises(IntakeError) as mediator:
        await service.record_feedback(people.mediator, number, Rating.SATISFIED)
    with pytest.raises(IntakeError) as unrated:
        await service.record_feedback(people.villager, number, Rating.UNRATED)

    assert too_early.value.code is ErrorCode.WRONG_STATE
    assert "已答复" in too_early.value.message
    assert mediator.value.code is ErrorCode.FORBIDDEN
    assert unrated.value.code is ErrorCode.INVALID_INPUT


async def test_no_feedback_in_seven_days_closes_as_unrated(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    number = await _answered(service, people)
    other = await _answered(service, people)
    requested = await service.request_feedback(people.grid, number)
    await service.request_feedback(people.grid, other)
    # Requested Monday 2 March: 7 days is Monday 9 March, so due by its end.
    assert requested.ticket.feedback_due_at == local(2026, 3, 10, 0)

    clock.now = local(2026, 3, 9, 23, 59)
    assert await service.close_unrated() == []
    await service.record_feedback(people.villager, other, Rating.SATISFIED)
    clock.now = local(2026, 3, 10, 0, 1)
    outcomes = await service.close_unrated()

    assert [o.ticket.number for o in outcomes] == [number]
    ticket = outcomes[0].ticket
    assert (ticket.state, ticket.rating) == (TicketState.CLOSED, Rating.UNRATED)
    [event] = outcomes[0].events
    assert (event.type, event.actor_id, event.rating) == (EventType.CLOSED, None, Rating.UNRATED)
    assert event.visibility is Visibility.PUBLIC
    assert await service.close_unrated() == []
    assert (await service.get_ticket(people.admin, other)).rating is Rating.SATISFIED


async def test_a_supervisor_may_close_an_answered_ticket_unrated(
    service: IntakeService, people: People
) -> None:
    number = await _answered(service, people)

    with pytest.raises(IntakeError) as by_grid:
        await service.close(people.grid, number, reason="联系不上")
    outcome = await service.close(people.officer, number, reason="村民外出务工，联系不上")

    assert by_grid.value.code is ErrorCode.FORBIDDEN
    assert (outcome.ticket.state, outcome.ticket.rating) == (TicketState.CLOSED, Rating.UNRATED)
    # Notes may still be added to a closed ticket; handling it may not.
    assert (await service.add_note(people.grid, number, "已电话告知")).events
    with pytest.raises(IntakeError) as again:
        await service.reply(people.grid, number, "答复")
    assert again.value.code is ErrorCode.WRONG_STATE


# Reading and privacy ------------------------------------------------------------------------


async def test_tickets_are_hidden_from_everyone_else(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)

    for stranger in (people.neighbour, people.outsider, people.other_grid, people.police):
        with pytest.raises(IntakeError) as hidden:
            await service.get_ticket(stranger, number)
        assert hidden.value.code is ErrorCode.NOT_FOUND
        with pytest.raises(IntakeError):
            await service.history(stranger, number)
    with pytest.raises(IntakeError) as missing:
        await service.get_ticket(people.admin, "2026-999999")
    # A missing ticket and a hidden one look the same.
    assert missing.value.message.replace("2026-999999", number) == hidden.value.message


async def test_listing_applies_visibility_and_filters(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    mine = (await file(service, people.villager, kind=TicketKind.COMPLAINT)).ticket.number
    clock.advance(minutes=1)
    elsewhere = (await file(service, people.outsider, village_code="V02")).ticket.number
    clock.advance(minutes=1)
    accepted_one = await accepted(service, people, category="土地")

    def numbers(tickets: tuple[TicketView, ...]) -> list[str]:
        return [t.number for t in tickets]

    assert numbers(await service.list_tickets(people.admin)) == [accepted_one, elsewhere, mine]
    assert numbers(await service.list_tickets(people.villager)) == [accepted_one, mine]
    assert numbers(await service.list_tickets(people.other_grid)) == [elsewhere]
    assert numbers(await service.list_tickets(people.outsider)) == [elsewhere]
    assert numbers(await service.list_tickets(people.police)) == []
    filters = {
        TicketFilter(states=frozenset({TicketState.NEW})): [elsewhere, mine],
        TicketFilter(kinds=frozenset({TicketKind.COMPLAINT})): [mine],
        TicketFilter(village_code="V02"): [elsewhere],
        TicketFilter(grid_code="G01", category="土地"): [accepted_one],
        TicketFilter(levels=frozenset({Level.VILLAGE})): [],
        TicketFilter(unassigned=True, states=frozenset({TicketState.ACCEPTED})): [accepted_one],
    }
    for ticket_filter, expected in filters.items():
        assert numbers(await service.list_tickets(people.officer, ticket_filter)) == expected
    await service.claim(people.grid, accepted_one)
    assert numbers(
        await service.list_tickets(people.officer, TicketFilter(assignee_id=people.grid))
    ) == [accepted_one]
    assert numbers(await service.list_tickets(people.admin, limit=1, offset=1)) == [elsewhere]


async def test_overdue_and_due_soon_follow_the_running_clocks(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    waiting = (await file(service, people.villager)).ticket.number
    handled = await accepted(service, people)
    elsewhere = (await file(service, people.outsider, village_code="V02")).ticket.number

    # Thursday 5 March, 10:00: the grid's 3-working-day target for `handled` ends tonight.
    clock.now = local(2026, 3, 5, 10)
    soon = await service.due_soon(people.grid)
    assert [(a.ticket.number, a.kind) for a in soon] == [(handled, DeadlineKind.LEVEL)]
    assert await service.overdue(people.grid) == ()

    # Wednesday 18 March: acceptance of the new tickets and the grid target are overdue.
    clock.now = local(2026, 3, 18, 8)
    overdue = await service.overdue(people.officer)
    assert [(a.ticket.number, a.kind, a.due_at) for a in overdue] == [
        (handled, DeadlineKind.LEVEL, local(2026, 3, 6, 0)),
        (waiting, DeadlineKind.ACCEPTANCE, local(2026, 3, 18, 0)),
        (elsewhere, DeadlineKind.ACCEPTANCE, local(2026, 3, 18, 0)),
    ]
    assert [a.ticket.number for a in await service.overdue(people.grid)] == [handled, waiting]
    assert await service.overdue(people.police) == ()

    await service.reply(people.grid, handled, "已处理")
    await service.accept(people.grid, waiting)
    assert [a.ticket.number for a in await service.overdue(people.officer)] == [elsewhere]
    # Accepted Wednesday 18 March: the grid target ends Monday 23 March.
    long_view = await service.due_soon(people.officer, within=timedelta(days=6))
    assert [(a.ticket.number, a.kind) for a in long_view] == [(waiting, DeadlineKind.LEVEL)]


# People -------------------------------------------------------------------------------------


async def test_users_are_created_once_as_villagers(
    service: IntakeService, engine: AsyncEngine
) -> None:
    first = await service.get_or_create_user(77, "  小明  ")
    again = await service.get_or_create_user(77, "另一个名字")
    raced = await asyncio.gather(*(service.get_or_create_user(78, "小红") for _ in range(3)))

    assert first == again
    assert (first.display_name, first.role) == ("小明", Role.VILLAGER)
    assert len({user.id for user in raced}) == 1
    assert await _count(engine, User) == 2
    assert await _count(engine, RoleChangeRecord) == 2


async def test_roles_are_set_by_admins_and_recorded(
    service: IntakeService, people: People, engine: AsyncEngine
) -> None:
    before = await _count(engine, RoleChangeRecord)

    change = await service.set_role(
        people.admin, people.neighbour, Role.GRID_WORKER, grid_code="G01"
    )

    assert (change.user.role, change.from_role, change.actor_id) == (
        Role.GRID_WORKER,
        Role.VILLAGER,
        people.admin,
    )
    assert change.user.grid_code == "G01"
    assert await _count(engine, RoleChangeRecord) == before + 1
    mediator = await service.set_role(
        people.admin, people.neighbour, Role.VILLAGE_MEDIATOR, village_code="V02"
    )
    assert (mediator.user.village_code, mediator.user.grid_code) == ("V02", "G02")


@pytest.mark.parametrize(
    ("who", "role", "area", "code"),
    [
        ("officer", Role.GRID_WORKER, {"grid_code": "G01"}, ErrorCode.FORBIDDEN),
        ("admin", Role.GRID_WORKER, {}, ErrorCode.INVALID_INPUT),
        ("admin", Role.VILLAGE_MEDIATOR, {}, ErrorCode.INVALID_INPUT),
        ("admin", Role.LIAISON, {}, ErrorCode.INVALID_INPUT),
        ("admin", Role.DEPARTMENT, {}, ErrorCode.INVALID_INPUT),
        ("admin", Role.DEPARTMENT, {"unit": "公安局"}, ErrorCode.UNKNOWN_UNIT),
        (
            "admin",
            Role.GRID_WORKER,
            {"grid_code": "G01", "unit": "派出所"},
            ErrorCode.INVALID_INPUT,
        ),
        ("admin", Role.VILLAGER, {"village_code": "V99"}, ErrorCode.UNKNOWN_VILLAGE),
        ("admin", Role.GRID_WORKER, {"grid_code": "G99"}, ErrorCode.UNKNOWN_GRID),
    ],
)
async def test_bad_role_changes_are_refused(
    service: IntakeService,
    people: People,
    who: str,
    role: Role,
    area: dict[str, str],
    code: ErrorCode,
) -> None:
    with pytest.raises(IntakeError) as refused:
        await service.set_role(getattr(people, who), people.neighbour, role, **area)

    assert refused.value.code is code
    assert (await service.get_user(people.neighbour)).role is Role.VILLAGER


async def test_nobody_changes_their_own_role(service: IntakeService, people: People) -> None:
    with pytest.raises(IntakeError) as refused:
        await service.set_role(people.admin, people.admin, Role.VILLAGER)

    assert refused.value.code is ErrorCode.FORBIDDEN


async def test_the_configured_admin_is_made_admin_once(
    service: IntakeService, engine: AsyncEngine
) -> None:
    await service.get_or_create_user(5, "老李")

    first = await service.ensure_admin(5, "老李")
    again = await service.ensure_admin(5, "老李")

    assert first.role is again.role is Role.ADMIN
    # Registration as a villager, then promotion; the second call changes nothing.
    assert await _count(engine, RoleChangeRecord) == 2


async def test_unknown_actors_are_refused(service: IntakeService, people: People) -> None:
    with pytest.raises(IntakeError) as refused:
        await file(service, 4242)

    assert refused.value.code is ErrorCode.UNKNOWN_USER


async def test_a_persons_home_village_is_on_their_record_or_of_their_last_ticket(
    service: IntakeService, people: People, clock: FakeClock
) -> None:
    assert await service.home_village(1000 + 4) == "V01"  # the liaison's own record
    assert await service.home_village(999_999) is None
    newcomer = await service.get_or_create_user(4242, "马新")
    assert await service.home_village(4242) is None
    await file(service, newcomer.id, village_code="V02")
    clock.advance(hours=1)
    await file(service, newcomer.id, village_code="V01")
    assert await service.home_village(4242) == "V01"


# Concurrency: the races are forced. Both requests load the ticket, wait for each other at a
# barrier, and only then write, so the second writer always holds a stale copy. On PostgreSQL the
# two run on separate connections; the loser's UPDATE … WHERE version = … matches no row. SQLite
# cannot race like this: a writer takes the database's write lock when its transaction begins.


@pytest.fixture
def lockstep(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Arm: make the next two ticket loads wait for each other before either writes."""
    if backend.name == "sqlite":
        pytest.skip("SQLite runs writers one after the other; see the test below for SQLite")

    def arm() -> None:
        barrier = asyncio.Barrier(2)
        load = _Service._visible_ticket
        racers = iter(range(2))

        async def load_then_wait(
            self: _Service, session: AsyncSession, number: str, actor: User
        ) -> Ticket:
            ticket = await load(self, session, number, actor)
            if next(racers, None) is not None:
                await asyncio.wait_for(barrier.wait(), timeout=10)
            return ticket

        monkeypatch.setattr(_Service, "_visible_ticket", load_then_wait)

    return arm


async def _race(*attempts: Awaitable[Outcome]) -> tuple[list[Outcome], list[IntakeError]]:
    results = await asyncio.gather(*attempts, return_exceptions=True)
    wins = [r for r in results if isinstance(r, Outcome)]
    losses = [r for r in results if isinstance(r, IntakeError)]
    assert len(wins) + len(losses) == len(results), results
    return wins, losses


async def test_two_officers_accepting_at_once_one_wins(
    service: IntakeService, people: People, lockstep: Callable[[], None]
) -> None:
    number = (await file(service, people.villager)).ticket.number
    lockstep()

    wins, losses = await _race(
        service.accept(people.officer, number), service.accept(people.admin, number)
    )

    assert len(wins) == 1
    assert [loss.code for loss in losses] == [ErrorCode.CONFLICT]
    # Both loaded the ticket before either wrote: the loser was stopped by the version check.
    assert "刚刚被其他人处理（现为「已受理」）" in losses[0].message
    history = await service.history(people.admin, number)
    assert [e.type for e in history].count(EventType.ACCEPTED) == 1
    assert history[-1].actor_id == wins[0].events[0].actor_id


async def test_two_staff_claiming_at_once_one_wins(
    service: IntakeService, people: People, lockstep: Callable[[], None]
) -> None:
    number = await accepted(service, people)
    lockstep()

    wins, losses = await _race(
        service.claim(people.grid, number), service.claim(people.admin, number)
    )

    assert len(wins) == 1
    assert [loss.code for loss in losses] == [ErrorCode.CONFLICT]
    assert "刚刚被其他人处理" in losses[0].message
    ticket = await service.get_ticket(people.admin, number)
    assert ticket.assignee_id == wins[0].ticket.assignee_id
    assert ticket.state is TicketState.IN_PROGRESS
    history = await service.history(people.admin, number)
    assert [e.type for e in history].count(EventType.CLAIMED) == 1


async def test_writers_take_turns_on_sqlite(
    service: IntakeService, people: People, backend: Backend
) -> None:
    if backend.name != "sqlite":
        pytest.skip("PostgreSQL lets writers overlap; the forced races above cover it")
    number = (await file(service, people.villager)).ticket.number

    wins, losses = await _race(
        service.accept(people.officer, number), service.accept(people.admin, number)
    )

    # The second writer waited for the first and then saw an accepted ticket.
    assert len(wins) == 1
    assert [loss.code for loss in losses] == [ErrorCode.WRONG_STATE]
    history = await service.history(people.admin, number)
    assert [e.type for e in history].count(EventType.ACCEPTED) == 1


async def test_claiming_a_held_ticket_is_refused_without_a_race(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    await service.claim(people.grid, number)

    with pytest.raises(IntakeError) as refused:
        await service.claim(people.admin, number)

    assert refused.value.code is ErrorCode.CONFLICT
    assert "已由其他工作人员认领" in refused.value.message


async def test_many_simultaneous_claims_leave_one_holder_per_ticket(
    service: IntakeService, people: People
) -> None:
    numbers = [await accepted(service, people) for _ in range(5)]

    wins, losses = await _race(
        *(service.claim(actor, n) for n in numbers for actor in (people.grid, people.admin))
    )

    assert len(wins) == len(numbers)
    assert {w.ticket.number for w in wins} == set(numbers)
    assert {loss.code for loss in losses} == {ErrorCode.CONFLICT}


# History is append-only ---------------------------------------------------------------------


async def test_later_changes_never_alter_earlier_events(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    steps: list[Callable[[], Awaitable[Outcome]]] = [
        lambda: service.claim(people.grid, number),
        lambda: service.add_note(people.grid, number, "备注"),
        lambda: service.escalate(people.grid, number, reason="上报"),
        lambda: service.claim(people.mediator, number),
        lambda: service.extend(people.officer, number, days=3, reason="延期"),
        lambda: service.reply(people.mediator, number, "答复"),
        lambda: service.request_feedback(people.mediator, number),
        lambda: service.record_feedback(
            people.villager, number, Rating.DISSATISFIED, reason="不行"
        ),
        lambda: service.reply(people.mediator, number, "再答复"),
        lambda: service.close(people.officer, number, reason="办结"),
    ]
    seen = await service.history(people.admin, number)
    for step in steps:
        outcome = await step()
        now = await service.history(people.admin, number)
        assert now[: len(seen)] == seen
        assert now[len(seen) :] == outcome.events
        seen = now


# Helpers ------------------------------------------------------------------------------------


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with AsyncSession(engine) as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()
