"""Admins see dead letters on the console and retry or discard them; nobody else may."""

from __future__ import annotations

import html as html_escape

import pytest

from intake.dead_letters import DeadLetters
from intake.inbox import Inbox, Received
from tests.bot.console.conftest import Console, errors_of

PAGE = "/admin/dead-letters"
BOT_ID = 5001
POISON = {"update_id": 7, "message": {"text": "<b>出错的消息</b>"}}


async def poisoned(console: Console) -> tuple[DeadLetters, Inbox, int, int]:
    """One update that kept failing and one that was never valid, both set aside."""
    dead_letters = DeadLetters(console.intake.engine)
    inbox = Inbox(console.intake.engine, BOT_ID)
    await inbox.add([Received(7, POISON)])
    await dead_letters.bury_update(BOT_ID, 7, "ValueError: a bug")
    rejected = await dead_letters.reject("{not json", "not JSON: JSONDecodeError")
    [_, failed] = await dead_letters.listing(10)  # newest first
    return dead_letters, inbox, failed.id, rejected


@pytest.mark.parametrize("role", ["officer", "grid", "police"])
async def test_only_admins_see_dead_letters(console: Console, role: str) -> None:
    dead_letters, _, failed, _ = await poisoned(console)
    await console.login(getattr(console.people, role))

    status, html = await console.get(PAGE)
    assert status == 403
    assert "不能打开这个页面" in errors_of(html)
    status, _ = await console.post(PAGE, {"op": "discard", "id": str(failed)})
    assert status == 403
    assert await dead_letters.count() == 2


async def test_an_admin_sees_retries_and_discards_dead_letters(console: Console) -> None:
    dead_letters, inbox, failed, rejected = await poisoned(console)
    await console.login(console.people.admin)

    status, html = await console.get(PAGE)
    assert status == 200
    assert "共 2 条。" in html
    assert "ValueError: a bug" in html
    # The raw content is shown escaped, never as markup.
    assert html_escape.escape("<b>出错的消息</b>") in html
    assert "<b>出错的消息</b>" not in html

    status, html = await console.post(PAGE, {"op": "retry", "id": str(rejected)})
    assert status == 409
    assert f"死信 {rejected} 不是有效的 Telegram 消息，无法重试" in errors_of(html)

    status, html = await console.post(PAGE, {"op": "retry", "id": str(failed)})
    assert status == 200
    assert f"死信 {failed} 已放回队列" in html
    assert [u.update_id for u in await inbox.pending(10)] == [7]

    status, html = await console.post(PAGE, {"op": "discard", "id": str(rejected)})
    assert f"死信 {rejected} 已丢弃" in html
    assert await dead_letters.count() == 0
    assert "共 0 条。" in html


@pytest.mark.parametrize(
    ("posted", "status", "message"),
    [
        ({"op": "discard", "id": "424242"}, 404, "没有编号为 424242 的死信"),
        ({"op": "retry", "id": "424242"}, 404, "没有编号为 424242 的死信"),
        ({"op": "discard", "id": "abc"}, 400, "请选择死信"),
        ({"op": "burn", "id": "1"}, 400, "「操作」的选择无效"),
    ],
)
async def test_bad_requests_are_refused_clearly(
    console: Console, posted: dict[str, str], status: int, message: str
) -> None:
    dead_letters, _, _, _ = await poisoned(console)
    await console.login(console.people.admin)

    got, html = await console.post(PAGE, posted)
    assert got == status
    assert message in errors_of(html)
    assert await dead_letters.count() == 2
