"""Bot API calls over aiohttp: answers, Telegram's errors, timeouts and dropped connections."""

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.local_api import Fault, Faults, LocalBotApi


async def test_calls_are_answered(direct_bot: ExtBot[None], api: LocalBotApi) -> None:
    me = await direct_bot.get_me()
    assert me.username == "mingbai_bot"
    assert [call.status for call in api.calls_of("getMe")] == [200, 200]  # initialize, then us


async def test_telegrams_refusals_become_its_errors(direct_bot: ExtBot[None]) -> None:
    with pytest.raises(BadRequest):
        await direct_bot.send_message(1, "")


async def test_a_dropped_connection_is_a_network_error(
    direct_bot: ExtBot[None], api: LocalBotApi
) -> None:
    Faults().install(api).next("getMe", "drop")
    with pytest.raises(NetworkError):
        await direct_bot.get_me()


async def test_no_answer_in_time_is_a_timeout(api: LocalBotApi) -> None:
    Faults().install(api).next("getMe", Fault("slow", seconds=2))
    request = AiohttpRequest(2, read_timeout=0.2)
    bot = ExtBot(api.token, base_url=api.base_url, request=request, get_updates_request=request)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await bot.get_me()
    finally:
        await request.shutdown()


async def test_a_request_before_initialising_fails_cleanly(api: LocalBotApi) -> None:
    request = AiohttpRequest(1)
    bot = ExtBot(api.token, base_url=api.base_url, request=request, get_updates_request=request)
    with pytest.raises(NetworkError, match="not initialised"):
        await bot.get_me()
