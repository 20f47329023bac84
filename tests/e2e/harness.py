"""The real bot, end to end: the production Application long-polling a local Bot API over HTTP.

Only the Bot API is local; everything else (handlers, intake, the SQLite database, persistence) is
what ``mingbai run`` uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.local_api import GroupChat, LocalBotApi, TelegramUser
from bot.local_chat import local_api
from bot.pipeline import Pipeline
from bot.relay import SendLimits
from bot.runners import polling
from bot.services import Runtime, open_runtime
from bot.settings import Settings
from intake import IntakeService, Role

# Tests send faster than a person: the relay's per-chat spacing would only slow them down
# (tests/bot/test_relay.py checks the spacing itself).
UNLIMITED = SendLimits(private_burst=1e6, group_burst=1e6, first_retry=timedelta(milliseconds=50))
STAFF_CHAT_ID = -1001000000001
ADMIN_ID = 900001
CONSOLE_URL = "http://127.0.0.1:8080/console"


@dataclass
class BotHarness:
    """A running bot, the fake Telegram it talks to, and its database."""

    api: LocalBotApi
    runtime: Runtime
    staff_group: GroupChat
    admin: TelegramUser
    _bot: AsyncExitStack = field(default_factory=AsyncExitStack)
    _pipeline: Pipeline | None = None

    @property
    def pipeline(self) -> Pipeline:
        """The running bot's inbox, outbox and relay."""
        assert self._pipeline is not None, "the bot is not running"
        return self._pipeline

    @property
    def intake(self) -> IntakeService:
        """The intake service the bot uses (to set up and check tickets directly)."""
        return self.runtime.services.intake

    def user(self, user_id: int, name: str) -> TelegramUser:
        """A Telegram user who can talk to the bot."""
        return self.api.user(user_id, name)

    async def staff(
        self,
        user_id: int,
        name: str,
        role: Role,
        *,
        village_code: str | None = None,
        grid_code: str | None = None,
        unit: str | None = None,
    ) -> TelegramUser:
        """A user given a role (and area) by the admin, as ``/role`` would."""
        user = self.user(user_id, name)
        admin = await self.intake.ensure_admin(ADMIN_ID, "管理员")
        registered = await self.intake.get_or_create_user(user_id, name)
        await self.intake.set_role(
            admin.id, registered.id, role, village_code=village_code, grid_code=grid_code, unit=unit
        )
        return user

    async def start(self) -> None:
        """Start the bot (long polling the local API)."""
        api = self.api
        self._pipeline = await self._bot.enter_async_context(
            polling(self.runtime, local_api(api), CONSOLE_URL, limits=UNLIMITED)
        )

    async def stop(self) -> None:
        """Stop the bot the way SIGTERM does."""
        await self._bot.aclose()
        self._bot = AsyncExitStack()
        self._pipeline = None

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database and the same Telegram."""
        await self.stop()
        await self.start()


@asynccontextmanager
async def running_bot(data_dir: Path, **settings: Any) -> AsyncIterator[BotHarness]:
    """A bot on a fresh database, with a staff group and an admin.

    Args:
        data_dir: The bot's data folder.
        **settings: Further settings (another database, a shorter SQLite busy timeout...).

    """
    configured = Settings(
        data_dir=data_dir, staff_chat_id=STAFF_CHAT_ID, admin_ids=(ADMIN_ID,), **settings
    )
    async with LocalBotApi() as api, open_runtime(configured) as runtime:
        bot_id = int(api.token.partition(":")[0])
        staff_group = api.group(STAFF_CHAT_ID, "上新庄镇矛盾纠纷处置群", admins=[bot_id, ADMIN_ID])
        harness = BotHarness(api, runtime, staff_group, api.user(ADMIN_ID, "管理员"))
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
