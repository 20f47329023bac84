"""Bans, open-ticket counts and held updates (:mod:`intake.moderation`), on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import ErrorCode, IntakeError, IntakeService, Role
from intake.moderation import Moderation
from tests.intake.conftest import FakeClock, People, file


@pytest.fixture
def moderation(engine: AsyncEngine, clock: FakeClock) -> Moderation:
    return Moderation(engine, clock=clock)


async def test_an_officer_bans_and_unbans_a_villager(
    moderation: Moderation, people: People, clock: FakeClock
) -> None:
    banned = await moderation.ban(people.officer, people.villager, "  连续发送辱骂信息  ")
    standing = await moderation.standing(1001)  # the villager's Telegram id
    clock.advance(hours=1)
    lifted = await moderation.unban(people.admin, people.villager)

    assert banned.banned and banned.reason == "连续发送辱骂信息"
    assert standing is not None and standing.banned and not standing.ban_notified
    assert not lifted.banned and lifted.actor_id == people.admin
    after = await moderation.standing(1001)
    assert after is not None and not after.banned
    history = await moderation.ban_history(people.villager)
    assert [(r.banned, r.actor_id) for r in history] == [
        (True, people.officer),
        (False, people.admin),
    ]
    assert history[1].created_at > history[0].created_at


@pytest.mark.parametrize("who", ["villager", "liaison", "grid", "mediator", "police"])
async def test_only_officers_and_admins_may_ban(
    moderation: Moderation, people: People, who: str
) -> None:
    with pytest.raises(IntakeError) as refused:
        await moderation.ban(getattr(people, who), people.neighbour)

    assert refused.value.code is ErrorCode.FORBIDDEN
    assert await moderation.ban_history(people.neighbour) == ()


async def test_staff_and_oneself_cannot_be_banned(moderation: Moderation, people: People) -> None:
    for target in (people.grid, people.admin, people.officer):
        with pytest.raises(IntakeError) as refused:
            await moderation.ban(people.officer, target)
        assert refused.value.code is ErrorCode.FORBIDDEN


async def test_banning_twice_and_unbanning_the_unbanned_are_refused(
    moderation: Moderation, people: People
) -> None:
    await moderation.ban(people.officer, people.villager)
    with pytest.raises(IntakeError) as twice:
        await moderation.ban(people.admin, people.villager)
    with pytest.raises(IntakeError) as not_banned:
        await moderation.unban(people.officer, people.neighbour)
    with pytest.raises(IntakeError) as unknown:
        await moderation.ban(people.officer, 99999)

    assert twice.value.code is ErrorCode.CONFLICT
    assert not_banned.value.code is ErrorCode.INVALID_INPUT
    assert unknown.value.code is ErrorCode.UNKNOWN_USER
    assert len(await moderation.ban_history(people.villager)) == 1


async def test_a_banned_person_is_told_once(moderation: Moderation, people: People) -> None:
    assert not await moderation.mark_ban_notified(people.villager)  # not banned
    await moderation.ban(people.officer, people.villager)

    first = await moderation.mark_ban_notified(people.villager)
    second = await moderation.mark_ban_notified(people.villager)

    assert (first, second) == (True, False)
    standing = await moderation.standing(1001)
    assert standing is not None and standing.ban_notified


async def test_a_new_ban_after_an_unban_is_told_again(
    moderation: Moderation, people: People
) -> None:
    await moderation.ban(people.officer, people.villager)
    await moderation.mark_ban_notified(people.villager)
    await moderation.unban(people.officer, people.villager)
    await moderation.ban(people.officer, people.villager)

    assert await moderation.mark_ban_notified(people.villager)


async def test_unknown_people_have_no_standing(moderation: Moderation, people: People) -> None:
    assert await moderation.standing(424242) is None
    officer = await moderation.standing(1009)
    assert officer is not None and officer.role.is_staff and not officer.banned


async def test_ban_events_are_append_only(
    moderation: Moderation, people: People, engine: AsyncEngine
) -> None:
    await moderation.ban(people.officer, people.villager)

    for statement in ("UPDATE ban_events SET reason = 'x'", "DELETE FROM ban_events"):
        with pytest.raises(DBAPIError):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    assert len(await moderation.ban_history(people.villager)) == 1


async def test_open_tickets_count_only_those_staff_still_work_on(
    moderation: Moderation, service: IntakeService, people: People
) -> None:
    first = (await file(service, people.villager)).ticket.number
    await file(service, people.villager)
    await file(service, people.neighbour)
    await service.accept(people.grid, first)
    assert await moderation.open_ticket_count(people.villager) == 2

    await service.reply(people.grid, first, "已经协调好了。")

    assert await moderation.open_ticket_count(people.villager) == 1
    assert await moderation.open_ticket_count(people.outsider) == 0


async def test_held_updates_come_back_in_order_until_released(
    moderation: Moderation, people: People, clock: FakeClock
) -> None:
    first = await moderation.hold(1001, 7, {"update_id": 7, "message": {"text": "一"}})
    clock.advance(seconds=1)
    await moderation.hold(1001, 8, {"update_id": 8, "message": {"text": "二"}})
    await moderation.hold(1002, 9, {"update_id": 9})

    assert [h.update_id for h in await moderation.held(1001)] == [7, 8]
    assert await moderation.holding() == {1001, 1002}

    await moderation.release(first)
    await moderation.release(first)  # a second release changes nothing

    remaining = await moderation.held(1001)
    assert [(h.update_id, h.payload["message"]["text"]) for h in remaining] == [(8, "二")]
    await moderation.release(remaining[0].id)
    assert await moderation.holding() == {1002}


async def test_a_standing_is_read_once_and_read_again_after_a_ban_or_unban(
    engine: AsyncEngine, moderation: Moderation, people: People
) -> None:
    banning = Moderation(engine)  # /ban's own, as in the bot
    before = await moderation.standing(1001)
    # A ban written behind this process's back (another instance) is not seen at once ...
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO bans (user_id, banned_by_id, banned_at) "
                "VALUES (:user, :officer, CURRENT_TIMESTAMP)"
            ),
            {"user": people.villager, "officer": people.officer},
        )
    kept = await moderation.standing(1001)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM bans"))
    # ... but one made here is, by every Moderation on the engine.
    await banning.ban(people.officer, people.villager)
    banned = await moderation.standing(1001)
    await banning.unban(people.officer, people.villager)
    lifted = await moderation.standing(1001)

    assert before is not None and kept == before and not kept.banned
    assert banned is not None and banned.banned
    assert lifted is not None and not lifted.banned


async def test_a_ban_notice_and_a_role_change_are_seen_at_once(
    engine: AsyncEngine, moderation: Moderation, people: People, service: IntakeService
) -> None:
    await moderation.ban(people.officer, people.villager)
    assert (await moderation.standing(1001)) is not None
    await moderation.mark_ban_notified(people.villager)
    told = await moderation.standing(1001)
    neighbour = await moderation.standing(1002)
    await service.set_role(people.admin, people.neighbour, Role.LIAISON, village_code="V01")
    liaison = await moderation.standing(1002)

    assert told is not None and told.ban_notified
    assert neighbour is not None and neighbour.role is Role.VILLAGER
    assert liaison is not None and liaison.role is Role.LIAISON


async def test_someone_never_seen_is_remembered_until_someone_is_registered(
    engine: AsyncEngine, moderation: Moderation, service: IntakeService
) -> None:
    unknown = await moderation.standing(4321)
    # Registered behind this process's back (another instance): "never seen" is remembered ...
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (telegram_id, display_name, role, created_at) "
                "VALUES (4321, '马新', 'villager', CURRENT_TIMESTAMP)"
            )
        )
    remembered = await moderation.standing(4321)
    # ... until someone is registered here, which forgets what was remembered.
    await service.get_or_create_user(4322, "新来的")
    known = await moderation.standing(4321)

    assert unknown is None and remembered is None
    assert known is not None and known.role is Role.VILLAGER
