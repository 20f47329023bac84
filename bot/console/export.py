"""The township's figures as an Excel workbook (with charts) and as CSV.

The console's export and ``mingbai report --xlsx`` both call :func:`write_workbook`, so the two
files are the same. Numbers are written as numbers (rates as percentages with one decimal), an
undefined rate as "—", so the sheets can be summed and charted in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from intake import FIGURE_DEFINITIONS, FIGURE_LABELS, Figures, Ratio, Report, ReportRow
from intake.liaisons import RegisterRow
from intake.texts import AVERAGE_DAYS

SECTIONS = (
    ("按月份", "月份", "by_month"),
    ("按村（社区）", "村（社区）", "by_village"),
    ("按类别", "类别", "by_category"),
    ("按层级", "层级", "by_level"),
)
# The columns of the month sheet that the "tickets per month by state" chart stacks.
STATE_COLUMNS = ("按期办结", "超期办结", "未办结")
STATE_COLOURS = ("#2a7d4f", "#e0a030", "#c0392b")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE = (
    "口径：收件数、不予受理件数、未受理件数、超期件数按期间内收到的工单，其余按期间内受理的工单；"
    "都计至 {as_of} 当日结束（统计截止）。"
)
OVERDUE_CHART = "超期件数（超过法定期限），按层级"
SAMPLE_NOTE = "注意：村（社区）名单仍是示例数据，请换成本镇的真实名单。"


def title(report: Report) -> str:
    """The report's heading."""
    return f"上新庄镇工单统计：{report.start} 至 {report.end}"


def state_split(figures: Figures) -> tuple[int, int, int]:
    """Closed on time, closed late and still open, out of the tickets accepted."""
    late = figures.closed - figures.closed_on_time
    return figures.closed_on_time, late, figures.accepted - figures.closed


def write_workbook(
    report: Report, target: str | Path | IO[bytes], *, sample_villages: bool = False
) -> None:
    """Write the report as an .xlsx workbook: totals, four breakdowns and a chart sheet.

    Args:
        report: The figures.
        target: A file path, or a binary file object.
        sample_villages: Whether the village names are the shipped sample, which is then said.

    Raises:
        OSError: The file cannot be written.

    """
    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target, {"in_memory": True}
    )
    formats = _Formats(workbook)
    totals = workbook.add_worksheet("合计")
    totals.set_column(0, 0, 16)
    totals.set_column(1, 1, 12)
    totals.set_column(2, 2, 90)
    totals.write(0, 0, title(report), formats.title)
    totals.write(1, 0, SCOPE.format(as_of=report.as_of))
    row = 2
    if sample_villages:
        totals.write(row, 0, SAMPLE_NOTE, formats.warning)
        row += 1
    row += 1
    totals.write_row(row, 0, ("项目", "数值", "定义"), formats.header)
    for (label, definition), value in zip(FIGURE_DEFINITIONS, report.total.values(), strict=True):
        row += 1
        totals.write(row, 0, label)
        _write_value(totals, row, 1, value, label, formats)
        totals.write(row, 2, definition)
    sheets = {}
    for sheet_title, key_label, attribute in SECTIONS:
        rows: Sequence[ReportRow] = getattr(report, attribute)
        sheet = workbook.add_worksheet(sheet_title)
        sheets[attribute] = (sheet_title, len(rows))
        extra = STATE_COLUMNS if attribute == "by_month" else ()
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, len(FIGURE_LABELS) + len(extra), 11)
        sheet.write_row(0, 0, (key_label, *FIGURE_LABELS, *extra), formats.header)
        sheet.freeze_panes(1, 1)
        for index, item in enumerate(rows, start=1):
            sheet.write(index, 0, item.label)
            for column, (label, value) in enumerate(
                zip(FIGURE_LABELS, item.figures.values(), strict=True), start=1
            ):
                _write_value(sheet, index, column, value, label, formats)
            if extra:
                sheet.write_row(index, len(FIGURE_LABELS) + 1, state_split(item.figures))
    _add_charts(workbook, sheets)
    try:
        workbook.close()
    except FileCreateError as error:
        cause = error.args[0] if error.args else None
        raise cause if isinstance(cause, OSError) else OSError(str(error)) from error


def workbook_bytes(report: Report, *, sample_villages: bool = False) -> bytes:
    """The workbook of :func:`write_workbook`, in memory."""
    buffer = io.BytesIO()
    write_workbook(report, buffer, sample_villages=sample_villages)
    return buffer.getvalue()


def report_csv(report: Report) -> str:
    """The report as one CSV table (UTF-8 with a byte-order mark, so Excel reads the Chinese).

    Columns: the breakdown (合计 or one of the sections), the row's label, then the figures; the
    second row holds each figure's definition.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["分组", "项目", *FIGURE_LABELS])
    writer.writerow(["定义", "", *(definition for _label, definition in FIGURE_DEFINITIONS)])
    writer.writerow(["合计", f"{report.start} 至 {report.end}", *report.total.cells()])
    for section, _key_label, attribute in SECTIONS:
        for item in getattr(report, attribute):
            writer.writerow([section, _cell(item.label), *item.figures.cells()])
    return "\ufeff" + buffer.getvalue()


def _cell(text: str) -> str:
    # A label that starts like a formula is kept as text when the CSV is opened in Excel.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.warning = workbook.add_format({"font_color": "#C00000"})
        self.percent = workbook.add_format({"num_format": "0.0%"})
        self.days = workbook.add_format({"num_format": "0.0"})


def _write_value(
    sheet: Any, row: int, column: int, value: int | Ratio, label: str, formats: _Formats
) -> None:
    if isinstance(value, int):
        sheet.write_number(row, column, value)
    elif value.denominator == 0:
        sheet.write_string(row, column, "—")
    else:
        number = value.numerator / value.denominator
        sheet.write_number(
            row, column, number, formats.days if label == AVERAGE_DAYS else formats.percent
        )


def _add_charts(workbook: Any, sheets: dict[str, tuple[str, int]]) -> None:
    charts = workbook.add_worksheet("图表")
    month_sheet, months = sheets["by_month"]
    by_state = workbook.add_chart({"type": "column", "subtype": "stacked"})
    first_state_column = len(FIGURE_LABELS) + 1
    for offset, colour in enumerate(STATE_COLOURS):
        column = first_state_column + offset
        by_state.add_series(
            {
                "name": [month_sheet, 0, column],
                "categories": [month_sheet, 1, 0, max(1, months), 0],
                "values": [month_sheet, 1, column, max(1, months), column],
                "fill": {"color": colour},
            }
        )
    by_state.set_title({"name": "每月受理的工单（按办理状态）"})
    by_state.set_size({"width": 720, "height": 320})
    charts.insert_chart(0, 0, by_state)

    village_sheet, villages = sheets["by_village"]
    rate_column = FIGURE_LABELS.index("化解率") + 1
    by_village = workbook.add_chart({"type": "bar"})
    by_village.add_series(
        {
            "name": "化解率",
            "categories": [village_sheet, 1, 0, max(1, villages), 0],
            "values": [village_sheet, 1, rate_column, max(1, villages), rate_column],
            "fill": {"color": "#2A7D4F"},
        }
    )
    by_village.set_title({"name": "各村（社区）矛盾纠纷化解率"})
    by_village.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
    by_village.set_legend({"none": True})
    by_village.set_size({"width": 720, "height": max(320, 18 * villages + 80)})
    charts.insert_chart(17, 0, by_village)

    level_sheet, levels = sheets["by_level"]
    over_column = FIGURE_LABELS.index("超期件数") + 1
    by_level = workbook.add_chart({"type": "column"})
    by_level.add_series(
        {
            "name": "超期件数",
            "categories": [level_sheet, 1, 0, max(1, levels), 0],
            "values": [level_sheet, 1, over_column, max(1, levels), over_column],
            "fill": {"color": "#C0392B"},
        }
    )
    by_level.set_title({"name": OVERDUE_CHART})
    by_level.set_legend({"none": True})
    by_level.set_size({"width": 720, "height": 300})
    charts.insert_chart(17 + max(17, villages + 5), 0, by_level)


REGISTER_COLUMNS = ("月份", "法律明白人", "村（社区）", "代报件数", "咨询问题数")


def register_workbook_bytes(
    rows: Sequence[RegisterRow], village_names: Mapping[str, str], start: date, end: date
) -> bytes:
    """The 法律明白人 service register (服务台账) as a one-sheet .xlsx workbook.

    Args:
        rows: One liaison's month each (see :meth:`intake.liaisons.Liaisons.register`).
        village_names: Village names by code.
        start: The first day of the period.
        end: The last day of the period.

    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    formats = _Formats(workbook)
    sheet = workbook.add_worksheet("服务台账")
    sheet.write_string(0, 0, f"上新庄镇法律明白人服务台账：{start} 至 {end}", formats.title)
    for column, label in enumerate(REGISTER_COLUMNS):
        sheet.write_string(2, column, label, formats.header)
    for offset, row in enumerate(rows, start=3):
        village = village_names.get(row.village_code or "", row.village_code or "—")
        sheet.write_string(offset, 0, row.month)
        sheet.write_string(offset, 1, row.name)
        sheet.write_string(offset, 2, village)
        sheet.write_number(offset, 3, row.cases)
        sheet.write_number(offset, 4, row.questions)
    total = len(rows) + 3
    sheet.write_string(total, 0, "合计", formats.header)
    sheet.write_number(total, 3, sum(row.cases for row in rows))
    sheet.write_number(total, 4, sum(row.questions for row in rows))
    sheet.set_column(0, 2, 16)
    sheet.set_column(3, 4, 12)
    workbook.close()
    return buffer.getvalue()
