"""``mingbai ask``: print what the bot would reply to one question."""

from __future__ import annotations

import argparse
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings
from bot.terminal import render
from handlers.replies import reply_to


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``ask``."""
    parser = subparsers.add_parser("ask", help="print the bot's reply to a question")
    parser.add_argument("question")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the reply with its choices numbered."""
    faq = load_faq(load_settings())
    print(render(reply_to(faq, faq.match(args.question))))
    return 0
