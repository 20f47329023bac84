"""Fixtures for the durable pipeline's tests: a migrated SQLite database and a local Bot API."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import ExtBot

from bot.aiohttp_request import AiohttpRequest
from bot.local_api import LocalBotApi
from intake import create_engine, upgrade


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty SQLite database."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    """A local Bot API over HTTP on loopback."""
    async with LocalBotApi() as api:
        yield api


@pytest.fixture
async def direct_bot(api: LocalBotApi) -> AsyncIterator[ExtBot[None]]:
    """A bot that calls the local Bot API at once, over aiohttp, as the pipeline's does."""
    async with ExtBot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=AiohttpRequest(8),
        get_updates_request=AiohttpRequest(1),
    ) as bot:
        yield bot
