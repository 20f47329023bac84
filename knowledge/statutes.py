"""Reading official statute texts (the format of ``shared/laws``) into their articles."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import cn2an

ARTICLE_LINE = re.compile(r"^第(?P<numeral>[零一二三四五六七八九十百千]+)条 ", re.MULTILINE)
INFO_END = "<!-- INFO END -->"


def read_articles(folder: Path) -> dict[str, dict[int, str]]:
    """Read a folder of statute texts into official title to article number to article text.

    Each file starts with ``# <official title>``; its articles are the lines after the
    ``<!-- INFO END -->`` marker that start with ``第<Chinese numeral>条`` and a space, each
    running to the next article or heading. A law split over several files (the Civil Code's
    parts) is merged under its one title.
    """
    laws: dict[str, dict[int, str]] = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        first_line = text.split("\n", 1)[0]
        if not first_line.startswith("# ") or INFO_END not in text:
            continue
        body = text.split(INFO_END, 1)[1]
        starts = list(ARTICLE_LINE.finditer(body))
        if not starts:
            continue
        articles = laws.setdefault(first_line[2:].strip(), {})
        for match, following in zip(starts, [*starts[1:], None], strict=True):
            end = following.start() if following else len(body)
            number = int(cn2an.cn2an(match.group("numeral"), "strict"))
            articles[number] = _without_headings(body[match.end() : end])
    return laws


def read_statutes(folder: Path) -> dict[str, frozenset[int]]:
    """Read a folder of statute texts into official title to the set of article numbers."""
    return article_numbers(read_articles(folder))


def article_numbers(laws: Mapping[str, Mapping[int, str]]) -> dict[str, frozenset[int]]:
    """Official title to the set of article numbers, from :func:`read_articles`' result."""
    return {title: frozenset(articles) for title, articles in laws.items()}


def _without_headings(text: str) -> str:
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))
