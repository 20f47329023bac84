"""Bot API calls made by name, as stored: the relay's deliveries and the poller's getUpdates."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.warnings import PTBUserWarning

# PTB suggests its typed method whenever one exists; the relay replays calls by name on purpose
# (the outbox stores them that way) and the poller needs getUpdates' raw JSON.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


async def call(
    bot: Bot, method: str, params: dict[str, Any], *, read_timeout: float | None = None
) -> Any:
    """Make one Bot API call and return Telegram's raw ``result``.

    Args:
        bot: A bot that calls the Bot API directly.
        method: The Bot API method.
        params: Its parameters, as JSON values.
        read_timeout: How long to wait for the answer; the bot's default if omitted.

    Raises:
        telegram.error.TelegramError: Telegram refused it, or it could not be made.

    """
    if read_timeout is None:
        return await bot.do_api_request(method, api_kwargs=params)
    return await bot.do_api_request(method, api_kwargs=params, read_timeout=read_timeout)
