"""What the person acting sees first: one acknowledgement, taken by the first change published."""

from __future__ import annotations

from telegram import Bot

from handlers.acknowledgements import acknowledged_first, take
from intake import Outcome


async def _first(bot: Bot, outcome: Outcome) -> None:
    """An acknowledgement that sends nothing."""


async def _second(bot: Bot, outcome: Outcome) -> None:
    """Another."""


def test_the_acknowledgement_is_taken_once_and_only_inside_its_block() -> None:
    assert take() is None
    with acknowledged_first(_first):
        assert take() is _first
        assert take() is None  # a second change in the block is not acknowledged again
    assert take() is None


def test_an_inner_block_acknowledges_its_own_change_and_the_outer_one_still_waits() -> None:
    with acknowledged_first(_first):
        with acknowledged_first(_second):
            assert take() is _second
        assert take() is _first
