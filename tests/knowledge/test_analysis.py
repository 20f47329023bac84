from hypothesis import given
from hypothesis import strategies as st

from knowledge.analysis import Analyser, question_clause, sounds_of
from knowledge.lexicon import Lexicon

ANALYSER = Analyser(Lexicon({"财礼": "彩礼", "娃娃": "孩子"}))


def test_the_last_asking_clause_is_the_focus_with_the_clause_before_it() -> None:
    story = "我儿子去年订婚，给了女方家二十万，今年女方说不嫁了，我们全家都很生气，彩礼能要回来吗？"
    assert question_clause(story) == "我们全家都很生气，彩礼能要回来吗"
    analysed = ANALYSER.analyse(story)
    assert analysed.focus == "我们全家都很生气 彩礼能要回来吗"


def test_a_story_without_punctuation_is_cut_around_its_last_question_word() -> None:
    story = "我家老汉前年走了留下三间房子大儿子在西宁打工小儿子在家种地现在房子该咋分给谁"
    clause = question_clause(story)
    assert clause is not None
    assert clause.endswith("现在房子该咋分给谁")
    assert len(clause) < len(story)


def test_short_messages_and_stories_that_ask_nothing_have_no_focus() -> None:
    assert ANALYSER.analyse("财礼能退吗").focus is None
    assert question_clause("我们家的事情。说来话长。就是这样。") is None


def test_messages_are_rewritten_into_the_faq_terms() -> None:
    analysed = ANALYSER.analyse("娃娃的財禮，能退嗎？")
    assert analysed.rewritten == "孩子的彩礼 能退吗"
    assert analysed.compact == "孩子的彩礼能退吗"
    assert analysed.length == 8


def test_homophone_typos_sound_the_same() -> None:
    assert sounds_of("离昏 冷净期") == sounds_of("离婚 冷静期")
    assert sounds_of("12348") == ["12348"]
    assert sounds_of("狗") == ["gou"]


@given(st.text())
def test_analysis_never_raises(text: str) -> None:
    analysed = ANALYSER.analyse(text)
    assert analysed.focus is None or analysed.focus != analysed.rewritten
