"""Registering a case that arrived offline (窗口, 电话, 镇领导接访, 网格排查), and reception days.

The form is checked by intake: a refusal shows the form again with everything typed kept and the
reason above it. The form carries a one-time key, so submitting it twice (a double click, a
reload) files one ticket.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from aiohttp import web

from bot.console import texts
from bot.console.core import CONSOLE, SUPERVISORS, Console, Refusal, Visitor, redirect
from bot.console.figures import period
from intake import IntakeError, NewTicket, Source, TicketKind
from intake.database import STORAGE_ERRORS, unit_of_work
from intake.enums import OFFLINE_SOURCES
from intake.receptions import ReceptionDay, reception_days
from intake.rules import OFFLINE_FILERS
from intake.validation import parse_day

log = logging.getLogger(__name__)

FIELDS = (
    "channel",
    "villager_name",
    "phone",
    "consent",
    "village",
    "kind",
    "category",
    "text",
    "leader",
    "reception_date",
    "place",
    "form_key",
)
FORM_KEY_MAX = 64


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the new-ticket form and the reception days (before ``/tickets/{number}``)."""
    router.add_get("/tickets/new", new_ticket_page, name="new_ticket")
    router.add_post("/tickets/new", file_offline)
    router.add_get("/receptions", receptions_page, name="receptions")


async def new_ticket_page(request: web.Request) -> web.StreamResponse:
    """The empty form."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, OFFLINE_FILERS)
    values = dict.fromkeys(FIELDS, "") | {
        "form_key": secrets.token_urlsafe(24),
        "village": visitor.user.village_code or "",
    }
    return _render(request, console, visitor, values)


async def file_offline(request: web.Request) -> web.StreamResponse:
    """File the case; a refusal shows the form again with what was typed."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, OFFLINE_FILERS)
    posted = await console.form(request, visitor)
    values = {name: posted.get(name, "") for name in FIELDS}
    try:
        new = _new_ticket(console, values)
        async with unit_of_work(console.intake.engine):
            outcome = await console.intake.file_ticket(visitor.user.id, new)
    except STORAGE_ERRORS:
        log.warning("console: an offline case was not saved, the database is unavailable")
        return _render(request, console, visitor, values, error=texts.NOT_SAVED, status=503)
    except (IntakeError, Refusal) as refusal:
        return _render(request, console, visitor, values, error=refusal.message, status=400)
    target = console.url(request, "ticket", number=outcome.ticket.number)
    return redirect(f"{target}?done=filed")


def _new_ticket(console: Console, values: Mapping[str, str]) -> NewTicket:
    """The filing the form describes; only the channel's own details are passed on.

    Raises:
        Refusal: A choice that was not made or is not on the form.
        IntakeError: A reception day that cannot be read.

    """
    channel = next((s for s in OFFLINE_SOURCES if s.value == values["channel"]), None)
    if channel is None:
        raise Refusal(400, texts.MISSING_CHOICE.format(field="登记方式"))
    kind = next((k for k in TicketKind if k.value == values["kind"]), None)
    if kind is None:
        raise Refusal(400, texts.MISSING_CHOICE.format(field="类型"))
    key = values["form_key"]
    if not 0 < len(key) <= FORM_KEY_MAX:
        raise Refusal(400, texts.CSRF_FAILED)
    day_text = values["reception_date"].strip()
    reception = channel is Source.RECEPTION
    phone = values["phone"].strip()
    return NewTicket(
        source_key=f"console:{key}",
        kind=kind,
        category=values["category"],
        text=values["text"],
        village_code=values["village"],
        source=channel,
        villager_name=values["villager_name"],
        contact_phone=phone or None,
        contact_consent=bool(values["consent"]),
        reception_leader=values["leader"] if reception else None,
        reception_date=parse_day(day_text, console.today()) if reception and day_text else None,
        patrol_place=values["place"] if channel is Source.GRID_PATROL else None,
    )


def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    values: Mapping[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    config = console.services.intake_config
    return console.render(
        request,
        "new_ticket.html",
        visitor=visitor,
        status=status,
        error=error,
        values=values,
        channels=OFFLINE_SOURCES,
        kinds=list(TicketKind),
        villages=config.township.villages,
        categories=config.categories,
        today=console.today().isoformat(),
        text_max=config.max_text_chars,
    )


async def receptions_page(request: web.Request) -> web.StreamResponse:
    """The leaders' reception days in a period and the cases received at each."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SUPERVISORS)
    today = console.today()
    start_text = request.query.get("from", "")[:40] or today.replace(month=1, day=1).isoformat()
    end_text = request.query.get("to", "")[:40] or today.isoformat()
    days: tuple[ReceptionDay, ...] = ()
    error = None
    try:
        start, end = period(console, request.query)
        days = await reception_days(console.intake.engine, start, end)
    except (Refusal, IntakeError) as refusal:
        error = refusal.message
    per_leader: dict[str, list[int]] = {}
    for day in days:
        counts = per_leader.setdefault(day.leader, [0, 0])
        counts[0] += 1
        counts[1] += day.cases
    return console.render(
        request,
        "receptions.html",
        visitor=visitor,
        status=400 if error else 200,
        error=error,
        start=start_text,
        end=end_text,
        days=days,
        per_leader=sorted(per_leader.items()),
        total=sum(day.cases for day in days),
    )
