"""Faults on the Bot API, end to end, and what the durable pipeline makes of them.

- Sending: a reply waits in the outbox until the relay gets it through. 429 → sent again after
  ``retry_after``; 500, 502, a timeout or a dropped connection → sent again after a pause. A
  connection dropped *after* Telegram delivered the message is an unknown outcome: the message
  goes again, so the villager sees it twice — the same text both times.
- 403 (the villager blocked the bot): the notice is given up and staff find a note on the ticket.
- Any fault on ``getUpdates``: the poller stores a batch before its offset confirms it, and the
  local Bot API, like Telegram, keeps updates until then, so nothing is lost.
"""

import asyncio

import pytest

from bot.local_api import BotMessage, Fault, FaultKind, Faults, TelegramUser
from handlers.staff.cards import Press
from handlers.texts import staff as staff_texts
from intake import EventType
from intake.outbox import Delivery
from tests.e2e.harness import BotHarness
from tests.e2e.test_staff import filed_with_card, officer, press

VILLAGER_ID = 200701
QUESTION = "离婚冷静期多长时间"
ANSWER = "【离婚冷静期是多长时间？冷静期里能反悔吗？】"

# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after")


def villager(bot: BotHarness) -> TelegramUser:
    return bot.user(VILLAGER_ID, "韩大姐")


def answers_sent(bot: BotHarness) -> int:
    """How many times the bot tried to send the answer, whatever became of each try."""
    return sum(ANSWER in call.params.get("text", "") for call in bot.api.calls_of("sendMessage"))


async def ask(user: TelegramUser) -> BotMessage:
    await user.send(QUESTION)
    return await user.reply()


@pytest.mark.parametrize(
    "fault",
    [
        Fault("429", retry_after=1),
        Fault("500"),
        Fault("502"),
        Fault("drop"),
        Fault("timeout", seconds=0.2),
        Fault("slow", seconds=0.2),
    ],
    ids=lambda fault: fault.kind,
)
async def test_the_villager_gets_the_answer_despite_a_fault_on_sending_it(
    bot: BotHarness, fault: Fault
) -> None:
    faults = Faults().install(bot.api).next("sendMessage", fault)
    user = villager(bot)
    reply = await ask(user)
    assert ANSWER in reply.text
    assert [done.fault.kind for done in faults.of("sendMessage")] == [fault.kind]
    # A slow answer is an answer; every other fault is refused once, then delivered.
    assert answers_sent(bot) == (1 if fault.kind == "slow" else 2)
    await asyncio.sleep(0.2)
    assert user.unread == 0


async def test_an_answer_delivered_but_not_confirmed_arrives_twice_unchanged(
    bot: BotHarness,
) -> None:
    Faults().install(bot.api).next("sendMessage", Fault("drop", processed=True))
    user = villager(bot)
    await user.send(QUESTION)
    first, second = await user.replies(2)
    assert ANSWER in first.text
    assert second.text == first.text
    assert answers_sent(bot) == 2


async def test_a_notice_to_a_villager_who_blocked_the_bot_becomes_a_note_for_staff(
    bot: BotHarness,
) -> None:
    number, card = await filed_with_card(bot)
    staff = await officer(bot)
    Faults().install(bot.api).next("sendMessage", "403")
    await press(staff, card, Press.ACCEPT)

    admin = await bot.intake.ensure_admin(bot.admin.user_id, "管理员")
    note = staff_texts.BLOCKED_NOTE.format(event=EventType.ACCEPTED.label)
    for _ in range(100):
        notes = [
            event.text
            for event in await bot.intake.history(admin.id, number)
            if event.type is EventType.NOTED
        ]
        if notes:
            break
        await asyncio.sleep(0.05)
    assert notes == [note]
    counts = await bot.pipeline.outbox.counts()
    assert counts[Delivery.UNDELIVERABLE] == 1
    assert counts[Delivery.PENDING] == 0


@pytest.mark.parametrize("kind", ["502", "drop"])
async def test_after_a_fault_the_bot_goes_on_answering(bot: BotHarness, kind: FaultKind) -> None:
    Faults().install(bot.api).next("sendMessage", kind)
    user = villager(bot)
    assert ANSWER in (await ask(user)).text
    assert ANSWER in (await ask(user)).text
    assert answers_sent(bot) == 3


async def test_faults_on_get_updates_lose_no_message(bot: BotHarness) -> None:
    await bot.stop()
    user = villager(bot)
    await user.send(QUESTION)  # waits on Telegram while the bot is down
    faults = (
        Faults()
        .install(bot.api)
        .next("getUpdates", "502")
        # Telegram hands the message out, and the response never reaches the bot.
        .next("getUpdates", Fault("drop", processed=True))
        .next("getUpdates", Fault("429", retry_after=1))
    )
    await bot.start()
    reply = await user.reply(timeout=15)
    assert ANSWER in reply.text
    assert [done.fault.kind for done in faults.of("getUpdates")] == ["502", "drop", "429"]
    # Handed out twice, stored once, answered once.
    assert answers_sent(bot) == 1
    assert user.unread == 0
