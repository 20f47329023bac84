from pathlib import Path

import pytest

from knowledge.citations import Citation, check_citations, read_statutes


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
    "text", ["民法典第1079条", "民法典  1079", "1079", "民法典 0", "民法典 10a", "", "民法典 1079 1080"]
)
def test_other_forms_are_refused(text: str) -> None:
    assert Citation.parse(text) is None


def test_display_reads_as_a_villager_would() -> None:
    assert Citation("民法典", 1079).display() == "《民法典》第1079条"
    assert Citation("信访工作条例", None).display() == "《信访工作条例》"


STATUTE = """# 中华人民共和国测试法

2020年1月1日 通过

<!-- INFO END -->

## 第一章 总则

第一条 本法……

第十条 第二十条的规定……

（一）不是条文

第一百零五条 最后一条。
"""


def test_statute_texts_are_read_into_article_numbers(tmp_path: Path) -> None:
    (tmp_path / "law.md").write_text(STATUTE, encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n\nno marker here\n", encoding="utf-8")
    assert read_statutes(tmp_path) == {"中华人民共和国测试法": frozenset({1, 10, 105})}


def test_a_law_split_over_files_is_merged(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 法\n<!-- INFO END -->\n第一条 甲\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# 法\n<!-- INFO END -->\n第二条 乙\n", encoding="utf-8")
    assert read_statutes(tmp_path) == {"法": frozenset({1, 2})}


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


def test_the_civil_code_in_shared_laws_has_all_its_articles(shared: Path) -> None:
    statutes = read_statutes(shared / "laws")
    assert statutes["中华人民共和国民法典"] == frozenset(range(1, 1261))
