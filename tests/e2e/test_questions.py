"""Villagers asking questions, end to end: transcripts through the local Bot API over HTTP."""

from pathlib import Path

from bot.local_api import BotMessage, TelegramUser
from handlers import callbacks
from handlers.texts import answers
from handlers.texts import questions as texts
from intake import NewTicket, TicketKind
from tests.e2e.harness import BotHarness, running_bot

VILLAGER_ID = 200001
OTHER_GROUP_ID = -1002000000002


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马老汉")


async def ask(user: TelegramUser, text: str, replies: int = 1) -> list[BotMessage]:
    await user.send(text)
    return await user.replies(replies)


async def test_start_says_what_the_bot_is_and_offers_the_menu(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/start")
    welcome = await user.reply()
    assert "法律明白助手" in welcome.text
    assert "不是律师意见" in welcome.text
    assert "/mytickets" in welcome.text
    assert welcome.button_texts == [
        texts.MENU_ASK,
        texts.MENU_TOPICS,
        texts.MENU_MY_TICKETS,
        texts.MENU_STAFF,
    ]
    assert welcome.button(texts.MENU_STAFF).callback_data == callbacks.FILE_TICKET
    registered = await bot.intake.get_or_create_user(VILLAGER_ID, "别的名字")
    assert registered.display_name == "马老汉"

    await user.press(welcome, callbacks.ASK)
    assert (await user.reply()).text == texts.ASK_PROMPT
    await user.press(welcome, callbacks.MY_TICKETS)
    assert "还没有" in (await user.reply()).text

    await user.send_command("/help")
    assert "/topics" in (await user.reply()).text


async def test_a_clear_question_gets_the_answer_with_sources_and_buttons(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "离婚冷静期多长时间")
    assert "【离婚冷静期是多长时间？冷静期里能反悔吗？】" in answer.text
    assert answers.SOURCES_LABEL + "《民法典》第1077条" in answer.text
    assert "不是律师意见" in answer.text
    assert answer.text.endswith(texts.RATE_PROMPT)
    assert "两个人都同意离婚，协议离婚怎么办理？" in answer.button_texts
    assert answer.buttons[-1] == (
        (texts.RATE_UP, "rate:divorce.cooling_off:up"),
        (texts.RATE_DOWN, "rate:divorce.cooling_off:down"),
    )

    # A related question is one press away.
    await user.press(answer, callbacks.SHOW_FAQ + "divorce.by_agreement")
    related = await user.reply()
    assert related.text.startswith("【两个人都同意离婚，协议离婚怎么办理？】")


async def test_thumbs_up_thanks_and_removes_the_rating_buttons(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "离婚冷静期多长时间")
    press = await user.press(answer, "rate:divorce.cooling_off:up")
    assert (await user.callback_answer(press)).text == texts.THANKS_FOR_RATING
    [edited] = await user.edits()
    assert texts.RATE_UP not in edited.button_texts
    assert "两个人都同意离婚，协议离婚怎么办理？" in edited.button_texts

    # The same vote again (a double tap, or forged) changes nothing.
    again = await user.press(answer, "rate:divorce.cooling_off:up", forged=True)
    assert (await user.callback_answer(again)).text == texts.STALE_BUTTON
    assert user.unread == 0


async def test_thumbs_down_offers_a_ticket(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "离婚冷静期多长时间")
    await user.press(answer, "rate:divorce.cooling_off:down")
    offer = await user.reply()
    assert offer.text == texts.SORRY_NOT_HELPFUL
    assert offer.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET
    assert offer.button(answers.REPHRASE).callback_data == callbacks.REPHRASE


async def test_an_unclear_question_is_asked_back_then_answered(bot: BotHarness) -> None:
    user = villager(bot)
    [clarify] = await ask(user, "彩礼")
    assert clarify.text == answers.CLARIFY_PROMPT
    assert len(clarify.button_texts) <= 4
    assert clarify.button_texts[-1] == answers.NONE_OF_THESE
    first = clarify.buttons[0][0]
    assert first.callback_data == callbacks.SHOW_FAQ + "marriage.betrothal_gift_return"

    await user.press(clarify, first.callback_data)
    answer = await user.reply()
    assert answer.text.startswith(f"【{first.text}】")


async def test_none_of_these_hands_over_to_a_person(bot: BotHarness) -> None:
    user = villager(bot)
    [clarify] = await ask(user, "彩礼")
    await user.press(clarify, callbacks.HANDOVER)
    offer = await user.reply()
    assert offer.text == texts.HANDED_OVER
    assert offer.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET


async def test_a_question_the_faq_cannot_answer_goes_to_a_person(bot: BotHarness) -> None:
    user = villager(bot)
    [handover] = await ask(user, "明天天气怎么样")
    assert handover.text == answers.HANDOVER
    assert handover.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET

    await user.press(handover, callbacks.REPHRASE)
    assert (await user.reply()).text == answers.REPHRASE_PROMPT


async def test_topics_browse_domains_pages_and_answers(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/topics")
    domains = await user.reply()
    assert domains.text == texts.TOPICS_PROMPT
    assert "婚姻：结婚、离婚、彩礼" in domains.button_texts

    await user.press(domains, callbacks.TOPICS + "婚姻")
    [page_one] = await user.edits()
    assert "第 1/3 页" in page_one.text
    assert texts.NEXT_PAGE in page_one.button_texts
    assert texts.PREVIOUS_PAGE not in page_one.button_texts

    await user.press(page_one, callbacks.TOPICS + "婚姻:1")
    [page_two] = await user.edits()
    assert "第 2/3 页" in page_two.text
    question = page_two.buttons[0][0]
    assert question.callback_data is not None
    assert question.callback_data.startswith(callbacks.SHOW_FAQ)

    await user.press(page_two, question.callback_data)
    answer = await user.reply()
    assert answer.text.startswith(f"【{question.text}】")

    await user.press(page_two, callbacks.TOPICS)
    [back] = await user.edits()
    assert back.text == texts.TOPICS_PROMPT


async def test_forged_topics_and_answers_are_refused_gently(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/topics")
    domains = await user.reply()
    await user.press(domains, callbacks.TOPICS + "普法")
    [page] = await user.edits()
    forged_domain = await user.press(page, callbacks.TOPICS + "没有这个类别", forged=True)
    assert (await user.callback_answer(forged_domain)).text == texts.STALE_BUTTON
    [edited] = await user.edits()
    assert edited.text == texts.TOPICS_PROMPT

    forged = await user.press(domains, callbacks.SHOW_FAQ + "no.such_entry", forged=True)
    assert (await user.callback_answer(forged)).text == texts.ANSWER_GONE

    unknown = await user.press(domains, "zzz:whatever", forged=True)
    assert (await user.callback_answer(unknown)).text == texts.STALE_BUTTON
    assert user.unread == 0


async def test_greetings_thanks_and_stickers_get_a_friendly_word(bot: BotHarness) -> None:
    user = villager(bot)
    assert [r.text for r in await ask(user, "你好")] == [texts.GREETING]
    assert [r.text for r in await ask(user, "谢谢🙏")] == [texts.THANKS]
    assert [r.text for r in await ask(user, "🙏")] == [texts.THANKS]
    [who] = await ask(user, "你是机器人吗？")
    assert who.text == texts.IDENTITY
    assert texts.MENU_STAFF in who.button_texts
    await user.send_sticker(emoji="😊")
    assert (await user.reply()).text == texts.STICKER

    # A greeting followed by a question is a question.
    [answer] = await ask(user, "你好，离婚冷静期多长时间")
    assert answer.text.startswith("【离婚冷静期")


async def test_a_call_for_a_person_is_offered_a_ticket_at_once(bot: BotHarness) -> None:
    user = villager(bot)
    [offer] = await ask(user, "不想跟机器说了，转人工")
    assert offer.text == texts.PERSON_OFFER
    assert offer.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET


async def test_news_sought_about_a_ticket_points_to_my_tickets(bot: BotHarness) -> None:
    user = villager(bot)
    [pointer] = await ask(user, "我上次登记的宅基地的事办到哪一步了")
    assert pointer.text == texts.ABOUT_TICKET
    await user.press(pointer, callbacks.MY_TICKETS)
    assert "还没有" in (await user.reply()).text


async def test_a_request_for_action_is_offered_a_ticket_with_the_answer(bot: BotHarness) -> None:
    user = villager(bot)
    answer, offer = await ask(user, "邻居占了我家的地，请派人来调解", replies=2)
    assert answer.text.startswith("【邻居盖房、砌墙占了我家的地方")
    assert texts.RATE_UP in answer.button_texts
    assert offer.text == texts.ACTION_OFFER
    assert offer.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET

    # Without a fitting answer, the offer alone.
    [offer] = await ask(user, "我要投诉")
    assert offer.text == texts.ACTION_OFFER


async def test_unknown_commands_and_unreadable_messages_are_explained(bot: BotHarness) -> None:
    user = villager(bot)
    await user.send_command("/foo")
    unknown = await user.reply()
    assert unknown.text.startswith("没有这个命令")
    assert "/topics" in unknown.text

    [empty] = await ask(user, "😀😀")
    assert empty.text == answers.EMPTY_MESSAGE

    await user.send_contact("13800000000", first_name="邻居", own=False)
    assert (await user.reply()).text == texts.UNSUPPORTED_MESSAGE


async def test_an_edited_message_is_answered_again(bot: BotHarness) -> None:
    user = villager(bot)
    question = await user.send("明天天气怎么样")
    await user.reply()
    await user.edit(question, "离婚冷静期多长时间")
    note, answer = await user.replies(2)
    assert note.text == texts.EDITED
    assert answer.text.startswith("【离婚冷静期")


async def test_a_very_long_message_is_answered_from_its_ends_and_kept(bot: BotHarness) -> None:
    user = villager(bot)
    story = "我家里的事情说来话长。" * 10_000 + "离婚冷静期多长时间"
    assert len(story) >= 100_000
    note, reply = await ask(user, story, replies=2)
    assert note.text == texts.LONG_MESSAGE
    assert note.button(answers.FILE_TICKET).callback_data == callbacks.FILE_TICKET
    # Answered, or asked back with the right question offered: never handed over.
    cooling_off = "离婚冷静期是多长时间？冷静期里能反悔吗？"
    assert reply.text.startswith(f"【{cooling_off}】") or cooling_off in reply.button_texts


async def test_groups_the_bot_does_not_serve_are_left_alone(bot: BotHarness) -> None:
    user = villager(bot)
    bot_id = int(bot.api.token.partition(":")[0])
    group = bot.api.group(OTHER_GROUP_ID, "下寨村村民群", admins=[bot_id])
    await user.send_to(group, "离婚冷静期多长时间")
    await user.send_to(group, "/start")
    # Updates are handled in order: once the private reply is there, the group's were handled.
    await ask(user, "你好")
    assert group.unread == 0

    await user.send_to(group, "@mingbai_bot 彩礼能要回来吗")
    assert (await group.reply()).text == texts.GROUP_HINT


async def test_answers_name_the_townships_contacts_and_a_villagers_own_adviser(
    tmp_path: Path,
) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(
        "sample: false\n"
        "township:\n"
        "  司法所: {name: 镇司法所, phone: 0971-2200000}\n"
        "  派出所: {name: 派出所}\n  接待窗口: {name: 接待窗口}\n"
        "  镇领导接访: {name: 镇领导接访}\n  妇联: {name: 镇妇联}\n"
        "village:\n"
        "  default: {村委会: {name: 村委会}, 法律顾问: {name: 村里的法律顾问}}\n"
        "  V01: {村委会: {name: 一村村委会}, 法律顾问: {name: 李律师, phone: '13800000002'}}\n",
        encoding="utf-8",
    )
    async with running_bot(tmp_path / "data", contacts_file=contacts) as bot:
        user = villager(bot)
        [answer] = await ask(user, "把承包地租给别人种（土地流转），要注意什么？")
        assert "可请村里的法律顾问看合同" in answer.text
        # The office's phone is given once: in the answer where it names the office, else below.
        [answer] = await ask(user, "子女不赡养老人、不给生活费怎么办？")
        assert answer.text.count("镇司法所（电话 0971-2200000）") == 1
        assert "找村里的法律明白人、镇司法所，" in answer.text
        [answer] = await ask(user, "离婚冷静期多长时间")
        assert "找村里的法律明白人、镇司法所（电话 0971-2200000）" in answer.text
        assert "{contact:" not in answer.text

        registered = await bot.intake.get_or_create_user(VILLAGER_ID, "马老汉")
        await bot.intake.file_ticket(
            registered.id,
            NewTicket(
                source_key="test:contacts",
                kind=TicketKind.CONSULTATION,
                category="土地",
                text="承包地租出去了，合同怎么写？",
                village_code="V01",
            ),
        )
        [answer] = await ask(user, "把承包地租给别人种（土地流转），要注意什么？")
        assert "可请李律师（电话 13800000002）看合同" in answer.text
