"""What the bot remembers between a villager's messages: the ticket just handed over."""

from types import SimpleNamespace
from typing import Any, cast

import pytest

from handlers import memory


def context() -> memory.Context:
    return cast(memory.Context, SimpleNamespace(user_data={}))


def test_the_ticket_handed_over_is_followed_for_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_000_000.0
    monkeypatch.setattr(memory, "time", SimpleNamespace(time=lambda: now))
    user = context()
    assert memory.handed_over(user) is None
    memory.remember_handed_over(user, "2026-000001")
    assert memory.handed_over(user) == "2026-000001"
    now += memory.FOLLOW_UP_SECONDS
    assert memory.handed_over(user) == "2026-000001"
    now += 1
    assert memory.handed_over(user) is None


def test_asking_something_new_ends_the_follow_up() -> None:
    user = context()
    memory.remember_handed_over(user, "2026-000002")
    memory.forget_handed_over(user)
    assert memory.handed_over(user) is None


@pytest.mark.parametrize("stored", ["2026-000003", {"number": 3, "at": 0}, {"number": "x"}])
def test_an_unreadable_record_follows_nothing(stored: Any) -> None:
    user = context()
    cast(dict[str, Any], user.user_data)["handed_over"] = stored
    assert memory.handed_over(user) is None
