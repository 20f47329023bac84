"""Dead letters (:mod:`intake.dead_letters`) and the inbox and outbox rows they set aside."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.dead_letters import DeadLetters, Origin
from intake.inbox import Inbox, Received
from intake.models import OutboxMessage
from intake.outbox import Delivery, Outbox
from tests.intake.conftest import Backend, FakeClock

BOT_ID = 5001
OTHER_BOT_ID = 5002
ALICE = 1001


@pytest.fixture
def dead_letters(engine: AsyncEngine, clock: FakeClock) -> DeadLetters:
    return DeadLetters(engine, clock=clock)


@pytest.fixture
def inbox(engine: AsyncEngine, clock: FakeClock) -> Inbox:
    return Inbox(engine, BOT_ID, clock=clock)


def update(update_id: int, text: str = "你好") -> Received:
    return Received(update_id, {"update_id": update_id, "message": {"text": text}})


async def test_a_rejected_update_is_kept_as_received_and_cannot_be_retried(
    dead_letters: DeadLetters, clock: FakeClock
) -> None:
    letter_id = await dead_letters.reject("{不是 JSON", "not JSON: JSONDecodeError", bot_id=BOT_ID)

    [letter] = await dead_letters.listing(10)
    assert (letter.id, letter.origin, letter.update_id) == (letter_id, Origin.REJECTED, None)
    assert (letter.raw, letter.error, letter.created_at) == (
        "{不是 JSON",
        "not JSON: JSONDecodeError",
        clock(),
    )
    assert not letter.retryable
    assert not await dead_letters.retry(letter_id)
    assert await dead_letters.count() == 1


async def test_a_buried_update_leaves_the_inbox_and_a_retry_puts_it_back_pending(
    inbox: Inbox, dead_letters: DeadLetters
) -> None:
    await inbox.add([update(1), update(2, "毒")])
    assert await inbox.record_failure(2, "ValueError: bad") == 1
    assert await inbox.record_failure(2, "ValueError: bad") == 2

    await dead_letters.bury_update(BOT_ID, 2, "ValueError: bad")

    assert [u.update_id for u in await inbox.pending(10)] == [1]
    [letter] = await dead_letters.listing(10)
    assert letter.origin is Origin.UPDATE
    assert json.loads(letter.raw) == update(2, "毒").payload
    assert (letter.update_id, letter.error, letter.retryable) == (2, "ValueError: bad", True)
    # Buried, it is still known: Telegram sending it again does not make it new.
    assert await inbox.add([update(2)]) == 0

    assert await dead_letters.retry(letter.id)
    assert [u.update_id for u in await inbox.pending(10)] == [1, 2]
    assert await inbox.record_failure(2, "ValueError: bad") == 1
    assert await dead_letters.count() == 0
    assert not await dead_letters.retry(letter.id)


async def test_update_ids_are_scoped_by_bot(engine: AsyncEngine, inbox: Inbox) -> None:
    other = Inbox(engine, OTHER_BOT_ID)
    await inbox.add([update(1), update(2)])
    await inbox.mark_done([1, 2])

    # Another bot (or a local Bot API started again) numbers its updates from 1 too.
    assert await other.add([update(1, "另一个机器人")]) == 1
    assert [u.payload["message"]["text"] for u in await other.pending(10)] == ["另一个机器人"]
    assert await inbox.pending(10) == []
    assert await other.count_pending() == 1
    assert await inbox.count_pending() == 0


async def test_oldest_pending_tells_how_long_the_inbox_has_waited(
    inbox: Inbox, clock: FakeClock
) -> None:
    assert await inbox.oldest_pending() is None
    first = clock()
    await inbox.add([update(1)])
    clock.advance(seconds=30)
    await inbox.add([update(2)])
    assert await inbox.oldest_pending() == first
    await inbox.mark_done([1])
    assert await inbox.oldest_pending() == first + timedelta(seconds=30)


async def test_staff_are_told_of_each_dead_letter_once(
    dead_letters: DeadLetters, clock: FakeClock
) -> None:
    first = await dead_letters.reject("a", "not JSON")
    second = await dead_letters.reject("b", "not JSON")
    assert [letter.id for letter in await dead_letters.unreported()] == [first, second]

    await dead_letters.mark_reported([first, second])
    third = await dead_letters.reject("c", "not JSON")
    assert [letter.id for letter in await dead_letters.unreported()] == [third]

    assert await dead_letters.discard(first)
    assert not await dead_letters.discard(first)
    assert [letter.id for letter in await dead_letters.listing(10)] == [third, second]


async def test_an_outbox_row_the_relay_cannot_read_is_a_dead_letter_and_the_rest_goes_on(
    engine: AsyncEngine, backend: Backend, dead_letters: DeadLetters, clock: FakeClock
) -> None:
    outbox = Outbox(engine, clock=clock)
    bad_rows = [{"chat_id": ALICE, "params": [1, 2]}]
    if backend.name == "sqlite":
        # SQLite stores whatever it is given; PostgreSQL refuses a chat id that is no number.
        bad_rows.append({"chat_id": "abc", "params": {"chat_id": "abc", "text": "你好"}})
    async with engine.begin() as connection:
        for bad in bad_rows:
            await connection.execute(
                insert(OutboxMessage).values(
                    method="sendMessage",
                    state=Delivery.PENDING,
                    attempts=0,
                    created_at=clock(),
                    next_attempt_at=clock(),
                    **bad,
                )
            )
    await outbox.add(ALICE, "sendMessage", {"chat_id": ALICE, "text": "好的"})

    # The round that meets a bad row sets it aside; the next offers what was queued behind it.
    assert await outbox.due(10) == []
    assert [letter.params["text"] for letter in await outbox.due(10)] == ["好的"]
    letters = await dead_letters.listing(10)
    assert {letter.origin for letter in letters} == {Origin.OUTBOX}
    assert len(letters) == len(bad_rows)
    async with engine.connect() as connection:
        states = (await connection.execute(select(OutboxMessage.state))).scalars().all()
    assert sorted(states) == sorted([Delivery.FAILED] * len(bad_rows) + [Delivery.PENDING])

    # Retried, the row is pending again (and set aside again, as it is no better).
    assert await dead_letters.retry(letters[-1].id)
    assert await outbox.due(10) == []
    assert [letter.params["text"] for letter in await outbox.due(10)] == ["好的"]
    assert await dead_letters.count() == len(bad_rows)
