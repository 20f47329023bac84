"""Villagers filing tickets, end to end: transcripts through the local Bot API over HTTP."""

from bot.local_api import BotMessage, TelegramUser
from handlers import callbacks, draft
from handlers.texts import filing as texts
from intake import AttachmentKind, Source, TicketKind, TicketState
from tests.e2e.harness import ADMIN_ID, BotHarness

VILLAGER_ID = 300001
NEIGHBOUR_ID = 300002
STORY = "邻居把我家浇地的水渠堵了，说了好几次也不听，地都浇不上了。"


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马大姐")


async def start_filing(user: TelegramUser) -> BotMessage:
    await user.send_command("/file")
    kind = await user.reply()
    assert kind.text.startswith(texts.ASK_KIND)
    return kind


async def choose(user: TelegramUser, message: BotMessage, data: str) -> BotMessage:
    await user.press(message, data)
    return await user.reply()


async def up_to_the_story(user: TelegramUser) -> BotMessage:
    """/file → 投诉 → 示例村01; returns the story prompt."""
    kind = await start_filing(user)
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.COMPLAINT)
    assert village.text == texts.ASK_VILLAGE
    story = await choose(user, village, draft.VILLAGE_DATA + "V01")
    assert story.text.startswith(texts.ASK_STORY)
    return story


async def tell(user: TelegramUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.reply()


async def up_to_the_summary(user: TelegramUser) -> BotMessage:
    """The whole flow with a one-line story and no phone; returns the summary."""
    await up_to_the_story(user)
    received = await tell(user, STORY)
    phone = await choose(user, received, draft.STORY_DONE)
    assert phone.text == texts.ASK_PHONE
    await user.send(texts.SKIP_BUTTON)
    skipped, summary = await user.replies(2)
    assert skipped.text == texts.PHONE_SKIPPED
    return summary


async def test_a_complaint_with_a_photo_a_voice_message_and_a_phone(bot: BotHarness) -> None:
    user = villager(bot)
    kind = await start_filing(user)
    assert kind.button_texts == ["咨询", "投诉", "矛盾纠纷", "求助"]
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.COMPLAINT)
    assert village.button_texts[:2] == ["示例村01", "示例村02"]
    assert len(village.button_texts) == 8 + 1  # a page of villages and 下一页

    # Turning the page edits the same message.
    await user.press(village, draft.PAGE_DATA + "1")
    [page_two] = await user.edits()
    assert page_two.button_texts[0] == "示例村09"
    assert page_two.button_texts[-2:] == [texts.PREVIOUS_PAGE, texts.NEXT_PAGE]
    story = await choose(user, page_two, draft.VILLAGE_DATA + "V09")
    assert story.text.startswith(texts.ASK_STORY)

    received = await tell(user, STORY)
    assert received.text == texts.STORY_RECEIVED
    await user.send_photo(caption="水渠被堵的地方")
    assert (await user.reply()).text == texts.STORY_RECEIVED
    await user.send_voice(duration=20)
    received = await user.reply()
    assert received.text == texts.STORY_RECEIVED

    phone = await choose(user, received, draft.STORY_DONE)
    assert phone.text == texts.ASK_PHONE
    assert phone.keyboard[0][0].request_contact
    await user.send_contact("+86 138 0000 1234")
    saved, summary = await user.replies(2)
    assert saved.text == texts.PHONE_SAVED
    assert user.keyboard == ()
    assert "类型：投诉" in summary.text
    assert "村（社区）：示例村09" in summary.text
    assert "电话：尾号 1234" in summary.text
    assert "照片1个、语音1个" in summary.text
    assert STORY in summary.text and "水渠被堵的地方" in summary.text

    filed = await choose(user, summary, draft.SUBMIT)
    [ticket] = await bot.intake.list_tickets(
        (await bot.intake.get_or_create_user(VILLAGER_ID, "")).id
    )
    assert filed.text.startswith(f"登记好了！您的编号是 {ticket.number}")
    assert "15 天内" in filed.text and "60 天内" in filed.text
    assert ticket.kind is TicketKind.COMPLAINT
    assert ticket.source is Source.VILLAGER
    assert ticket.village_code == "V09"
    assert ticket.state is TicketState.NEW
    assert ticket.contact_phone == "13800001234" and ticket.contact_consent
    assert [a.kind for a in ticket.attachments] == [AttachmentKind.PHOTO, AttachmentKind.VOICE]
    assert ticket.category in bot.runtime.services.intake_config.categories

    card = await bot.staff_group.reply()
    assert ticket.number in card.text
    # The summary cannot be submitted again.
    assert (user.last_reply or filed).message_id == filed.message_id


async def test_a_double_tap_on_confirm_files_once(bot: BotHarness) -> None:
    user = villager(bot)
    summary = await up_to_the_summary(user)
    first = await user.press(summary, draft.SUBMIT)
    # The second tap of a double tap reaches the bot before the buttons are gone.
    second = await user.press(summary, draft.SUBMIT, forged=True)
    filed = await user.reply()
    assert filed.text.startswith("登记好了！")
    assert (await user.callback_answer(first)).text is None
    assert (await user.callback_answer(second)).text == texts.STALE_BUTTON
    assert user.unread == 0
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    assert len(await bot.intake.list_tickets(me.id)) == 1
    await bot.staff_group.reply()
    assert bot.staff_group.unread == 0


async def test_cancel_leaves_the_flow_at_any_step(bot: BotHarness) -> None:
    user = villager(bot)
    await up_to_the_story(user)
    await tell(user, STORY)
    await user.send_command("/cancel")
    assert (await user.reply()).text == texts.CANCELLED
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    assert await bot.intake.list_tickets(me.id) == ()

    # Out of the flow, a photo is no longer part of a story: filing it is offered instead.
    await user.send_photo()
    assert (await user.reply()).text == texts.MEDIA_OFFER


async def test_a_restart_in_the_middle_resumes_where_it_was(bot: BotHarness) -> None:
    user = villager(bot)
    await up_to_the_story(user)
    await tell(user, STORY)

    await bot.restart()

    received = await tell(user, "我们村主任也知道这个事。")
    assert received.text == texts.STORY_RECEIVED
    phone = await choose(user, received, draft.STORY_DONE)
    assert phone.text == texts.ASK_PHONE
    await user.send(texts.SKIP_BUTTON)
    _, summary = await user.replies(2)
    assert STORY in summary.text and "我们村主任也知道这个事。" in summary.text


async def test_bad_input_at_each_step_gets_a_hint_and_nothing_is_lost(bot: BotHarness) -> None:
    user = villager(bot)
    kind = await start_filing(user)

    # Typing at the kind step: kept in the story, the step asked again.
    await user.send("我家的事很急")
    hint, again = await user.replies(2)
    assert hint.text == texts.PRESS_A_BUTTON
    assert again.text.startswith(texts.ASK_KIND)
    # The kind's name typed works too.
    village = await tell(user, "矛盾纠纷")
    assert village.text == texts.ASK_VILLAGE

    # A forged or old button: said so, and the current step asked again.
    press = await user.press(kind, draft.KIND_DATA + "bogus", forged=True)
    assert (await user.callback_answer(press)).text == texts.STALE_BUTTON
    assert (await user.reply()).text == texts.ASK_VILLAGE
    press = await user.press(village, draft.VILLAGE_DATA + "V999", forged=True)
    assert (await user.callback_answer(press)).text == texts.STALE_BUTTON
    village = await user.reply()

    story = await choose(user, village, draft.VILLAGE_DATA + "V02")
    assert "我家的事很急" in story.text  # what was typed at the kind step

    # A sticker cannot be kept; a 100,000-character message is kept by its beginning and end.
    await user.send_sticker()
    assert (await user.reply()).text == texts.STORY_UNSUPPORTED
    assert (await tell(user, STORY)).text == texts.STORY_RECEIVED
    shortened = await tell(user, "开头" + "字" * 100_000 + "结尾")
    assert shortened.text == f"{texts.STORY_SHORTENED}\n{texts.STORY_RECEIVED}"
    # Once the story is full, more text is not taken, and the villager is told.
    full = await tell(user, "还有一件事")
    assert full.text.startswith("内容已经写满了")
    received = full

    # At the phone step, only the villager's own contact is taken.
    await choose(user, received, draft.STORY_DONE)
    await user.send_contact("13900001111", first_name="邻居", own=False)
    hint, again = await user.replies(2)
    assert hint.text == texts.PHONE_NOT_OWN
    assert again.text == texts.ASK_PHONE
    await user.send("13900001111")
    hint, again = await user.replies(2)
    assert hint.text == texts.PHONE_USE_BUTTON
    await user.send(texts.SKIP_BUTTON)
    _, summary = await user.replies(2)
    assert "电话：不留" in summary.text
    assert "13900001111" not in summary.text
    assert "我家的事很急" in summary.text and STORY in summary.text
    assert "开头" in summary.text and "结尾" in summary.text and "还有一件事" not in summary.text
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    await choose(user, summary, draft.SUBMIT)
    [ticket] = await bot.intake.list_tickets(me.id)
    assert len(ticket.text) <= bot.runtime.services.intake_config.max_text_chars


async def test_a_voice_message_is_explained_and_can_go_to_staff_as_it_is(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_voice(duration=30)
    offer = await user.reply()
    assert offer.text == texts.VOICE_OFFER
    assert "只能看懂文字" in offer.text and "语音转文字" in offer.text and "话筒" in offer.text
    assert offer.buttons == (
        ((texts.VOICE_BUTTON, callbacks.VOICE_TO_STAFF),),
        ((texts.NO_THANKS_BUTTON, draft.DROP_OFFER),),
    )

    village = await choose(user, offer, callbacks.VOICE_TO_STAFF)
    assert village.text == texts.ASK_VILLAGE_AT_ONCE
    handed_over = await choose(user, village, draft.VILLAGE_DATA + "V03")
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    [ticket] = await bot.intake.list_tickets(me.id)
    assert handed_over.text == texts.HANDED_OVER.format(number=ticket.number)
    assert [a.kind for a in ticket.attachments] == [AttachmentKind.VOICE]
    assert ticket.text == "（内容见附件：语音1个）"
    # Staff get the card, then the voice message itself in the ticket's thread, to listen to.
    card, voice = await bot.staff_group.replies(2)
    assert ticket.number in card.text
    assert "voice" in voice.raw and ticket.number in voice.text
    admin = await bot.intake.ensure_admin(ADMIN_ID, "管理员")
    [passed] = await bot.intake.thread(admin.id, ticket.number)
    assert passed.attachment == ticket.attachments[0]

    # The offer, pressed again, has nothing left to pass on.
    assert (await choose(user, offer, callbacks.VOICE_TO_STAFF)).text == texts.STALE_BUTTON
    assert len(await bot.intake.list_tickets(me.id)) == 1


async def test_a_photo_outside_the_flow_is_offered_filing(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_photo()
    offer = await user.reply()
    assert offer.text == texts.MEDIA_OFFER
    assert offer.button_texts == [texts.FILE_BUTTON, texts.NO_THANKS_BUTTON]

    kind = await choose(user, offer, callbacks.FILE_TICKET)
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.REQUEST)
    story = await choose(user, village, draft.VILLAGE_DATA + "V03")
    assert "照片1个" in story.text
    # The photo alone is a story: on to the phone, then the summary.
    await choose(user, story, draft.STORY_DONE)
    await user.send(texts.SKIP_BUTTON)
    _, summary = await user.replies(2)
    assert "（内容见附件：照片1个）" in summary.text
    await choose(user, summary, draft.SUBMIT)
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "")
    [ticket] = await bot.intake.list_tickets(me.id)
    assert [a.kind for a in ticket.attachments] == [AttachmentKind.PHOTO]


async def test_declining_the_offer_forgets_the_file(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_photo()
    offer = await user.reply()
    await user.press(offer, draft.DROP_OFFER)
    assert (await user.reply()).text == texts.DROPPED
    [edited] = await user.edits()
    assert edited.buttons == ()

    kind = await start_filing(user)
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.CONSULTATION)
    story = await choose(user, village, draft.VILLAGE_DATA + "V01")
    assert story.text == texts.ASK_STORY


async def test_the_story_starts_with_the_question_just_asked(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send("村里的低保到现在还没发，能不能帮我们问问")
    # Asking for action: the FAQ's answer with the offer in it, or the offer to file alone.
    await user.reply()
    kind = await start_filing(user)
    village = await choose(user, kind, draft.KIND_DATA + TicketKind.REQUEST)
    story = await choose(user, village, draft.VILLAGE_DATA + "V01")
    assert "村里的低保到现在还没发" in story.text
    assert story.button_texts == [texts.STORY_DONE_BUTTON, texts.STORY_CLEAR_BUTTON]
