"""Waking the pages that wait (:mod:`bot.web_chat.news`)."""

from __future__ import annotations

import asyncio

from bot.web_chat.news import WebNews


async def test_news_wakes_only_the_pages_of_its_chat() -> None:
    news = WebNews()
    loop = asyncio.get_running_loop()
    waiting = asyncio.create_task(news.wait(1, 10.0))
    other = asyncio.create_task(news.wait(2, 0.2))
    await asyncio.sleep(0.01)
    started = loop.time()
    news.tell(1)
    await waiting
    assert loop.time() - started < 1.0
    assert not other.done()
    await other  # it ends by its timeout
    news.tell(3)  # no page waits: nothing happens


async def test_a_stopping_server_wakes_every_page() -> None:
    news = WebNews()
    waiting = [asyncio.create_task(news.wait(chat_id, 10.0)) for chat_id in (1, 1, 2)]
    await asyncio.sleep(0.01)
    news.tell_everyone()
    async with asyncio.timeout(1.0):
        await asyncio.gather(*waiting)
