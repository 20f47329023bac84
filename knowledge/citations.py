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


def sources_line(citations: Iterable[Citation], readable: Mapping[str, str]) -> str:
    """The citations as a villager reads them, each law once with its articles.

    ``民法典 1076``, ``民法典 1077`` and ``婚姻家庭编解释（一） 69`` read
    ``民法典第1076、1077条；最高法婚姻家庭编解释（一）第69条``.

    Args:
        citations: The citations, in the order the entry gives them.
        readable: The name villagers read for a law whose short name says nothing on its own
            (:func:`load_readable_names`); other laws are read by their short name.

    """
    articles: dict[str, list[int]] = {}
    for citation in citations:
        cited = articles.setdefault(citation.law, [])
        if citation.article is not None and citation.article not in cited:
            cited.append(citation.article)
    return "；".join(
        readable.get(law, law) + (f"第{'、'.join(map(str, numbers))}条" if numbers else "")
        for law, numbers in articles.items()
    )


def load_law_names(path: Path) -> dict[str, str]:
    """Read the registry of citable laws: short name to official title."""
    data = read_yaml(path)
    return {str(short): str(title) for short, title in data["laws"].items()}


def load_readable_names(path: Path) -> dict[str, str]:
    """Read the registry's names for villagers: short name to the name on the 依据 line."""
    data = read_yaml(path)
    return {str(short): str(name) for short, name in (data.get("readable") or {}).items()}


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
