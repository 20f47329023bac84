"""Measuring understanding on labelled questions (``{"q": ..., "expect": <id> | "none"}``).

For an in-scope question: *answered right* (the answer was the expected entry), *wrong* (another
entry was answered), *served* (answered right, or the expected entry was among those offered in
"您想问的是", one tap away), *handed over* (no answer and nothing offered: a person must take it),
and *top-3* (the expected entry was among the candidates returned: the three likeliest, or
those offered when asked back). For a
``none`` question: a *false answer* is any answer at all.

The expected calibration error compares, in ten bins of confidence, how sure the bot was of its
likeliest entry with how often that entry was right (never, for a ``none`` question): 0 means a
confidence of 0.8 is right four times in five.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from knowledge.understanding import Decision, Understanding

OUT_OF_SCOPE = "none"
# Message lengths (characters) the figures are broken down by: a few words, a question, a story.
LENGTH_BUCKETS = ((0, 10, "≤ 10"), (11, 40, "11–40"), (41, None, "> 40"))
CALIBRATION_BINS = 10


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
    served: int = 0
    handed_over: int = 0
    top3: int = 0

    def add(self, expect: str, result: Understanding) -> bool:
        """Count one result; return whether it was answered correctly."""
        self.total += 1
        ids = [c.id for c in result.candidates]
        self.top3 += expect in ids
        if result.decision is Decision.ANSWER:
            is_right = bool(ids) and ids[0] == expect
            self.correct += is_right
            self.wrong += not is_right
            self.served += is_right
            return is_right
        if result.decision is Decision.CLARIFY:
            self.served += expect in ids
        else:
            self.handed_over += 1
        return False


@dataclass
class OutOfScopeTally:
    """Counts over a set of ``none`` questions."""

    total: int = 0
    answered: int = 0

    def add(self, result: Understanding) -> None:
        """Count one result."""
        self.total += 1
        self.answered += result.decision is Decision.ANSWER


@dataclass
class Calibration:
    """Confidence of the likeliest entry against whether it was right, binned."""

    bins: list[tuple[int, float, int]] = field(
        default_factory=lambda: [(0, 0.0, 0)] * CALIBRATION_BINS
    )

    def add(self, confidence: float, right: bool) -> None:
        """Count one likeliest entry."""
        at = min(int(confidence * CALIBRATION_BINS), CALIBRATION_BINS - 1)
        count, total, hits = self.bins[at]
        self.bins[at] = (count + 1, total + confidence, hits + right)

    @property
    def error(self) -> float:
        """The expected calibration error: the count-weighted mean gap per bin."""
        counted = sum(count for count, _, _ in self.bins)
        if counted == 0:
            return 0.0
        return sum(abs(total - hits) for count, total, hits in self.bins if count) / counted


@dataclass
class Evaluation:
    """What ``mingbai eval`` reports."""

    overall: Tally = field(default_factory=Tally)
    by_domain: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_length: dict[str, Tally] = field(default_factory=dict)
    none: OutOfScopeTally = field(default_factory=OutOfScopeTally)
    none_by_length: dict[str, OutOfScopeTally] = field(default_factory=dict)
    calibration: Calibration = field(default_factory=Calibration)
    without_entry: list[Labelled] = field(default_factory=list)
    misses: list[tuple[Labelled, Understanding]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for _, _, label in LENGTH_BUCKETS:
            self.by_length.setdefault(label, Tally())
            self.none_by_length.setdefault(label, OutOfScopeTally())


def length_bucket(text: str) -> str:
    """The label of the length bucket a message falls in."""
    length = len(text.strip())
    for _, upper, label in LENGTH_BUCKETS:
        if upper is None or length <= upper:
            return label
    raise AssertionError("the last bucket has no upper bound")


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
    understand: Callable[[str], Understanding],
    domain_of: Mapping[str, str],
) -> Evaluation:
    """Understand every question and tally the outcome.

    Args:
        labelled: The questions.
        understand: The understanding step.
        domain_of: Entry id to domain, for every entry the FAQ has; a question whose expected id
            is not there is counted under ``without_entry`` instead of being scored.

    """
    evaluation = Evaluation()
    for item in labelled:
        if item.expect != OUT_OF_SCOPE and item.expect not in domain_of:
            evaluation.without_entry.append(item)
            continue
        result = understand(item.q)
        best = result.best
        evaluation.calibration.add(
            best.score if best else 0.0, best is not None and best.id == item.expect
        )
        bucket = length_bucket(item.q)
        if item.expect == OUT_OF_SCOPE:
            evaluation.none.add(result)
            evaluation.none_by_length[bucket].add(result)
            if result.decision is Decision.ANSWER:
                evaluation.misses.append((item, result))
            continue
        right = evaluation.overall.add(item.expect, result)
        evaluation.by_domain[domain_of[item.expect]].add(item.expect, result)
        evaluation.by_length[bucket].add(item.expect, result)
        if not right:
            evaluation.misses.append((item, result))
    return evaluation
