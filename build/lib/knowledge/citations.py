"""Citations of statutes (``民法典 1079``) and their check against official statute texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.yaml_file import read_yaml

CITATION = re.compile(r"^(?P<law>[^\s\d]+)(?: (?P<article>[1-9]\d*))?$")


@dataclass(frozen=True)
class Citation:
    """A cited law (by its short name) and, where one applies, the article number."""

    law: str
    article: int | None

    @classmethod
    def parse(cls, text: str) -> Citation | None:
        """Parse ``<short name> <article>`` or ``<short name>``; ``None`` if not of that form."""
        match = CITATION.match(text)
        if match is None:
            return None
        article = match.group("article")
        return cls(match.group("law"), int(article) if article else None)

    def __str__(self) -> str:
        return self.law if self.article is None else f"{self.law} {self.article}"

    def display(self) -> str:
        """The citation as a villager reads it: 《民法典》第1079条."""
        name = f"《{self.law}》"
        return name if self.article is None else f"{name}第{self.article}条"


def load_law_names(path: Path) -> dict[str, str]:
    """Read the registry of citable laws: short name to official title."""
    data = read_yaml(path)
    return {str(short): str(title) for short, title in data["laws"].items()}


@dataclass(frozen=True)
class CitationCheck:
    """The outcome of checking citations against a folder of statute texts."""

    missing: tuple[tuple[str, Citation], ...]
    unchecked: tuple[tuple[str, Citation], ...]


def check_citations(
    cited: Iterable[tuple[str, Citation]],
    law_names: Mapping[str, str],
    statutes: Mapping[str, frozenset[int]],
) -> CitationCheck:
    """Sort citations into those whose article is missing and those that cannot be checked.

    Args:
        cited: Pairs of (entry id, citation).
        law_names: Short name to official title.
        statutes: Official title to article numbers, from
            :func:`knowledge.statutes.read_statutes`.

    """
    missing: list[tuple[str, Citation]] = []
    unchecked: list[tuple[str, Citation]] = []
    for entry_id, citation in cited:
        articles = statutes.get(law_names[citation.law])
        if articles is None:
            unchecked.append((entry_id, citation))
        elif citation.article is not None and citation.article not in articles:
            missing.append((entry_id, citation))
    return CitationCheck(tuple(missing), tuple(unchecked))
