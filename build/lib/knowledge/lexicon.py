"""The colloquial/dialect lexicon: words villagers use, rewritten to the terms the FAQ uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.normalize import normalize
from knowledge.yaml_file import read_yaml


class Lexicon:
    """A single-pass, longest-match-first rewriter from colloquial words to legal terms."""

    def __init__(self, terms: Mapping[str, str]) -> None:
        """Build the rewriter.

        Args:
            terms: Normalised source word to normalised replacement ("" for a filler word).

        """
        self.terms = dict(terms)
        # Longest first, so that 娃娃 is taken before 娃 at the same position.
        words = sorted(self.terms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def rewrite(self, normalized: str) -> str:
        """Replace every lexicon word in an already normalised text by its term."""
        if self._pattern is None:
            return normalized
        rewritten = self._pattern.sub(lambda m: self.terms[m.group(0)] or " ", normalized)
        return " ".join(rewritten.split())


def load_lexicon(files: Iterable[Path]) -> Lexicon:
    """Read lexicon YAML files (``terms:`` mapping, optional ``fillers:`` list) into one lexicon.

    Raises:
        KnowledgeBaseError: A file is malformed, or a word is given two different terms.

    """
    terms: dict[str, str] = {}
    origin: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in sorted(files):
        try:
            data = read_yaml(path) or {}
        except (OSError, yaml.YAMLError) as error:
            problems.append(Problem(path, None, None, f"cannot read: {error}"))
            continue
        if not isinstance(data, dict) or not set(data) <= {"terms", "fillers"}:
            problems.append(Problem(path, None, None, "expected keys `terms` and/or `fillers`"))
            continue
        pairs = _pairs(path, data, problems)
        for word, term in pairs:
            if word in terms and terms[word] != term:
                problems.append(
                    Problem(
                        path, word, "terms", f"also mapped to {terms[word]!r} in {origin[word]}"
                    )
                )
                continue
            terms[word] = term
            origin[word] = path
    if problems:
        raise KnowledgeBaseError(problems)
    return Lexicon(terms)


def _pairs(path: Path, data: dict[str, object], problems: list[Problem]) -> list[tuple[str, str]]:
    raw_terms = data.get("terms") or {}
    raw_fillers = data.get("fillers") or []
    if not isinstance(raw_terms, dict) or not isinstance(raw_fillers, list):
        problems.append(Problem(path, None, None, "`terms` must be a mapping, `fillers` a list"))
        return []
    pairs = [(str(word), str(term)) for word, term in raw_terms.items()]
    pairs += [(str(word), "") for word in raw_fillers]
    result = []
    for word, term in pairs:
        key = normalize(word)
        if not key or " " in key:
            problems.append(Problem(path, word, "terms", "a lexicon word must be one word"))
            continue
        result.append((key, normalize(term)))
    return result
