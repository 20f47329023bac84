import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.error import BadRequest

from bot.local_api import (
    BotMessage,
    Button,
    LocalBotApi,
    ReplyTimeout,
    TelegramUser,
    UserActionError,
)

CHOICES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("登记", callback_data="ticket")],
        [InlineKeyboardButton("网址", url="https://x.cn")],
    ]
)


@pytest.fixture
async def villager(api: LocalBotApi) -> TelegramUser:
    return api.user(1001, "张三", username="zhangsan")


async def _updates(bot: Bot) -> tuple[Update, ...]:
    """Fetch and confirm the pending updates."""
    updates = await bot.get_updates()
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1)
    return updates


async def test_text_and_commands_reach_the_bot(bot: Bot, villager: TelegramUser) -> None:
    sent = await villager.send("宅基地能继承吗")
    await villager.send_command("/start 扫码")
    first, second = await _updates(bot)
    assert first.message is not None and first.message.text == "宅基地能继承吗"
    assert first.message.message_id == sent["message_id"]
    assert first.message.from_user is not None and first.message.from_user.username == "zhangsan"
    assert second.message is not None and second.message.entities[0].type == "bot_command"
    with pytest.raises(UserActionError, match="command"):
        await villager.send_command("start")
    with pytest.raises(UserActionError, match="empty"):
        await villager.send("")


async def test_replies_wait_for_the_bot(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    waiting = asyncio.create_task(villager.replies(2))
    await asyncio.sleep(0)
    assert not waiting.done()
    await bot.send_message(1001, "一")
    await bot.send_message(1001, "二", reply_markup=CHOICES)
    async with asyncio.timeout(5):
        one, two = await waiting
    assert (one.text, two.text) == ("一", "二")
    assert two.buttons == ((Button("登记", "ticket"),), (Button("网址", None),))
    assert two.button("登记").callback_data == "ticket"
    assert two.button_texts == ["登记", "网址"]
    assert villager.unread == 0
    await bot.send_message(1001, "三")
    assert villager.unread == 1
    assert (await villager.reply()).text == "三"


async def test_a_timeout_tells_what_did_happen(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    await bot.send_message(1001, "只有一条")
    with pytest.raises(ReplyTimeout) as raised:
        await villager.replies(2, timeout=0.05)
    report = str(raised.value)
    assert "expected 2 bot message(s)" in report and "got 1" in report
    assert "'只有一条'" in report and "sendMessage chat_id=1001 → 200" in report
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "")
    with pytest.raises(ReplyTimeout, match="Bad Request: message text is empty"):
        await villager.edits(timeout=0.01)


async def test_waits_can_be_unbounded(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    waiting = asyncio.create_task(villager.reply(timeout=None))
    await asyncio.sleep(0)
    await bot.send_message(1001, "终于")
    async with asyncio.timeout(5):
        assert (await waiting).text == "终于"


async def test_a_timeout_notices_a_silent_bot(villager: TelegramUser) -> None:
    with pytest.raises(ReplyTimeout, match="no API call at all"):
        await villager.reply(timeout=0.01)


async def test_last_reply_is_the_current_version(bot: Bot, villager: TelegramUser) -> None:
    assert villager.last_reply is None
    await villager.send("你好")
    sent = await bot.send_message(1001, "请选择", reply_markup=CHOICES)
    await bot.edit_message_text("已登记", chat_id=1001, message_id=sent.message_id)
    assert villager.last_reply is not None
    assert (villager.last_reply.text, villager.last_reply.buttons) == ("已登记", ())
    assert (await villager.reply()).text == "请选择"  # replies are as sent


async def test_pressing_a_button(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    await bot.send_message(1001, "请选择", reply_markup=CHOICES)
    shown = await villager.reply()
    await _updates(bot)
    query = await villager.press(shown, "ticket")
    [update] = await _updates(bot)
    assert update.callback_query is not None
    assert update.callback_query.data == "ticket" and update.callback_query.id == query["id"]
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == shown.message_id
    with pytest.raises(UserActionError, match="no button with callback_data 'admin'"):
        await villager.press(shown, "admin")


async def test_forged_presses_reach_the_bot(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    await bot.send_message(1001, "请选择", reply_markup=CHOICES)
    shown = await villager.reply()
    await _updates(bot)
    await villager.press(shown, "ticket:delete-all", forged=True)
    [update] = await _updates(bot)
    assert update.callback_query is not None
    assert update.callback_query.data == "ticket:delete-all"


async def test_buttons_that_are_gone_cannot_be_pressed(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    sent = await bot.send_message(1001, "请选择", reply_markup=CHOICES)
    shown = await villager.reply()
    await bot.edit_message_reply_markup(1001, sent.message_id)
    with pytest.raises(UserActionError, match="no button"):
        await villager.press(shown, "ticket")
    await bot.delete_message(1001, sent.message_id)
    with pytest.raises(UserActionError, match="deleted"):
        await villager.press(shown, "ticket", forged=True)


async def test_an_unanswered_press_times_out(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    await bot.send_message(1001, "请选择", reply_markup=CHOICES)
    query = await villager.press(await villager.reply(), "ticket")
    with pytest.raises(ReplyTimeout, match="did not answer press"):
        await villager.callback_answer(query, timeout=0.01)


async def test_replying_to_a_bot_message(bot: Bot, villager: TelegramUser) -> None:
    await villager.send("你好")
    await bot.send_message(1001, "您住哪个村？")
    await villager.reply_to(await villager.reply(), "上新庄村")
    update = (await _updates(bot))[-1]
    assert update.message is not None and update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "您住哪个村？"


async def test_media_contacts_and_forwards(
    bot: Bot, villager: TelegramUser, api: LocalBotApi
) -> None:
    neighbour = api.user(1002, "王五")
    await villager.send_photo(content=b"jpeg", caption="界桩")
    await villager.send_photo("photo-known")
    await villager.send_voice(duration=12)
    await villager.send_document(content=b"%PDF", file_name="合同.pdf", caption="合同")
    await villager.send_sticker(emoji="🙏")
    await villager.send_contact("+8613800000000")
    await villager.forward(neighbour, "他说的")
    await villager.forward("匿名", "听说的")
    photo, known, voice, document, sticker, contact, forward, hidden = (
        update.message for update in await _updates(bot)
    )
    assert photo is not None and photo.caption == "界桩" and photo.photo[-1].file_size == 4
    assert known is not None and known.photo[-1].file_id == "photo-known"
    assert voice is not None and voice.voice is not None
    assert document is not None and document.document is not None
    assert document.document.file_name == "合同.pdf" and document.caption == "合同"
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji == "🙏"
    assert contact is not None and contact.contact is not None
    assert (contact.contact.phone_number, contact.contact.user_id) == ("+8613800000000", 1001)
    assert forward is not None and isinstance(forward.forward_origin, MessageOriginUser)
    assert forward.forward_origin.sender_user.first_name == "王五"
    assert hidden is not None and isinstance(hidden.forward_origin, MessageOriginHiddenUser)
    assert hidden.forward_origin.sender_user_name == "匿名"
    file = await bot.get_file(document.document.file_id)
    assert await file.download_as_bytearray() == b"%PDF"


async def test_editing_own_messages(bot: Bot, villager: TelegramUser) -> None:
    sent = await villager.send("彩礼五万")
    edited = await villager.edit(sent, "彩礼八万")
    _, edit = await _updates(bot)
    assert edit.edited_message is not None
    assert edit.edited_message.text == "彩礼八万" and edit.edited_message.edit_date is not None
    assert edit.edited_message.message_id == sent["message_id"] == edited["message_id"]
    await bot.send_message(1001, "收到")
    with pytest.raises(UserActionError, match="own text messages"):
        await villager.edit((await villager.reply()).raw, "改")


async def test_groups_in_privacy_mode(api: LocalBotApi, bot: Bot, villager: TelegramUser) -> None:
    group = api.group(-1001, "上新庄村民群")
    chatter = await villager.send_to(group, "大家好")
    await villager.send_command("/ask@mingbai_bot", to=group)
    assert chatter["chat"]["id"] == -1001
    [update] = await _updates(bot)
    assert update.message is not None and update.message.text == "/ask@mingbai_bot"
    assert update.message.chat.type == "supergroup"
    await bot.send_message(-1001, "请私聊我")
    assert (await group.reply()).text == "请私聊我"
    assert villager.unread == 0
    assert group.last_reply is not None
    await villager.reply_to(group.last_reply, "好的")
    [reply] = await _updates(bot)
    assert reply.message is not None and reply.message.text == "好的"


async def test_admin_bots_hear_all_group_messages(api: LocalBotApi, bot: Bot) -> None:
    group = api.group(-1001, "工作人员", admins=[api.bot_user["id"]])
    await api.user(2001, "李四").send_to(group, "今天谁值班")
    [update] = await _updates(bot)
    assert update.message is not None and update.message.text == "今天谁值班"


def test_bot_message_view() -> None:
    message = {
        "message_id": 3,
        "chat": {"id": 5, "type": "private"},
        "caption": "说明",
        "photo": [],
    }
    view = BotMessage.of(message, {"keyboard": [["好", {"text": "分享", "request_contact": True}]]})
    assert (view.text, view.chat_id, view.buttons) == ("说明", 5, ())
    assert [key.text for key in view.keyboard[0]] == ["好", "分享"]
    with pytest.raises(UserActionError, match="no button '好'"):
        view.button("好")
