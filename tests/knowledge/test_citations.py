from pathlib import Path

import pytest

import knowledge
from knowledge.citations import (
    Citation,
    check_citations,
    load_law_names,
    load_readable_names,
    sources_line,
)

REGISTRY = """
laws:
  民法典: 中华人民共和国民法典
  彩礼规定: 最高人民法院关于彩礼的规定
readable:
  彩礼规定: 最高法彩礼规定
"""


@pytest.mark.parametrize(
    ("text", "law", "article"),
    [
        ("民法典 1079", "民法典", 1079),
        ("婚姻家庭编解释（一） 5", "婚姻家庭编解释（一）", 5),
        ("信访工作条例", "信访工作条例", None),
    ],
)
def test_citations_of_the_documented_form_parse(text: str, law: str, article: int | None) -> None:
    citation = Citation.parse(text)
    assert citation == Citation(law, article)
    assert str(citation) == text


@pytest.mark.parametrize(
    "text",
    ["民法典第1079条", "民法典  1079", "1079", "民法典 0", "民法典 10a", "", "民法典 1079 1080"],
)
def test_other_forms_are_refused(text: str) -> None:
    assert Citation.parse(text) is None


def test_the_sources_line_groups_each_laws_articles_under_its_readable_name() -> None:
    cited = [
        Citation("民法典", 1076),
        Citation("婚姻家庭编解释（一）", 69),
        Citation("民法典", 1077),
        Citation("民法典", 1076),
    ]
    readable = {"婚姻家庭编解释（一）": "最高法婚姻家庭编解释（一）"}
    assert sources_line(cited, readable) == "民法典第1076、1077条；最高法婚姻家庭编解释（一）第69条"


def test_a_law_cited_without_an_article_is_named_alone() -> None:
    assert sources_line([Citation("信访工作条例", None)], {}) == "信访工作条例"
    cited = [Citation("民法典", None), Citation("民法典", 1079)]
    assert sources_line(cited, {}) == "民法典第1079条"


def test_the_registry_gives_titles_and_the_names_villagers_read(tmp_path: Path) -> None:
    laws = tmp_path / "laws.yaml"
    laws.write_text(REGISTRY, encoding="utf-8")
    assert load_law_names(laws)["彩礼规定"] == "最高人民法院关于彩礼的规定"
    assert load_readable_names(laws) == {"彩礼规定": "最高法彩礼规定"}
    laws.write_text("laws:\n  民法典: 中华人民共和国民法典\n", encoding="utf-8")
    assert load_readable_names(laws) == {}


def test_the_bundled_registry_names_the_supreme_courts_rules_readably() -> None:
    laws = Path(knowledge.__file__).parent / "laws.yaml"
    readable = load_readable_names(laws)
    assert readable["彩礼规定"] == "最高法彩礼规定"
    assert readable["婚姻家庭编解释（一）"] == "最高法婚姻家庭编解释（一）"
    assert set(readable) <= set(load_law_names(laws))


def test_check_sorts_missing_and_unchecked_citations() -> None:
    names = {"测试法": "中华人民共和国测试法", "别的法": "中华人民共和国别的法"}
    statutes = {"中华人民共和国测试法": frozenset({1, 10})}
    cited = [
        ("a", Citation("测试法", 10)),
        ("b", Citation("测试法", 11)),
        ("c", Citation("测试法", None)),
        ("d", Citation("别的法", 3)),
    ]
    check = check_citations(cited, names, statutes)
    assert check.missing == (("b", Citation("测试法", 11)),)
    assert check.unchecked == (("d", Citation("别的法", 3)),)
