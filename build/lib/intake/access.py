"""Who may see a ticket.

A ticket is visible to:

* its villager and whoever filed it (a liaison filing on a villager's behalf, or staff);
* its current assignee;
* grid workers of its grid and village mediators of its village, whatever its level;
* township officers and admins (the township reviews the whole chain);
* staff of a department, while the ticket is in joint handling with that department as lead
  or co-handling unit.

Nobody else learns that it exists. :func:`can_see` and :func:`visible_clause` state the same rule
for one ticket in Python and for many in SQL; a test checks that they agree.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from intake.enums import Level, Role
from intake.models import Ticket, TicketCoUnit
from intake.views import TicketView, UserView

_SEE_ALL = frozenset({Role.TOWNSHIP_OFFICER, Role.ADMIN})


def can_see(user: UserView, ticket: TicketView) -> bool:
    """Whether ``user`` may read ``ticket`` and its history."""
    if user.role in _SEE_ALL:
        return True
    if user.id in (ticket.villager_id, ticket.filed_by_id, ticket.assignee_id):
        return True
    if user.role is Role.GRID_WORKER:
        return user.grid_code is not None and ticket.grid_code == user.grid_code
    if user.role is Role.VILLAGE_MEDIATOR:
        return user.village_code is not None and ticket.village_code == user.village_code
    if user.role is Role.DEPARTMENT:
        return (
            user.unit is not None
            and ticket.level is Level.DEPARTMENT
            and (ticket.lead_unit == user.unit or user.unit in ticket.co_units)
        )
    return False


def visible_clause(user: UserView) -> ColumnElement[bool]:
    """An SQL condition on :class:`~intake.models.Ticket` selecting what ``user`` may see."""
    if user.role in _SEE_ALL:
        return true()
    own = or_(
        Ticket.villager_id == user.id,
        Ticket.filed_by_id == user.id,
        Ticket.assignee_id == user.id,
    )
    return or_(own, _area_clause(user))


def _area_clause(user: UserView) -> ColumnElement[bool]:
    if user.role is Role.GRID_WORKER and user.grid_code is not None:
        return Ticket.grid_code == user.grid_code
    if user.role is Role.VILLAGE_MEDIATOR and user.village_code is not None:
        return Ticket.village_code == user.village_code
    if user.role is Role.DEPARTMENT and user.unit is not None:
        co_handling = exists(
            select(TicketCoUnit.ticket_id).where(
                TicketCoUnit.ticket_id == Ticket.id, TicketCoUnit.unit == user.unit
            )
        )
        return (Ticket.level == Level.DEPARTMENT) & or_(Ticket.lead_unit == user.unit, co_handling)
    return false()
