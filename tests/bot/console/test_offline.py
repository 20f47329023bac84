"""The offline-intake form, the reception days and the liaisons page: permissions, bad input."""

from __future__ import annotations

from intake import Source, TicketKind
from intake.liaisons import ApplicationState, Liaisons
from tests.bot.console.conftest import Console, errors_of

FORM = {
    "form_key": "key-1",
    "channel": Source.WINDOW.value,
    "villager_name": "马六",
    "village": "V01",
    "kind": TicketKind.DISPUTE.value,
    "category": "相邻",
    "text": "邻居的墙倒在我家院子里。",
}


async def test_the_form_needs_the_session_csrf_token(console: Console) -> None:
    await console.login(console.people.grid)
    status, page = await console.post("/tickets/new", {**FORM, "csrf": "forged"})
    assert status == 403 and "表单已失效" in errors_of(page)
    assert await console.intake.list_tickets(console.people.admin) == ()
    assert console.notified == []


async def test_only_grid_village_and_township_staff_open_the_form(console: Console) -> None:
    await console.login(console.people.police)
    status, page = await console.get("/tickets/new")
    assert status == 403 and "不能打开这个页面" in errors_of(page)
    status, _page = await console.post("/tickets/new", FORM)
    assert status == 403
    await console.login(console.people.mediator)
    status, page = await console.get("/tickets/new")
    assert status == 200 and '<option value="V01" selected>' in page


async def test_a_choice_not_on_the_form_is_refused_and_the_rest_kept(console: Console) -> None:
    await console.login(console.people.officer)
    status, page = await console.post("/tickets/new", {**FORM, "channel": "villager"})
    assert status == 400 and errors_of(page) == "请选择登记方式。"
    assert 'value="马六"' in page
    status, page = await console.post("/tickets/new", {**FORM, "kind": "gossip"})
    assert status == 400 and errors_of(page) == "请选择类型。"
    status, page = await console.post(
        "/tickets/new", {**FORM, "channel": "reception", "leader": "王镇长", "reception_date": "x"}
    )
    assert status == 400 and "看不懂日期" in errors_of(page)
    assert await console.intake.list_tickets(console.people.admin) == ()


async def test_the_filed_case_is_announced_once(console: Console) -> None:
    await console.login(console.people.officer)
    await console.post("/tickets/new", FORM)
    await console.post("/tickets/new", FORM)
    [ticket] = await console.intake.list_tickets(console.people.admin)
    assert ticket.source is Source.WINDOW and ticket.filed_by_id == console.people.officer
    assert [outcome.ticket.number for outcome in console.notified] == [ticket.number]


async def test_reception_days_and_liaisons_are_for_supervisors(console: Console) -> None:
    await console.login(console.people.grid)
    assert (await console.get("/receptions"))[0] == 403
    assert (await console.get("/liaisons"))[0] == 403
    assert (await console.get("/liaisons/register.xlsx"))[0] == 403


async def test_only_an_admin_decides_on_an_application(console: Console) -> None:
    desk = Liaisons(console.intake, console.services.intake_config)
    applied = await desk.apply(console.people.neighbour, "李四", "V01", "13909711111")
    await console.login(console.people.officer)
    status, page = await console.get("/liaisons")
    assert status == 200 and "由管理员审核" in page and 'id="approve-' not in page
    status, page = await console.post(
        "/liaisons", {"application": str(applied.id), "decision": "approve"}
    )
    assert status == 400 and "只有管理员可以审核" in errors_of(page)
    status, page = await console.post(
        "/liaisons", {"application": str(applied.id), "decision": "maybe"}
    )
    assert status == 400 and "审核结果" in errors_of(page)
    assert [a.state for a in await desk.applications(None)] == [ApplicationState.PENDING]

    await console.login(console.people.admin)
    status, page = await console.post(
        "/liaisons", {"application": str(applied.id), "decision": "decline"}
    )
    assert status == 200 and "李四 的申请：未通过。" in page
    status, page = await console.get("/liaisons?from=2026-02-30")
    assert status == 400 and "无效" in errors_of(page)
