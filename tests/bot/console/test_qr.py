"""The notice boards' QR codes: the printable page, the single-village downloads, who sees them.

No well-kept pure-Python QR reader exists, so a code is read back into its module matrix (from
segno's SVG path, or from the PNG's pixels) and compared with the matrix segno makes for the
address the code must open: equal matrices are the same code, so it decodes to that address.
"""

from __future__ import annotations

import re
import struct
import zlib
from html import unescape

import pytest
import segno
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intake import IntakeConfig, Role
from intake.models import User
from tests.bot.console.conftest import PREFIX, Console, errors_of

Matrix = list[list[bool]]

PUBLIC = "https://mingbai.example.org"
_CARD = re.compile(
    r'<section class="qr-card" id="qr-([^"]+)">\s*<h2>([^<]*)</h2>\s*(<svg.*?</svg>)'
    r'.*?<p class="qr-url">([^<]*)</p>',
    re.S,
)
_COMMAND = re.compile(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?")


def expected(url: str) -> Matrix:
    """The modules of the code that opens ``url`` (the error level the notice boards use)."""
    return [[bool(module) for module in row] for row in segno.make_qr(url, error="q").matrix]


def svg_matrix(svg: str, border: int) -> Matrix:
    """The modules drawn by segno's SVG path: horizontal dark runs, one unit per module."""
    # The drawing's side is the modules times the path's scale, as a viewBox or a width.
    side = re.search(r'(?:viewBox="0 0 |width=")(\d+)', svg)
    scaled = re.search(r"scale\((\d+)\)", svg)
    path = re.search(r' d="([^"]+)"', svg)
    assert side is not None and path is not None, svg[:200]
    modules = int(side.group(1)) // (int(scaled.group(1)) if scaled else 1)
    dark = [[False] * modules for _ in range(modules)]
    x = y = 0.0
    for command, first, second in _COMMAND.findall(path.group(1)):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                dark[int(y)][column] = True
            x += float(first)
    return [row[border:-border] for row in dark[border:-border]]


def png_matrix(png: bytes, scale: int, border: int) -> Matrix:
    """The modules of a 1-bit greyscale PNG, sampled at each module's centre."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0), "a black-and-white image"
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    rows: list[bytes] = []
    for index in range(height):
        line = raw[index * (stride + 1) : (index + 1) * (stride + 1)]
        kind, data = line[0], line[1:]
        assert kind in (0, 2), "only the None and Up filters"
        if kind == 2:
            data = bytes((a + b) & 0xFF for a, b in zip(data, rows[-1], strict=True))
        rows.append(data)

    def black(px: int, py: int) -> bool:
        return not rows[py][px // 8] >> (7 - px % 8) & 1

    modules = width // scale - 2 * border
    return [
        [
            black((border + column) * scale + scale // 2, (border + row) * scale + scale // 2)
            for column in range(modules)
        ]
        for row in range(modules)
    ]


def cards(html: str) -> dict[str, tuple[str, str, str]]:
    """Each card's village code → its village name, inline SVG and written-out address."""
    return {
        code: (unescape(name), svg, unescape(url)) for code, name, svg, url in _CARD.findall(html)
    }


def host_of(console: Console) -> str:
    """The address the test client reaches the console at, as a browser would."""
    return f"http://{console.client.host}:{console.client.port}"


async def test_every_village_has_a_card_whose_code_opens_its_chat_page(
    console: Console, config: IntakeConfig
) -> None:
    await console.login(console.people.officer)

    status, html = await console.get("/qr")

    assert status == 200
    shown = cards(html)
    villages = config.township.villages
    assert list(shown) == [village.code for village in villages]
    for village in villages:
        name, svg, url = shown[village.code]
        address = f"{host_of(console)}/chat/?v={village.code}"
        assert name == village.name
        assert url == address
        assert svg_matrix(svg, border=4) == expected(address), village.code
    assert "用手机扫一扫，问法律问题、找镇上工作人员" in html
    # Nothing is fetched from elsewhere: the codes are drawn in the page itself.
    assert "<img" not in html and "http://www.w3.org" not in html


async def test_without_a_public_url_the_page_says_the_codes_use_this_address(
    console: Console,
) -> None:
    await console.login(console.people.officer)

    _, html = await console.get("/qr")

    assert "没有设置 MINGBAI_PUBLIC_URL" in html
    assert f"<code>{host_of(console)}/chat/</code>" in html
    assert "村民的手机必须能打开这个地址" in html
    # The test server listens on the loopback, which no villager's phone reaches.
    assert 'id="qr-local"' in html
    assert "村（社区）名单仍是示例数据" in html


@pytest.mark.parametrize("public_url", [PUBLIC + "/"])
async def test_the_public_url_is_used_when_set(console: Console, config: IntakeConfig) -> None:
    await console.login(console.people.officer)

    _, html = await console.get("/qr")

    first = config.township.villages[0]
    _, svg, url = cards(html)[first.code]
    assert url == f"{PUBLIC}/chat/?v={first.code}"
    assert svg_matrix(svg, border=4) == expected(url)
    assert f"<code>{PUBLIC}/chat/</code>，来自设置 MINGBAI_PUBLIC_URL" in html
    assert "村民的手机必须能打开这个地址" in html
    assert 'id="qr-local"' not in html
    assert host_of(console) not in html


@pytest.mark.parametrize("public_url", [PUBLIC])
async def test_one_village_downloads_as_svg_and_png(console: Console) -> None:
    await console.login(console.people.officer)
    address = f"{PUBLIC}/chat/?v=V02"

    svg = await console.client.get(f"{PREFIX}/qr/V02.svg")
    png = await console.client.get(f"{PREFIX}/qr/V02.png")

    assert svg.status == 200 and svg.content_type == "image/svg+xml"
    assert 'filename="mingbai-qr-V02.svg"' in svg.headers["Content-Disposition"]
    assert svg_matrix(await svg.text(), border=4) == expected(address)
    assert png.status == 200 and png.content_type == "image/png"
    assert png_matrix(await png.read(), scale=10, border=4) == expected(address)


async def test_an_unknown_village_is_a_clear_404(console: Console) -> None:
    await console.login(console.people.officer)

    for path in ("/qr/V99.svg", "/qr/V99.png", "/qr/%3Cb%3E.png"):
        status, html = await console.get(path)
        assert status == 404, path
        assert "没有代码为「" in errors_of(html)
    assert "「&lt;b&gt;」" in html


async def test_village_staff_print_only_their_own_villages(
    console: Console, config: IntakeConfig
) -> None:
    people = console.people
    grid = await console.intake.get_user(people.grid)
    for person, own in (
        (people.mediator, ["V01"]),
        (people.grid, [v.code for v in config.township.villages if v.grid == grid.grid_code]),
    ):
        await console.login(person)
        status, html = await console.get("/qr")
        assert status == 200
        assert 'id="nav-qr"' in html
        assert list(cards(html)) == own
        status, html = await console.get("/qr/V02.svg")
        assert status == 403
        assert "您只能打印本村（网格）的二维码" in errors_of(html)
        png = await console.client.get(f"{PREFIX}/qr/V01.png")
        assert png.status == 200


async def test_staff_whose_village_left_the_map_are_told_so(console: Console) -> None:
    async with AsyncSession(console.intake.engine) as session, session.begin():
        await session.execute(
            update(User).where(User.id == console.people.mediator).values(village_code="V99")
        )
    await console.login(console.people.mediator)

    status, html = await console.get("/qr")

    assert status == 200
    assert cards(html) == {}
    assert "不在现在的名单里" in html


async def test_department_staff_are_refused(console: Console) -> None:
    await console.login(console.people.police)

    _, queue = await console.get("/queue")
    status, html = await console.get("/qr")

    assert 'id="nav-qr"' not in queue
    assert status == 403
    assert "不能打开这个页面" in errors_of(html)
    status, _ = await console.get("/qr/V01.svg")
    assert status == 403


async def test_visitors_who_are_not_logged_in_are_sent_to_the_login_page(
    console: Console,
) -> None:
    for path in ("/qr", "/qr/V01.svg", "/qr/V01.png"):
        response = await console.client.get(PREFIX + path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"] == f"{PREFIX}/login"


async def test_a_villager_is_refused(console: Console) -> None:
    await console.login(console.people.mediator)
    await console.intake.set_role(console.people.admin, console.people.mediator, Role.VILLAGER)

    page = await console.client.get(f"{PREFIX}/qr", allow_redirects=False)
    # Refused once, the session is over: the download is refused too.
    download = await console.client.get(f"{PREFIX}/qr/V01.svg", allow_redirects=False)

    assert page.status == 303
    assert page.headers["Location"] == f"{PREFIX}/login?m=not_staff"
    assert download.status == 303
    assert download.headers["Location"] == f"{PREFIX}/login?m=expired"
