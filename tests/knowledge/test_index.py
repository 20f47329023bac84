import numpy as np
import pytest

from knowledge.analysis import Analyser
from knowledge.index import FEATURES, Index, IndexedText
from knowledge.lexicon import Lexicon

ANALYSER = Analyser(Lexicon({"财礼": "彩礼"}))
TEXTS = [
    IndexedText("marriage.gift", "订婚没成彩礼能要回来吗"),
    IndexedText("marriage.gift", "女方悔婚了彩礼退不退"),
    IndexedText("marriage.gift", "退彩礼", is_keyword=True),
    IndexedText("marriage.high_gift", "女方家要高价彩礼合法吗"),
    IndexedText("marriage.high_gift", "彩礼要三十万不给就不嫁"),
    IndexedText("marriage.high_gift", "彩礼太高了不给就不让结婚犯法吗", near_of="marriage.gift"),
    IndexedText("divorce.cooling", "离婚冷静期多长时间"),
    IndexedText("divorce.cooling", "冷静期里能反悔吗"),
    IndexedText("land.homestead", "宅基地怎么申请"),
    IndexedText("land.homestead", "盖新房要批宅基地找谁"),
]


def index_of(texts: list[IndexedText]) -> Index:
    return Index(texts, [ANALYSER.rewrite(t.text) for t in texts])


@pytest.fixture(scope="module")
def index() -> Index:
    return index_of(TEXTS)


def features_of(
    index: Index, text: str, leave_out: int | None = None
) -> dict[str, dict[str, float]]:
    message = ANALYSER.analyse(text)
    found = index.shortlist(message, index.vectors(message), leave_out)
    return {
        index.entry_ids[e]: dict(zip(FEATURES, row, strict=True))
        for e, row in zip(found.entries, found.features, strict=True)
    }


def test_the_entry_a_message_means_matches_best(index: Index) -> None:
    found = features_of(index, "订婚没成，财礼还能要回来吗")
    assert set(found) >= {"marriage.gift", "marriage.high_gift"}
    gift = found["marriage.gift"]
    assert gift["text_best"] == max(f["text_best"] for f in found.values())
    assert gift["text_gap"] == 0.0
    assert found["marriage.high_gift"]["text_gap"] < 0


def test_homophone_typos_match_by_sound(index: Index) -> None:
    found = features_of(index, "离昏冷净期多长时间")
    assert max(found, key=lambda e: found[e]["sound_best"]) == "divorce.cooling"
    assert found["divorce.cooling"]["sound_best"] > found["divorce.cooling"]["text_best"]


def test_keywords_are_hits_not_texts(index: Index) -> None:
    found = features_of(index, "我想退彩礼")["marriage.gift"]
    assert found["keyword_hit"] == 1.0
    assert found["keyword_cosine"] > 0


def test_a_near_question_teaches_its_own_entry_and_warns_the_other(index: Index) -> None:
    found = features_of(index, "彩礼太高了不给就不让结婚犯法吗")
    high = found["marriage.high_gift"]
    assert high["text_best"] > 0.99
    assert found["marriage.gift"]["near_best"] > 0.99
    assert found["marriage.gift"]["near_gap"] > 0


def test_a_text_left_out_counts_as_if_it_were_not_there(index: Index) -> None:
    text = "订婚没成彩礼能要回来吗"
    kept = features_of(index, text)["marriage.gift"]
    left = features_of(index, text, leave_out=0)["marriage.gift"]
    assert kept["text_best"] > 0.99
    assert left["text_best"] < kept["text_best"]
    assert left["entry"] < kept["entry"]
    assert left["coverage"] <= kept["coverage"]
    without = index_of(TEXTS[1:])
    rebuilt = features_of(without, text)["marriage.gift"]
    assert left["text_best"] == pytest.approx(rebuilt["text_best"], abs=0.15)


def test_length_flags(index: Index) -> None:
    short = next(iter(features_of(index, "宅基地").values()))
    assert short["short"] == 1.0 and short["long"] == 0.0
    story = (
        "我家有三个儿子，老大在西宁打工，老二在家种地，"
        + "现在老二要盖新房，宅基地到底该怎么申请，村上说要等，到底找谁批？"
    )
    long = next(iter(features_of(index, story).values()))
    assert long["short"] == 0.0 and long["long"] == 1.0


def test_an_entry_s_texts_must_be_contiguous_and_near_questions_name_an_entry() -> None:
    with pytest.raises(ValueError, match=r"a\.x"):
        index_of([IndexedText("a.x", "甲"), IndexedText("b.y", "乙"), IndexedText("a.x", "丙")])
    with pytest.raises(ValueError, match=r"c\.z"):
        index_of([IndexedText("a.x", "甲"), IndexedText("a.x", "乙", near_of="c.z")])


def test_entry_cosines_are_cosines_with_the_sum_of_the_texts(index: Index) -> None:
    message = ANALYSER.analyse("离婚冷静期多长时间")
    vectors = index.vectors(message)
    entry = index.entry_ids.index("divorce.cooling")
    start, end = index.entry_start[entry], index.entry_start[entry + 1]
    total = np.asarray(index.chars.rows[start:end].sum(axis=0)).ravel()
    query = vectors.chars.toarray().ravel()
    expected = query @ total / np.linalg.norm(total)
    found = index.shortlist(message, vectors)
    row = list(found.entries).index(entry)
    assert found.features[row, FEATURES.index("entry")] == pytest.approx(expected, rel=1e-4)
    assert np.all(found.features[:, FEATURES.index("entry")] <= 1 + 1e-6)
