"""Running the bot: long polling against a Bot API, or a webhook served by aiohttp."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.application import build_application
from bot.server import WEBHOOK_PATH, build_server
from bot.services import Runtime
from bot.settings import Settings, SettingsError

App = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def polling(
    runtime: Runtime, token: str, base_url: str, base_file_url: str
) -> AsyncIterator[App]:
    """The bot, long-polling ``base_url`` until the block ends.

    Pending updates are never dropped: what villagers sent while the bot was down is answered.
    """
    application = build_application(
        token, runtime.services, runtime.store, base_url=base_url, base_file_url=base_file_url
    )
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=10,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def run_polling(settings: Settings, runtime: Runtime) -> None:
    """Long-poll the configured Bot API until SIGINT or SIGTERM."""
    token = _token(settings)
    async with polling(runtime, token, settings.telegram_api_url, settings.telegram_file_url):
        await _until_stopped()


async def run_webhook(settings: Settings, runtime: Runtime) -> None:
    """Register the webhook and serve it until SIGINT or SIGTERM.

    Raises:
        SettingsError: The token, the webhook URL or the webhook secret is not set.

    """
    token = _token(settings)
    if not settings.webhook_url or not settings.webhook_secret:
        raise SettingsError("webhook mode needs MINGBAI_WEBHOOK_URL and MINGBAI_WEBHOOK_SECRET")
    async with webhook(
        runtime,
        token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        secret=settings.webhook_secret,
        host=settings.listen_host,
        port=settings.listen_port,
        public_url=settings.webhook_url,
    ):
        await _until_stopped()


@asynccontextmanager
async def webhook(
    runtime: Runtime,
    token: str,
    *,
    base_url: str,
    base_file_url: str,
    secret: str,
    host: str,
    port: int,
    public_url: str | None = None,
) -> AsyncIterator[App]:
    """The bot, served by aiohttp on ``host``:``port`` and registered as the webhook.

    Args:
        runtime: The services and state store.
        token: The bot token.
        base_url: The Bot API base URL.
        base_file_url: The Bot API base URL for files.
        secret: The secret token Telegram must send with every update.
        host: Where to listen.
        port: Where to listen (0 picks a free port).
        public_url: Where Telegram reaches this server; the listening address if omitted.

    """
    application = build_application(
        token, runtime.services, runtime.store, base_url=base_url, base_file_url=base_file_url
    )
    async with application:
        await application.start()
        runner = web.AppRunner(build_server(application, secret))
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            bound_host, bound_port = runner.addresses[0][:2]
            root = (public_url or f"http://{bound_host}:{bound_port}").rstrip("/")
            await application.bot.set_webhook(
                url=root + WEBHOOK_PATH,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            yield application
        finally:
            await runner.cleanup()
            await application.stop()


def _token(settings: Settings) -> str:
    if not settings.telegram_token:
        raise SettingsError("MINGBAI_TELEGRAM_TOKEN is not set")
    return settings.telegram_token


async def _until_stopped() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for received in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(received, stopped.set)
    try:
        await stopped.wait()
    finally:
        for received in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(received)
