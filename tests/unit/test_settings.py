"""Settings come from NETATLAS_* variables, fail fast with the variable's name, and never echo secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netatlas.domain.errors import ConfigError
from netatlas.settings import Settings, load_settings

STRONG_KEY = "a-long-enough-production-passphrase"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No NETATLAS_* variable from the caller's shell; NETATLAS_HOME in a temporary directory."""
    for name in list(os.environ):
        if name.startswith("NETATLAS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NETATLAS_HOME", str(tmp_path))
    return tmp_path


def test_defaults_live_under_netatlas_home(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path}/netatlas.db"
    assert settings.key_path == tmp_path / "secret.key"
    assert (settings.concurrency, settings.retries, settings.retention) == (100, 3, 10)
    assert (settings.connect_timeout, settings.command_timeout, settings.device_timeout) == (10, 30, 300)
    assert settings.environment == "development"
    assert settings.secret_key is None


def test_home_defaults_to_local_share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NETATLAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    settings = load_settings()
    assert settings.home == tmp_path / "user" / ".local/share/netatlas"
    assert settings.database_url == f"sqlite:///{tmp_path}/user/.local/share/netatlas/netatlas.db"


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"NETATLAS_CONCURRENCY": "250", "NETATLAS_CONNECT_TIMEOUT": "2.5", "NETATLAS_COMMAND_TIMEOUT": "7",
           "NETATLAS_DEVICE_TIMEOUT": "60", "NETATLAS_RETRIES": "5", "NETATLAS_RETRY_BACKOFF": "0.25",
           "NETATLAS_RETENTION": "3", "NETATLAS_KEY_FILE": str(tmp_path / "k" / "key"),
           "NETATLAS_DATABASE_URL": "sqlite:////var/tmp/x.db"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert (settings.concurrency, settings.retries, settings.retention) == (250, 5, 3)
    assert (settings.connect_timeout, settings.command_timeout, settings.device_timeout) == (2.5, 7, 60)
    assert settings.retry_backoff == 0.25
    assert settings.key_path == tmp_path / "k" / "key"
    assert settings.database_url == "sqlite:////var/tmp/x.db"


def test_overrides_win_and_none_means_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_CONCURRENCY", "250")
    assert load_settings(concurrency=7).concurrency == 7
    assert load_settings(concurrency=None, database_url=None).concurrency == 250


def test_postgresql_urls_get_the_installed_driver() -> None:
    settings = load_settings(database_url="postgresql://netatlas@127.0.0.1:5432/netatlas")
    assert settings.database_url == "postgresql+psycopg://netatlas@127.0.0.1:5432/netatlas"
    assert load_settings(database_url="postgres://u@h/d").database_url == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("NETATLAS_CONCURRENCY", "0", "greater than or equal to 1"),
    ("NETATLAS_CONCURRENCY", "2001", "less than or equal to 2000"),
    ("NETATLAS_CONCURRENCY", "many", "valid integer"),
    ("NETATLAS_CONNECT_TIMEOUT", "0", "greater than 0"),
    ("NETATLAS_COMMAND_TIMEOUT", "-1", "greater than 0"),
    ("NETATLAS_DEVICE_TIMEOUT", "0", "greater than 0"),
    ("NETATLAS_RETRIES", "0", "greater than or equal to 1"),
    ("NETATLAS_RETRY_BACKOFF", "-1", "greater than or equal to 0"),
    ("NETATLAS_RETENTION", "0", "greater than or equal to 1"),
    ("NETATLAS_ENVIRONMENT", "staging", "'development' or 'production'"),
    ("NETATLAS_DATABASE_URL", "mysql://root@db/netatlas", "unsupported database 'mysql'"),
    ("NETATLAS_DATABASE_URL", "not a url", "not a database URL"),
])
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                        expected: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{variable}: " in str(caught.value)
    assert expected in str(caught.value)


def test_every_bad_value_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_CONCURRENCY", "0")
    monkeypatch.setenv("NETATLAS_RETENTION", "-2")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "NETATLAS_CONCURRENCY" in str(caught.value)
    assert "NETATLAS_RETENTION" in str(caught.value)


def test_timeouts_must_fit_in_the_device_deadline() -> None:
    with pytest.raises(ConfigError, match="NETATLAS_COMMAND_TIMEOUT must not exceed NETATLAS_DEVICE_TIMEOUT"):
        load_settings(command_timeout=120, device_timeout=60)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting.*concurency"):
        load_settings(concurency=5)


def test_database_password_is_never_shown() -> None:
    settings = load_settings(database_url="postgresql://netatlas:hunter2pw@db/netatlas")
    assert "hunter2pw" not in repr(settings)
    assert "hunter2pw" in settings.database_url  # the engine still gets it
    with pytest.raises(ConfigError) as caught:
        load_settings(database_url="mysql://root:hunter2pw@db/netatlas")
    assert "hunter2pw" not in str(caught.value)


def test_secret_key_is_hidden_and_blank_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_SECRET_KEY", STRONG_KEY)
    settings = load_settings()
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == STRONG_KEY
    assert STRONG_KEY not in repr(settings) and STRONG_KEY not in str(settings)
    monkeypatch.setenv("NETATLAS_SECRET_KEY", "  ")
    assert load_settings().secret_key is None


def test_production_refuses_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="NETATLAS_SECRET_KEY is required when NETATLAS_ENVIRONMENT=production"):
        load_settings()


@pytest.mark.parametrize("key", ["changethis", "changeme", "short-key-9"])
def test_production_refuses_a_placeholder_or_short_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    monkeypatch.setenv("NETATLAS_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="NETATLAS_SECRET_KEY is a placeholder") as caught:
        load_settings()
    assert key not in str(caught.value)


def test_production_accepts_a_real_key_or_a_provisioned_key_file(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    assert load_settings(secret_key=STRONG_KEY).environment == "production"
    (tmp_path / "secret.key").write_text("provisioned\n")
    assert isinstance(load_settings(), Settings)


def test_development_accepts_any_key() -> None:
    settings = load_settings(secret_key="dev")
    assert settings.secret_key is not None and settings.secret_key.get_secret_value() == "dev"
