"""The question log (intake/question_log.py), on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import ErrorCode, IntakeError
from intake.question_log import EntryUsage, QuestionDecision, QuestionLog
from tests.intake.conftest import FakeClock, local


@pytest.fixture
def log(engine: AsyncEngine, clock: FakeClock) -> QuestionLog:
    return QuestionLog(engine, clock=clock)


async def test_questions_are_recorded_with_their_decision_and_candidates(
    log: QuestionLog, clock: FakeClock
) -> None:
    await log.record(
        7, "离婚冷静期多长", "answer", "divorce.cooling_off", [("divorce.cooling_off", 0.91)]
    )
    await log.record(
        8,
        "  村里的路灯坏了找谁  ",
        QuestionDecision.NONE,
        None,
        [(f"e.x{i}", 0.1) for i in range(12)],
    )

    [question] = await log.unanswered()
    missed, answered = question.id, question.id - 1
    assert question.text == "村里的路灯坏了找谁"
    assert question.asked_by == 8
    assert question.asked_at == clock()
    assert question.decision is QuestionDecision.NONE
    assert question.entry_id is None
    assert len(question.candidates) == 10
    assert question.candidates[0] == ("e.x0", 0.1)
    both = await log.questions([answered, missed, 999])
    assert [q.decision for q in both] == [QuestionDecision.ANSWER, QuestionDecision.NONE]
    assert both[0].candidates == (("divorce.cooling_off", 0.91),)


async def test_unanswered_questions_come_newest_first_within_the_period(
    log: QuestionLog, clock: FakeClock
) -> None:
    for day, text in [(1, "一"), (2, "二"), (3, "三")]:
        clock.now = local(2026, 3, day)
        await log.record(1, text, "none")
    await log.record(1, "答了", "answer", "a.b")

    assert [q.text for q in await log.unanswered()] == ["三", "二", "一"]
    assert [q.text for q in await log.unanswered(limit=2)] == ["三", "二"]
    window = await log.unanswered(since=local(2026, 3, 2, 0), until=local(2026, 3, 3, 0))
    assert [q.text for q in window] == ["二"]


async def test_a_long_question_is_cut_and_bad_input_refused(log: QuestionLog) -> None:
    await log.record(None, "问" * 5000, "none")
    [question] = await log.unanswered()
    assert len(question.text) == 2000

    with pytest.raises(IntakeError) as empty:
        await log.record(1, "   ", "none")
    assert empty.value.code is ErrorCode.EMPTY_TEXT
    with pytest.raises(IntakeError) as unknown:
        await log.record(1, "问题", "maybe")
    assert unknown.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(IntakeError):
        await log.record_rating("", True, 1)
    assert len(await log.unanswered()) == 1


async def test_usage_counts_answers_and_each_persons_latest_rating(
    log: QuestionLog, clock: FakeClock
) -> None:
    for _ in range(3):
        await log.record(1, "彩礼", "answer", "marriage.betrothal_gifts")
    await log.record(2, "离婚", "answer", "divorce.by_agreement")
    await log.record(3, "不知道", "clarify", None)
    await log.record_rating("marriage.betrothal_gifts", True, 1)
    await log.record_rating("marriage.betrothal_gifts", False, 2)
    await log.record_rating("marriage.betrothal_gifts", True, 2)  # changed their mind
    await log.record_rating("marriage.betrothal_gifts", False, None)
    await log.record_rating("marriage.betrothal_gifts", False, None)
    await log.record_rating("land.only_rated", False, 5)

    usage = await log.usage()

    assert usage == (
        EntryUsage("marriage.betrothal_gifts", answered=3, helpful=2, unhelpful=2),
        EntryUsage("divorce.by_agreement", answered=1, helpful=0, unhelpful=0),
        EntryUsage("land.only_rated", answered=0, helpful=0, unhelpful=1),
    )
    assert usage[0].helpful_rate.percent() == "50.0%"
    assert usage[1].helpful_rate.percent() == "—"
    assert len(await log.usage(limit=1)) == 1
    clock.advance(days=10)
    assert await log.usage(since=clock()) == ()


async def test_concurrent_ratings_by_one_person_leave_one_rating(log: QuestionLog) -> None:
    await asyncio.gather(*(log.record_rating("a.b", i % 2 == 0, 9) for i in range(4)))

    [usage] = await log.usage()
    assert usage.helpful + usage.unhelpful == 1
