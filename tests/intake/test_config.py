from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from intake import ConfigError, IntakeConfig, Level, load_config
from intake.config import DEFAULT_CONFIG_PATH, DEFAULT_VILLAGES_PATH, DayUnit

DOMAINS = Path(__file__).parents[2] / "knowledge" / "domains.yaml"


def test_the_shipped_map_is_a_labelled_sample_of_34_villages_and_grids(
    config: IntakeConfig,
) -> None:
    township = config.township

    assert township.sample is True
    assert len(township.villages) == len(township.grids) == 34
    assert all(v.name.startswith("示例村") for v in township.villages)
    assert all(g.name.startswith("示例网格") for g in township.grids)
    assert "SAMPLE" in DEFAULT_VILLAGES_PATH.read_text(encoding="utf-8")


def test_every_faq_domain_is_a_category(config: IntakeConfig) -> None:
    domains = yaml.safe_load(DOMAINS.read_text(encoding="utf-8"))["domains"]

    assert set(domains) <= set(config.categories)


def test_the_statutory_periods_and_level_targets(config: IntakeConfig) -> None:
    rules = config.deadlines

    assert (rules.acceptance.days, rules.acceptance.unit) == (15, DayUnit.CALENDAR)
    assert (rules.handling.days, rules.handling.unit) == (60, DayUnit.CALENDAR)
    assert rules.extension_max_days == 30
    assert (rules.feedback.days, rules.feedback.unit) == (7, DayUnit.CALENDAR)
    assert {level: t.days for level, t in rules.level_targets.items()} == {
        Level.GRID: 3,
        Level.VILLAGE: 7,
        Level.TOWNSHIP: 15,
        Level.DEPARTMENT: 30,
    }
    assert {t.unit for t in rules.level_targets.values()} == {DayUnit.WORKING}


def test_holidays_are_weekdays_and_makeup_days_weekends(config: IntakeConfig) -> None:
    assert config.holidays and config.makeup_workdays
    assert all(day.weekday() < 5 for day in config.holidays)
    assert all(day.weekday() >= 5 for day in config.makeup_workdays)
    assert {day.year for day in config.holidays} == {2025, 2026}


def _write(tmp_path: Path, rules: dict[str, object], villages: dict[str, object]) -> ConfigError:
    rules_path, villages_path = tmp_path / "intake.yaml", tmp_path / "villages.yaml"
    rules_path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    villages_path.write_text(yaml.safe_dump(villages, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as failed:
        load_config(rules_path, villages_path)
    return failed.value


RULES = {"categories": ["土地"], "units": ["派出所"]}
MAP = {
    "grids": [{"code": "G1", "name": "一网格"}],
    "villages": [{"code": "V1", "name": "一村", "grid": "G1"}],
}


@pytest.mark.parametrize(
    ("rules", "township", "words"),
    [
        (RULES, {**MAP, "villages": [{"code": "V1", "name": "一村", "grid": "G9"}]}, "G9"),
        (RULES, {**MAP, "grids": MAP["grids"] * 2}, "duplicate grid codes: G1"),
        ({**RULES, "categories": ["土地", "土地"]}, MAP, "duplicate category"),
        ({**RULES, "holidays": ["2026-10-10"], "makeup_workdays": ["2026-10-10"]}, MAP, "both"),
        ({**RULES, "timezone": "Mars/Olympus"}, MAP, "unknown timezone"),
        ({**RULES, "deadlines": {"level_targets": {}}}, MAP, "level_targets lacks grid"),
        ({**RULES, "deadlines": {"handling": {"days": 0, "unit": "calendar"}}}, MAP, "handling"),
        ({**RULES, "colour": "red"}, MAP, "colour"),
        ({"units": ["派出所"]}, MAP, "categories"),
    ],
)
def test_inconsistent_configuration_is_refused_with_the_reason(
    tmp_path: Path, rules: dict[str, object], township: dict[str, object], words: str
) -> None:
    error = _write(tmp_path, rules, township)

    assert "配置无效" in str(error)
    assert words in str(error)


def test_a_valid_minimal_configuration_loads(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(RULES, allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(MAP, allow_unicode=True), encoding="utf-8")

    config = load_config(tmp_path / "a.yaml", tmp_path / "b.yaml")

    assert config.village("V1") is not None and config.village("V9") is None
    assert config.township.sample is False
    assert config.deadlines.acceptance.days == 15


def test_missing_and_malformed_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("categories: [土地\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- 土地\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="无法读取"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="不是有效的 YAML"):
        load_config(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="键值映射"):
        load_config(DEFAULT_CONFIG_PATH, tmp_path / "list.yaml")
