"""Sub-commands of ``mingbai``: each module exposes ``register(subparsers)``.

``register`` adds one parser and sets ``handler`` to a callable taking the parsed arguments and
returning the exit status.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from bot.commands import ask, check_kb, db, evaluate, match, report, run, webhook


class Command(Protocol):
    """A module that adds its sub-command to the ``mingbai`` parser."""

    def register(self, subparsers: argparse._SubParsersAction[Any]) -> None:
        """Add the sub-command's parser, with ``handler`` set as a default."""


COMMANDS: tuple[Command, ...] = (run, webhook, ask, match, evaluate, check_kb, db, report)
