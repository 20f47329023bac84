"""Search the matcher's weights and decision thresholds on labelled files (run by hand).

    .venv/bin/python benchmarks/tune_thresholds.py ../shared/knowledge/dev_questions.jsonl \
        benchmarks/questions/independent.jsonl

For each weighting, finds the answer threshold and margin that answer the most in-scope
questions correctly on the worst of the files, while every file keeps wrong answers and false
answers on out-of-scope lines under the limits; prints the best weightings with each file's
figures. The bundled `knowledge/matching.yaml` is chosen from this output.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

from knowledge.evaluation import OUT_OF_SCOPE, read_labelled
from knowledge.loader import load_knowledge_base
from knowledge.matcher import MatchConfig, Matcher

WEIGHTINGS = [
    {"cosine_weight": c, "coverage_weight": 1 - c, "keyword_bonus": k, "query_floor": f}
    for c in (0.4, 0.5, 0.6)
    for k in (0.05, 0.1, 0.15)
    for f in (100,)
]
ANSWER = [x / 100 for x in range(16, 60, 2)]
MARGIN = [x / 100 for x in range(0, 30, 2)]


@dataclass(frozen=True)
class Scored:
    expect: str
    best: str | None
    top: float
    second: float

    def answered(self, threshold: float, margin: float) -> bool:
        return self.top >= threshold and self.top - self.second >= margin


@dataclass(frozen=True)
class Figures:
    correct: float
    wrong: float
    false: float

    def __str__(self) -> str:
        return f"correct {self.correct:.1%} wrong {self.wrong:.1%} false {self.false:.1%}"


def figures(scored: list[Scored], threshold: float, margin: float) -> Figures:
    in_scope = [s for s in scored if s.expect != OUT_OF_SCOPE]
    out = [s for s in scored if s.expect == OUT_OF_SCOPE]
    answered = [s for s in in_scope if s.answered(threshold, margin)]
    correct = sum(s.best == s.expect for s in answered)
    false = sum(s.answered(threshold, margin) for s in out)
    return Figures(
        correct / len(in_scope), (len(answered) - correct) / len(in_scope), false / max(len(out), 1)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--max-wrong", type=float, default=0.015)
    parser.add_argument("--max-false", type=float, default=0.03)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    base = load_knowledge_base()
    sets = {}
    for file in args.files:
        labelled = read_labelled(file.read_text(encoding="utf-8").splitlines())
        sets[file.name] = [x for x in labelled if x.expect == OUT_OF_SCOPE or x.expect in base]
    bundled = MatchConfig.load()
    results = []
    for weighting in WEIGHTINGS:
        matcher = Matcher.from_entries(
            base.entries, base.lexicon, bundled.model_copy(update=weighting)
        )
        scored = {}
        for name, labelled in sets.items():
            scored[name] = []
            for item in labelled:
                cands = matcher.match(item.q).candidates
                scored[name].append(
                    Scored(
                        item.expect,
                        cands[0].id if cands else None,
                        cands[0].score if cands else 0.0,
                        cands[1].score if len(cands) > 1 else 0.0,
                    )
                )
        best = None
        for threshold, margin in itertools.product(ANSWER, MARGIN):
            each = {name: figures(s, threshold, margin) for name, s in scored.items()}
            if any(f.wrong > args.max_wrong or f.false > args.max_false for f in each.values()):
                continue
            worst = min(f.correct for f in each.values())
            if best is None or worst > best[0]:
                best = (worst, threshold, margin, each)
        if best:
            results.append((best, weighting))
    results.sort(key=lambda r: -r[0][0])
    for (_, threshold, margin, each), weighting in results[: args.top]:
        print(f"answer>={threshold:.2f} margin>={margin:.2f} {weighting}")
        for name, f in each.items():
            print(f"    {name}: {f}")


if __name__ == "__main__":
    main()
