"""The bot's life: what arrives while it is down is answered after, and the webhook works too."""

from pathlib import Path

from bot.local_api import LocalBotApi
from bot.local_chat import local_api
from bot.runners import webhook
from bot.services import open_runtime
from bot.settings import Settings
from tests.e2e.harness import CONSOLE_URL, BotHarness


async def test_messages_sent_while_the_bot_is_down_are_answered_after(bot: BotHarness) -> None:
    villager = bot.user(3101, "马老汉")
    await bot.stop()
    await villager.send("离婚冷静期是多长时间？冷静期里能反悔吗？")
    await bot.start()
    assert "冷静期" in (await villager.reply()).text


async def test_the_webhook_mode_answers_through_the_secret_checked_endpoint(tmp_path: Path) -> None:
    async with (
        LocalBotApi() as api,
        open_runtime(Settings(data_dir=tmp_path)) as runtime,
        webhook(
            runtime,
            local_api(api),
            secret="webhook-secret-1",
            host="127.0.0.1",
            port=0,
            console_url=CONSOLE_URL,
        ),
    ):
        villager = api.user(3102, "韩大姐")
        await villager.send("离婚冷静期是多长时间？冷静期里能反悔吗？")
        assert "冷静期" in (await villager.reply()).text
    assert api.calls_of("setWebhook")[0].params["secret_token"] == "webhook-secret-1"
