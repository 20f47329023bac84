"""Privacy by default, end to end: masked numbers in the group, what /start says, /forget."""

from bot.local_api import TelegramUser
from handlers import forget
from handlers.texts import privacy as texts
from intake import NewTicket, Role, TicketKind
from tests.e2e.harness import BotHarness
from tests.e2e.test_staff import file_ticket

VILLAGER_ID = 340001
HOLDER_ID = 340101
OTHER_OFFICER_ID = 340102
ID_NUMBER = "63012219800101123X"
PHONE = "13912345678"
STORY = f"我叫马春花，身份证号{ID_NUMBER}，电话{PHONE}，邻居占了我家的宅基地。"


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马春花")


async def test_privacy_mask_group_card_shows_only_the_last_four_digits(bot: BotHarness) -> None:
    number = await file_ticket(villager(bot), STORY)
    card = await bot.staff_group.reply()

    assert card.text.startswith(f"📋 工单 {number}")
    assert ID_NUMBER not in card.text and PHONE not in card.text
    assert "**************123X" in card.text and "*******5678" in card.text
    assert "邻居占了我家的宅基地" in card.text


async def test_privacy_mask_the_holder_sees_the_numbers_in_full_in_private(
    bot: BotHarness,
) -> None:
    number = await file_ticket(villager(bot), STORY)
    await bot.staff_group.reply()
    holder = await bot.staff(HOLDER_ID, "本村网格员", Role.GRID_WORKER, grid_code="G01")
    other = await bot.staff(OTHER_OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)
    grid_worker = await bot.intake.get_or_create_user(HOLDER_ID, "")
    await bot.intake.accept(grid_worker.id, number)
    await bot.intake.claim(grid_worker.id, number)
    await bot.intake.add_note(grid_worker.id, number, f"已打{PHONE}联系本人")

    await holder.send_command(f"/ticket {number}")
    card, history = await holder.replies(2)
    assert ID_NUMBER in card.text and PHONE in card.text
    assert f"已打{PHONE}联系本人" in history.text

    # An officer, in his own private chat, is not the holder: masked.
    await other.send_command(f"/ticket {number}")
    card, history = await other.replies(2)
    assert ID_NUMBER not in card.text and "**************123X" in card.text
    assert "已打*******5678联系本人" in history.text


async def test_privacy_mask_start_says_what_is_kept_and_forget_erases_it(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/start")
    welcome = await user.reply()
    assert "您问的问题保存 180 天，用来改进回答，发送 /forget 可以随时删除。" in welcome.text

    await user.send("离婚冷静期多长时间")
    await user.reply()
    questions = bot.runtime.services.questions
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    filed = await bot.intake.file_ticket(
        me.id, NewTicket("tg:privacy", TicketKind.DISPUTE, "相邻", STORY, "V01")
    )
    assert any(q.asked_by == VILLAGER_ID for q in await questions.questions(range(1, 50)))

    # Changing his mind first: nothing is erased.
    await user.send_command("/forget")
    confirm = await user.reply()
    assert confirm.text == texts.FORGET_CONFIRM
    assert confirm.button_texts == [texts.FORGET_YES, texts.FORGET_NO]
    await user.press(confirm, forget.NO)
    [kept] = await user.edits()
    assert kept.text == texts.NOT_FORGOTTEN
    assert any(q.asked_by == VILLAGER_ID for q in await questions.questions(range(1, 50)))

    await user.send_command("/forget")
    confirm = await user.reply()
    await user.press(confirm, forget.YES)
    [done] = await user.edits()
    assert done.text == texts.FORGOTTEN.format(count=1)
    assert all(q.asked_by != VILLAGER_ID for q in await questions.questions(range(1, 50)))
    # His ticket is an official record: it stays.
    assert [t.number for t in await bot.intake.list_tickets(me.id)] == [filed.ticket.number]
