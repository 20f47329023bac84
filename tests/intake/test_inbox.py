"""The durable inbox (:mod:`intake.inbox`), on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.inbox import KEEP_DONE, Inbox, Received
from tests.intake.conftest import FakeClock

BOT_ID = 5001


@pytest.fixture
def inbox(engine: AsyncEngine, clock: FakeClock) -> Inbox:
    return Inbox(engine, BOT_ID, clock=clock)


def update(update_id: int, text: str = "你好") -> Received:
    return Received(update_id, {"update_id": update_id, "message": {"text": text}})


async def test_an_update_sent_twice_is_stored_once(inbox: Inbox) -> None:
    assert await inbox.add([update(1), update(2)]) == 2
    assert await inbox.add([update(1, "又一次"), update(2, "又一次")]) == 0
    assert await inbox.add([update(2), update(3), update(4)]) == 2
    assert await inbox.add([update(5), update(5)]) == 1
    assert await inbox.add([]) == 0

    pending = await inbox.pending(10)
    assert [u.update_id for u in pending] == [1, 2, 3, 4, 5]
    # A duplicate never replaces what was first stored.
    assert pending[0] == update(1)


async def test_pending_is_in_update_id_order_and_limited(inbox: Inbox) -> None:
    await inbox.add([update(30), update(10)])
    await inbox.add([update(20)])

    assert [u.update_id for u in await inbox.pending(10)] == [10, 20, 30]
    assert [u.update_id for u in await inbox.pending(2)] == [10, 20]
    assert await inbox.count_pending() == 3


async def test_done_updates_leave_pending_and_their_duplicates_are_still_recognised(
    inbox: Inbox,
) -> None:
    await inbox.add([update(1), update(2), update(3)])

    await inbox.mark_done([1, 3])
    await inbox.mark_done([])

    assert [u.update_id for u in await inbox.pending(10)] == [2]
    assert await inbox.count_pending() == 1
    assert await inbox.add([update(3)]) == 0
    assert [u.update_id for u in await inbox.pending(10)] == [2]


async def test_purge_forgets_only_updates_done_long_enough_ago(
    inbox: Inbox, clock: FakeClock
) -> None:
    await inbox.add([update(1), update(2), update(3)])
    await inbox.mark_done([1])
    clock.advance(days=1)
    await inbox.mark_done([2])
    clock.advance(seconds=KEEP_DONE.total_seconds() - 24 * 3600 + 60)

    assert await inbox.purge() == 1
    assert await inbox.purge() == 0
    # Update 2 is still known; update 1 is forgotten, so it would count as new again.
    assert await inbox.add([update(2)]) == 0
    assert await inbox.add([update(1)]) == 1

    clock.advance(days=365)
    assert await inbox.purge() == 1
    # Pending updates are never purged, however old.
    assert [u.update_id for u in await inbox.pending(10)] == [1, 3]


async def test_the_payload_comes_back_exactly_as_received(inbox: Inbox) -> None:
    payload: dict[str, Any] = {
        "update_id": 7,
        "message": {
            "message_id": 42,
            "chat": {"id": -1001234567890, "type": "supergroup", "title": "明白·调解群"},
            "from": {"id": 9_007_199_254_740_993, "is_bot": False, "first_name": "张三 🌾"},
            "text": "邻居占了我家的路\n\t“怎么办？” \\ \u0000 end",
            "location": {"latitude": 30.123456789, "longitude": 120.5},
            "entities": [],
            "caption": None,
        },
    }

    await inbox.add([Received(7, payload)])

    assert await inbox.pending(1) == [Received(7, payload)]


async def test_an_inbox_reads_the_scopes_it_handles_with_its_own(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    web = Inbox(engine, -1, clock=clock)
    both = Inbox(engine, BOT_ID, clock=clock, also=(-1,))
    await web.add([update(1 << 52)])
    await both.add([update(7)])
    await Inbox(engine, BOT_ID + 1, clock=clock).add([update(8)])

    assert [u.update_id for u in await both.pending(10)] == [7, 1 << 52]
    assert await both.count_pending() == 2
    assert (await both.scope_of(1 << 52), await both.scope_of(7)) == (-1, BOT_ID)
    assert await both.record_failure(1 << 52, "boom") == 1
    await both.mark_done([7, 1 << 52])
    assert await both.count_pending() == 0
    assert await web.count_pending() == 0
