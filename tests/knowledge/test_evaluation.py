from collections.abc import Callable

import pytest

from knowledge.evaluation import Labelled, evaluate, length_bucket, read_labelled
from knowledge.intents import Intent
from knowledge.understanding import Candidate, Decision, Understanding

DOMAINS = {"a.x": "婚姻", "b.y": "土地"}


def canned(
    results: dict[str, tuple[Decision, tuple[tuple[str, float], ...]]],
) -> Callable[[str], Understanding]:
    def understand(text: str) -> Understanding:
        decision, candidates = results[text]
        return Understanding(
            text, Intent.QUESTION, decision, tuple(Candidate(i, s) for i, s in candidates)
        )

    return understand


def test_answered_wrong_served_and_handed_over_are_told_apart() -> None:
    understand = canned(
        {
            "答对了": (Decision.ANSWER, (("a.x", 0.9),)),
            "答错了": (Decision.ANSWER, (("b.y", 0.8), ("a.x", 0.1))),
            "反问里有": (Decision.CLARIFY, (("b.y", 0.4), ("a.x", 0.3))),
            "反问里没有": (Decision.CLARIFY, (("b.y", 0.4),)),
            "转人工了": (Decision.NONE, (("a.x", 0.01),)),
            "不该答的": (Decision.ANSWER, (("b.y", 0.7),)),
            "没答": (Decision.NONE, ()),
        }
    )
    labelled = [
        Labelled("答对了", "a.x"),
        Labelled("答错了", "a.x"),
        Labelled("反问里有", "a.x"),
        Labelled("反问里没有", "a.x"),
        Labelled("转人工了", "a.x"),
        Labelled("不该答的", "none"),
        Labelled("没答", "none"),
        Labelled("没这个条目", "c.z"),
    ]
    result = evaluate(labelled, understand, DOMAINS)
    overall = result.overall
    assert (overall.total, overall.correct, overall.wrong) == (5, 1, 1)
    assert (overall.served, overall.handed_over, overall.top3) == (2, 1, 4)
    assert result.by_domain["婚姻"] == overall
    assert (result.none.total, result.none.answered) == (2, 1)
    assert [item.expect for item in result.without_entry] == ["c.z"]
    assert [item.q for item, _ in result.misses] == [
        "答错了",
        "反问里有",
        "反问里没有",
        "转人工了",
        "不该答的",
    ]
    assert result.by_length["≤ 10"].total == 5


def test_calibration_error_compares_confidence_with_how_often_it_was_right() -> None:
    understand = canned(
        {
            "一": (Decision.ANSWER, (("a.x", 0.95),)),
            "二": (Decision.ANSWER, (("a.x", 0.95),)),
            "三": (Decision.CLARIFY, (("b.y", 0.25),)),
            "四": (Decision.CLARIFY, (("b.y", 0.25),)),
        }
    )
    perfect = evaluate(
        [Labelled("一", "a.x"), Labelled("二", "a.x")], understand, DOMAINS
    ).calibration.error
    assert perfect == pytest.approx(0.05)
    # 0.25 sure of b.y, right once in two: the gap is 0.25.
    mixed = evaluate([Labelled("三", "b.y"), Labelled("四", "a.x")], understand, DOMAINS)
    assert mixed.calibration.error == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("text", "bucket"),
    [("离婚", "≤ 10"), ("一" * 10, "≤ 10"), ("一" * 11, "11–40"), ("一" * 41, "> 40")],
)
def test_length_buckets(text: str, bucket: str) -> None:
    assert length_bucket(text) == bucket


def test_labelled_lines_are_read_and_bad_ones_named() -> None:
    assert read_labelled(['{"q": "a", "expect": "none"}', ""]) == [Labelled("a", "none")]
    with pytest.raises(ValueError, match="line 2"):
        read_labelled(['{"q": "a", "expect": "none"}', "not json"])
