"""Fixtures for the console tests: the console mounted at /console on an aiohttp test server.

The intake fixtures (a migrated database, a fake clock, a cast of people) are reused, on SQLite
only: the console adds no SQL of its own beyond intake's tested models.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError
from yarl import URL

from bot.console import build_console, issue_login_link
from handlers.notify import Notifier
from handlers.services import Services
from intake import IntakeConfig, IntakeService, Outcome
from intake.question_log import QuestionLog
from knowledge.service import Faq
from tests.intake import conftest as intake_fixtures
from tests.intake.conftest import Backend, FakeClock, People, _migrate_sqlite

BASE_URL = "http://console.test/console"
PREFIX = "/console"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OGG = b"OggS" + b"\x00" * 32
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


# The intake fixtures, reused.
clock = intake_fixtures.clock
config = intake_fixtures.config
engine = intake_fixtures.engine
people = intake_fixtures.people
service = intake_fixtures.service


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """SQLite only (overrides the intake fixture that adds PostgreSQL)."""
    template = tmp_path_factory.mktemp("console") / "template.db"
    asyncio.run(_migrate_sqlite(template))
    yield Backend("sqlite", sqlite_template=template)


@pytest.fixture(scope="session")
def faq() -> Faq:
    return Faq.load()


@pytest.fixture
def public_url() -> str | None:
    """``MINGBAI_PUBLIC_URL`` as the console is given it: unset unless a test parametrizes it."""
    return None


@dataclass
class Console:
    """The console under test, the people in it and what it told the bot."""

    client: TestClient[Any, Any]
    services: Services
    people: People
    clock: FakeClock
    notified: list[Outcome] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    failing: list[bool] = field(default_factory=list)
    csrf: str = ""

    def break_notifications(self) -> None:
        """Make ``notify`` fail from now on, as when the outbox cannot be written."""
        self.failing.append(True)

    @property
    def intake(self) -> IntakeService:
        return self.services.intake

    @property
    def questions(self) -> QuestionLog:
        return QuestionLog(self.intake.engine, clock=self.clock)

    async def link(self, user_id: int) -> str:
        """A fresh login link for a person, as a path on the test server."""
        user = await self.intake.get_user(user_id)
        assert user.telegram_id is not None
        url = await issue_login_link(
            self.services, user.telegram_id, base_url=BASE_URL, clock=self.clock
        )
        assert url is not None
        return URL(url).path_qs

    async def login(self, user_id: int) -> str:
        """Log in as a person with a login link (after logging anyone else out)."""
        self.client.session.cookie_jar.clear()
        path = await self.link(user_id)
        page = await self.client.get(path)
        assert page.status == 200, await page.text()
        token = URL(path).query["token"]
        done = await self.client.post(
            f"{PREFIX}/login/link",
            data={"csrf": csrf_of(await page.text()), "token": token},
            allow_redirects=False,
        )
        assert done.status == 303, await done.text()
        queue = await self.client.get(f"{PREFIX}/queue")
        assert queue.status == 200
        self.csrf = csrf_of(await queue.text())
        return self.csrf

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        response = await self.client.get(PREFIX + path, **kwargs)
        return response.status, await response.text()

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True
    ) -> tuple[int, str]:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        response = await self.client.post(PREFIX + path, data=form)
        return response.status, await response.text()


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def errors_of(html: str) -> str:
    """The text of the page's refusal message (error box or message page)."""
    found = re.search(r'<p class="error" role="alert"[^>]*>(.*?)</p>', html, re.S) or re.search(
        r'<p id="message">(.*?)</p>', html, re.S
    )
    return found.group(1) if found else ""


@pytest.fixture
async def console(
    service: IntakeService,
    config: IntakeConfig,
    people: People,
    clock: FakeClock,
    faq: Faq,
    public_url: str | None,
) -> AsyncIterator[Console]:
    services = Services(
        faq=faq,
        intake=service,
        intake_config=config,
        staff_chat_id=None,
        admin_ids=frozenset(),
        questions=QuestionLog(service.engine),
        notifier_for=Notifier,
        clock=clock,
    )
    notified: list[Outcome] = []
    files = {"photo-1": PNG, "voice-1": OGG}
    failing: list[bool] = []

    async def notify(outcome: Outcome) -> None:
        if failing:
            raise OperationalError("INSERT INTO outbox_messages", {}, OSError("database away"))
        notified.append(outcome)

    async def fetch_file(file_id: str) -> bytes:
        return files[file_id]

    app = web.Application()
    app.add_subapp(
        PREFIX,
        build_console(
            services,
            notify=notify,
            fetch_file=fetch_file,
            secret_key=b"k" * 32,
            base_url=BASE_URL,
            clock=clock,
            public_url=public_url,
        ),
    )
    async with TestClient(TestServer(app)) as client:
        yield Console(client, services, people, clock, notified, files, failing)
