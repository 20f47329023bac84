"""QR codes for the village notice boards: each opens the chat page with its village preset.

The page prints on A4, one card per village. The address in the codes is the configured public
URL (``MINGBAI_PUBLIC_URL``) when there is one, else the address this console was opened at; the
page says which, since a code is only useful if villagers' phones can reach that address.
Township officers and admins print every village's code; village mediators their own village's
and grid workers those of their grid's villages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlencode

import segno
from aiohttp import web
from markupsafe import Markup
from yarl import URL

from bot.console import texts
from bot.console.core import CONSOLE, QR_PRINTERS, Console, Refusal, Visitor
from bot.console.export import SAMPLE_NOTE
from intake import Role
from intake.config import Village

CHAT_PATH = "/chat/"
VILLAGE_PARAMETER = "v"
# Q recovers a quarter of the code: a notice board's print gets rained on and scratched.
ERROR_LEVEL = "q"
# Modules per pixel of the downloaded PNG, and the quiet zone segno's readers expect.
PNG_SCALE = 10
BORDER = 4

# A village code may hold any character; the download's file name keeps only the safe ones.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]")


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the printable page and the single-village SVG and PNG downloads."""
    router.add_get("/qr", qr_page, name="qr")
    router.add_get("/qr/{code}.svg", qr_svg, name="qr_svg")
    router.add_get("/qr/{code}.png", qr_png, name="qr_png")


def chat_url(base: str, village_code: str) -> str:
    """The chat page's address with the village preset, e.g. ``https://x.org/chat/?v=V01``."""
    return base.rstrip("/") + CHAT_PATH + "?" + urlencode({VILLAGE_PARAMETER: village_code})


def qr_code(base: str, village_code: str) -> segno.QRCode:
    """The QR code that opens the chat page for a village."""
    return segno.make_qr(chat_url(base, village_code), error=ERROR_LEVEL)


@dataclass(frozen=True)
class Base:
    """The address the codes point at, and whether it is the configured public URL."""

    url: str
    configured: bool

    @property
    def local_only(self) -> bool:
        """Whether only this computer can open it (a loopback address or ``localhost``)."""
        host = URL(self.url).host or ""
        if host.lower() == "localhost":
            return True
        try:
            return ip_address(host).is_loopback
        except ValueError:
            return False


def base_of(console: Console, request: web.Request) -> Base:
    """The configured public URL, else the scheme and host this request came to."""
    if console.public_url:
        return Base(console.public_url.rstrip("/"), configured=True)
    return Base(f"{request.scheme}://{request.host}", configured=False)


@dataclass(frozen=True)
class Card:
    """One village's card on the printed page."""

    village: Village
    url: str
    svg: Markup


async def qr_page(request: web.Request) -> web.StreamResponse:
    """Every village the visitor may print, one card each, ready for A4."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, QR_PRINTERS)
    base = base_of(console, request)
    cards = [
        Card(
            village,
            chat_url(base.url, village.code),
            # segno writes the markup itself and escapes the title (the village's name).
            Markup(
                qr_code(base.url, village.code).svg_inline(
                    border=BORDER, omitsize=True, title=village.name, svgclass="qr"
                )
            ),
        )
        for village in _printable(console, visitor)
    ]
    return console.render(
        request,
        "qr.html",
        visitor=visitor,
        cards=cards,
        base=base,
        board_line=texts.QR_BOARD_LINE,
        sample_note=SAMPLE_NOTE if console.services.intake_config.township.sample else None,
    )


async def qr_svg(request: web.Request) -> web.StreamResponse:
    """One village's code as a standalone SVG file."""
    village, base = await _one(request)
    out = io.BytesIO()
    qr_code(base.url, village.code).save(
        out, kind="svg", scale=PNG_SCALE, border=BORDER, title=village.name
    )
    return _file(out.getvalue(), "image/svg+xml", village, "svg")


async def qr_png(request: web.Request) -> web.StreamResponse:
    """One village's code as a PNG image."""
    village, base = await _one(request)
    out = io.BytesIO()
    qr_code(base.url, village.code).save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return _file(out.getvalue(), "image/png", village, "png")


async def _one(request: web.Request) -> tuple[Village, Base]:
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, QR_PRINTERS)
    code = request.match_info["code"]
    village = console.services.intake_config.village(code)
    if village is None:
        raise Refusal(404, texts.QR_UNKNOWN_VILLAGE.format(code=code[:32]))
    if village not in _printable(console, visitor):
        raise Refusal(403, texts.QR_OTHER_VILLAGE.format(name=village.name))
    return village, base_of(console, request)


def _printable(console: Console, visitor: Visitor) -> list[Village]:
    """The villages whose codes the visitor may print: all for supervisors, else their own."""
    user = visitor.user
    return [
        village
        for village in console.services.intake_config.township.villages
        if visitor.is_supervisor
        or (user.role is Role.VILLAGE_MEDIATOR and village.code == user.village_code)
        or (user.role is Role.GRID_WORKER and village.grid == user.grid_code)
    ]


def _file(body: bytes, content_type: str, village: Village, extension: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type)
    name = _UNSAFE_IN_NAME.sub("_", village.code)
    response.headers["Content-Disposition"] = f'inline; filename="mingbai-qr-{name}.{extension}"'
    return response
