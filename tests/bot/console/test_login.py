"""Logging in to the console: one-time links, passwords, sessions, CSRF and logging out."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from yarl import URL

from bot.console import build_console, issue_login_link
from bot.console.store import ConsoleStore, LinkState, digest
from intake import Outcome, Role
from tests.bot.console.conftest import BASE_URL, PREFIX, Console, csrf_of, errors_of
from tests.intake.conftest import file

PAGES = [
    "/",
    "/queue",
    "/tickets/2026-000001",
    "/tickets/2026-000001/files/1",
    "/figures",
    "/figures/report.xlsx",
    "/figures/report.csv",
    "/learning",
    "/admin/passwords",
]


async def _ignore(outcome: Outcome) -> None:
    return None


async def _no_file(file_id: str) -> bytes:
    return b""


FORMS = [
    "/tickets/2026-000001/reply",
    "/learning/draft",
    "/admin/passwords",
    "/logout",
]


@pytest.mark.parametrize("path", PAGES)
async def test_without_a_session_every_page_leads_to_the_login_page(
    console: Console, path: str
) -> None:
    response = await console.client.get(PREFIX + path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"{PREFIX}/login"

    status, html = await console.get(path)
    assert status == 200
    assert "登录工作台" in html
    assert "/console" in html  # the hint to ask the bot for a link


async def test_an_unknown_page_says_so_in_chinese(console: Console) -> None:
    status, html = await console.get("/no-such-page")
    assert status == 404
    assert "没有这个页面" in html


@pytest.mark.parametrize("path", FORMS)
async def test_without_a_session_no_form_is_accepted(console: Console, path: str) -> None:
    number = (await file(console.intake, console.people.villager)).ticket.number
    status, html = await console.post(path, {"text": "答复", "csrf": "x"})
    assert status == 401
    assert "请重新登录" in errors_of(html)
    assert len(await console.intake.history(console.people.admin, number)) == 1


async def test_a_login_link_opens_a_session_once(console: Console) -> None:
    path = await console.link(console.people.officer)
    assert path.startswith(f"{PREFIX}/login/link?token=")

    # Opening the link (as a link preview would) does not spend it.
    for _ in range(2):
        page = await console.client.get(path)
        assert page.status == 200
        assert "确认登录" in await page.text()
    csrf = csrf_of(await page.text())
    token = URL(path).query["token"]
    done = await console.client.post(
        f"{PREFIX}/login/link", data={"csrf": csrf, "token": token}, allow_redirects=False
    )

    assert done.status == 303
    assert done.headers["Location"] == f"{PREFIX}/queue"
    cookie = done.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("mingbai_console="))
    for attribute in ("HttpOnly", "SameSite=Strict", f"Path={PREFIX}"):
        assert attribute in session
    assert "Secure" not in session  # the test address is http
    status, html = await console.get("/queue")
    assert status == 200
    assert "镇干部（镇干部）" in html

    # The same link again: refused, whether opened or posted.
    status, html = await console.get(URL(path).path_qs.removeprefix(PREFIX))
    assert status == 403
    assert "已经用过了" in errors_of(html)
    login = await console.client.get(f"{PREFIX}/login")
    again = await console.client.post(
        f"{PREFIX}/login/link",
        data={"csrf": csrf_of(await login.text()), "token": token},
        allow_redirects=False,
    )
    assert again.status == 403
    assert "已经用过了" in errors_of(await again.text())


@pytest.mark.parametrize(
    "token", ["forged-token-forged-token-forged-token-xyz", "", "x" * 5000, "<script>x</script>"]
)
async def test_a_forged_link_is_refused(console: Console, token: str) -> None:
    status, html = await console.get("/login/link", params={"token": token})
    assert status == 403
    assert "登录链接无效" in errors_of(html)
    assert "<script>x" not in html

    login = await console.client.get(f"{PREFIX}/login")
    response = await console.client.post(
        f"{PREFIX}/login/link",
        data={"csrf": csrf_of(await login.text()), "token": token},
        allow_redirects=False,
    )
    assert response.status == 403
    assert "mingbai_console=" not in "".join(response.headers.getall("Set-Cookie", []))


async def test_an_expired_link_is_refused(console: Console) -> None:
    path = await console.link(console.people.officer)
    page = await console.client.get(path)
    console.clock.advance(minutes=11)

    status, html = await console.get(path.removeprefix(PREFIX))
    assert status == 403
    assert "过期" in errors_of(html)
    response = await console.client.post(
        f"{PREFIX}/login/link",
        data={"csrf": csrf_of(await page.text()), "token": URL(path).query["token"]},
    )
    assert response.status == 403


async def test_a_link_posted_without_the_login_forms_token_is_refused_and_stays_usable(
    console: Console,
) -> None:
    path = await console.link(console.people.officer)
    token = URL(path).query["token"]

    for csrf in (None, "forged"):
        data = {"token": token} | ({"csrf": csrf} if csrf else {})
        response = await console.client.post(
            f"{PREFIX}/login/link", data=data, allow_redirects=False
        )
        assert response.status == 403
        assert "表单已失效" in errors_of(await response.text())

    await console.login(console.people.officer)  # a fresh link still works; so does this one
    console.client.session.cookie_jar.clear()
    page = await console.client.get(path)
    assert page.status == 200


async def test_links_are_only_for_staff(console: Console) -> None:
    villager = await console.intake.get_user(console.people.villager)
    liaison = await console.intake.get_user(console.people.liaison)
    for person in (villager, liaison):
        assert person.telegram_id is not None
        link = await issue_login_link(console.services, person.telegram_id, base_url=BASE_URL)
        assert link is None
    assert await issue_login_link(console.services, 999_999, base_url=BASE_URL) is None


async def test_a_session_ends_after_twelve_hours(console: Console) -> None:
    await console.login(console.people.grid)
    console.clock.advance(hours=13)

    response = await console.client.get(f"{PREFIX}/queue", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"{PREFIX}/login?m=expired"
    _, html = await console.get("/login?m=expired")
    assert "登录已过期" in html


async def test_someone_no_longer_staff_is_logged_out(console: Console) -> None:
    await console.login(console.people.grid)
    await console.intake.set_role(console.people.admin, console.people.grid, Role.VILLAGER)

    response = await console.client.get(f"{PREFIX}/queue", allow_redirects=False)
    assert response.headers["Location"] == f"{PREFIX}/login?m=not_staff"


async def test_logging_out_needs_the_token_and_ends_the_session(console: Console) -> None:
    await console.login(console.people.officer)

    status, _ = await console.post("/logout", {"csrf": "forged"})
    assert status == 403
    assert (await console.get("/queue"))[0] == 200

    response = await console.client.post(
        f"{PREFIX}/logout", data={"csrf": console.csrf}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == f"{PREFIX}/login?m=logged_out"
    response = await console.client.get(f"{PREFIX}/queue", allow_redirects=False)
    assert response.status == 303


async def test_password_policy_failed_logins_slow_the_address_down_across_login_names(
    console: Console,
) -> None:
    await console.login(console.people.admin)
    status, html = await console.post(
        "/admin/passwords",
        {
            "op": "set",
            "user": str(console.people.officer),
            "login": "officer.zhang",
            "password": "correct horse battery",
            "repeat": "correct horse battery",
        },
    )
    assert status == 200, errors_of(html)
    console.client.session.cookie_jar.clear()

    async def attempt(login: str, password: str) -> tuple[int, str, str | None]:
        page = await console.client.get(f"{PREFIX}/login")
        response = await console.client.post(
            f"{PREFIX}/login",
            data={"csrf": csrf_of(await page.text()), "login": login, "password": password},
            allow_redirects=False,
        )
        return response.status, await response.text(), response.headers.get("Retry-After")

    assert (await attempt("officer.zhang", "wrong password"))[0] == 401
    assert (await attempt("nobody", "correct horse battery"))[0] == 401
    assert (await attempt("officer.zhang", "correct horse battery"))[0] == 303
    status, html = await console.get("/queue")
    assert "镇干部（镇干部）" in html

    # Three free failures, each with another name; then a wait that doubles with every failure.
    console.client.session.cookie_jar.clear()
    for name in ("officer.zhang", "officer.li", "admin"):
        assert (await attempt(name, "guess it"))[0] == 401
    status, html, retry = await attempt("officer.zhang", "correct horse battery")
    assert (status, retry) == (429, "1")
    assert "请 1 秒后再试" in errors_of(html) and "/console" in errors_of(html)
    console.clock.advance(seconds=1)
    assert (await attempt("officer.wang", "guess it"))[0] == 401
    console.clock.advance(seconds=1)
    assert (await attempt("officer.zhang", "correct horse battery"))[0] == 429
    console.clock.advance(seconds=1)
    assert (await attempt("officer.zhang", "correct horse battery"))[0] == 303


async def test_password_login_needs_the_login_forms_token(console: Console) -> None:
    response = await console.client.post(
        f"{PREFIX}/login", data={"login": "a", "password": "b"}, allow_redirects=False
    )
    assert response.status == 403


async def test_every_response_carries_the_security_headers(console: Console) -> None:
    await console.login(console.people.officer)
    for path in ("/queue", "/login", "/login/link?token=nothing"):
        response = await console.client.get(PREFIX + path)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_cookies_are_secure_behind_https(console: Console) -> None:
    app = web.Application()
    app.add_subapp(
        PREFIX,
        build_console(
            console.services,
            notify=_ignore,
            fetch_file=_no_file,
            secret_key=b"s" * 32,
            base_url="https://example.org/console",
            clock=console.clock,
        ),
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.get(f"{PREFIX}/login")
        assert "Secure" in response.headers["Set-Cookie"]


def test_a_short_secret_key_is_refused(console: Console) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        build_console(
            console.services,
            notify=_ignore,
            fetch_file=_no_file,
            secret_key=b"short",
            base_url=BASE_URL,
        )


async def test_two_browsers_racing_with_one_link_get_one_session(console: Console) -> None:
    store = ConsoleStore(console.intake.engine, clock=console.clock)
    token = await store.issue_link_token(console.people.officer)

    spent = await asyncio.gather(*(store.spend_link_token(token) for _ in range(4)))

    assert sorted(spent, key=lambda user: user is None) == [console.people.officer, *[None] * 3]
    assert await store.link_state(token) is LinkState.USED


async def test_tokens_and_session_cookies_are_stored_only_as_hashes(console: Console) -> None:
    await console.login(console.people.officer)
    cookie = console.client.session.cookie_jar.filter_cookies(
        console.client.make_url(f"{PREFIX}/queue")
    )["mingbai_console"].value
    async with AsyncSession(console.intake.engine) as session:
        stored = (await session.execute(text("SELECT id_hash FROM console_sessions"))).scalars()
        tokens = (await session.execute(text("SELECT token_hash FROM console_login_tokens"))).all()
    assert list(stored) == [digest(cookie)]
    assert len(tokens) == 1
