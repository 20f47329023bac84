from pathlib import Path

import pytest

from knowledge import model as model_module
from knowledge.analysis import Analyser
from knowledge.index import IndexedText
from knowledge.lexicon import Lexicon
from knowledge.loader import load_knowledge_base
from knowledge.model import Corpus, fingerprint, load_or_train, texts_of
from tests.knowledge.faq_files import entry, write_faq

ANALYSER = Analyser(Lexicon({}))
TEXTS = [
    IndexedText("a.gift", "订婚没成彩礼能要回来吗"),
    IndexedText("a.gift", "女方悔婚彩礼退不退"),
    IndexedText("a.gift", "彩礼钱能要回来吗"),
    IndexedText("b.cooling", "离婚冷静期多长时间"),
    IndexedText("b.cooling", "冷静期里能反悔吗"),
    IndexedText("b.cooling", "离婚要等多久"),
]
CORPUS = Corpus(
    ("今天天气怎么样", "低保怎么申请", "身份证丢了咋补办", "你是谁", "羊病了咋办", "班车几点到"),
    ("请派人来", "谢谢"),
)


@pytest.fixture(autouse=True)
def no_models_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "_trained", {})


def test_near_questions_are_texts_of_the_entry_they_belong_to(tmp_path: Path) -> None:
    near = [{"q": "冷静期里能反悔吗", "belongs_to": "a.two"}]
    write_faq(tmp_path, "a.yaml", entry("a.one", near=near, keywords=["彩礼"]), entry("a.two"))
    texts = texts_of(load_knowledge_base(tmp_path).entries)
    assert [(t.entry_id, t.text, t.is_keyword, t.near_of) for t in texts] == [
        ("a.one", "a.one 的问题？", False, None),
        ("a.one", "另一种问法", False, None),
        ("a.one", "彩礼", True, None),
        ("a.two", "a.two 的问题？", False, None),
        ("a.two", "另一种问法", False, None),
        ("a.two", "冷静期里能反悔吗", False, "a.one"),
    ]


def test_the_fingerprint_changes_with_anything_learned_from() -> None:
    first = fingerprint(TEXTS, ANALYSER, CORPUS)
    assert fingerprint(list(TEXTS), ANALYSER, Corpus(*CORPUS.__dict__.values())) == first
    assert fingerprint([*TEXTS, IndexedText("a.gift", "彩礼退吗")], ANALYSER, CORPUS) != first
    more = Corpus((*CORPUS.out_of_scope, "几点了"), CORPUS.neutral)
    assert fingerprint(TEXTS, ANALYSER, more) != first
    assert fingerprint(TEXTS, ANALYSER, Corpus(CORPUS.out_of_scope, ("在线等",))) != first
    assert fingerprint(TEXTS, Analyser(Lexicon({"财礼": "彩礼"})), CORPUS) != first


def test_a_trained_model_is_cached_and_read_back(tmp_path: Path) -> None:
    trained = load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path)
    [cached] = tmp_path.glob("understanding-*.pickle")
    assert load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path) is trained
    model_module._trained.clear()
    read = load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path)
    assert read is not trained
    assert (read.ranker.weights == trained.ranker.weights).all()
    assert read.trained_seconds == trained.trained_seconds
    assert list(tmp_path.glob("understanding-*.pickle")) == [cached]


def test_a_model_first_trained_without_a_folder_is_written_to_one_asked_for_later(
    tmp_path: Path,
) -> None:
    trained = load_or_train(TEXTS, ANALYSER, CORPUS)
    assert load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path) is trained
    assert len(list(tmp_path.glob("understanding-*.pickle"))) == 1


def test_an_unreadable_cache_is_trained_again_and_replaced(tmp_path: Path) -> None:
    load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path)
    [cached] = tmp_path.glob("understanding-*.pickle")
    for damage in (b"not a model", cached.read_bytes()[:100], b"\x80\x05\x95garbage"):
        cached.write_bytes(damage)
        model_module._trained.clear()
        model = load_or_train(TEXTS, ANALYSER, CORPUS, tmp_path)
        assert model.index.size == len(TEXTS)
        assert cached.read_bytes() != damage


def test_an_unwritable_cache_folder_still_gives_a_model(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    model = load_or_train(TEXTS, ANALYSER, CORPUS, blocker / "models")
    assert model.index.size == len(TEXTS)


def test_the_bundled_corpus_is_read_without_comments_or_blanks() -> None:
    corpus = Corpus.bundled()
    assert len(corpus.out_of_scope) >= 1500
    assert "需要什么材料" in corpus.neutral
    for line in (*corpus.out_of_scope, *corpus.neutral):
        assert line.strip() == line and line and not line.startswith("#")
