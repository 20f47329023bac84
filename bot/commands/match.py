"""``mingbai match``: the understanding step's verdict on each line of stdin, as JSON lines.

``score`` is the calibrated confidence that the entry answers the question.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``match``."""
    parser = subparsers.add_parser(
        "match", help='match stdin lines (text or {"q": ...}) and print one JSON object each'
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read stdin to its end, writing one result per line as it goes."""
    faq = load_faq(load_settings())
    for line in sys.stdin:
        result = faq.understand(_question(line.rstrip("\n")))
        best = result.best
        record = {
            "q": result.query,
            "decision": result.decision.value,
            "id": best.id if best else None,
            "score": best.score if best else 0.0,
            "candidates": [{"id": c.id, "score": c.score} for c in result.candidates],
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _question(line: str) -> str:
    """A line is a JSON object with ``q``, or else the question itself."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return line
        question = data.get("q") if isinstance(data, dict) else None
        if isinstance(question, str):
            return question
    return line
