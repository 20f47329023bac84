"""A record of the questions put to the FAQ, and of the 👍/👎 given to its answers.

The bot records every question it matches (what was asked, what it decided, which entry it
answered with and the candidates it weighed) and every rating. The staff console reads it back:
the questions the bot could not answer, to grow the FAQ, and how often each entry was used and
how helpful villagers found it.

Decisions are the understanding step's codes as plain strings (``answer``, ``clarify``,
``none``), so that intake needs nothing from ``knowledge``.

Privacy by default: a question's words and who asked are kept for :data:`RETENTION` (configurable);
:meth:`QuestionLog.purge` then blanks them, leaving only when, the decision and the entry, which
the usage figures need. A villager can erase his own questions and ratings at any time
(:meth:`QuestionLog.forget`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute

from intake import texts
from intake.clock import utcnow
from intake.database import session_factory
from intake.errors import ErrorCode, IntakeError
from intake.models import FaqRating, QuestionRecord
from intake.reporting import Ratio

QUESTION_MAX = 2000
ENTRY_ID_MAX = 128
CANDIDATES_MAX = 10
LIST_MAX = 5000
RETENTION = timedelta(days=180)


class QuestionDecision(StrEnum):
    """What the bot did with a question (the codes of ``knowledge.understanding.Decision``)."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NONE = "none"

    @property
    def label(self) -> str:
        """The Chinese name of the decision."""
        return texts.DECISION_LABELS[self]


@dataclass(frozen=True)
class LoggedQuestion:
    """One recorded question."""

    id: int
    asked_by: int | None
    asked_at: datetime
    text: str
    decision: QuestionDecision
    entry_id: str | None
    candidates: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class EntryUsage:
    """How often an FAQ entry was given as the answer, and how it was rated.

    Attributes:
        entry_id: The entry.
        answered: Questions answered with it in the period.
        helpful: People whose latest rating of it, given in the period, was 👍.
        unhelpful: The same for 👎.

    """

    entry_id: str
    answered: int
    helpful: int
    unhelpful: int

    @property
    def helpful_rate(self) -> Ratio:
        """👍 out of all ratings."""
        return Ratio(self.helpful, self.helpful + self.unhelpful)


class QuestionLog:
    """Records questions and ratings, and answers the console's questions about them.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant (timezone-aware); tests pass a fake one.
        retention: How long a question's words and asker are kept (at least a day).

    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Callable[[], datetime] = utcnow,
        retention: timedelta = RETENTION,
    ) -> None:
        if retention < timedelta(days=1):
            raise ValueError("questions must be kept for at least a day")
        self._sessions = session_factory(engine)
        self._clock = clock
        self.retention = retention

    async def record(
        self,
        asked_by: int | None,
        text: str,
        decision: str,
        entry_id: str | None = None,
        candidates: Iterable[tuple[str, float]] = (),
    ) -> None:
        """Record a question and what the bot did with it (with the unit of work, if in one).

        Args:
            asked_by: The Telegram id of who asked, if known.
            text: The question as received; an overlong one keeps its first 2000 characters.
            decision: ``answer``, ``clarify`` or ``none`` (an understanding ``Decision`` works).
            entry_id: The entry answered with, for ``answer``.
            candidates: Entry ids and confidences weighed, best first (at most 10 are kept).

        Raises:
            IntakeError: ``EMPTY_TEXT`` for a blank question, ``INVALID_INPUT`` for an unknown
                decision or an overlong entry id.

        """
        clean = text.strip()[:QUESTION_MAX]
        if not clean:
            raise IntakeError(ErrorCode.EMPTY_TEXT, texts.EMPTY_QUESTION)
        try:
            code = QuestionDecision(str(decision))
        except ValueError:
            raise IntakeError(
                ErrorCode.INVALID_INPUT, texts.UNKNOWN_DECISION.format(decision=decision)
            ) from None
        if entry_id is not None and not 0 < len(entry_id) <= ENTRY_ID_MAX:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.BAD_ENTRY_ID)
        record = QuestionRecord(
            asked_by=asked_by,
            asked_at=self._now(),
            text=clean,
            decision=code.value,
            entry_id=entry_id,
            candidates=[
                {"id": str(cid), "score": round(float(score), 4)}
                for cid, score in list(candidates)[:CANDIDATES_MAX]
            ],
        )
        await self._sessions.insert(record)

    async def record_rating(self, entry_id: str, helpful: bool, user: int | None) -> None:
        """Record a 👍 (``helpful``) or 👎; a person's new rating of an entry replaces the old.

        Args:
            entry_id: The FAQ entry rated.
            helpful: Whether the answer helped.
            user: The Telegram id of who rated; anonymous ratings (``None``) all count.

        Raises:
            IntakeError: ``INVALID_INPUT`` for an empty or overlong entry id.

        """
        if not 0 < len(entry_id) <= ENTRY_ID_MAX:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.BAD_ENTRY_ID)
        for attempt in range(2):
            try:
                await self._save_rating(entry_id, helpful, user)
                return
            except IntegrityError:
                # The same person rated twice at once; the second try updates the first.
                if attempt:
                    raise

    async def _save_rating(self, entry_id: str, helpful: bool, user: int | None) -> None:
        async with self._sessions.begin() as session:
            existing = None
            if user is not None:
                existing = (
                    await session.scalars(
                        select(FaqRating).where(
                            FaqRating.entry_id == entry_id, FaqRating.rated_by == user
                        )
                    )
                ).one_or_none()
            if existing is None:
                session.add(
                    FaqRating(
                        entry_id=entry_id, rated_by=user, helpful=helpful, rated_at=self._now()
                    )
                )
            else:
                existing.helpful = helpful
                existing.rated_at = self._now()

    async def purge(self) -> int:
        """Blank the words, asker and candidates of questions older than the retention period.

        Returns:
            How many questions were blanked.

        """
        cutoff = self._now() - self.retention
        statement = (
            update(QuestionRecord)
            .where(QuestionRecord.asked_at < cutoff, QuestionRecord.text.is_not(None))
            .values(text=None, asked_by=None, candidates=[])
        )
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def forget(self, asked_by: int) -> int:
        """Erase everything a person asked and rated (tickets are official records and stay).

        Args:
            asked_by: The person's Telegram id.

        Returns:
            How many questions were erased.

        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(QuestionRecord).where(QuestionRecord.asked_by == asked_by)
            )
            await session.execute(delete(FaqRating).where(FaqRating.rated_by == asked_by))
        return int(getattr(result, "rowcount", 0) or 0)

    async def unanswered(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 2000,
    ) -> tuple[LoggedQuestion, ...]:
        """The questions the bot could not answer (decision ``none``), newest first.

        Args:
            since: Only those asked at or after this instant.
            until: Only those asked before this instant.
            limit: At most this many (capped at 5000).

        """
        query = select(QuestionRecord).where(
            QuestionRecord.decision == QuestionDecision.NONE.value,
            QuestionRecord.text.is_not(None),
            *_within(QuestionRecord.asked_at, since, until),
        )
        query = query.order_by(QuestionRecord.asked_at.desc(), QuestionRecord.id.desc())
        query = query.limit(max(0, min(limit, LIST_MAX)))
        async with self._sessions() as session:
            return tuple(_view(record) for record in await session.scalars(query))

    async def questions(self, ids: Iterable[int]) -> tuple[LoggedQuestion, ...]:
        """The recorded questions with these ids (unknown and purged ones skipped), oldest first."""
        wanted = sorted(set(ids))[:LIST_MAX]
        if not wanted:
            return ()
        query = select(QuestionRecord).where(
            QuestionRecord.id.in_(wanted), QuestionRecord.text.is_not(None)
        )
        async with self._sessions() as session:
            records = await session.scalars(query.order_by(QuestionRecord.id))
            return tuple(_view(record) for record in records)

    async def usage(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
    ) -> tuple[EntryUsage, ...]:
        """The entries most often given as answers in the period, with their ratings.

        Entries rated in the period but never given as an answer in it are listed after the
        others. Ties are broken by entry id.

        Args:
            since: Only questions and ratings at or after this instant.
            until: Only those before this instant.
            limit: At most this many entries (capped at 5000).

        """
        answered_query = (
            select(QuestionRecord.entry_id, func.count())
            .where(
                QuestionRecord.entry_id.is_not(None),
                *_within(QuestionRecord.asked_at, since, until),
            )
            .group_by(QuestionRecord.entry_id)
        )
        ratings_query = (
            select(FaqRating.entry_id, FaqRating.helpful, func.count())
            .where(*_within(FaqRating.rated_at, since, until))
            .group_by(FaqRating.entry_id, FaqRating.helpful)
        )
        async with self._sessions() as session:
            answered = {
                str(entry): int(count) for entry, count in await session.execute(answered_query)
            }
            helpful: dict[str, int] = {}
            unhelpful: dict[str, int] = {}
            for entry, is_helpful, count in await session.execute(ratings_query):
                (helpful if is_helpful else unhelpful)[entry] = int(count)
        entries = set(answered) | set(helpful) | set(unhelpful)
        rows = [
            EntryUsage(
                entry_id=entry,
                answered=answered.get(entry, 0),
                helpful=helpful.get(entry, 0),
                unhelpful=unhelpful.get(entry, 0),
            )
            for entry in entries
        ]
        rows.sort(key=lambda row: (-row.answered, -(row.helpful + row.unhelpful), row.entry_id))
        return tuple(rows[: max(0, min(limit, LIST_MAX))])

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return now.astimezone(UTC)


def _within(
    column: InstrumentedAttribute[datetime], since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def _view(record: QuestionRecord) -> LoggedQuestion:
    return LoggedQuestion(
        id=record.id,
        asked_by=record.asked_by,
        asked_at=record.asked_at,
        text=record.text or "",
        decision=QuestionDecision(record.decision),
        entry_id=record.entry_id,
        candidates=tuple(
            (str(item.get("id", "")), float(item.get("score", 0.0))) for item in record.candidates
        ),
    )
