"""Intake configuration: deadlines, holidays, categories, units, villages and grids.

Two YAML files ship with the package: ``intake.yaml`` (rules) and ``villages.yaml`` (the
township's map, a clearly marked sample until the township supplies its real list). Either can be
replaced by passing another path to :func:`load_config`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intake import texts
from intake.enums import LEVELS, Level

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG_PATH = PACKAGE_DIR / "intake.yaml"
DEFAULT_VILLAGES_PATH = PACKAGE_DIR / "villages.yaml"


class ConfigError(ValueError):
    """The configuration files cannot be read or are inconsistent (message in Chinese)."""


class DayUnit(StrEnum):
    """How a period is counted; see :mod:`intake.deadlines`."""

    CALENDAR = "calendar"
    WORKING = "working"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayCount(_Frozen):
    """A period such as "15 days" or "3 working days"."""

    days: int = Field(ge=1, le=366)
    unit: DayUnit


class DeadlineRules(_Frozen):
    """How long each step may take.

    The statutory periods (信访工作条例 2022, arts. 23 and 34) default to calendar days, the way the
    law counts 日; the internal per-level targets default to working days.
    """

    acceptance: DayCount = DayCount(days=15, unit=DayUnit.CALENDAR)
    handling: DayCount = DayCount(days=60, unit=DayUnit.CALENDAR)
    extension_max_days: int = Field(default=30, ge=1, le=366)
    feedback: DayCount = DayCount(days=7, unit=DayUnit.CALENDAR)
    due_soon_hours: int = Field(default=48, ge=1)
    level_targets: dict[Level, DayCount] = Field(
        default_factory=lambda: {
            Level.GRID: DayCount(days=3, unit=DayUnit.WORKING),
            Level.VILLAGE: DayCount(days=7, unit=DayUnit.WORKING),
            Level.TOWNSHIP: DayCount(days=15, unit=DayUnit.WORKING),
            Level.DEPARTMENT: DayCount(days=30, unit=DayUnit.WORKING),
        }
    )

    @model_validator(mode="after")
    def _every_level_has_a_target(self) -> DeadlineRules:
        missing = [level.value for level in LEVELS if level not in self.level_targets]
        if missing:
            raise ValueError(f"level_targets lacks {', '.join(missing)}")
        return self


class Limits(_Frozen):
    """Per-villager limits against floods (staff are never limited).

    Attributes:
        messages: At most this many messages in ``window_seconds``; more are held, not lost.
        window_seconds: The sliding window of the message limit.
        open_tickets: At most this many tickets still being handled per villager.

    """

    messages: int = Field(default=20, ge=1)
    window_seconds: int = Field(default=60, ge=1, le=3600)
    open_tickets: int = Field(default=5, ge=1)


class Grid(_Frozen):
    """One 综治网格."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=64)


class Village(_Frozen):
    """One 村 or 社区, in exactly one grid."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=64)
    grid: str = Field(min_length=1, max_length=32)


class TownshipMap(_Frozen):
    """The villages and grids, and whether the list is still the shipped sample."""

    sample: bool = False
    grids: tuple[Grid, ...]
    villages: tuple[Village, ...]

    @model_validator(mode="after")
    def _consistent(self) -> TownshipMap:
        _require_unique("grid", [grid.code for grid in self.grids])
        _require_unique("village", [village.code for village in self.villages])
        grid_codes = {grid.code for grid in self.grids}
        strays = sorted({v.grid for v in self.villages} - grid_codes)
        if strays:
            raise ValueError(f"villages refer to unknown grids: {', '.join(strays)}")
        return self


class IntakeConfig(_Frozen):
    """Everything the intake service reads from configuration."""

    timezone: str = "Asia/Shanghai"
    categories: tuple[str, ...] = Field(min_length=1)
    units: tuple[str, ...] = Field(min_length=1)
    max_text_chars: int = Field(default=2000, ge=1)
    max_attachments: int = Field(default=10, ge=0)
    deadlines: DeadlineRules = DeadlineRules()
    limits: Limits = Limits()
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    township: TownshipMap

    @model_validator(mode="after")
    def _consistent(self) -> IntakeConfig:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        _require_unique("category", list(self.categories))
        _require_unique("unit", list(self.units))
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(f"dates both holiday and make-up workday: {both}")
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The township's time zone, used for dates in deadlines and reports."""
        return ZoneInfo(self.timezone)

    def village(self, code: str) -> Village | None:
        """The village with this code, if configured."""
        return next((v for v in self.township.villages if v.code == code), None)

    def grid(self, code: str) -> Grid | None:
        """The grid with this code, if configured."""
        return next((g for g in self.township.grids if g.code == code), None)


def load_config(
    path: Path = DEFAULT_CONFIG_PATH, villages_path: Path = DEFAULT_VILLAGES_PATH
) -> IntakeConfig:
    """Read and validate the intake configuration.

    Args:
        path: The rules file (``intake.yaml``).
        villages_path: The township map (``villages.yaml``).

    Returns:
        The validated configuration.

    Raises:
        ConfigError: A file is missing, is not YAML, or does not validate.

    """
    values = _read_mapping(path)
    values["township"] = _read_mapping(villages_path)
    try:
        return IntakeConfig.model_validate(values)
    except ValidationError as error:
        problems = texts.CONFIG_PROBLEM_JOIN.join(
            f"{'.'.join(str(p) for p in e['loc']) or texts.CONFIG_ROOT}: {e['msg']}"
            for e in error.errors()
        )
        raise ConfigError(
            texts.CONFIG_INVALID.format(path=path, villages=villages_path, problems=problems)
        ) from None


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(texts.CONFIG_UNREADABLE.format(path=path, error=error.strerror)) from None
    except yaml.YAMLError as error:
        raise ConfigError(texts.CONFIG_NOT_YAML.format(path=path, error=error)) from None
    if not isinstance(loaded, dict):
        raise ConfigError(texts.CONFIG_NOT_MAPPING.format(path=path))
    return loaded


def _require_unique(what: str, codes: list[str]) -> None:
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what} codes: {', '.join(duplicates)}")
