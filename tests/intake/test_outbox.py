"""The durable outbox (:mod:`intake.outbox`), on every backend."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake.database import unit_of_work
from intake.models import OutboxMessage
from intake.outbox import (
    ERROR_MAX,
    KEEP_FINISHED,
    Delivery,
    Letter,
    Outbox,
    Regarding,
    Result,
    regarding,
)
from tests.intake.conftest import FakeClock

ALICE = 1001
BOB = 1002
STAFF = -1001234567890


@pytest.fixture
def outbox(engine: AsyncEngine, clock: FakeClock) -> Outbox:
    return Outbox(engine, clock=clock)


async def send(outbox: Outbox, chat_id: int, text: str) -> None:
    await outbox.add(chat_id, "sendMessage", {"chat_id": chat_id, "text": text})


async def row(engine: AsyncEngine, row_id: int) -> OutboxMessage:
    async with AsyncSession(engine) as session:
        found = await session.get(OutboxMessage, row_id)
    assert found is not None
    return found


def ids(letters: list[Letter]) -> list[int]:
    return [letter.id for letter in letters]


async def test_a_queued_call_is_committed_at_once_outside_a_unit_of_work(
    engine: AsyncEngine, outbox: Outbox
) -> None:
    await outbox.add(STAFF, "sendMessage", {"chat_id": STAFF, "text": "新工单 2026-000001"})

    # Another outbox on the same database reads it in its own transaction.
    assert await Outbox(engine).due(10) == [
        Letter(
            id=1,
            chat_id=STAFF,
            method="sendMessage",
            params={"chat_id": STAFF, "text": "新工单 2026-000001"},
            attempts=0,
            regarding=None,
        )
    ]


async def test_inside_a_unit_of_work_a_queued_call_commits_only_with_the_unit(
    engine: AsyncEngine, outbox: Outbox
) -> None:
    async with unit_of_work(engine):
        await send(outbox, ALICE, "已收到")
        # Another task has its own transaction, which cannot see the unit's write yet.
        elsewhere = await asyncio.create_task(outbox.counts())
    assert elsewhere[Delivery.PENDING] == 0
    assert (await outbox.counts())[Delivery.PENDING] == 1

    with pytest.raises(RuntimeError, match="handler failed"):
        async with unit_of_work(engine):
            await send(outbox, BOB, "已收到")
            raise RuntimeError("handler failed")
    assert [letter.chat_id for letter in await outbox.due(10)] == [ALICE]


async def test_only_the_first_pending_row_of_each_chat_is_due(
    outbox: Outbox, clock: FakeClock
) -> None:
    await send(outbox, ALICE, "一")  # 1
    await send(outbox, ALICE, "二")  # 2
    await send(outbox, BOB, "一")  # 3
    await send(outbox, STAFF, "一")  # 4

    assert ids(await outbox.due(10)) == [1, 3, 4]
    assert ids(await outbox.due(2)) == [1, 3]

    await outbox.record([Result(1, Delivery.SENT)])
    assert ids(await outbox.due(10)) == [2, 3, 4]

    # Bob's first row must wait; his later rows wait behind it, however due they are.
    await send(outbox, BOB, "二")  # 5
    await outbox.record([Result(3, Delivery.PENDING, retry_in=timedelta(seconds=30))])
    assert ids(await outbox.due(10)) == [2, 4]

    clock.advance(seconds=29)
    assert ids(await outbox.due(10)) == [2, 4]
    clock.advance(seconds=1)
    assert ids(await outbox.due(10)) == [2, 3, 4]

    # A row given up on no longer holds its chat back.
    await outbox.record([Result(3, Delivery.UNDELIVERABLE, error="Forbidden")])
    assert ids(await outbox.due(10)) == [2, 4, 5]


async def test_record_tracks_attempts_states_and_errors(
    engine: AsyncEngine, outbox: Outbox, clock: FakeClock
) -> None:
    for chat_id in (ALICE, BOB, STAFF, 1004):
        await send(outbox, chat_id, "你好")
    first = clock()
    clock.advance(seconds=1)
    second = clock()

    await outbox.record(
        [
            Result(1, Delivery.PENDING, retry_in=timedelta(seconds=5), error="Timed out"),
            Result(2, Delivery.UNDELIVERABLE, error="Forbidden: bot was blocked by the user"),
            Result(3, Delivery.FAILED, error="错误" * ERROR_MAX),
            Result(4, Delivery.PENDING, retry_in=timedelta(minutes=1)),
        ]
    )
    await outbox.record([])

    retried, blocked, refused, paused = [await row(engine, i) for i in (1, 2, 3, 4)]
    assert (retried.state, retried.attempts, retried.finished_at) == (Delivery.PENDING, 1, None)
    assert retried.next_attempt_at == second + timedelta(seconds=5)
    assert retried.last_error == "Timed out"
    assert (blocked.state, blocked.attempts, blocked.finished_at) == (
        Delivery.UNDELIVERABLE,
        1,
        second,
    )
    assert blocked.next_attempt_at == first
    assert blocked.last_error == "Forbidden: bot was blocked by the user"
    assert (refused.state, refused.finished_at) == (Delivery.FAILED, second)
    assert refused.last_error == ("错误" * ERROR_MAX)[:ERROR_MAX]
    assert (paused.state, paused.last_error) == (Delivery.PENDING, None)
    assert paused.next_attempt_at == second + timedelta(minutes=1)

    clock.advance(seconds=5)
    assert [(letter.id, letter.attempts) for letter in await outbox.due(10)] == [(1, 1)]
    clock.advance(seconds=1)
    await outbox.record([Result(1, Delivery.SENT)])
    delivered = await row(engine, 1)
    assert (delivered.state, delivered.attempts, delivered.last_error) == (Delivery.SENT, 2, None)
    assert delivered.finished_at == clock()


async def test_counts_every_state(outbox: Outbox) -> None:
    assert await outbox.counts() == dict.fromkeys(Delivery, 0)

    for chat_id in (ALICE, BOB, STAFF, 1004, 1005):
        await send(outbox, chat_id, "你好")
    await outbox.record(
        [
            Result(1, Delivery.SENT),
            Result(2, Delivery.SENT),
            Result(3, Delivery.FAILED, error="Bad Request: chat not found"),
            Result(4, Delivery.PENDING, retry_in=timedelta(seconds=1)),
        ]
    )

    assert await outbox.counts() == {
        Delivery.PENDING: 2,
        Delivery.SENT: 2,
        Delivery.UNDELIVERABLE: 0,
        Delivery.FAILED: 1,
    }


async def test_purge_forgets_only_rows_finished_long_enough_ago(
    outbox: Outbox, clock: FakeClock
) -> None:
    for chat_id in (ALICE, BOB, STAFF):
        await send(outbox, chat_id, "你好")
    await outbox.record([Result(1, Delivery.SENT)])
    clock.advance(days=1)
    await outbox.record([Result(2, Delivery.UNDELIVERABLE, error="Forbidden")])
    clock.advance(seconds=KEEP_FINISHED.total_seconds() - 24 * 3600 + 60)

    assert await outbox.purge() == 1
    assert await outbox.purge() == 0
    assert await outbox.counts() == {
        Delivery.PENDING: 1,
        Delivery.SENT: 0,
        Delivery.UNDELIVERABLE: 1,
        Delivery.FAILED: 0,
    }

    clock.advance(days=365)
    assert await outbox.purge() == 1
    # A pending row is never purged, however old.
    assert ids(await outbox.due(10)) == [3]


async def test_a_purged_rows_id_never_comes_back(outbox: Outbox, clock: FakeClock) -> None:
    # The chat page recognises a row delivered again by its id (intake.web_chat).
    await send(outbox, ALICE, "一")
    await send(outbox, BOB, "二")
    await outbox.record([Result(1, Delivery.SENT), Result(2, Delivery.SENT)])
    clock.advance(days=KEEP_FINISHED.days + 1)
    assert await outbox.purge() == 2
    await send(outbox, ALICE, "三")
    assert ids(await outbox.due(10)) == [3]


async def test_rows_queued_inside_regarding_are_about_the_ticket(outbox: Outbox) -> None:
    await send(outbox, ALICE, "无关")
    with regarding("2026-000001", "filed"):
        await send(outbox, BOB, "已登记")
        with regarding("2026-000002", "reply"):
            await send(outbox, STAFF, "答复")
        await send(outbox, 1004, "又一条")
    with pytest.raises(RuntimeError), regarding("2026-000003", "closed"):
        raise RuntimeError
    await send(outbox, 1005, "之后")

    assert [letter.regarding for letter in await outbox.due(10)] == [
        None,
        Regarding("2026-000001", "filed"),
        Regarding("2026-000002", "reply"),
        Regarding("2026-000001", "filed"),
        None,
    ]
