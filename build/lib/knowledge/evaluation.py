"""Measuring the matcher on labelled questions (``{"q": ..., "expect": <id> | "none"}``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from knowledge.matcher import Decision, MatchResult

OUT_OF_SCOPE = "none"


@dataclass(frozen=True)
class Labelled:
    """A question and the entry id it should get, or ``none``."""

    q: str
    expect: str


@dataclass
class Tally:
    """Counts over a set of in-scope questions."""

    total: int = 0
    correct: int = 0
    wrong: int = 0
    top3: int = 0

    def add(self, expect: str, result: MatchResult) -> bool:
        """Count one result; return whether it was answered correctly."""
        self.total += 1
        ids = [c.id for c in result.candidates]
        self.top3 += expect in ids
        if result.decision is Decision.ANSWER:
            is_right = bool(ids) and ids[0] == expect
            self.correct += is_right
            self.wrong += not is_right
            return is_right
        return False


@dataclass
class Evaluation:
    """What ``mingbai eval`` reports."""

    overall: Tally = field(default_factory=Tally)
    by_domain: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    none_total: int = 0
    none_answered: int = 0
    without_entry: list[Labelled] = field(default_factory=list)
    misses: list[tuple[Labelled, MatchResult]] = field(default_factory=list)


def read_labelled(lines: Iterable[str]) -> list[Labelled]:
    """Parse JSON lines with ``q`` and ``expect``; blank lines are skipped.

    Raises:
        ValueError: A line is not a JSON object with string ``q`` and ``expect``.

    """
    labelled = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            labelled.append(Labelled(str(data["q"]), str(data["expect"])))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(
                f'line {number}: expected {{"q": ..., "expect": ...}} ({error})'
            ) from None
    return labelled


def evaluate(
    labelled: Iterable[Labelled],
    match: Callable[[str], MatchResult],
    domain_of: Mapping[str, str],
) -> Evaluation:
    """Match every question and tally the outcome.

    Args:
        labelled: The questions.
        match: The matcher.
        domain_of: Entry id to domain, for every entry the FAQ has; a question whose expected id
            is not there is counted under ``without_entry`` instead of being scored.

    """
    evaluation = Evaluation()
    for item in labelled:
        if item.expect == OUT_OF_SCOPE:
            result = match(item.q)
            evaluation.none_total += 1
            if result.decision is Decision.ANSWER:
                evaluation.none_answered += 1
                evaluation.misses.append((item, result))
            continue
        if item.expect not in domain_of:
            evaluation.without_entry.append(item)
            continue
        result = match(item.q)
        right = evaluation.overall.add(item.expect, result)
        evaluation.by_domain[domain_of[item.expect]].add(item.expect, result)
        if not right:
            evaluation.misses.append((item, result))
    return evaluation
