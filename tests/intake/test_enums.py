from __future__ import annotations

from typing import Any

import pytest

from intake import (
    AttachmentKind,
    DeadlineKind,
    EventType,
    Level,
    Rating,
    Role,
    Source,
    TicketKind,
    TicketState,
    Visibility,
)
from intake.rules import Action

LABELLED: list[type[Any]] = [
    AttachmentKind,
    DeadlineKind,
    EventType,
    Level,
    Rating,
    Role,
    Source,
    TicketKind,
    TicketState,
    Visibility,
    Action,
]


@pytest.mark.parametrize("enum", LABELLED, ids=lambda e: e.__name__)
def test_every_member_has_a_distinct_chinese_label(enum: type[Any]) -> None:
    labels = [member.label for member in enum]

    assert len(set(labels)) == len(labels)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)


def test_the_labels_the_issue_names() -> None:
    assert [s.label for s in TicketState] == [
        "待受理",
        "已受理",
        "办理中",
        "延期",
        "已答复",
        "待回访",
        "已办结",
        "不予受理",
        "退回",
    ]
    assert [k.label for k in TicketKind] == ["咨询", "投诉", "矛盾纠纷", "求助"]
    assert [lv.label for lv in Level] == ["网格", "村级调解", "镇级研判", "部门联动"]
    assert [r.label for r in Rating] == ["满意", "基本满意", "不满意", "未评价"]
    assert [lv.rank for lv in Level] == [0, 1, 2, 3]


def test_villagers_see_only_what_they_must_be_told() -> None:
    public = {e for e in EventType if e.visibility is Visibility.PUBLIC}

    assert public == {
        EventType.FILED,
        EventType.ACCEPTED,
        EventType.REJECTED,
        EventType.REPLIED,
        EventType.EXTENDED,
        EventType.FEEDBACK_REQUESTED,
        EventType.FEEDBACK_RECORDED,
        EventType.REOPENED,
        EventType.CLOSED,
        EventType.MORE_REQUESTED,
        EventType.MORE_RECEIVED,
    }
    assert not Role.VILLAGER.is_staff and not Role.LIAISON.is_staff
    assert all(r.is_staff for r in Role if r not in (Role.VILLAGER, Role.LIAISON))
