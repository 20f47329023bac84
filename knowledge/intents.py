"""What kind of message this is, before anything is matched.

Small talk, a call for a person, news sought about a ticket, a request for action, or a question.

The phrases are data (``intents.yaml``); this module only normalises and compares them. Small talk
must make up the whole message, so that "你好，彩礼能退吗" is still a question; the other kinds
may occur anywhere, since "工资到现在还没发，请派人来" is both a question and a call for help.
"""

from __future__ import annotations

import enum
import re
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.normalize import normalize
from knowledge.yaml_file import read_yaml

INTENTS_PATH = Path(__file__).with_name("intents.yaml")
# "…" in a phrase stands for at most this many characters of anything.
GAP = "…"
MAX_GAP_CHARS = 8

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Intent(enum.StrEnum):
    """What a message asks of the bot."""

    GREETING = "greeting"
    THANKS = "thanks"
    IDENTITY = "identity"
    ASKS_FOR_PERSON = "asks_for_person"
    ABOUT_TICKET = "about_ticket"
    ACTION_REQUEST = "action_request"
    QUESTION = "question"


SMALL_TALK = frozenset({Intent.GREETING, Intent.THANKS, Intent.IDENTITY})


class SmallTalkRules(BaseModel):
    """The phrases (and emoji) that make up one kind of small talk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: tuple[Phrase, ...] = Field(min_length=1)
    symbols: tuple[Phrase, ...] = ()


class PhraseRules(BaseModel):
    """The phrases that mark a kind of message wherever they occur in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: tuple[Phrase, ...] = Field(min_length=1)


class IntentRules(BaseModel):
    """The content of ``intents.yaml``; small talk kinds are listed in the order they win."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    small_talk_max_chars: int = Field(gt=0)
    fillers: tuple[Phrase, ...] = ()
    small_talk: dict[Intent, SmallTalkRules]
    asks_for_person: PhraseRules
    about_ticket: PhraseRules
    action_request: PhraseRules

    @model_validator(mode="after")
    def _only_small_talk_kinds(self) -> IntentRules:
        others = sorted(set(self.small_talk) - SMALL_TALK)
        if others:
            raise ValueError(f"not small talk: {', '.join(others)}")
        return self

    @classmethod
    def load(cls, path: Path = INTENTS_PATH) -> IntentRules:
        """Read the rules from a YAML file."""
        return cls.model_validate(read_yaml(path))


class Classifier:
    """Tells small talk and requests for action from questions, by the rules given."""

    def __init__(self, rules: IntentRules) -> None:
        """Normalise and compile the rules' phrases."""
        self._max_chars = rules.small_talk_max_chars
        # Earlier kinds win when a message mixes them.
        self._priority = tuple(rules.small_talk)
        self._symbols = {kind: r.symbols for kind, r in rules.small_talk.items()}
        self._small_talk_phrase: dict[str, Intent | None] = {}
        for kind, kind_rules in reversed(rules.small_talk.items()):
            self._small_talk_phrase.update(dict.fromkeys(map(_compact, kind_rules.phrases), kind))
        for filler in map(_compact, rules.fillers):
            self._small_talk_phrase.setdefault(filler, None)
        self._small_talk_phrase.pop("", None)
        # Longest first, so that 你好 is taken as a greeting before 你 is dropped as a filler.
        words = sorted(self._small_talk_phrase, key=len, reverse=True)
        self._small_talk = re.compile("|".join(map(re.escape, words)))
        # Checked in this order: "转人工，投诉村里" asks for a person first of all.
        self._anywhere = tuple(
            (kind, re.compile("|".join(_phrase_pattern(p) for p in kind_rules.phrases)))
            for kind, kind_rules in (
                (Intent.ASKS_FOR_PERSON, rules.asks_for_person),
                (Intent.ABOUT_TICKET, rules.about_ticket),
                (Intent.ACTION_REQUEST, rules.action_request),
            )
        )

    def classify(self, text: str) -> Intent:
        """What this message is; never raises for any string."""
        small_talk = self._small_talk_kind(text)
        if small_talk is not None:
            return small_talk
        compact = _compact(text)
        for kind, pattern in self._anywhere:
            if pattern.search(compact):
                return kind
        return Intent.QUESTION

    def _small_talk_kind(self, text: str) -> Intent | None:
        if len(text.strip()) > self._max_chars:
            return None
        kinds = {kind for kind, symbols in self._symbols.items() if any(s in text for s in symbols)}
        compact = _compact(text)
        position = 0
        for match in self._small_talk.finditer(compact):
            if match.start() != position:
                return None
            position = match.end()
            kind = self._small_talk_phrase[match.group()]
            if kind is not None:
                kinds.add(kind)
        if position != len(compact):
            return None
        return next((kind for kind in self._priority if kind in kinds), None)


def _compact(text: str) -> str:
    """The normalised text without spaces, so that punctuation never hides a phrase."""
    return normalize(text).replace(" ", "")


def _phrase_pattern(phrase: str) -> str:
    parts = (re.escape(_compact(part)) for part in phrase.split(GAP))
    return f".{{0,{MAX_GAP_CHARS}}}".join(parts)


@cache
def bundled_classifier() -> Classifier:
    """The classifier of the bundled ``intents.yaml``, built once."""
    return Classifier(IntentRules.load())


def classify(text: str) -> Intent:
    """Classify a message with the bundled rules; see :meth:`Classifier.classify`."""
    return bundled_classifier().classify(text)
