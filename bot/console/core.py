"""The console's shared machinery: who is visiting, forms and their CSRF tokens, rendering.

Every page goes through :meth:`Console.visitor` (no live session → the login page) and every
form through :meth:`Console.form` (no valid CSRF token → refused, nothing done). Templates are
Jinja2 with autoescaping, so whatever a villager typed is shown as text, never as markup.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from multidict import MultiDict, MultiDictProxy
from yarl import URL

from bot.console import texts
from bot.console.store import ConsoleStore
from bot.console.throttle import LoginThrottle
from handlers.services import Services
from intake import IntakeError, IntakeService, Role, UserView
from intake.changes import ChangeListener, listening
from intake.rules import OFFLINE_FILERS

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
SESSION_COOKIE = "mingbai_console"
PRE_COOKIE = "mingbai_console_pre"
# Forms are small; a reply is at most a few thousand characters.
FORM_MAX_BYTES = 64 * 1024

SUPERVISORS = frozenset({Role.TOWNSHIP_OFFICER, Role.ADMIN})
# Who prints the notice boards' QR codes: supervisors every village's, village staff their own.
QR_PRINTERS = SUPERVISORS | {Role.VILLAGE_MEDIATOR, Role.GRID_WORKER}

Notify = ChangeListener
FetchFile = Callable[[str], Awaitable[bytes]]

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Login links carry a secret: never send a page's address anywhere.
    "Referrer-Policy": "no-referrer",
}


class Refusal(Exception):
    """A request the console turns down with a message page; nothing was changed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Visitor:
    """A signed-in staff member and their session's CSRF token."""

    user: UserView
    csrf: str

    @property
    def is_supervisor(self) -> bool:
        """Township officers and admins see every page."""
        return self.user.role in SUPERVISORS

    @property
    def may_register_offline(self) -> bool:
        """Grid, village and township staff register cases that arrived offline."""
        return self.user.role in OFFLINE_FILERS

    @property
    def may_print_qr(self) -> bool:
        """Supervisors and village staff print the notice boards' QR codes."""
        return self.user.role in QR_PRINTERS

    @property
    def is_admin(self) -> bool:
        """Admins also manage passwords."""
        return self.user.role is Role.ADMIN


class Console:
    """Everything the console's handlers share.

    Args:
        services: The bot's services (intake, FAQ, configuration).
        notify: Hears of every change made in a request (:func:`console_middleware`), so the
            bot can tell the villager.
        fetch_file: Downloads a Telegram file by its file id (for attachments).
        secret_key: Signs the CSRF tokens of the login forms (before a session exists).
        base_url: The console's public address, e.g. ``https://example.org/console``.
        clock: Returns the current instant (timezone-aware).
        public_url: Where villagers reach the server (``MINGBAI_PUBLIC_URL``), if configured.

    """

    def __init__(
        self,
        services: Services,
        *,
        notify: Notify,
        fetch_file: FetchFile,
        secret_key: bytes,
        base_url: str,
        clock: Callable[[], datetime],
        public_url: str | None = None,
    ) -> None:
        if len(secret_key) < 16:
            raise ValueError("the console's secret key must have at least 16 bytes")
        self.services = services
        self.notify = notify
        self.fetch_file = fetch_file
        self.clock = clock
        self.public_url = public_url
        self.store = ConsoleStore(services.intake.engine, clock=clock)
        self.questions = services.questions
        self.secure_cookies = URL(base_url).scheme == "https"
        self.login_throttle = LoginThrottle()
        self._secret_key = secret_key
        self._templates = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._templates.filters["when"] = self.format_time
        self._templates.filters["day"] = self.format_day

    @property
    def intake(self) -> IntakeService:
        """The intake service."""
        return self.services.intake

    # Time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current instant."""
        return self.clock()

    def today(self) -> date:
        """The township's date today."""
        return self.intake.deadlines.local_date(self.now())

    def format_time(self, moment: datetime | None) -> str:
        """An instant as township wall-clock time, e.g. ``2026-03-02 09:00``."""
        if moment is None:
            return "—"
        return moment.astimezone(self.services.intake_config.tz).strftime("%Y-%m-%d %H:%M")

    def format_day(self, deadline: datetime | None) -> str:
        """The last day a stored deadline allows, e.g. ``2026-03-17``."""
        if deadline is None:
            return "—"
        return self.intake.deadlines.due_date(deadline).isoformat()

    # Who is visiting ------------------------------------------------------------------------

    async def visitor(self, request: web.Request) -> Visitor:
        """The signed-in staff member; without a live session, the login page.

        Raises:
            web.HTTPSeeOther: To the login page (for a GET).
            Refusal: 401 for other methods.

        """
        cookie = request.cookies.get(SESSION_COOKIE, "")
        info = await self.store.session(cookie) if cookie else None
        reason = "expired" if cookie else None
        user = await self.user_or_none(info.user_id) if info is not None else None
        if info is not None and user is not None:
            if user.role.is_staff:
                return Visitor(user, info.csrf_token)
            await self.store.close_sessions_of(user.id)
            reason = "not_staff"
        if request.method == "GET":
            target = self.url(request, "login")
            raise web.HTTPSeeOther(f"{target}?m={reason}" if reason else target)
        raise Refusal(401, texts.LOGIN_MESSAGES["expired"])

    async def user_or_none(self, user_id: int) -> UserView | None:
        """The user with this id, or ``None`` if there is none."""
        try:
            return await self.intake.get_user(user_id)
        except IntakeError:
            return None

    async def admitted(self, request: web.Request, allowed: frozenset[Role]) -> Visitor:
        """The signed-in staff member, if their role may open the page (see :meth:`visitor`).

        Raises:
            Refusal: 403 for a role not in ``allowed``.

        """
        visitor = await self.visitor(request)
        if visitor.user.role not in allowed:
            raise Refusal(403, texts.FORBIDDEN_PAGE.format(role=visitor.user.role.label))
        return visitor

    # Forms ----------------------------------------------------------------------------------

    async def read_form(self, request: web.Request) -> MultiDictProxy[str]:
        """The posted form's text fields, refusing oversized bodies before reading them."""
        too_large = Refusal(413, texts.FORM_TOO_LARGE.format(limit=FORM_MAX_BYTES // 1024))
        if request.content_length is not None and request.content_length > FORM_MAX_BYTES:
            raise too_large
        try:
            posted = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise too_large from None
        if sum(len(str(value)) for value in posted.values()) > FORM_MAX_BYTES:
            raise too_large
        return MultiDictProxy(_text_fields(posted))

    async def form(self, request: web.Request, visitor: Visitor) -> MultiDictProxy[str]:
        """The posted form of a signed-in visitor, if it carries their session's CSRF token."""
        posted = await self.read_form(request)
        if not hmac.compare_digest(posted.get("csrf", "").encode(), visitor.csrf.encode()):
            log.warning("console: a form without a valid CSRF token was refused")
            raise Refusal(403, texts.CSRF_FAILED)
        return posted

    def pre_session_token(self, request: web.Request) -> tuple[str, str | None]:
        """The CSRF token of a login form, and a new nonce to set as a cookie if needed."""
        nonce = request.cookies.get(PRE_COOKIE, "")
        fresh = None
        if not 20 <= len(nonce) <= 100:
            nonce = fresh = secrets.token_urlsafe(24)
        return self._sign(nonce), fresh

    def check_pre_session(self, request: web.Request, posted: Mapping[str, str]) -> None:
        """Refuse a login form whose CSRF token does not match this browser's cookie."""
        nonce = request.cookies.get(PRE_COOKIE, "")
        offered = posted.get("csrf", "")
        if not nonce or not hmac.compare_digest(offered.encode(), self._sign(nonce).encode()):
            log.warning("console: a login form without a valid CSRF token was refused")
            raise Refusal(403, texts.CSRF_FAILED)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret_key, nonce.encode(), hashlib.sha256).hexdigest()

    # Cookies --------------------------------------------------------------------------------

    def cookie_path(self, request: web.Request) -> str:
        """The path the console is mounted at, which its cookies are limited to."""
        return self.url(request, "home").rstrip("/") or "/"

    def set_cookie(
        self, request: web.Request, response: web.StreamResponse, name: str, value: str, age: int
    ) -> None:
        """Set an HttpOnly, SameSite=Strict cookie limited to the console."""
        response.set_cookie(
            name,
            value,
            max_age=age,
            path=self.cookie_path(request),
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
        )

    # Rendering ------------------------------------------------------------------------------

    def url(self, request: web.Request, name: str, **parts: str) -> str:
        """The path of a named console route, with the mount prefix."""
        return str(request.app.router[name].url_for(**parts))

    def render(
        self,
        request: web.Request,
        template: str,
        *,
        visitor: Visitor | None = None,
        status: int = 200,
        **context: Any,
    ) -> web.Response:
        """Render a page; every value is escaped unless it is marked safe."""

        def url(name: str, query: Mapping[str, str] | None = None, **parts: str) -> str:
            path = URL(self.url(request, name, **parts))
            return str(path.with_query(query)) if query else str(path)

        html = self._templates.get_template(template).render(
            title=texts.TITLE,
            visitor=visitor,
            url=url,
            request_path=request.path,
            **context,
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)

    def message(
        self, request: web.Request, status: int, message: str, visitor: Visitor | None = None
    ) -> web.Response:
        """A page that only says ``message``."""
        return self.render(request, "message.html", visitor=visitor, status=status, message=message)


def redirect(location: str) -> web.Response:
    """A 303 response to ``location`` (after a form, the browser fetches it with GET)."""
    return web.Response(status=303, headers={"Location": location})


def _text_fields(posted: MultiDictProxy[Any]) -> MultiDict[str]:
    fields: MultiDict[str] = MultiDict()
    for key, value in posted.items():
        if isinstance(value, str):
            fields.add(key, value)
    return fields


@web.middleware
async def console_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn refusals into message pages and add the security headers to every response.

    Every change intake makes while a request is handled is announced to the console's
    ``notify`` (:mod:`intake.changes`), so that the bot tells whoever must know; routes open a
    unit of work around each change, which the notices join.
    """
    try:
        with listening(request.app[CONSOLE].notify):
            response = await handler(request)
    except Refusal as refusal:
        console = request.app[CONSOLE]
        visitor = None
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if cookie and refusal.status != 401:
            info = await console.store.session(cookie)
            user = await console.user_or_none(info.user_id) if info is not None else None
            if info is not None and user is not None and user.role.is_staff:
                visitor = Visitor(user, info.csrf_token)
        response = console.message(request, refusal.status, refusal.message, visitor)
    except web.HTTPNotFound:
        response = request.app[CONSOLE].message(request, 404, texts.NOT_FOUND_PAGE, None)
    except web.HTTPException as exception:
        _secure(exception)
        raise
    _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")


CONSOLE: web.AppKey[Console] = web.AppKey("console", Console)
