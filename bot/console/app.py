"""The console as an aiohttp sub-application, its login and logout, and the login links.

Staff log in with a one-time link the bot sends them (``/console``), or with a password an admin
set. Opening a link shows a button; only pressing it spends the link, so that link previews and
prefetching browsers cannot use it up.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web
from yarl import URL

from bot.console import (
    admin,
    broadcasts,
    dead_letters,
    figures,
    learning,
    liaisons,
    offline,
    qr,
    texts,
    tickets,
)
from bot.console.core import (
    CONSOLE,
    PRE_COOKIE,
    SESSION_COOKIE,
    TEMPLATES,
    Console,
    FetchFile,
    Notify,
    Refusal,
    console_middleware,
    redirect,
)
from bot.console.store import SESSION_LIFETIME, ConsoleStore, LinkState
from handlers.services import Services
from intake.clock import utcnow

log = logging.getLogger(__name__)

LOGIN_PATH = "/login/link"
TOKEN_MAX = 100
PRE_COOKIE_AGE = 3600

_STYLESHEET = (TEMPLATES / "console.css").read_text(encoding="utf-8")


def build_console(
    services: Services,
    *,
    notify: Notify,
    fetch_file: FetchFile,
    secret_key: bytes,
    base_url: str,
    clock: Callable[[], datetime] = utcnow,
    public_url: str | None = None,
) -> web.Application:
    """The staff console, to be mounted with ``app.add_subapp("/console", console)``.

    Args:
        services: The bot's services; the console uses the same database as intake.
        notify: Called after every change with its outcome, so the bot tells the villager.
        fetch_file: Downloads a Telegram file by id, for photos and voice messages.
        secret_key: At least 16 random bytes, signing the login forms' CSRF tokens (a new
            random key at each start is fine: sessions live in the database).
        base_url: The console's public address (its mount point), e.g.
            ``https://example.org/console``; cookies are ``Secure`` when it is https.
        clock: Returns the current instant (timezone-aware); tests pass a fake one.
        public_url: Where villagers' phones reach the server (``MINGBAI_PUBLIC_URL``), for
            the QR codes; without it they point at the address the console was opened at.

    Returns:
        The sub-application.

    """
    console = Console(
        services,
        notify=notify,
        fetch_file=fetch_file,
        secret_key=secret_key,
        base_url=base_url,
        clock=clock,
        public_url=public_url,
    )
    app = web.Application(middlewares=[console_middleware])
    app[CONSOLE] = console
    router = app.router
    router.add_get("/", _home, name="home")
    router.add_get("/console.css", _stylesheet, name="css")
    router.add_get("/login", _login_page, name="login")
    router.add_post("/login", _password_login)
    router.add_get(LOGIN_PATH, _link_page, name="link")
    router.add_post(LOGIN_PATH, _link_login)
    router.add_post("/logout", _logout, name="logout")
    # Before the tickets: /tickets/new would otherwise be taken for a ticket number.
    offline.add_routes(router)
    tickets.add_routes(router)
    figures.add_routes(router)
    liaisons.add_routes(router)
    learning.add_routes(router)
    admin.add_routes(router)
    dead_letters.add_routes(router)
    broadcasts.add_routes(router)
    qr.add_routes(router)
    return app


async def issue_login_link(
    services: Services,
    telegram_id: int,
    *,
    base_url: str,
    clock: Callable[[], datetime] = utcnow,
) -> str | None:
    """A one-time login link for a staff member, valid for ten minutes.

    Args:
        services: The bot's services.
        telegram_id: Who asked (``/console`` in a private chat).
        base_url: The console's public address, as given to :func:`build_console`.
        clock: Returns the current instant.

    Returns:
        The full URL, or ``None`` if the person is unknown or not staff.

    """
    store = ConsoleStore(services.intake.engine, clock=clock)
    user = await store.user_by_telegram(telegram_id)
    if user is None or not user.role.is_staff:
        return None
    token = await store.issue_link_token(user.id)
    log.info("console: login link issued to user %s", user.id)
    return str(URL(base_url.rstrip("/") + LOGIN_PATH).with_query(token=token))


def link_issuer(
    services: Services, base_url: str, *, clock: Callable[[], datetime] = utcnow
) -> Callable[[int], Awaitable[str | None]]:
    """:func:`issue_login_link` bound to the services and address, for the ``/console`` handler."""

    async def issue(telegram_id: int) -> str | None:
        return await issue_login_link(services, telegram_id, base_url=base_url, clock=clock)

    return issue


# Handlers -----------------------------------------------------------------------------------


async def _home(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    await console.visitor(request)
    raise web.HTTPSeeOther(console.url(request, "queue"))


async def _stylesheet(request: web.Request) -> web.StreamResponse:
    response = web.Response(text=_STYLESHEET, content_type="text/css", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


async def _login_page(request: web.Request) -> web.StreamResponse:
    return _render_login(request, notice=texts.LOGIN_MESSAGES.get(request.query.get("m", "")))


def _render_login(
    request: web.Request, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    console = request.app[CONSOLE]
    token, fresh = console.pre_session_token(request)
    response = console.render(
        request,
        "login.html",
        status=status,
        csrf=token,
        notice=notice,
        error=error,
        hint=texts.LOGIN_HINT,
    )
    if fresh is not None:
        console.set_cookie(request, response, PRE_COOKIE, fresh, PRE_COOKIE_AGE)
    return response


async def _password_login(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    posted = await console.read_form(request)
    console.check_pre_session(request, posted)
    login = posted.get("login", "").strip()[:64]
    password = posted.get("password", "")[:256]
    address = request.remote or ""
    wait = console.login_throttle.wait(address, console.now())
    if wait > timedelta(0):
        # Not even checked: a right guess during the wait must not tell the guesser anything.
        response = _render_login(
            request, error=texts.LOGIN_THROTTLED.format(wait=_wait_text(wait)), status=429
        )
        response.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return response
    user_id = await console.store.check_password(login, password) if login else None
    if user_id is None:
        console.login_throttle.failed(address, console.now())
        log.warning("console: failed password login")
        return _render_login(request, error=texts.LOGIN_FAILED, status=401)
    console.login_throttle.succeeded(address)
    return await _start_session(request, user_id)


def _wait_text(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    if seconds < 120:
        return texts.WAIT_SECONDS.format(count=seconds)
    return texts.WAIT_MINUTES.format(count=math.ceil(seconds / 60))


async def _link_page(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    token = request.query.get("token", "")
    state = await console.store.link_state(token) if 0 < len(token) <= TOKEN_MAX else None
    if state is not LinkState.VALID:
        raise Refusal(403, _LINK_REFUSALS.get(state, texts.LINK_UNKNOWN))
    csrf, fresh = console.pre_session_token(request)
    response = console.render(
        request, "link.html", csrf=csrf, token=token, message=texts.LINK_CONFIRM
    )
    if fresh is not None:
        console.set_cookie(request, response, PRE_COOKIE, fresh, PRE_COOKIE_AGE)
    return response


async def _link_login(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    posted = await console.read_form(request)
    console.check_pre_session(request, posted)
    token = posted.get("token", "")
    user_id = await console.store.spend_link_token(token) if 0 < len(token) <= TOKEN_MAX else None
    if user_id is None:
        state = await console.store.link_state(token) if 0 < len(token) <= TOKEN_MAX else None
        log.warning("console: a login link that is not valid (%s) was refused", state)
        raise Refusal(403, _LINK_REFUSALS.get(state, texts.LINK_UNKNOWN))
    return await _start_session(request, user_id)


async def _start_session(request: web.Request, user_id: int) -> web.StreamResponse:
    console = request.app[CONSOLE]
    user = await console.intake.get_user(user_id)
    if not user.role.is_staff:
        raise Refusal(403, texts.NOT_STAFF)
    cookie = await console.store.open_session(user.id)
    log.info("console: user %s logged in", user.id)
    response = redirect(console.url(request, "queue"))
    console.set_cookie(
        request, response, SESSION_COOKIE, cookie, int(SESSION_LIFETIME.total_seconds())
    )
    response.del_cookie(PRE_COOKIE, path=console.cookie_path(request))
    return response


async def _logout(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    await console.form(request, visitor)
    await console.store.close_session(request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(console.url(request, "login") + "?m=logged_out")
    response.del_cookie(SESSION_COOKIE, path=console.cookie_path(request))
    return response


_LINK_REFUSALS: dict[LinkState | None, str] = {
    LinkState.UNKNOWN: texts.LINK_UNKNOWN,
    LinkState.USED: texts.LINK_USED,
    LinkState.EXPIRED: texts.LINK_EXPIRED,
}
