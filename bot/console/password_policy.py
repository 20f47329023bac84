"""Which passwords an admin may set for a console login (NIST SP 800-63B, section 5.1.1.2).

No composition rules (a digit, a capital, a symbol…), which make passwords harder to remember and
no harder to guess; instead a length of at least 10 characters and a refusal of passwords that
are known to be guessed first: the common ones of leaked password sets (``common_passwords.txt``,
also with digits or symbols added at the end), runs and repetitions such as ``1234567890`` or
``aaaaaaaaaa``, and passwords built on the login name or the service's own name.
"""

from __future__ import annotations

import functools
import re
from enum import Enum
from pathlib import Path

PASSWORD_MIN = 10
PASSWORD_MAX = 256
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"
# Words anyone guessing a password for this console would try first.
SERVICE_WORDS = ("mingbai", "shangxinzhuang", "xinzhuang", "console")

# Characters that follow each other in a run: the alphabet, the digits (0 after 9, as on the
# keyboard) and the keyboard's rows and columns.
_RUNS = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
# What people add to a common password to get past a length or a digit rule.
_DECORATION = re.compile(r"[\d\W_]+$")
_SHORTEST_BASE = 4


class PasswordProblem(Enum):
    """Why a password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    TRIVIAL = "trivial"
    PERSONAL = "personal"


def password_problem(password: str, *, login: str = "") -> PasswordProblem | None:
    """Why ``password`` may not be set for ``login``, or ``None`` if it may.

    Args:
        password: The new password, as typed.
        login: The login name it is for (a password containing it is refused).

    """
    if len(password) < PASSWORD_MIN:
        return PasswordProblem.TOO_SHORT
    if len(password) > PASSWORD_MAX:
        return PasswordProblem.TOO_LONG
    lowered = password.lower()
    if _is_trivial(lowered):
        return PasswordProblem.TRIVIAL
    base = _DECORATION.sub("", lowered)
    common = common_passwords()
    if lowered in common or (len(base) >= _SHORTEST_BASE and base in common):
        return PasswordProblem.COMMON
    personal = (login.lower(), *SERVICE_WORDS) if len(login) >= _SHORTEST_BASE else SERVICE_WORDS
    if any(word in lowered for word in personal):
        return PasswordProblem.PERSONAL
    return None


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case (read once)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_trivial(password: str) -> bool:
    """Whether the password is one unit repeated (``abcabcabcabc``) or a single run."""
    for size in range(1, len(password) // 2 + 1):
        repeats, rest = divmod(len(password), size)
        if not rest and password[:size] * repeats == password:
            return True
    for run in _RUNS:
        # Two turns of a run, both ways: ``7890123456`` and ``0987654321`` are runs too.
        turns = run * (len(password) // len(run) + 2)
        if password in turns or password[::-1] in turns:
            return True
    return False
