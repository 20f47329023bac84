import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.local_api.errors import ApiError
from bot.local_api.updates import UpdateQueue
from bot.local_api.webhook import SECRET_HEADER, Webhook

DROP_CONNECTION = 599


@dataclass
class Receiver:
    """A webhook endpoint answering with ``statuses`` in turn, then 200."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = field(
        default_factory=asyncio.Queue
    )

    async def handle(self, request: web.Request) -> web.Response:
        await self.received.put((await request.json(), request.headers.get(SECRET_HEADER)))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == DROP_CONNECTION and request.transport is not None:
            request.transport.close()
        return web.Response(status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        receiver.url = str(server.make_url("/hook"))
        yield receiver


@pytest.fixture
async def queue() -> UpdateQueue:
    return UpdateQueue()


@pytest.fixture
async def webhook(queue: UpdateQueue) -> AsyncIterator[Webhook]:
    webhook = Webhook(queue, max_retry_delay=0.1, timeout=5)
    yield webhook
    await webhook.close()


async def _next(receiver: Receiver) -> tuple[dict[str, Any], str | None]:
    async with asyncio.timeout(5):
        return await receiver.received.get()


async def test_updates_are_posted_in_order_with_the_secret(
    receiver: Receiver, queue: UpdateQueue, webhook: Webhook
) -> None:
    await queue.push("message", {"text": "early"})
    await webhook.set(receiver.url, secret_token="s3cret_-")
    await queue.push("message", {"text": "late"})
    first, secret = await _next(receiver)
    second, _ = await _next(receiver)
    assert (first["message"]["text"], second["message"]["text"]) == ("early", "late")
    assert secret == "s3cret_-"
    await queue.push("message", {"text": "third"})
    await _next(receiver)
    # Delivery is one at a time: the third is posted only once the first two are confirmed.
    assert [update["update_id"] for update in queue.pending] in ([], [3])


async def test_failed_deliveries_are_retried_and_reported(
    receiver: Receiver, queue: UpdateQueue, webhook: Webhook
) -> None:
    receiver.statuses = [500, 502]
    await webhook.set(receiver.url)
    await queue.push("message", {"text": "x"})
    attempts = [await _next(receiver) for _ in range(3)]
    assert [update["update_id"] for update, _ in attempts] == [1, 1, 1]
    info = webhook.info()
    assert info["url"] == receiver.url
    assert "502" in info["last_error_message"]


async def test_dropped_connections_are_retried(
    receiver: Receiver, queue: UpdateQueue, webhook: Webhook
) -> None:
    receiver.statuses = [DROP_CONNECTION]
    await webhook.set(receiver.url)
    await queue.push("message", {})
    dropped, _ = await _next(receiver)
    retried, _ = await _next(receiver)
    assert dropped["update_id"] == retried["update_id"] == 1
    assert webhook.last_error_message is not None
    assert webhook.last_error_message.startswith("Connection failed")


async def test_delete_leaves_pending_updates_for_get_updates(
    queue: UpdateQueue, webhook: Webhook
) -> None:
    await webhook.set("http://localhost:9/hook", allowed_updates=["message"])
    assert webhook.active and webhook.info()["allowed_updates"] == ["message"]
    await webhook.delete()
    await queue.push("message", {})
    assert not webhook.active
    assert webhook.info() == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}


@pytest.mark.parametrize(
    "url", ["https://example.com/hook", "http://10.0.0.1/hook", "ftp://127.0.0.1/x", "nonsense"]
)
async def test_only_loopback_urls_are_accepted(webhook: Webhook, url: str) -> None:
    with pytest.raises(ApiError, match="bad webhook"):
        await webhook.set(url)
    assert not webhook.active


async def test_malformed_secret_is_refused(webhook: Webhook) -> None:
    with pytest.raises(ApiError, match="secret token"):
        await webhook.set("http://127.0.0.1:9/hook", secret_token="有空格 ")
