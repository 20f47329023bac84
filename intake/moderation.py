"""Floods and bans: who is banned, how many tickets a villager has open, held-back updates.

Township officers and admins ban and unban people; the current bans live in ``bans`` and every
ban and unban is recorded in ``ban_events``, which the database keeps append-only. Staff are
never banned (their role is taken away first, with ``/role``).

An update over a villager's message limit is not dropped: it is kept in ``held_updates`` (the
update as Telegram sent it) and handed back, in order, once the limit allows
(:mod:`handlers.guard`). A release is recorded after the update was handled, so a crash in
between hands it back again rather than losing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intake import texts, validation
from intake.clock import utcnow
from intake.database import session_factory
from intake.enums import Role
from intake.errors import ErrorCode, IntakeError
from intake.models import Ban, BanEvent, HeldUpdate, Ticket, User
from intake.standings import forget_standings, standings
from intake.states import WORKING_STATES

log = logging.getLogger(__name__)

# Who may ban and unban.
BANNING_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.ADMIN})
HELD_BATCH_MAX = 200


@dataclass(frozen=True)
class Standing:
    """What the guard needs to know about the person behind an update.

    Attributes:
        user_id: Their intake user id.
        role: Their role (staff are never limited).
        banned: Whether they are banned now.
        ban_notified: Whether they were already told about the ban.

    """

    user_id: int
    role: Role
    banned: bool
    ban_notified: bool


@dataclass(frozen=True)
class BanRecord:
    """One ban or unban, from the append-only history."""

    id: int
    user_id: int
    actor_id: int
    created_at: datetime
    banned: bool
    reason: str | None


@dataclass(frozen=True)
class HeldView:
    """An update held back by the flood limit."""

    id: int
    telegram_id: int
    update_id: int
    held_at: datetime
    payload: dict[str, Any]


class Moderation:
    """Bans, open-ticket counts and held updates.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant (timezone-aware); tests pass a fake one.

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._clock = clock

    # Bans -----------------------------------------------------------------------------------

    async def standing(self, telegram_id: int) -> Standing | None:
        """The role and ban of the user with this Telegram id; ``None`` if never seen.

        Read from memory when it was read before and nothing changed since
        (:mod:`intake.standings`); registering someone is such a change, so "never seen" is
        remembered too (most villagers only ask, and asking registers nobody).
        """
        cache = standings(self._engine)
        if telegram_id in cache:
            return cache[telegram_id]
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(User.id, User.role, Ban.user_id, Ban.notified_at)
                    .outerjoin(Ban, Ban.user_id == User.id)
                    .where(User.telegram_id == telegram_id)
                )
            ).one_or_none()
        if row is None:
            cache[telegram_id] = None
            return None
        found = cache[telegram_id] = Standing(
            user_id=row[0],
            role=row[1],
            banned=row[2] is not None,
            ban_notified=row[3] is not None,
        )
        return found

    async def mark_ban_notified(self, user_id: int) -> bool:
        """Record that a banned person was told; ``False`` if they already were (or not banned).

        Of two updates racing to tell them, only one gets ``True``, so they are told once.
        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Ban)
                .where(Ban.user_id == user_id, Ban.notified_at.is_(None))
                .values(notified_at=self._now())
            )
        forget_standings(self._engine)
        return bool(getattr(result, "rowcount", 0))

    async def ban(self, actor_id: int, user_id: int, reason: str | None = None) -> BanRecord:
        """Ban someone from the bot (township officers and admins; never staff or oneself).

        Args:
            actor_id: Who bans.
            user_id: Whom.
            reason: Why, for the record (optional).

        Returns:
            The recorded ban.

        Raises:
            IntakeError: ``FORBIDDEN``, ``UNKNOWN_USER``, ``CONFLICT`` (already banned) or
                ``TEXT_TOO_LONG``.

        """
        clean = _clean_reason(reason)
        try:
            async with self._sessions.begin() as session:
                target = await self._check(session, actor_id, user_id, banning=True)
                if await session.get(Ban, user_id) is not None:
                    raise _already_banned(target)
                now = self._now()
                session.add(
                    Ban(user_id=user_id, banned_by_id=actor_id, banned_at=now, reason=clean)
                )
                record = await self._record(session, actor_id, user_id, banned=True, reason=clean)
        except IntegrityError:
            # Two staff banned the same person at once; the other ban stands.
            raise IntakeError(ErrorCode.CONFLICT, texts.BANNED_JUST_NOW) from None
        forget_standings(self._engine)
        log.info("user %s: banned by user %s", user_id, actor_id)
        return record

    async def unban(self, actor_id: int, user_id: int) -> BanRecord:
        """Lift someone's ban (township officers and admins).

        Raises:
            IntakeError: ``FORBIDDEN``, ``UNKNOWN_USER`` or ``INVALID_INPUT`` (not banned).

        """
        async with self._sessions.begin() as session:
            target = await self._check(session, actor_id, user_id, banning=False)
            ban = await session.get(Ban, user_id)
            if ban is None:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT, texts.NOT_BANNED.format(name=target.display_name)
                )
            await session.delete(ban)
            record = await self._record(session, actor_id, user_id, banned=False, reason=None)
        forget_standings(self._engine)
        log.info("user %s: unbanned by user %s", user_id, actor_id)
        return record

    async def ban_history(self, user_id: int) -> tuple[BanRecord, ...]:
        """Every ban and unban of this person, oldest first."""
        async with self._sessions() as session:
            events = await session.scalars(
                select(BanEvent).where(BanEvent.user_id == user_id).order_by(BanEvent.id)
            )
            return tuple(_record_view(event) for event in events)

    # Open tickets ---------------------------------------------------------------------------

    async def open_ticket_count(self, user_id: int) -> int:
        """How many of this person's own tickets staff are still working on."""
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.villager_id == user_id, Ticket.state.in_(WORKING_STATES))
            )
        return int(count or 0)

    # Held updates ---------------------------------------------------------------------------

    async def hold(self, telegram_id: int, update_id: int, payload: dict[str, Any]) -> int:
        """Keep an update that is over the limit; returns the held record's id."""
        async with self._sessions.begin() as session:
            held = HeldUpdate(
                telegram_id=telegram_id,
                update_id=update_id,
                held_at=self._now(),
                payload=payload,
            )
            session.add(held)
            await session.flush()
            return held.id

    async def held(self, telegram_id: int) -> tuple[HeldView, ...]:
        """This person's updates not yet released, oldest first (at most 200)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(HeldUpdate)
                .where(HeldUpdate.telegram_id == telegram_id, HeldUpdate.released_at.is_(None))
                .order_by(HeldUpdate.id)
                .limit(HELD_BATCH_MAX)
            )
            return tuple(
                HeldView(
                    id=row.id,
                    telegram_id=row.telegram_id,
                    update_id=row.update_id,
                    held_at=row.held_at,
                    payload=row.payload,
                )
                for row in rows
            )

    async def holding(self) -> frozenset[int]:
        """The Telegram ids of everyone with updates not yet released."""
        async with self._sessions() as session:
            ids = await session.scalars(
                select(HeldUpdate.telegram_id).where(HeldUpdate.released_at.is_(None)).distinct()
            )
            return frozenset(ids)

    async def release(self, held_id: int) -> None:
        """Record that a held update has been handled."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(HeldUpdate)
                .where(HeldUpdate.id == held_id, HeldUpdate.released_at.is_(None))
                .values(released_at=self._now())
            )

    # Internals ------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return now.astimezone(UTC)

    async def _check(
        self, session: AsyncSession, actor_id: int, user_id: int, *, banning: bool
    ) -> User:
        actor = await _require_user(session, actor_id)
        if actor.role not in BANNING_ROLES:
            raise IntakeError(ErrorCode.FORBIDDEN, texts.BANS_BY_SUPERVISORS)
        target = await _require_user(session, user_id)
        if banning and actor_id == user_id:
            raise IntakeError(ErrorCode.FORBIDDEN, texts.NO_SELF_BAN)
        if banning and target.role.is_staff:
            raise IntakeError(
                ErrorCode.FORBIDDEN,
                texts.STAFF_NOT_BANNED.format(name=target.display_name, role=target.role.label),
            )
        return target

    async def _record(
        self,
        session: AsyncSession,
        actor_id: int,
        user_id: int,
        *,
        banned: bool,
        reason: str | None,
    ) -> BanRecord:
        event = BanEvent(
            user_id=user_id,
            actor_id=actor_id,
            created_at=self._now(),
            banned=banned,
            reason=reason,
        )
        session.add(event)
        await session.flush()
        return _record_view(event)


async def _require_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise IntakeError(ErrorCode.UNKNOWN_USER, texts.UNKNOWN_USER.format(user_id=user_id))
    return user


def _clean_reason(reason: str | None) -> str | None:
    if reason is None or not reason.strip():
        return None
    return validation.clean_text(reason, what=texts.WHAT_BAN_REASON, limit=validation.REASON_MAX)


def _already_banned(target: User) -> IntakeError:
    return IntakeError(ErrorCode.CONFLICT, texts.ALREADY_BANNED.format(name=target.display_name))


def _record_view(event: BanEvent) -> BanRecord:
    return BanRecord(
        id=event.id,
        user_id=event.user_id,
        actor_id=event.actor_id,
        created_at=event.created_at,
        banned=event.banned,
        reason=event.reason,
    )
