"""``mingbai report`` (bot/commands/report.py), on an SQLite file."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.report import render
from intake import (
    FIGURE_DEFINITIONS,
    IntakeService,
    Rating,
    Role,
    create_engine,
    load_config,
    upgrade,
)
from intake.reporting import Counts, GroupCounts, ReportLabels, build_report
from tests.intake.conftest import FakeClock, local, new_ticket


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mingbai.db'}"
    monkeypatch.delenv("MINGBAI_CONFIG", raising=False)
    monkeypatch.setenv("MINGBAI_DATABASE_URL", url)
    return url


async def _two_disputes(url: str) -> None:
    """Two disputes accepted in March 2025, one answered after 2 days and rated 满意; a third
    ticket not accepted (不予受理)."""
    engine = create_engine(url)
    await upgrade(engine)
    clock = FakeClock(local(2025, 3, 3))
    service = IntakeService(engine, load_config(), clock=clock)
    admin = (await service.ensure_admin(1, "管理员")).id
    villager = (await service.get_or_create_user(2, "张三")).id
    officer = (await service.get_or_create_user(3, "镇干部")).id
    await service.set_role(admin, officer, Role.TOWNSHIP_OFFICER)
    rejected = (await service.file_ticket(villager, new_ticket())).ticket.number
    await service.reject(officer, rejected, reason="不属于本镇管辖", route="向县法院起诉")
    for _ in range(2):
        number = (await service.file_ticket(villager, new_ticket())).ticket.number
        await service.accept(officer, number)
    clock.advance(days=2)
    await service.reply(officer, number, "已调解")
    await service.request_feedback(officer, number)
    await service.record_feedback(villager, number, Rating.SATISFIED)
    await engine.dispose()


def test_the_report_prints_chinese_tables(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_two_disputes(url))

    assert main(["report", "--from", "2025-01-01", "--to", "2025-12-31"]) == 0

    out = capsys.readouterr().out
    assert "上新庄镇工单统计：2025-01-01 至 2025-12-31" in out
    assert "示例数据" in out
    for heading in ("合计", "按月份", "按村（社区）", "按类别", "按层级"):
        assert f"\n{heading}\n" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["受理件数", "2"] in rows
    assert ["办结率", "50.0%"] in rows
    assert ["平均办理天数", "2.0"] in rows
    assert ["不予受理件数", "1"] in rows
    assert ["超期件数", "1"] in rows
    lines = out.splitlines()
    for label, definition in FIGURE_DEFINITIONS:
        below = lines[lines.index(next(line for line in lines if line.split()[:1] == [label])) + 1]
        assert below.strip() == definition
    # The open dispute has been waiting since March: more than 30 days by the year's end, and
    # past its handling deadline (60 days).
    march = ["2025-03", "3", "1", "0", "2", "1", "50.0%", "100.0%", "1", "1", "2.0", "2", "1"]
    assert [*march, "50.0%", "100.0%"] in rows


@pytest.mark.parametrize(
    ("start", "end", "bad"),
    [("2025-13-01", "2025-12-31", "2025-13-01"), ("2025-01-01", "明天", "明天")],
)
def test_malformed_dates_exit_2_with_a_clear_message(
    url: str, capsys: pytest.CaptureFixture[str], start: str, end: str, bad: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--from", start, "--to", end])

    assert exited.value.code == 2
    assert f"日期「{bad}」无效，请写成 YYYY-MM-DD" in capsys.readouterr().err


def test_an_inverted_period_exits_2(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2025-12-31", "--to", "2025-01-01"]) == 2
    assert "早于开始日期" in capsys.readouterr().err


def test_an_unmigrated_database_asks_for_db_upgrade(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--from", "2025-01-01", "--to", "2025-12-31"]) == 1
    assert "请先运行 mingbai db upgrade" in capsys.readouterr().err


def test_columns_line_up_under_wide_characters() -> None:
    report = build_report(
        GroupCounts(Counts(), {}, {}, {}, {}),
        start=date(2025, 1, 1),
        end=date(2025, 1, 31),
        as_of=date(2025, 1, 31),
        labels=ReportLabels(villages=(("V01", "示例村01"),), categories=("土地",)),
    )

    header, rule, row = render(report).split("\n按村（社区）\n")[1].splitlines()[:3]

    assert _columns(header) == _columns(row) == len(rule)
    assert "示例数据" not in render(report)


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
