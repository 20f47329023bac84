"""Reading official statute texts (the format of ``shared/laws``) into their article numbers."""

from __future__ import annotations

import re
from pathlib import Path

import cn2an

ARTICLE_LINE = re.compile(r"^第(?P<numeral>[零一二三四五六七八九十百千]+)条 ", re.MULTILINE)
INFO_END = "<!-- INFO END -->"


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
