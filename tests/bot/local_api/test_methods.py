import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageOriginUser,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden

from bot.local_api import Button, Key, LocalBotApi, TelegramUser
from bot.local_api.methods import MAX_TEXT_LENGTH

YES_NO = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("是", callback_data="yes"),
            InlineKeyboardButton("否", callback_data="no"),
        ]
    ]
)


@pytest.fixture
async def villager(api: LocalBotApi) -> TelegramUser:
    villager = api.user(1001, "张三", username="zhangsan")
    await villager.send("/start")
    return villager


# Updates


async def test_get_updates_confirms_by_offset(api: LocalBotApi, bot: Bot) -> None:
    villager = api.user(1001, "张三")
    await villager.send("第一")
    await villager.send("第二")
    first = await bot.get_updates()
    assert [update.message.text for update in first] == ["第一", "第二"]  # type: ignore[union-attr]
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[0].update_id + 1)
    assert [update.message.text for update in rest] == ["第二"]  # type: ignore[union-attr]
    await villager.send("第三")
    latest = await bot.get_updates(offset=first[1].update_id + 1, limit=5)
    assert [update.message.text for update in latest] == ["第三"]  # type: ignore[union-attr]


async def test_allowed_updates_are_remembered(api: LocalBotApi, bot: Bot) -> None:
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    await api.user(1001).send("不要这个")
    assert await bot.get_updates() == ()


async def test_get_updates_conflicts_with_a_webhook(bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_updates_are_posted_to_the_webhook(api: LocalBotApi, bot: Bot) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await received.put((secret, await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    async with TestServer(app, host="127.0.0.1") as receiver:
        url = str(receiver.make_url("/hook"))
        assert await bot.set_webhook(url, secret_token="village-secret")
        await api.user(1001).send("走 webhook")
        async with asyncio.timeout(5):
            secret, update = await received.get()
    assert secret == "village-secret"
    assert Update.de_json(update, bot).message.text == "走 webhook"  # type: ignore[union-attr]


async def test_webhook_must_be_local(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)loopback"):
        await bot.set_webhook("https://example.com/hook")


async def test_drop_pending_updates(api: LocalBotApi, bot: Bot) -> None:
    await api.user(1001).send("旧消息")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# Sending


async def test_inline_keyboard_round_trips(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_message(1001, "同意吗？", reply_markup=YES_NO)
    assert sent.reply_markup == YES_NO
    assert sent.from_user is not None and sent.from_user.id == bot.id
    assert sent.chat.id == 1001 and sent.text == "同意吗？"
    reply = await villager.reply()
    assert reply.buttons == ((Button("是", "yes"), Button("否", "no")),)
    assert reply.message_id == sent.message_id


async def test_message_ids_count_up_per_chat(api: LocalBotApi, bot: Bot) -> None:
    villager = api.user(1001)
    other = api.user(1002)
    first = await villager.send("一")
    await other.send("二")
    replies = [await bot.send_message(chat, "好") for chat in (1001, 1001, 1002)]
    assert [m.message_id for m in replies] == [first["message_id"] + 1, first["message_id"] + 2, 2]


async def test_reply_keyboard_is_shown_until_removed(bot: Bot, villager: TelegramUser) -> None:
    share = ReplyKeyboardMarkup([[KeyboardButton("分享手机号", request_contact=True)], ["取消"]])
    sent = await bot.send_message(1001, "请分享手机号", reply_markup=share)
    assert sent.reply_markup is None  # Telegram echoes inline keyboards only
    assert (await villager.reply()).keyboard == ((Key("分享手机号", True),), (Key("取消"),))
    assert villager.keyboard[0][0].request_contact
    await bot.send_message(1001, "谢谢", reply_markup=ReplyKeyboardRemove())
    assert villager.keyboard == ()


async def test_html_becomes_entities(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_message(1001, "<b>注意</b>：a &lt; b", parse_mode=ParseMode.HTML)
    assert sent.text == "注意：a < b"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]


@pytest.mark.parametrize(
    ("text", "parse_mode", "complaint"),
    [
        ("a < b", ParseMode.HTML, "can't parse entities"),
        ("*x*", ParseMode.MARKDOWN_V2, "not implemented by the local Bot API"),
        ("x", "Fancy", "unsupported parse_mode"),
        ("", None, "message text is empty"),
        ("<b></b>", ParseMode.HTML, "message text is empty"),
        ("长" * (MAX_TEXT_LENGTH + 1), None, "message is too long"),
    ],
)
async def test_bad_texts_are_refused(
    bot: Bot, villager: TelegramUser, text: str, parse_mode: str | None, complaint: str
) -> None:
    with pytest.raises(BadRequest, match=rf"(?i){complaint}"):
        await bot.send_message(1001, text, parse_mode=parse_mode)


@pytest.mark.parametrize(
    ("button", "complaint"),
    [
        (InlineKeyboardButton("长", callback_data="数据" * 11), "BUTTON_DATA_INVALID"),
        (InlineKeyboardButton("只有字"), "text buttons are unallowed"),
    ],
)
async def test_bad_inline_buttons_are_refused(
    bot: Bot, villager: TelegramUser, button: InlineKeyboardButton, complaint: str
) -> None:
    with pytest.raises(BadRequest, match=rf"(?i){complaint}"):
        await bot.send_message(1001, "x", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_unknown_and_unstarted_chats_are_refused(api: LocalBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "你好")
    api.user(1003)
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(1003, "你好")


async def test_replies_quote_the_message(bot: Bot, villager: TelegramUser) -> None:
    question = await villager.send("能退彩礼吗")
    sent = await bot.send_message(
        1001, "能", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "能退彩礼吗"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(1001, "x", reply_to_message_id=999)
    unquoted = await bot.send_message(
        1001, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert unquoted.reply_to_message is None


async def test_protected_content_is_marked(bot: Bot, villager: TelegramUser) -> None:
    assert (await bot.send_message(1001, "x", protect_content=True)).has_protected_content


async def test_chat_actions_are_recorded(bot: Bot, villager: TelegramUser) -> None:
    assert await bot.send_chat_action(1001, ChatAction.TYPING)
    assert villager.chat_actions == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(1001, "dancing")


# Files


async def test_uploaded_photo_can_be_downloaded(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_photo(1001, b"\xff\xd8jpeg", caption="<i>证据</i>", parse_mode="HTML")
    assert sent.caption == "证据" and sent.caption_entities[0].type == "italic"
    file = await sent.photo[-1].get_file()
    assert await file.download_as_bytearray() == b"\xff\xd8jpeg"
    again = await bot.send_photo(1001, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    assert (await villager.replies(2))[0].text == "证据"


async def test_users_files_can_be_resent_and_fetched(bot: Bot, villager: TelegramUser) -> None:
    voice = await villager.send_voice(content=b"OggS")
    file_id = voice["voice"]["file_id"]
    sent = await bot.send_voice(1001, file_id)
    assert sent.voice is not None and sent.voice.file_id == file_id
    file = await bot.get_file(file_id)
    assert await file.download_as_bytearray() == b"OggS"


async def test_documents_keep_their_names(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_document(1001, b"%PDF-1.7", filename="调解协议.pdf")
    assert sent.document is not None
    assert sent.document.file_name == "调解协议.pdf"
    assert sent.document.mime_type == "application/pdf"


async def test_unknown_files_are_refused(bot: Bot, villager: TelegramUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(1001, "no-such-file")
    with pytest.raises(BadRequest, match=r"(?i)no network"):
        await bot.send_document(1001, "https://example.com/a.pdf")
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")


async def test_registered_files_can_be_sent_by_id(api: LocalBotApi, bot: Bot) -> None:
    file_id = api.add_file(b"form", file_name="申请表.docx")
    await api.user(1001).send("要表格")
    sent = await bot.send_document(1001, file_id)
    assert sent.document is not None and sent.document.file_name == "申请表.docx"


# Copies and forwards


async def test_copy_and_forward(api: LocalBotApi, bot: Bot, villager: TelegramUser) -> None:
    staff = api.group(-1001, "调解员")
    photo = await villager.send_photo(caption="围墙照片")
    copied = await bot.copy_message(-1001, 1001, photo["message_id"], caption="转交")
    forwarded = await bot.forward_message(-1001, 1001, photo["message_id"])
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == 1001
    assert forwarded.photo and forwarded.caption == "围墙照片"
    replies = await staff.replies(2)
    assert replies[0].message_id == copied.message_id
    assert replies[0].text == "转交" and "forward_origin" not in replies[0].raw
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(-1001, 1001, 999)


# Changing messages


async def test_edits_replace_text_and_keyboard(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_message(1001, "同意吗？", reply_markup=YES_NO)
    edited = await bot.edit_message_text("已记录", chat_id=1001, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "已记录" and edited.reply_markup is None and edited.edit_date
    [edit] = await villager.edits()
    assert edit.text == "已记录" and edit.buttons == ()
    assert villager.last_reply is not None and villager.last_reply.text == "已记录"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("已记录", chat_id=1001, message_id=sent.message_id)


async def test_reply_markup_edits(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_message(1001, "同意吗？", reply_markup=YES_NO)
    cleared = await bot.edit_message_reply_markup(1001, sent.message_id)
    assert not isinstance(cleared, bool) and cleared.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard expected"):
        await bot.edit_message_reply_markup(
            1001,
            sent.message_id,
            reply_markup=ReplyKeyboardMarkup([["好"]]),  # type: ignore[arg-type]
        )


async def test_only_own_text_messages_can_be_edited(bot: Bot, villager: TelegramUser) -> None:
    theirs = await villager.send("你好")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("改", chat_id=1001, message_id=theirs["message_id"])
    photo = await bot.send_photo(1001, b"jpeg")
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await bot.edit_message_text("改", chat_id=1001, message_id=photo.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("改", chat_id=1001, message_id=999)


async def test_delete_message(bot: Bot, villager: TelegramUser) -> None:
    sent = await bot.send_message(1001, "临时")
    assert await bot.delete_message(1001, sent.message_id)
    assert villager.last_reply is None
    assert villager.deleted == [sent.message_id]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(1001, sent.message_id)


async def test_callback_queries_are_answered_once(bot: Bot, villager: TelegramUser) -> None:
    await bot.send_message(1001, "同意吗？", reply_markup=YES_NO)
    query = await villager.press(await villager.reply(), "yes")
    assert await bot.answer_callback_query(query["id"], "已选择", show_alert=True)
    answer = await villager.callback_answer(query)
    assert (answer.text, answer.show_alert) == ("已选择", True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])


# Commands and chats


async def test_commands_per_scope(bot: Bot) -> None:
    commands = [BotCommand("start", "开始"), BotCommand("ticket", "登记纠纷")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands[:1], scope=BotCommandScopeAllGroupChats())
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == tuple(commands[:1])
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])


async def test_chats_and_members(api: LocalBotApi, bot: Bot) -> None:
    staff_member = api.user(2001, "李四")
    api.group(-1001, "工作人员", admins=[2001])
    group = await bot.get_chat(-1001)
    assert (group.type, group.title) == ("supergroup", "工作人员")
    assert (await bot.get_chat(2001)).first_name == "李四"
    assert (await bot.get_chat_member(-1001, staff_member.user_id)).status == "administrator"
    api.user(2002)
    assert (await bot.get_chat_member(-1001, 2002)).status == "member"
    api.set_member_status(-1001, 2002, "kicked")
    assert (await bot.get_chat_member(-1001, 2002)).status == "kicked"
    assert (await bot.get_chat_member(-1001, bot.id)).status == "member"
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(-5)


async def test_a_bot_that_left_can_no_longer_post(api: LocalBotApi, bot: Bot) -> None:
    api.group(-1001, "旧群")
    assert await bot.leave_chat(-1001)
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(-1001, "还在吗")
    with pytest.raises(BadRequest, match=r"(?i)private chats"):
        await bot.leave_chat(api.user(1001).user_id)


def test_methods_are_found_case_insensitively() -> None:
    api = LocalBotApi()
    assert api.methods.find("SENDMESSAGE") is api.methods.find("sendMessage") is not None
    assert api.methods.find("sendInvoice") is None
    assert "getUpdates" in api.methods.names
