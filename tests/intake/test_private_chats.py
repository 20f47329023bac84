"""Who the bot may write to privately (:mod:`intake.private_chats`), on every backend."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from intake.private_chats import PrivateChats
from tests.intake.conftest import FakeClock, People


async def test_staff_who_never_wrote_or_blocked_the_bot_are_unreachable(
    engine: AsyncEngine, clock: FakeClock, people: People
) -> None:
    chats = PrivateChats(engine, clock=clock)
    staff = {user.display_name for user in await chats.unreachable_staff()}
    # Villagers and liaisons are not listed: they are not sent cards.
    assert staff == {
        "管理员",
        "网格员甲",
        "网格员乙",
        "调解员甲",
        "调解员乙",
        "镇干部",
        "民警",
        "司法所员",
    }

    # Telegram ids of the cast are 1000 + their position: 网格员甲 1005, 镇干部 1009.
    await chats.opened(1005)
    await chats.opened(1009)
    clock.advance(minutes=1)
    await chats.refused(1009)
    unreachable = {user.display_name for user in await chats.unreachable_staff()}
    assert unreachable == staff - {"网格员甲"}

    clock.advance(minutes=1)
    await chats.opened(1009)  # wrote again after unblocking the bot
    unreachable = {user.display_name for user in await chats.unreachable_staff()}
    assert unreachable == staff - {"网格员甲", "镇干部"}
