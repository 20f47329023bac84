"""Villagers asking questions, end to end: transcripts through the local Bot API over HTTP."""

from pathlib import Path

from bot.local_api import BotMessage, TelegramUser
from handlers import callbacks, draft
from handlers.pufa import SUBSCRIBE
from handlers.texts import answers
from handlers.texts import filing as filing_texts
from handlers.texts import pufa as pufa_texts
from handlers.texts import questions as texts
from handlers.texts import thread as thread_texts
from intake import NewTicket, TicketKind, TicketView
from tests.e2e.harness import ADMIN_ID, BotHarness, running_bot
from tests.knowledge.faq_files import bundled_copy

VILLAGER_ID = 200001
OTHER_GROUP_ID = -1002000000002
DETAILS = "冷静期的细节：您可以撤回申请。"


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马老汉")


async def ask(user: TelegramUser, text: str, replies: int = 1) -> list[BotMessage]:
    await user.send(text)
    return await user.replies(replies)


async def tickets_of(bot: BotHarness) -> tuple[TicketView, ...]:
    """The villager's tickets, newest first."""
    me = await bot.intake.get_or_create_user(VILLAGER_ID, "马老汉")
    return tuple(await bot.intake.list_tickets(me.id))


def first_answer_line(answer: BotMessage) -> str:
    return answer.text.split("\n")[1]


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
    assert answer.text.startswith("【离婚冷静期是多长时间？冷静期里能反悔吗？】\n")
    assert "\n" + answers.SOURCES_LABEL + "民法典第1077" in answer.text
    assert answer.text.endswith(answers.ANSWER_FOOTER.replace("{contact:司法所}", "镇司法所"))
    assert answer.buttons[-1] == (
        (texts.RATE_UP, "rate:divorce.cooling_off:up"),
        (texts.RATE_DOWN, "rate:divorce.cooling_off:down"),
        (answers.ASK_STAFF, callbacks.TO_STAFF + "divorce.cooling_off"),
    )


async def test_thumbs_up_thanks_and_removes_the_rating_buttons(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "离婚冷静期多长时间")
    press = await user.press(answer, "rate:divorce.cooling_off:up")
    assert (await user.callback_answer(press)).text == texts.THANKS_FOR_RATING
    [edited] = await user.edits()
    # The rest of the row stays: a person is still one press away; 普法 is offered below.
    assert edited.buttons[-2:] == (
        ((answers.ASK_STAFF, callbacks.TO_STAFF + "divorce.cooling_off"),),
        ((pufa_texts.SUBSCRIBE_BUTTON, SUBSCRIBE),),
    )

    # The same vote again (a double tap, or forged) changes nothing.
    again = await user.press(answer, "rate:divorce.cooling_off:up", forged=True)
    assert (await user.callback_answer(again)).text == texts.STALE_BUTTON
    assert user.unread == 0


async def test_thumbs_down_offers_a_person(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "离婚冷静期多长时间")
    await user.press(answer, "rate:divorce.cooling_off:down")
    offer = await user.reply()
    assert offer.text == texts.SORRY_NOT_HELPFUL
    staff = offer.button(answers.ASK_STAFF)
    assert staff.callback_data == callbacks.TO_STAFF + "divorce.cooling_off"
    assert offer.button(answers.REPHRASE).callback_data == callbacks.REPHRASE


async def test_an_unclear_question_is_asked_back_then_answered(bot: BotHarness) -> None:
    user = villager(bot)
    [clarify] = await ask(user, "彩礼")
    assert clarify.text == answers.CLARIFY_PROMPT
    assert len(clarify.button_texts) <= 4
    assert clarify.buttons[-1] == ((answers.ASK_STAFF, callbacks.TO_STAFF),)
    first = clarify.buttons[0][0]
    assert first.callback_data == callbacks.SHOW_FAQ + "marriage.betrothal_gift_return"

    await user.press(clarify, first.callback_data)
    answer = await user.reply()
    assert answer.text.startswith(f"【{first.text}】")


async def test_to_staff_under_the_clarify_list_files_the_question(bot: BotHarness) -> None:
    user = villager(bot)
    [clarify] = await ask(user, "彩礼")
    await user.press(clarify, callbacks.TO_STAFF)
    village = await user.reply()
    assert village.text == filing_texts.ASK_VILLAGE_AT_ONCE
    await user.press(village, draft.VILLAGE_DATA + "V02")
    handed_over = await user.reply()
    [ticket] = await tickets_of(bot)
    assert handed_over.text == filing_texts.HANDED_OVER.format(number=ticket.number)
    assert ticket.text == "彩礼"
    assert (ticket.kind, ticket.village_code) == (TicketKind.CONSULTATION, "V02")


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


async def test_a_request_for_action_is_offered_a_person_in_the_answer(bot: BotHarness) -> None:
    user = villager(bot)
    [answer] = await ask(user, "邻居占了我家的地，请派人来调解")
    assert answer.text.startswith("【邻居盖房、砌墙占了我家的地方")
    assert answer.text.endswith("\n" + answers.ACTION_LINE)
    assert answer.button_texts[-3:] == [texts.RATE_UP, texts.RATE_DOWN, answers.ASK_STAFF]

    # Without a fitting answer, the offer alone.
    [offer] = await ask(user, "我要投诉")
    assert offer.text == texts.ACTION_OFFER
    assert user.unread == 0


async def test_an_answered_complaint_files_the_question_and_answer_in_one_press(
    bot: BotHarness,
) -> None:
    user = villager(bot)
    complaint = "邻居占了我家地界 盖了个羊圈 说了不听"
    [answer] = await ask(user, complaint)
    assert answer.text.startswith("【邻居盖房、砌墙占了我家的地方")
    assert answer.text.endswith("\n" + answers.ACTION_LINE)
    staff = answer.button(answers.ASK_STAFF)
    assert staff.callback_data == callbacks.TO_STAFF + "neighbor.encroachment"
    assert user.unread == 0

    # The township does not know his village yet: that alone is asked, then it is filed.
    await user.press(answer, staff.callback_data)
    village = await user.reply()
    assert village.text == filing_texts.ASK_VILLAGE_AT_ONCE
    await user.press(village, draft.VILLAGE_DATA + "V01")
    [edited] = await user.edits()
    assert edited.buttons == ()
    handed_over = await user.reply()
    [ticket] = await tickets_of(bot)
    assert handed_over.text == filing_texts.HANDED_OVER.format(number=ticket.number)
    assert ticket.text.startswith(complaint + "\n\n—— 明白助手给的回答 ——\n【邻居盖房、砌墙")
    assert first_answer_line(answer) in ticket.text
    assert ticket.kind is TicketKind.REQUEST
    assert ticket.faq_shown == ("neighbor.encroachment",)
    card = await bot.staff_group.reply()
    assert ticket.number in card.text

    # What he writes next adds to that ticket, until he asks something new.
    await user.send("羊圈是上个月盖的，占了差不多两米")
    added = await user.reply()
    assert added.text == thread_texts.ADDED.format(number=ticket.number)
    admin = await bot.intake.ensure_admin(ADMIN_ID, "管理员")
    thread = await bot.intake.thread(admin.id, ticket.number)
    assert [m.text for m in thread][-1] == "羊圈是上个月盖的，占了差不多两米"
    await user.press(added, callbacks.ASK)
    assert (await user.reply()).text == texts.ASK_PROMPT
    [answer] = await ask(user, "离婚冷静期多长时间")
    assert answer.text.startswith("【离婚冷静期")

    # Now that his village is known, 找工作人员 files at once.
    await user.press(answer, callbacks.TO_STAFF + "divorce.cooling_off")
    handed_over = await user.reply()
    latest = (await tickets_of(bot))[0]
    assert latest.number != ticket.number
    assert handed_over.text == filing_texts.HANDED_OVER.format(number=latest.number)
    assert (latest.kind, latest.village_code) == (TicketKind.CONSULTATION, "V01")
    assert latest.text.startswith("离婚冷静期多长时间\n\n—— 明白助手给的回答 ——")

    # A second press on the same answer finds the ticket already filed: no copy.
    await user.press(answer, callbacks.TO_STAFF + "divorce.cooling_off")
    again = await user.reply()
    assert again.text == filing_texts.HANDED_OVER.format(number=latest.number)
    assert len(await tickets_of(bot)) == 2


async def test_details_are_shown_with_the_same_sources(tmp_path: Path) -> None:
    faq = bundled_copy(
        tmp_path / "faq",
        {
            "divorce.cooling_off": {"title": "离婚冷静期", "details": DETAILS},
            "divorce.by_agreement": {"title": "协议离婚"},
        },
    )
    async with running_bot(tmp_path / "data", faq_dir=faq) as bot:
        user = villager(bot)
        [answer] = await ask(user, "离婚冷静期多长时间")
        related = [b for row in answer.buttons[:-1] for b in row]
        assert [b.text for b in related] == ["协议离婚", answers.DETAILS]
        assert related[0].callback_data == callbacks.SHOW_FAQ + "divorce.by_agreement"
        [sources] = [line for line in answer.text.splitlines() if line.startswith("依据：")]

        await user.press(answer, callbacks.DETAILS + "divorce.cooling_off")
        details = await user.reply()
        assert details.text.startswith(f"【离婚冷静期是多长时间？冷静期里能反悔吗？】\n{DETAILS}\n")
        assert details.text.endswith("\n\n" + sources)
        assert details.button_texts == [answers.ASK_STAFF]

        forged = await user.press(answer, callbacks.DETAILS + "divorce.by_agreement", forged=True)
        assert (await user.callback_answer(forged)).text == texts.ANSWER_GONE


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
        assert "请村里的法律顾问看合同" in answer.text
        # The office's phone is given once: in the answer where it names the office, else below.
        [answer] = await ask(user, "子女不赡养老人、不给生活费怎么办？")
        assert answer.text.count("镇司法所（电话 0971-2200000）") == 1
        assert "可以问镇司法所或打12348" in answer.text
        [answer] = await ask(user, "离婚冷静期多长时间")
        assert "可以问镇司法所（电话 0971-2200000）或打12348" in answer.text
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
        assert "请李律师（电话 13800000002）看合同" in answer.text
