"""The first reply to a question, for every entry of the bundled FAQ and for made-up ones."""

from pathlib import Path

import pytest

from handlers import callbacks
from handlers.replies import MAX_RELATED, Reply, answer_reply, details_reply
from handlers.texts import answers
from handlers.texts import questions as question_texts
from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.schema import FaqEntry
from tests.knowledge.faq_files import entry, write_faq

BUNDLED = load_knowledge_base()
# What a villager reads before the sources: the question in brackets and the answer.
MAX_FIRST_READ = 300
MAX_TITLE = 8
RATING_ROW = (question_texts.RATE_UP, question_texts.RATE_DOWN, answers.ASK_STAFF)


def first_read(reply: Reply) -> str:
    return reply.text[: reply.text.index("\n\n" + answers.SOURCES_LABEL)]


def related_buttons(reply: Reply) -> list[str]:
    return [c.action for c in reply.choices if c.action.startswith(callbacks.SHOW_FAQ)]


@pytest.mark.parametrize("shown", BUNDLED.entries, ids=lambda e: e.id)
def test_every_first_reply_is_laid_out_alike(shown: FaqEntry) -> None:
    reply = answer_reply(BUNDLED, shown)
    assert reply.text.startswith(f"【{shown.question}】\n")
    [sources] = [line for line in reply.text.splitlines() if line.startswith("依据：")]
    assert sources == answers.SOURCES_LABEL + BUNDLED.sources_of(shown)
    assert "《" not in sources
    assert len(related_buttons(reply)) <= MAX_RELATED
    assert tuple(c.label for c in reply.row) == RATING_ROW
    assert reply.row[-1].action == callbacks.TO_STAFF + shown.id
    assert "{contact:" not in reply.text


@pytest.mark.parametrize("shown", BUNDLED.entries, ids=lambda e: e.id)
def test_every_first_reply_is_short_titled_and_says_nin(shown: FaqEntry) -> None:
    """Fails for entries still waiting for their short answer, title and 您 (issue 16)."""
    reply = answer_reply(BUNDLED, shown)
    assert len(first_read(reply)) <= MAX_FIRST_READ
    assert shown.title is not None
    assert len(shown.title) <= MAX_TITLE
    assert "你" not in shown.answer
    assert "你" not in (shown.details or "")


def test_the_disclaimer_is_one_short_line_saying_nin() -> None:
    assert "\n" not in answers.ANSWER_FOOTER
    assert len(answers.ANSWER_FOOTER) <= 60
    assert "您" in answers.ANSWER_FOOTER


@pytest.fixture
def base(tmp_path: Path) -> KnowledgeBase:
    """Five linked entries: a.main relates to three, and two more relate to it."""
    write_faq(
        tmp_path,
        "a.yaml",
        entry("a.before", title="先来的", related=["a.main"]),
        entry(
            "a.main",
            title="主要的",
            related=["a.one", "a.two", "a.untitled"],
            answer="先说规矩，再说怎么办。请找{contact:司法所}。",
            details="更多的情况和步骤。",
            sources=["民法典 1079", "彩礼规定 5", "民法典 1080"],
        ),
        entry("a.one", title="第一个"),
        entry("a.two", title="第二个"),
        entry("a.untitled"),
        entry("a.after", title="后来的", related=["a.main"]),
    )
    return load_knowledge_base(tmp_path)


def test_the_first_reply_reads_answer_sources_and_disclaimer(base: KnowledgeBase) -> None:
    reply = answer_reply(base, base.entry("a.main"))
    lines = reply.text.split("\n")
    assert lines[0] == "【a.main 的问题？】"
    assert lines[1].startswith("先说规矩，再说怎么办。请找")
    assert lines[2] == ""
    assert lines[3] == "依据：民法典第1079、1080条；最高法彩礼规定第5条"
    assert lines[4].startswith("以上是一般法律知识")
    assert len(lines) == 5
    assert answers.ACTION_LINE not in reply.text


def test_related_questions_are_titled_own_links_first_and_at_most_three(
    base: KnowledgeBase,
) -> None:
    reply = answer_reply(base, base.entry("a.main"))
    related = [(c.label, c.action) for c in reply.choices[:-1]]
    # a.untitled has no title, so no button; a.after is the fourth and is cut.
    assert related == [
        ("第一个", callbacks.SHOW_FAQ + "a.one"),
        ("第二个", callbacks.SHOW_FAQ + "a.two"),
        ("先来的", callbacks.SHOW_FAQ + "a.before"),
    ]
    assert [c.action for c in reply.row] == [
        "rate:a.main:up",
        "rate:a.main:down",
        callbacks.TO_STAFF + "a.main",
    ]


def test_details_are_one_press_away_only_where_there_are_details(base: KnowledgeBase) -> None:
    reply = answer_reply(base, base.entry("a.main"))
    assert reply.choices[-1].label == answers.DETAILS
    assert reply.choices[-1].action == callbacks.DETAILS + "a.main"
    plain = answer_reply(base, base.entry("a.one"))
    assert answers.DETAILS not in [c.label for c in plain.choices]


def test_details_show_with_the_same_sources_and_a_way_to_a_person(base: KnowledgeBase) -> None:
    shown = base.entry("a.main")
    details = details_reply(base, shown)
    assert details.text == (
        "【a.main 的问题？】\n更多的情况和步骤。\n\n依据：民法典第1079、1080条；最高法彩礼规定第5条"
    )
    assert [(c.label, c.action) for c in details.row] == [
        (answers.ASK_STAFF, callbacks.TO_STAFF + "a.main")
    ]


def test_a_message_asking_for_action_gets_one_offer_line_in_the_answer(
    base: KnowledgeBase,
) -> None:
    reply = answer_reply(base, base.entry("a.main"), offer=True)
    assert reply.text.endswith("\n" + answers.ACTION_LINE)
    assert reply.row[-1].label == answers.ASK_STAFF
