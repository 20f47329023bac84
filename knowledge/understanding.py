"""Understanding a message: one call that tells the handlers everything they act on.

The message is read once (:mod:`knowledge.analysis`), its kind told by the phrase rules
(:mod:`knowledge.intents`), the likely entries shortlisted and ranked by the learned ranker, and
its scope judged by the scope model; the gate weighs both into the confidence that the likeliest
entry answers the message (:mod:`knowledge.model`), calibrated so that 0.8 means right about four
times in five. Then:

- ``answer`` when the best entry is both likely and clearly ahead of the next;
- ``clarify`` ("您想问的是") with the plausible entries when the message is plausibly ours but no
  entry is sure enough, so that a long story whose question is ours gets options, not a
  hand-over;
- ``none`` when the message is not about what the base answers, or nothing plausible remains.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from knowledge.analysis import Analyser
from knowledge.intents import SMALL_TALK, Classifier, Intent
from knowledge.model import Model
from knowledge.yaml_file import read_yaml

CONFIG_PATH = Path(__file__).with_name("understanding.yaml")
MAX_CANDIDATES = 3
# The kinds whose messages are never answered from the FAQ (what they are about is still told,
# for the record and for filing).
NOT_QUESTIONS = SMALL_TALK | {Intent.ASKS_FOR_PERSON, Intent.ABOUT_TICKET}


class UnderstandingConfig(BaseModel):
    """The decision thresholds; the bundled values come from ``understanding.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer_threshold: float = Field(ge=0, le=1)
    answer_margin: float = Field(ge=0, le=1)
    clarify_threshold: float = Field(ge=0, le=1)
    scope_threshold: float = Field(ge=0, le=1)
    offer_threshold: float = Field(ge=0, le=1)

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> UnderstandingConfig:
        """Read the configuration from a YAML file."""
        return cls.model_validate(read_yaml(path))


class Decision(enum.StrEnum):
    """What the bot does with a message."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """An entry and the confidence that it answers the message."""

    id: str
    score: float


@dataclass(frozen=True)
class Understanding:
    """What a message is and what to do with it.

    Attributes:
        query: The message as received.
        kind: Small talk, a call for a person, about a ticket, a request for action, a question.
        decision: Answer with the best candidate, ask which one was meant, or hand over.
        candidates: Up to three entries, likeliest first, each with the confidence that it
            answers the message: the gate's for the likeliest, the others' in proportion to how
            likely the ranker found them next to it. With ``clarify`` exactly those to offer;
            with ``none`` what came closest, for the record.
        in_scope: The probability that the FAQ is about this message at all.

    """

    query: str
    kind: Intent
    decision: Decision
    candidates: tuple[Candidate, ...]
    in_scope: float = 0.0

    @property
    def best(self) -> Candidate | None:
        """The likeliest candidate, if any."""
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Ranking:
    """What the models say of a message, before any threshold is applied.

    Attributes:
        query: The message as received.
        kind: What kind of message it is.
        in_scope: The probability that the FAQ is about it (0 for small talk, and for a message
            that shares nothing with the base).
        likely: Up to three entries with the probability that each is the one meant if the
            message is in scope, likeliest first.
        confidence: The probability that the likeliest entry answers the message.

    """

    query: str
    kind: Intent
    in_scope: float = 0.0
    likely: tuple[tuple[str, float], ...] = ()
    confidence: float = 0.0


def decide(ranking: Ranking, config: UnderstandingConfig) -> Understanding:
    """Apply the thresholds to a ranking: answer, clarify or hand over."""
    if not ranking.likely:
        return Understanding(ranking.query, ranking.kind, Decision.NONE, ())
    answerable = ranking.kind not in NOT_QUESTIONS
    in_scope = ranking.in_scope
    # The others in proportion to how likely the ranker found them next to the likeliest.
    scale = ranking.confidence / max(ranking.likely[0][1], 1e-9)
    candidates = tuple(Candidate(i, round(min(p * scale, 1.0), 4)) for i, p in ranking.likely)
    top = candidates[0].score
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    plausible = max(in_scope, ranking.confidence) >= config.scope_threshold
    if answerable and top >= config.answer_threshold and top - runner_up >= config.answer_margin:
        decision = Decision.ANSWER
    elif answerable and plausible and ranking.likely[0][1] >= config.clarify_threshold:
        decision = Decision.CLARIFY
        candidates = tuple(c for c in candidates if c.score >= config.offer_threshold * top)
    else:
        decision = Decision.NONE
    return Understanding(ranking.query, ranking.kind, decision, candidates, round(in_scope, 4))


class Understander:
    """Reads messages against one FAQ base."""

    def __init__(
        self, analyser: Analyser, classifier: Classifier, model: Model, config: UnderstandingConfig
    ) -> None:
        """Combine the parts; see :meth:`knowledge.service.Faq.load` for building them."""
        self.analyser = analyser
        self.classifier = classifier
        self.model = model
        self.config = config

    def understand(self, text: str) -> Understanding:
        """Understand one message; never raises for any string."""
        return decide(self.rank(text), self.config)

    def rank(self, text: str) -> Ranking:
        """What the models say of one message; never raises for any string."""
        kind = self.classifier.classify(text)
        if kind in SMALL_TALK:
            return Ranking(text, kind)
        message = self.analyser.analyse(text)
        if not message.rewritten:
            return Ranking(text, kind)
        index = self.model.index
        vectors = index.vectors(message)
        found = index.shortlist(message, vectors)
        if found.entries.size == 0:
            return Ranking(text, kind)
        likely = self.model.ranker.probabilities(found.features)
        order = np.argsort(-likely, kind="stable")[:MAX_CANDIDATES]
        ranked = tuple((index.entry_ids[found.entries[i]], float(likely[i])) for i in order)
        in_scope = self.model.in_scope(vectors)
        confidence = self.model.confidence(in_scope, likely, found)
        return Ranking(text, kind, in_scope, ranked, confidence)
