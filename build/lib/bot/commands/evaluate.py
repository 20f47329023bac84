"""``mingbai eval``: the matcher's accuracy on a file of labelled questions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.services import load_faq
from bot.settings import load_settings
from knowledge.evaluation import Evaluation, Tally, evaluate, read_labelled


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``eval``."""
    parser = subparsers.add_parser("eval", help="measure the matcher on labelled questions")
    parser.add_argument("file", type=Path, help='JSON lines {"q": ..., "expect": <id> | "none"}')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the figures overall and per domain, then every line got wrong."""
    try:
        labelled = read_labelled(args.file.read_text(encoding="utf-8").splitlines())
    except (OSError, ValueError) as error:
        print(f"{args.file}: {error}")
        return 2
    faq = load_faq(load_settings())
    domain_of = {e.id: e.domain for e in faq.base.entries}
    result = evaluate(labelled, faq.match, domain_of)
    _print(result)
    return 0


def _rates(tally: Tally) -> str:
    if tally.total == 0:
        return "no lines"
    return (
        f"answered-correct {_pct(tally.correct, tally.total)}  "
        f"wrong {_pct(tally.wrong, tally.total)}  "
        f"top-3 {_pct(tally.top3, tally.total)}  (n={tally.total})"
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%"


def _print(result: Evaluation) -> None:
    for item, match in result.misses:
        ids = ", ".join(f"{c.id} {c.score:.3f}" for c in match.candidates) or "-"
        print(f"MISS expect={item.expect} got={match.decision.value} [{ids}] {item.q}")
    for item in result.without_entry:
        print(f"NO ENTRY expect={item.expect} {item.q}")
    print()
    for domain, tally in sorted(result.by_domain.items()):
        print(f"{domain}: {_rates(tally)}")
    print(f"in scope: {_rates(result.overall)}")
    if result.none_total:
        answered = _pct(result.none_answered, result.none_total)
        print(f"none lines: false answers {answered}  (n={result.none_total})")
    print(f"lines whose topic has no entry yet: {len(result.without_entry)}")
