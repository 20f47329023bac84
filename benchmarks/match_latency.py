"""Understanding speed and size: start-up, training, p50/p99 latency, memory (run by hand).

    .venv/bin/python benchmarks/match_latency.py [--questions FILE.jsonl] [--entries 10000]

- Start-up with a cached model, in fresh interpreters: imports, loading and validating the FAQ,
  reading the cached model (the cache is made first, in a temporary folder).
- Training with a cold cache, on the real FAQ.
- Latency per message on one core, over the labelled questions repeated, on the real FAQ and on
  a synthetic base of ``--entries`` entries (the real entries' texts with half their characters
  resampled, so that vocabulary and text lengths are realistic), with the time to build it and
  the memory it holds (the peak resident size of a fresh process that builds only it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from knowledge.analysis import Analyser
from knowledge.index import IndexedText
from knowledge.intents import bundled_classifier
from knowledge.loader import load_knowledge_base
from knowledge.model import Corpus, texts_of
from knowledge.training import train
from knowledge.understanding import Understander, UnderstandingConfig

STARTUP = """
import sys, time
start = time.perf_counter()
from pathlib import Path
from knowledge.service import Faq
imported = time.perf_counter()
Faq.load(cache_dir=Path(sys.argv[1]))
print(imported - start, time.perf_counter() - imported)
"""
SYNTHETIC = """
import gc, pickle, resource, sys
from benchmarks.match_latency import build_synthetic, resident_mb
understander = build_synthetic(int(sys.argv[1]))
gc.collect()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
model = len(pickle.dumps(understander.model)) / 2**20
print(understander.model.trained_seconds, peak, resident_mb(), model)
"""
DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared/knowledge/dev_questions.jsonl"
ROOT = Path(__file__).resolve().parents[1]


def resident_mb() -> float:
    """This process's resident memory now."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def startup_seconds(cache: Path, runs: int = 5) -> list[tuple[float, float]]:
    """Imports, and load + read the cached model, each in a fresh interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP, str(cache)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        times.append((float(out[0]), float(out[1])))
    return times


def latencies_ms(understander: Understander, questions: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            understander.understand(question)
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


def build_synthetic(entries: int) -> Understander:
    """Train an understander over a synthetic base of this many entries."""
    base = load_knowledge_base()
    real = [t for t in texts_of(base.entries) if t.near_of is None]
    analyser = Analyser(base.lexicon)
    texts = synthetic_texts(real, entries, random.Random(7))
    model = train(texts, analyser, Corpus.bundled())
    return Understander(analyser, bundled_classifier(), model, UnderstandingConfig.load())


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
    # One core, as the bot's event loop has.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    base = load_knowledge_base()
    analyser = Analyser(base.lexicon)
    start = time.perf_counter()
    model = train(texts_of(base.entries), analyser, Corpus.bundled())
    took = time.perf_counter() - start
    print(f"training, real FAQ, cold cache ({model.index.size} texts): {took:.1f} s")
    understander = Understander(analyser, bundled_classifier(), model, UnderstandingConfig.load())

    with tempfile.TemporaryDirectory() as cache:
        startup_seconds(Path(cache), runs=1)
        runs = startup_seconds(Path(cache))
    imports = statistics.median(r[0] for r in runs)
    ready = statistics.median(r[1] for r in runs)
    print(f"start-up with a cached model, real FAQ, median of {len(runs)} fresh processes:")
    total = imports + ready
    print(f"  load + cached model {ready:.2f} s; imports {imports:.2f} s; total {total:.2f} s")
    report(
        f"real FAQ ({len(base.entries)} entries)", latencies_ms(understander, questions, rounds=20)
    )

    out = subprocess.run(
        [sys.executable, "-c", SYNTHETIC, str(args.entries)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    print(
        f"train on {args.entries} synthetic entries in a fresh process: {float(out[0]):.1f} s; "
        f"memory: model {float(out[3]):.0f} MB, process {float(out[2]):.0f} MB after the build "
        f"(texts included), peak {float(out[1]):.0f} MB"
    )
    big = build_synthetic(args.entries)
    print(f"  ({big.model.index.size} texts)")
    report(f"synthetic FAQ ({args.entries} entries)", latencies_ms(big, questions, rounds=5))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this process's peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
