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
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from knowledge.lexicon import Lexicon
from knowledge.normalize import normalize, syllable
from knowledge.yaml_file import read_yaml

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
    query_floor: float = Field(ge=0)
    min_shared_pairs: int = Field(ge=1)
    common_share: float = Field(gt=0, le=1)
    common_count: int = Field(ge=1)
    shortlist: int = Field(ge=MAX_CANDIDATES)

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> MatchConfig:
        """Read the configuration from a YAML file."""
        return cls.model_validate(read_yaml(path))


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
        self._type_weights = {
            "c": config.char_weight,
            "p": config.pair_weight,
            "s": config.sound_weight,
            "n": config.pair_weight,
        }
        entry_ids: list[str] = []
        seen: set[str] = set()
        doc_entry: list[int] = []
        doc_features: list[set[str]] = []
        for text in texts:
            if not entry_ids or entry_ids[-1] != text.entry_id:
                if text.entry_id in seen:
                    raise ValueError(f"texts of {text.entry_id} are not contiguous")
                entry_ids.append(text.entry_id)
                seen.add(text.entry_id)
            doc_entry.append(len(entry_ids) - 1)
            doc_features.append(self.features(text.text))
        self.entry_ids = tuple(entry_ids)
        bag_features = [set[str]() for _ in entry_ids]
        for entry_index, features in zip(doc_entry, doc_features, strict=True):
            bag_features[entry_index] |= features
        limit = min(config.common_share * len(entry_ids), config.common_count)
        self._idf = _inverse_frequencies(bag_features, limit)
        self._common = set().union(*bag_features) - self._idf.keys()
        self._default_idf = math.log(1 + len(entry_ids) / 0.5) + 1
        # In units of one rare character pair, so that it means the same for any size of base.
        self._query_floor = config.query_floor * (config.pair_weight * self._default_idf) ** 2
        self._vocabulary = {f: i for i, f in enumerate(self._idf)}
        weights = np.fromiter((self._weight(f) for f in self._idf), np.float64, len(self._idf))
        doc_ids = [self._ids(f) for f in doc_features]
        self._docs = _Rows(doc_ids, weights)
        self._entry_docs = np.searchsorted(doc_entry, np.arange(len(entry_ids) + 1))
        bounds = zip(self._entry_docs[:-1], self._entry_docs[1:], strict=True)
        bag_ids = [sorted(set().union(*doc_ids[start:end])) for start, end in bounds]
        self._bags = _Postings(bag_ids, weights)
        self._keyword_docs = np.asarray([t.is_keyword for t in texts], dtype=bool)
        self._is_pair = np.asarray([f[0] == "p" for f in self._vocabulary], dtype=bool)

    @classmethod
    def from_entries(
        cls, entries: Iterable[EntryTexts], lexicon: Lexicon, config: MatchConfig
    ) -> Matcher:
        """Index FAQ entries by their question, alternates and keywords."""
        return cls(texts_of(entries), lexicon, config)

    def features(self, text: str) -> set[str]:
        """The features of a text: characters, character pairs, syllable pairs and numbers."""
        features: set[str] = set()
        for word in self.lexicon.rewrite(normalize(text)).split():
            if word.isdigit():
                # A number counts as a whole (12348 is a hotline, 3000 says little).
                features.add("n" + word)
                continue
            sounds = [syllable(c) for c in word]
            features.update("c" + c for c in word)
            for i in range(len(word) - 1):
                features.add("p" + word[i : i + 2])
                features.add(f"s{sounds[i]}|{sounds[i + 1]}")
        return features

    def match(self, text: str) -> MatchResult:
        """Match one message; never raises for any string."""
        scored = self._scores(self.features(text))
        if scored is None:
            return MatchResult(text, Decision.NONE, ())
        scores = scored.scores
        top = np.argpartition(-scores, min(MAX_CANDIDATES, scores.size) - 1)[:MAX_CANDIDATES]
        order = top[np.argsort(-scores[top], kind="stable")]
        candidates = tuple(
            Candidate(self.entry_ids[i], round(float(scores[i]), 4)) for i in order if scores[i] > 0
        )
        # A message of a word or two is answered only through one of the entry's keywords:
        # "离婚" alone could mean any of a dozen questions. So is one that shares a single word
        # with the entry: "钱包丢了" is not "离婚证丢了还能复婚吗".
        best = order[0]
        specific = bool(scored.keyword_hit[best]) or (
            not scored.short
            and self._shared_pairs(best, scored.features) >= self.config.min_shared_pairs
        )
        return MatchResult(text, self._decide(candidates, specific), candidates)

    def _decide(self, candidates: tuple[Candidate, ...], specific: bool) -> Decision:
        if not candidates or candidates[0].score < self.config.clarify_threshold:
            return Decision.NONE
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        confident = specific and candidates[0].score >= self.config.answer_threshold
        if confident and candidates[0].score - runner_up >= self.config.answer_margin:
            return Decision.ANSWER
        return Decision.CLARIFY

    def _shared_pairs(self, entry: int, features: IntArray) -> int:
        """How many of the message's character pairs occur in the entry's texts."""
        documents = np.arange(self._entry_docs[entry], self._entry_docs[entry + 1])
        pairs = features[self._is_pair[features]]
        return int(np.isin(pairs, self._docs.features_of(documents)).sum())

    def _ids(self, features: set[str]) -> list[int]:
        return [self._vocabulary[f] for f in features if f in self._vocabulary]

    def _weight(self, feature: str) -> float:
        return self._type_weights[feature[0]] * self._idf.get(feature, self._default_idf)

    def _scores(self, features: set[str]) -> _Scores | None:
        query = {f: self._weight(f) for f in features - self._common}
        query_norm2 = sum(w * w for w in query.values())
        known = [(self._vocabulary[f], w) for f, w in query.items() if f in self._vocabulary]
        if not known:
            return None
        indices = np.fromiter((f for f, _ in known), np.int64, len(known))
        weights = np.fromiter((w for _, w in known), np.float64, len(known))
        config = self.config
        # A message of a word or two is covered by many entries' vocabularies; it is measured
        # as if it were at least the floor's size, so that coverage alone cannot answer it.
        coverage = self._bags.dot(indices, weights) / max(query_norm2, self._query_floor)
        scores = config.coverage_weight * coverage
        keyword_hit = np.zeros(len(self.entry_ids), dtype=bool)
        # The texts of the entries the message overlaps most are compared one by one; looking at
        # every text of a large base would dominate the time.
        shortlist = np.flatnonzero(coverage)
        if shortlist.size > config.shortlist:
            best = np.argpartition(-coverage[shortlist], config.shortlist - 1)
            shortlist = np.sort(shortlist[best[: config.shortlist]])
        first_doc = self._entry_docs[shortlist]
        doc_counts = self._entry_docs[shortlist + 1] - first_doc
        docs = _ranges(first_doc, doc_counts)
        dots = self._docs.dot(docs, indices, weights)
        norm2 = self._docs.norm2[docs]
        is_keyword = self._keyword_docs[docs]
        cosine = np.where(is_keyword, 0.0, dots / np.sqrt(query_norm2 * norm2))
        doc_keyword_hit = is_keyword & (dots >= norm2 * 0.999)
        runs = np.cumsum(doc_counts) - doc_counts
        keyword_hit[shortlist] = np.logical_or.reduceat(doc_keyword_hit, runs)
        scores[shortlist] += config.cosine_weight * np.maximum.reduceat(cosine, runs)
        scores += config.keyword_bonus * keyword_hit
        return _Scores(scores, keyword_hit, query_norm2 < self._query_floor, indices)


@dataclass(frozen=True)
class _Scores:
    """Every entry's score for one message, and what the decision needs besides."""

    scores: FloatArray
    keyword_hit: npt.NDArray[np.bool_]
    short: bool
    features: IntArray


def texts_of(entries: Iterable[EntryTexts]) -> list[IndexedText]:
    """Every text an entry is found by: its question, alternates and keywords."""
    texts = []
    for entry in entries:
        texts.append(IndexedText(entry.id, entry.question))
        texts.extend(IndexedText(entry.id, a) for a in entry.alternates)
        texts.extend(IndexedText(entry.id, k, is_keyword=True) for k in entry.keywords)
    return texts


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """The integers start..start+length-1 of every (start, length) pair, concatenated."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.arange(offsets.size) + offsets


class _Rows:
    """Each document's features and weights, for dot products of chosen documents with a query."""

    def __init__(self, documents: Sequence[list[int]], weights: FloatArray) -> None:
        """Index documents given as lists of feature indices into ``weights``."""
        lengths = np.fromiter((len(d) for d in documents), np.int64, len(documents))
        self._starts: IntArray = np.concatenate(([0], np.cumsum(lengths)))
        self._features = np.fromiter(
            itertools.chain.from_iterable(documents), np.int64, int(lengths.sum())
        )
        self._values = weights[self._features]
        self._query = np.zeros(len(weights))
        rows = np.repeat(np.arange(len(documents)), lengths)
        squares = np.bincount(rows, weights=self._values**2, minlength=len(documents))
        self.norm2 = np.maximum(squares, 1e-12)

    def features_of(self, documents: IntArray) -> IntArray:
        """The feature indices of the chosen documents, concatenated."""
        starts = self._starts[documents]
        return self._features[_ranges(starts, self._starts[documents + 1] - starts)]

    def dot(self, documents: IntArray, features: IntArray, weights: FloatArray) -> FloatArray:
        """Dot products of the chosen documents with a query given as feature indices, weights.

        Not safe to call from two threads at once: the dense query vector is one reused buffer
        (allocating one per message would cost more than the products).
        """
        starts = self._starts[documents]
        lengths = self._starts[documents + 1] - starts
        positions = _ranges(starts, lengths)
        self._query[features] = weights
        try:
            products = self._values[positions] * self._query[self._features[positions]]
        finally:
            self._query[features] = 0.0
        local = np.repeat(np.arange(documents.size), lengths)
        return np.asarray(np.bincount(local, products, minlength=documents.size), np.float64)


class _Postings:
    """Each feature's documents and weights, for dot products of every document with a query."""

    def __init__(self, documents: Sequence[list[int]], weights: FloatArray) -> None:
        """Index documents given as lists of feature indices into ``weights``."""
        rows = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        columns = np.fromiter(itertools.chain.from_iterable(documents), np.int64, len(rows))
        order = np.argsort(columns, kind="stable")
        self.size = len(documents)
        self._rows = rows[order]
        self._values = weights[columns][order]
        counts = np.bincount(columns, minlength=len(weights))
        self._starts: IntArray = np.concatenate(([0], np.cumsum(counts)))

    def dot(self, features: IntArray, weights: FloatArray) -> FloatArray:
        """Dot product of every document with a query given as feature indices and weights."""
        starts = self._starts[features]
        lengths = self._starts[features + 1] - starts
        positions = _ranges(starts, lengths)
        values = self._values[positions] * np.repeat(weights, lengths)
        dot = np.bincount(self._rows[positions], weights=values, minlength=self.size)
        return np.asarray(dot, dtype=np.float64)


def _inverse_frequencies(bags: Sequence[set[str]], limit: float) -> dict[str, float]:
    """Weight each feature by its rarity among entries; drop those too common to tell apart.

    Dropped features cost the most time (the longest postings) and tell the least.
    """
    frequency: dict[str, int] = {}
    for bag in bags:
        for feature in bag:
            frequency[feature] = frequency.get(feature, 0) + 1
    total = len(bags)
    limit = max(1, limit)
    return {f: math.log(1 + total / df) + 1 for f, df in frequency.items() if df <= limit}
