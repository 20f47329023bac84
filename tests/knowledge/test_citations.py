import pytest

from knowledge.citations import Citation, check_citations


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


def test_display_reads_as_a_villager_would() -> None:
    assert Citation("民法典", 1079).display() == "《民法典》第1079条"
    assert Citation("信访工作条例", None).display() == "《信访工作条例》"


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
