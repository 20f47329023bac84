"""Cards kept current (:mod:`intake.cards`) with the outbox, on every backend."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from intake import IntakeService
from intake.cards import CardPlace, CardPlaces
from intake.outbox import Delivery, Outbox, Result, showing_card
from tests.intake.conftest import FakeClock, People, accepted

STAFF = -1001234567890
OFFICER = 1001
NUMBER = "2026-000001"


async def test_an_edit_goes_to_the_message_the_card_was_sent_as(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    places, outbox = CardPlaces(engine, clock=clock), Outbox(engine, clock=clock)
    key = await places.shown(NUMBER, STAFF)
    with showing_card(key):
        await outbox.add(STAFF, "sendMessage", {"chat_id": STAFF, "text": "卡片"})
        await outbox.add(STAFF, "editMessageText", {"chat_id": STAFF, "text": "新卡片"})
    [send] = await outbox.due(10)
    assert send.card_key == key and "message_id" not in send.params
    assert not await places.is_shown(STAFF, 42)

    await outbox.record([Result(send.id, Delivery.SENT, card_key=key, message_id=42)])
    assert await places.is_shown(STAFF, 42)
    [edit] = await outbox.due(10)
    assert edit.params == {"chat_id": STAFF, "text": "新卡片", "message_id": 42}


async def test_retired_cards_are_no_longer_kept_current(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    places = CardPlaces(engine, clock=clock)
    group = await places.shown(NUMBER, STAFF)
    clock.advance(minutes=1)
    private = await places.shown(NUMBER, OFFICER)
    await places.shown("2026-000002", STAFF)
    assert await places.of(NUMBER) == [
        CardPlace(group, NUMBER, STAFF),
        CardPlace(private, NUMBER, OFFICER),
    ]
    await places.retire(group)
    assert await places.of(NUMBER) == [CardPlace(private, NUMBER, OFFICER)]
    assert await places.find(group) is None


async def test_an_edit_of_a_card_never_sent_goes_without_a_message_id(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    places, outbox = CardPlaces(engine, clock=clock), Outbox(engine, clock=clock)
    key = await places.shown(NUMBER, OFFICER)
    with showing_card(key):
        await outbox.add(OFFICER, "sendMessage", {"chat_id": OFFICER, "text": "卡片"})
        await outbox.add(OFFICER, "editMessageText", {"chat_id": OFFICER, "text": "新卡片"})
    [send] = await outbox.due(10)
    await outbox.record([Result(send.id, Delivery.UNDELIVERABLE, error="Forbidden")])
    [edit] = await outbox.due(10)
    assert "message_id" not in edit.params


async def test_cards_of_finished_tickets_are_purged_once_nothing_waits_on_them(
    engine: AsyncEngine, clock: FakeClock, service: IntakeService, people: People
) -> None:
    places, outbox = CardPlaces(engine, clock=clock), Outbox(engine, clock=clock)
    number = await accepted(service, people)
    open_number = await accepted(service, people)
    card = await places.shown(number, STAFF)
    await places.shown(open_number, STAFF)
    await service.reply(people.officer, number, "已解决。")
    await service.request_feedback(people.officer, number)
    await service.close(people.officer, number, reason="村民电话里说满意。")
    with showing_card(card):
        await outbox.add(STAFF, "editMessageText", {"chat_id": STAFF, "text": "已办结"})
    assert await places.purge() == 0  # the last edit still needs the card's message

    [edit] = await outbox.due(10)
    await outbox.record([Result(edit.id, Delivery.SENT)])
    assert await places.purge() == 1
    assert await places.of(number) == []
    assert len(await places.of(open_number)) == 1
