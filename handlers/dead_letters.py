"""Telling staff admins, once, that updates or replies were set aside as dead letters."""

from __future__ import annotations

from telegram import Bot

from handlers.services import Services
from handlers.texts import dead_letters as texts
from intake.database import unit_of_work
from intake.dead_letters import DeadLetters


async def tell_staff(services: Services, bot: Bot, dead_letters: DeadLetters) -> int:
    """Post one message in the staff group about the dead letters not yet reported.

    The message is queued with the record that it was sent, in one unit of work, so staff are
    told of each dead letter once. Without a staff group the console alone shows them.

    Args:
        services: Where the staff group is configured.
        bot: A bot that queues what it sends in the outbox.
        dead_letters: The dead letters.

    Returns:
        How many dead letters were reported.

    """
    async with unit_of_work(services.intake.engine):
        unreported = await dead_letters.unreported()
        if not unreported:
            return 0
        if services.staff_chat_id is not None:
            await bot.send_message(
                services.staff_chat_id, texts.DEAD_LETTERS_TOLD.format(count=len(unreported))
            )
        await dead_letters.mark_reported([letter.id for letter in unreported])
    return len(unreported)
