"""The matcher: from a villager's message to an FAQ entry, a short list to pick from, or nobody.

Every FAQ entry is indexed by its canonical question, its alternates and its keywords. Texts
become weighted features — Han characters, character pairs, and pairs of syllables (which is how
a homophone typo like 离昏 still finds 离婚) — weighted by how rare they are among entries.
An entry's score blends:

- the best cosine similarity between the message and one of the entry's texts (a close
  paraphrase of one way of asking), and
- how much of the message the entry's whole vocabulary covers (a long story whose words all
  belong to one topic),

plus a bonus when all of one of the entry's keywords occur in the message. Because both parts
measure the message as a whole, one shared word in a long unrelated story scores low.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, Field

from knowledge.lexicon import Lexicon
from knowledge.normalize import normalize, syllable

CONFIG_PATH = Path(__file__).with_name("matching.yaml")
MAX_CANDIDATES = 3

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class MatchConfig(BaseModel):
    """Weights and decision thresholds; the bundled values come from ``matching.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer_threshold: float = Field(ge=0, le=2)
    clarify_threshold: float = Field(ge=0, le=2)
    answer_margin: float = Field(ge=0, le=2)
    cosine_weight: float = Field(ge=0)
    coverage_weight: float = Field(ge=0)
    keyword_bonus: float = Field(ge=0)
    char_weight: float = Field(ge=0)
    pair_weight: float = Field(ge=0)
    sound_weight: float = Field(ge=0)

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> MatchConfig:
        """Read the configuration from a YAML file."""
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class Decision(enum.StrEnum):
    """What the bot does with a message."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """An entry and how well it matched."""

    id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The matcher's verdict on one message.

    Attributes:
        query: The message as received.
        decision: Answer with the best entry, ask which candidate was meant, or hand over.
        candidates: Up to three entries, best first, whatever the decision.

    """

    query: str
    decision: Decision
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        """The best candidate, if any entry shares anything with the message."""
        return self.candidates[0] if self.candidates else None


class EntryTexts(Protocol):
    """What the matcher reads of an FAQ entry."""

    @property
    def id(self) -> str:
        """The entry id."""

    @property
    def question(self) -> str:
        """The canonical question."""

    @property
    def alternates(self) -> Sequence[str]:
        """Other ways of asking."""

    @property
    def keywords(self) -> Sequence[str]:
        """Terms that alone point to the entry."""


@dataclass(frozen=True)
class IndexedText:
    """One text an entry is found by."""

    entry_id: str
    text: str
    is_keyword: bool = False


class Matcher:
    """Matches messages against a fixed set of entry texts."""

    def __init__(self, texts: Sequence[IndexedText], lexicon: Lexicon, config: MatchConfig) -> None:
        """Index the texts.

        Args:
            texts: Every text of every entry; an entry's texts must be contiguous.
            lexicon: The colloquial-to-legal rewriter applied to texts and messages alike.
            config: Weights and thresholds.

        """
        self.config = config
        self.lexicon = lexicon
        self._type_weights = {"c": config.char_weight, "p": config.pair_weight}
        self._type_weights["s"] = config.sound_weight
        entry_ids: list[str] = []
        doc_entry: list[int] = []
        doc_features: list[set[str]] = []
        for text in texts:
            if not entry_ids or entry_ids[-1] != text.entry_id:
                if text.entry_id in entry_ids:
                    raise ValueError(f"texts of {text.entry_id} are not contiguous")
                entry_ids.append(text.entry_id)
            doc_entry.append(len(entry_ids) - 1)
            doc_features.append(self.features(text.text))
        self.entry_ids = tuple(entry_ids)
        bag_features = [set[str]() for _ in entry_ids]
        for entry_index, features in zip(doc_entry, doc_features, strict=True):
            bag_features[entry_index] |= features
        self._idf = _inverse_frequencies(bag_features)
        self._default_idf = math.log(1 + len(entry_ids) / 0.5) + 1
        self._vocabulary = {f: i for i, f in enumerate(sorted(self._idf))}
        self._docs = _Postings(doc_features, self._vocabulary, self._weight)
        self._bags = _Postings(bag_features, self._vocabulary, self._weight)
        self._doc_entry = np.asarray(doc_entry, dtype=np.int64)
        self._entry_starts = np.flatnonzero(np.diff(self._doc_entry, prepend=-1))
        self._keyword_docs = np.asarray([t.is_keyword for t in texts], dtype=bool)

    @classmethod
    def from_entries(
        cls, entries: Iterable[EntryTexts], lexicon: Lexicon, config: MatchConfig
    ) -> Matcher:
        """Index FAQ entries by their question, alternates and keywords."""
        texts = []
        for entry in entries:
            texts.append(IndexedText(entry.id, entry.question))
            texts.extend(IndexedText(entry.id, a) for a in entry.alternates)
            texts.extend(IndexedText(entry.id, k, is_keyword=True) for k in entry.keywords)
        return cls(texts, lexicon, config)

    def features(self, text: str) -> set[str]:
        """The features of a text: characters, character pairs and syllable pairs."""
        features: set[str] = set()
        for word in self.lexicon.rewrite(normalize(text)).split():
            sounds = [syllable(c) for c in word]
            features.update("c" + c for c in word)
            for i in range(len(word) - 1):
                features.add("p" + word[i : i + 2])
                features.add(f"s{sounds[i]}|{sounds[i + 1]}")
        return features

    def match(self, text: str) -> MatchResult:
        """Match one message; never raises for any string."""
        scores = self._scores(self.features(text))
        if scores is None:
            return MatchResult(text, Decision.NONE, ())
        order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
        candidates = tuple(
            Candidate(self.entry_ids[i], round(float(scores[i]), 4)) for i in order if scores[i] > 0
        )
        return MatchResult(text, self._decide(candidates), candidates)

    def _decide(self, candidates: tuple[Candidate, ...]) -> Decision:
        if not candidates or candidates[0].score < self.config.clarify_threshold:
            return Decision.NONE
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        confident = candidates[0].score >= self.config.answer_threshold
        if confident and candidates[0].score - runner_up >= self.config.answer_margin:
            return Decision.ANSWER
        return Decision.CLARIFY

    def _weight(self, feature: str) -> float:
        return self._type_weights[feature[0]] * self._idf.get(feature, self._default_idf)

    def _scores(self, features: set[str]) -> FloatArray | None:
        query = {f: self._weight(f) for f in features}
        query_norm2 = sum(w * w for w in query.values())
        known = {self._vocabulary[f]: w for f, w in query.items() if f in self._vocabulary}
        if not known:
            return None
        doc_dot = self._docs.dot(known)
        bag_dot = self._bags.dot(known)
        cosine = doc_dot / (math.sqrt(query_norm2) * np.sqrt(self._docs.norm2))
        keyword_hit = self._keyword_docs & (doc_dot >= self._docs.norm2 * 0.999)
        best_cosine = np.maximum.reduceat(
            np.where(self._keyword_docs, 0.0, cosine), self._entry_starts
        )
        has_keyword = np.maximum.reduceat(keyword_hit.astype(np.float64), self._entry_starts)
        coverage = bag_dot / query_norm2
        config = self.config
        return (
            config.cosine_weight * best_cosine
            + config.coverage_weight * coverage
            + config.keyword_bonus * has_keyword
        )


class _Postings:
    """Per-feature lists of (document, weight), for sparse dot products with a query."""

    def __init__(
        self,
        documents: Sequence[set[str]],
        vocabulary: dict[str, int],
        weight: Callable[[str], float],
    ) -> None:
        rows: list[list[int]] = [[] for _ in vocabulary]
        values: list[list[float]] = [[] for _ in vocabulary]
        norm2 = np.zeros(len(documents), dtype=np.float64)
        for doc, features in enumerate(documents):
            for feature in features:
                w = weight(feature)
                rows[vocabulary[feature]].append(doc)
                values[vocabulary[feature]].append(w)
                norm2[doc] += w * w
        self.size = len(documents)
        self.norm2 = np.maximum(norm2, 1e-12)
        self._rows = [np.asarray(r, dtype=np.int64) for r in rows]
        self._values = [np.asarray(v, dtype=np.float64) for v in values]

    def dot(self, query: dict[int, float]) -> FloatArray:
        """Dot product of every document with a query given as feature index to weight."""
        rows = np.concatenate([self._rows[f] for f in query])
        values = np.concatenate([self._values[f] * w for f, w in query.items()])
        return np.bincount(rows, weights=values, minlength=self.size).astype(np.float64)


def _inverse_frequencies(bags: Sequence[set[str]]) -> dict[str, float]:
    frequency: dict[str, int] = {}
    for bag in bags:
        for feature in bag:
            frequency[feature] = frequency.get(feature, 0) + 1
    total = len(bags)
    return {f: math.log(1 + total / df) + 1 for f, df in frequency.items()}
