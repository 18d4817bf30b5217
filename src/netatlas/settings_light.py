"""The settings a read-only command needs, read without pydantic or SQLAlchemy, and the private files.

``netatlas jobs list`` needs two settings, ``NETATLAS_HOME`` and ``NETATLAS_DATABASE_URL``, and
reads them here when nothing else would be validated (:func:`light_location`): no other setting is
given by the environment and their values are the plain ones. Otherwise it returns None and the
command loads :func:`netatlas.settings.load_settings`, which reports a bad value exactly as every
command does. :data:`FIELDS` names the settings (a test keeps it equal to ``Settings.model_fields``).

:func:`prepare_files` makes ``NETATLAS_HOME`` 0700 and the SQLite file (and its -wal/-shm/-journal
files) 0600 before a database driver opens it, tightening what already exists; both paths use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

ENV_PREFIX = "NETATLAS_"
DEFAULT_HOME = Path("~/.local/share/netatlas")
FIELDS = ("home", "database_url", "secret_key", "key_file", "environment", "concurrency", "connect_timeout",
          "command_timeout", "device_timeout", "retries", "retry_backoff", "retention", "inventory_max_bytes",
          "command_output_max", "device_output_max", "stored_output_max", "new_secret_key", "host_key_policy",
          "broker_url", "api_secret", "api_token_ttl", "sync_max_devices", "sync_timeout", "worker_wait",
          "api_workers")
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal", "-writer")  # -writer: the writers' gate (store.sqlite_gate)
DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}  # the driver when none is named


def environment(fields: Iterable[str] = FIELDS, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings the environment (``env``: the process's) gives, by field name: ``NETATLAS_<FIELD>``,
    the variable's name compared without case (``netatlas_home`` sets ``home`` too)."""
    given = {name.lower(): value for name, value in (os.environ if env is None else env).items()}
    prefix = ENV_PREFIX.lower()
    return {field: given[prefix + field] for field in fields if prefix + field in given}


def with_driver(url: str) -> str:
    """``url`` with psycopg named when a PostgreSQL URL names no driver.

    Examples:
        >>> with_driver("postgres://db/netatlas"), with_driver("sqlite:///x.db")
        ('postgresql+psycopg://db/netatlas', 'sqlite:///x.db')
    """
    scheme, separator, rest = url.partition("://")
    return f"{DRIVERS[scheme]}://{rest}" if separator and scheme in DRIVERS else url


def light_location(database_url: str | None, env: Mapping[str, str] | None = None) -> tuple[str, Path] | None:
    """The database URL (``database_url`` given on the command line, else the environment's, else the
    SQLite file under the home) and ``NETATLAS_HOME``, as :func:`netatlas.settings.load_settings` would
    give them; None when the environment sets anything else (or a blank home): the full settings decide.

    Examples:
        >>> light_location(None, {"NETATLAS_HOME": "/srv/na", "PATH": "/bin"})
        ('sqlite:////srv/na/netatlas.db', PosixPath('/srv/na'))
        >>> light_location("postgres://db/x", {"NETATLAS_DATABASE_URL": "sqlite:///y.db"})[0]
        'postgresql+psycopg://db/x'
        >>> light_location(None, {"NETATLAS_CONCURRENCY": "5"}) is None  # validated by the full settings
        True
    """
    given = environment(env=env)
    if set(given) - {"home", "database_url"} or not given.get("home", "x").strip():
        return None
    home = Path(given.get("home", DEFAULT_HOME)).expanduser()
    url = database_url if database_url is not None else given.get("database_url", "")
    if not url.strip():
        return f"sqlite:///{home / 'netatlas.db'}", home
    return with_driver(url), home


def prepare_files(home: Path, sqlite_file: str | None) -> list[str]:
    """Private ``home`` and, when given, a private SQLite file; warnings for what cannot be made so."""
    warnings = secure_home(home)
    if sqlite_file and sqlite_file != ":memory:" and not sqlite_file.startswith("file:"):
        warnings += secure_sqlite_file(Path(sqlite_file).expanduser())
    return warnings


def secure_home(home: Path) -> list[str]:
    """Create ``home`` with mode 0700, or take group and other bits off an existing one; warnings if it cannot."""
    home.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return _tighten(home, PRIVATE_DIR, "NETATLAS_HOME")


def secure_sqlite_file(path: Path) -> list[str]:
    """Create the SQLite file with mode 0600 before the driver opens it (SQLite's -wal/-shm files copy its
    mode), and tighten an existing file and its companions; warnings for what cannot be tightened."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    except OSError as exc:
        return [f"cannot create the database file {path}: {exc.strerror}"]
    warnings = _tighten(path, PRIVATE_FILE, "the database file")
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            warnings += _tighten(companion, PRIVATE_FILE, "the database file")
    return warnings


def _tighten(path: Path, wanted: int, what: str) -> list[str]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & ~wanted & 0o777:
        return []
    try:
        path.chmod(mode & wanted)
    except OSError as exc:
        return [f"{what} {path} has mode {mode:04o} and cannot be made private ({exc.strerror}): "
                f"run `chmod {wanted & 0o777:o} {path}`"]
    return [f"{what} {path} had mode {mode:04o}: group and others may no longer read it (now {mode & wanted:04o})"]
