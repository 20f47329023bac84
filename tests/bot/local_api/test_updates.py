import asyncio

import pytest

from bot.local_api.errors import ApiError
from bot.local_api.updates import UpdateQueue


async def _queue_with(count: int) -> UpdateQueue:
    queue = UpdateQueue()
    for number in range(count):
        await queue.push("message", {"n": number})
    return queue


def _ids(updates: list[dict[str, object]]) -> list[object]:
    return [update["update_id"] for update in updates]


async def test_ids_count_up_and_updates_stay_until_confirmed() -> None:
    queue = await _queue_with(3)
    assert _ids(await queue.poll()) == [1, 2, 3]
    assert _ids(await queue.poll()) == [1, 2, 3]
    assert _ids(await queue.poll(offset=3)) == [3]
    assert _ids(await queue.poll(offset=4)) == []
    await queue.push("message", {})
    assert _ids(await queue.poll(offset=2)) == [4]


async def test_negative_offset_keeps_only_the_last_updates() -> None:
    queue = await _queue_with(5)
    assert _ids(await queue.poll(offset=-2)) == [4, 5]
    assert _ids(await queue.poll()) == [4, 5]


async def test_limit_is_clamped() -> None:
    queue = await _queue_with(3)
    assert _ids(await queue.poll(limit=2)) == [1, 2]
    assert _ids(await queue.poll(limit=0)) == [1]


async def test_long_poll_returns_as_soon_as_an_update_arrives() -> None:
    queue = UpdateQueue()
    poll = asyncio.create_task(queue.poll(timeout=60))
    await asyncio.sleep(0)  # let the poll start waiting
    assert not poll.done()
    await queue.push("message", {"text": "hi"})
    async with asyncio.timeout(5):
        assert _ids(await poll) == [1]


async def test_long_poll_times_out_empty() -> None:
    assert await UpdateQueue().poll(timeout=0.01) == []


async def test_a_newer_poll_ends_the_older_with_a_conflict() -> None:
    queue = UpdateQueue()
    older = asyncio.create_task(queue.poll(timeout=60))
    await asyncio.sleep(0)
    newer = asyncio.create_task(queue.poll(timeout=60))
    async with asyncio.timeout(5):
        with pytest.raises(ApiError, match="terminated by other getUpdates") as raised:
            await older
    assert raised.value.code == 409
    await queue.close()
    async with asyncio.timeout(5):
        assert await newer == []


async def test_allowed_updates_filter_new_updates() -> None:
    queue = UpdateQueue()
    assert queue.accepts("message") and not queue.accepts("chat_member")
    queue.allow(["callback_query"])
    assert await queue.push("message", {}) is None
    assert await queue.push("callback_query", {}) is not None
    assert queue.allowed_updates == ["callback_query"]
    queue.allow([])
    assert queue.accepts("message") and not queue.accepts("message_reaction")


async def test_next_pending_waits_for_an_update() -> None:
    queue = UpdateQueue()
    waiter = asyncio.create_task(queue.next_pending())
    await asyncio.sleep(0)
    assert not waiter.done()
    await queue.push("message", {"text": "x"})
    async with asyncio.timeout(5):
        assert (await waiter)["update_id"] == 1


async def test_drop_pending_forgets_everything() -> None:
    queue = await _queue_with(2)
    queue.drop_pending()
    assert queue.pending == []
