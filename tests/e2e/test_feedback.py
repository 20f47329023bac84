"""回访, end to end: staff answer in their group, the villager rates the result."""

from bot.local_api import BotMessage, TelegramUser
from handlers import draft
from handlers.feedback_prompts import rating_data
from handlers.staff.cards import Press, press_data
from handlers.texts import feedback as texts
from handlers.texts import filing as filing_texts
from intake import Rating, Role, TicketState, TicketView
from tests.e2e.harness import BotHarness
from tests.e2e.test_filing import VILLAGER_ID, choose, up_to_the_summary, villager

OFFICER_ID = 500001
ANSWER = "已联系村委会，水渠明天疏通。"


async def file_ticket(bot: BotHarness, user: TelegramUser) -> tuple[TicketView, BotMessage]:
    """File through the bot; returns the ticket and its card in the staff group."""
    summary = await up_to_the_summary(user)
    await choose(user, summary, draft.SUBMIT)
    await user.edits()  # the summary's buttons taken off
    me = await bot.intake.get_or_create_user(user.user_id, "")
    [ticket] = await bot.intake.list_tickets(me.id)
    return ticket, await bot.staff_group.reply()


async def answer_and_ask_for_feedback(bot: BotHarness, card: BotMessage, number: str) -> None:
    """A township officer accepts the ticket, replies to its card, and closes it (→ 回访)."""
    officer = await bot.staff(OFFICER_ID, "韩干部", Role.TOWNSHIP_OFFICER)
    group = bot.staff_group
    await officer.press(card, press_data(Press.ACCEPT, number))
    await group.edits()  # the card redrawn
    written = await officer.reply_to(card, ANSWER)
    confirm = await group.reply()
    await officer.press(confirm, press_data(Press.SEND, str(written["message_id"])))
    await group.edits(2)  # the confirmation and the card
    await officer.press(card, press_data(Press.REQUEST_FEEDBACK, number))


async def feedback_request(bot: BotHarness, user: TelegramUser) -> tuple[TicketView, BotMessage]:
    """A ticket filed, answered and put to 回访; returns it and the 回访 message."""
    ticket, card = await file_ticket(bot, user)
    await answer_and_ask_for_feedback(bot, card, ticket.number)
    accepted, replied, ask = await user.replies(3)
    assert ticket.number in accepted.text and "受理" in accepted.text
    assert ANSWER in replied.text
    return ticket, ask


async def state_of(bot: BotHarness, number: str) -> TicketState:
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    return (await bot.intake.get_ticket(me.id, number)).state


async def test_after_the_answer_the_villager_gets_the_feedback_buttons(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    assert ask.text == texts.ASK.format(number=ticket.number)
    assert ask.button_texts == ["😊 满意", "🙂 基本满意", "😞 不满意"]
    assert ask.buttons[0][0].callback_data == f"fb:{ticket.number}:satisfied"
    assert await state_of(bot, ticket.number) is TicketState.AWAITING_FEEDBACK


async def test_dissatisfied_with_a_reason_reopens_the_ticket(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    await user.press(ask, rating_data(ticket.number, Rating.DISSATISFIED))
    [rated] = await user.edits()
    assert rated.buttons == () and rated.text.endswith("已记录：不满意")
    assert (await user.reply()).text == texts.ASK_REASON

    # A voice message is not a reason that staff can read in the ticket: ask for words.
    await user.send_voice()
    assert (await user.reply()).text == texts.REASON_TEXT_ONLY
    await user.send("水渠还是堵着，没人来疏通。")
    assert (await user.reply()).text == texts.REOPENED.format(number=ticket.number)

    assert await state_of(bot, ticket.number) is TicketState.IN_PROGRESS
    reopened = await bot.staff_group.reply()
    assert ticket.number in reopened.text
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    history = await bot.intake.history(me.id, ticket.number)
    assert history[-1].text == "水渠还是堵着，没人来疏通。"
    assert user.unread == 0  # the villager is not told about their own action


async def test_satisfied_closes_the_ticket(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    await user.press(ask, rating_data(ticket.number, Rating.SATISFIED))
    thanks = await user.reply()
    assert thanks.text == texts.THANKS.format(rating="满意", number=ticket.number)
    assert await state_of(bot, ticket.number) is TicketState.CLOSED

    # The same rating again (a double tap, forged): refused, nothing changes.
    again = await user.press(ask, rating_data(ticket.number, Rating.DISSATISFIED), forged=True)
    answer = await user.callback_answer(again)
    assert answer.show_alert and "已办结" in (answer.text or "")
    assert await state_of(bot, ticket.number) is TicketState.CLOSED


async def test_cancel_while_asked_why_keeps_the_rating_open(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    await user.press(ask, rating_data(ticket.number, Rating.DISSATISFIED))
    await user.reply()
    await user.send_command("/cancel")
    cancelled = await user.reply()
    assert cancelled.text == texts.CANCELLED
    await user.press(cancelled, rating_data(ticket.number, Rating.BASICALLY_SATISFIED))
    assert (await user.reply()).text.startswith("谢谢您的评价（基本满意）")
    assert await state_of(bot, ticket.number) is TicketState.CLOSED


async def test_a_restart_while_asked_why_resumes(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    await user.press(ask, rating_data(ticket.number, Rating.DISSATISFIED))
    await user.reply()
    await bot.restart()
    await user.send("还是没人管。")
    assert (await user.reply()).text == texts.REOPENED.format(number=ticket.number)


async def test_forged_feedback_buttons_are_refused(bot: BotHarness) -> None:
    user = villager(bot)
    ticket, ask = await feedback_request(bot, user)
    stranger = bot.user(300099, "路人")
    await stranger.send("你好")
    await stranger.replies()
    # A stranger cannot rate someone else's ticket, even with the right data.
    forged = await stranger.press(ask, rating_data(ticket.number, Rating.SATISFIED), forged=True)
    answer = await stranger.callback_answer(forged)
    assert answer.show_alert and "没有找到" in (answer.text or "")
    # Malformed data is stale.
    junk = await user.press(ask, "fb:2026-1:maybe", forged=True)
    assert (await user.callback_answer(junk)).text == filing_texts.STALE_BUTTON
    assert await state_of(bot, ticket.number) is TicketState.AWAITING_FEEDBACK
