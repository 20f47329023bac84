"""From an understood message to the reply the bot sends: text plus the choices as buttons."""

from __future__ import annotations

from dataclasses import dataclass

from handlers import callbacks
from handlers.texts import answers as texts
from handlers.texts import questions as question_texts
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.schema import FaqEntry
from knowledge.service import Faq
from knowledge.understanding import Decision, Understanding

# Under an answer: a few related questions, or the villager reads on past what he asked.
MAX_RELATED = 3
UP = "up"
DOWN = "down"


@dataclass(frozen=True)
class Choice:
    """A button: what it says and its callback data (:mod:`handlers.callbacks`)."""

    label: str
    action: str


@dataclass(frozen=True)
class Reply:
    """A message to send: its buttons one per row, then a last row of short ones side by side."""

    text: str
    choices: tuple[Choice, ...] = ()
    row: tuple[Choice, ...] = ()


def reply_to(faq: Faq, result: Understanding) -> Reply:
    """The reply for an understood question: the answer, a choice of candidates, or a hand-over."""
    if not normalize(result.query):
        return Reply(texts.EMPTY_MESSAGE)
    if result.decision is Decision.ANSWER and result.best is not None:
        return answer_reply(faq.base, faq.base.entry(result.best.id))
    if result.decision is Decision.CLARIFY:
        choices = tuple(
            Choice(faq.base.entry(c.id).question, callbacks.SHOW_FAQ + c.id)
            for c in result.candidates
        )
        return Reply(texts.CLARIFY_PROMPT, (*choices, to_staff()))
    return Reply(
        texts.HANDOVER,
        (
            Choice(texts.FILE_TICKET, callbacks.FILE_TICKET),
            Choice(texts.REPHRASE, callbacks.REPHRASE),
        ),
    )


def answer_reply(
    base: KnowledgeBase, entry: FaqEntry, village_code: str | None = None, *, offer: bool = False
) -> Reply:
    """The first reply to a question: the answer, its sources on one line, a short disclaimer.

    Below it, the related questions by their titles, 📖 详细说明 when the entry has details,
    and 👍 / 👎 / 找工作人员 on one row. The contacts the answer names are filled in, a village's
    own where ``village_code`` is one.

    Args:
        base: The FAQ base.
        entry: The entry answered.
        village_code: The villager's village, if known.
        offer: Add a line offering a person, for a message that asks for action.

    """
    text = f"【{entry.question}】\n{entry.answer.strip()}\n\n{_sources(base, entry)}\n"
    text += texts.ANSWER_FOOTER + (f"\n{texts.ACTION_LINE}" if offer else "")
    related = tuple(
        Choice(other.title, callbacks.SHOW_FAQ + other.id)
        for other in base.related_of(entry)
        if other.title
    )[:MAX_RELATED]
    details = (Choice(texts.DETAILS, callbacks.DETAILS + entry.id),) if entry.details else ()
    rating = (
        Choice(question_texts.RATE_UP, f"{callbacks.RATE_FAQ}{entry.id}:{UP}"),
        Choice(question_texts.RATE_DOWN, f"{callbacks.RATE_FAQ}{entry.id}:{DOWN}"),
        to_staff(entry),
    )
    return Reply(base.contacts.fill(text, village_code), (*related, *details), rating)


def details_reply(base: KnowledgeBase, entry: FaqEntry, village_code: str | None = None) -> Reply:
    """📖 详细说明: the entry's details under its question, with the same sources line."""
    details = (entry.details or entry.answer).strip()
    text = f"【{entry.question}】\n{details}\n\n{_sources(base, entry)}"
    return Reply(base.contacts.fill(text, village_code), row=(to_staff(entry),))


def ask_another() -> Choice:
    """💬 问问题: how to ask; it also ends adding to a ticket just handed over."""
    return Choice(question_texts.MENU_ASK, callbacks.ASK)


def to_staff(entry: FaqEntry | None = None) -> Choice:
    """找工作人员: file the villager's question, with the answer he was shown if any."""
    return Choice(texts.ASK_STAFF, callbacks.TO_STAFF + (entry.id if entry else ""))


def _sources(base: KnowledgeBase, entry: FaqEntry) -> str:
    return texts.SOURCES_LABEL + base.sources_of(entry)
