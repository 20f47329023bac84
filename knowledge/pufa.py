"""The 普法 calendar (``knowledge/pufa.yaml``): on which days which piece of plain law goes out.

The four national days come every year; the 「法律进网格」 dates are the township's own (the
bundled ones are samples). Each piece is short, addressed with 您, and cites its sources like
the FAQ does, so ``mingbai check-kb`` checks them against the statute texts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from knowledge.citations import Citation, load_law_names
from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.loader import BUNDLED, validation_problems
from knowledge.schema import NonEmpty, citation_form
from knowledge.yaml_file import read_yaml

BUNDLED_CALENDAR = BUNDLED / "pufa.yaml"
TEXT_MAX = 300
# Any leap year: a piece may fall on 29 February.
_LEAP_YEAR = 2000

PieceId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
MonthDay = Annotated[str, StringConstraints(pattern=r"^\d\d-\d\d$")]


class SetBy(StrEnum):
    """Who fixed a day."""

    NATION = "nation"  # a national day, the same every year
    TOWNSHIP = "township"  # a 「法律进网格」 session the township set


class PufaDay(BaseModel):
    """One date of the calendar and the piece of plain law sent on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: PieceId
    date: MonthDay
    title: NonEmpty
    set_by: SetBy
    topic: NonEmpty
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)
    ]
    sources: tuple[NonEmpty, ...] = Field(min_length=1)

    @field_validator("date")
    @classmethod
    def _is_a_day_of_the_year(cls, date: str) -> str:
        month, day = map(int, date.split("-"))
        try:
            dt.date(_LEAP_YEAR, month, day)
        except ValueError:
            raise ValueError(f"{date!r} is not a day of the year (MM-DD)") from None
        return date

    _sources = field_validator("sources")(citation_form)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The parsed ``sources``."""
        return tuple(c for c in map(Citation.parse, self.sources) if c is not None)

    def falls_on(self, day: dt.date) -> bool:
        """Whether the piece goes out on ``day``."""
        return self.date == f"{day.month:02d}-{day.day:02d}"


class _CalendarFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: dict[PieceId, NonEmpty] = Field(min_length=1)
    days: list[dict[str, object]] = Field(min_length=1)


@dataclass(frozen=True)
class PufaCalendar:
    """The topics one may subscribe to and the calendar's days.

    Attributes:
        topics: Topic code to its name on the buttons, in the file's order.
        days: The days, in the file's order.

    """

    topics: Mapping[str, str]
    days: tuple[PufaDay, ...]

    def on(self, day: dt.date) -> tuple[PufaDay, ...]:
        """The pieces that go out on ``day``."""
        return tuple(piece for piece in self.days if piece.falls_on(day))

    def piece(self, piece_id: str) -> PufaDay | None:
        """The piece with this id, if there is one."""
        return next((piece for piece in self.days if piece.id == piece_id), None)


def load_pufa_calendar(
    path: Path = BUNDLED_CALENDAR, laws: Path = BUNDLED / "laws.yaml"
) -> PufaCalendar:
    """Read and validate the calendar.

    Args:
        path: The calendar file.
        laws: The registry of citable laws (``laws.yaml``).

    Raises:
        KnowledgeBaseError: With every problem found, each naming its day and field.

    """
    try:
        top = _CalendarFile.model_validate(read_yaml(path))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeBaseError([Problem(path, None, None, f"cannot read: {error}")]) from error
    except ValidationError as error:
        raise KnowledgeBaseError(validation_problems(path, None, error)) from error
    law_names = load_law_names(laws)
    problems: list[Problem] = []
    days: list[PufaDay] = []
    for index, raw in enumerate(top.days, start=1):
        label = str(raw.get("id") or f"#{index}")
        try:
            piece = PufaDay.model_validate(raw)
        except ValidationError as error:
            problems.extend(validation_problems(path, label, error))
            continue
        if any(piece.id == seen.id for seen in days):
            problems.append(Problem(path, piece.id, "id", "duplicate"))
        if piece.topic not in top.topics:
            known = "、".join(top.topics)
            problems.append(
                Problem(path, piece.id, "topic", f"unknown topic {piece.topic!r} ({known})")
            )
        problems.extend(
            Problem(path, piece.id, "sources", f"unknown law {c.law!r} (see laws.yaml)")
            for c in piece.citations
            if c.law not in law_names
        )
        days.append(piece)
    if problems:
        raise KnowledgeBaseError(problems)
    return PufaCalendar(dict(top.topics), tuple(days))
