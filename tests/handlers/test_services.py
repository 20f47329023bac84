"""The services: one notifier, built on first use from the services themselves."""

from __future__ import annotations

from dataclasses import replace

from handlers.notify import Notifier
from tests.handlers.test_formatting import services_on
from tests.intake.conftest import FakeClock, local


def test_the_notifier_is_built_once_on_its_services() -> None:
    services = services_on(FakeClock(local(2026, 3, 2, 9)))
    assert isinstance(services.notifier, Notifier)
    assert services.notifier is services.notifier
    # Services changed by replace() get a notifier of their own, on the changed services.
    moved = replace(services, staff_chat_id=-100)
    assert moved.notifier is not services.notifier
