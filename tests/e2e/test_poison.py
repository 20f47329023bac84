"""A poison update — one whose handling fails every time, for a reason other than the database.

Before, such an update stopped the bot for good: the processor ended, and the update stayed first
in the inbox, so every restart stopped again. Now it is handled again alone a few times, then set
aside as a dead letter; everyone else is answered meanwhile, staff are told once, and the update
is handled after all when an admin retries it once the bug is fixed.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.persistence import USER_DATA, DatabasePersistence
from bot.pipeline import MAX_ATTEMPTS
from handlers.texts.dead_letters import DEAD_LETTERS_TOLD
from intake.dead_letters import Origin
from tests.e2e.harness import STAFF_CHAT_ID, BotHarness
from tests.e2e.test_faults import ANSWER, QUESTION

POISON_ID = 880001
VILLAGER_IDS = (880002, 880003)
PATIENCE_SECONDS = 20.0


async def eventually_one_dead_letter(bot: BotHarness) -> None:
    for _ in range(round(PATIENCE_SECONDS / 0.05)):
        if await bot.pipeline.dead_letters.count():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no dead letter")


def staff_told(bot: BotHarness) -> list[str]:
    told = DEAD_LETTERS_TOLD.split("{")[0]
    sent = bot.api.world.chats[STAFF_CHAT_ID].sent
    return [m.message["text"] for m in sent if m.message.get("text", "").startswith(told)]


async def test_a_poison_update_becomes_a_dead_letter_and_everyone_else_is_answered(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write = DatabasePersistence.write_staged

    async def broken_for_one_user(self: DatabasePersistence) -> None:
        # A bug outside the handlers (PTB reports those to the user): it fails the whole batch.
        if (USER_DATA, str(POISON_ID)) in self._saves:
            raise ValueError("a bug met only by this user's data")
        await write(self)

    monkeypatch.setattr(DatabasePersistence, "write_staged", broken_for_one_user)
    poisoner = bot.user(POISON_ID, "出错的村民")
    before, after = (bot.user(user_id, "村民") for user_id in VILLAGER_IDS)

    await before.send(QUESTION)
    await poisoner.send(QUESTION)
    await after.send(QUESTION)

    assert ANSWER in (await before.reply(timeout=PATIENCE_SECONDS)).text
    assert ANSWER in (await after.reply(timeout=PATIENCE_SECONDS)).text
    await eventually_one_dead_letter(bot)
    [letter] = await bot.pipeline.dead_letters.listing(10)
    assert letter.origin is Origin.UPDATE
    assert json.loads(letter.raw)["message"]["from"]["id"] == POISON_ID
    assert letter.error == "ValueError: a bug met only by this user's data"
    assert letter.retryable
    assert poisoner.unread == 0
    assert await bot.pipeline.inbox.count_pending() == 0

    failures = [r for r in caplog.records if r.message.startswith("handling updates")]
    assert failures and all(r.levelno == logging.ERROR for r in failures)
    assert any("set aside as a dead letter" in r.message for r in caplog.records)
    assert f"failed {MAX_ATTEMPTS} times" in caplog.text

    for _ in range(round(PATIENCE_SECONDS / 0.05)):
        if staff_told(bot):
            break
        await asyncio.sleep(0.05)
    assert staff_told(bot) == [DEAD_LETTERS_TOLD.format(count=1)]
    health = await bot.pipeline.health()
    assert (health.healthy, health.dead_letters, health.last_error) == (True, 1, "ValueError")

    # The bug fixed, an admin retries the update: the villager is answered after all.
    monkeypatch.undo()
    assert await bot.pipeline.dead_letters.retry(letter.id)
    assert ANSWER in (await poisoner.reply(timeout=PATIENCE_SECONDS)).text
    assert await bot.pipeline.dead_letters.count() == 0
    # Staff were told once; the retry does not tell them again.
    await asyncio.sleep(0.5)
    assert len(staff_told(bot)) == 1
    assert [user.unread for user in (poisoner, before, after)] == [0, 0, 0]
