"""Settings: environment variables over an optional YAML file over embedded defaults.

Secrets (the bot token, the webhook secret) are read only from the environment, never
from the YAML file, so that a configuration file can be shared and committed safely.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.services import DEFAULT_DIGEST_HOUR

ENV_PREFIX = "MINGBAI_"
CONFIG_ENV = "MINGBAI_CONFIG"
SECRET_FIELDS = frozenset({"telegram_token", "webhook_secret"})
# Read elsewhere, not settings: the tests and benchmarks take their PostgreSQL database from it.
OTHER_ENV = frozenset({CONFIG_ENV, "MINGBAI_TEST_DATABASE_URL"})
CONSOLE_PATH = "/console"


class SettingsError(ValueError):
    """Raised when the configuration cannot be read or does not validate."""


class Settings(BaseModel):
    """Everything the composition root needs to build the service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Path("data")
    database_url: str = ""
    faq_dir: Path | None = None
    model_dir: Path | None = None
    contacts_file: Path | None = None
    pufa_file: Path | None = None
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    webhook_secret: str | None = None
    public_url: str | None = None
    trusted_proxy: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    staff_chat_id: int | None = None
    admin_ids: tuple[int, ...] = ()
    answer_threshold: float | None = Field(default=None, ge=0, le=1)
    clarify_threshold: float | None = Field(default=None, ge=0, le=1)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    question_retention_days: int = Field(default=180, ge=1, le=3650)
    digest_hour: int = Field(default=DEFAULT_DIGEST_HOUR, ge=0, le=23)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(",", " ").split())
        return value

    @field_validator("trusted_proxy")
    @classmethod
    def _proxy_is_an_address(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.ip_network(value, strict=False)  # a ValueError names what is wrong
        return value

    @property
    def root_url(self) -> str:
        """Where Telegram and staff reach the server: the public URL, or the listening address."""
        return (self.public_url or f"http://{self.listen_host}:{self.listen_port}").rstrip("/")

    @property
    def console_url(self) -> str:
        """The staff console's address."""
        return self.root_url + CONSOLE_PATH

    @property
    def effective_model_dir(self) -> Path:
        """Where the trained understanding model is cached, by default in the data folder."""
        return self.model_dir or self.data_dir / "models"

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'mingbai.db').as_posix()}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from the YAML file named by ``MINGBAI_CONFIG`` and the environment.

    Args:
        environ: The environment to read; ``os.environ`` when omitted.

    Returns:
        The validated settings.

    Raises:
        SettingsError: The file is missing or malformed, it holds a secret, a value is invalid,
            or the environment names a ``MINGBAI_`` variable that is not a setting.

    """
    env = os.environ if environ is None else environ
    _refuse_unknown(env)
    values: dict[str, Any] = {}
    config_path = env.get(CONFIG_ENV)
    if config_path:
        values.update(_read_config_file(Path(config_path)))
    for name in Settings.model_fields:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{ENV_PREFIX}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None


def _refuse_unknown(env: Mapping[str, str]) -> None:
    """Refuse a mistyped ``MINGBAI_`` variable rather than silently run without it."""
    known = sorted(OTHER_ENV | {ENV_PREFIX + name.upper() for name in Settings.model_fields})
    for name in sorted(env):
        if name.startswith(ENV_PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0)
            raise SettingsError(f"unknown setting {name}; did you mean {close[0]}?")


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"{path}: cannot read the configuration file ({error})") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: not valid YAML ({error})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise SettingsError(f"{path}: the configuration must be a mapping of names to values")
    secrets = sorted(SECRET_FIELDS & loaded.keys())
    if secrets:
        raise SettingsError(
            f"{path}: secrets belong in the environment, not the file: "
            + ", ".join(ENV_PREFIX + s.upper() for s in secrets)
        )
    return loaded
