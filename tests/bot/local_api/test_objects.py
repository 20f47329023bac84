import pytest
from telegram import Chat, ChatFullInfo, ChatMember, MessageEntity, User

from bot.local_api.objects import (
    chat_full_info,
    chat_member,
    command_entities,
    group_chat,
    private_chat,
    user_object,
    utf16_length,
)


def test_user_and_private_chat_parse_in_ptb() -> None:
    user = user_object(7, "张三", username="zhang", last_name="李")
    parsed = User.de_json(user, None)
    assert (parsed.id, parsed.first_name, parsed.username) == (7, "张三", "zhang")
    chat = Chat.de_json(private_chat(user), None)
    assert (chat.type, chat.first_name, chat.username) == (Chat.PRIVATE, "张三", "zhang")


def test_full_chat_info_has_every_required_field() -> None:
    info = ChatFullInfo.de_json(chat_full_info(group_chat(-100, "工作群", "supergroup")), None)
    assert (info.id, info.type, info.title) == (-100, Chat.SUPERGROUP, "工作群")


@pytest.mark.parametrize("status", ["creator", "administrator", "member", "left", "kicked"])
def test_chat_member_parses_for_every_status(status: str) -> None:
    member = ChatMember.de_json(chat_member(user_object(7, "张三"), status), None)  # type: ignore[arg-type]
    assert member.status == status


def test_commands_are_found_where_telegram_finds_them() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("/help@mingbai_bot 你好") == [
        {"type": "bot_command", "offset": 0, "length": 17}
    ]
    assert command_entities("看 /ticket") == [{"type": "bot_command", "offset": 2, "length": 7}]
    assert command_entities("a/b 1/2 http://x/y") == []


def test_entity_offsets_count_utf16_units() -> None:
    assert utf16_length("😀a") == 3
    [entity] = command_entities("😀 /start")
    assert MessageEntity.de_json(entity, None).offset == 3
