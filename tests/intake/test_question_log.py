"""The question log (intake/question_log.py), on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import ErrorCode, IntakeError
from intake.models import QuestionRecord
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


async def test_privacy_mask_purge_keeps_only_the_decision_and_entry_of_old_questions(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    log = QuestionLog(engine, clock=clock, retention=timedelta(days=180))
    clock.now = local(2026, 1, 1)
    await log.record(7, "我的身份证号110101199003077777丢了", "none", None, [("a.b", 0.2)])
    await log.record(7, "离婚冷静期多长", "answer", "divorce.cooling_off", [("x.y", 0.9)])
    clock.now = local(2026, 6, 29)  # 179 days later
    await log.record(8, "彩礼能要回来吗", "none")

    assert await log.purge() == 0
    clock.now = local(2026, 7, 1)
    assert await log.purge() == 2
    assert await log.purge() == 0  # once blanked, nothing more to do

    assert [q.text for q in await log.unanswered()] == ["彩礼能要回来吗"]
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(
                    QuestionRecord.text,
                    QuestionRecord.asked_by,
                    QuestionRecord.decision,
                    QuestionRecord.entry_id,
                    QuestionRecord.candidates,
                ).order_by(QuestionRecord.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (None, None, "none", None, []),
        (None, None, "answer", "divorce.cooling_off", []),
        ("彩礼能要回来吗", 8, "none", None, []),
    ]
    # The figures still count the old answer.
    [usage] = await log.usage()
    assert (usage.entry_id, usage.answered) == ("divorce.cooling_off", 1)


def test_privacy_mask_questions_are_kept_at_least_a_day(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="at least a day"):
        QuestionLog(engine, retention=timedelta(hours=23))


async def test_privacy_mask_forget_erases_one_persons_questions_and_ratings(
    log: QuestionLog,
) -> None:
    await log.record(7, "离婚冷静期多长", "answer", "divorce.cooling_off")
    await log.record(7, "路灯坏了找谁", "none")
    await log.record(8, "彩礼能要回来吗", "none")
    await log.record_rating("divorce.cooling_off", True, 7)
    await log.record_rating("divorce.cooling_off", False, 8)

    assert await log.forget(7) == 2
    assert await log.forget(7) == 0

    assert [(q.text, q.asked_by) for q in await log.unanswered()] == [("彩礼能要回来吗", 8)]
    assert await log.usage() == (EntryUsage("divorce.cooling_off", 0, 0, 1),)
