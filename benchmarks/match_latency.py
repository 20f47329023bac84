"""Matcher speed: start-up and p50/p99 latency, real FAQ and a synthetic 10,000 (run by hand).

    .venv/bin/python benchmarks/match_latency.py [--questions FILE.jsonl] [--entries 10000]

Start-up is measured in a fresh interpreter (imports, loading and validating the FAQ, indexing).
Latency is per message, one core, over the labelled questions repeated; the synthetic base is the
real entries' texts with characters resampled, so its vocabulary and text lengths are realistic.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from knowledge.loader import load_knowledge_base
from knowledge.matcher import IndexedText, MatchConfig, Matcher, texts_of

STARTUP = """
import time
start = time.perf_counter()
from knowledge.service import Faq
imported = time.perf_counter()
Faq.load()
print(imported - start, time.perf_counter() - imported)
"""
DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared/knowledge/dev_questions.jsonl"


def startup_seconds(runs: int = 5) -> list[tuple[float, float]]:
    """Imports, and load + index, each in a fresh interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
        ).stdout.split()
        times.append((float(out[0]), float(out[1])))
    return times


def latencies_ms(matcher: Matcher, questions: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            matcher.match(question)
            times.append((time.perf_counter() - start) * 1000)
    return times


def synthetic_texts(real: list[IndexedText], entries: int, rng: random.Random) -> list[IndexedText]:
    alphabet = sorted({c for t in real for c in t.text if "\u4e00" <= c <= "\u9fff"})
    by_entry: dict[str, list[IndexedText]] = {}
    for text in real:
        by_entry.setdefault(text.entry_id, []).append(text)
    templates = list(by_entry.values())
    texts = []
    for number in range(entries):
        for text in templates[number % len(templates)]:
            chars = [rng.choice(alphabet) if rng.random() < 0.5 else c for c in text.text]
            texts.append(IndexedText(f"synthetic.e{number}", "".join(chars), text.is_keyword))
    return texts


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"{label}: p50 {statistics.median(ordered):.2f} ms  p99 {p99:.2f} ms  (n={len(ordered)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    questions = [
        json.loads(line)["q"]
        for line in args.questions.read_text(encoding="utf-8").splitlines()
        if line
    ]

    runs = startup_seconds()
    imports = statistics.median(r[0] for r in runs)
    ready = statistics.median(r[1] for r in runs)
    print(f"start-up, real FAQ, median of {len(runs)} fresh processes:")
    print(f"  load + index {ready:.2f} s; imports {imports:.2f} s; total {imports + ready:.2f} s")

    base = load_knowledge_base()
    config = MatchConfig.load()
    matcher = Matcher.from_entries(base.entries, base.lexicon, config)
    report(f"real FAQ ({len(base.entries)} entries)", latencies_ms(matcher, questions, rounds=20))

    synthetic = synthetic_texts(texts_of(base.entries), args.entries, random.Random(7))
    start = time.perf_counter()
    big = Matcher(synthetic, base.lexicon, config)
    took = time.perf_counter() - start
    print(f"index {args.entries} synthetic entries ({len(synthetic)} texts): {took:.1f} s")
    report(f"synthetic FAQ ({args.entries} entries)", latencies_ms(big, questions, rounds=5))


if __name__ == "__main__":
    main()
