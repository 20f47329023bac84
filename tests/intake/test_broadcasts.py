"""普法 broadcasts (:mod:`intake.broadcasts`), on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake.broadcasts import Broadcasts, Planned
from intake.database import unit_of_work
from intake.models import OutboxMessage
from intake.outbox import Delivery, Outbox, Result
from intake.subscriptions import Subscriptions
from tests.intake.conftest import FakeClock

ALICE = 1001
BOB = 1002
CAROL = 1003


@pytest.fixture
def broadcasts(engine: AsyncEngine, clock: FakeClock) -> Broadcasts:
    return Broadcasts(engine, clock=clock)


@pytest.fixture
async def subscribed(engine: AsyncEngine, clock: FakeClock) -> Subscriptions:
    subscriptions = Subscriptions(engine, clock=clock)
    await subscriptions.subscribe(ALICE, ["land", "marriage"])
    await subscriptions.subscribe(BOB, ["land"])
    await subscriptions.subscribe(CAROL, ["consumer"])
    return subscriptions


def planned(clock: FakeClock, key: str = "day:land_session:2027-06-25", **later: float) -> Planned:
    return Planned(key, "land_session", "land", "征地要公告三十天。", clock() + timedelta(**later))


async def queued(engine: AsyncEngine) -> list[tuple[int, int | None, str]]:
    async with AsyncSession(engine) as session:
        rows = await session.execute(
            select(
                OutboxMessage.chat_id, OutboxMessage.broadcast_id, OutboxMessage.params
            ).order_by(OutboxMessage.id)
        )
        return [(chat, broadcast, params["text"]) for chat, broadcast, params in rows]


async def test_a_due_broadcast_goes_once_to_each_chat_subscribed_to_its_topic(
    engine: AsyncEngine, broadcasts: Broadcasts, clock: FakeClock, subscribed: Subscriptions
) -> None:
    assert await broadcasts.plan(planned(clock))

    assert await broadcasts.send_out_due() == 2
    # Sending out again, or planning the same key again, queues nothing more.
    assert await broadcasts.send_out_due() == 0
    assert not await broadcasts.plan(planned(clock))
    assert await broadcasts.send_out_due() == 0

    assert await queued(engine) == [
        (ALICE, 1, "征地要公告三十天。"),
        (BOB, 1, "征地要公告三十天。"),
    ]


async def test_a_broadcast_waits_for_its_time(
    engine: AsyncEngine, broadcasts: Broadcasts, clock: FakeClock, subscribed: Subscriptions
) -> None:
    await broadcasts.plan(planned(clock, hours=2))
    assert await broadcasts.send_out_due() == 0
    [waiting] = await broadcasts.listing(10)
    assert waiting.sent_out_at is None and waiting.planned == 0

    clock.advance(hours=2)
    assert await broadcasts.send_out_due() == 2
    [sent] = await broadcasts.listing(10)
    assert sent.sent_out_at == clock()


async def test_a_chat_that_already_has_the_broadcast_is_not_queued_again(
    engine: AsyncEngine, broadcasts: Broadcasts, clock: FakeClock, subscribed: Subscriptions
) -> None:
    # A second process sent the broadcast out in a transaction this one could not see: the
    # unique key per broadcast and chat refuses the duplicate, and the whole round rolls back.
    await broadcasts.plan(planned(clock))
    await broadcasts.send_out_due()
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(
            OutboxMessage.__table__.update().values(broadcast_id=1).where(OutboxMessage.id == 1)
        )
    async with unit_of_work(engine):
        assert await broadcasts.send_out_due() == 0
    assert len(await queued(engine)) == 2


async def test_listing_counts_planned_delivered_and_failed(
    engine: AsyncEngine, broadcasts: Broadcasts, clock: FakeClock, subscribed: Subscriptions
) -> None:
    await broadcasts.plan(planned(clock))
    await broadcasts.send_out_due()
    await broadcasts.plan(planned(clock, key="extra:consumer_day:20270315T0900", minutes=5))
    outbox = Outbox(engine, clock=clock)
    first, second = await outbox.due(10)
    await outbox.record(
        [Result(first.id, Delivery.SENT), Result(second.id, Delivery.UNDELIVERABLE, error="x")]
    )

    later, earlier = await broadcasts.listing(10)
    assert (later.key, later.planned, later.delivered, later.failed) == (
        "extra:consumer_day:20270315T0900",
        0,
        0,
        0,
    )
    assert (earlier.piece, earlier.topic, earlier.planned, earlier.delivered, earlier.failed) == (
        "land_session",
        "land",
        2,
        1,
        1,
    )


async def test_broadcast_rows_outlive_the_purge_and_queue_after_replies(
    engine: AsyncEngine, broadcasts: Broadcasts, clock: FakeClock, subscribed: Subscriptions
) -> None:
    outbox = Outbox(engine, clock=clock)
    await broadcasts.plan(planned(clock))
    await broadcasts.send_out_due()
    await outbox.add(CAROL, "sendMessage", {"chat_id": CAROL, "text": "答复"})
    letters = await outbox.due(10)
    # The reply, queued last, comes first: a broadcast never holds up a reply.
    assert [(letter.chat_id, letter.bulk) for letter in letters] == [
        (CAROL, False),
        (ALICE, True),
        (BOB, True),
    ]
    await outbox.record([Result(letter.id, Delivery.SENT) for letter in letters])

    clock.advance(days=30)
    assert await outbox.purge() == 1
    [summary] = await broadcasts.listing(10)
    assert summary.delivered == 2
