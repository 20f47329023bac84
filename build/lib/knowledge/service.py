"""The FAQ as one object: the validated base and a matcher over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loader import BUNDLED_FAQ, KnowledgeBase, load_knowledge_base
from knowledge.matcher import MatchConfig, Matcher, MatchResult


@dataclass(frozen=True)
class Faq:
    """The FAQ base and its matcher, built once at start-up and shared by every handler."""

    base: KnowledgeBase
    matcher: Matcher

    @classmethod
    def load(cls, faq_dir: Path | None = None, config: MatchConfig | None = None) -> Faq:
        """Load and index an FAQ folder (the bundled one by default).

        Raises:
            KnowledgeBaseError: The FAQ files are invalid.

        """
        base = load_knowledge_base(faq_dir or BUNDLED_FAQ)
        matcher = Matcher.from_entries(base.entries, base.lexicon, config or MatchConfig.load())
        return cls(base, matcher)

    def match(self, text: str) -> MatchResult:
        """Match a message against the FAQ."""
        return self.matcher.match(text)
