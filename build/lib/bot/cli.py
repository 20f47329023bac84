"""The ``mingbai`` command line: one sub-command per module under :mod:`bot.commands`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS
from bot.settings import SettingsError
from knowledge.errors import KnowledgeBaseError


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="mingbai", description="明白 — 上新庄镇法律明白助手")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named on the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except (KnowledgeBaseError, SettingsError) as error:
        print(f"mingbai {args.command}: {error}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
