"""/console in Telegram (handlers/console.py): a link for staff, a refusal for others."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from telegram.ext import CommandHandler

from handlers.console import console_handlers
from handlers.texts import console as texts
from tests.bot.console.conftest import Console


@dataclass
class FakeMessage:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def reply_text(self, text: str, **options: Any) -> None:
        self.sent.append((text, options))


def update_from(telegram_id: int) -> tuple[Any, FakeMessage]:
    message = FakeMessage()
    user = SimpleNamespace(id=telegram_id, full_name="某人")
    return SimpleNamespace(effective_message=message, effective_user=user), message


async def test_console_command_sends_staff_a_link_and_refuses_others(console: Console) -> None:
    issued: list[int] = []

    async def issue_link(telegram_id: int) -> str | None:
        issued.append(telegram_id)
        return "https://example.org/console/login/link?token=abc" if telegram_id == 7 else None

    private, group = console_handlers(console.services, issue_link)
    assert isinstance(private, CommandHandler)
    assert private.commands == frozenset({"console"})

    update, message = update_from(7)
    await private.callback(update, None)
    [(text, options)] = message.sent
    assert "https://example.org/console/login/link?token=abc" in text
    assert "10 分钟" in text
    assert options["link_preview_options"].is_disabled is True

    update, message = update_from(8)
    await private.callback(update, None)
    assert message.sent == [(texts.NOT_STAFF, {})]

    update, message = update_from(7)
    await group.callback(update, None)
    assert message.sent == [(texts.PRIVATE_ONLY, {})]
    assert issued == [7, 8]
