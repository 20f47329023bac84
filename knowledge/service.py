"""The FAQ as one object: the validated base and the understanding step over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.analysis import Analyser
from knowledge.intents import bundled_classifier
from knowledge.loader import BUNDLED_FAQ, KnowledgeBase, load_knowledge_base
from knowledge.model import Corpus, load_or_train, texts_of
from knowledge.understanding import Understander, Understanding, UnderstandingConfig


@dataclass(frozen=True)
class Faq:
    """The FAQ base and its understanding step, built once and shared by every handler.

    Understanding is not safe from two threads at once (it reuses a scratch vector); the bot
    understands messages on its one event-loop thread.
    """

    base: KnowledgeBase
    understander: Understander

    @classmethod
    def load(
        cls,
        faq_dir: Path | None = None,
        config: UnderstandingConfig | None = None,
        cache_dir: Path | None = None,
        contacts_file: Path | None = None,
    ) -> Faq:
        """Load an FAQ folder (the bundled one by default) and the model that understands it.

        Args:
            faq_dir: The FAQ folder.
            config: Decision thresholds; ``understanding.yaml``'s by default.
            cache_dir: Where the trained model is kept between starts; without it, the model is
                trained once per process.
            contacts_file: The township's contacts that answers name; the bundled sample by
                default.

        Raises:
            KnowledgeBaseError: The FAQ files are invalid.

        """
        base = load_knowledge_base(faq_dir or BUNDLED_FAQ, contacts_file=contacts_file)
        return cls.from_base(base, config, cache_dir)

    @classmethod
    def from_base(
        cls,
        base: KnowledgeBase,
        config: UnderstandingConfig | None = None,
        cache_dir: Path | None = None,
    ) -> Faq:
        """Prepare the model that understands an already loaded base (see :meth:`load`)."""
        analyser = Analyser(base.lexicon)
        model = load_or_train(texts_of(base.entries), analyser, Corpus.bundled(), cache_dir)
        understander = Understander(
            analyser, bundled_classifier(), model, config or UnderstandingConfig.load()
        )
        return cls(base, understander)

    def understand(self, text: str) -> Understanding:
        """Understand a villager's message."""
        return self.understander.understand(text)
