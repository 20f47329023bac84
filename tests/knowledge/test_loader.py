import shutil
from pathlib import Path

import pytest

import knowledge
from knowledge.errors import KnowledgeBaseError
from knowledge.loader import load_knowledge_base
from tests.knowledge.faq_files import entry, write_faq


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(folder)
    return [str(p) for p in caught.value.problems]


def test_a_valid_folder_loads_in_order_with_related_links_both_ways(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", related=["b.two"]), entry("a.three"))
    write_faq(tmp_path, "b.yaml", entry("b.two", domain="继承"))
    base = load_knowledge_base(tmp_path)
    assert [e.id for e in base.entries] == ["a.one", "a.three", "b.two"]
    assert base.related["a.one"] == ("b.two",)
    assert base.related["b.two"] == ("a.one",)
    assert base.entry("b.two").domain == "继承"
    assert [e.id for e in base.in_domain("婚姻")] == ["a.one", "a.three"]
    assert "a.one" in base and "x.y" not in base


def test_related_entries_list_their_own_links_first_then_those_made_to_them(
    tmp_path: Path,
) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.early", related=["b.late"]))
    write_faq(tmp_path, "b.yaml", entry("b.late", related=["b.own"]), entry("b.own", domain="继承"))
    base = load_knowledge_base(tmp_path)
    # The loader's links follow file order: the reverse link from a.early comes first there.
    assert base.related["b.late"] == ("a.early", "b.own")
    assert [e.id for e in base.related_of(base.entry("b.late"))] == ["b.own", "a.early"]


def test_sources_read_by_the_registrys_readable_names(tmp_path: Path) -> None:
    sources = ["民法典 1076", "婚姻家庭编解释（一） 69", "民法典 1077"]
    write_faq(tmp_path, "a.yaml", entry("a.one", sources=sources))
    base = load_knowledge_base(tmp_path)
    assert base.sources_of(base.entry("a.one")) == (
        "民法典第1076、1077条；最高法婚姻家庭编解释（一）第69条"
    )


def test_a_readable_name_for_an_unknown_law_is_named(tmp_path: Path) -> None:
    bundled = Path(knowledge.__file__).parent
    data = tmp_path / "data"
    shutil.copytree(bundled / "lexicon", data / "lexicon")
    for name in ("domains.yaml", "contacts.yaml"):
        shutil.copy(bundled / name, data / name)
    (data / "laws.yaml").write_text(
        "laws:\n  民法典: 中华人民共和国民法典\nreadable:\n  民法点: 民法典\n", encoding="utf-8"
    )
    write_faq(tmp_path / "faq", "a.yaml", entry("a.one"))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path / "faq", data)
    assert [str(p) for p in caught.value.problems] == [
        f"{data / 'laws.yaml'}: readable: unknown law '民法点'"
    ]


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one"))
    write_faq(tmp_path, "b.yaml", entry("a.one"))
    [problem] = problems_of(tmp_path)
    assert "b.yaml: entry a.one: id: duplicate: also in" in problem
    assert "a.yaml" in problem


def test_a_missing_answer_names_file_entry_and_field(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", answer=None))
    assert problems_of(tmp_path) == [f"{tmp_path / 'a.yaml'}: entry a.one: answer: missing"]


def test_an_unknown_related_id_is_named(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", related=["a.ghost"]))
    [problem] = problems_of(tmp_path)
    assert problem.endswith("entry a.one: related: unknown entry 'a.ghost'")


def test_a_citation_not_of_the_form_is_named(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", sources=["民法典第1079条"]))
    [problem] = problems_of(tmp_path)
    assert "entry a.one: sources" in problem
    assert "'民法典第1079条' is not of the form" in problem


def test_an_unknown_law_and_domain_are_named(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", sources=["民法点 1079"], domain="天气"))
    found = problems_of(tmp_path)
    assert any("domain: unknown domain '天气'" in p for p in found)
    assert any("sources: unknown law '民法点'" in p for p in found)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write_faq(
        tmp_path,
        "a.yaml",
        entry("a.one", answer=""),
        entry("Bad Id"),
        {"id": "a.two", "unexpected": 1},
    )
    found = "\n".join(problems_of(tmp_path))
    assert "entry a.one: answer" in found
    assert "entry Bad Id: id" in found
    assert "entry a.two: unexpected" in found
    assert "entry a.two: question: missing" in found


def test_self_reference_and_malformed_files(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", related=["a.one"]))
    (tmp_path / "b.yaml").write_text("entries: [\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("- just a list\n", encoding="utf-8")
    found = "\n".join(problems_of(tmp_path))
    assert "related: an entry cannot be related to itself" in found
    assert "b.yaml: cannot read" in found
    assert "c.yaml" in found


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no FAQ files (*.yaml) here"]


def test_near_questions_must_belong_to_another_known_entry(tmp_path: Path) -> None:
    write_faq(
        tmp_path,
        "a.yaml",
        entry("a.one", near=[{"q": "像它但不是它", "belongs_to": "a.one"}]),
        entry("a.two", near=[{"q": "像它但不是它", "belongs_to": "a.ghost"}]),
    )
    problems = problems_of(tmp_path)
    assert any("entry a.one: near: a near question belongs to another entry" in p for p in problems)
    assert any("entry a.two: near: unknown entry 'a.ghost'" in p for p in problems)


def test_near_questions_load_with_the_entry(tmp_path: Path) -> None:
    near = [{"q": "冷静期里能反悔吗", "belongs_to": "a.two"}]
    write_faq(tmp_path, "a.yaml", entry("a.one", near=near), entry("a.two"))
    [question] = load_knowledge_base(tmp_path).entry("a.one").near
    assert (question.q, question.belongs_to) == ("冷静期里能反悔吗", "a.two")


def test_an_answer_naming_an_unknown_contact_fails_with_the_name(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", answer="请到{contact:司法局}问一问，他们会帮您。"))
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'a.yaml'}: entry a.one: answer: unknown contact {{contact:司法局}}"
    ]


def test_details_naming_an_unknown_contact_fail_with_the_name(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one", details="请到{contact:司法局}问一问。"))
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'a.yaml'}: entry a.one: details: unknown contact {{contact:司法局}}"
    ]


def test_the_township_contacts_file_replaces_the_sample(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    faq.mkdir()
    write_faq(faq, "a.yaml", entry("a.one", answer="请到{contact:调解室}问一问，他们会帮您。"))
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(
        "sample: false\ntownship:\n  调解室: {name: 镇调解室, phone: '8888'}\n"
        "village:\n  default:\n    村委会: {name: 村委会}\n",
        encoding="utf-8",
    )
    base = load_knowledge_base(faq, contacts_file=contacts)
    assert not base.contacts.sample
    assert (
        base.contacts.fill(base.entry("a.one").answer)
        == "请到镇调解室（电话 8888）问一问，他们会帮您。"
    )


def test_an_invalid_contacts_file_is_a_knowledge_base_problem(tmp_path: Path) -> None:
    write_faq(tmp_path, "a.yaml", entry("a.one"))
    contacts = tmp_path / "contacts.txt"
    contacts.write_text("sample: maybe\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path, contacts_file=contacts)
    assert all(str(contacts) in str(p) for p in caught.value.problems)
