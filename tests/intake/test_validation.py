from __future__ import annotations

import pytest

from intake import ErrorCode, IntakeError
from intake.validation import clean_phone, clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13900001234", "13900001234"),
        ("139 0000 1234", "13900001234"),
        ("+86 139-0000-1234", "13900001234"),
        ("8613900001234", "13900001234"),
        ("0971-1234567", "09711234567"),
        ("(0971) 12345678", "097112345678"),
        ("  ", None),
        (None, None),
    ],
)
def test_phone_numbers_are_normalised(raw: str | None, expected: str | None) -> None:
    assert clean_phone(raw, consent=True) == expected


@pytest.mark.parametrize("raw", ["12345", "23900001234", "1390000123", "139000012345", "abc"])
def test_malformed_phone_numbers_are_refused_without_echoing_them(raw: str) -> None:
    with pytest.raises(IntakeError) as refused:
        clean_phone(raw, consent=True)

    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert raw not in refused.value.message


def test_a_phone_number_needs_consent() -> None:
    with pytest.raises(IntakeError) as refused:
        clean_phone("13900001234", consent=False)

    assert "同意" in refused.value.message


def test_text_is_stripped_and_bounded() -> None:
    assert clean_text("  你好 \n", what="内容", limit=2) == "你好"
    with pytest.raises(IntakeError) as too_long:
        clean_text("你好呀", what="内容", limit=2)
    with pytest.raises(IntakeError) as empty:
        clean_text(None, what="内容", limit=2)

    assert too_long.value.code is ErrorCode.TEXT_TOO_LONG
    assert too_long.value.message == "内容太长了：最多 2 个字，现在是 3 个字。"
    assert (empty.value.code, empty.value.message) == (ErrorCode.EMPTY_TEXT, "内容不能为空。")
