from pathlib import Path

import pytest

from tests.bot.commands.conftest import Run
from tests.knowledge.faq_files import entry, write_faq


def test_the_bundled_base_passes_against_the_statutes(run_cli: Run, shared: Path) -> None:
    status, out, _ = run_cli("check-kb", "--laws", str(shared / "laws"))
    assert status == 0, out
    assert "valid" in out
    assert "普法 calendar: 7 days, 6 topics: valid" in out
    assert "citations checked against" in out


def civil_code_with_1079(tmp_path: Path) -> Path:
    """A folder of statute texts holding one article of the Civil Code."""
    laws = tmp_path / "laws"
    laws.mkdir()
    (laws / "民法典.md").write_text(
        "# 中华人民共和国民法典\n<!-- INFO END -->\n第一千零七十九条 离婚。\n", encoding="utf-8"
    )
    return laws


def test_a_missing_article_is_reported_and_fails(run_cli: Run, tmp_path: Path) -> None:
    laws = civil_code_with_1079(tmp_path)
    faq = write_faq(
        tmp_path / "faq",
        "a.yaml",
        entry("a.one", sources=["民法典 1079"]),
        entry("a.two", sources=["民法典 9999", "刑法 1"]),
    )
    status, out, _ = run_cli("check-kb", "--faq", str(faq), "--laws", str(laws))
    assert status == 1
    assert "a.two: 民法典 9999: no such article in 中华人民共和国民法典" in out
    assert "a.one" not in out
    assert "(not checked): 刑法 1" in out


def test_an_invalid_base_names_file_entry_and_field(run_cli: Run, tmp_path: Path) -> None:
    faq = write_faq(tmp_path, "a.yaml", entry("a.one", answer=None))
    status, out, _ = run_cli("check-kb", "--faq", str(faq))
    assert status == 1
    assert f"{faq / 'a.yaml'}: entry a.one: answer: missing" in out


def test_a_laws_path_that_is_not_a_folder_fails(run_cli: Run, tmp_path: Path) -> None:
    status, out, _ = run_cli("check-kb", "--laws", str(tmp_path / "absent"))
    assert status == 1
    assert "is not a folder of statute texts" in out


def test_review_lists_each_cited_articles_key_terms_used_or_not(
    run_cli: Run, tmp_path: Path
) -> None:
    laws = tmp_path / "laws"
    laws.mkdir()
    (laws / "民法典.md").write_text(
        "# 中华人民共和国民法典\n<!-- INFO END -->\n"
        "第一千零六十四条 夫妻双方共同签名所负的债务，属于夫妻共同债务。\n"
        "第一千零七十九条 夫妻一方要求离婚的，可以由有关组织进行调解。\n",
        encoding="utf-8",
    )
    faq = write_faq(
        tmp_path / "faq",
        "a.yaml",
        entry("a.one", answer="两人都签了名的债，是共同债务。", sources=["民法典 1064", "刑法 1"]),
        entry("a.two", question="离婚要调解吗？", alternates=["离婚先调解吗"]),
    )
    status, out, _ = run_cli("check-kb", "--faq", str(faq), "--laws", str(laws), "--review")
    assert status == 0, out
    [line] = out.split("a.one\n", 1)[1].split("a.two\n", 1)[0].splitlines()
    assert line.startswith("  民法典 1064: uses 债务、共同")
    assert "签名" in line.split("; not ")[1]


def test_review_without_the_statute_texts_fails(run_cli: Run) -> None:
    status, out, _ = run_cli("check-kb", "--review")
    assert status == 1
    assert "--review needs --laws" in out


def test_the_calendars_citations_are_checked_like_the_faqs(run_cli: Run, tmp_path: Path) -> None:
    laws = civil_code_with_1079(tmp_path)
    faq = write_faq(
        tmp_path / "faq",
        "a.yaml",
        entry("a.one", sources=["民法典 1079"]),
        entry("a.two", sources=["民法典 1079"]),
    )
    calendar = tmp_path / "pufa.yaml"
    calendar.write_text(
        "topics: {marriage: 婚恋家庭}\n"
        "days:\n"
        "  - {id: family_day, date: '05-15', title: 家庭日, set_by: township, topic: marriage,\n"
        "     text: 您好, sources: ['民法典 1079', '民法典 9999']}\n",
        encoding="utf-8",
    )
    status, out, _ = run_cli(
        "check-kb", "--faq", str(faq), "--pufa", str(calendar), "--laws", str(laws)
    )
    assert status == 1
    assert "pufa:family_day: 民法典 9999: no such article in 中华人民共和国民法典" in out
    assert "4 citations checked against" in out


def test_an_invalid_calendar_fails(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = tmp_path / "pufa.yaml"
    calendar.write_text("topics: {land: 土地}\ndays: [{id: x}]\n", encoding="utf-8")
    status, out, _ = run_cli("check-kb", "--pufa", str(calendar))
    assert status == 1
    assert f"{calendar}: entry x: date: missing" in out

    # The township's own calendar, as the bot reads it.
    monkeypatch.setenv("MINGBAI_PUFA_FILE", str(calendar))
    status, out, _ = run_cli("check-kb")
    assert status == 1
    assert f"{calendar}: entry x: date: missing" in out
