from pathlib import Path

import pytest

from knowledge.errors import KnowledgeBaseError
from knowledge.lexicon import Lexicon, load_lexicon


def test_longest_word_wins_and_fillers_disappear() -> None:
    lexicon = Lexicon({"娃娃": "孩子", "娃": "小孩", "啊": ""})
    assert lexicon.rewrite("娃娃的娃啊") == "孩子的小孩"


def test_rewriting_is_a_single_pass() -> None:
    lexicon = Lexicon({"财礼": "彩礼", "彩礼": "聘金"})
    assert lexicon.rewrite("财礼") == "彩礼"


def test_an_empty_lexicon_changes_nothing() -> None:
    assert Lexicon({}).rewrite("彩礼 退") == "彩礼 退"


def test_files_are_merged_and_normalised(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("terms:\n  離昏: 离婚\nfillers: [啊]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("terms:\n  宅机地: 宅基地\n", encoding="utf-8")
    lexicon = load_lexicon(tmp_path.glob("*.yaml"))
    assert lexicon.rewrite("离昏啊宅机地") == "离婚 宅基地"


def test_one_word_with_two_terms_is_refused_naming_both_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("terms:\n  娃: 孩子\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("terms:\n  娃: 儿子\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_lexicon(tmp_path.glob("*.yaml"))
    assert "b.yaml" in str(caught.value)
    assert "a.yaml" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    ["terms: [a, b]\n", "words:\n  a: b\n", "terms:\n  两个 词: x\n", "terms: {a: [\n"],
)
def test_malformed_files_are_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"bad\.yaml"):
        load_lexicon([tmp_path / "bad.yaml"])
