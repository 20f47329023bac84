"""The queue, a ticket's page, its actions and attachments: permissions and bad input."""

from __future__ import annotations

import re

import pytest

from bot.console import texts as console_texts
from bot.console import tickets
from intake import (
    Attachment,
    AttachmentKind,
    EventType,
    Level,
    Source,
    TicketKind,
    TicketState,
)
from intake.actions import CATALOGUE, Input
from tests.bot.console.conftest import PNG, PREFIX, Console, errors_of
from tests.intake.conftest import accepted, file

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def numbers(html: str) -> list[str]:
    return re.findall(r'class="ticket-link">([^<]+)<', html)


async def history_length(console: Console, number: str) -> int:
    return len(await console.intake.history(console.people.admin, number))


# The queue ------------------------------------------------------------------------------------


async def test_each_role_sees_its_own_part_of_the_queue(console: Console) -> None:
    people = console.people
    mine = (await file(console.intake, people.villager)).ticket.number
    other = (await file(console.intake, people.outsider, village_code="V02")).ticket.number
    joint = await accepted(console.intake, people)
    await console.intake.escalate(
        people.officer, joint, reason="需要派出所", to_level=Level.DEPARTMENT, lead_unit="派出所"
    )

    await console.login(people.grid)
    assert sorted(numbers((await console.get("/queue"))[1])) == sorted([mine, joint])
    await console.login(people.other_grid)
    assert numbers((await console.get("/queue"))[1]) == [other]
    await console.login(people.police)
    assert numbers((await console.get("/queue"))[1]) == [joint]
    await console.login(people.justice)
    assert numbers((await console.get("/queue"))[1]) == []
    await console.login(people.officer)
    assert sorted(numbers((await console.get("/queue"))[1])) == sorted([mine, other, joint])


async def test_the_queue_filters_and_shows_days_left(console: Console) -> None:
    people = console.people
    new = (await file(console.intake, people.villager)).ticket.number
    complaint = (
        await file(
            console.intake,
            people.outsider,
            village_code="V02",
            kind=TicketKind.COMPLAINT,
            category="消费",
        )
    ).ticket.number
    handled = await accepted(console.intake, people, category="土地")
    await console.login(people.officer)

    async def listed(**query: str) -> list[str]:
        status, html = await console.get("/queue", params=query)
        assert status == 200
        return numbers(html)

    assert await listed(state="accepted") == [handled]
    assert await listed(kind="complaint") == [complaint]
    assert await listed(category="土地") == [handled]
    assert await listed(village="V02") == [complaint]
    assert await listed(grid="G02") == [complaint]
    assert sorted(await listed(level="grid")) == sorted([new, complaint, handled])
    assert await listed(level="township") == []
    # Filed Monday 2 March: 15 calendar days to decide, the last day Tuesday 17 March.
    _, html = await console.get("/queue")
    assert "受理期限 2026-03-17" in html
    assert "还剩 15 天" in html

    console.clock.advance(days=16)
    await console.login(people.officer)  # the session ended after 12 hours
    overdue = await listed(deadline="overdue")
    assert sorted(overdue) == sorted([new, complaint, handled])
    assert await listed(deadline="overdue", village="V02") == [complaint]
    _, html = await console.get("/queue", params={"deadline": "overdue"})
    assert "已超期 1 天" in html
    assert await listed(deadline="due_soon") == []

    await console.intake.reply(people.officer, handled, "已处理")
    assert handled in await listed()  # answered, not yet closed
    await console.intake.close(people.officer, handled, reason="电话回访")
    assert handled not in await listed()
    assert handled in await listed(state="all")


async def test_unknown_filter_values_are_ignored_with_a_message(console: Console) -> None:
    await file(console.intake, console.people.villager)
    await console.login(console.people.officer)

    status, html = await console.get(
        "/queue", params={"state": "gone", "village": "<b>V99</b>", "page": "x"}
    )

    assert status == 200
    notice = re.search(r'<p class="notice">(.*?)</p>', html)
    assert notice is not None
    assert notice.group(1).startswith("筛选条件无效，已忽略：")
    for bad in ("gone", "&lt;b&gt;V99&lt;/b&gt;", "x"):
        assert bad in notice.group(1)
    assert len(numbers(html)) == 1


async def test_the_queue_pages(console: Console) -> None:
    for _ in range(51):
        await file(console.intake, console.people.villager)
    await console.login(console.people.officer)

    _, first = await console.get("/queue")
    _, second = await console.get("/queue", params={"page": "2"})

    assert len(numbers(first)) == 50
    assert "下一页" in first
    assert numbers(second) == ["2026-000001"]


# A ticket -------------------------------------------------------------------------------------


async def test_a_ticket_shows_the_message_files_answers_seen_and_history(
    console: Console,
) -> None:
    people = console.people
    number = (
        await file(
            console.intake,
            people.villager,
            text="邻居占了我家的路。\n第二行",
            attachments=(
                Attachment(AttachmentKind.PHOTO, "photo-1"),
                Attachment(AttachmentKind.VOICE, "voice-1"),
            ),
            faq_shown=("divorce.cooling_off", "gone.entry"),
        )
    ).ticket.number
    await console.intake.accept(people.grid, number)
    await console.intake.add_note(people.grid, number, "已电话联系")
    await console.login(people.grid)

    status, html = await console.get(f"/tickets/{number}")

    assert status == 200
    assert "邻居占了我家的路。\n第二行" in html
    assert f'<img src="{PREFIX}/tickets/{number}/files/1"' in html
    assert f'<audio controls preload="none" src="{PREFIX}/tickets/{number}/files/2">' in html
    assert console.services.faq.base.entry("divorce.cooling_off").question in html
    assert "问答库里已没有条目 gone.entry" in html
    for label in ("提交", "受理", "内部备注", "已电话联系", "网格员甲（网格员）"):
        assert label in html

    photo = await console.client.get(f"{PREFIX}/tickets/{number}/files/1")
    assert photo.status == 200
    assert photo.headers["Content-Type"] == "image/png"
    assert await photo.read() == PNG
    voice = await console.client.get(f"{PREFIX}/tickets/{number}/files/2")
    assert voice.headers["Content-Type"] == "audio/ogg"
    for index in ("3", "0", "abc"):
        status, html = await console.get(f"/tickets/{number}/files/{index}")
        assert status == 404
        assert "附件" in errors_of(html)


async def test_an_attachment_telegram_cannot_give_is_a_clear_error(console: Console) -> None:
    number = (
        await file(
            console.intake,
            console.people.villager,
            attachments=(Attachment(AttachmentKind.DOCUMENT, "missing"),),
        )
    ).ticket.number
    await console.login(console.people.grid)

    status, html = await console.get(f"/tickets/{number}/files/1")

    assert status == 502
    assert "暂时无法从 Telegram 取回" in errors_of(html)


async def test_a_document_is_downloaded_never_rendered(console: Console) -> None:
    console.files["doc"] = b"<html><script>alert(1)</script></html>"
    number = (
        await file(
            console.intake,
            console.people.villager,
            attachments=(Attachment(AttachmentKind.PHOTO, "doc"),),
        )
    ).ticket.number
    await console.login(console.people.grid)

    response = await console.client.get(f"{PREFIX}/tickets/{number}/files/1")

    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")


async def test_a_grid_worker_cannot_open_or_act_on_another_grids_ticket(
    console: Console,
) -> None:
    people = console.people
    other = (
        await file(
            console.intake,
            people.outsider,
            village_code="V02",
            attachments=(Attachment(AttachmentKind.PHOTO, "photo-1"),),
        )
    ).ticket.number
    await console.login(people.grid)

    for path in (f"/tickets/{other}", f"/tickets/{other}/files/1"):
        status, html = await console.get(path)
        assert status == 404
        assert f"没有找到工单 {other}，或您无权查看" in errors_of(html)
    for action in ("accept", "note", "reply"):
        status, html = await console.post(f"/tickets/{other}/{action}", {"text": "看看"})
        assert status == 404
    assert await history_length(console, other) == 1
    assert console.notified == []


async def test_an_unknown_ticket_number_is_a_clear_message(console: Console) -> None:
    await console.login(console.people.officer)

    for number in ("2099-999999", "<b>bad<b>"):
        status, html = await console.get(f"/tickets/{number}")
        assert status == 404
        assert "没有找到工单" in errors_of(html)
        assert "<b>bad" not in html
    status, html = await console.post("/tickets/2099-999999/reply", {"text": "答复"})
    assert status == 404
    assert "没有找到工单 2099-999999" in errors_of(html)


# Actions --------------------------------------------------------------------------------------


async def test_the_chain_of_actions_is_recorded_and_told_to_the_bot(console: Console) -> None:
    people = console.people
    number = (await file(console.intake, people.villager)).ticket.number
    await console.login(people.officer)

    async def act(action: str, **form: str) -> str:
        status, html = await console.post(f"/tickets/{number}/{action}", form)
        assert status == 200, errors_of(html)
        return html

    html = await act("accept")
    assert "已受理。" in html
    await act("assign", assignee=str(people.grid))
    await act("escalate", to_level="village", reason="网格调解不成")
    await act("note", text="村委会周三调解")
    await act("extend", days="10", reason="需要等鉴定结果")
    html = await act("reply", text="经调解，双方同意各让一步。")
    assert "已答复" in html
    await act("close", reason="村民电话确认满意")

    ticket = await console.intake.get_ticket(people.officer, number)
    assert ticket.state is TicketState.CLOSED
    assert ticket.level is Level.VILLAGE
    assert ticket.extension_days == 10
    types = [event.type for event in await console.intake.history(people.officer, number)]
    assert types == [
        EventType.FILED,
        EventType.ACCEPTED,
        EventType.ASSIGNED,
        EventType.ESCALATED,
        EventType.NOTED,
        EventType.EXTENDED,
        EventType.REPLIED,
        EventType.CLOSED,
    ]
    told = [event.type for outcome in console.notified for event in outcome.events]
    assert told == types[1:]
    assert all(e.actor_id == people.officer for o in console.notified for e in o.events)


async def test_claim_request_feedback_and_reject(console: Console) -> None:
    people = console.people
    number = await accepted(console.intake, people)
    await console.login(people.grid)
    assert (await console.post(f"/tickets/{number}/claim"))[0] == 200
    assert (await console.post(f"/tickets/{number}/reply", {"text": "已答复"}))[0] == 200
    status, html = await console.post(f"/tickets/{number}/request_feedback")
    assert status == 200
    assert "已发起回访" in html

    other = (await file(console.intake, people.villager)).ticket.number
    await console.login(people.officer)
    status, html = await console.post(
        f"/tickets/{other}/reject", {"reason": "属于法院管辖", "route": "向湟中区人民法院起诉"}
    )
    assert status == 200
    ticket = await console.intake.get_ticket(people.officer, other)
    assert ticket.state is TicketState.REJECTED
    assert "向湟中区人民法院起诉" in html


async def test_a_post_without_the_csrf_token_changes_nothing(console: Console) -> None:
    people = console.people
    number = (await file(console.intake, people.villager)).ticket.number
    await console.login(people.officer)

    for form in ({}, {"csrf": ""}, {"csrf": "forged"}):
        response = await console.client.post(
            f"{PREFIX}/tickets/{number}/accept", data=form, allow_redirects=False
        )
        assert response.status == 403
        assert "表单已失效" in errors_of(await response.text())
    ticket = await console.intake.get_ticket(people.officer, number)
    assert ticket.state is TicketState.NEW
    assert await history_length(console, number) == 1
    assert console.notified == []


async def test_role_refusals_come_from_intake_and_change_nothing(console: Console) -> None:
    number = await accepted(console.intake, console.people)
    await console.login(console.people.grid)

    status, html = await console.post(
        f"/tickets/{number}/extend", {"days": "10", "reason": "需要时间"}
    )

    assert status == 403
    assert "只有镇干部或管理员可以延期" in errors_of(html)
    assert await history_length(console, number) == 2


async def test_bad_input_gets_a_clear_message_and_changes_nothing(console: Console) -> None:
    people = console.people
    number = await accepted(console.intake, people)
    closed = await accepted(console.intake, people)
    await console.intake.reply(people.grid, closed, "答复")
    await console.intake.close(people.officer, closed, reason="办结")
    await console.login(people.officer)
    before = await history_length(console, number)

    status, html = await console.post(f"/tickets/{number}/reply", {"text": "长" * 5000})
    assert status == 400
    assert "答复内容太长了：最多 2000 个字，现在是 5000 个字。" in errors_of(html)
    assert "长" * 5000 + "</textarea>" in html  # kept in the form, to shorten and resend

    status, html = await console.post(f"/tickets/{number}/reply", {"text": "   "})
    assert status == 400
    assert "答复内容不能为空" in errors_of(html)

    status, html = await console.post(f"/tickets/{number}/note", {"text": "长" * 200_000})
    assert status == 413
    assert "提交的内容太大了" in errors_of(html)

    status, html = await console.post(f"/tickets/{closed}/reply", {"text": "再答复一次"})
    assert status == 409
    assert "当前状态为「已办结」，不能答复" in errors_of(html)

    for days in ("", "十", "-3", "99"):
        status, html = await console.post(
            f"/tickets/{number}/extend", {"days": days, "reason": "等鉴定"}
        )
        assert status == 400, days
        assert errors_of(html)

    status, html = await console.post(f"/tickets/{number}/escalate", {"to_level": "moon"})
    assert status == 400
    status, html = await console.post(f"/tickets/{number}/assign", {"assignee": "999999"})
    assert status == 400
    assert "没有找到编号为 999999 的用户" in errors_of(html)
    status, html = await console.post(f"/tickets/{number}/explode")
    assert status == 404
    assert "没有「explode」这个操作" in errors_of(html)

    assert await history_length(console, number) == before
    assert len(await console.intake.history(people.officer, closed)) == 4
    assert console.notified == []


async def test_html_in_a_villagers_text_is_escaped_everywhere(console: Console) -> None:
    people = console.people
    number = (
        await file(
            console.intake,
            people.liaison,
            source=Source.LIAISON,
            villager_name="<b>张</b>",
            text=SCRIPT,
        )
    ).ticket.number
    await console.intake.accept(people.officer, number)
    await console.intake.add_note(people.officer, number, SCRIPT)
    await console.login(people.officer)

    for path in ("/queue", f"/tickets/{number}"):
        status, html = await console.get(path)
        assert status == 200
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>张" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;张&lt;/b&gt;" in html

    status, html = await console.post(f"/tickets/{number}/reply", {"text": "长" * 3000 + SCRIPT})
    assert status == 400
    assert "<script>alert" not in html


async def test_a_change_whose_notice_cannot_be_queued_is_not_made(console: Console) -> None:
    number = (await file(console.intake, console.people.villager)).ticket.number
    await console.login(console.people.officer)

    console.break_notifications()
    status, html = await console.post(f"/tickets/{number}/accept")

    # The change and its notice commit together: neither, and the officer is told to retry.
    assert status == 503
    assert "这次办理没有记下" in html
    ticket = await console.intake.get_ticket(console.people.officer, number)
    assert ticket.state is TicketState.NEW
    assert console.notified == []


# Writing in the thread, and asking for 补充材料 (whoever may accept may ask before accepting).
THREAD_ACTIONS = ("message", "request_more")


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("grid", {"accept", "return", "note", *THREAD_ACTIONS}),
        ("mediator", {"accept", "return", "note", *THREAD_ACTIONS}),
        ("officer", {"accept", "reroute", "return", "note", "reject", *THREAD_ACTIONS}),
    ],
)
async def test_only_the_actions_a_role_may_take_are_offered(
    console: Console, role: str, offered: set[str]
) -> None:
    number = (await file(console.intake, console.people.villager)).ticket.number
    await console.login(getattr(console.people, role))

    _, html = await console.get(f"/tickets/{number}")

    assert set(re.findall(r'id="action-([a-z_]+)"', html)) == offered
    assert 'id="internal-message"' in html  # anyone on staff may write internally, as notes


async def test_privacy_mask_the_console_shows_id_and_phone_numbers_in_full(
    console: Console,
) -> None:
    story = "我的身份证号63012219800101123X，有事打13912345678。"
    number = (await file(console.intake, console.people.villager, text=story)).ticket.number

    await console.login(console.people.officer)
    status, html = await console.get(f"/tickets/{number}")

    assert status == 200
    assert "63012219800101123X" in html and "13912345678" in html


def test_the_console_runs_and_words_every_catalogue_action() -> None:
    assert set(tickets.PERFORM) == {entry.action for entry in CATALOGUE}
    for entry in CATALOGUE:
        assert entry.code in console_texts.DONE
        if Input.REASON in entry.inputs:
            assert entry.code in console_texts.REASON_LABELS
        if Input.TEXT in entry.inputs:
            assert entry.code in console_texts.TEXT_LABELS


async def test_bad_choices_for_the_new_actions_are_refused_and_change_nothing(
    console: Console,
) -> None:
    people = console.people
    number = await accepted(console.intake, people)
    await console.intake.reply(people.grid, number, "已答复")
    await console.intake.request_feedback(people.grid, number)
    await console.login(people.officer)
    before = await history_length(console, number)

    status, html = await console.post(f"/tickets/{number}/record_feedback", {"rating": "maybe"})
    assert status == 400
    assert "「回访评价」的选择无效" in errors_of(html)
    status, html = await console.post(f"/tickets/{number}/record_feedback", {"rating": "unrated"})
    assert status == 400
    assert "请选择满意、基本满意或不满意" in errors_of(html)
    status, html = await console.post(
        f"/tickets/{number}/deescalate", {"to_level": "moon", "reason": "试试"}
    )
    assert status == 400
    assert "「下派到」的选择无效" in errors_of(html)
    status, html = await console.post(f"/tickets/{number}/reroute", {"reason": "改派"})
    assert status == 400
    assert "请选择村（社区）" in errors_of(html)

    assert await history_length(console, number) == before
    assert console.notified == []
