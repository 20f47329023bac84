"""``mingbai report``: the township's figures for a period, as tables in Chinese."""

from __future__ import annotations

import argparse
import asyncio
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.console.export import SAMPLE_NOTE, SCOPE, SECTIONS, title, write_workbook
from bot.settings import SettingsError, load_settings
from intake import (
    FIGURE_DEFINITIONS,
    FIGURE_LABELS,
    ConfigError,
    IntakeConfig,
    IntakeError,
    IntakeService,
    Report,
    ReportRow,
    create_engine,
    current_revision,
    head_revision,
    load_config,
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``report``."""
    parser = subparsers.add_parser("report", help="print the intake figures for a period")
    parser.add_argument(
        "--from", dest="start", required=True, type=_date, help="first day, YYYY-MM-DD"
    )
    parser.add_argument("--to", dest="end", required=True, type=_date, help="last day, YYYY-MM-DD")
    parser.add_argument(
        "--xlsx", metavar="FILE", type=Path, help="also write the figures and charts to this .xlsx"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the figures for the period from ``--from`` to ``--to``, each with its definition."""
    if args.end < args.start:
        print(
            f"结束日期 {args.end} 早于开始日期 {args.start}，请检查 --from 和 --to。",
            file=sys.stderr,
        )
        return 2
    try:
        config = load_config()
        url = load_settings().effective_database_url
        report = asyncio.run(_report(url, config, args.start, args.end))
    except (SettingsError, ConfigError) as error:
        print(f"配置有误：{error}", file=sys.stderr)
        return 1
    except _NotMigrated as error:
        print(str(error), file=sys.stderr)
        return 1
    except IntakeError as error:
        print(error.message, file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as error:
        print(f"无法读取数据库：{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(render(report, sample_villages=config.township.sample))
    if args.xlsx is not None:
        try:
            write_workbook(report, args.xlsx, sample_villages=config.township.sample)
        except OSError as error:
            print(f"无法写入 {args.xlsx}：{error.strerror or error}", file=sys.stderr)
            return 1
        print(f"\n已写入 Excel 文件：{args.xlsx}")
    return 0


def render(report: Report, *, sample_villages: bool = False) -> str:
    """The report as plain-text tables: the totals, each defined under it, then each breakdown.

    Args:
        report: The figures.
        sample_villages: Whether the village names are the shipped sample, which is then said.

    Returns:
        The text, lines joined with newlines.

    """
    lines = [title(report), SCOPE.format(as_of=report.as_of)]
    if sample_villages:
        lines.append(SAMPLE_NOTE)
    pairs = list(zip(FIGURE_LABELS, report.total.cells(), strict=True))
    header, rule, *totals = _table(("项目", "数值"), pairs)
    lines += ["", "合计", header, rule]
    for line, (_label, definition) in zip(totals, FIGURE_DEFINITIONS, strict=True):
        lines += [line, f"    {definition}"]
    for heading, key_label, attribute in SECTIONS:
        rows: Sequence[ReportRow] = getattr(report, attribute)
        body = [(row.label, *row.figures.cells()) for row in rows]
        lines += ["", heading, *_table((key_label, *FIGURE_LABELS), body)]
    return "\n".join(lines)


class _NotMigrated(Exception):
    """The database is missing the intake tables or is behind the package."""


async def _report(url: str, config: IntakeConfig, start: date, end: date) -> Report:
    engine = create_engine(url)
    try:
        revision = await current_revision(engine)
        if revision != head_revision():
            raise _NotMigrated("数据库还没有初始化或不是最新版本，请先运行 mingbai db upgrade。")
        return await IntakeService(engine, config).report(start, end)
    finally:
        await engine.dispose()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期「{text}」无效，请写成 YYYY-MM-DD，例如 2025-01-01"
        ) from None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(line[i]) for line in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        # Labels align left, numbers right.
        padded = [
            _pad(c, w, left=i == 0) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return [line(header), rule, *(line(row) for row in rows)]


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    padding = " " * (width - _width(text))
    return text + padding if left else padding + text
