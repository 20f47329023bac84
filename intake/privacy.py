"""Personal numbers (身份证号, phone numbers) found in free text, and their masked form.

A masked number keeps its last four digits, which is enough for staff to tell two people apart or
to confirm a number on the phone, and hides the rest: ``13812345678`` → ``*******5678``.
"""

from __future__ import annotations

import re

KEPT_DIGITS = 4
MASK = "*"

# Word boundaries by hand: CJK text has no spaces, so ``\b`` would not separate a number from
# the characters around it, while a longer run of digits (a bank card) must not match partly.
_ID_NUMBER = r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])"
_MOBILE = r"(?<![0-9+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"
_LANDLINE = r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"
PERSONAL_NUMBER = re.compile(f"{_ID_NUMBER}|{_MOBILE}|{_LANDLINE}")
"""An ID number (18 or 15 digits), a mobile number (maybe with +86), a landline with area code."""

_DIGIT = re.compile(r"[0-9Xx]")


def mask_digits(number: str) -> str:
    """``number`` with every digit but the last four replaced by ``*``; separators are kept."""
    positions = [found.start() for found in _DIGIT.finditer(number)]
    hidden = set(positions[:-KEPT_DIGITS]) if len(positions) > KEPT_DIGITS else set(positions)
    return "".join(MASK if index in hidden else char for index, char in enumerate(number))


def mask_numbers(text: str) -> str:
    """``text`` with every ID and phone number in it masked down to its last four digits."""
    return PERSONAL_NUMBER.sub(lambda found: mask_digits(found.group()), text)
