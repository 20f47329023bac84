"""A ticket's thread on its console page: the messages, their files, and the forms to write."""

from __future__ import annotations

from intake import Attachment, AttachmentKind, EventType, Visibility
from intake.enums import Side
from tests.bot.console.conftest import PNG, PREFIX, Console, errors_of
from tests.intake.conftest import accepted


async def test_staff_ask_for_more_and_see_the_villagers_photo_in_the_thread(
    console: Console,
) -> None:
    number = await accepted(console.intake, console.people)
    await console.login(console.people.grid)

    status, html = await console.post(
        f"/tickets/{number}/request_more", {"text": "请补充借条的照片。"}
    )

    assert status == 200 and 'id="waiting"' in html
    asked = console.notified[-1]
    assert [e.type for e in asked.events] == [EventType.MORE_REQUESTED]
    assert asked.message is not None and asked.message.side is Side.STAFF

    photo = Attachment(AttachmentKind.PHOTO, "photo-1")
    supplied = await console.intake.add_villager_message(
        console.people.villager, number, text="借条", attachment=photo, source_key="tg:5:1"
    )
    assert supplied.message is not None
    _, html = await console.get(f"/tickets/{number}")
    href = f"{PREFIX}/tickets/{number}/thread/{supplied.message.id}/file"
    assert f'<img src="{href}"' in html and "借条" in html and 'id="waiting"' not in html

    response = await console.client.get(href)
    assert response.status == 200 and await response.read() == PNG
    assert response.headers["Content-Disposition"].startswith("inline")
    missing = await console.client.get(f"{PREFIX}/tickets/{number}/thread/999/file")
    assert missing.status == 404


async def test_a_public_message_reaches_the_bot_and_an_internal_one_does_not_leave(
    console: Console,
) -> None:
    number = await accepted(console.intake, console.people)
    await console.login(console.people.grid)

    await console.post(f"/tickets/{number}/message", {"text": "我们明天上门。"})
    await console.post(f"/tickets/{number}/internal_message", {"text": "对方不好说话"})

    public, internal = console.notified[-2:]
    assert public.message is not None and public.message.visibility is Visibility.PUBLIC
    assert internal.message is not None and internal.message.visibility is Visibility.INTERNAL
    villager_view = await console.intake.thread(console.people.villager, number)
    assert [m.text for m in villager_view] == ["我们明天上门。"]


async def test_an_empty_message_is_refused_and_nothing_is_sent(console: Console) -> None:
    number = await accepted(console.intake, console.people)
    await console.login(console.people.grid)
    before = len(console.notified)

    status, html = await console.post(f"/tickets/{number}/message", {"text": "   "})

    assert status == 400 and "留言不能为空" in errors_of(html)
    assert len(console.notified) == before
    assert await console.intake.thread(console.people.grid, number) == ()
