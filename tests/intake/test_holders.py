"""Who holds a ticket (:mod:`intake.holders`), on every backend."""

from __future__ import annotations

from intake import IntakeService, Level, Role
from intake.holders import Holders, holds
from tests.intake.conftest import People, accepted, file, ticket_view, user_view


async def names(holders: Holders, service: IntakeService, actor: int, number: str) -> list[str]:
    ticket = await service.get_ticket(actor, number)
    return [user.display_name for user in await holders.of(ticket)]


async def test_a_ticket_travels_from_hand_to_hand(service: IntakeService, people: People) -> None:
    holders = Holders(service.engine)
    number = (await file(service, people.villager)).ticket.number
    # New, at 网格排查: the grid workers of its grid (not of another grid).
    assert await names(holders, service, people.admin, number) == ["网格员甲"]

    await service.accept(people.officer, number)
    await service.escalate(people.officer, number, reason="调解", to_level=Level.VILLAGE)
    assert await names(holders, service, people.admin, number) == ["调解员甲"]

    await service.escalate(
        people.officer, number, reason="治安", to_level=Level.DEPARTMENT, lead_unit="派出所"
    )
    assert await names(holders, service, people.admin, number) == ["民警"]

    await service.reply(people.police, number, "已处理。")
    assert await names(holders, service, people.admin, number) == []


async def test_an_assignee_holds_alone_below_joint_handling(
    service: IntakeService, people: People
) -> None:
    holders = Holders(service.engine)
    number = await accepted(service, people)
    await service.assign(people.officer, number, people.grid)
    assert await names(holders, service, people.admin, number) == ["网格员甲"]
    held = {
        user.display_name: [t.number for t in tickets] for user, tickets in await holders.held()
    }
    assert held == {"网格员甲": [number]}

    other = (await file(service, people.outsider, village_code="V02")).ticket.number
    held = {
        user.display_name: [t.number for t in tickets] for user, tickets in await holders.held()
    }
    assert held == {"网格员甲": [number], "网格员乙": [other]}


def test_the_rule_in_python() -> None:
    township = ticket_view(level=Level.TOWNSHIP)
    assert not holds(user_view(Role.TOWNSHIP_OFFICER), township)
    assert holds(
        user_view(Role.TOWNSHIP_OFFICER, 7), ticket_view(level=Level.TOWNSHIP, assignee_id=7)
    )
    joint = ticket_view(
        level=Level.DEPARTMENT, lead_unit="派出所", co_units=("司法所",), assignee_id=7
    )
    assert holds(user_view(Role.DEPARTMENT, unit="司法所"), joint)
    assert not holds(user_view(Role.DEPARTMENT, unit="信访办"), joint)
    assert not holds(user_view(Role.GRID_WORKER, grid_code="G01"), ticket_view(assignee_id=7))
