"""Personal numbers found in free text and masked down to their last four digits."""

import pytest

from intake.privacy import mask_digits, mask_numbers


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证号63012219800101123X。", "身份证号**************123X。"),
        ("身份证 630122198001011234", "身份证 **************1234"),
        ("老身份证630122800101123", "老身份证***********1123"),
        ("电话13912345678", "电话*******5678"),
        ("电话 +86 139 1234 5678 找我", "电话 +** *** **** 5678 找我"),
        ("座机0971-1234567", "座机****-***4567"),
    ],
)
def test_privacy_mask_hides_all_but_the_last_four_digits(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "工单 2026-000123",
        "2026-03-02 09:00",
        "银行卡号6222021234567890123",  # 19 digits: not an ID number, left for staff
        "欠了我12000元，说好3月15日还",
        "邮编810000",
    ],
)
def test_privacy_mask_leaves_other_numbers_alone(text: str) -> None:
    assert mask_numbers(text) == text


def test_privacy_mask_digits_keeps_separators_and_hides_short_numbers_whole() -> None:
    assert mask_digits("139-1234-5678") == "***-****-5678"
    assert mask_digits("1234") == "****"
