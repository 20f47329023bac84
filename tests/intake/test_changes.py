"""Intake announces each change it makes to the listener of the calling context, and only there."""

from __future__ import annotations

import pytest

from intake import ErrorCode, IntakeError, IntakeService, Outcome, TicketState
from intake.changes import ChangeListener, listening
from intake.database import unit_of_work
from intake.outbox import Outbox
from tests.intake.conftest import People, file, new_ticket

STAFF_CHAT = -1001234567890


def recorder(heard: list[Outcome]) -> ChangeListener:
    async def listen(outcome: Outcome) -> None:
        heard.append(outcome)

    return listen


async def test_each_change_is_announced_once_made_with_the_outcome_it_returns(
    service: IntakeService, people: People
) -> None:
    heard: list[tuple[Outcome, TicketState]] = []

    async def listen(outcome: Outcome) -> None:
        # The change is made by the time it is heard: the listener reads it back.
        ticket = await service.get_ticket(people.admin, outcome.ticket.number)
        heard.append((outcome, ticket.state))

    with listening(listen):
        filed = await file(service, people.villager)
        number = filed.ticket.number
        accepted = await service.accept(people.grid, number)
        said = await service.post_message(people.grid, number, "先打电话问问。", internal=True)

    assert heard == [
        (filed, TicketState.NEW),
        (accepted, TicketState.ACCEPTED),
        (said, TicketState.ACCEPTED),
    ]
    assert said.events == () and said.message is not None  # a message alone is a change too


async def test_nothing_is_announced_outside_a_listening_block(
    service: IntakeService, people: People
) -> None:
    heard: list[Outcome] = []
    with listening(recorder(heard)):
        number = (await file(service, people.villager)).ticket.number

    await service.accept(people.grid, number)

    assert [outcome.ticket.state for outcome in heard] == [TicketState.NEW]


async def test_a_refused_change_and_a_change_of_nothing_are_not_announced(
    service: IntakeService, people: People
) -> None:
    heard: list[Outcome] = []
    ticket = new_ticket()
    with listening(recorder(heard)):
        first = await service.file_ticket(people.villager, ticket)
        again = await service.file_ticket(people.villager, ticket)
        with pytest.raises(IntakeError) as refused:
            await service.accept(people.villager, first.ticket.number)
        swept = await service.close_unrated()

    assert again.ticket.number == first.ticket.number and again.events == ()
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert swept == []
    assert heard == [first]


async def test_what_the_listener_writes_commits_or_rolls_back_with_the_change(
    service: IntakeService, people: People
) -> None:
    outbox = Outbox(service.engine)
    number = (await file(service, people.villager)).ticket.number

    async def notify(outcome: Outcome) -> None:
        await outbox.add(STAFF_CHAT, "sendMessage", {"text": outcome.ticket.state.label})

    with pytest.raises(RuntimeError, match="later in the batch"):
        async with unit_of_work(service.engine):
            with listening(notify):
                await service.accept(people.grid, number)
            raise RuntimeError("later in the batch")

    assert (await service.get_ticket(people.admin, number)).state is TicketState.NEW
    assert await outbox.due(10) == []

    async with unit_of_work(service.engine):
        with listening(notify):
            await service.accept(people.grid, number)

    assert (await service.get_ticket(people.admin, number)).state is TicketState.ACCEPTED
    assert [letter.chat_id for letter in await outbox.due(10)] == [STAFF_CHAT]


async def test_a_failing_listener_fails_the_change_it_was_told_of(
    service: IntakeService, people: People
) -> None:
    number = (await file(service, people.villager)).ticket.number

    async def broken(outcome: Outcome) -> None:
        raise OSError("the outbox cannot be written")

    with pytest.raises(OSError, match="outbox"):
        async with unit_of_work(service.engine):
            with listening(broken):
                await service.accept(people.grid, number)

    assert (await service.get_ticket(people.admin, number)).state is TicketState.NEW
