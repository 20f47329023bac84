"""Debian's Chromium driven by Playwright, for the browser tests (the console, the chat page).

The tests skip, saying so, only where no Chromium is installed (``.ci/install-chromium``).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, ViewportSize, async_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A microphone that plays a tone and needs no one to allow it: the chat page records.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install Debian's chromium (.ci/install-chromium) to run this",
)


@asynccontextmanager
async def chromium(profile: Path, viewport: ViewportSize) -> AsyncIterator[BrowserContext]:
    """A headless Chromium with its profile in ``profile``, in Chinese."""
    assert CHROMIUM is not None
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            accept_downloads=True,
            locale="zh-CN",
            viewport=viewport,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            await context.close()
