"""``mingbai webhook``: serve the Telegram webhook (and the health check) on aiohttp."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.logs import configure_logging
from bot.runners import run_webhook
from bot.services import open_runtime
from bot.settings import Settings, load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``webhook``."""
    parser = subparsers.add_parser(
        "webhook",
        help="serve the webhook at MINGBAI_PUBLIC_URL (listening on MINGBAI_LISTEN_HOST/PORT)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM."""
    settings = load_settings()
    configure_logging(settings.data_dir)
    asyncio.run(_serve(settings))
    return 0


async def _serve(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        await run_webhook(settings, runtime)
