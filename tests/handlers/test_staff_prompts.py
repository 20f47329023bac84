"""Staff prompts answered by reply while the bot never learns a prompt's message id.

Once every message goes out through the outbox, ``send_message`` returns a placeholder whose
message id means nothing. Here the real bot runs against the local Bot API with every
``send_message`` answered by such a placeholder; the staff reply to the prompts Telegram
delivered, and the wait must be found from the prompt's title and the replier alone.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Message
from telegram.ext import ExtBot

from bot.local_api import BotMessage, CallbackAnswer, TelegramUser
from handlers.staff.cards import Press, press_data
from handlers.texts import staff as texts
from intake import NewTicket, Role, TicketKind, TicketState
from tests.e2e.harness import BotHarness, running_bot

PLACEHOLDER_ID = 0
VILLAGER_ID = 310001
OFFICER_ID = 320001
COLLEAGUE_ID = 320004


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotHarness]:
    """The real bot, to which every message it sends looks queued: its id is a placeholder."""
    send = ExtBot.send_message

    async def queued(self: ExtBot[Any], *args: Any, **kwargs: Any) -> Message:
        sent = await send(self, *args, **kwargs)
        return Message(PLACEHOLDER_ID, sent.date, sent.chat)

    monkeypatch.setattr(ExtBot, "send_message", queued)
    async with running_bot(tmp_path) as harness:
        yield harness


async def card_of_new_ticket(bot: BotHarness, staff: TelegramUser) -> tuple[str, BotMessage]:
    """A complaint filed straight into intake, and its card shown by ``/ticket``."""
    villager = await bot.intake.get_or_create_user(VILLAGER_ID, "马大姐")
    new = NewTicket("tg:prompts", TicketKind.COMPLAINT, "相邻", "牛踩坏了青稞地。", "V01")
    number = (await bot.intake.file_ticket(villager.id, new)).ticket.number
    await staff.send_to(bot.staff_group, f"/ticket {number}")
    card, _ = await bot.staff_group.replies(2)
    return number, card


async def press(user: TelegramUser, card: BotMessage, press: Press, number: str) -> CallbackAnswer:
    return await user.callback_answer(await user.press(card, press_data(press, number)))


async def state_of(bot: BotHarness, number: str) -> TicketState:
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    return (await bot.intake.get_ticket(admin.id, number)).state


async def test_a_prompt_is_answered_though_its_message_id_was_never_known(
    bot: BotHarness,
) -> None:
    staff = await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)
    colleague = await bot.staff(COLLEAGUE_ID, "马干事", Role.TOWNSHIP_OFFICER)
    number, card = await card_of_new_ticket(bot, staff)

    assert (await press(staff, card, Press.REJECT, number)).text == texts.WRITE_IT
    prompt = await bot.staff_group.reply()
    assert prompt.message_id != PLACEHOLDER_ID
    assert prompt.text.startswith(f"✍️ 工单 {number}｜不予受理\n")

    # Another staff member's reply is turned away; the wait stays for the one who pressed.
    await colleague.reply_to(prompt, "我来写")
    assert (await bot.staff_group.reply()).text == texts.PROMPT_NOT_YOURS

    # The reason, then the route: the follow-up prompt waits under the same ticket and person.
    await staff.reply_to(prompt, "属于民事赔偿纠纷，已超出镇里的处理范围。")
    route = await bot.staff_group.reply()
    assert route.text.startswith(f"✍️ 工单 {number}｜不予受理\n韩干事，请回复这条消息，写明村民")
    await staff.reply_to(route, "向湟中区人民法院起诉")
    assert (await bot.staff_group.reply()).text == f"已不予受理：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜不予受理")
    assert await state_of(bot, number) is TicketState.REJECTED

    # Answered prompts wait no more, for anyone.
    await staff.reply_to(route, "再说一遍")
    assert (await bot.staff_group.reply()).text == texts.PROMPT_EXPIRED
    await colleague.reply_to(prompt, "我也说一遍")
    assert (await bot.staff_group.reply()).text == texts.PROMPT_EXPIRED


async def test_a_reply_to_a_replaced_prompt_is_not_taken_for_the_newer_one(
    bot: BotHarness,
) -> None:
    staff = await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)
    number, card = await card_of_new_ticket(bot, staff)
    await press(staff, card, Press.ACCEPT, number)
    [card] = await bot.staff_group.edits()

    await press(staff, card, Press.REPLY, number)
    reply_prompt = await bot.staff_group.reply()
    await press(staff, card, Press.ESCALATE, number)
    escalate_prompt = await bot.staff_group.reply()
    assert escalate_prompt.text.startswith(f"✍️ 工单 {number}｜上报\n")

    # The 上报 prompt replaced the 答复 one: a reason typed there is no public reply.
    await staff.reply_to(reply_prompt, "调解已约在周三上午。")
    assert (await bot.staff_group.reply()).text == texts.PROMPT_EXPIRED
    assert await state_of(bot, number) is TicketState.ACCEPTED

    await staff.reply_to(escalate_prompt, "网格调解不成，请村里调解。")
    assert (await bot.staff_group.reply()).text == f"已上报：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert "层级：村级调解" in card.text
