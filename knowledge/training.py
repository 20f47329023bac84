"""Learning the understanding model from the FAQ base (see :mod:`knowledge.model`).

- The **ranker**: each text of the base (question, alternate, keyword, near question) is put to
  the index as if it were a new message, with itself left out, and the features of every
  shortlisted entry are labelled right or wrong.
- The **scope model**: the base's texts against the corpus of messages no entry answers. Some
  texts are learned from again with a phrase that says nothing of their topic ("请派人来",
  "需要什么材料"), so that such a phrase does not make a question look foreign.
- The **gate**: what the other two said of examples they were not trained on — the base's texts
  (right when the likeliest entry was theirs) and the out-of-scope corpus (never right).

Each is a logistic regression calibrated isotonically on out-of-fold scores. Training is
deterministic: folds are fixed by groups, samples by a seed.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from knowledge.analysis import Analyser
from knowledge.calibrated import CalibratedLinear, FloatArray, shared_out
from knowledge.index import Index, IndexedText, Shortlist, Vectors
from knowledge.model import Corpus, Model, gate_features, scope_features

FOLDS = 5
# At most this many texts of the base teach the models: enough for a few dozen weights (and the
# scope model's many), and what keeps a base of ten thousand entries within a minute.
RANKER_QUERIES = 3000
RANKER_C = 1.0
SCOPE_C = 4.0
GATE_C = 1.0
SEED = 7
# Share of the base's texts also learned from with a neutral phrase added.
NEUTRAL_SHARE = 0.25


@dataclass(frozen=True)
class Fitted:
    """A fitted model and its calibrated probabilities for its own examples, out of fold.

    The out-of-fold probabilities are what the model would have said of each example had it not
    been trained on it: honest inputs for a model stacked on top of this one.
    """

    model: CalibratedLinear
    held_out: FloatArray


def fit_calibrated(
    features: FloatArray | sp.spmatrix,
    labels: npt.NDArray[np.bool_],
    groups: npt.NDArray[np.int64],
    regularisation: float,
    balanced: bool = False,
    alternatives: npt.NDArray[np.int64] | None = None,
) -> Fitted:
    """Fit a logistic regression and calibrate it isotonically on out-of-fold scores.

    Args:
        features: One row per example.
        labels: Whether each example is positive.
        groups: Examples of one group are held out together (the texts made from one text of
            the base, say).
        regularisation: scikit-learn's ``C``: smaller is simpler.
        balanced: Weigh the classes equally while fitting; the calibration still reflects how
            often each class really occurs in the data.
        alternatives: For a model whose rows are alternatives of which at most one is right
            (see :attr:`CalibratedLinear.exclusive`): the message each row is an alternative
            for, contiguous.

    """
    model = LogisticRegression(
        C=regularisation, max_iter=2000, class_weight="balanced" if balanced else None
    )
    width = features.shape[1]
    used = None
    if sp.issparse(features):
        # Hashed features are mostly unused: fitting only the used columns is many times faster.
        sparse = sp.csr_matrix(features)
        used = np.unique(sparse.indices)
        features = sparse[:, used]
    folds = GroupKFold(n_splits=min(FOLDS, len(np.unique(groups))))
    held_out = cross_val_predict(
        model, features, labels, groups=groups, cv=folds, method="decision_function"
    )
    if alternatives is not None:
        held_out = shared_out(held_out, alternatives)
    curve = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(held_out, labels)
    model.fit(features, labels)
    weights = np.asarray(model.coef_, dtype=np.float64).ravel()
    if used is not None:
        weights = np.zeros(width)
        weights[used] = model.coef_.ravel()
    calibrated = CalibratedLinear(
        weights=weights,
        bias=float(model.intercept_[0]),
        curve_scores=np.asarray(curve.X_thresholds_, dtype=np.float64),
        curve_probabilities=np.asarray(curve.y_thresholds_, dtype=np.float64),
        exclusive=alternatives is not None,
    )
    return Fitted(calibrated, np.asarray(curve.predict(held_out), dtype=np.float64))


def train(texts: Sequence[IndexedText], analyser: Analyser, corpus: Corpus) -> Model:
    """Index the texts and learn the ranker, the scope model and the gate."""
    start = time.perf_counter()
    rewritten = [analyser.rewrite(t.text) for t in texts]
    index = Index(texts, rewritten)
    rng = random.Random(SEED)
    # A text written twice in one entry would still find its twin when left out: neither is
    # learned from as a new message.
    twice = Counter(zip(index.row_entry.tolist(), rewritten, strict=True))
    rows = [r for r in range(index.size) if twice[index.row_entry[r], rewritten[r]] == 1]
    if len(rows) > RANKER_QUERIES:
        rows = sorted(rng.sample(rows, RANKER_QUERIES))
    queries = [Query(row, texts[row].text) for row in rows]
    queries += [
        Query(row, _with_neutral_phrase(texts[row].text, corpus.neutral, rng))
        for row in rows
        if not texts[row].is_keyword and rng.random() < NEUTRAL_SHARE
    ]
    messages = [analyser.analyse(query.text) for query in queries]
    vectors = index.vectors_of(messages)
    shortlists = [
        index.shortlist(message, vector, leave_out=query.row)
        for query, message, vector in zip(queries, messages, vectors, strict=True)
    ]
    ranker = _train_ranker(index, queries, shortlists)
    # The gate learns from what both models said of texts they held out: every in-scope example
    # of the scope model is a ranker query.
    inside = [i for i, query in enumerate(queries) if not texts[query.row].is_keyword]
    outside = [analyser.analyse(m) for m in corpus.out_of_scope]
    outside_vectors = index.vectors_of(outside)
    scope = _train_scope(
        [*(vectors[i] for i in inside), *outside_vectors],
        [*(texts[queries[i].row].text for i in inside), *corpus.out_of_scope],
        len(inside),
    )
    gate_rows = []
    for position, i in enumerate(inside):
        found = shortlists[i]
        if found.entries.size:
            likely = ranker.likely[i]
            right = found.entries[int(np.argmax(likely))] == index.row_entry[queries[i].row]
            gate_rows.append((gate_features(scope.held_out[position], likely, found), right))
    for position, (message, vector) in enumerate(zip(outside, outside_vectors, strict=True)):
        found = index.shortlist(message, vector)
        if found.entries.size:
            likely = ranker.fitted.model.probabilities(found.features)
            in_scope = scope.held_out[len(inside) + position]
            gate_rows.append((gate_features(in_scope, likely, found), False))
    gate = fit_calibrated(
        np.vstack([features for features, _ in gate_rows]),
        np.asarray([right for _, right in gate_rows]),
        np.arange(len(gate_rows)),
        GATE_C,
    )
    return Model(index, ranker.fitted.model, scope.model, gate.model, time.perf_counter() - start)


@dataclass(frozen=True)
class Query:
    """A text put to the index as a new message, with the row of the base it comes from."""

    row: int
    text: str


def _with_neutral_phrase(text: str, phrases: Sequence[str], rng: random.Random) -> str:
    """The text with a phrase that says nothing of its topic, before or after it."""
    phrase = rng.choice(phrases)
    return f"{phrase}，{text}" if rng.random() < 0.5 else f"{text}，{phrase}"


@dataclass(frozen=True)
class _Ranker:
    """The fitted ranker, and what it said out of fold of each query's shortlist."""

    fitted: Fitted
    likely: dict[int, FloatArray]


def _train_ranker(
    index: Index, queries: Sequence[Query], shortlists: Sequence[Shortlist]
) -> _Ranker:
    found = [i for i, shortlist in enumerate(shortlists) if shortlist.entries.size]
    labels = [shortlists[i].entries == index.row_entry[queries[i].row] for i in found]
    sizes = [shortlists[i].entries.size for i in found]
    # A text and its copy with a neutral phrase are held out together.
    rows = np.repeat([queries[i].row for i in found], sizes)
    fitted = fit_calibrated(
        np.vstack([shortlists[i].features for i in found]),
        np.concatenate(labels),
        rows,
        RANKER_C,
        alternatives=np.repeat(np.arange(len(found)), sizes),
    )
    splits = np.cumsum(sizes)[:-1]
    return _Ranker(fitted, dict(zip(found, np.split(fitted.held_out, splits), strict=True)))


def _train_scope(vectors: Sequence[Vectors], sources: Sequence[str], in_scope: int) -> Fitted:
    """The scope model, from each example's vectors and the text it was made from."""
    labels = np.arange(len(sources)) < in_scope
    # Folds by source: a text written twice, or copied with a neutral phrase, stays in one fold.
    groups = np.asarray([hash_text(text) for text in sources], dtype=np.int64)
    features = sp.vstack([scope_features(v) for v in vectors]).tocsr()
    return fit_calibrated(features, labels, groups, SCOPE_C, balanced=True)


def hash_text(text: str) -> int:
    """A stable 63-bit number for a text (Python's own ``hash`` changes between runs)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
