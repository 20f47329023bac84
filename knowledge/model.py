"""The trained parts of understanding, learned from the FAQ base itself, and their cache.

- The **ranker** learns which shortlisted entry a message means, from the base's own texts.
- The **scope model** learns whether a message is one the base is about at all: the base's texts
  against the corpus of messages no entry answers (``out_of_scope/*.txt``). It decides on its own
  evidence, not from how low the best entry scored.
- The **gate** weighs both for the decision: the probability that the likeliest entry is the
  right answer to this message.

How they are learned is :mod:`knowledge.training`. The model is cached under the hash of
everything it is learned from, so that adding an alternate is all it takes to retrain it, and an
unchanged base starts at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from knowledge.analysis import Analyser
from knowledge.calibrated import CalibratedLinear, FloatArray
from knowledge.index import FEATURES, HASHED_FEATURES, Index, IndexedText, Shortlist, Vectors
from knowledge.schema import FaqEntry

log = logging.getLogger(__name__)

OUT_OF_SCOPE_DIR = Path(__file__).with_name("out_of_scope")
NEUTRAL_PHRASES = Path(__file__).with_name("neutral_phrases.txt")
# Changing how the model is built must invalidate every cached model.
MODEL_VERSION = 5
# How the likeliest entry matched, as the gate sees it (names of knowledge.index.FEATURES).
GATE_MATCH_FEATURES = ("text_best", "focus_best", "keyword_hit", "coverage", "short", "long")


@dataclass(frozen=True)
class Model:
    """The index and the three learned models over it.

    Attributes:
        index: The FAQ's texts as vectors.
        ranker: Probability that a shortlisted entry is the one meant, from its features.
        scope: Probability that a message is about something the base answers.
        gate: Probability that the likeliest entry answers the message, from the other two.
        trained_seconds: How long training took, for the record.

    """

    index: Index
    ranker: CalibratedLinear
    scope: CalibratedLinear
    gate: CalibratedLinear
    trained_seconds: float

    def in_scope(self, vectors: Vectors) -> float:
        """The probability that the base is about this message.

        The same as the scope model's probability of :func:`scope_features`, without building
        the side-by-side vector (which costs more than the product).
        """
        weights = self.scope.weights
        product = sum(
            float(vector.data @ weights[offset + vector.indices])
            for offset, vector in zip(
                range(0, weights.size, HASHED_FEATURES), _scope_parts(vectors), strict=True
            )
        )
        return float(self.scope.calibrate(np.asarray([product]))[0])

    def confidence(self, in_scope: float, likely: FloatArray, found: Shortlist) -> float:
        """The probability that the likeliest of the shortlisted entries answers the message.

        Args:
            in_scope: What the scope model said.
            likely: What the ranker said of each shortlisted entry.
            found: The shortlist.

        """
        return float(self.gate.probabilities(gate_features(in_scope, likely, found))[0])


def gate_features(in_scope: float, likely: FloatArray, found: Shortlist) -> FloatArray:
    """What the gate weighs: the scope, the two likeliest entries, and how the best one matched."""
    order = np.argsort(-likely, kind="stable")
    best = likely[order[0]]
    second = likely[order[1]] if likely.size > 1 else 0.0
    matched = found.features[order[0], [FEATURES.index(name) for name in GATE_MATCH_FEATURES]]
    return np.concatenate(([_logit(in_scope), _logit(best), best, best - second], matched))[
        np.newaxis, :
    ]


def _logit(probability: float) -> float:
    clipped = min(max(probability, 1e-4), 1 - 1e-4)
    return float(np.log(clipped / (1 - clipped)))


def texts_of(entries: Iterable[FaqEntry]) -> list[IndexedText]:
    """Every text an entry is found by, grouped by entry.

    Near questions are ways of asking the entry they belong to, and counter-examples for the
    entry they were written under.
    """
    entries = list(entries)
    near: dict[str, list[IndexedText]] = {}
    for entry in entries:
        for question in entry.near:
            near.setdefault(question.belongs_to, []).append(
                IndexedText(question.belongs_to, question.q, near_of=entry.id)
            )
    texts = []
    for entry in entries:
        texts.append(IndexedText(entry.id, entry.question))
        texts.extend(IndexedText(entry.id, a) for a in entry.alternates)
        texts.extend(IndexedText(entry.id, k, is_keyword=True) for k in entry.keywords)
        texts.extend(near.get(entry.id, ()))
    return texts


@dataclass(frozen=True)
class Corpus:
    """What the model learns from besides the base.

    Attributes:
        out_of_scope: Messages no entry answers.
        neutral: Phrases that say nothing of what a message is about.

    """

    out_of_scope: tuple[str, ...]
    neutral: tuple[str, ...]

    @classmethod
    def bundled(cls) -> Corpus:
        """``out_of_scope/*.txt`` and ``neutral_phrases.txt``."""
        out_of_scope = [
            line for path in sorted(OUT_OF_SCOPE_DIR.glob("*.txt")) for line in _lines(path)
        ]
        return cls(tuple(out_of_scope), tuple(_lines(NEUTRAL_PHRASES)))


def _lines(path: Path) -> list[str]:
    """A text file's lines, without blanks and ``#`` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def scope_features(vectors: Vectors) -> sp.csr_matrix:
    """What the scope model reads of a message: all its vectors side by side."""
    return sp.hstack(_scope_parts(vectors)).tocsr()


def _scope_parts(vectors: Vectors) -> list[sp.csr_matrix]:
    return [vectors.chars, vectors.sounds, vectors.focus]


def fingerprint(texts: Sequence[IndexedText], analyser: Analyser, corpus: Corpus) -> str:
    """The hash of everything a model is learned from, and of how it is learned."""
    content = {
        "version": MODEL_VERSION,
        "libraries": [
            version(name) for name in ("scikit-learn", "scipy", "numpy", "pypinyin", "opencc")
        ],
        "texts": [[t.entry_id, t.text, t.is_keyword, t.near_of] for t in texts],
        "lexicon": sorted(analyser.lexicon.terms.items()),
        "out_of_scope": list(corpus.out_of_scope),
        "neutral": list(corpus.neutral),
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


_trained: dict[str, Model] = {}


def load_or_train(
    texts: Sequence[IndexedText],
    analyser: Analyser,
    corpus: Corpus,
    cache_dir: Path | None = None,
) -> Model:
    """The model for these texts: from this process, from the cache folder, or trained anew.

    A model trained here is written to the cache folder (when one is given) for the next start;
    an unreadable cached file is trained again and replaced.
    """
    key = fingerprint(texts, analyser, corpus)
    path = cache_dir / f"understanding-{key[:24]}.pickle" if cache_dir else None
    if key in _trained:
        if path and not path.exists():
            _write_cached(path, _trained[key])
        return _trained[key]
    model = _read_cached(path) if path else None
    if model is None:
        # Imported here: the training machinery is slow to import and a cached model needs none.
        from knowledge.training import train

        model = train(texts, analyser, corpus)
        log.info("understanding model trained in %.1f s", model.trained_seconds)
        if path:
            _write_cached(path, model)
    _trained[key] = model
    return model


def _read_cached(path: Path) -> Model | None:
    try:
        with path.open("rb") as file:
            model = pickle.load(file)
    except FileNotFoundError:
        return None
    # Whatever is wrong with a cached file (damaged, written by other versions), training again
    # mends it.
    except Exception as error:
        log.warning("cached understanding model %s unreadable (%s); training again", path, error)
        return None
    return model if isinstance(model, Model) else None


def _write_cached(path: Path, model: Model) -> None:
    """Write the model atomically; a failure leaves no partial file and only costs a retrain."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as file:
            temporary = Path(file.name)
            pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as error:
        log.warning("cannot cache the understanding model in %s: %s", path.parent, error)
        if temporary is not None:
            temporary.unlink(missing_ok=True)
