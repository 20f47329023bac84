"""Staff at work, end to end: ticket cards in the staff group, their buttons, staff commands.

Transcripts through the local Bot API over HTTP against the real Application; villagers file
through the real filing flow.
"""

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from bot.local_api import BotMessage, TelegramUser
from bot.services import publisher
from bot.settings import Settings
from handlers import draft
from handlers.staff.cards import Press, press_data
from handlers.staff.commands import STAFF_HELP
from handlers.staff.jobs import StaffJobs
from handlers.texts import feedback as feedback_texts
from handlers.texts import filing as filing_texts
from handlers.texts import staff as texts
from intake import (
    IntakeService,
    Level,
    NewTicket,
    Role,
    Source,
    TicketKind,
    TicketState,
    create_engine,
)
from intake.changes import listening
from tests.e2e.harness import BotHarness

VILLAGER_ID = 310001
OFFICER_ID = 320001
GRID_WORKER_ID = 320002
OTHER_GRID_WORKER_ID = 320003
BYSTANDER_ID = 330001
LIAISON_ID = 360001
STORY = "邻居家的牛把我家的青稞地踩坏了，他不肯赔。"
NUMBER = re.compile(r"\d{4}-\d{6}")


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "马大姐")


async def officer(bot: BotHarness) -> TelegramUser:
    return await bot.staff(OFFICER_ID, "韩干事", Role.TOWNSHIP_OFFICER)


async def file_ticket(user: TelegramUser, story: str = STORY, village: str = "V01") -> str:
    """File a complaint through the villagers' filing flow; return its number."""
    await user.send_command("/file")
    await user.press(await user.reply(), draft.KIND_DATA + TicketKind.COMPLAINT.value)
    await user.press(await user.reply(), draft.VILLAGE_DATA + village)
    await user.reply()  # the story, please
    await user.send(story)
    await user.press(await user.reply(), draft.STORY_DONE)
    await user.reply()  # a phone number?
    await user.send(filing_texts.SKIP_BUTTON)
    _, summary = await user.replies(2)
    await user.press(summary, draft.SUBMIT)
    filed = await user.reply()
    found = NUMBER.search(filed.text)
    assert found is not None, filed.text
    return found.group()


async def filed_with_card(bot: BotHarness) -> tuple[str, BotMessage]:
    number = await file_ticket(villager(bot))
    card = await bot.staff_group.reply()
    assert card.text.startswith(f"📋 工单 {number}｜待受理")
    return number, card


async def press(user: TelegramUser, message: BotMessage, press: Press, arg: str | None = None):
    number = NUMBER.search(message.text)
    assert number is not None
    query = await user.press(message, press_data(press, number.group(), arg))
    return await user.callback_answer(query)


async def state_of(bot: BotHarness, number: str) -> TicketState:
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    return (await bot.intake.get_ticket(admin.id, number)).state


async def test_a_new_ticket_is_accepted_answered_and_sent_to_feedback(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    for shown in ("类型：投诉", "村：示例村01（示例网格01）　层级：网格", "村民：马大姐", STORY):
        assert shown in card.text
    assert re.search(r"受理期限：(\d+年)?\d+月\d+日（还剩 \d+ 天）", card.text)
    assert card.button_texts == ["受理", "派单", "不予受理", "💬 对话", texts.BUTTON_MORE]
    user, staff = villager(bot), await officer(bot)

    # 受理: the card changes, the villager learns by when they get an answer.
    answer = await press(staff, card, Press.ACCEPT)
    assert answer.text == f"已受理：工单 {number}" and not answer.show_alert
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜已受理")
    assert "答复" in card.button_texts and "受理" not in card.button_texts
    accepted = await user.reply()
    assert accepted.text.startswith(f"您反映的事情（工单 {number}）已经受理了")
    assert re.search(r"会在 (\d+年)?\d+月\d+日 前给您答复", accepted.text)

    # A Telegram reply to the card is a public answer, sent only once confirmed.
    written = await staff.reply_to(card, "已请村委会协调，邻居同意赔偿两袋青稞。")
    confirm = await bot.staff_group.reply()
    assert confirm.text.startswith(f"⚠️ 要把下面这段话作为工单 {number} 的正式答复发给村民吗")
    assert confirm.button_texts == [texts.BUTTON_SEND, texts.BUTTON_DROP]
    assert user.unread == 0
    query = await staff.press(confirm, press_data(Press.SEND, str(written["message_id"])))
    assert (await staff.callback_answer(query)).text == f"已答复：工单 {number}"
    replied = await user.reply()
    assert replied.text.startswith(f"工单 {number} 有答复了")
    assert "邻居同意赔偿两袋青稞" in replied.text
    edits = await bot.staff_group.edits(2)
    assert edits[0].text == texts.REPLY_SENT.format(number=number)
    card = edits[1]
    assert card.text.startswith(f"📋 工单 {number}｜已答复")
    assert card.button_texts == ["办结", "💬 对话", texts.BUTTON_MORE]

    # 办结 sends the ticket to 回访: the villager gets the rating buttons.
    assert (await press(staff, card, Press.REQUEST_FEEDBACK)).text == f"已发起回访：工单 {number}"
    ask = await user.reply()
    assert ask.text == feedback_texts.ASK.format(number=number)
    assert await state_of(bot, number) is TicketState.AWAITING_FEEDBACK

    # 不满意 reopens it, and the staff group sees the card again.
    await user.press(ask, f"fb:{number}:dissatisfied")
    await user.reply()  # why?
    await user.send("牛的主人到现在还没赔。")
    await user.reply()  # passed on to staff
    reopened = await bot.staff_group.reply()
    assert reopened.text.startswith(f"📋 工单 {number}｜办理中\n{texts.CARD_REOPENED}")
    assert await state_of(bot, number) is TicketState.IN_PROGRESS


async def test_a_non_staff_user_pressing_a_staff_button_is_refused(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    bystander = bot.user(BYSTANDER_ID, "路人")
    answer = await press(bystander, card, Press.ACCEPT)
    assert answer.show_alert
    assert answer.text == texts.NOT_STAFF.format(role="村民")

    # Staff of another grid may not see it; a grid worker may not reject; forged data is stale.
    other = await bot.staff(OTHER_GRID_WORKER_ID, "别村网格员", Role.GRID_WORKER, grid_code="G02")
    answer = await press(other, card, Press.ACCEPT)
    assert answer.show_alert and answer.text == f"没有找到工单 {number}，或您无权查看。"
    own = await bot.staff(GRID_WORKER_ID, "本村网格员", Role.GRID_WORKER, grid_code="G01")
    answer = await press(own, card, Press.REJECT)
    assert answer.show_alert and "只有镇干部或管理员可以不予受理" in answer.text
    forged = await own.press(card, "s:accept:../../etc", forged=True)
    assert (await own.callback_answer(forged)).text == texts.STALE_BUTTON

    assert await state_of(bot, number) is TicketState.NEW
    assert bot.staff_group.unread == 0 and villager(bot).unread == 0


async def test_rejecting_asks_the_reason_and_route_and_tells_the_villager(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    assert (await press(staff, card, Press.REJECT)).text == texts.WRITE_IT
    prompt = await bot.staff_group.reply()
    assert prompt.text.startswith(
        f"✍️ 工单 {number}｜不予受理\n韩干事，请回复这条消息，写明不予受理的理由"
    )
    markup = bot.api.calls_of("sendMessage")[-1].params["reply_markup"]
    assert (json.loads(markup) if isinstance(markup, str) else markup) == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": texts.PLACEHOLDER_REASON,
    }

    await staff.reply_to(prompt, "属于民事赔偿纠纷，已超出镇里的处理范围。")
    route = await bot.staff_group.reply()
    assert route.text.startswith(
        f"✍️ 工单 {number}｜不予受理\n韩干事，请回复这条消息，写明村民应当走的途径"
    )
    await staff.reply_to(route, "向湟中区人民法院起诉")
    assert (await bot.staff_group.reply()).text == f"已不予受理：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert card.text.startswith(f"📋 工单 {number}｜不予受理") and card.buttons == ()

    told = await villager(bot).reply()
    assert "不予受理" in told.text
    assert "原因：属于民事赔偿纠纷" in told.text and "建议您：向湟中区人民法院起诉" in told.text


async def test_escalating_to_joint_handling_asks_the_lead_unit_reason_and_co_units(
    bot: BotHarness,
) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    await villager(bot).reply()  # accepted

    assert (await press(staff, card, Press.DISPATCH)).text == texts.CHOOSE_DISPATCH
    [menu] = await bot.staff_group.edits()
    assert "转到「部门联动」" in menu.button_texts and "我来办（认领）" in menu.button_texts
    assert (await press(staff, menu, Press.LEVEL, Level.DEPARTMENT.value)).text == (
        texts.CHOOSE_UNIT
    )
    [units] = await bot.staff_group.edits()
    await press(staff, units, Press.UNIT, "派出所")
    prompt = await bot.staff_group.reply()
    assert "上报到「部门联动」的理由" in prompt.text
    await staff.reply_to(prompt, "牛只丢失涉及治安，请派出所牵头。")
    prompt = await bot.staff_group.reply()
    assert "写上协办单位" in prompt.text and "可选：派出所、司法所" in prompt.text

    # An unknown unit is refused with the choices; the answer can simply be given again.
    await staff.reply_to(prompt, "气象局")
    assert "没有这些单位：气象局" in (await bot.staff_group.reply()).text
    await staff.reply_to(prompt, "司法所、综治中心")
    assert (await bot.staff_group.reply()).text == f"已上报：工单 {number}"
    [card] = await bot.staff_group.edits()
    assert "层级：部门联动" in card.text
    assert "牵头单位：派出所　协办：司法所、综治中心" in card.text
    # Routing stays internal: the villager is not told.
    assert villager(bot).unread == 0


async def test_a_prompt_survives_a_restart(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await press(staff, card, Press.ACCEPT)
    [card] = await bot.staff_group.edits()
    await villager(bot).reply()  # accepted
    await press(staff, card, Press.REPLY)
    prompt = await bot.staff_group.reply()

    await bot.restart()
    await staff.reply_to(prompt, "调解已约在周三上午，请到村委会。")
    assert (await bot.staff_group.reply()).text == f"已答复：工单 {number}"
    assert "调解已约在周三上午" in (await villager(bot).reply()).text

    # A prompt already answered is not answered twice.
    await staff.reply_to(prompt, "再说一遍")
    assert (await bot.staff_group.reply()).text == texts.PROMPT_EXPIRED


async def test_a_note_stays_internal(bot: BotHarness) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    await staff.reply_to(card, "/note 已电话联系，村民下午在家。")
    assert (await bot.staff_group.reply()).text == texts.NOTE_ADDED.format(number=number)
    await staff.send_to(bot.staff_group, f"/note {number} 第二条备注")
    assert (await bot.staff_group.reply()).text == texts.NOTE_ADDED.format(number=number)
    await staff.send_to(bot.staff_group, "/note")
    assert (await bot.staff_group.reply()).text == texts.NOTE_USAGE
    assert villager(bot).unread == 0

    await staff.send_to(bot.staff_group, f"/ticket {number}")
    shown, history = await bot.staff_group.replies(2)
    assert shown.text.startswith(f"📋 工单 {number}｜待受理")
    assert "［内部］" in history.text and "已电话联系，村民下午在家。" in history.text

    # The villager's own view of the history leaves notes out.
    events = await bot.intake.history(
        (await bot.intake.get_or_create_user(VILLAGER_ID, "")).id, number
    )
    assert all(event.type.value != "noted" for event in events)


async def test_a_liaison_is_told_to_relay(bot: BotHarness) -> None:
    liaison = await bot.staff(LIAISON_ID, "李明白", Role.LIAISON, village_code="V04")
    await liaison.send_command("/start")
    await liaison.reply()
    liaison_id = (await bot.intake.get_or_create_user(LIAISON_ID, "")).id
    new = NewTicket(
        "tg:behalf",
        TicketKind.REQUEST,
        "其他",
        "低保的事。",
        "V04",
        Source.LIAISON,
        villager_name="马奶奶",
    )
    number = (await bot.intake.file_ticket(liaison_id, new)).ticket.number
    staff = await officer(bot)
    await staff.send_to(bot.staff_group, f"/ticket {number}")
    card, _ = await bot.staff_group.replies(2)
    assert "来源：法律明白人代报　村民：马奶奶" in card.text
    await press(staff, card, Press.ACCEPT)
    told = await liaison.reply()
    assert told.text.startswith("（这是您代 马奶奶 反映的事情，请转告本人。）\n您反映的事情")


async def test_ticket_and_queue_commands(bot: BotHarness) -> None:
    number, _ = await filed_with_card(bot)
    staff = await officer(bot)
    await staff.send_to(bot.staff_group, "/ticket 2026-999999")
    assert (await bot.staff_group.reply()).text == "没有找到工单 2026-999999，或您无权查看。"
    await staff.send_to(bot.staff_group, "/ticket 第一张")
    assert (await bot.staff_group.reply()).text == texts.TICKET_USAGE

    await staff.send_to(bot.staff_group, "/tickets")
    queue = await bot.staff_group.reply()
    assert f"{number}｜待受理｜投诉｜示例村01｜还剩" in queue.text
    await staff.press(queue, press_data(Press.SHOW, number))
    assert (await bot.staff_group.reply()).text.startswith(f"📋 工单 {number}｜待受理")

    # In a private chat: staff yes, villagers no.
    await staff.send("/tickets")
    assert number in (await staff.reply()).text
    user = villager(bot)
    await user.send("/tickets")
    assert (await user.reply()).text == texts.STAFF_ONLY

    # Other commands in the staff group list what works there; chatter is ignored.
    await staff.send_to(bot.staff_group, "/start")
    assert (await bot.staff_group.reply()).text == STAFF_HELP
    await staff.send_to(bot.staff_group, "大家辛苦了")
    await staff.send_to(bot.staff_group, "/overdue")
    assert (await bot.staff_group.reply()).text == texts.OVERDUE_EMPTY


async def test_roles_are_granted_by_admins_only(bot: BotHarness) -> None:
    newcomer = bot.api.user(340001, "新网格员", username="xin_wgy")
    await newcomer.send_to(bot.staff_group, "大家好，我是新来的网格员")
    await bot.admin.send_to(bot.staff_group, "/role @xin_wgy grid_worker V03")
    assert (await bot.staff_group.reply()).text == "✅ 已把 新网格员 设为「网格员」（V03）。"
    granted = await bot.intake.get_or_create_user(340001, "")
    assert (granted.role, granted.grid_code) == (Role.GRID_WORKER, "G03")

    message = await newcomer.send_to(bot.staff_group, "收到")
    await bot.admin.reply_to(message, "/role 村调解员 示例村03")
    assert (await bot.staff_group.reply()).text == "✅ 已把 新网格员 设为「村调解员」（示例村03）。"

    liaison = bot.user(340002, "明白人")
    await bot.admin.send(f"/role {liaison.user_id} liaison V05")
    assert (await bot.admin.reply()).text == "✅ 已把 明白人 设为「法律明白人」（V05）。"
    await bot.admin.send("/role 340002 国王")
    assert (await bot.admin.reply()).text.startswith("没有「国王」这个身份。")
    await bot.admin.send("/role @nobody_here grid_worker G01")
    assert (await bot.admin.reply()).text.startswith("找不到 @nobody_here。")

    staff = await officer(bot)
    await staff.send_to(bot.staff_group, "/role 340002 admin")
    assert (await bot.staff_group.reply()).text == texts.ROLE_ADMIN_ONLY
    assert (await bot.intake.get_or_create_user(340002, "")).role is Role.LIAISON


async def test_overdue_reminders_and_the_feedback_sweep(bot: BotHarness, tmp_path: Path) -> None:
    """Tickets from last winter: overdue, and one whose 回访 ran out; the villager blocked us."""
    engine = create_engine(Settings(data_dir=tmp_path).effective_database_url)
    try:
        past = IntakeService(engine, bot.runtime.services.intake_config, clock=_at(2026, 1, 5))
        staff = await officer(bot)
        officer_id = (await past.get_or_create_user(OFFICER_ID, "")).id
        silent = bot.user(350001, "没打开过机器人的村民")
        silent_id = (await past.get_or_create_user(silent.user_id, "")).id
        late = await _file(past, silent_id, "tg:late")
        rated = await _file(past, silent_id, "tg:rated")
        await past.accept(officer_id, rated)
        await past.reply(officer_id, rated, "已协调解决。")
        await past.request_feedback(officer_id, rated)
    finally:
        await engine.dispose()

    await staff.send_to(bot.staff_group, "/overdue")
    overdue = await bot.staff_group.reply()
    assert overdue.text.startswith("已超期（1 项）：")
    assert re.search(f"{late}｜受理期限 (2026年)?1月20日（已超期 \\d+ 天）｜示例村02", overdue.text)

    jobs = StaffJobs(bot.runtime.services)
    context = SimpleNamespace(bot=bot.pipeline.sender)
    await jobs.remind(context)
    reminder = await bot.staff_group.reply()
    assert reminder.text.startswith(f"{texts.REMINDER_TITLE}\n已超期（1 项）：\n{late}")
    # Run as the job queue runs it: intake's changes are published through the job's bot.
    with listening(publisher(bot.runtime.services, bot.pipeline.sender)):
        await jobs.close_unrated(context)
    assert await state_of(bot, rated) is TicketState.CLOSED
    # The villager never started the bot: the closing notice could not be delivered, so
    # staff find a note on the ticket asking them to call instead.
    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    note = texts.BLOCKED_NOTE.format(event="办结")
    for _ in range(100):
        history = await bot.intake.history(admin.id, rated)
        if history[-1].text == note:
            break
        await asyncio.sleep(0.05)
    assert history[-1].text == note


def _at(*day: int) -> Callable[[], datetime]:
    return lambda: datetime(*day, 9, 0, tzinfo=UTC)


async def _file(intake: IntakeService, villager_id: int, key: str) -> str:
    new = NewTicket(key, TicketKind.DISPUTE, "相邻", "院墙的纠纷。", "V02")
    return (await intake.file_ticket(villager_id, new)).ticket.number
