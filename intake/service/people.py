"""People: registration, roles and areas, home villages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intake import texts, validation
from intake.config import IntakeConfig
from intake.enums import Role
from intake.errors import ErrorCode, IntakeError
from intake.models import RoleChangeRecord, Ticket, User, WebVisitor
from intake.service.core import ServiceCore, log
from intake.standings import forget_standings
from intake.views import RoleChange, UserView
from intake.web_chat import WEB_CHAT_FIRST, is_web_chat

DISPLAY_NAME_MAX = 128


class PeopleService(ServiceCore):
    """Who is who: registering on first contact, roles and their areas."""

    async def get_or_create_user(self, telegram_id: int, display_name: str) -> UserView:
        """The user with this Telegram id, registered as a villager on first contact.

        A registration is recorded as a role change with no previous role and no actor.

        Args:
            telegram_id: The Telegram user id.
            display_name: The name to show, used only when the user is new.

        Returns:
            The user.

        """
        name = display_name.strip()[:DISPLAY_NAME_MAX] or texts.DEFAULT_NAME
        async with self._sessions() as session:
            existing = await self._user_by_telegram(session, telegram_id)
            if existing is not None:
                return existing.to_view()
        try:
            async with self._sessions.begin() as session:
                now = self._now()
                user = User(
                    telegram_id=telegram_id, display_name=name, role=Role.VILLAGER, created_at=now
                )
                session.add(user)
                await session.flush()
                session.add(
                    RoleChangeRecord(
                        user_id=user.id, actor_id=None, created_at=now, to_role=Role.VILLAGER
                    )
                )
                registered = user.to_view()
            # The guard remembers who was never seen (:mod:`intake.standings`).
            forget_standings(self._engine)
            return registered
        except IntegrityError:
            # Two first messages from the same person raced; the other one registered them.
            async with self._sessions() as session:
                raced = await self._user_by_telegram(session, telegram_id)
                if raced is None:
                    raise
                return raced.to_view()

    async def ensure_admin(self, telegram_id: int, display_name: str) -> UserView:
        """Make the configured administrator an admin (for the composition root at start-up).

        Returns:
            The admin; a role change is recorded, with no actor, only if one was needed.

        """
        user = await self.get_or_create_user(telegram_id, display_name)
        if user.role is Role.ADMIN:
            return user
        async with self._sessions.begin() as session:
            record = await self._require_user(session, user.id)
            change = await self._change_role(session, None, record, Role.ADMIN, None, None, None)
        forget_standings(self._engine)
        log.info("user %s: made admin from the configuration", user.id)
        return change.user

    async def get_user(self, user_id: int) -> UserView:
        """The user with this id.

        Raises:
            IntakeError: ``UNKNOWN_USER``.

        """
        async with self._sessions() as session:
            return (await self._require_user(session, user_id)).to_view()

    async def home_village(self, telegram_id: int) -> str | None:
        """The village a person belongs to, as far as the township knows, or ``None``.

        Staff and liaisons have one on their record; a villager's is the village of the last
        ticket filed for him, else, on the chat page, the village its QR code named.
        """
        async with self._sessions() as session:
            user = await self._user_by_telegram(session, telegram_id)
            if user is not None and user.village_code is not None:
                return user.village_code
            if user is not None:
                latest = await session.scalars(
                    select(Ticket.village_code)
                    .where(Ticket.villager_id == user.id)
                    .order_by(Ticket.received_at.desc(), Ticket.id.desc())
                    .limit(1)
                )
                if (filed := latest.first()) is not None:
                    return filed
            if not is_web_chat(telegram_id):
                return None
            return await session.scalar(
                select(WebVisitor.village_code).where(WebVisitor.id == telegram_id - WEB_CHAT_FIRST)
            )

    async def set_role(
        self,
        actor_id: int,
        user_id: int,
        role: Role,
        *,
        village_code: str | None = None,
        grid_code: str | None = None,
        unit: str | None = None,
    ) -> RoleChange:
        """Give someone a role and area (admins only; nobody changes their own role).

        Grid workers need a grid, village mediators and liaisons a village, departments a unit;
        a village implies its grid.

        Args:
            actor_id: The admin making the change.
            user_id: The person whose role changes.
            role: The new role.
            village_code: Their village, where it applies.
            grid_code: Their grid, where it applies.
            unit: Their unit, for department staff only.

        Returns:
            The recorded change.

        Raises:
            IntakeError: ``FORBIDDEN``, ``UNKNOWN_USER``, ``UNKNOWN_VILLAGE``, ``UNKNOWN_GRID``,
                ``UNKNOWN_UNIT`` or ``INVALID_INPUT``.

        """
        village = None
        if village_code is not None:
            village = validation.find_village(self._config, village_code)
            grid_code = validation.clean_grid(self._config, village, grid_code)
        elif grid_code is not None and self._config.grid(grid_code) is None:
            raise IntakeError(ErrorCode.UNKNOWN_GRID, texts.UNKNOWN_GRID.format(grid=grid_code))
        _check_role_area(self._config, role, village_code, grid_code, unit)
        async with self._sessions.begin() as session:
            actor = await self._require_user(session, actor_id)
            if actor.role is not Role.ADMIN:
                raise IntakeError(ErrorCode.FORBIDDEN, texts.ROLES_BY_ADMINS)
            if actor_id == user_id:
                raise IntakeError(ErrorCode.FORBIDDEN, texts.OWN_ROLE)
            user = await self._require_user(session, user_id)
            change = await self._change_role(
                session, actor, user, role, village_code, grid_code, unit
            )
        forget_standings(self._engine)
        log.info("user %s: role set to %s by user %s", user_id, role.value, actor_id)
        return change

    async def _change_role(
        self,
        session: AsyncSession,
        actor: User | None,
        user: User,
        role: Role,
        village_code: str | None,
        grid_code: str | None,
        unit: str | None,
    ) -> RoleChange:
        before = user.role
        user.role = role
        user.village_code, user.grid_code, user.unit = village_code, grid_code, unit
        record = RoleChangeRecord(
            user_id=user.id,
            actor_id=actor.id if actor is not None else None,
            created_at=self._now(),
            from_role=before,
            to_role=role,
            village_code=village_code,
            grid_code=grid_code,
            unit=unit,
        )
        session.add(record)
        await session.flush()
        return RoleChange(
            id=record.id,
            user=user.to_view(),
            actor_id=record.actor_id,
            from_role=before,
            created_at=record.created_at,
        )


def _check_role_area(
    config: IntakeConfig,
    role: Role,
    village_code: str | None,
    grid_code: str | None,
    unit: str | None,
) -> None:
    if role is Role.GRID_WORKER and grid_code is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.GRID_WORKER_NEEDS_GRID)
    if role in (Role.VILLAGE_MEDIATOR, Role.LIAISON) and village_code is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.ROLE_NEEDS_VILLAGE.format(role=role.label))
    if role is Role.DEPARTMENT:
        if unit is None:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.DEPARTMENT_NEEDS_UNIT)
        if unit not in config.units:
            raise IntakeError(
                ErrorCode.UNKNOWN_UNIT,
                texts.UNKNOWN_ROLE_UNIT.format(unit=unit, units=texts.LIST_JOIN.join(config.units)),
            )
    elif unit is not None:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.UNIT_ONLY_FOR_DEPARTMENT)
