"""``mingbai run``: start the assistant (for now, a chat in the terminal)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings
from bot.terminal import chat
from handlers import texts


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``run``."""
    parser = subparsers.add_parser("run", help="start the assistant")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Chat on stdin/stdout; without a terminal, answer one question per line and exit."""
    faq = load_faq(load_settings())
    interactive = sys.stdin.isatty()
    if interactive:
        print(texts.TERMINAL_WELCOME)
    chat(faq, sys.stdin, sys.stdout, prompt="> " if interactive else "")
    return 0
