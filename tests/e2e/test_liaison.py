"""法律明白人 filing on behalf of villagers, end to end."""

from bot.local_api import BotMessage, TelegramUser
from handlers import callbacks, draft
from handlers.callbacks import TICKET_HISTORY
from handlers.feedback_prompts import rating_data
from handlers.texts import feedback as feedback_texts
from handlers.texts import filing as filing_texts
from handlers.texts import liaison as texts
from intake import Rating, Role, Source, TicketKind, TicketView
from tests.e2e.harness import BotHarness
from tests.e2e.test_feedback import answer_and_ask_for_feedback
from tests.e2e.test_filing import choose, tell

LIAISON_ID = 400001
VILLAGER_ID = 400002
STORY = "张大妈的儿子三年没给赡养费了，她想请村里调解。"


async def liaison(bot: BotHarness) -> TelegramUser:
    return await bot.staff(LIAISON_ID, "李明白", Role.LIAISON, village_code="V03")


async def filed_by(bot: BotHarness, user: TelegramUser) -> list[TicketView]:
    me = await bot.intake.get_or_create_user(user.user_id, "")
    return list(await bot.intake.list_tickets(me.id))


async def from_kind_to_summary(
    user: TelegramUser, kind: BotMessage, story_text: str | None = STORY
) -> BotMessage:
    """矛盾纠纷 → 本村 → the villager's phone → the story (``story_text``, unless prefilled)."""
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.DISPUTE)
    assert village.button_texts[0] == "本村：示例村03"
    phone = await choose(user, village, draft.VILLAGE_DATA + "V03")
    assert phone.text == texts.ASK_VILLAGER_PHONE
    await user.send("0971-1234567")
    saved, story = await user.replies(2)
    assert saved.text == texts.VILLAGER_PHONE_SAVED
    assert story.text.startswith(filing_texts.ASK_STORY)
    if story_text is not None:
        story = await tell(user, story_text)
    return await choose(user, story, draft.STORY_DONE)


async def test_a_liaison_files_for_a_named_villager(bot: BotHarness) -> None:
    user = await liaison(bot)
    await user.send_command("/daiban")
    assert (await user.reply()).text == texts.ASK_NAME
    kind = await tell(user, "张大妈")
    assert kind.text.startswith(filing_texts.ASK_KIND)
    summary = await from_kind_to_summary(user, kind)
    assert "代办村民：张大妈" in summary.text
    assert "电话：尾号 4567" in summary.text

    filed = await choose(user, summary, draft.SUBMIT)
    [ticket] = await filed_by(bot, user)
    assert filed.text.startswith(f"登记好了！编号是 {ticket.number}（代村民 张大妈 登记）")
    assert ticket.source is Source.LIAISON
    assert ticket.villager_name == "张大妈"
    assert ticket.villager_id is None
    assert ticket.contact_phone == "09711234567"
    card = await bot.staff_group.reply()
    assert ticket.number in card.text

    # The liaison sees the tickets they filed.
    await user.send_command("/mytickets")
    mine = await user.reply()
    assert f"{ticket.number}（代 张大妈 登记）" in mine.text
    await user.press(mine, TICKET_HISTORY + ticket.number)
    history = await user.reply()
    assert history.text.startswith(f"{ticket.number} 的进展：")
    assert "提交" in history.text


async def test_daiban_with_the_name_skips_asking_it(bot: BotHarness) -> None:
    user = await liaison(bot)
    await user.send_command("/daiban 马奶奶")
    kind = await user.reply()
    assert kind.text.startswith(filing_texts.ASK_KIND)
    summary = await from_kind_to_summary(user, kind)
    assert "代办村民：马奶奶" in summary.text


async def test_a_forwarded_message_is_offered_for_whom_to_file(bot: BotHarness) -> None:
    user = await liaison(bot)
    villager = bot.user(VILLAGER_ID, "张大妈")
    await user.forward(villager, STORY)
    offer = await user.reply()
    assert offer.text == texts.FORWARD_OFFER
    assert offer.button(texts.BEHALF_BUTTON).callback_data == draft.BEHALF
    assert offer.button(texts.OWN_BUTTON).callback_data == callbacks.FILE_TICKET

    assert (await choose(user, offer, draft.BEHALF)).text == texts.ASK_NAME
    kind = await tell(user, "张大妈")
    summary = await from_kind_to_summary(user, kind, story_text=None)
    assert STORY in summary.text  # prefilled with the forwarded message
    await choose(user, summary, draft.SUBMIT)
    [ticket] = await filed_by(bot, user)
    assert ticket.text == STORY


async def test_replies_and_the_feedback_go_to_the_liaison(bot: BotHarness) -> None:
    user = await liaison(bot)
    await user.send_command("/daiban 张大妈")
    summary = await from_kind_to_summary(user, await user.reply())
    await choose(user, summary, draft.SUBMIT)
    await user.edits()
    [ticket] = await filed_by(bot, user)
    card = await bot.staff_group.reply()

    await answer_and_ask_for_feedback(bot, card, ticket.number)
    accepted, replied, ask = await user.replies(3)
    assert "张大妈" in accepted.text and "转告" in accepted.text
    assert "水渠明天疏通" in replied.text
    assert ask.text == feedback_texts.ASK_BEHALF.format(name="张大妈", number=ticket.number)
    await user.press(ask, rating_data(ticket.number, Rating.SATISFIED))
    assert (await user.reply()).text.startswith("谢谢您的评价（满意）")


async def test_someone_who_is_not_a_liaison_is_refused(bot: BotHarness) -> None:
    user = bot.user(VILLAGER_ID, "张大妈")
    await user.send_command("/daiban 李四")
    assert (await user.reply()).text == texts.NOT_A_LIAISON
    # The 替村民登记 button forged by a villager is refused the same way.
    await user.forward("某人", "帮我问问")
    offer = await user.reply()
    assert offer.text == filing_texts.FORWARD_OFFER
    await user.press(offer, draft.BEHALF, forged=True)
    assert (await user.reply()).text == texts.NOT_A_LIAISON
    assert await filed_by(bot, user) == []
