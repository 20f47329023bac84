"""Which passwords an admin may set, and how failed logins slow guessing down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.console.password_policy import (
    PASSWORD_MIN,
    PasswordProblem,
    common_passwords,
    password_problem,
)
from bot.console.throttle import GLOBAL_FREE, LONGEST_DELAY, LoginThrottle

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_password_policy_ships_thousands_of_common_passwords() -> None:
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "1234567890", "qwertyuiop", "woaini1314"} <= common
    assert all(word == word.lower() and not word.startswith("#") for word in common)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", PasswordProblem.TOO_SHORT),
        ("a" * (PASSWORD_MIN - 1) + "", PasswordProblem.TOO_SHORT),
        ("长" * 257, PasswordProblem.TOO_LONG),
        ("1234567890", PasswordProblem.TRIVIAL),
        ("0987654321", PasswordProblem.TRIVIAL),
        ("7890123456", PasswordProblem.TRIVIAL),
        ("aaaaaaaaaaaa", PasswordProblem.TRIVIAL),
        ("abcabcabcabc", PasswordProblem.TRIVIAL),
        ("ABCDEFGHIJK", PasswordProblem.TRIVIAL),
        ("1qaz2wsx3edc", PasswordProblem.TRIVIAL),
        ("password123", PasswordProblem.COMMON),
        ("Manchester", PasswordProblem.COMMON),
        ("dragon2026!!", PasswordProblem.COMMON),  # a common one with digits added
        ("WoAiNi1314", PasswordProblem.COMMON),
        ("grid.one is me", PasswordProblem.PERSONAL),
        ("Mingbai-Console-7", PasswordProblem.PERSONAL),
    ],
)
def test_password_policy_refuses_guessable_passwords(
    password: str, problem: PasswordProblem
) -> None:
    assert password_problem(password, login="grid.one") is problem


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "青稞地里的牦牛跑得快呀", "tractor in the barley 9", "4839201756"],
)
def test_password_policy_accepts_long_uncommon_passwords(password: str) -> None:
    assert password_problem(password, login="grid.one") is None


def test_password_policy_a_short_login_name_is_not_a_forbidden_word() -> None:
    assert password_problem("a long enough secret", login="a.b") is None


def test_password_policy_failures_from_an_address_grow_its_wait_whatever_names_it_tries() -> None:
    throttle = LoginThrottle()
    now = START
    waits = []
    for _ in range(8):
        assert throttle.wait("10.0.0.9", now) == timedelta(0)
        throttle.failed("10.0.0.9", now)
        wait = throttle.wait("10.0.0.9", now)
        waits.append(wait.total_seconds())
        now += wait
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32]
    # Another address is not slowed down by it.
    assert throttle.wait("10.0.0.10", now) == timedelta(0)


def test_password_policy_the_wait_never_exceeds_fifteen_minutes_and_failures_are_forgotten() -> (
    None
):
    throttle = LoginThrottle()
    for _ in range(40):
        throttle.failed("10.0.0.9", START)
    assert throttle.wait("10.0.0.9", START) == LONGEST_DELAY
    later = START + timedelta(hours=1, seconds=1)
    assert throttle.wait("10.0.0.9", later) == timedelta(0)


def test_password_policy_a_stranger_cannot_lock_the_owner_out() -> None:
    throttle = LoginThrottle()
    now = START
    # A stranger guesses the owner's password as fast as he is let for an hour.
    while now < START + timedelta(hours=1):
        now += throttle.wait("203.0.113.5", now)
        throttle.failed("203.0.113.5", now)
        now += timedelta(milliseconds=1)
    assert throttle.wait("203.0.113.5", now) > timedelta(0)
    # The owner, from the township office, may try at once, and a success clears only his own.
    assert throttle.wait("192.0.2.1", now) == timedelta(0)
    throttle.succeeded("192.0.2.1")
    assert throttle.wait("203.0.113.5", now) > timedelta(0)


def test_password_policy_guessing_from_many_addresses_slows_everyone_down() -> None:
    throttle = LoginThrottle()
    for address in range(GLOBAL_FREE):
        throttle.failed(f"198.51.100.{address}", START)
    assert throttle.wait("192.0.2.1", START) == timedelta(seconds=1)
    throttle.failed("198.51.100.200", START + timedelta(seconds=1))
    assert throttle.wait("192.0.2.1", START + timedelta(seconds=1)) == timedelta(seconds=2)


def test_password_policy_the_throttle_remembers_a_bounded_number_of_addresses() -> None:
    throttle = LoginThrottle(kept=3)
    for address in range(5):
        throttle.failed(f"198.51.100.{address}", START)
        throttle.failed(f"198.51.100.{address}", START)
        throttle.failed(f"198.51.100.{address}", START)
    # The oldest are forgotten; the latest are still slowed down.
    assert throttle.wait("198.51.100.4", START) > timedelta(0)
    assert len(throttle._addresses) == 3
