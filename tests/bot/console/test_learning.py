"""What the bot could not answer, grouped; drafts of FAQ entries; FAQ usage."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from bot.console.learning import group_questions, topic_key
from intake.question_log import LoggedQuestion, QuestionDecision
from knowledge.schema import FaqEntry
from tests.bot.console.conftest import PREFIX, Console, errors_of
from tests.intake.conftest import local

LAMPS = ["村里的路灯坏了找谁", "路灯坏了找谁修", "路灯坏了找谁", "我们村路灯坏了找谁"]
OTHERS = ["低保怎么申请", "怎么申请低保", "养老保险怎么交", "医疗保险怎么交"]


def logged(index: int, text: str) -> LoggedQuestion:
    return LoggedQuestion(
        id=index,
        asked_by=None,
        asked_at=local(2026, 3, 1) + timedelta(minutes=index),
        text=text,
        decision=QuestionDecision.NONE,
        entry_id=None,
        candidates=(),
    )


def test_similar_questions_are_grouped_largest_first() -> None:
    questions = [logged(i, text) for i, text in enumerate([*OTHERS, *LAMPS])]

    groups = group_questions(questions)

    assert [sorted(q.text for q in g.questions) for g in groups[:2]] == [
        sorted(LAMPS),
        sorted(OTHERS[:2]),
    ]
    assert groups[0].count == 4
    assert groups[0].representative == "路灯坏了找谁"
    assert {g.questions[0].text for g in groups[2:]} == {"养老保险怎么交", "医疗保险怎么交"}
    assert topic_key("請問，村里的路燈壞了找誰？") == "村里路灯坏"


async def _ask(console: Console) -> None:
    for text in [*LAMPS, '<script>alert("q")</script>路灯坏了']:
        await console.questions.record(1, text, "none")
    await console.questions.record(2, "离婚冷静期多长", "answer", "divorce.cooling_off")
    await console.questions.record(3, "冷静期几天", "answer", "divorce.cooling_off")
    await console.questions.record_rating("divorce.cooling_off", True, 2)
    await console.questions.record_rating("divorce.cooling_off", False, 3)
    await console.questions.record_rating("gone.entry", False, 3)


async def test_the_learning_page_shows_groups_and_usage(console: Console) -> None:
    await _ask(console)
    await console.login(console.people.officer)

    status, html = await console.get("/learning")

    assert status == 200
    assert '<span class="count">4 次</span> 路灯坏了找谁' in html
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;路灯坏了" in html
    assert "<script>alert" not in html
    question = console.services.faq.base.entry("divorce.cooling_off").question
    assert question in html
    assert "<td>2</td><td>1</td><td>1</td>" in html
    assert "50.0%" in html
    assert "（已不在问答库）" in html


async def test_old_questions_are_left_out_of_a_short_period(console: Console) -> None:
    await _ask(console)
    console.clock.advance(days=40)
    await console.login(console.people.officer)

    _, recent = await console.get("/learning", params={"days": "30"})
    _, longer = await console.get("/learning", params={"days": "90"})

    assert "路灯坏了找谁" not in recent
    assert "路灯坏了找谁" in longer


@pytest.mark.parametrize("role", ["grid", "mediator", "police"])
async def test_only_the_township_sees_the_villagers_questions(console: Console, role: str) -> None:
    await _ask(console)
    await console.login(getattr(console.people, role))

    status, html = await console.get("/learning")
    assert status == 403
    assert "不能打开这个页面" in errors_of(html)
    assert "路灯" not in html
    status, _ = await console.post("/learning/draft", {"ids": "1", "answer": "x"})
    assert status == 403


async def _draft_form(console: Console, **changes: str) -> dict[str, str]:
    unanswered = await console.questions.unanswered()
    form = {
        "ids": ",".join(str(q.id) for q in unanswered),
        "id": "public.streetlight",
        "domain": "服务",
        "question": "村里的路灯坏了找谁修？",
        "answer": "先告诉村委会。\n村里修不了的，村委会报镇上。",
        "sources": "",
    }
    return form | changes


async def test_a_group_becomes_an_unreviewed_draft_entry(console: Console) -> None:
    await _ask(console)
    await console.login(console.people.officer)

    form = await _draft_form(console, sources="民法典 1165")
    response = await console.client.post(
        f"{PREFIX}/learning/draft", data=form | {"csrf": console.csrf}
    )

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/x-yaml; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="public.streetlight.yaml"'
    )
    text = await response.text()
    assert text.startswith("# 草稿（未审核）")
    assert "answer: |" in text
    [entry] = yaml.safe_load(text)["entries"]
    assert entry["reviewed"] is None
    assert entry["answer"] == "先告诉村委会。\n村里修不了的，村委会报镇上。"
    assert len(entry["alternates"]) == 5
    assert '<script>alert("q")</script>路灯坏了' in entry["alternates"]
    assert FaqEntry.model_validate(entry).reviewed is None


async def test_a_draft_without_sources_is_left_for_the_editor(console: Console) -> None:
    await _ask(console)
    await console.login(console.people.officer)

    response = await console.client.post(
        f"{PREFIX}/learning/draft", data=await _draft_form(console) | {"csrf": console.csrf}
    )

    [entry] = yaml.safe_load(await response.text())["entries"]
    assert entry["sources"] == []


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"id": "Bad Id"}, 400, "条目编号「Bad Id」不合格式"),
        ({"id": "divorce.cooling_off"}, 409, "已经有编号为「divorce.cooling_off」的条目"),
        ({"domain": "火星"}, 400, "「领域」的选择无效"),
        ({"answer": "  "}, 400, "答复不能为空"),
        ({"answer": "长" * 2001}, 400, "答复太长了"),
        ({"sources": "<b>乱写</b>"}, 400, "法律依据「&lt;b&gt;乱写&lt;/b&gt;」看不懂"),
        ({"sources": "民法典 1165，火星法 3"}, 400, "法律依据「火星法 3」看不懂"),
        ({"ids": "999,abc"}, 400, "没有找到这一组问题"),
    ],
)
async def test_a_bad_draft_is_a_clear_message(
    console: Console, changes: dict[str, str], status: int, message: str
) -> None:
    await _ask(console)
    await console.login(console.people.officer)

    got, html = await console.post("/learning/draft", await _draft_form(console, **changes))

    assert got == status
    assert message in errors_of(html)


async def test_a_draft_without_the_csrf_token_is_refused(console: Console) -> None:
    await _ask(console)
    await console.login(console.people.officer)

    status, html = await console.post("/learning/draft", await _draft_form(console), csrf=False)

    assert status == 403
    assert "表单已失效" in errors_of(html)
