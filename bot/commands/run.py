"""``mingbai run``: start the assistant.

With ``MINGBAI_TELEGRAM_TOKEN`` set it long-polls the Bot API (the chat page served beside);
without one it runs the same bot on a local Bot API and chats with it in the terminal, the chat
page beside, or with ``--web`` serves only the chat page and the console.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.local_chat import chat_in_terminal, serve_web_alone
from bot.logs import configure_logging
from bot.runners import run_polling
from bot.services import open_runtime
from bot.settings import Settings, load_settings
from handlers.texts import answers as texts

# The shell's exit status for a program ended by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``run``."""
    parser = subparsers.add_parser("run", help="start the assistant")
    parser.add_argument(
        "--web",
        action="store_true",
        help="without a token: serve only the chat page and the console, no terminal chat",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run until stopped (or, chatting without a terminal, until the input ends)."""
    settings = load_settings()
    # Without a token the terminal is the villager's chat: the log stays in its file.
    configure_logging(settings.data_dir, to_stderr=bool(settings.telegram_token))
    try:
        asyncio.run(_run(settings, web_alone=args.web))
    except KeyboardInterrupt:
        # asyncio.run has cancelled the bot and closed what it opened; only a goodbye is left.
        print("\n" + texts.STOPPED, file=sys.stderr)
        return INTERRUPTED
    return 0


async def _run(settings: Settings, *, web_alone: bool) -> None:
    async with open_runtime(settings) as runtime:
        if settings.telegram_token:
            await run_polling(settings, runtime)
        elif web_alone:
            await serve_web_alone(settings, runtime)
        else:
            interactive = sys.stdin.isatty()
            web = (settings.listen_host, settings.listen_port) if interactive else None
            await chat_in_terminal(runtime, interactive=interactive, web=web)
