"""The figures page, its charts and exports, and ``mingbai report --xlsx``."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from datetime import date
from html import escape as html_escape
from pathlib import Path

import pytest

from bot.cli import main
from bot.console import charts
from bot.console.export import _cell, report_csv, workbook_bytes, write_workbook
from intake import (
    FIGURE_DEFINITIONS,
    IntakeService,
    Rating,
    Ratio,
    Role,
    create_engine,
    load_config,
    upgrade,
)
from tests.bot.console.conftest import PREFIX, Console, errors_of
from tests.intake.conftest import FakeClock, accepted, local, new_ticket

SHEETS = ["合计", "按月份", "按村（社区）", "按类别", "按层级", "图表"]


def sheet_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    return re.findall(r'<sheet name="([^"]+)"', workbook)


def shared_strings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/sharedStrings.xml").decode()


def worksheets(data: bytes) -> dict[str, bytes]:
    """Every part of the workbook except its properties (which hold the creation time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if not name.startswith("docProps/")
        }


async def _some_work(console: Console) -> None:
    people = console.people
    for _ in range(2):
        await accepted(console.intake, people)
    number = await accepted(console.intake, people)
    console.clock.advance(days=2)
    await console.intake.reply(people.grid, number, "已调解")
    await console.intake.request_feedback(people.grid, number)
    await console.intake.record_feedback(people.villager, number, Rating.SATISFIED)


async def test_the_figures_page_shows_the_report_and_three_charts(console: Console) -> None:
    await _some_work(console)
    await console.login(console.people.grid)

    status, html = await console.get("/figures", params={"from": "2026-01-01", "to": "2026-12-31"})

    assert status == 200
    assert "上新庄镇工单统计：2026-01-01 至 2026-12-31" in html
    assert "<th>受理件数</th><td>3</td>" in html
    assert "<th>办结率</th><td>33.3%</td>" in html
    # Each figure has its definition printed under it.
    for label, definition in FIGURE_DEFINITIONS:
        assert re.search(
            rf"<th>{label}</th><td>[^<]*</td></tr>\s*"
            rf'<tr class="definition"><td colspan="2">{re.escape(definition)}</td>',
            html,
        )
    # The year is not over: it is counted up to today.
    assert f"都计至 {console.clock.now.date()} 当日结束" in html
    assert "超期件数（超过法定期限），按层级" in html
    assert html.count("<svg") == 3
    assert "示例村01" in html
    assert "33.3%（1/3）" in html  # the dispute resolution rate of 示例村01
    assert f'href="{PREFIX}/figures/report.xlsx?from=2026-01-01&amp;to=2026-12-31"' in html


async def test_the_default_period_is_the_year_so_far(console: Console) -> None:
    await console.login(console.people.grid)
    status, html = await console.get("/figures")
    assert status == 200
    assert "2026-01-01 至 2026-03-02" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-01"}, "日期「2026-13-01」无效"),
        ({"from": "<script>"}, "日期「&lt;script&gt;」无效"),
        ({"from": "2026-03-01", "to": "2026-01-01"}, "结束日期不能早于开始日期"),
    ],
)
async def test_a_bad_period_is_a_clear_message(
    console: Console, query: dict[str, str], message: str
) -> None:
    await console.login(console.people.grid)

    status, html = await console.get("/figures", params=query)
    assert status == 400
    assert message in errors_of(html)
    assert "<script>" not in html

    status, html = await console.get("/figures/report.xlsx", params=query)
    assert status == 400
    assert message in errors_of(html)


async def test_the_excel_export(console: Console) -> None:
    await _some_work(console)
    await console.login(console.people.officer)

    response = await console.client.get(
        f"{PREFIX}/figures/report.xlsx", params={"from": "2026-01-01", "to": "2026-12-31"}
    )

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="mingbai-report-2026-01-01-2026-12-31.xlsx"'
    )
    data = await response.read()
    assert sheet_names(data) == SHEETS
    strings = shared_strings(data)
    for text in ("受理件数", "示例村01", "按期办结", "示例数据", "定义"):
        assert text in strings
    # Each figure's definition stands beside it on the totals sheet.
    for _label, definition in FIGURE_DEFINITIONS:
        assert html_escape(definition, quote=False) in strings
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("xl/charts/chart")]) == 3


async def test_the_csv_export(console: Console) -> None:
    await _some_work(console)
    await console.login(console.people.officer)

    response = await console.client.get(
        f"{PREFIX}/figures/report.csv", params={"from": "2026-01-01", "to": "2026-12-31"}
    )

    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeff分组,项目,收件数,不予受理件数,未受理件数,受理件数")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1] == ["定义", "", *(definition for _label, definition in FIGURE_DEFINITIONS)]
    assert rows[2][:8] == ["合计", "2026-01-01 至 2026-12-31", "3", "0", "0", "3", "1", "33.3%"]
    assert rows[5][:7] == ["按月份", "2026-03", "3", "0", "0", "3", "1"]
    assert len(rows) == 3 + 12 + 34 + 12 + 4


def test_a_csv_cell_that_looks_like_a_formula_stays_text() -> None:
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("示例村01") == "示例村01"


def test_chart_labels_are_escaped() -> None:
    svg = str(charts.rate_bars("t<i>", [("<b>村</b>", Ratio(1, 2))], "none"))
    assert "<b>" not in svg
    assert "&lt;b&gt;村&lt;/b&gt;" in svg
    assert "50.0%（1/2）" in svg
    assert "none" in str(charts.rate_bars("t", [("村", Ratio(0, 0))], "none"))


async def _two_disputes(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    clock = FakeClock(local(2025, 3, 3))
    service = IntakeService(engine, load_config(), clock=clock)
    admin = (await service.ensure_admin(1, "管理员")).id
    villager = (await service.get_or_create_user(2, "张三")).id
    officer = (await service.get_or_create_user(3, "镇干部")).id
    await service.set_role(admin, officer, Role.TOWNSHIP_OFFICER)
    for _ in range(2):
        number = (await service.file_ticket(villager, new_ticket())).ticket.number
        await service.accept(officer, number)
    await engine.dispose()


def test_the_report_command_writes_the_same_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mingbai.db'}"
    monkeypatch.delenv("MINGBAI_CONFIG", raising=False)
    monkeypatch.setenv("MINGBAI_DATABASE_URL", url)
    asyncio.run(_two_disputes(url))
    target = tmp_path / "report.xlsx"

    status = main(["report", "--from", "2025-01-01", "--to", "2025-12-31", "--xlsx", str(target)])

    assert status == 0
    assert f"已写入 Excel 文件：{target}" in capsys.readouterr().out

    async def expected() -> bytes:
        engine = create_engine(url)
        report = await IntakeService(engine, load_config()).report(
            date(2025, 1, 1), date(2025, 12, 31)
        )
        await engine.dispose()
        return workbook_bytes(report, sample_villages=True)

    assert worksheets(target.read_bytes()) == worksheets(asyncio.run(expected()))
    assert sheet_names(target.read_bytes()) == SHEETS


def test_the_report_command_says_when_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mingbai.db'}"
    monkeypatch.delenv("MINGBAI_CONFIG", raising=False)
    monkeypatch.setenv("MINGBAI_DATABASE_URL", url)
    asyncio.run(_two_disputes(url))

    status = main(
        [
            "report",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--xlsx",
            str(tmp_path / "no/x.xlsx"),
        ]
    )

    assert status == 1
    assert "无法写入" in capsys.readouterr().err


def test_csv_and_workbook_of_an_empty_report() -> None:
    from datetime import date

    from intake.reporting import Counts, GroupCounts, ReportLabels, build_report

    report = build_report(
        GroupCounts(Counts(), {}, {}, {}, {}),
        start=date(2025, 1, 1),
        end=date(2025, 1, 31),
        as_of=date(2025, 1, 31),
        labels=ReportLabels(villages=(("V01", "示例村01"),), categories=("其他",)),
    )
    buffer = io.BytesIO()
    write_workbook(report, buffer)
    assert sheet_names(buffer.getvalue()) == SHEETS
    assert "—" in report_csv(report)
