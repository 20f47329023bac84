"""``mingbai eval``: how well the bot understands a file of labelled questions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings
from knowledge.evaluation import Evaluation, OutOfScopeTally, Tally, evaluate, read_labelled


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``eval``."""
    parser = subparsers.add_parser("eval", help="measure understanding on labelled questions")
    parser.add_argument("file", type=Path, help='JSON lines {"q": ..., "expect": <id> | "none"}')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print every line got wrong, then the figures per domain, per length and overall."""
    try:
        labelled = read_labelled(args.file.read_text(encoding="utf-8").splitlines())
    except (OSError, ValueError) as error:
        print(f"{args.file}: {error}")
        return 2
    faq = load_faq(load_settings())
    domain_of = {e.id: e.domain for e in faq.base.entries}
    result = evaluate(labelled, faq.understand, domain_of)
    _print(result)
    return 0


def _rates(tally: Tally) -> str:
    if tally.total == 0:
        return "no lines"
    return (
        f"answered-correct {_pct(tally.correct, tally.total)}  "
        f"wrong {_pct(tally.wrong, tally.total)}  "
        f"served {_pct(tally.served, tally.total)}  "
        f"handed-over {_pct(tally.handed_over, tally.total)}  "
        f"top-3 {_pct(tally.top3, tally.total)}  (n={tally.total})"
    )


def _none_rates(tally: OutOfScopeTally) -> str:
    if tally.total == 0:
        return "no lines"
    return f"false answers {_pct(tally.answered, tally.total)}  (n={tally.total})"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%"


def _print(result: Evaluation) -> None:
    for item, understood in result.misses:
        ids = ", ".join(f"{c.id} {c.score:.3f}" for c in understood.candidates) or "-"
        print(f"MISS expect={item.expect} got={understood.decision.value} [{ids}] {item.q}")
    for item in result.without_entry:
        print(f"NO ENTRY expect={item.expect} {item.q}")
    print()
    for domain, tally in sorted(result.by_domain.items()):
        print(f"{domain}: {_rates(tally)}")
    for label, tally in result.by_length.items():
        none = result.none_by_length[label]
        print(f"length {label}: {_rates(tally)}; none lines: {_none_rates(none)}")
    print(f"expected calibration error: {result.calibration.error:.3f}")
    print(f"in scope: {_rates(result.overall)}")
    if result.none.total:
        print(f"none lines: {_none_rates(result.none)}")
    print(f"lines whose topic has no entry yet: {len(result.without_entry)}")
