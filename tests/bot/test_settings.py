from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_nothing_set_gives_the_embedded_defaults() -> None:
    settings = load_settings({})
    assert settings.effective_database_url == "sqlite+aiosqlite:///data/mingbai.db"
    assert settings.telegram_token is None
    assert settings.faq_dir is None
    assert settings.admin_ids == ()


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "mingbai.yaml"
    config.write_text("data_dir: /srv/mingbai\nstaff_chat_id: -100\n", encoding="utf-8")
    settings = load_settings(
        {
            "MINGBAI_CONFIG": str(config),
            "MINGBAI_STAFF_CHAT_ID": "-200",
            "MINGBAI_ADMIN_IDS": "11, 22 33",
            "MINGBAI_TELEGRAM_TOKEN": "123:abc",
        }
    )
    assert settings.data_dir == Path("/srv/mingbai")
    assert settings.staff_chat_id == -200
    assert settings.admin_ids == (11, 22, 33)
    assert settings.telegram_token == "123:abc"
    assert settings.effective_database_url == "sqlite+aiosqlite:////srv/mingbai/mingbai.db"


def test_an_explicit_database_url_wins() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert load_settings({"MINGBAI_DATABASE_URL": url}).effective_database_url == url


def test_a_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "mingbai.yaml"
    config.write_text("telegram_token: 123:abc\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="MINGBAI_TELEGRAM_TOKEN"):
        load_settings({"MINGBAI_CONFIG": str(config)})


@pytest.mark.parametrize(
    ("content", "message"),
    [("- a list\n", "mapping"), ("key: [\n", "not valid YAML"), ("colour: red\n", "COLOUR")],
)
def test_a_bad_file_is_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "mingbai.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings({"MINGBAI_CONFIG": str(config)})


def test_a_missing_file_and_a_bad_value_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings({"MINGBAI_CONFIG": str(tmp_path / "absent.yaml")})
    with pytest.raises(SettingsError, match="MINGBAI_STAFF_CHAT_ID"):
        load_settings({"MINGBAI_STAFF_CHAT_ID": "not a number"})
    with pytest.raises(SettingsError, match="MINGBAI_ANSWER_THRESHOLD"):
        load_settings({"MINGBAI_ANSWER_THRESHOLD": "2"})
    with pytest.raises(SettingsError, match="MINGBAI_TRUSTED_PROXY"):
        load_settings({"MINGBAI_TRUSTED_PROXY": "nginx"})
    assert load_settings({"MINGBAI_TRUSTED_PROXY": "10.0.0.0/8"}).trusted_proxy == "10.0.0.0/8"


def test_privacy_mask_questions_are_kept_180_days_unless_configured() -> None:
    assert load_settings({}).question_retention_days == 180
    configured = load_settings({"MINGBAI_QUESTION_RETENTION_DAYS": "30"})
    assert configured.question_retention_days == 30
    with pytest.raises(SettingsError, match="MINGBAI_QUESTION_RETENTION_DAYS"):
        load_settings({"MINGBAI_QUESTION_RETENTION_DAYS": "0"})


def test_the_digest_hour_is_a_time_of_day() -> None:
    assert load_settings({}).digest_hour == 8
    assert load_settings({"MINGBAI_DIGEST_HOUR": "7"}).digest_hour == 7
    with pytest.raises(SettingsError, match="MINGBAI_DIGEST_HOUR"):
        load_settings({"MINGBAI_DIGEST_HOUR": "24"})


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("MINGBAI_STAFF_CHAT", "MINGBAI_STAFF_CHAT_ID"),
        ("MINGBAI_TELEGRAM_TOKN", "MINGBAI_TELEGRAM_TOKEN"),
        ("MINGBAI_WEBHOOK_URL", "MINGBAI_WEBHOOK_SECRET"),
    ],
)
def test_an_unknown_variable_is_refused_with_the_closest_known_name(
    name: str, closest: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: "123"})
    assert str(raised.value) == f"unknown setting {name}; did you mean {closest}?"


def test_variables_read_outside_the_settings_and_other_prefixes_are_allowed() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1/test"
    settings = load_settings({"MINGBAI_TEST_DATABASE_URL": url, "STAFF_CHAT": "1", "HOME": "/"})
    assert settings.effective_database_url == "sqlite+aiosqlite:///data/mingbai.db"
