"""Building the services the commands and the bot share, from the settings."""

from __future__ import annotations

from bot.settings import Settings
from knowledge.matcher import MatchConfig
from knowledge.service import Faq


def load_faq(settings: Settings) -> Faq:
    """Load the FAQ named by the settings, with any threshold the settings override.

    Raises:
        KnowledgeBaseError: The FAQ files are invalid.

    """
    config = MatchConfig.load()
    overrides = {
        "answer_threshold": settings.answer_threshold,
        "clarify_threshold": settings.clarify_threshold,
    }
    config = config.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    return Faq.load(settings.faq_dir, config)
