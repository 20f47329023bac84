from pathlib import Path

from knowledge.statutes import read_articles, read_statutes

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


def test_the_civil_code_in_shared_laws_has_all_its_articles(shared: Path) -> None:
    statutes = read_statutes(shared / "laws")
    assert statutes["中华人民共和国民法典"] == frozenset(range(1, 1261))


def test_statute_texts_are_read_into_article_texts_without_headings(tmp_path: Path) -> None:
    (tmp_path / "law.md").write_text(STATUTE, encoding="utf-8")
    [articles] = read_articles(tmp_path).values()
    assert articles == {
        1: "本法……",
        10: "第二十条的规定……\n（一）不是条文",
        105: "最后一条。",
    }
