import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.intents import Intent
from knowledge.service import Faq
from knowledge.understanding import Decision, Ranking, UnderstandingConfig, decide

CONFIG = UnderstandingConfig(
    answer_threshold=0.6,
    answer_margin=0.3,
    clarify_threshold=0.05,
    scope_threshold=0.5,
    offer_threshold=0.25,
)


@pytest.fixture(scope="module")
def faq() -> Faq:
    return Faq.load()


def ranking(confidence: float, in_scope: float, *likely: tuple[str, float]) -> Ranking:
    return Ranking("问题", Intent.QUESTION, in_scope, likely, confidence)


def test_a_likely_entry_clearly_ahead_is_answered() -> None:
    result = decide(ranking(0.9, 0.95, ("a.x", 0.9), ("b.y", 0.05)), CONFIG)
    assert result.decision is Decision.ANSWER
    assert [c.id for c in result.candidates] == ["a.x", "b.y"]
    assert result.candidates[0].score == 0.9
    assert result.candidates[1].score == pytest.approx(0.05)


def test_two_close_entries_are_asked_back_with_the_plausible_ones_only() -> None:
    result = decide(ranking(0.5, 0.9, ("a.x", 0.5), ("b.y", 0.4), ("c.z", 0.01)), CONFIG)
    assert result.decision is Decision.CLARIFY
    assert [c.id for c in result.candidates] == ["a.x", "b.y"]


def test_a_sure_entry_not_far_enough_ahead_is_asked_back() -> None:
    result = decide(ranking(0.8, 0.9, ("a.x", 0.8), ("b.y", 0.6)), CONFIG)
    assert result.decision is Decision.CLARIFY


def test_out_of_scope_or_implausible_is_handed_over() -> None:
    assert decide(ranking(0.2, 0.1, ("a.x", 0.3)), CONFIG).decision is Decision.NONE
    assert decide(ranking(0.04, 0.9, ("a.x", 0.04)), CONFIG).decision is Decision.NONE
    empty = decide(Ranking("你好", Intent.GREETING), CONFIG)
    assert empty.decision is Decision.NONE
    assert empty.candidates == ()
    assert empty.kind is Intent.GREETING


def test_either_model_finding_it_plausible_is_enough_to_ask_back() -> None:
    # The scope model alone may be put off by "请派人来"; the gate has seen the ranker is sure.
    result = decide(ranking(0.55, 0.1, ("a.x", 0.9), ("b.y", 0.7)), CONFIG)
    assert result.decision is Decision.CLARIFY


def test_every_canonical_question_finds_its_entry(faq: Faq) -> None:
    answered = 0
    for entry in faq.base.entries:
        result = faq.understand(entry.question)
        assert result.best is not None and result.best.id == entry.id, entry.question
        answered += result.decision is Decision.ANSWER
    assert answered >= 0.9 * len(faq.base.entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("离昏冷净期多长时间", "divorce.cooling_off"),
        ("订婚没成 财礼能要回来不", "marriage.betrothal_gift_return"),
        ("十七岁能结婚吗", "marriage.legal_age"),
    ],
)
def test_typos_and_plain_questions_are_answered(faq: Faq, text: str, expected: str) -> None:
    result = faq.understand(text)
    assert result.decision is Decision.ANSWER, result
    assert result.best is not None and result.best.id == expected


def test_a_word_alone_is_asked_back(faq: Faq) -> None:
    result = faq.understand("离婚")
    assert result.decision is Decision.CLARIFY
    assert len(result.candidates) >= 2
    assert all(c.id.startswith("divorce.") for c in result.candidates)


def test_a_long_story_is_not_handed_over(faq: Faq) -> None:
    story = (
        "我是大通的，今年六十三了，老伴走了五年。我有两个儿子一个丫头，大儿子在西宁开出租，"
        "二儿子在格尔木打工，丫头嫁到互助。前年我摔了一跤腿不利索，三个娃娃谁都不回来看，"
        "一分钱也不给，我一个人靠种两亩地过日子，他们不养我，我能去告他们要生活费吗"
    )
    result = faq.understand(story)
    assert result.decision is not Decision.NONE
    assert "family.elder_support" in [c.id for c in result.candidates]


@pytest.mark.parametrize("text", ["身份证丢了，补办要去哪儿", "明天上新庄下雨不", "青稞啥时候下种"])
def test_what_no_entry_answers_is_not_answered(faq: Faq, text: str) -> None:
    assert faq.understand(text).decision is not Decision.ANSWER


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("你好", Intent.GREETING),
        ("转人工", Intent.ASKS_FOR_PERSON),
        ("我登记的事办到哪一步了", Intent.ABOUT_TICKET),
    ],
)
def test_messages_that_are_not_questions_are_never_answered(
    faq: Faq, text: str, kind: Intent
) -> None:
    result = faq.understand(text)
    assert result.kind is kind
    assert result.decision is Decision.NONE


def test_small_talk_is_not_matched_but_a_report_s_topic_is_told(faq: Faq) -> None:
    assert faq.understand("谢谢你").candidates == ()
    result = faq.understand("我上次登记的邻居占我家宅基地的事，到现在没人回")
    assert result.kind is Intent.ABOUT_TICKET
    assert result.decision is Decision.NONE
    assert result.best is not None and result.best.id.startswith(("neighbor.", "land."))


def test_a_request_for_action_is_still_understood(faq: Faq) -> None:
    result = faq.understand("工资到现在还没发，请派人来")
    assert result.kind is Intent.ACTION_REQUEST
    assert result.best is not None and result.best.id == "labor.wage_arrears"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_understanding_never_raises_and_scores_are_probabilities(faq: Faq, text: str) -> None:
    result = faq.understand(text)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert 0.0 <= result.in_scope <= 1.0
    assert len(scores) <= 3
