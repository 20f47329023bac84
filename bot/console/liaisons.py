"""法律明白人: applications for an admin to decide, and the service register (服务台账).

Supervisors see both; only admins approve or decline (intake checks it too). The register can
be downloaded as an Excel workbook.
"""

from __future__ import annotations

import logging
from datetime import date

from aiohttp import web

from bot.console import export, texts
from bot.console.core import CONSOLE, SUPERVISORS, Console, Refusal, Visitor
from bot.console.figures import period
from intake import IntakeError
from intake.liaisons import ApplicationState, Liaisons, RegisterRow

log = logging.getLogger(__name__)

DECISIONS = {"approve": True, "decline": False}


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the liaisons page, its decisions and the register's export."""
    router.add_get("/liaisons", liaisons_page, name="liaisons")
    router.add_post("/liaisons", decide)
    router.add_get("/liaisons/register.xlsx", export_register, name="export_register")


def _desk(console: Console) -> Liaisons:
    services = console.services
    return Liaisons(services.intake, services.intake_config, clock=console.clock)


async def liaisons_page(request: web.Request) -> web.StreamResponse:
    """Pending applications and the register for a period."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SUPERVISORS)
    return await _render(request, console, visitor)


async def decide(request: web.Request) -> web.StreamResponse:
    """Approve or decline one application (admins only)."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SUPERVISORS)
    posted = await console.form(request, visitor)
    decision = posted.get("decision", "")
    application = posted.get("application", "")
    if decision not in DECISIONS:
        raise Refusal(400, texts.BAD_CHOICE.format(field="审核结果"))
    if not application.isdigit() or len(application) > 12:
        raise Refusal(400, texts.MISSING_CHOICE.format(field="申请"))
    try:
        decided = await _desk(console).decide(
            visitor.user.id, int(application), approve=DECISIONS[decision]
        )
    except IntakeError as refusal:
        return await _render(request, console, visitor, error=refusal.message, status=400)
    log.info(
        "console: liaison application %s %s by user %s",
        decided.id,
        decided.state.value,
        visitor.user.id,
    )
    notice = texts.APPLICATION_DECIDED.format(name=decided.name, state=decided.state.label)
    return await _render(request, console, visitor, notice=notice)


async def export_register(request: web.Request) -> web.StreamResponse:
    """The register for the period as an .xlsx workbook."""
    console = request.app[CONSOLE]
    await console.admitted(request, SUPERVISORS)
    start, end = period(console, request.query)
    rows = await _register(console, start, end)
    body = export.register_workbook_bytes(rows, _village_names(console), start, end)
    response = web.Response(body=body)
    response.headers["Content-Type"] = export.XLSX_TYPE
    filename = f"mingbai-liaisons-{start}-{end}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def _register(console: Console, start: date, end: date) -> tuple[RegisterRow, ...]:
    try:
        return await _desk(console).register(start, end)
    except IntakeError as refusal:
        raise Refusal(400, refusal.message) from None


def _village_names(console: Console) -> dict[str, str]:
    return {v.code: v.name for v in console.services.intake_config.township.villages}


async def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    today = console.today()
    rows: tuple[RegisterRow, ...] = ()
    period_query: dict[str, str] = {}
    try:
        start, end = period(console, request.query)
        rows = await _register(console, start, end)
        period_query = {"from": start.isoformat(), "to": end.isoformat()}
    except Refusal as refusal:
        error, status = refusal.message, refusal.status
    return console.render(
        request,
        "liaisons.html",
        visitor=visitor,
        status=status,
        notice=notice,
        error=error,
        applications=await _desk(console).applications(ApplicationState.PENDING),
        villages=_village_names(console),
        rows=rows,
        total_cases=sum(row.cases for row in rows),
        total_questions=sum(row.questions for row in rows),
        start=request.query.get("from", "")[:40] or today.replace(month=1, day=1).isoformat(),
        end=request.query.get("to", "")[:40] or today.isoformat(),
        period_query=period_query,
    )
