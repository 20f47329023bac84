"""The guard end to end: the message limit keeps what it holds back, the ticket limit, bans.

The guard's clock is replaced by a fake one the tests move, so nothing sleeps.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from handlers import guard
from handlers.texts import filing as filing_texts
from handlers.texts import guard as texts
from intake import NewTicket, Role, TicketKind
from intake.moderation import Moderation
from tests.e2e.harness import BotHarness
from tests.e2e.test_staff import file_ticket
from tests.intake.conftest import FakeClock, local

VILLAGER_ID = 370001
OFFICER_ID = 370002
GRID_WORKER_ID = 370003
QUESTION = "离婚冷静期多长时间"
ANSWER_MARK = "【离婚冷静期是多长时间？冷静期里能反悔吗？】"


@pytest.fixture
async def clock(bot: BotHarness, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The handlers' clock, frozen until a test moves it (the bot restarts to pick it up)."""
    fake = FakeClock(local(2026, 3, 2, 9))
    monkeypatch.setattr(
        bot, "runtime", replace(bot.runtime, services=replace(bot.runtime.services, clock=fake))
    )
    await bot.restart()
    return fake


async def test_the_21st_message_in_a_minute_is_held_and_answered_later(
    bot: BotHarness, clock: FakeClock
) -> None:
    user = bot.user(VILLAGER_ID, "马大哥")
    for _ in range(20):
        await user.send(QUESTION)
    assert all(ANSWER_MARK in reply.text for reply in await user.replies(20))

    await user.send("彩礼能要回来吗")
    limited = await user.reply()
    await user.send("我的彩礼给了八万")  # held too, without a second notice
    clock.advance(seconds=61)
    await user.send(QUESTION)

    assert limited.text == texts.RATE_LIMITED.format(window=60, limit=20, seconds=60)
    # Once the window allows, what was held is answered first, in the order sent.
    first, _second, third = await user.replies(3)
    assert "彩礼" in " ".join([first.text, *first.button_texts])
    assert ANSWER_MARK in third.text
    assert await Moderation(bot.intake.engine).held(VILLAGER_ID) == ()


async def test_the_sixth_open_ticket_is_refused_politely(bot: BotHarness) -> None:
    user = bot.user(VILLAGER_ID, "马大哥")
    villager = await bot.intake.get_or_create_user(VILLAGER_ID, "马大哥")
    for index in range(4):
        await bot.intake.file_ticket(
            villager.id,
            NewTicket(
                source_key=f"test:{index}",
                kind=TicketKind.COMPLAINT,
                category="相邻",
                text="邻居家的牛把我家的青稞地踩坏了。",
                village_code="V01",
            ),
        )
    fifth = await file_ticket(user)  # the fifth goes through the filing flow

    await user.send_command("/file")
    refused = await user.reply()

    assert refused.text == texts.TOO_MANY_OPEN.format(count=5, limit=5)
    officer = await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)
    staff = await bot.intake.get_or_create_user(officer.user_id, "韩干事")
    await bot.intake.accept(staff.id, fifth)
    await bot.intake.reply(staff.id, fifth, "已经协调好了。")
    await user.send_command("/file")
    assert (await user.reply()).text.startswith(filing_texts.ASK_KIND[:6])


async def test_a_banned_villager_is_told_once_then_ignored_until_unbanned(
    bot: BotHarness,
) -> None:
    user = bot.user(VILLAGER_ID, "马大哥")
    await user.send(QUESTION)
    await user.reply()
    officer = await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)

    await officer.send_to(bot.staff_group, f"/ban {VILLAGER_ID} 反复发送辱骂信息")
    banned = await bot.staff_group.reply()
    await user.send(QUESTION)
    told = await user.reply()
    await user.send(QUESTION)
    await user.send_command("/start")
    await officer.send(f"/unban {VILLAGER_ID}")
    unbanned = await officer.reply()

    assert banned.text == texts.BAN_DONE.format(
        name="马大哥", reason=texts.BAN_REASON.format(reason="反复发送辱骂信息")
    )
    assert told.text == texts.BANNED
    assert user.unread == 0  # ignored: the officer's /unban was handled after them
    assert unbanned.text == texts.UNBAN_DONE.format(name="马大哥")
    await user.send(QUESTION)
    assert ANSWER_MARK in (await user.reply()).text
    history = await Moderation(bot.intake.engine).ban_history(
        (await bot.intake.get_or_create_user(VILLAGER_ID, "马大哥")).id
    )
    assert [record.banned for record in history] == [True, False]


async def test_only_officers_and_admins_may_ban(bot: BotHarness) -> None:
    user = bot.user(VILLAGER_ID, "马大哥")
    grid_worker = await bot.staff(GRID_WORKER_ID, "网格员", Role.GRID_WORKER, grid_code="G01")

    await user.send(f"/ban {GRID_WORKER_ID}")
    villager_refused = await user.reply()
    await grid_worker.send_to(bot.staff_group, f"/ban {VILLAGER_ID}")
    staff_refused = await bot.staff_group.reply()
    await bot.admin.send(f"/ban {GRID_WORKER_ID}")
    staff_protected = await bot.admin.reply()

    assert villager_refused.text == staff_refused.text == texts.BAN_NOT_ALLOWED
    assert "不能禁用" in staff_protected.text
    await user.send(QUESTION)
    assert ANSWER_MARK in (await user.reply()).text


def test_the_rate_window_slides_on_its_clock() -> None:
    fake = FakeClock(local(2026, 3, 2, 9))
    window = guard.RateWindow(2, timedelta(seconds=60), fake)

    assert window.admit(1) is None
    fake.advance(seconds=30)
    assert window.admit(1) is None
    assert window.admit(1) == fake() + timedelta(seconds=30)
    assert window.admit(2) is None  # everyone has their own window
    fake.advance(seconds=30)
    assert window.next_free(1) == fake()
    assert window.admit(1) is None
