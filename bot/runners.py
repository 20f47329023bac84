"""Running the bot: long polling or a webhook, with the aiohttp server (health, console) beside.

Either way the updates go through the durable pipeline (:mod:`bot.pipeline`): stored before
they are acknowledged, handled from the inbox, answered through the outbox.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from aiohttp import web
from telegram import Update

from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.relay import SendLimits
from bot.server import WEBHOOK_PATH, build_server
from bot.services import Runtime
from bot.settings import Settings, SettingsError


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


@asynccontextmanager
async def _running(pipeline: Pipeline) -> AsyncIterator[None]:
    """The pipeline handling and delivering, from its first Application until the block ends."""
    started = asyncio.Event()
    running = asyncio.create_task(pipeline.run(started), name="pipeline")
    waiting = asyncio.create_task(started.wait())
    try:
        await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            running.result()  # it failed while starting: raise that
        yield
    finally:
        for task in (waiting, running):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


def _pipeline(
    runtime: Runtime, api: BotApi, console_url: str, limits: SendLimits | None
) -> Pipeline:
    return Pipeline(
        runtime,
        token=api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        console_url=console_url,
        limits=limits,
    )


@asynccontextmanager
async def polling(
    runtime: Runtime, api: BotApi, console_url: str, *, limits: SendLimits | None = None
) -> AsyncIterator[Pipeline]:
    """The bot, long-polling the Bot API until the block ends.

    Pending updates are never dropped: what villagers sent while the bot was down is answered.
    Only the process leading the database polls; a standby starts polling when it takes over.
    """
    pipeline = _pipeline(runtime, api, console_url, limits)
    async with _running(pipeline):
        poller = asyncio.create_task(_poll_once_leading(pipeline))
        try:
            yield pipeline
        finally:
            poller.cancel()
            with suppress(asyncio.CancelledError):
                await poller


async def _poll_once_leading(pipeline: Pipeline) -> None:
    # Telegram lets one client at a time call getUpdates, so a standby leaves it to the leader.
    await pipeline.leading.wait()
    await Poller(pipeline.direct_bot, pipeline.receive).run()


@asynccontextmanager
async def web_server(
    pipeline: Pipeline,
    runtime: Runtime,
    *,
    host: str,
    port: int,
    console_url: str,
    webhook_secret: str | None = None,
    public_url: str | None = None,
    trusted_proxy: str | None = None,
) -> AsyncIterator[str]:
    """The aiohttp server (health check, console, chat page, webhook) while the block runs.

    ``public_url`` is where villagers reach the server (the console's QR codes point there);
    ``trusted_proxy`` the HTTPS reverse proxy in front of it, if any (:func:`build_server`).

    Yields:
        The address it listens on, ``http://host:port``.

    """
    runner = web.AppRunner(
        build_server(
            pipeline,
            runtime.services,
            console_url=console_url,
            webhook_secret=webhook_secret,
            public_url=public_url,
            trusted_proxy=trusted_proxy,
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
    trusted_proxy: str | None = None,
    limits: SendLimits | None = None,
) -> AsyncIterator[Pipeline]:
    """The bot, served by aiohttp on ``host``:``port`` and registered as the webhook.

    Args:
        runtime: The services and state store.
        api: The Bot API.
        secret: The secret token Telegram must send with every update.
        host: Where to listen.
        port: Where to listen (0 picks a free port).
        console_url: The staff console's address, for the login links ``/console`` gives.
        public_url: Where Telegram reaches this server; the listening address if omitted.
        trusted_proxy: The HTTPS reverse proxy in front of the server, if any.
        limits: How fast the relay may send.

    """
    pipeline = _pipeline(runtime, api, console_url, limits)
    async with (
        _running(pipeline),
        web_server(
            pipeline,
            runtime,
            host=host,
            port=port,
            console_url=console_url,
            webhook_secret=secret,
            public_url=public_url,
            trusted_proxy=trusted_proxy,
        ) as bound,
    ):
        await pipeline.direct_bot.set_webhook(
            url=(public_url or bound).rstrip("/") + WEBHOOK_PATH,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        yield pipeline


@asynccontextmanager
async def serving(runtime: Runtime, api: BotApi, settings: Settings) -> AsyncIterator[str]:
    """The bot long-polling ``api``, with the server (console, chat page) where settings say.

    Yields:
        The server's address.

    """
    async with (
        polling(runtime, api, settings.console_url) as pipeline,
        web_server(
            pipeline,
            runtime,
            host=settings.listen_host,
            port=settings.listen_port,
            console_url=settings.console_url,
            public_url=settings.public_url,
            trusted_proxy=settings.trusted_proxy,
        ) as bound,
    ):
        yield bound


async def run_polling(settings: Settings, runtime: Runtime) -> None:
    """Long-poll the configured Bot API, with the server beside, until SIGINT or SIGTERM."""
    async with serving(runtime, BotApi.of(settings), settings):
        await until_stopped()


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
        trusted_proxy=settings.trusted_proxy,
    ):
        await until_stopped()


async def until_stopped() -> None:
    """Wait for SIGINT or SIGTERM."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for received in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(received, stopped.set)
    try:
        await stopped.wait()
    finally:
        for received in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(received)
