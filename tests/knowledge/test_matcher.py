import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.lexicon import Lexicon
from knowledge.matcher import Decision, IndexedText, MatchConfig, Matcher
from knowledge.service import Faq

CONFIG = MatchConfig.load()


@pytest.fixture(scope="module")
def faq() -> Faq:
    return Faq.load()


def small_matcher() -> Matcher:
    texts = [
        IndexedText("marriage.gift", "订婚没成彩礼能要回来吗"),
        IndexedText("marriage.gift", "彩礼", is_keyword=True),
        IndexedText("divorce.cooling", "离婚冷静期多长时间"),
        IndexedText("land.homestead", "宅基地怎么申请"),
    ]
    return Matcher(texts, Lexicon({"财礼": "彩礼"}), CONFIG)


def test_an_entry_s_texts_must_be_contiguous() -> None:
    texts = [IndexedText("a.x", "甲"), IndexedText("b.y", "乙"), IndexedText("a.x", "丙")]
    with pytest.raises(ValueError, match=r"a\.x"):
        Matcher(texts, Lexicon({}), CONFIG)


def test_the_canonical_question_is_answered() -> None:
    result = small_matcher().match("订婚没成彩礼能要回来吗")
    assert result.decision is Decision.ANSWER
    assert result.best is not None and result.best.id == "marriage.gift"


def test_candidates_are_ordered_and_at_most_three() -> None:
    result = small_matcher().match("彩礼 离婚 宅基地 冷静期")
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len(result.candidates) == 3


def test_lexicon_and_homophones_reach_the_right_entry() -> None:
    matcher = small_matcher()
    for typo in ("订婚没成财礼能要回来吗", "离昏冷净期多长时间"):
        result = matcher.match(typo)
        assert result.decision is Decision.ANSWER, typo
    assert matcher.match("宅机地咋申请").best.id == "land.homestead"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "12345",
        "１２３４５",
        "😀😀😀",
        "\x00\x01\x02",
        "hello world",
        "彩" * 100_000,
        "mixed 彩礼 العربية русский 😀 \u200b",
    ],
)
def test_bad_input_gets_a_decision_never_an_exception(faq: Faq, text: str) -> None:
    result = faq.match(text)
    assert result.decision in set(Decision)
    assert result.query == text


@pytest.mark.parametrize("text", ["", "  ", "98765", "3000", "😀😀", "hello", "0000 1111"])
def test_nothing_to_go_on_hands_over(faq: Faq, text: str) -> None:
    assert faq.match(text).decision is Decision.NONE


@pytest.mark.parametrize(
    "text", ["离婚", "彩礼", "宅基地", "钱包丢了", "我家的牛丢了怎么办", "手机丢了怎么办"]
)
def test_one_word_in_common_is_not_enough_to_answer(faq: Faq, text: str) -> None:
    assert faq.match(text).decision is not Decision.ANSWER


def test_a_keyword_answers_even_a_short_message(faq: Faq) -> None:
    result = faq.match("家暴")
    assert result.decision is Decision.ANSWER
    assert result.best is not None and result.best.id == "family.domestic_violence"


def test_a_word_in_a_long_unrelated_story_does_not_win(faq: Faq) -> None:
    story = (
        "我哥哥前几年离婚了，一直一个人住在老房子里，身体也不好，地也种不动了，"
        "家里没有别的收入，村里说可以申请低保，想问问低保要准备什么材料，去哪里交"
    )
    assert faq.match(story).decision is not Decision.ANSWER


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_well_formed_result(text: str) -> None:
    result = small_matcher().match(text)
    assert len(result.candidates) <= 3
    assert all(c.score > 0 for c in result.candidates)
    if result.decision is not Decision.NONE:
        assert result.best is not None
