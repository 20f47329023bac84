"""Intake's texts: all in one module, every enum member labelled, 您 not 你."""

import ast
import re
from enum import StrEnum
from pathlib import Path

import pytest

from intake import enums, texts
from intake.actions import Input
from intake.liaisons import ApplicationState
from intake.question_log import QuestionDecision
from intake.rules import Action

INTAKE = Path(texts.__file__).parent
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _docstrings(tree: ast.Module) -> set[int]:
    bodies = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef))]
    bodies += [n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)]
    return {
        id(body.body[0].value)
        for body in bodies
        if body.body
        and isinstance(body.body[0], ast.Expr)
        and isinstance(body.body[0].value, ast.Constant)
    }


def _patterns(tree: ast.Module) -> set[int]:
    """Regular expressions: they read what people type, and are not shown to anyone."""
    return {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and node.args
    }


def test_no_chinese_text_is_left_outside_the_texts_module() -> None:
    stray = []
    for path in sorted(INTAKE.rglob("*.py")):
        if path.name == "texts.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _docstrings(tree) | _patterns(tree)
        stray += [
            f"{path.relative_to(INTAKE)}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and CHINESE.search(node.value)
        ]
    assert stray == []


@pytest.mark.parametrize(
    ("labels", "enum"),
    [
        (texts.ROLE_LABELS, enums.Role),
        (texts.KIND_LABELS, enums.TicketKind),
        (texts.SOURCE_LABELS, enums.Source),
        (texts.STATE_LABELS, enums.TicketState),
        (texts.LEVEL_LABELS, enums.Level),
        (texts.EVENT_LABELS, enums.EventType),
        (texts.RATING_LABELS, enums.Rating),
        (texts.ATTACHMENT_LABELS, enums.AttachmentKind),
        (texts.DEADLINE_LABELS, enums.DeadlineKind),
        (texts.ACTION_LABELS, Action),
        (texts.WHO_MAY, Action),
        (texts.INPUT_LABELS, Input),
        (texts.DECISION_LABELS, QuestionDecision),
        (texts.APPLICATION_LABELS, ApplicationState),
    ],
)
def test_every_member_of_an_enum_has_its_label(labels: dict[str, str], enum: type[StrEnum]) -> None:
    assert set(labels) == {member.value for member in enum}
    assert all(labels[member] for member in enum)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, tuple):
        return [text for item in value for text in _strings(item)]
    return []


def test_the_villager_is_addressed_politely() -> None:
    words = [
        text for name, value in vars(texts).items() if name.isupper() for text in _strings(value)
    ]
    assert len(words) > 200
    assert [word for word in words if "你" in word] == []
