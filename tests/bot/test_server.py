from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram.ext import ApplicationBuilder

from bot.server import HEALTH_PATH, SECRET_HEADER, WEBHOOK_PATH, App, build_server
from bot.services import Runtime, open_runtime
from bot.settings import Settings

SECRET = "s3cret-token"
CONSOLE_URL = "http://127.0.0.1/console"
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


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_runtime(Settings(data_dir=tmp_path)) as opened:
        yield opened


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[tuple[TestClient[Any, Any], App]]:
    application = ApplicationBuilder().token("1:abc").updater(None).build()
    server = build_server(
        application, runtime.services, console_url=CONSOLE_URL, webhook_secret=SECRET
    )
    async with TestClient(TestServer(server)) as test_client:
        yield test_client, application


async def test_an_update_with_the_secret_is_queued(client: Any) -> None:
    test_client, application = client
    response = await test_client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    update = application.update_queue.get_nowait()
    assert update.update_id == 41
    assert update.message.text == "彩礼能要回来吗"


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_without_the_right_secret_nothing_is_queued(
    client: Any, headers: dict[str, str]
) -> None:
    test_client, application = client
    response = await test_client.post(WEBHOOK_PATH, json=UPDATE, headers=headers)
    assert response.status == 403
    assert application.update_queue.empty()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"no": "update"}'])
async def test_a_body_that_is_not_an_update_is_refused(client: Any, body: bytes) -> None:
    test_client, application = client
    response = await test_client.post(
        WEBHOOK_PATH, data=body, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert application.update_queue.empty()


async def test_health_tells_whether_the_bot_runs(client: Any) -> None:
    test_client, _ = client
    response = await test_client.get(HEALTH_PATH)
    assert response.status == 503
    assert await response.json() == {"status": "stopped"}


async def test_the_console_is_served_beside(client: Any) -> None:
    test_client, _ = client
    response = await test_client.get("/console", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/console/"
    login = await test_client.get("/console/login")
    assert login.status == 200
    assert "登录" in await login.text()


async def test_without_a_secret_there_is_no_webhook(runtime: Runtime) -> None:
    application = ApplicationBuilder().token("1:abc").updater(None).build()
    server = build_server(application, runtime.services, console_url=CONSOLE_URL)
    async with TestClient(TestServer(server)) as test_client:
        response = await test_client.post(WEBHOOK_PATH, json=UPDATE)
        assert response.status in (404, 405)
        assert application.update_queue.empty()
