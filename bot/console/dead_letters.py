"""Admins see the dead letters (what the bot set aside) and retry or discard each."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console import texts
from bot.console.core import CONSOLE, Console, Refusal, Visitor
from intake import Role
from intake.dead_letters import DeadLetters

log = logging.getLogger(__name__)

ADMINS = frozenset({Role.ADMIN})
SHOWN = 200
RAW_SHOWN = 2000


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the dead letters page."""
    router.add_get("/admin/dead-letters", dead_letters_page, name="dead_letters")
    router.add_post("/admin/dead-letters", act_on_dead_letter)


async def dead_letters_page(request: web.Request) -> web.StreamResponse:
    """The dead letters, newest first."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, ADMINS)
    return await _render(request, console, visitor)


async def act_on_dead_letter(request: web.Request) -> web.StreamResponse:
    """Retry or discard one dead letter."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, ADMINS)
    posted = await console.form(request, visitor)
    letter_text = posted.get("id", "")
    try:
        if not letter_text.isdigit() or len(letter_text) > 12:
            raise Refusal(400, texts.MISSING_CHOICE.format(field="死信"))
        notice = await _apply(console, visitor, posted.get("op", ""), int(letter_text))
    except Refusal as refusal:
        return await _render(
            request, console, visitor, error=refusal.message, status=refusal.status
        )
    return await _render(request, console, visitor, notice=notice)


async def _apply(console: Console, visitor: Visitor, op: str, letter_id: int) -> str:
    dead_letters = DeadLetters(console.intake.engine)
    if op == "discard":
        if not await dead_letters.discard(letter_id):
            raise Refusal(404, texts.DEAD_LETTER_MISSING.format(id=letter_id))
        log.info("console: dead letter %s discarded by user %s", letter_id, visitor.user.id)
        return texts.DEAD_LETTER_DISCARDED.format(id=letter_id)
    if op != "retry":
        raise Refusal(400, texts.BAD_CHOICE.format(field="操作"))
    letter = await dead_letters.get(letter_id)
    if letter is not None and not letter.retryable:
        raise Refusal(409, texts.DEAD_LETTER_NOT_RETRYABLE.format(id=letter_id))
    if letter is None or not await dead_letters.retry(letter_id):
        raise Refusal(404, texts.DEAD_LETTER_MISSING.format(id=letter_id))
    log.info("console: dead letter %s retried by user %s", letter_id, visitor.user.id)
    return texts.DEAD_LETTER_RETRIED.format(id=letter_id)


async def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    dead_letters = DeadLetters(console.intake.engine)
    return console.render(
        request,
        "dead_letters.html",
        visitor=visitor,
        status=status,
        letters=await dead_letters.listing(SHOWN),
        total=await dead_letters.count(),
        raw_shown=RAW_SHOWN,
        ORIGINS=texts.DEAD_LETTER_ORIGINS,
        notice=notice,
        error=error,
    )
