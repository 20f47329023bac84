"""Shared formatting: escaping, card numbers, and dates reckoned on the services' clock."""

from __future__ import annotations

from typing import cast

from handlers.formatting import card_number, days_left_text, due_date_text, escape
from handlers.notify import Notifier
from handlers.services import Services
from intake import IntakeService, create_engine, load_config
from intake.question_log import QuestionLog
from knowledge.service import Faq
from tests.intake.conftest import FakeClock, local


def services_on(clock: FakeClock) -> Services:
    """Services whose intake is never asked anything (dates need only the deadline policy)."""
    config = load_config()
    return Services(
        faq=cast(Faq, None),
        intake=IntakeService(create_engine("sqlite+aiosqlite://"), config),
        intake_config=config,
        staff_chat_id=None,
        admin_ids=frozenset(),
        questions=cast(QuestionLog, None),
        notifier_for=Notifier,
        clock=clock,
    )


def test_escape_leaves_quotes_and_escapes_markup() -> None:
    assert escape('<b>张三\'s "家"</b> & 李四') == '&lt;b&gt;张三\'s "家"&lt;/b&gt; &amp; 李四'


def test_card_number_is_read_from_the_first_line_of_a_card_only() -> None:
    assert card_number("📋 工单 2026-000012｜待受理\n类别：婚姻家庭") == "2026-000012"
    assert card_number("工单 2026-000012 已受理") is None
    assert card_number(None) is None


def test_a_due_date_shows_its_year_only_when_it_is_not_this_year_on_the_clock() -> None:
    clock = FakeClock(local(2026, 3, 2, 9))
    services = services_on(clock)
    # A deadline instant is the first moment after the last allowed day.
    due = local(2026, 5, 4, 0)
    assert due_date_text(services, due) == "5月3日"
    clock.now = local(2025, 12, 30, 9)
    assert due_date_text(services, due) == "2026年5月3日"


def test_days_left_follow_the_clock() -> None:
    clock = FakeClock(local(2026, 3, 2, 9))
    services = services_on(clock)
    due = local(2026, 3, 5, 0)
    assert days_left_text(services, due) == "还剩 2 天"
    clock.advance(days=2)
    assert days_left_text(services, due) == "今天到期"
    clock.advance(days=3)
    assert days_left_text(services, due) == "已超期 3 天"
