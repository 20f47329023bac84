"""Whoever holds a ticket hears of it privately, and every card stays current, end to end.

Transcripts through the local Bot API over HTTP against the real Application: staff act with
the cards' buttons, villagers file and rate through their own flows.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from bot.local_api import TelegramUser
from bot.settings import Settings
from handlers.feedback_prompts import rating_data
from handlers.staff.cards import Press, press_data
from handlers.staff.jobs import StaffJobs
from handlers.texts import staff as texts
from handlers.texts import thread as thread_texts
from intake import IntakeService, Level, NewTicket, Rating, Role, TicketKind, create_engine
from tests.e2e.harness import STAFF_CHAT_ID, BotHarness
from tests.e2e.test_staff import filed_with_card, officer, press, villager

POLICE_ID = 370001
SILENT_POLICE_ID = 370002
JUSTICE_ID = 370003
GRID_WORKER_ID = 370005
OTHER_GRID_WORKER_ID = 370006
# The last buttons of every open ticket's card: its thread, and the menu of all its actions.
OPEN_TAIL = (thread_texts.BUTTON_THREAD, texts.BUTTON_MORE)


async def opened_chat(user: TelegramUser) -> TelegramUser:
    """The person writes to the bot privately first, as Telegram requires."""
    await user.send_command("/start")
    await user.reply()
    return user


async def unit_staff(bot: BotHarness, user_id: int, name: str, unit: str) -> TelegramUser:
    return await bot.staff(user_id, name, Role.DEPARTMENT, unit=unit)


async def test_holder_notice_escalation_to_a_unit_notifies_its_staff_privately(
    bot: BotHarness,
) -> None:
    police = await opened_chat(
        await bot.staff(POLICE_ID, "派出所张警官", Role.DEPARTMENT, unit="派出所")
    )
    silent = await bot.staff(SILENT_POLICE_ID, "派出所李警官", Role.DEPARTMENT, unit="派出所")
    justice = await opened_chat(
        await bot.staff(JUSTICE_ID, "司法所王所长", Role.DEPARTMENT, unit="司法所")
    )
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    await press(staff, card, Press.DISPATCH)
    [menu] = await bot.staff_group.edits()
    await press(staff, menu, Press.LEVEL, Level.DEPARTMENT.value)
    [units] = await bot.staff_group.edits()
    await press(staff, units, Press.UNIT, "派出所")
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "牛只丢失涉及治安，请派出所牵头。")
    co_units = await bot.staff_group.reply()
    await staff.reply_to(co_units, "无")
    assert (await bot.staff_group.reply()).text == f"已上报：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert "层级：部门联动" in card.text

    # The lead unit's staff get the card privately, with the buttons of its state.
    mine = await police.reply()
    title = card.text.split("\n", 1)[0]
    assert mine.text.startswith(f"{title}\n{texts.CARD_YOURS}")
    assert "牵头单位：派出所" in mine.text
    assert mine.button_texts == card.button_texts
    assert "答复" in mine.button_texts
    # Another unit is not told; nor is the officer who escalated.
    await asyncio.sleep(0.3)
    assert justice.unread == 0 and staff.unread == 0

    # The colleague who never opened a chat with the bot could not be reached: the admin sees it.
    await bot.admin.send("/start")
    await bot.admin.reply()
    for _ in range(100):
        await bot.admin.send("/unreachable")
        listed = await bot.admin.reply()
        if "派出所李警官" in listed.text:
            break
        await asyncio.sleep(0.05)
    assert listed.text.startswith(texts.UNREACHABLE_TITLE)
    assert f"派出所李警官（部门，ID {silent.user_id}）" in listed.text
    assert "派出所张警官" not in listed.text and "司法所王所长" not in listed.text
    await staff.send("/unreachable")
    assert (await staff.reply()).text == texts.UNREACHABLE_ADMIN_ONLY


async def test_holder_notice_assignment_notifies_the_assignee(bot: BotHarness) -> None:
    chosen = await opened_chat(
        await bot.staff(GRID_WORKER_ID, "网格员甲", Role.GRID_WORKER, grid_code="G01")
    )
    colleague = await opened_chat(
        await bot.staff(OTHER_GRID_WORKER_ID, "网格员乙", Role.GRID_WORKER, grid_code="G01")
    )
    number, card = await filed_with_card(bot)
    # A new ticket reaches the grid workers of its grid.
    for worker in (chosen, colleague):
        filed = await worker.reply()
        assert filed.text.startswith(f"📋 工单 {number}｜待受理\n{texts.CARD_YOURS}")
        assert filed.button_texts == ["受理", "派单", "不予受理", *OPEN_TAIL]
    staff = await officer(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    for worker in (chosen, colleague):
        [edited] = await worker.edits()
        assert edited.text.startswith(f"📋 工单 {number}｜已受理")

    await press(staff, card, Press.DISPATCH)
    [menu] = await bot.staff_group.edits()
    assert (await press(staff, menu, Press.ASSIGN)).text == texts.WRITE_IT
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, str(GRID_WORKER_ID))
    assert (await bot.staff_group.reply()).text == f"已指派：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert "承办：网格员甲" in card.text

    # The assignee is told with a fresh card; the colleague's card just changes.
    [_] = await chosen.edits()
    mine = await chosen.reply()
    assert mine.text.startswith(f"📋 工单 {number}｜办理中\n{texts.CARD_YOURS}")
    assert "承办：网格员甲" in mine.text and "答复" in mine.button_texts
    [edited] = await colleague.edits()
    assert "承办：网格员甲" in edited.text
    await asyncio.sleep(0.3)
    assert colleague.unread == 0

    # The assignee answers from the private card: every card shows it.
    await press(chosen, mine, Press.REPLY)
    prompt = await chosen.reply()
    await chosen.reply_to(prompt, "已上门调解，双方同意赔偿。")
    assert (await chosen.reply()).text == f"已答复：工单 {number}"
    [group] = await bot.staff_group.edits()
    assert group.text.startswith(f"📋 工单 {number}｜已答复")
    assert group.button_texts == ["办结", *OPEN_TAIL]
    edits = await chosen.edits(2)
    assert all(edit.text.startswith(f"📋 工单 {number}｜已答复") for edit in edits)


async def test_holder_notice_a_reminder_reaches_the_holder(bot: BotHarness, tmp_path: Path) -> None:
    worker = await opened_chat(
        await bot.staff(GRID_WORKER_ID, "本网格员", Role.GRID_WORKER, grid_code="G02")
    )
    engine = create_engine(Settings(data_dir=tmp_path).effective_database_url)
    try:
        past = IntakeService(engine, bot.runtime.services.intake_config, clock=_at(2026, 1, 5))
        filer = (await past.get_or_create_user(380001, "村民")).id
        new = NewTicket("tg:old", TicketKind.DISPUTE, "相邻", "院墙的纠纷。", "V02")
        late = (await past.file_ticket(filer, new)).ticket.number
        other = NewTicket("tg:other", TicketKind.DISPUTE, "相邻", "别村的事。", "V01")
        elsewhere = (await past.file_ticket(filer, other)).ticket.number
    finally:
        await engine.dispose()

    jobs = StaffJobs(bot.runtime.services)
    context = SimpleNamespace(bot=bot.pipeline.sender)
    await jobs.remind(context)
    reminder = await worker.reply()
    assert reminder.text.startswith(f"{texts.HOLDER_REMINDER_TITLE}\n已超期（1 项）：\n{late}｜")
    assert elsewhere not in reminder.text  # another grid's ticket is not theirs
    group = await bot.staff_group.reply()
    assert late in group.text and elsewhere in group.text

    await jobs.digest(context)
    digest = await worker.reply()
    assert digest.text.startswith(texts.DIGEST_TITLE.format(count=1))
    assert f"{late}｜待受理｜矛盾纠纷｜示例村02｜已超期" in digest.text
    assert digest.button_texts == [late]
    await worker.press(digest, press_data(Press.SHOW, late))
    assert (await worker.reply()).text.startswith(f"📋 工单 {late}｜待受理")


async def test_holder_notice_the_group_card_follows_the_ticket_to_its_end(
    bot: BotHarness,
) -> None:
    number, card = await filed_with_card(bot)
    first = card.message_id
    staff, user = await officer(bot), villager(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜已受理")
    await user.reply()  # accepted

    await press(staff, card, Press.REPLY)
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "已请村委会协调，邻居同意赔偿。")
    await bot.staff_group.reply()  # done
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜已答复")
    assert card.button_texts == ["办结", *OPEN_TAIL]
    await user.reply()  # the answer

    await press(staff, card, Press.REQUEST_FEEDBACK)
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜待回访")
    assert card.button_texts == [texts.BUTTON_PHONE_FEEDBACK, "办结", *OPEN_TAIL]
    ask = await user.reply()

    # The villager's 满意 closes the ticket: the card says so, and offers nothing more.
    await user.press(ask, rating_data(number, Rating.SATISFIED))
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜已办结")
    assert card.buttons == ()
    assert card.message_id == first


async def test_holder_notice_a_failed_edit_posts_a_fresh_card(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await staff.send_to(bot.staff_group, f"/ticket {number}")
    shown, _history = await bot.staff_group.replies(2)
    # Someone deletes the first card in the group; the bot is not told.
    del bot.api.world.chat(STAFF_CHAT_ID).messages[card.message_id]

    await press(staff, shown, Press.ACCEPT)
    [edited] = await bot.staff_group.edits()
    assert edited.message_id == shown.message_id
    assert edited.text.startswith(f"📋 工单 {number}｜已受理")
    fresh = await bot.staff_group.reply()
    assert fresh.text.startswith(f"📋 工单 {number}｜已受理")
    assert "答复" in fresh.button_texts

    # The fresh card is kept current from then on; the deleted one is forgotten.
    await press(staff, fresh, Press.REPLY)
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "已协调。")
    await bot.staff_group.reply()  # done
    edits = await bot.staff_group.edits(2)
    assert {edit.message_id for edit in edits} == {shown.message_id, fresh.message_id}
    assert all(edit.text.startswith(f"📋 工单 {number}｜已答复") for edit in edits)
    await asyncio.sleep(0.3)
    assert bot.staff_group.unread == 0


def _at(*day: int) -> Callable[[], datetime]:
    return lambda: datetime(*day, 9, 0, tzinfo=UTC)


async def test_holder_notice_a_rerouted_ticket_leaves_the_old_grid_for_the_new(
    bot: BotHarness,
) -> None:
    here = await opened_chat(
        await bot.staff(GRID_WORKER_ID, "网格员甲", Role.GRID_WORKER, grid_code="G01")
    )
    there = await opened_chat(
        await bot.staff(OTHER_GRID_WORKER_ID, "网格员乙", Role.GRID_WORKER, grid_code="G02")
    )
    number, card = await filed_with_card(bot)
    old = await here.reply()
    assert old.text.startswith(f"📋 工单 {number}｜待受理\n{texts.CARD_YOURS}")

    staff = await officer(bot)
    await press(staff, card, Press.DISPATCH)
    [menu] = await bot.staff_group.edits()
    await press(staff, menu, Press.REROUTE)
    [villages] = await bot.staff_group.edits()
    await press(staff, villages, Press.VILLAGE, "V02")
    prompt = await bot.staff_group.reply()
    await staff.reply_to(prompt, "村民其实住在示例村02。")
    await bot.staff_group.reply()  # done
    [card] = await bot.staff_group.edits()
    assert "村：示例村02" in card.text

    # The old grid's card no longer shows the ticket; the new grid's worker gets it.
    [withdrawn] = await here.edits()
    assert withdrawn.message_id == old.message_id
    assert withdrawn.text == texts.CARD_GONE.format(number=number)
    assert withdrawn.buttons == ()
    new = await there.reply()
    assert new.text.startswith(f"📋 工单 {number}｜待受理\n{texts.CARD_YOURS}")
    assert "村：示例村02" in new.text
