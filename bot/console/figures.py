"""The township's figures for a chosen period, with charts, and their export (.xlsx, CSV).

The figures are intake's report (:mod:`intake.reporting` defines each one); they hold no personal
data, so every staff member may see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date

from aiohttp import web

from bot.console import charts, export, texts
from bot.console.core import CONSOLE, Console, Refusal, Visitor
from intake import FIGURE_DEFINITIONS, FIGURE_LABELS, IntakeError, Report


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the figures page and its two exports."""
    router.add_get("/figures", figures_page, name="figures")
    router.add_get("/figures/report.xlsx", export_xlsx, name="export_xlsx")
    router.add_get("/figures/report.csv", export_csv, name="export_csv")


def period(console: Console, query: Mapping[str, str]) -> tuple[date, date]:
    """The period asked for; by default from the first of January to today.

    Raises:
        Refusal: 400 for a malformed date.

    """
    today = console.today()

    def parse(name: str, default: date) -> date:
        text = query.get(name, "").strip()
        if not text:
            return default
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Refusal(400, texts.BAD_DATE.format(text=text[:40])) from None

    return parse("from", today.replace(month=1, day=1)), parse("to", today)


async def _report(console: Console, query: Mapping[str, str]) -> Report:
    start, end = period(console, query)
    try:
        return await console.intake.report(start, end)
    except IntakeError as refusal:
        raise Refusal(400, refusal.message) from None


async def figures_page(request: web.Request) -> web.StreamResponse:
    """The figures, the three charts and the breakdown tables."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    try:
        report = await _report(console, request.query)
    except Refusal as refusal:
        return _render(request, console, visitor, None, error=refusal.message, status=400)
    return _render(request, console, visitor, report)


def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    report: Report | None,
    *,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    config = console.services.intake_config
    today = console.today()
    context: dict[str, object] = {
        "error": error,
        "start": request.query.get("from", "")[:40] or today.replace(month=1, day=1).isoformat(),
        "end": request.query.get("to", "")[:40] or today.isoformat(),
        "report": report,
        "labels": FIGURE_LABELS,
        "sections": [(section, key, attribute) for section, key, attribute in export.SECTIONS],
        "sample": config.township.sample,
        "sample_note": texts.SAMPLE_VILLAGES,
    }
    if report is not None:
        period_query = {"from": report.start.isoformat(), "to": report.end.isoformat()}
        splits = [export.state_split(row.figures) for row in report.by_month]
        context |= {
            "report_title": export.title(report),
            "scope": export.SCOPE.format(as_of=report.as_of),
            "totals": [
                (label, value, definition)
                for (label, definition), value in zip(
                    FIGURE_DEFINITIONS, report.total.cells(), strict=True
                )
            ],
            "period_query": period_query,
            "by_state": charts.stacked_columns(
                "每月受理的工单（按办理状态）",
                [row.label for row in report.by_month],
                [
                    charts.Series(name, colour, [split[i] for split in splits])
                    for i, (name, colour) in enumerate(
                        zip(export.STATE_COLUMNS, export.STATE_COLOURS, strict=True)
                    )
                ],
            ),
            "by_village": charts.rate_bars(
                "各村（社区）矛盾纠纷化解率",
                [(row.label, row.figures.resolution_rate) for row in report.by_village],
                "这段时间没有受理矛盾纠纷。",
            ),
            "overdue_chart": export.OVERDUE_CHART,
            "by_level": charts.columns(
                export.OVERDUE_CHART,
                [row.label for row in report.by_level],
                [row.figures.overdue for row in report.by_level],
                "#c0392b",
            ),
        }
    return console.render(request, "figures.html", visitor=visitor, status=status, **context)


async def export_xlsx(request: web.Request) -> web.StreamResponse:
    """The workbook, the same one ``mingbai report --xlsx`` writes."""
    console = request.app[CONSOLE]
    await console.visitor(request)
    report = await _report(console, request.query)
    # Writing the workbook takes a while for a long period; the bot shares this event loop.
    body = await asyncio.to_thread(
        export.workbook_bytes,
        report,
        sample_villages=console.services.intake_config.township.sample,
    )
    return _download(body, export.XLSX_TYPE, f"mingbai-report-{report.start}-{report.end}.xlsx")


async def export_csv(request: web.Request) -> web.StreamResponse:
    """The figures as one CSV table."""
    console = request.app[CONSOLE]
    await console.visitor(request)
    report = await _report(console, request.query)
    body = export.report_csv(report).encode("utf-8")
    return _download(
        body, "text/csv; charset=utf-8", f"mingbai-report-{report.start}-{report.end}.csv"
    )


def _download(body: bytes, media_type: str, filename: str) -> web.Response:
    response = web.Response(body=body)
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
