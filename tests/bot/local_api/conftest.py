from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.local_api import LocalBotApi


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as api:
        yield api


def _plain_http() -> HTTPXRequest:
    # The server speaks plain HTTP on loopback; not loading the CA bundle makes a Bot ~50 times
    # cheaper to build, which is most of a test's cost here.
    return HTTPXRequest(httpx_kwargs={"verify": False})


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=_plain_http(),
        get_updates_request=_plain_http(),
    ) as bot:
        yield bot
