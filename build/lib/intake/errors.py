"""The one exception intake raises for anything a user did wrong or cannot do."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable reasons, so callers can react without parsing the message."""

    INVALID_INPUT = "invalid_input"
    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    UNKNOWN_VILLAGE = "unknown_village"
    UNKNOWN_GRID = "unknown_grid"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_USER = "unknown_user"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    ALREADY_EXTENDED = "already_extended"


class IntakeError(Exception):
    """A refusal to show the user: nothing was changed.

    Attributes:
        code: Why, for programs.
        message: Why, in Chinese, for the person who asked.

    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"IntakeError({self.code.value!r}, {self.message!r})"
