import asyncio

import pytest

from bot.local_api.errors import ApiError
from bot.local_api.objects import group_chat, private_chat, user_object
from bot.local_api.state import World

BOT = user_object(42, "明白", is_bot=True, username="mingbai_bot")
VILLAGER = user_object(7, "张三")


def _world(*, privacy_mode: bool = True) -> World:
    world = World(BOT, privacy_mode=privacy_mode)
    world.users[7] = VILLAGER
    world.add_chat(private_chat(VILLAGER))
    world.add_chat(group_chat(-100, "工作群", "supergroup"))
    return world


def test_unknown_chats_are_not_found() -> None:
    with pytest.raises(ApiError, match="chat not found"):
        _world().chat(1)


def test_chats_are_registered_once() -> None:
    with pytest.raises(ValueError, match="exists"):
        _world().add_chat(private_chat(VILLAGER))


def test_the_bot_may_write_only_to_users_who_wrote_first() -> None:
    world = _world()
    with pytest.raises(ApiError, match="can't initiate conversation") as raised:
        world.writable_chat(7)
    assert raised.value.code == 403
    world.chat(7).started = True
    assert world.writable_chat(7).chat_id == 7


def test_a_bot_that_left_cannot_post() -> None:
    world = _world()
    world.chat(-100).bot_is_member = False
    with pytest.raises(ApiError, match="not a member of the supergroup chat"):
        world.writable_chat(-100)
    assert world.member_status(-100, 42) == "left"


def test_message_ids_count_per_chat() -> None:
    world = _world()
    assert [world.chat(7).next_message_id() for _ in range(2)] == [1, 2]
    assert world.chat(-100).next_message_id() == 1
    with pytest.raises(ApiError, match="message to edit not found"):
        world.chat(7).message(5, "edit")


def test_member_status_defaults_to_member() -> None:
    world = _world()
    world.statuses[-100, 7] = "administrator"
    assert world.member_status(-100, 7) == "administrator"
    assert world.member_status(-100, 42) == "member"
    with pytest.raises(ApiError, match="user not found"):
        world.member_status(-100, 8)


@pytest.mark.parametrize(
    ("message", "seen"),
    [
        ({"text": "大家好"}, False),
        ({"text": "/start"}, True),
        ({"text": "问问 @mingbai_bot"}, True),
        ({"caption": "/report"}, True),
        ({"text": "好", "reply_to_message": {"from": BOT}}, True),
        ({"text": "好", "reply_to_message": {"from": VILLAGER}}, False),
    ],
)
def test_privacy_mode_hides_group_chatter(message: dict[str, object], seen: bool) -> None:
    world = _world()
    group = world.chat(-100)
    assert world.bot_sees(group, message) is seen
    assert world.bot_sees(world.chat(7), message)
    assert _world(privacy_mode=False).bot_sees(group, message)


def test_admin_bots_see_everything() -> None:
    world = _world()
    world.statuses[-100, 42] = "administrator"
    assert world.bot_sees(world.chat(-100), {"text": "大家好"})


async def test_wait_until_wakes_on_notify() -> None:
    world = _world()
    waiter = asyncio.create_task(world.wait_until(lambda: world.chat(7).started, timeout=60))
    await asyncio.sleep(0)
    world.chat(7).started = True
    await world.notify()
    async with asyncio.timeout(5):
        assert await waiter


async def test_wait_until_reports_a_timeout() -> None:
    assert not await _world().wait_until(lambda: False, timeout=0.01)
