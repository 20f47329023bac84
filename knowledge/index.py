"""The FAQ's texts as sparse vectors, and what a message shares with each likely entry.

Every text an entry is found by (question, alternates, keywords, and the near questions written
for it under neighbouring entries) is a row of two TF-IDF spaces: character 1–3-grams of the
rewritten text, and pairs of syllables (so that the homophone typo 离昏 still meets 离婚). Hashing
keeps the vocabulary out of memory, and features found in too many entries to tell any apart are
dropped, so that a base of ten thousand entries stays small and fast.

For a message one product with each space's postings gives its cosine with every entry's sum of
texts, which shortlists the entries it most likely means; only the shortlisted entries' texts are
then compared one by one. Each shortlisted entry is described by a row of :data:`FEATURES`, which
the learned ranker weighs. Every feature can leave one text out, so that the ranker learns from
each text of the base as if it were a new message.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from knowledge.analysis import Analysed, sounds_of

HASHED_FEATURES = 2**20
# A feature found in more than this share of entries (and more than COMMON_MIN_ENTRIES) tells
# none apart; it is dropped, and with it the longest postings.
COMMON_SHARE = 0.3
COMMON_MIN_ENTRIES = 8
# Entries shortlisted by characters and, separately, by sounds.
SHORTLIST = 10
# Messages up to this many characters are "short", longer than LONG_CHARS "long".
SHORT_CHARS = 10
LONG_CHARS = 40
# Texts counted together (bounds memory).
COUNT_BLOCK = 50_000

FEATURES = (
    "text_best",  # cosine with the entry's closest text
    "text_top2",  # mean cosine with its two closest texts
    "entry",  # cosine with the sum of its texts
    "sound_best",  # the same in syllable pairs
    "sound_entry",
    "focus_best",  # the question clause's cosine with the closest text
    "keyword_cosine",  # cosine with the closest keyword
    "keyword_hit",  # one of its keywords occurs in the message
    "near_best",  # cosine with the closest question that sounds like it but is not
    "coverage",  # share of the message's weight the entry's vocabulary covers
    "text_gap",  # each of these, minus the best shortlisted entry's
    "entry_gap",
    "sound_gap",
    "focus_gap",
    "coverage_gap",
    "near_gap",  # near_best minus text_best: closer to a counter-example than to a text
    "short",  # message of at most SHORT_CHARS characters
    "long",  # message of more than LONG_CHARS characters
    "short_text_best",
    "short_keyword_hit",
    "long_focus_best",
)
_COLUMN = {name: i for i, name in enumerate(FEATURES)}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class IndexedText:
    """One text the index holds.

    Attributes:
        entry_id: The entry it is a way of asking.
        text: The text.
        is_keyword: A short term that on its own points to the entry.
        near_of: For a near question, the entry it sounds like but does not belong to.

    """

    entry_id: str
    text: str
    is_keyword: bool = False
    near_of: str | None = None


@dataclass(frozen=True)
class Vectors:
    """A message in the index's spaces: characters, sounds, and the focus clause's characters."""

    chars: sp.csr_matrix
    sounds: sp.csr_matrix
    focus: sp.csr_matrix


@dataclass(frozen=True)
class Shortlist:
    """The entries a message most likely means, each described by a row of features."""

    entries: IntArray
    features: FloatArray


class _Space:
    """One vector space: hashed counts weighted by IDF, with the common features dropped.

    Attributes:
        rows: Each text's unit vector.
        postings: Feature by feature, the entries whose texts hold it, with the sum of their
            texts' weights: a message's product with every entry's sum is one product with
            these, and costs what the message's features' postings hold (at most one per entry).
        norms: Each entry's sum's norm.
        own_squares: Each text's squared norm (1, or 0 for a text with no feature left).
        own_overlap: Each text's product with its own entry's sum (with these two, one text can
            be taken out of its entry's sum, for training).

    """

    def __init__(
        self,
        vectorizer: HashingVectorizer,
        documents: Iterable[str | list[str]],
        row_entry: IntArray,
        entries: int,
    ) -> None:
        self.vectorizer = vectorizer
        counts = self._counts(documents)
        idf = TfidfTransformer(sublinear_tf=True).fit(counts).idf_
        in_entries = sp.csr_matrix(
            (np.ones(row_entry.size, np.float32), (row_entry, np.arange(row_entry.size))),
            shape=(entries, row_entry.size),
        )
        frequency = np.bincount((in_entries @ counts).indices, minlength=HASHED_FEATURES)
        common = frequency > max(COMMON_MIN_ENTRIES, COMMON_SHARE * entries)
        self.weights = np.where(common, 0.0, idf).astype(np.float32)
        self.rows = self.weigh(counts)
        del counts
        sums = (in_entries @ self.rows).tocsr()
        self.norms = np.maximum(np.sqrt(_row_squares(sums)), 1e-9)
        self.own_squares = _row_squares(self.rows)
        starts = np.searchsorted(row_entry, np.arange(entries + 1))
        self.own_overlap = _products_with_sums(self.rows, starts, sums)
        self.postings = sums.T.tocsr()
        # A message as a dense vector, written and cleared by each comparison: a fresh one per
        # message costs more than the comparison itself (not safe from two threads at once).
        self._query = np.zeros(HASHED_FEATURES, np.float32)

    def __getstate__(self) -> dict[str, object]:
        # The scratch vector is rebuilt on loading rather than written to the cache.
        return {k: v for k, v in self.__dict__.items() if k != "_query"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._query = np.zeros(HASHED_FEATURES, np.float32)

    def vectors(self, documents: Sequence[str | list[str]]) -> sp.csr_matrix:
        """The documents' weighted, unit-length vectors, one row each."""
        return self.weigh(sp.csr_matrix(self.vectorizer.transform(documents)))

    def _counts(self, documents: Iterable[str | list[str]]) -> sp.csr_matrix:
        """Hashed counts, a block of documents at a time.

        Counting a large base at once needs far more memory than the counts themselves.
        """
        documents = iter(documents)
        blocks = []
        while block := list(itertools.islice(documents, COUNT_BLOCK)):
            blocks.append(sp.csr_matrix(self.vectorizer.transform(block)))
        return sp.csr_matrix(sp.vstack(blocks, format="csr"), dtype=np.float32)

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts to sublinear TF-IDF without the common features, rows of unit length.

        The counts are weighed in place.
        """
        weighted = sp.csr_matrix(counts, dtype=np.float32, copy=False)
        weighted.data = (1 + np.log(weighted.data)) * self.weights[weighted.indices]
        weighted.eliminate_zeros()
        norms = np.sqrt(_row_squares(weighted))
        lengths = np.diff(weighted.indptr)
        weighted.data /= np.repeat(np.where(norms > 0, norms, 1.0), lengths).astype(np.float32)
        return weighted

    def entry_products(self, vector: sp.csr_matrix) -> FloatArray:
        """The message's product with every entry's sum of texts."""
        return np.asarray((vector @ self.postings).toarray(), dtype=np.float64).ravel()

    def cosines(self, vectors: Sequence[sp.csr_matrix], rows: IntArray) -> list[FloatArray]:
        """Each message's cosine with each of the chosen texts (their values read once)."""
        starts = self.rows.indptr[rows]
        lengths = self.rows.indptr[rows + 1] - starts
        positions = _ranges(starts, lengths)
        features = self.rows.indices[positions]
        values = self.rows.data[positions]
        owner = np.repeat(np.arange(rows.size), lengths)
        cosines = []
        for vector in vectors:
            self._query[vector.indices] = vector.data
            try:
                products = values * self._query[features]
            finally:
                self._query[vector.indices] = 0.0
            owner_sums = np.bincount(owner, products, minlength=rows.size)
            cosines.append(np.asarray(owner_sums, dtype=np.float64))
        return cosines


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """The integers start..start+length-1 of every (start, length) pair, concatenated."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.arange(offsets.size) + offsets


def _row_squares(matrix: sp.csr_matrix) -> FloatArray:
    """Each row's squared norm."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    squares = matrix.data.astype(np.float64) ** 2
    return np.asarray(np.bincount(rows, weights=squares, minlength=matrix.shape[0]), np.float64)


def _products_with_sums(
    rows: sp.csr_matrix, entry_start: IntArray, sums: sp.csr_matrix
) -> FloatArray:
    """Each row's product with its own entry's sum, an entry at a time through a dense buffer."""
    buffer = np.zeros(sums.shape[1], np.float32)
    products = np.zeros(rows.shape[0])
    for entry, (first, end) in enumerate(itertools.pairwise(entry_start)):
        columns = sums.indices[sums.indptr[entry] : sums.indptr[entry + 1]]
        buffer[columns] = sums.data[sums.indptr[entry] : sums.indptr[entry + 1]]
        start, stop = rows.indptr[first], rows.indptr[end]
        values = rows.data[start:stop] * buffer[rows.indices[start:stop]]
        owner = np.repeat(np.arange(end - first), np.diff(rows.indptr[first : end + 1]))
        products[first:end] = np.bincount(owner, values, minlength=end - first)
        buffer[columns] = 0.0
    return products


def char_vectorizer() -> HashingVectorizer:
    """Character 1–3-grams within words."""
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        n_features=HASHED_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=False,
        dtype=np.float32,
    )


def sound_vectorizer() -> HashingVectorizer:
    """Syllable pairs (and lone syllables) within words, as :func:`sounds_of` gives them."""
    return HashingVectorizer(
        analyzer=_as_given,
        n_features=HASHED_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def _as_given(tokens: list[str]) -> list[str]:
    return tokens


class Index:
    """The texts of an FAQ base, grouped by entry, ready to describe candidates for a message."""

    def __init__(self, texts: Sequence[IndexedText], rewritten: Sequence[str]) -> None:
        """Index texts, given with their rewritten forms (see :class:`knowledge.analysis.Analyser`).

        Raises:
            ValueError: An entry's texts are not contiguous, or a near question names no entry.

        """
        position: dict[str, int] = {}
        for text in texts:
            if text.entry_id not in position:
                position[text.entry_id] = len(position)
            elif position[text.entry_id] != len(position) - 1:
                raise ValueError(f"texts of {text.entry_id} are not contiguous")
        self.entry_ids = tuple(position)
        unknown = sorted({t.near_of for t in texts if t.near_of and t.near_of not in position})
        if unknown:
            raise ValueError(f"near questions of unknown entries: {', '.join(unknown)}")
        self.row_entry = np.asarray([position[t.entry_id] for t in texts], dtype=np.int64)
        self.is_keyword = np.asarray([t.is_keyword for t in texts], dtype=bool)
        self.entry_start = np.searchsorted(self.row_entry, np.arange(len(position) + 1))
        near_rows: list[list[int]] = [[] for _ in position]
        self.keywords: list[list[tuple[int, str]]] = [[] for _ in position]
        for row, text in enumerate(texts):
            if text.near_of is not None:
                near_rows[position[text.near_of]].append(row)
            if text.is_keyword:
                self.keywords[self.row_entry[row]].append((row, rewritten[row].replace(" ", "")))
        self.near_rows = [np.asarray(rows, dtype=np.int64) for rows in near_rows]
        count = len(position)
        self.chars = _Space(char_vectorizer(), rewritten, self.row_entry, count)
        self.sounds = _Space(
            sound_vectorizer(), (sounds_of(r) for r in rewritten), self.row_entry, count
        )

    @property
    def size(self) -> int:
        """The number of texts."""
        return int(self.row_entry.size)

    def vectors(self, message: Analysed) -> Vectors:
        """The message in the index's spaces."""
        return self.vectors_of([message])[0]

    def vectors_of(self, messages: Sequence[Analysed]) -> list[Vectors]:
        """Many messages in the index's spaces, vectorised together (much faster for many)."""
        focused = [i for i, m in enumerate(messages) if m.focus]
        # The focus clauses are vectorised with the messages: one call costs less than two.
        chars = self.chars.vectors(
            [m.rewritten for m in messages] + [messages[i].focus or "" for i in focused]
        )
        sounds = self.sounds.vectors([sounds_of(m.rewritten) for m in messages])
        focus_of = {i: chars[len(messages) + position] for position, i in enumerate(focused)}
        vectors = []
        for i in range(len(messages)):
            own = chars[i]
            vectors.append(Vectors(own, sounds[i], focus_of.get(i, own)))
        return vectors

    def shortlist(
        self, message: Analysed, vectors: Vectors, leave_out: int | None = None
    ) -> Shortlist:
        """The likeliest entries for a message, with their features.

        Args:
            message: The analysed message.
            vectors: The message's vectors (:meth:`vectors`).
            leave_out: A text's row to ignore as if it were not in the base (for training).

        """
        by_chars = self._entry_cosines(vectors.chars, self.chars, leave_out)
        by_sounds = self._entry_cosines(vectors.sounds, self.sounds, leave_out)
        entries = np.union1d(_top(by_chars, SHORTLIST), _top(by_sounds, SHORTLIST))
        entries = entries[(by_chars[entries] > 0) | (by_sounds[entries] > 0)]
        if entries.size == 0:
            return Shortlist(entries, np.zeros((0, len(FEATURES))))
        own = [np.arange(self.entry_start[e], self.entry_start[e + 1]) for e in entries]
        near = [self.near_rows[e] for e in entries]
        own_lengths = np.asarray([r.size for r in own])
        everything = np.concatenate([*own, *near])
        [sounds] = self.sounds.cosines([vectors.sounds], everything)
        if vectors.focus is vectors.chars:
            [chars] = self.chars.cosines([vectors.chars], everything)
            focus = chars
        else:
            chars, focus = self.chars.cosines([vectors.chars, vectors.focus], everything)
        if leave_out is not None:
            gone = everything == leave_out
            chars[gone] = sounds[gone] = focus[gone] = 0.0
        rows = everything[: int(own_lengths.sum())]
        keyword = self.is_keyword[rows]
        count = rows.size
        text_chars = np.where(keyword, 0.0, chars[:count])
        near_best = _group_max(chars[count:], np.asarray([r.size for r in near]))
        features = np.zeros((entries.size, len(FEATURES)))
        text_best = _group_max(text_chars, own_lengths)
        columns = {
            "text_best": text_best,
            "text_top2": _group_top2_mean(text_chars, own_lengths),
            "entry": by_chars[entries],
            "sound_best": _group_max(np.where(keyword, 0.0, sounds[:count]), own_lengths),
            "sound_entry": by_sounds[entries],
            "focus_best": _group_max(np.where(keyword, 0.0, focus[:count]), own_lengths),
            "keyword_cosine": _group_max(np.where(keyword, chars[:count], 0.0), own_lengths),
            "keyword_hit": np.asarray(
                [self._keyword_hit(e, message.compact, leave_out) for e in entries], dtype=float
            ),
            "near_best": near_best,
            "coverage": self._coverage(entries, vectors.chars, leave_out),
        }
        for name, values in columns.items():
            features[:, _COLUMN[name]] = values
        for name, base in (
            ("text_gap", "text_best"),
            ("entry_gap", "entry"),
            ("sound_gap", "sound_best"),
            ("focus_gap", "focus_best"),
            ("coverage_gap", "coverage"),
        ):
            values = features[:, _COLUMN[base]]
            features[:, _COLUMN[name]] = values - values.max()
        features[:, _COLUMN["near_gap"]] = near_best - text_best
        short = float(message.length <= SHORT_CHARS)
        long = float(message.length > LONG_CHARS)
        features[:, _COLUMN["short"]] = short
        features[:, _COLUMN["long"]] = long
        features[:, _COLUMN["short_text_best"]] = short * text_best
        features[:, _COLUMN["short_keyword_hit"]] = short * columns["keyword_hit"]
        features[:, _COLUMN["long_focus_best"]] = long * columns["focus_best"]
        return Shortlist(entries, features)

    def _entry_cosines(
        self, vector: sp.csr_matrix, space: _Space, leave_out: int | None
    ) -> FloatArray:
        """The message's cosine with every entry's sum of texts (without the text left out)."""
        products = space.entry_products(vector)
        norms = space.norms
        if leave_out is not None:
            entry = int(self.row_entry[leave_out])
            products[entry] -= space.cosines([vector], np.asarray([leave_out]))[0][0]
            squared = (
                norms[entry] ** 2 - 2 * space.own_overlap[leave_out] + space.own_squares[leave_out]
            )
            norms = norms.copy()
            norms[entry] = np.sqrt(max(squared, 1e-18))
        return np.asarray(products / norms, dtype=np.float64)

    def _coverage(
        self, entries: IntArray, vector: sp.csr_matrix, leave_out: int | None
    ) -> FloatArray:
        """Share of the message's squared weight on features that the entry's texts hold."""
        weights = vector.data.astype(np.float64) ** 2
        holders = self.chars.postings[vector.indices]
        columns = np.repeat(np.arange(weights.size), np.diff(holders.indptr))
        position = np.full(len(self.entry_ids), -1)
        position[entries] = np.arange(entries.size)
        at = position[holders.indices]
        held = np.zeros((entries.size, weights.size))
        held[at[at >= 0], columns[at >= 0]] = 1.0
        if leave_out is not None and position[self.row_entry[leave_out]] >= 0:
            entry = int(self.row_entry[leave_out])
            others = np.arange(self.entry_start[entry], self.entry_start[entry + 1])
            others = others[others != leave_out]
            rows = self.chars.rows
            starts = rows.indptr[others]
            kept = rows.indices[_ranges(starts, rows.indptr[others + 1] - starts)]
            held[position[entry]] = np.isin(vector.indices, kept)
        total = max(float(weights.sum()), 1e-12)
        return np.asarray(held @ weights / total, dtype=np.float64)

    def _keyword_hit(self, entry: int, compact: str, leave_out: int | None) -> bool:
        return any(row != leave_out and term in compact for row, term in self.keywords[entry])


def _top(scores: FloatArray, count: int) -> IntArray:
    if scores.size <= count:
        return np.arange(scores.size)
    return np.argpartition(-scores, count - 1)[:count]


def _group_max(values: FloatArray, lengths: IntArray) -> FloatArray:
    """The maximum of each of the consecutive groups of ``values`` (0 for an empty group)."""
    result = np.zeros(lengths.size)
    present = lengths > 0
    if present.any():
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        result[present] = np.maximum.reduceat(values[: int(lengths.sum())], starts[present])
    return result


def _group_top2_mean(values: FloatArray, lengths: IntArray) -> FloatArray:
    """The mean of the two largest of each group (the one value of a group of one)."""
    result = np.zeros(lengths.size)
    present = lengths > 0
    if not present.any():
        return result
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[present]
    values = values[: int(lengths.sum())]
    best = np.maximum.reduceat(values, starts)
    is_best = values == np.repeat(best, lengths[present])
    ties = np.add.reduceat(is_best, starts) > 1
    others = np.maximum.reduceat(np.where(is_best, -np.inf, values), starts)
    second = np.where(ties, best, np.where(np.isfinite(others), others, best))
    result[present] = (best + second) / 2
    return result
