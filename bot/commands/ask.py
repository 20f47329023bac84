"""``mingbai ask``: print what the bot would reply to one question."""

from __future__ import annotations

import argparse
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings
from handlers.replies import Reply, reply_to


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``ask``."""
    parser = subparsers.add_parser("ask", help="print the bot's reply to a question")
    parser.add_argument("question")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the reply with its buttons numbered."""
    faq = load_faq(load_settings())
    print(render(reply_to(faq, faq.understand(args.question))))
    return 0


def render(reply: Reply) -> str:
    """The reply as terminal text, its buttons numbered from 1."""
    lines = [reply.text]
    choices = (*reply.choices, *reply.row)
    lines += [f"  {number}. {choice.label}" for number, choice in enumerate(choices, 1)]
    return "\n".join(lines)
