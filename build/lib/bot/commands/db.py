"""``mingbai db``: bring the database schema up to date, or show where it stands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import SettingsError, load_settings
from intake import create_engine, current_revision, head_revision, upgrade


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``db upgrade`` and ``db current``."""
    parser = subparsers.add_parser("db", help="manage the database schema")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    actions.add_parser(
        "upgrade", help="apply the migrations to the configured database (safe to repeat)"
    ).set_defaults(handler=run_upgrade)
    actions.add_parser("current", help="show the database's schema revision").set_defaults(
        handler=run_current
    )


def run_upgrade(args: argparse.Namespace) -> int:
    """Apply every pending migration; a database already at the newest revision is left as is."""
    return _with_database(_upgrade)


def run_current(args: argparse.Namespace) -> int:
    """Print the database's revision and whether it is the newest."""
    return _with_database(_current)


async def _upgrade(url: str) -> str:
    engine = create_engine(url)
    try:
        before = await current_revision(engine)
        await upgrade(engine)
    finally:
        await engine.dispose()
    head = head_revision()
    if before == head:
        return f"数据库已是最新版本（{head}），无需升级：{_safe(url)}"
    return f"数据库已从 {before or '空库'} 升级到 {head}：{_safe(url)}"


async def _current(url: str) -> str:
    engine = create_engine(url)
    try:
        revision = await current_revision(engine)
    finally:
        await engine.dispose()
    head = head_revision()
    if revision is None:
        return f"数据库尚未初始化（最新版本为 {head}），请运行 mingbai db upgrade：{_safe(url)}"
    state = "已是最新" if revision == head else f"需要升级到 {head}"
    return f"数据库版本 {revision}（{state}）：{_safe(url)}"


def _with_database(action: Callable[[str], Coroutine[Any, Any, str]]) -> int:
    try:
        url = load_settings().effective_database_url
        print(asyncio.run(action(url)))
    except SettingsError as error:
        print(f"配置有误：{error}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as error:
        print(f"无法操作数据库：{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


def _safe(url: str) -> str:
    """The URL with any password hidden, fit to print."""
    return make_url(url).render_as_string(hide_password=True)
