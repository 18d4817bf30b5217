"""Settings come from NETATLAS_* variables, fail fast with the variable's name, and never echo secrets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from netatlas.domain.errors import ConfigError
from netatlas.settings import Settings, database_url_warnings, load_settings, prepare_storage
from netatlas.store import Database

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


# --- private files, warnings about URLs, limits -------------------------------------------------------------


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_and_database_are_created_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    settings = load_settings(home=home)
    old = os.umask(0o022)
    try:
        assert prepare_storage(settings) == []
    finally:
        os.umask(old)
    assert mode_of(home) == 0o700
    assert mode_of(home / "netatlas.db") == 0o600
    with Database.open(settings.database_url, upgrade=True) as db, db.session() as session:
        session.execute(text("SELECT 1"))
    for path in home.iterdir():  # SQLite's -wal and -shm files take the database file's mode
        assert mode_of(path) == 0o600, path


def test_existing_loose_modes_are_tightened_with_a_warning(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    for name in ("netatlas.db", "netatlas.db-wal", "netatlas.db-shm"):
        (home / name).touch()
        (home / name).chmod(0o644)
    warnings = prepare_storage(load_settings(home=home))
    assert warnings[0] == f"NETATLAS_HOME {home} had mode 0755: group and others may no longer read it (now 0700)"
    assert len(warnings) == 4
    assert [mode_of(p) for p in (home, *sorted(home.iterdir()))] == [0o700, 0o600, 0o600, 0o600]
    assert prepare_storage(load_settings(home=home)) == []  # once tightened, nothing more to say


def test_postgresql_urls_touch_no_file(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "h", database_url="postgresql://netatlas@db/netatlas")
    assert prepare_storage(settings) == []
    assert [p.name for p in (tmp_path / "h").iterdir()] == []


@pytest.mark.parametrize(("url", "warned"), [
    ("postgresql://netatlas@db/netatlas", False),
    ("postgresql://netatlas:hunter2@db/netatlas", True),
    ("postgresql://netatlas@db/netatlas?password=hunter2", True),
    ("sqlite:////var/lib/netatlas/netatlas.db", False),
])
def test_a_password_in_the_database_url_warns_without_showing_it(url: str, warned: bool) -> None:
    warnings = database_url_warnings(url)
    assert bool(warnings) == warned
    assert all("hunter2" not in warning and "NETATLAS_DATABASE_URL" in warning and "pgpass" in warning
               for warning in warnings)


def test_inventory_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().inventory_max_bytes == 16 * 1024 * 1024
    monkeypatch.setenv("NETATLAS_INVENTORY_MAX_BYTES", "1048576")
    assert load_settings().inventory_max_bytes == 1048576
    monkeypatch.setenv("NETATLAS_INVENTORY_MAX_BYTES", "10")
    with pytest.raises(ConfigError, match="NETATLAS_INVENTORY_MAX_BYTES"):
        load_settings()


def test_a_weak_new_secret_key_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETATLAS_ENVIRONMENT", "production")
    monkeypatch.setenv("NETATLAS_SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("NETATLAS_NEW_SECRET_KEY", "changethis")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "NETATLAS_NEW_SECRET_KEY is a placeholder" in str(caught.value) and "changethis" not in str(caught.value)
