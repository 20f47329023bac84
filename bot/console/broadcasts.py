"""普法 broadcasts: officers schedule extra pushes and see what became of every broadcast.

For each broadcast the page counts the messages planned, delivered and failed. Only the
calendar's pieces can be pushed, so that every legal text sent has been checked with its
sources (``mingbai check-kb``). The pufa job sends a scheduled push out once its time has come
(:mod:`handlers.pufa`).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

from aiohttp import web

from bot.console import texts
from bot.console.core import CONSOLE, Console, Refusal, Visitor
from handlers.pufa import push_text
from intake.broadcasts import SCHEDULERS, Broadcasts, Planned
from knowledge.pufa import PufaDay

log = logging.getLogger(__name__)

SHOWN = 100


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the broadcasts page."""
    router.add_get("/broadcasts", broadcasts_page, name="broadcasts")
    router.add_post("/broadcasts", schedule_broadcast)


async def broadcasts_page(request: web.Request) -> web.StreamResponse:
    """The broadcasts with their counts, and the form to schedule one."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SCHEDULERS)
    return await _render(request, console, visitor)


async def schedule_broadcast(request: web.Request) -> web.StreamResponse:
    """Schedule an extra push of one calendar piece at a township date and time."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SCHEDULERS)
    posted = await console.form(request, visitor)
    try:
        piece = console.services.pufa.piece(posted.get("piece", ""))
        if piece is None:
            raise Refusal(400, texts.BROADCAST_PIECE_UNKNOWN)
        send_at = _when(console, posted.get("date", ""), posted.get("time", ""))
    except Refusal as refusal:
        return await _render(
            request, console, visitor, error=refusal.message, status=refusal.status
        )
    notice = await _plan(console, visitor, piece, send_at)
    return await _render(request, console, visitor, notice=notice)


def _when(console: Console, day_text: str, time_text: str) -> datetime:
    """The instant a township date and time name, which must not have passed."""
    try:
        day = date.fromisoformat(day_text.strip())
        clock = time.fromisoformat(time_text.strip())
    except ValueError:
        raise Refusal(400, texts.BROADCAST_WHEN_BAD) from None
    tz = console.services.intake_config.tz
    send_at = datetime.combine(day, clock.replace(second=0, microsecond=0, tzinfo=tz))
    if send_at.astimezone(UTC) < console.now().replace(second=0, microsecond=0):
        raise Refusal(400, texts.BROADCAST_WHEN_PAST.format(when=console.format_time(send_at)))
    return send_at.astimezone(UTC)


async def _plan(console: Console, visitor: Visitor, piece: PufaDay, send_at: datetime) -> str:
    broadcasts = Broadcasts(console.intake.engine, clock=console.clock)
    # One key per piece and minute: a form sent twice schedules one push.
    planned = Planned(
        key=f"extra:{piece.id}:{send_at.strftime('%Y%m%dT%H%M')}",
        piece=piece.id,
        topic=piece.topic,
        text=push_text(piece, console.services.faq.base.readable_laws),
        send_at=send_at,
        created_by=visitor.user.id,
    )
    when = console.format_time(send_at)
    if not await broadcasts.plan(planned):
        return texts.BROADCAST_ALREADY.format(title=piece.title, when=when)
    log.info("console: broadcast %s scheduled by user %s", planned.key, visitor.user.id)
    topic = console.services.pufa.topics[piece.topic]
    return texts.BROADCAST_PLANNED.format(when=when, topic=topic, title=piece.title)


async def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    calendar = console.services.pufa
    broadcasts = Broadcasts(console.intake.engine, clock=console.clock)
    local = console.now().astimezone(console.services.intake_config.tz)
    return console.render(
        request,
        "broadcasts.html",
        visitor=visitor,
        status=status,
        calendar=calendar,
        broadcasts=await broadcasts.listing(SHOWN),
        titles={piece.id: piece.title for piece in calendar.days},
        today=local.date().isoformat(),
        calendar_label=texts.BROADCAST_CALENDAR,
        notice=notice,
        error=error,
    )
