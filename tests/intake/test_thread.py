"""A ticket's thread: staff ask for more, the villager adds to it, internal messages stay inside."""

from __future__ import annotations

import pytest

from intake import (
    Attachment,
    AttachmentKind,
    ErrorCode,
    EventType,
    IntakeError,
    IntakeService,
    TicketState,
    Visibility,
)
from intake.enums import Side
from tests.intake.conftest import People, accepted, file


async def test_asking_for_more_waits_on_the_villager_without_answering(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)

    asked = await service.request_more(people.grid, number, "请补充借条的照片。")

    assert asked.ticket.state is TicketState.ACCEPTED
    assert asked.ticket.answered_at is None
    assert asked.ticket.more_requested_at is not None
    assert [e.type for e in asked.events] == [EventType.MORE_REQUESTED]
    assert asked.message is not None and asked.message.side is Side.STAFF
    assert asked.message.visibility is Visibility.PUBLIC

    photo = Attachment(kind=AttachmentKind.PHOTO, file_id="photo-1")
    supplied = await service.add_villager_message(
        people.villager, number, text="借条在这里", attachment=photo, source_key="tg:1:900"
    )

    assert supplied.ticket.more_requested_at is None
    assert [e.type for e in supplied.events] == [EventType.MORE_RECEIVED]
    assert supplied.message is not None and supplied.message.attachment == photo
    thread = await service.thread(people.grid, number)
    assert [(m.side, m.text) for m in thread] == [
        (Side.STAFF, "请补充借条的照片。"),
        (Side.VILLAGER, "借条在这里"),
    ]


async def test_a_repeated_villager_message_is_added_once(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)

    first = await service.add_villager_message(
        people.villager, number, text="还有一件事", source_key="tg:1:901"
    )
    again = await service.add_villager_message(
        people.villager, number, text="还有一件事", source_key="tg:1:901"
    )

    assert first.message is not None and first.events == ()
    assert again.message is None and again.events == ()
    assert len(await service.thread(people.villager, number)) == 1


async def test_internal_messages_are_hidden_from_the_villager(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)

    await service.post_message(people.grid, number, "对方是村主任亲戚，注意回避", internal=True)
    await service.post_message(people.grid, number, "我们明天上门看看。")

    staff_view = await service.thread(people.grid, number)
    villager_view = await service.thread(people.villager, number)
    assert [m.visibility for m in staff_view] == [Visibility.INTERNAL, Visibility.PUBLIC]
    assert [m.text for m in villager_view] == ["我们明天上门看看。"]


async def test_only_the_villager_side_adds_and_only_to_unfinished_tickets(
    service: IntakeService, people: People
) -> None:
    number = await accepted(service, people)
    rejected = (await file(service, people.villager)).ticket.number
    await service.reject(people.officer, rejected, reason="不属于受理范围", route="向法院起诉")

    with pytest.raises(IntakeError) as stranger:
        await service.add_villager_message(
            people.neighbour, number, text="我也说两句", source_key="tg:2:1"
        )
    with pytest.raises(IntakeError) as finished:
        await service.add_villager_message(
            people.villager, rejected, text="补充", source_key="tg:1:902"
        )
    with pytest.raises(IntakeError) as empty:
        await service.add_villager_message(people.villager, number, text=" ", source_key="k")
    with pytest.raises(IntakeError) as villager_posts:
        await service.post_message(people.villager, number, "冒充工作人员")
    with pytest.raises(IntakeError) as villager_asks:
        await service.request_more(people.villager, number, "请补充")

    assert stranger.value.code is ErrorCode.NOT_FOUND
    assert finished.value.code is ErrorCode.WRONG_STATE
    assert empty.value.code is ErrorCode.EMPTY_TEXT
    assert villager_posts.value.code is ErrorCode.FORBIDDEN
    assert villager_asks.value.code is ErrorCode.FORBIDDEN
    assert await service.thread(people.grid, number) == ()


async def test_open_tickets_of_someone_leave_out_finished_ones(
    service: IntakeService, people: People
) -> None:
    kept = (await file(service, people.villager)).ticket.number
    rejected = (await file(service, people.villager)).ticket.number
    await service.reject(people.officer, rejected, reason="不属于受理范围", route="向法院起诉")
    await file(service, people.neighbour)
    villager = await service.get_user(people.villager)
    assert villager.telegram_id is not None

    assert [t.number for t in await service.open_tickets_of(villager.telegram_id)] == [kept]
    assert await service.open_tickets_of(999_999) == ()
