"""The one settings object: environment variables with the ``NETATLAS_`` prefix, checked at load time.

Every command, the API and the workers call :func:`load_settings` once; a bad value stops them
before they touch a device or the database, with a :class:`ConfigError` naming the variable::

    NETATLAS_HOME             ~/.local/share/netatlas   where the default database and key file live
    NETATLAS_DATABASE_URL     sqlite:///$NETATLAS_HOME/netatlas.db
    NETATLAS_SECRET_KEY       (unset)                   passphrase that encrypts stored credentials
    NETATLAS_KEY_FILE         $NETATLAS_HOME/secret.key used when NETATLAS_SECRET_KEY is unset
    NETATLAS_ENVIRONMENT      development               or production (then a real key is required)
    NETATLAS_CONCURRENCY      100                       devices read at once, 1..2000
    NETATLAS_CONNECT_TIMEOUT  10                        seconds to open and log in to one SSH session
    NETATLAS_COMMAND_TIMEOUT  30                        seconds for one command's output
    NETATLAS_DEVICE_TIMEOUT   300                       seconds for one device, every command included
    NETATLAS_RETRIES          3                         attempts per device on transient errors (1: no retry)
    NETATLAS_RETRY_BACKOFF    1.0                       first retry delay in seconds, doubled each time
    NETATLAS_RETENTION        10                        snapshots kept per device
    NETATLAS_INVENTORY_MAX_BYTES 16777216               largest inventory file read (16 MiB)
    NETATLAS_COMMAND_OUTPUT_MAX  33554432               characters one command may print (32 Mi): output_too_large
    NETATLAS_DEVICE_OUTPUT_MAX   134217728              characters one device session may print (128 Mi)
    NETATLAS_STORED_OUTPUT_MAX   8388608                characters of one command's raw output kept (8 Mi)
    NETATLAS_NEW_SECRET_KEY   (unset)                   the new passphrase for ``netatlas secrets rekey``
    NETATLAS_HOST_KEY_POLICY  tofu (development)        unknown SSH host keys: tofu (trust on first use) or strict
                              strict (production)       (refused: trust them first with ``netatlas devices trust``)
    NETATLAS_BROKER_URL       (unset)                   redis://... selects the Celery executor (unset: in-process)
    NETATLAS_API_SECRET       (unset)                   signs the API's login tokens (JWT); required (and not a
                                                        placeholder) in production: Settings.api_signing_key
    NETATLAS_API_TOKEN_TTL    3600                      seconds a login token (JWT) is valid
    NETATLAS_SYNC_MAX_DEVICES 20                        most devices discover-sync takes (more: use discover-async)
    NETATLAS_SYNC_TIMEOUT     120                       seconds discover-sync waits before answering 408
    NETATLAS_WORKER_WAIT      30                        seconds a Celery job may wait with no worker before it
                                                        reports waiting_for_worker
    NETATLAS_API_WORKERS      1                         ``netatlas serve`` processes sharing the port, 1..64 (more
                                                        than 1 needs NETATLAS_BROKER_URL: jobs and events then
                                                        live outside the server)

``netatlas jobs list`` reads the two settings it needs without this module when nothing else is set
(:mod:`netatlas.settings_light`, which also holds the file helpers re-exported here).

Files are private: :func:`prepare_storage` makes ``NETATLAS_HOME`` 0700 and the SQLite database
(and its -wal/-shm/-journal files) 0600 before SQLAlchemy opens it, tightening what already exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from netatlas.domain.errors import ConfigError
from netatlas.domain.text import mask_url
from netatlas.settings_light import (  # noqa: F401 - the file helpers and constants are re-exported here
    DEFAULT_HOME,
    ENV_PREFIX,
    PRIVATE_DIR,
    PRIVATE_FILE,
    SQLITE_COMPANIONS,
    prepare_files,
    secure_home,
    secure_sqlite_file,
    with_driver,
)
from netatlas.settings_light import environment as light_environment

if TYPE_CHECKING:
    from netatlas.store.light import LightUrl

# Values people paste from examples; refused as a secret key in production.
PLACEHOLDER_KEYS = frozenset({"changethis", "changeme", "change-me", "secret", "password", "netatlas", "default"})
MIN_PRODUCTION_KEY_LENGTH = 16
DEVELOPMENT_API_SECRET = "netatlas-development-only-api-secret"  # noqa: S105 - public: refused outside development
# never echoed in an error message:
_SENSITIVE = frozenset({"secret_key", "new_secret_key", "database_url", "broker_url", "api_secret"})


def env_name(field: str) -> str:
    """The environment variable that sets ``field``.

    Examples:
        >>> env_name("database_url")
        'NETATLAS_DATABASE_URL'
    """
    return ENV_PREFIX + field.upper()


def normalize_database_url(url: str) -> str:
    """Check a database URL and pick the installed PostgreSQL driver (psycopg 3) when none is named.

    Examples:
        >>> normalize_database_url("postgresql://netatlas@db/netatlas")
        'postgresql+psycopg://netatlas@db/netatlas'
        >>> normalize_database_url("sqlite:////var/lib/netatlas/netatlas.db")
        'sqlite:////var/lib/netatlas/netatlas.db'
        >>> normalize_database_url("mysql://x@y/z")
        Traceback (most recent call last):
        ...
        ValueError: unsupported database 'mysql': use sqlite:///PATH or postgresql://USER@HOST/DB
    """
    url = with_driver(url)
    if _light_url(url) is not None:  # a SQLite file or a psycopg URL, read without importing SQLAlchemy
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ValueError("not a database URL: use sqlite:///PATH or postgresql://USER@HOST/DB") from None
    if backend not in {"sqlite", "postgresql"}:
        raise ValueError(f"unsupported database {backend!r}: use sqlite:///PATH or postgresql://USER@HOST/DB")
    return url


def weak_passphrase(passphrase: str) -> bool:
    """A placeholder or a passphrase too short for production.

    Examples:
        >>> weak_passphrase("changethis"), weak_passphrase("x" * 16)
        (True, False)
    """
    key = passphrase.strip()
    return key.lower() in PLACEHOLDER_KEYS or len(key) < MIN_PRODUCTION_KEY_LENGTH


def database_url_warnings(url: str) -> list[str]:
    """Warnings for a database URL given on the command line: a password there shows in ``ps`` and history.

    Examples:
        >>> database_url_warnings("postgresql://netatlas@db/netatlas")
        []
        >>> print(database_url_warnings("postgresql://netatlas:hunter2@db/netatlas")[0])  # doctest: +ELLIPSIS
        the database URL holds a password, which other users can see in the process list ...
    """
    light = _light_url(with_driver(url))
    if light is not None:
        has_password = bool(light.password)
    else:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            return []
        has_password = bool(parsed.password) or "password" in parsed.query
    if not has_password:
        return []
    return ["the database URL holds a password, which other users can see in the "
            "process list and which stays in the shell history; set NETATLAS_DATABASE_URL instead, or keep "
            "the password in a pgpass file (~/.pgpass, mode 0600) and leave it out of the URL"]


def prepare_storage(settings: Settings) -> list[str]:
    """Private ``NETATLAS_HOME`` and, for SQLite, a private database file; call before opening the database."""
    light = _light_url(settings.database_url)
    if light is not None:
        return prepare_files(settings.home, light.sqlite_file())
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    return prepare_files(settings.home, url.database if url.get_backend_name() == "sqlite" else None)


def _light_url(url: str) -> LightUrl | None:
    """``url``'s parts when the light reader parses it (as SQLAlchemy would: a test checks), else None."""
    from netatlas.store.light import parse_url

    return parse_url(url)


def environment() -> dict[str, str]:
    """The settings the environment gives, by field name: ``NETATLAS_<FIELD>``, the variable's name
    compared without case (``netatlas_home`` sets ``home`` too), its text validated as a field given
    by name would be. (As pydantic-settings read them, without importing it: ~0.05 s per command.)"""
    return light_environment(Settings.model_fields)


class Settings(BaseModel):
    """Validated settings. Build it with :func:`load_settings`, which turns errors into ``ConfigError``.

    ``Settings(**values)`` reads the environment (:func:`environment`) and lets ``values`` override it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**environment(), **values})

    home: Path = DEFAULT_HOME
    database_url: str = ""  # empty: SQLite in ``home``
    secret_key: SecretStr | None = None
    key_file: Path | None = None  # None: ``home/secret.key``
    environment: Literal["development", "production"] = "development"
    concurrency: int = Field(default=100, ge=1, le=2000)
    connect_timeout: float = Field(default=10.0, gt=0)
    command_timeout: float = Field(default=30.0, gt=0)
    device_timeout: float = Field(default=300.0, gt=0)
    retries: int = Field(default=3, ge=1, le=10)  # attempts in all, the first included
    retry_backoff: float = Field(default=1.0, ge=0)
    retention: int = Field(default=10, ge=1)
    inventory_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=1024**3)
    command_output_max: int = Field(default=32 * 1024 * 1024, ge=64 * 1024, le=1024**3)
    device_output_max: int = Field(default=128 * 1024 * 1024, ge=64 * 1024, le=4 * 1024**3)
    stored_output_max: int = Field(default=8 * 1024 * 1024, ge=4 * 1024, le=1024**3)
    new_secret_key: SecretStr | None = None  # read by ``netatlas secrets rekey`` only
    host_key_policy: Literal["tofu", "strict"] | None = None  # None: tofu in development, strict in production
    broker_url: str = ""  # empty: the in-process executor; redis://host:port/db: Celery workers
    api_secret: SecretStr | None = None  # None: a development-only key (refused in production)
    api_token_ttl: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    sync_max_devices: int = Field(default=20, ge=1, le=10_000)
    sync_timeout: float = Field(default=120.0, gt=0, le=3600)
    worker_wait: float = Field(default=30.0, gt=0)
    api_workers: int = Field(default=1, ge=1, le=64)  # ``netatlas serve`` processes (more than 1: a broker)

    @field_validator("home", "key_file", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

    @field_validator("secret_key", "new_secret_key", "api_secret", mode="after")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("database_url", mode="after")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return normalize_database_url(value) if value.strip() else ""

    @model_validator(mode="after")
    def _fill_and_check(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.home / 'netatlas.db'}")
        if self.key_file is None:
            object.__setattr__(self, "key_file", self.home / "secret.key")
        for name in ("connect_timeout", "command_timeout"):
            if getattr(self, name) > self.device_timeout:
                raise ValueError(f"{env_name(name)} must not exceed {env_name('device_timeout')} "
                                 f"({getattr(self, name):g} > {self.device_timeout:g})")
        if self.environment == "production":
            self._check_production_key()
        return self

    def _check_production_key(self) -> None:
        if self.secret_key is None:
            if self.key_path.is_file():
                return  # a key file provisioned beforehand is fine; it is never generated in production
            raise ValueError(f"{env_name('secret_key')} is required when {env_name('environment')}=production "
                             f"(or provision the key file {self.key_path} beforehand, mode 0600)")
        for name in ("secret_key", "new_secret_key", "api_secret"):
            value: SecretStr | None = getattr(self, name)
            if value is not None and weak_passphrase(value.get_secret_value()):
                raise ValueError(f"{env_name(name)} is a placeholder or shorter than "
                                 f"{MIN_PRODUCTION_KEY_LENGTH} characters; production needs a real secret")

    def api_signing_key(self) -> str:
        """The key that signs the API's login tokens: ``NETATLAS_API_SECRET``, checked here (not at load
        time, so the CLI never needs it) whenever the API or a worker starts.

        Outside development it is required and must not be a placeholder or short; in development an
        unset secret is a fixed, well-known key, which is exactly why production refuses it.
        """
        if self.api_secret is not None:
            value = self.api_secret.get_secret_value()
            if self.environment != "development" and weak_passphrase(value):
                raise ConfigError(f"{env_name('api_secret')} is a placeholder or shorter than "
                                  f"{MIN_PRODUCTION_KEY_LENGTH} characters; production needs a real secret")
            return value
        if self.environment != "development":
            raise ConfigError(f"{env_name('api_secret')} is required when {env_name('environment')}="
                              f"{self.environment} (it signs the API's login tokens)")
        return DEVELOPMENT_API_SECRET

    @property
    def key_path(self) -> Path:
        """The key file, resolved (``home/secret.key`` unless ``NETATLAS_KEY_FILE`` names one)."""
        return self.key_file if self.key_file is not None else self.home / "secret.key"

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, mask_url(value) if name in ("database_url", "broker_url") else value


def load_settings(**overrides: Any) -> Settings:
    """Read the environment, apply ``overrides`` (``None`` values are ignored: unset CLI flags), validate.

    Raises:
        ConfigError: naming each bad setting by its environment variable.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    unknown = sorted(set(given) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = [_describe(error) for error in exc.errors()]
        # ``from None``: pydantic's own message quotes every input, secret key and database password included
        raise ConfigError("invalid settings:\n" + "\n".join(f"  {line}" for line in lines)) from None


def _describe(error: ErrorDetails) -> str:
    """One line per pydantic error: the variable, what is wrong and (unless secret) the value given."""
    field = str(error["loc"][0]) if error["loc"] else ""
    message = error["msg"].removeprefix("Value error, ")
    if not field:  # a check across settings: the message names the variables itself
        return message
    shown = "" if field in _SENSITIVE or field not in Settings.model_fields else f" (got {error['input']!r})"
    return f"{env_name(field)}: {message}{shown}"
