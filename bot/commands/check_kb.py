"""``mingbai check-kb``: validate the FAQ and the 普法 calendar; with ``--laws``, their citations.

``--review`` adds a reading aid for a legal reviewer: each cited article's key terms, split by
whether the answer uses them (:mod:`knowledge.review`).

A valid base's understanding model is trained (or read from the cache) too, where the bot will
look for it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.settings import load_settings
from knowledge.citations import Citation, check_citations
from knowledge.errors import KnowledgeBaseError
from knowledge.loader import BUNDLED_FAQ, KnowledgeBase, load_knowledge_base
from knowledge.pufa import BUNDLED_CALENDAR, PufaCalendar, load_pufa_calendar
from knowledge.review import review
from knowledge.service import Faq
from knowledge.statutes import article_numbers, read_articles

SAMPLE_CONTACTS = (
    "note: the contacts are the shipped sample (names only, no phone numbers); "
    "set MINGBAI_CONTACTS_FILE to the township's own"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``check-kb``."""
    parser = subparsers.add_parser(
        "check-kb", help="validate the FAQ base and its citations; prepare the understanding model"
    )
    parser.add_argument("--faq", type=Path, help="FAQ folder (MINGBAI_FAQ_DIR, or the bundled one)")
    parser.add_argument(
        "--pufa",
        type=Path,
        help="the 普法 calendar (MINGBAI_PUFA_FILE; without --faq, the bundled one)",
    )
    parser.add_argument("--laws", type=Path, help="folder of statute texts to check citations")
    parser.add_argument(
        "--review",
        action="store_true",
        help="with --laws: list each cited article's key terms the answer uses and does not use",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print every problem found and exit 1 if there is any; else train or read the model."""
    settings = load_settings()
    try:
        base = load_knowledge_base(
            args.faq or settings.faq_dir or BUNDLED_FAQ, contacts_file=settings.contacts_file
        )
        # A calendar is checked with the FAQ it ships with: another FAQ folder is checked alone.
        calendar_path = args.pufa or settings.pufa_file or (None if args.faq else BUNDLED_CALENDAR)
        calendar = load_pufa_calendar(calendar_path) if calendar_path else None
    except KnowledgeBaseError as error:
        for problem in error.problems:
            print(problem)
        print(f"FAIL: {len(error.problems)} problem(s)")
        return 1
    print(f"{len(base.entries)} entries, {len(base.domains)} domains: valid")
    if calendar is not None:
        print(f"普法 calendar: {len(calendar.days)} days, {len(calendar.topics)} topics: valid")
    if base.contacts.sample:
        print(SAMPLE_CONTACTS)
    _prepare_model(base, settings.effective_model_dir)
    if args.laws is None:
        if args.review:
            print("FAIL: --review needs --laws, the folder of statute texts to read")
            return 1
        return 0
    if not args.laws.is_dir():
        print(f"FAIL: {args.laws} is not a folder of statute texts")
        return 1
    statutes = read_articles(args.laws)
    if args.review:
        _print_review(base, statutes)
    cited = [(e.id, c) for e in base.entries for c in e.citations] + _calendar_citations(calendar)
    check = check_citations(cited, base.law_names, article_numbers(statutes))
    for entry_id, citation in check.missing:
        print(f"{entry_id}: {citation}: no such article in {base.law_names[citation.law]}")
    unchecked = sorted({str(c) for _, c in check.unchecked})
    if unchecked:
        print(f"not in {args.laws} (not checked): " + ", ".join(unchecked))
    print(f"{len(cited) - len(check.unchecked)} citations checked against {args.laws}")
    if check.missing:
        print(f"FAIL: {len(check.missing)} citation(s) name an article that does not exist")
        return 1
    return 0


def _calendar_citations(calendar: PufaCalendar | None) -> list[tuple[str, Citation]]:
    """The calendar's citations, each under its day's id (``pufa:consumer_day``)."""
    if calendar is None:
        return []
    return [(f"pufa:{day.id}", c) for day in calendar.days for c in day.citations]


def _print_review(base: KnowledgeBase, statutes: Mapping[str, Mapping[int, str]]) -> None:
    for entry in review(base.entries, base.law_names, statutes):
        print(entry.entry_id)
        for article in entry.articles:
            used = "、".join(article.used) or "—"
            unused = "、".join(article.unused) or "—"
            print(f"  {article.citation}: uses {used}; not {unused}")


def _prepare_model(base: KnowledgeBase, model_dir: Path) -> None:
    """Train (or find cached) the understanding model, so that the bot starts at once."""
    start = time.perf_counter()
    faq = Faq.from_base(base, cache_dir=model_dir)
    model = faq.understander.model
    print(
        f"understanding model ready in {time.perf_counter() - start:.1f} s "
        f"({model.index.size} texts; training took {model.trained_seconds:.1f} s)"
    )
