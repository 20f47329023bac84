"""普法 subscriptions (:mod:`intake.subscriptions`), on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake.broadcasts import Broadcasts, Planned
from intake.models import OutboxMessage
from intake.outbox import Outbox
from intake.subscriptions import Subscriptions
from tests.intake.conftest import FakeClock

ALICE = 1001
BOB = 1002
ALL = ("marriage", "land", "neighbor")


@pytest.fixture
def subscriptions(engine: AsyncEngine, clock: FakeClock) -> Subscriptions:
    return Subscriptions(engine, clock=clock)


async def test_a_chat_subscribes_with_its_topics_and_keeps_them_when_it_subscribes_again(
    subscriptions: Subscriptions,
) -> None:
    assert await subscriptions.topics(ALICE) is None

    assert await subscriptions.subscribe(ALICE, ALL) == frozenset(ALL)
    assert await subscriptions.toggle(ALICE, "land") == {"marriage", "neighbor"}
    # /dingyue again shows the topics chosen; it does not reset them.
    assert await subscriptions.subscribe(ALICE, ALL) == {"marriage", "neighbor"}
    assert await subscriptions.topics(BOB) is None
    assert await subscriptions.count() == 1


async def test_toggle_adds_and_removes_a_topic_only_for_a_subscriber(
    subscriptions: Subscriptions,
) -> None:
    assert await subscriptions.toggle(ALICE, "land") is None
    assert await subscriptions.topics(ALICE) is None

    await subscriptions.subscribe(ALICE, ["marriage"])
    assert await subscriptions.toggle(ALICE, "land") == {"marriage", "land"}
    assert await subscriptions.toggle(ALICE, "marriage") == {"land"}
    assert await subscriptions.topics(ALICE) == {"land"}


async def test_unsubscribing_stops_what_is_queued_but_not_other_messages(
    engine: AsyncEngine, subscriptions: Subscriptions, clock: FakeClock
) -> None:
    await subscriptions.subscribe(ALICE, ALL)
    await subscriptions.subscribe(BOB, ALL)
    await Outbox(engine, clock=clock).add(ALICE, "sendMessage", {"chat_id": ALICE, "text": "答复"})
    broadcasts = Broadcasts(engine, clock=clock)
    await broadcasts.plan(Planned("day:x:2027-03-15", "x", "land", "普法", clock()))
    assert await broadcasts.send_out_due() == 2

    assert await subscriptions.unsubscribe(ALICE) is True
    assert await subscriptions.unsubscribe(ALICE) is False

    assert await subscriptions.topics(ALICE) is None
    assert await subscriptions.count() == 1
    async with AsyncSession(engine) as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.params))).all()
    # The reply stays; Alice's push is gone, Bob's is still queued.
    assert sorted((chat, params["text"]) for chat, params in rows) == [
        (ALICE, "答复"),
        (BOB, "普法"),
    ]
