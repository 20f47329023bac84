"""From an understood message to the reply the bot sends: text plus the choices as buttons."""

from __future__ import annotations

from dataclasses import dataclass

from handlers import callbacks
from handlers.texts import answers as texts
from knowledge.normalize import normalize
from knowledge.schema import FaqEntry
from knowledge.service import Faq
from knowledge.understanding import Decision, Understanding


@dataclass(frozen=True)
class Choice:
    """A button: what it says and its callback data (:mod:`handlers.callbacks`)."""

    label: str
    action: str


@dataclass(frozen=True)
class Reply:
    """A message to send, with its buttons in order."""

    text: str
    choices: tuple[Choice, ...] = ()


def reply_to(faq: Faq, result: Understanding) -> Reply:
    """The reply for an understood question: the answer, a choice of candidates, or a hand-over."""
    if not normalize(result.query):
        return Reply(texts.EMPTY_MESSAGE)
    if result.decision is Decision.ANSWER and result.best is not None:
        return answer_reply(faq, faq.base.entry(result.best.id))
    if result.decision is Decision.CLARIFY:
        choices = tuple(
            Choice(faq.base.entry(c.id).question, callbacks.SHOW_FAQ + c.id)
            for c in result.candidates
        )
        return Reply(
            texts.CLARIFY_PROMPT, (*choices, Choice(texts.NONE_OF_THESE, callbacks.HANDOVER))
        )
    return Reply(
        texts.HANDOVER,
        (
            Choice(texts.FILE_TICKET, callbacks.FILE_TICKET),
            Choice(texts.REPHRASE, callbacks.REPHRASE),
        ),
    )


def answer_reply(faq: Faq, entry: FaqEntry, village_code: str | None = None) -> Reply:
    """An FAQ answer with its sources, the related questions and the 'helpful?' buttons.

    The contacts the answer names are filled in, a village's own where ``village_code`` is one.
    """
    sources = "、".join(c.display() for c in entry.citations)
    text = faq.base.contacts.fill(
        f"【{entry.question}】\n\n{entry.answer.strip()}\n\n"
        f"{texts.SOURCES_LABEL}{sources}\n\n{texts.ANSWER_FOOTER}",
        village_code,
    )
    related = tuple(
        Choice(faq.base.entry(other).question, callbacks.SHOW_FAQ + other)
        for other in faq.base.related.get(entry.id, ())
    )
    return Reply(text, related)
