"""Admins give staff a login name and password, for computers where Telegram is not at hand."""

from __future__ import annotations

import logging
import re

from aiohttp import web
from multidict import MultiDictProxy

from bot.console import texts
from bot.console.core import CONSOLE, Console, Refusal, Visitor
from bot.console.password_policy import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    PasswordProblem,
    password_problem,
)
from intake import IntakeError, Role

log = logging.getLogger(__name__)

ADMINS = frozenset({Role.ADMIN})
LOGIN_NAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the password page."""
    router.add_get("/admin/passwords", passwords_page, name="passwords")
    router.add_post("/admin/passwords", change_password)


async def passwords_page(request: web.Request) -> web.StreamResponse:
    """Staff and their password logins."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, ADMINS)
    return await _render(request, console, visitor)


async def _render(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    return console.render(
        request,
        "passwords.html",
        visitor=visitor,
        status=status,
        staff=await console.store.staff(),
        logins=await console.store.password_logins(),
        notice=notice,
        error=error,
        password_min=PASSWORD_MIN,
    )


async def change_password(request: web.Request) -> web.StreamResponse:
    """Set or remove a staff member's password login."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, ADMINS)
    posted = await console.form(request, visitor)
    try:
        notice = await _apply(console, visitor, posted.get("op", ""), posted)
    except Refusal as refusal:
        return await _render(
            request, console, visitor, error=refusal.message, status=refusal.status
        )
    return await _render(request, console, visitor, notice=notice)


async def _apply(console: Console, visitor: Visitor, op: str, posted: MultiDictProxy[str]) -> str:
    user_text = posted.get("user", "")
    if not user_text.isdigit() or len(user_text) > 12:
        raise Refusal(400, texts.MISSING_CHOICE.format(field="工作人员"))
    try:
        user = await console.intake.get_user(int(user_text))
    except IntakeError as refusal:
        raise Refusal(400, refusal.message) from None
    if op == "remove":
        await console.store.remove_password(user.id)
        log.info("console: password login of user %s removed by user %s", user.id, visitor.user.id)
        return texts.PASSWORD_REMOVED.format(name=user.display_name)
    if op != "set":
        raise Refusal(400, texts.BAD_CHOICE.format(field="操作"))
    if not user.role.is_staff:
        raise Refusal(400, texts.PASSWORD_NOT_STAFF)
    login = posted.get("login", "").strip()
    password = posted.get("password", "")
    if not LOGIN_NAME.fullmatch(login):
        raise Refusal(400, texts.LOGIN_NAME_BAD)
    problem = password_problem(password, login=login)
    if problem is not None:
        raise Refusal(400, _PROBLEMS[problem])
    if password != posted.get("repeat", ""):
        raise Refusal(400, texts.PASSWORD_MISMATCH)
    if not await console.store.set_password(user.id, login, password, visitor.user.id):
        raise Refusal(409, texts.LOGIN_NAME_TAKEN.format(login=login))
    log.info("console: password login of user %s set by user %s", user.id, visitor.user.id)
    return texts.PASSWORD_SET.format(name=user.display_name, login=login)


_PROBLEMS = {
    PasswordProblem.TOO_SHORT: texts.PASSWORD_TOO_SHORT.format(min=PASSWORD_MIN),
    PasswordProblem.TOO_LONG: texts.PASSWORD_TOO_LONG.format(max=PASSWORD_MAX),
    PasswordProblem.COMMON: texts.PASSWORD_COMMON,
    PasswordProblem.TRIVIAL: texts.PASSWORD_TRIVIAL,
    PasswordProblem.PERSONAL: texts.PASSWORD_PERSONAL,
}
