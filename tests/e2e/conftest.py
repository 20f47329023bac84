from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import BotHarness, running_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The real bot on a fresh database, reached through a local Bot API over HTTP."""
    async with running_bot(tmp_path) as harness:
        yield harness
