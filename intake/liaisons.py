"""法律明白人 (liaisons): applying to serve as one, an admin's decision, and the service register.

Anyone may apply with their name, village and phone; an admin approves (the applicant becomes a
liaison of that village, recorded as a role change) or declines. The service register
(服务台账) counts, per month and liaison, the cases they filed for villagers and the questions
they put to the FAQ (a liaison usually asks on a villager's behalf).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import or_, select, update

from intake import texts, validation
from intake.clock import utcnow
from intake.config import IntakeConfig
from intake.database import session_factory
from intake.enums import Role, Source
from intake.errors import ErrorCode, IntakeError
from intake.models import LiaisonApplication, QuestionRecord, Ticket, User
from intake.service import IntakeService


class ApplicationState(StrEnum):
    """Where an application stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        """The Chinese name of the state."""
        return texts.APPLICATION_LABELS[self]


@dataclass(frozen=True)
class ApplicationView:
    """An application to serve as a liaison. The phone stays out of ``repr`` (and so of logs)."""

    id: int
    user_id: int
    name: str
    village_code: str
    phone: str = field(repr=False)
    state: ApplicationState
    applied_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class RegisterRow:
    """One liaison's service in one month (a township month, ``2026-12``)."""

    month: str
    user_id: int
    name: str
    village_code: str | None
    cases: int
    questions: int


class Liaisons:
    """Applications and the service register.

    Args:
        service: The intake service (for people and their roles).
        config: The intake configuration (villages, time zone).
        clock: Returns the current instant (timezone-aware); tests pass a fake one.

    """

    def __init__(
        self,
        service: IntakeService,
        config: IntakeConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._service = service
        self._sessions = session_factory(service.engine)
        self._config = config
        self._clock = clock

    async def apply(self, user_id: int, name: str, village: str, phone: str) -> ApplicationView:
        """Apply to serve as a liaison.

        Args:
            user_id: Who applies.
            name: Their real name.
            village: Their village, by code or name.
            phone: A number the township can reach them on (applying is the consent).

        Returns:
            The pending application.

        Raises:
            IntakeError: ``EMPTY_TEXT``/``TEXT_TOO_LONG`` for the name, ``UNKNOWN_VILLAGE``,
                ``INVALID_INPUT`` for the phone, ``CONFLICT`` when already a liaison or already
                waiting, ``FORBIDDEN`` for staff (they would lose their role).

        """
        clean_name = validation.clean_text(
            name, what=texts.WHAT_APPLICANT_NAME, limit=validation.NAME_MAX
        )
        found = self._village(village)
        if not phone.strip():
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.APPLICANT_PHONE_NEEDED)
        clean_phone = validation.clean_phone(phone, consent=True)
        assert clean_phone is not None
        user = await self._service.get_user(user_id)
        if user.role is Role.LIAISON:
            raise IntakeError(ErrorCode.CONFLICT, texts.ALREADY_LIAISON)
        if user.role.is_staff:
            raise IntakeError(ErrorCode.FORBIDDEN, texts.STAFF_NEED_NOT_APPLY)
        async with self._sessions.begin() as session:
            waiting = await session.scalar(
                select(LiaisonApplication.id).where(
                    LiaisonApplication.user_id == user_id,
                    LiaisonApplication.state == ApplicationState.PENDING,
                )
            )
            if waiting is not None:
                raise IntakeError(ErrorCode.CONFLICT, texts.ALREADY_APPLIED)
            record = LiaisonApplication(
                user_id=user_id,
                name=clean_name,
                village_code=found,
                phone=clean_phone,
                state=ApplicationState.PENDING,
                applied_at=self._now(),
            )
            session.add(record)
            await session.flush()
            return _view(record)

    async def applications(
        self, state: ApplicationState | None = ApplicationState.PENDING
    ) -> tuple[ApplicationView, ...]:
        """The applications in ``state`` (all if ``None``), oldest first."""
        query = select(LiaisonApplication).order_by(LiaisonApplication.id)
        if state is not None:
            query = query.where(LiaisonApplication.state == state)
        async with self._sessions() as session:
            return tuple(_view(record) for record in await session.scalars(query))

    async def decide(self, actor_id: int, application_id: int, *, approve: bool) -> ApplicationView:
        """Approve (the applicant becomes a liaison of their village) or decline an application.

        Raises:
            IntakeError: ``FORBIDDEN`` for anyone but an admin (or an admin deciding on their
                own application), ``NOT_FOUND``, ``CONFLICT`` if already decided.

        """
        async with self._sessions() as session:
            record = await session.get(LiaisonApplication, application_id)
            actor = await session.get(User, actor_id)
        if record is None:
            raise IntakeError(
                ErrorCode.NOT_FOUND, texts.UNKNOWN_APPLICATION.format(number=application_id)
            )
        if actor is None or actor.role is not Role.ADMIN:
            raise IntakeError(ErrorCode.FORBIDDEN, texts.APPLICATIONS_BY_ADMINS)
        if record.state != ApplicationState.PENDING:
            raise IntakeError(
                ErrorCode.CONFLICT, texts.APPLICATION_DECIDED.format(number=application_id)
            )
        if approve:
            # set_role refuses an admin approving themselves and records the role change.
            await self._service.set_role(
                actor_id, record.user_id, Role.LIAISON, village_code=record.village_code
            )
        decided = ApplicationState.APPROVED if approve else ApplicationState.DECLINED
        async with self._sessions.begin() as session:
            # Only a pending application is decided: of two admins at once, the second is told.
            result = await session.execute(
                update(LiaisonApplication)
                .where(
                    LiaisonApplication.id == application_id,
                    LiaisonApplication.state == ApplicationState.PENDING,
                )
                .values(state=decided, decided_by_id=actor_id, decided_at=self._now())
            )
            if not getattr(result, "rowcount", 0):
                raise IntakeError(
                    ErrorCode.CONFLICT, texts.APPLICATION_DECIDED.format(number=application_id)
                )
            decided_record = await session.get(LiaisonApplication, application_id)
            assert decided_record is not None
            return _view(decided_record)

    async def register(self, start: date, end: date) -> tuple[RegisterRow, ...]:
        """The service register from ``start`` to ``end`` (township dates, inclusive).

        Every current liaison appears in every month of the period, with zeros if they did
        nothing; someone who filed as a liaison and no longer is appears where they did.

        Raises:
            IntakeError: ``INVALID_INPUT`` if ``end`` is before ``start``.

        """
        if end < start:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.END_BEFORE_START)
        tz = self._config.tz
        since = datetime.combine(start, time(), tz)
        until = datetime.combine(end + timedelta(days=1), time(), tz)
        async with self._sessions() as session:
            filed = (
                await session.execute(
                    select(Ticket.filed_by_id, Ticket.received_at).where(
                        Ticket.source == Source.LIAISON,
                        Ticket.received_at >= since,
                        Ticket.received_at < until,
                    )
                )
            ).all()
            filers = {row.filed_by_id for row in filed}
            people = {
                user.id: user
                for user in await session.scalars(
                    select(User).where(or_(User.role == Role.LIAISON, User.id.in_(filers)))
                )
            }
            by_telegram = {u.telegram_id: u.id for u in people.values() if u.telegram_id}
            # The name they applied with is their real one; a Telegram name may be a nickname.
            real_names = dict(
                (
                    await session.execute(
                        select(LiaisonApplication.user_id, LiaisonApplication.name)
                        .where(
                            LiaisonApplication.user_id.in_(people),
                            LiaisonApplication.state == ApplicationState.APPROVED,
                        )
                        .order_by(LiaisonApplication.id)
                    )
                ).all()
            )
            asked = (
                await session.execute(
                    select(QuestionRecord.asked_by, QuestionRecord.asked_at).where(
                        QuestionRecord.asked_by.in_(by_telegram),
                        QuestionRecord.asked_at >= since,
                        QuestionRecord.asked_at < until,
                    )
                )
            ).all()
        cases = Counter((_month(row.received_at, tz), row.filed_by_id) for row in filed)
        questions = Counter((_month(row.asked_at, tz), by_telegram[row.asked_by]) for row in asked)
        months = _months(start, end)
        rows = []
        for month in months:
            for user in sorted(people.values(), key=lambda u: (u.village_code or "", u.id)):
                key = (month, user.id)
                if user.role is not Role.LIAISON and key not in cases and key not in questions:
                    continue
                rows.append(
                    RegisterRow(
                        month=month,
                        user_id=user.id,
                        name=real_names.get(user.id, user.display_name),
                        village_code=user.village_code,
                        cases=cases[key],
                        questions=questions[key],
                    )
                )
        return tuple(rows)

    def _village(self, typed: str) -> str:
        wanted = typed.strip()
        for village in self._config.township.villages:
            if wanted in (village.code, village.name):
                return village.code
        return validation.find_village(self._config, wanted).code

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)


def _view(record: LiaisonApplication) -> ApplicationView:
    return ApplicationView(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        village_code=record.village_code,
        phone=record.phone,
        state=ApplicationState(record.state),
        applied_at=record.applied_at,
        decided_at=record.decided_at,
    )


def _month(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def _months(start: date, end: date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
