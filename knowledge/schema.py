"""The schema of an FAQ entry, as written in ``knowledge/faq/*.yaml``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from knowledge.citations import Citation

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]


def citation_form(sources: tuple[str, ...]) -> tuple[str, ...]:
    """``sources`` as given, if each is a citation (``民法典 1079``); a pydantic validator.

    Raises:
        ValueError: Naming the first that is not.

    """
    for source in sources:
        if Citation.parse(source) is None:
            raise ValueError(
                f"{source!r} is not of the form '<law short name> <article>' "
                "(e.g. '民法典 1079') or '<law short name>'"
            )
    return sources


class NearQuestion(BaseModel):
    """A question that sounds like an entry's but belongs to a neighbouring one.

    Written beside the entry it is easily mistaken for, it teaches the understanding step where
    the border between the two lies: it is a way of asking ``belongs_to``, and a counter-example
    for the entry it is written under.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: NonEmpty
    belongs_to: EntryId


class FaqEntry(BaseModel):
    """One question the bot can answer, with the law it rests on.

    ``answer`` is what a villager reads first: the rule, then what to do, short enough for an
    old man's phone. ``details`` holds the exceptions and the steps for whoever asks for more;
    ``title`` is the few words that name the entry on a button.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: EntryId
    domain: NonEmpty
    question: NonEmpty
    title: NonEmpty | None = None
    alternates: tuple[NonEmpty, ...] = Field(min_length=1)
    keywords: tuple[NonEmpty, ...] = ()
    near: tuple[NearQuestion, ...] = ()
    answer: NonEmpty
    details: NonEmpty | None = None
    sources: tuple[NonEmpty, ...] = Field(min_length=1)
    related: tuple[EntryId, ...] = ()
    reviewed: dt.date | None = None

    @field_validator("sources")
    @classmethod
    def _citations_have_the_form(cls, sources: tuple[str, ...]) -> tuple[str, ...]:
        return citation_form(sources)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The parsed ``sources``."""
        return tuple(c for c in map(Citation.parse, self.sources) if c is not None)


class FaqFile(BaseModel):
    """The top level of an FAQ file."""

    model_config = ConfigDict(extra="forbid")

    entries: list[dict[str, object]] = Field(min_length=1)
