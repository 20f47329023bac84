import pytest

from knowledge.normalize import MAX_CHARS, normalize, syllable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("離婚財產怎麼分", "离婚财产怎么分"),
        ("ＡＢＣ　１２３彩礼", "abc 123 彩礼"),
        ("彩礼！！！能退吗？？", "彩礼 能退吗"),
        ("  彩礼\n\t退  ", "彩礼 退"),
        ("彩礼😀😀退", "彩礼 退"),
        ("欠了3000元", "欠了 3000 元"),
        ("\x00\x07彩礼\x1b", "彩礼"),
        ("", ""),
        ("🙏🙏", ""),
    ],
)
def test_normalize_folds_what_does_not_change_the_meaning(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_an_overlong_text_keeps_its_end_where_the_question_is() -> None:
    story = "很长的故事" * 1000 + "彩礼能退吗"
    folded = normalize(story)
    assert len(folded) <= MAX_CHARS
    assert folded.endswith("彩礼能退吗")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("婚", "昏"),
        ("静", "净"),
        ("居", "局"),
        ("罂", "英"),
        ("赔", "陪"),
        ("市", "四"),
        ("承", "曾"),
    ],
)
def test_homophones_and_confusable_sounds_share_a_syllable(a: str, b: str) -> None:
    assert syllable(a) == syllable(b)


def test_different_sounds_stay_apart() -> None:
    assert syllable("婚") != syllable("分")


def test_a_character_without_a_reading_is_its_own_syllable() -> None:
    assert syllable("a") == "a"
