"""The 普法 calendar and its loader (:mod:`knowledge.pufa`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.errors import KnowledgeBaseError
from knowledge.pufa import TEXT_MAX, SetBy, load_pufa_calendar

TOPICS = {"land": "土地", "drugs": "禁毒"}


def day(**fields: Any) -> dict[str, Any]:
    values = {
        "id": "land_session",
        "date": "06-25",
        "title": "「法律进网格」征地拆迁",
        "set_by": "township",
        "topic": "land",
        "text": "征收土地要公告三十天，您可以提意见。",
        "sources": ["土地管理法 47"],
    }
    return {k: v for k, v in (values | fields).items() if v is not None}


def write(tmp_path: Path, *days: dict[str, Any], topics: dict[str, str] = TOPICS) -> Path:
    path = tmp_path / "pufa.yaml"
    path.write_text(
        yaml.safe_dump({"topics": topics, "days": list(days)}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as raised:
        load_pufa_calendar(path)
    return [str(problem) for problem in raised.value.problems]


def test_the_bundled_calendar_has_the_four_national_days_and_the_township_sessions() -> None:
    calendar = load_pufa_calendar()

    national = {d.date: d.topic for d in calendar.days if d.set_by is SetBy.NATION}
    assert national == {
        "03-15": "consumer",
        "04-15": "general",
        "06-26": "drugs",
        "12-04": "general",
    }
    township = {d.topic for d in calendar.days if d.set_by is SetBy.TOWNSHIP}
    assert township == {"land", "marriage", "neighbor"}
    assert set(calendar.topics) == {"marriage", "land", "neighbor", "consumer", "drugs", "general"}
    for piece in calendar.days:
        assert len(piece.text) <= TEXT_MAX, piece.id
        assert "您" in piece.text and "你" not in piece.text.replace("您", ""), piece.id
        assert piece.citations, piece.id


def test_a_day_falls_on_its_month_and_day_in_any_year() -> None:
    calendar = load_pufa_calendar()

    assert [d.id for d in calendar.on(dt.date(2027, 3, 15))] == ["consumer_day"]
    assert [d.id for d in calendar.on(dt.date(2031, 12, 4))] == ["constitution_day"]
    assert calendar.on(dt.date(2027, 3, 16)) == ()
    assert calendar.piece("drugs_day") is not None
    assert calendar.piece("nothing") is None


def test_the_29th_of_february_is_a_day_of_the_calendar(tmp_path: Path) -> None:
    calendar = load_pufa_calendar(write(tmp_path, day(date="02-29")))
    assert calendar.on(dt.date(2028, 2, 29)) == calendar.days
    assert calendar.on(dt.date(2027, 3, 1)) == ()


def test_every_problem_names_the_day_and_the_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        day(id="bad_date", date="02-30"),
        day(id="too_long", text="您" * (TEXT_MAX + 1)),
        day(id="odd_topic", topic="lottery"),
        day(id="odd_law", sources=["彩票法 1"]),
        day(id="odd_form", sources=["第1079条"]),
        day(id="twice"),
        day(id="twice"),
        day(id="no_sources", sources=[]),
    )

    found = problems(path)

    assert f"{path}: entry bad_date: date: '02-30' is not a day of the year (MM-DD)" in found
    assert any(p.startswith(f"{path}: entry too_long: text: ") for p in found)
    assert f"{path}: entry odd_topic: topic: unknown topic 'lottery' (land、drugs)" in found
    assert f"{path}: entry odd_law: sources: unknown law '彩票法' (see laws.yaml)" in found
    assert any(p.startswith(f"{path}: entry odd_form: sources: '第1079条' is not") for p in found)
    assert f"{path}: entry twice: id: duplicate" in found
    assert any(p.startswith(f"{path}: entry no_sources: sources: ") for p in found)
    assert len(found) == 7


def test_a_file_that_is_not_a_calendar_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "pufa.yaml"
    path.write_text("topics: {}\n", encoding="utf-8")
    assert [p.split(": ", 2)[1] for p in problems(path)] == ["topics", "days"]
    absent = tmp_path / "absent.yaml"
    assert problems(absent)[0].startswith(f"{absent}: cannot read")
