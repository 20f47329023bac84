import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError

from bot.local_api import LocalBotApi
from bot.pipeline import Lead, Pipeline
from bot.server import HEALTH_PATH, SECRET_HEADER, WEBHOOK_PATH, build_server
from bot.services import Runtime, open_runtime
from bot.settings import Settings
from bot.web_chat.app import ADDRESS_FACTOR
from intake.inbox import Received
from intake.leadership import leadership
from tests.e2e.test_database_outage import until

SECRET = "s3cret-token"
CONSOLE_URL = "http://127.0.0.1/console"
# The webhook never calls the Bot API; nothing listens here.
UNREACHABLE_API = "http://127.0.0.1:9/bot"
UPDATE = {
    "update_id": 41,
    "message": {
        "message_id": 1,
        "date": 1767225600,
        "chat": {"id": 5, "type": "private", "first_name": "张三"},
        "from": {"id": 5, "is_bot": False, "first_name": "张三"},
        "text": "彩礼能要回来吗",
    },
}

Client = TestClient[Any, Any]


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(Settings(data_dir=tmp_path)) as opened:
        yield opened


def pipeline_for(runtime: Runtime, token: str, base_url: str, base_file_url: str) -> Pipeline:
    return Pipeline(
        runtime,
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        console_url=CONSOLE_URL,
    )


@pytest.fixture
def pipeline(runtime: Runtime) -> Pipeline:
    return pipeline_for(runtime, "1:abc", UNREACHABLE_API, UNREACHABLE_API)


@pytest.fixture
async def client(pipeline: Pipeline, runtime: Runtime) -> AsyncIterator[Client]:
    server = build_server(
        pipeline, runtime.services, console_url=CONSOLE_URL, webhook_secret=SECRET
    )
    async with TestClient(TestServer(server)) as test_client:
        yield test_client


async def test_an_update_is_stored_before_it_is_acknowledged(
    client: Client, pipeline: Pipeline
) -> None:
    response = await client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    assert await response.json() == {"ok": True}
    assert await pipeline.inbox.pending(10) == [Received(41, UPDATE)]


async def test_an_update_sent_again_is_stored_once(client: Client, pipeline: Pipeline) -> None:
    for _ in range(2):
        response = await client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: SECRET})
        assert response.status == 200
    assert await pipeline.inbox.count_pending() == 1


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_without_the_right_secret_nothing_is_stored(
    client: Client, pipeline: Pipeline, headers: dict[str, str]
) -> None:
    response = await client.post(WEBHOOK_PATH, json=UPDATE, headers=headers)
    assert response.status == 403
    assert await pipeline.inbox.count_pending() == 0


def with_message(**changes: object) -> bytes:
    message = {**UPDATE["message"], **changes}  # type: ignore[dict-item]
    return json.dumps({"update_id": 42, "message": message}).encode()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"no": "update"}',
        b'{"update_id": "x"}',
        b'{"update_id": 1000000000000000000000000000000}',
        b'{"update_id": -1}',
        b"[" * 200_000 + b"]" * 200_000,
        b'{"update_id": 7, "message": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001,
        with_message(chat={"id": "abc", "type": "private"}),
        with_message(date=None),
        with_message(message_id=2**70),
    ],
    ids=lambda body: body[:40].decode(errors="replace"),
)
async def test_a_body_that_is_not_an_update_is_a_dead_letter_at_once(
    client: Client, pipeline: Pipeline, body: bytes
) -> None:
    response = await client.post(
        WEBHOOK_PATH, data=body, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    )
    # Acknowledged, so Telegram does not send it again; kept, so nothing is lost.
    assert response.status == 200
    assert await pipeline.inbox.count_pending() == 0
    [letter] = await pipeline.dead_letters.listing(10)
    assert letter.raw == body.decode(errors="replace")
    assert not letter.retryable


async def test_an_update_that_cannot_be_stored_is_not_acknowledged(
    client: Client, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_away(updates: Sequence[Received]) -> int:
        raise OperationalError("INSERT INTO inbox_updates", {}, Exception("database is locked"))

    monkeypatch.setattr(pipeline.inbox, "add", database_away)
    response = await client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: SECRET})
    # Telegram sends an update again until it is answered with 200.
    assert response.status == 503
    monkeypatch.undo()
    assert await pipeline.inbox.count_pending() == 0


async def test_health_is_unavailable_while_the_bot_does_not_run(client: Client) -> None:
    response = await client.get(HEALTH_PATH)
    assert response.status == 503
    health = await response.json()
    assert (health["status"], health["lead"], health["processing"], health["relaying"]) == (
        "stopped",
        "starting",
        False,
        False,
    )


async def test_health_is_ok_while_the_bot_runs(runtime: Runtime) -> None:
    async with LocalBotApi() as api:
        pipeline = pipeline_for(runtime, api.token, api.base_url, api.base_file_url)
        server = build_server(pipeline, runtime.services, console_url=CONSOLE_URL)
        started = asyncio.Event()
        running = asyncio.create_task(pipeline.run(started))
        async with TestClient(TestServer(server)) as client:
            try:
                await asyncio.wait_for(started.wait(), timeout=10)
                response = await client.get(HEALTH_PATH)
                assert response.status == 200
                assert await response.json() == {
                    "status": "ok",
                    "lead": "leader",
                    "processing": True,
                    "relaying": True,
                    "lag_seconds": 0.0,
                    "relay_backlog": 0,
                    "dead_letters": 0,
                    "last_error": None,
                }
            finally:
                running.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await running
            assert (await client.get(HEALTH_PATH)).status == 503


async def test_the_console_is_served_beside(client: Client) -> None:
    response = await client.get("/console", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/console/"
    login = await client.get("/console/login")
    assert login.status == 200
    assert "登录" in await login.text()


async def test_without_a_secret_there_is_no_webhook(runtime: Runtime, pipeline: Pipeline) -> None:
    server = build_server(pipeline, runtime.services, console_url=CONSOLE_URL)
    async with TestClient(TestServer(server)) as client:
        response = await client.post(WEBHOOK_PATH, json=UPDATE)
        assert response.status in (404, 405)
        assert await pipeline.inbox.count_pending() == 0


async def test_health_is_ok_and_says_so_while_another_process_leads(runtime: Runtime) -> None:
    other = leadership(runtime.services.intake.engine)  # as another process's would
    assert await other.take()
    try:
        async with LocalBotApi() as api:
            pipeline = pipeline_for(runtime, api.token, api.base_url, api.base_file_url)
            server = build_server(pipeline, runtime.services, console_url=CONSOLE_URL)
            started = asyncio.Event()
            running = asyncio.create_task(pipeline.run(started))
            async with TestClient(TestServer(server)) as client:
                try:
                    await asyncio.wait_for(started.wait(), timeout=10)
                    response = await client.get(HEALTH_PATH)
                    assert response.status == 200
                    health = await response.json()
                    assert (health["status"], health["lead"]) == ("standby", "standby")
                    assert not pipeline.leading.is_set()

                    await other.release()
                    await asyncio.wait_for(pipeline.leading.wait(), timeout=10)
                    assert pipeline.lead is Lead.LEADER

                    async def healthy() -> bool:
                        return (await client.get(HEALTH_PATH)).status == 200

                    await until(healthy)
                    health = await (await client.get(HEALTH_PATH)).json()
                    assert (health["lead"], health["processing"]) == ("leader", True)
                finally:
                    running.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await running
    finally:
        await other.release()


async def test_behind_the_trusted_proxy_each_villager_is_his_own_address(
    runtime: Runtime, pipeline: Pipeline
) -> None:
    server = build_server(
        pipeline, runtime.services, console_url=CONSOLE_URL, trusted_proxy="127.0.0.1"
    )
    limit = ADDRESS_FACTOR * runtime.services.intake_config.limits.messages
    async with TestClient(TestServer(server)) as client:
        # Only the proxy's requests are served; a monitor may still ask for health.
        assert (await client.get("/chat/")).status == 400
        assert (await client.get(HEALTH_PATH)).status in (200, 503)

        first = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
        page = await client.get("/chat/", headers=first)
        assert page.status == 200
        assert "Secure" in page.headers["Set-Cookie"]
        for _ in range(limit - 1):
            client.session.cookie_jar.clear()
            assert (await client.get("/chat/", headers=first)).status == 200
        client.session.cookie_jar.clear()
        assert (await client.get("/chat/", headers=first)).status == 429
        other = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
        assert (await client.get("/chat/", headers=other)).status == 200
