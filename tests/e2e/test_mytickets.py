"""/mytickets, end to end: a villager's tickets, what happens next, and each one's history."""

from handlers import draft
from handlers.callbacks import TICKET_HISTORY
from handlers.texts import mytickets as texts
from tests.e2e.harness import BotHarness
from tests.e2e.test_filing import choose, up_to_the_summary, villager


async def test_no_tickets_yet(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/mytickets")
    assert (await user.reply()).text == texts.NONE_YET


async def test_tickets_newest_first_with_the_next_step_and_history(bot: BotHarness) -> None:
    user = villager(bot)
    for _ in range(2):
        await choose(user, await up_to_the_summary(user), draft.SUBMIT)
    me = await bot.intake.get_or_create_user(user.user_id, "")
    newest, oldest = await bot.intake.list_tickets(me.id)

    await user.send_command("/mytickets")
    listing = await user.reply()
    assert listing.text.startswith(texts.HEADER)
    assert listing.text.index(newest.number) < listing.text.index(oldest.number)
    assert "待受理" in listing.text and "前决定是否受理" in listing.text
    assert listing.buttons[0][0].callback_data == TICKET_HISTORY + newest.number

    await user.press(listing, TICKET_HISTORY + oldest.number)
    history = await user.reply()
    assert history.text.startswith(f"{oldest.number} 的进展：")

    # Someone else's ticket, even with the right number, is not shown.
    stranger = bot.user(300098, "路人")
    forged = await stranger.press(listing, TICKET_HISTORY + oldest.number, forged=True)
    answer = await stranger.callback_answer(forged)
    assert answer.show_alert and answer.text == texts.NOT_FOUND
    junk = await stranger.press(listing, TICKET_HISTORY + "../etc", forged=True)
    assert (await stranger.callback_answer(junk)).text == texts.NOT_FOUND
