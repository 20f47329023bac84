"""Citations of statutes (``民法典 1079``) and their check against official statute texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import cn2an
import yaml

CITATION = re.compile(r"^(?P<law>[^\s\d]+)(?: (?P<article>[1-9]\d*))?$")
ARTICLE_LINE = re.compile(r"^第(?P<numeral>[零一二三四五六七八九十百千]+)条 ", re.MULTILINE)
INFO_END = "<!-- INFO END -->"


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
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(short): str(title) for short, title in data["laws"].items()}


def read_statutes(folder: Path) -> dict[str, frozenset[int]]:
    """Read a folder of statute texts into official title to the set of article numbers.

    Each file starts with ``# <official title>``; its articles are the lines after the
    ``<!-- INFO END -->`` marker that start with ``第<Chinese numeral>条`` and a space. A law
    split over several files (the Civil Code's parts) is merged under its one title.
    """
    articles: dict[str, set[int]] = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        first_line = text.split("\n", 1)[0]
        if not first_line.startswith("# ") or INFO_END not in text:
            continue
        body = text.split(INFO_END, 1)[1]
        numbers = {
            int(cn2an.cn2an(m.group("numeral"), "strict")) for m in ARTICLE_LINE.finditer(body)
        }
        if numbers:
            articles.setdefault(first_line[2:].strip(), set()).update(numbers)
    return {title: frozenset(numbers) for title, numbers in articles.items()}


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
        statutes: Official title to article numbers, from :func:`read_statutes`.

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
