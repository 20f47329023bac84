"""Search the understanding step's decision thresholds on labelled files (run by hand).

    .venv/bin/python benchmarks/tune_thresholds.py ../shared/knowledge/dev_questions.jsonl

Every question is understood once; the decision is then replayed for each combination of
thresholds. Among the combinations that keep wrong answers and false answers on ``none`` lines
under the limits on every file, prints those that answer the most in-scope questions right on
the worst file, with each file's figures. The bundled ``knowledge/understanding.yaml`` is chosen
from this output. Never pass a blind set: what it measures is only honest while nothing was tuned
on it.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

from knowledge.evaluation import OUT_OF_SCOPE, OutOfScopeTally, Tally, read_labelled
from knowledge.service import Faq
from knowledge.understanding import Ranking, UnderstandingConfig, decide

ANSWER = [x / 100 for x in range(40, 95, 5)]
MARGIN = [x / 100 for x in range(0, 65, 5)]
CLARIFY = [0.02, 0.05, 0.1, 0.2]
SCOPE = [0.2, 0.3, 0.4, 0.5, 0.6]
WRONG_LIMIT = 0.015
FALSE_ANSWER_LIMIT = 0.03


@dataclass(frozen=True)
class Figures:
    right: float
    wrong: float
    served: float
    handed_over: float
    false_answers: float

    def __str__(self) -> str:
        return (
            f"right {self.right:.3f} wrong {self.wrong:.3f} served {self.served:.3f} "
            f"handed-over {self.handed_over:.3f} false {self.false_answers:.3f}"
        )


def replay(config: UnderstandingConfig, rankings: list[tuple[Ranking, str]]) -> Figures:
    tally, none = Tally(), OutOfScopeTally()
    for ranking, expect in rankings:
        result = decide(ranking, config)
        if expect == OUT_OF_SCOPE:
            none.add(result)
        else:
            tally.add(expect, result)
    n = max(tally.total, 1)
    return Figures(
        tally.correct / n,
        tally.wrong / n,
        tally.served / n,
        tally.handed_over / n,
        none.answered / max(none.total, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    understander = Faq.load().understander
    sets = {
        f.name: [
            (understander.rank(item.q), item.expect)
            for item in read_labelled(f.read_text(encoding="utf-8").splitlines())
        ]
        for f in args.files
    }
    bundled = understander.config
    rows = []
    for answer, margin, clarify, scope in itertools.product(ANSWER, MARGIN, CLARIFY, SCOPE):
        config = UnderstandingConfig(
            answer_threshold=answer,
            answer_margin=margin,
            clarify_threshold=clarify,
            scope_threshold=scope,
            offer_threshold=bundled.offer_threshold,
        )
        figures = {name: replay(config, rankings) for name, rankings in sets.items()}
        if any(
            f.wrong > WRONG_LIMIT or f.false_answers > FALSE_ANSWER_LIMIT for f in figures.values()
        ):
            continue
        worst_right = min(f.right for f in figures.values())
        worst_served = min(f.served for f in figures.values())
        rows.append((worst_right, worst_served, config, figures))
    rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
    print(f"bundled: {bundled}")
    for worst_right, worst_served, config, figures in rows[: args.top]:
        print(f"worst right {worst_right:.3f} served {worst_served:.3f}  {config}")
        for name, f in figures.items():
            print(f"    {name}: {f}")


if __name__ == "__main__":
    main()
