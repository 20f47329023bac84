"""Who holds a ticket: the people who must act on it now, and are told so privately.

An open ticket is held by its assignee, if it has one; else, at 网格排查 by the grid workers of
its grid and at 村级调解 by the mediators of its village (at 镇级研判 the staff group is the
township's desk). In 部门联动 the staff of the lead unit and of every co-handling unit hold it
too, assigned or not. Answered, closed and rejected tickets are held by nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.database import session_factory
from intake.enums import Level, Role
from intake.models import Ticket, User
from intake.states import WORKING_STATES
from intake.views import TicketView, UserView


def holds(user: UserView, ticket: TicketView) -> bool:
    """Whether ``user`` holds ``ticket``."""
    if ticket.state not in WORKING_STATES:
        return False
    if user.id == ticket.assignee_id:
        return True
    if ticket.level is Level.DEPARTMENT:
        units = (ticket.lead_unit, *ticket.co_units)
        return user.role is Role.DEPARTMENT and user.unit is not None and user.unit in units
    if ticket.assignee_id is not None:
        return False
    if ticket.level is Level.GRID:
        return user.role is Role.GRID_WORKER and user.grid_code == ticket.grid_code
    if ticket.level is Level.VILLAGE:
        return user.role is Role.VILLAGE_MEDIATOR and user.village_code == ticket.village_code
    return False


class Holders:
    """Looks up who holds which tickets.

    Args:
        engine: The (migrated) intake database.

    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def of(self, ticket: TicketView) -> list[UserView]:
        """Who holds ``ticket``, by name."""
        if ticket.state not in WORKING_STATES:
            return []
        async with self._sessions() as session:
            candidates = await session.scalars(
                select(User).where(_may_hold(ticket)).order_by(User.display_name, User.id)
            )
            return [user for user in (row.to_view() for row in candidates) if holds(user, ticket)]

    async def held(self) -> list[tuple[UserView, list[TicketView]]]:
        """Everyone who holds a ticket, by name, with what they hold, oldest ticket first."""
        async with self._sessions() as session:
            tickets = [
                row.to_view()
                for row in await session.scalars(
                    select(Ticket)
                    .where(Ticket.state.in_(WORKING_STATES))
                    .order_by(Ticket.received_at, Ticket.id)
                )
            ]
            assignees = {ticket.assignee_id for ticket in tickets} - {None}
            staff = await session.scalars(
                select(User)
                .where(
                    or_(
                        User.role.in_(_AREA_ROLES),
                        User.id.in_(assignees),
                    )
                )
                .order_by(User.display_name, User.id)
            )
            people = [row.to_view() for row in staff]
        return _by_holder(people, tickets)


_AREA_ROLES = (Role.GRID_WORKER, Role.VILLAGE_MEDIATOR, Role.DEPARTMENT)


def _may_hold(ticket: TicketView) -> ColumnElement[bool]:
    """A superset of the ticket's holders, narrowed in Python by :func:`holds`."""
    units = [unit for unit in (ticket.lead_unit, *ticket.co_units) if unit]
    in_units = (
        and_(User.role == Role.DEPARTMENT, User.unit.in_(units))
        if ticket.level is Level.DEPARTMENT and units
        else false()
    )
    return or_(
        User.id == ticket.assignee_id if ticket.assignee_id is not None else false(),
        in_units,
        and_(User.role == Role.GRID_WORKER, User.grid_code == ticket.grid_code),
        and_(User.role == Role.VILLAGE_MEDIATOR, User.village_code == ticket.village_code),
    )


def _by_holder(
    people: Iterable[UserView], tickets: list[TicketView]
) -> list[tuple[UserView, list[TicketView]]]:
    held = [(user, [ticket for ticket in tickets if holds(user, ticket)]) for user in people]
    return [(user, mine) for user, mine in held if mine]
