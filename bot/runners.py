"""Running the bot: long polling or a webhook, with the aiohttp server (health, console) beside."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.application import build_application
from bot.server import WEBHOOK_PATH, build_server
from bot.services import Runtime
from bot.settings import Settings, SettingsError

App = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class BotApi:
    """Which Bot API the bot talks to, as whom."""

    token: str
    base_url: str
    base_file_url: str

    @classmethod
    def of(cls, settings: Settings) -> BotApi:
        """The Bot API named by the settings.

        Raises:
            SettingsError: ``MINGBAI_TELEGRAM_TOKEN`` is not set.

        """
        if not settings.telegram_token:
            raise SettingsError("MINGBAI_TELEGRAM_TOKEN is not set")
        return cls(settings.telegram_token, settings.telegram_api_url, settings.telegram_file_url)


def _application(runtime: Runtime, api: BotApi, console_url: str) -> App:
    return build_application(
        api.token,
        runtime.services,
        runtime.store,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        console_url=console_url,
    )


@asynccontextmanager
async def polling(runtime: Runtime, api: BotApi, console_url: str) -> AsyncIterator[App]:
    """The bot, long-polling the Bot API until the block ends.

    Pending updates are never dropped: what villagers sent while the bot was down is answered.
    """
    application = _application(runtime, api, console_url)
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


@asynccontextmanager
async def web_server(
    application: App,
    runtime: Runtime,
    *,
    host: str,
    port: int,
    console_url: str,
    webhook_secret: str | None = None,
) -> AsyncIterator[str]:
    """The aiohttp server (health check, staff console, webhook) while the block runs.

    Yields:
        The address it listens on, ``http://host:port``.

    """
    runner = web.AppRunner(
        build_server(
            application, runtime.services, console_url=console_url, webhook_secret=webhook_secret
        )
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def webhook(
    runtime: Runtime,
    api: BotApi,
    *,
    secret: str,
    host: str,
    port: int,
    console_url: str,
    public_url: str | None = None,
) -> AsyncIterator[App]:
    """The bot, served by aiohttp on ``host``:``port`` and registered as the webhook.

    Args:
        runtime: The services and state store.
        api: The Bot API.
        secret: The secret token Telegram must send with every update.
        host: Where to listen.
        port: Where to listen (0 picks a free port).
        console_url: The staff console's address, for the login links ``/console`` gives.
        public_url: Where Telegram reaches this server; the listening address if omitted.

    """
    application = _application(runtime, api, console_url)
    async with application:
        await application.start()
        try:
            async with web_server(
                application,
                runtime,
                host=host,
                port=port,
                console_url=console_url,
                webhook_secret=secret,
            ) as bound:
                await application.bot.set_webhook(
                    url=(public_url or bound).rstrip("/") + WEBHOOK_PATH,
                    secret_token=secret,
                    allowed_updates=Update.ALL_TYPES,
                    drop_pending_updates=False,
                )
                yield application
        finally:
            await application.stop()


async def run_polling(settings: Settings, runtime: Runtime) -> None:
    """Long-poll the configured Bot API, with the server beside, until SIGINT or SIGTERM."""
    async with (
        polling(runtime, BotApi.of(settings), settings.console_url) as application,
        web_server(
            application,
            runtime,
            host=settings.listen_host,
            port=settings.listen_port,
            console_url=settings.console_url,
        ),
    ):
        await _until_stopped()


async def run_webhook(settings: Settings, runtime: Runtime) -> None:
    """Register the webhook and serve it until SIGINT or SIGTERM.

    Raises:
        SettingsError: The token, the public URL or the webhook secret is not set.

    """
    api = BotApi.of(settings)
    if not settings.public_url or not settings.webhook_secret:
        raise SettingsError("webhook mode needs MINGBAI_PUBLIC_URL and MINGBAI_WEBHOOK_SECRET")
    async with webhook(
        runtime,
        api,
        secret=settings.webhook_secret,
        host=settings.listen_host,
        port=settings.listen_port,
        console_url=settings.console_url,
        public_url=settings.public_url,
    ):
        await _until_stopped()


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
