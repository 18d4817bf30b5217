"""Credentials at rest: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) under one key per deployment.

Where the key comes from, first match wins (see docs/inventory.md):

1. ``NETATLAS_SECRET_KEY``: any passphrase. The Fernet key is derived from it with scrypt
   (n=2**17, r=8, p=1) and the deployment's own random 16-byte salt, created on first use and kept
   in the database (``meta`` row ``secrets.kdf``), so every process of the deployment (CLI, API,
   Celery workers) derives the same key and a dictionary made for one install is useless on another.
2. The key file (``NETATLAS_KEY_FILE``, default ``$NETATLAS_HOME/secret.key``): a Fernet key,
   generated on first use with mode 0600 (never in production, and never while credentials
   encrypted with a previous key are stored). A key file that group or others may read is refused.

:meth:`SecretBox.open` is the one way in: it also checks the key against the deployment's key
check value (``meta`` row ``secrets.check``: a token of a fixed text), so a wrong key stops the
command before any job exists, with a :class:`ConfigError` naming where the key came from.

Ciphertexts are tagged ``v2$``. Untagged ones were written by earlier versions (passphrase keys
then used n=2**14 and one fixed salt); they are still read, with that legacy key as a fallback, and
re-encrypted by ``netatlas secrets rekey`` or when the credential set is imported again.
No message ever holds a secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets as _random
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy.orm import Session

from netatlas.domain.errors import ConfigError
from netatlas.domain.inventory import Credential
from netatlas.settings import Settings, env_name
from netatlas.store import CredentialRepo, Database, MetaRepo

KDF_META, CHECK_META = "secrets.kdf", "secrets.check"
CHECK_TEXT = b"netatlas key check v2"
TAG = b"v2$"  # '$' is not urlsafe base64: a tagged token is never mistaken for a bare Fernet token
KDF_N, KDF_R, KDF_P, SALT_BYTES = 2**17, 8, 1, 16
MIN_KDF_N = 2**17
LEGACY_SALT, LEGACY_N = b"netatlas/credentials/v1", 2**14
PASSPHRASE_SOURCE = env_name("secret_key")
NEW_PASSPHRASE_SOURCE = env_name("new_secret_key")


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt parameters of one deployment, stored as JSON in ``meta``.

    Examples:
        >>> params = KdfParams(salt=b"0123456789abcdef", n=2**17)
        >>> KdfParams.from_text(params.to_text()) == params
        True
    """

    salt: bytes
    n: int = KDF_N
    r: int = KDF_R
    p: int = KDF_P

    @classmethod
    def fresh(cls) -> KdfParams:
        return cls(salt=os.urandom(SALT_BYTES))

    def to_text(self) -> str:
        salt = base64.b64encode(self.salt).decode()
        return json.dumps({"kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": salt})

    @classmethod
    def from_text(cls, text: str) -> KdfParams:
        try:
            data = json.loads(text)
            params = cls(base64.b64decode(data["salt"], validate=True), int(data["n"]), int(data["r"]), int(data["p"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise ConfigError(f"the stored key-derivation settings (meta {KDF_META!r}) are damaged") from None
        if data.get("kdf") != "scrypt" or params.n < MIN_KDF_N or len(params.salt) < SALT_BYTES:
            raise ConfigError(f"the stored key-derivation settings (meta {KDF_META!r}) are weaker than allowed")
        return params


@lru_cache(maxsize=8)
def derive_key(passphrase: str, salt: bytes = LEGACY_SALT, n: int = LEGACY_N, r: int = KDF_R, p: int = KDF_P) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) for a passphrase; the defaults are the legacy v1 ones.

    Examples:
        >>> derive_key("correct horse battery staple") == derive_key("correct horse battery staple")
        True
        >>> len(base64.urlsafe_b64decode(derive_key("x")))
        32
    """
    kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def derive(passphrase: str, params: KdfParams) -> bytes:
    return derive_key(passphrase, params.salt, params.n, params.r, params.p)


def check_key_file_mode(path: Path) -> None:
    """Refuse a key file that anyone but its owner may read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"key file {path} has mode {mode:04o}: group and others must not read it; "
                          f"run `chmod 600 {path}`")


def read_key_file(path: Path) -> bytes:
    """The Fernet key stored in ``path`` after checking its mode and its contents."""
    try:
        check_key_file_mode(path)
        with path.open("rb") as handle:
            key = handle.read(1024).strip()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from exc
    if not _is_fernet_key(key):
        raise ConfigError(f"key file {path} does not hold a key (44 characters of urlsafe base64); "
                          "restore it from backup")
    return key


def write_key_file(path: Path, key: bytes, *, replace: bool = False) -> None:
    """Write ``key`` to ``path`` (mode 0600, parent 0700) through a private temporary file.

    Without ``replace`` the file is linked into place and ``FileExistsError`` means another process
    made it first; with ``replace`` it atomically takes the place of what is there.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{_random.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def create_key_file(path: Path) -> bytes:
    """A new Fernet key in ``path``; if another process created the file meanwhile, its key."""
    key = Fernet.generate_key()
    try:
        write_key_file(path, key)
    except FileExistsError:
        return read_key_file(path)
    return key


def pending_key_path(key_path: Path) -> Path:
    """Where ``secrets rekey`` writes the new key file until the database has committed."""
    return key_path.with_name(key_path.name + ".new")


def _is_fernet_key(key: bytes) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key)) == 32
    except (binascii.Error, ValueError):
        return False


class SecretBox:
    """Encrypts and decrypts credential secrets with one key; ``source`` names the key, never its value.

    Build it with :meth:`open` (or :meth:`for_database`), which also verifies the key; the
    constructor is for tests and for :func:`rekey`, which already hold a key.
    """

    __slots__ = ("_fernet", "_legacy", "source")

    def __init__(self, key: bytes, source: str = "the given key", *, legacy_key: bytes | None = None) -> None:
        if not _is_fernet_key(key):
            raise ConfigError(f"{source} is not a Fernet key (44 characters of urlsafe base64)")
        self._fernet = Fernet(key)
        self._legacy = Fernet(legacy_key) if legacy_key is not None else None
        self.source = source

    @classmethod
    def open(cls, settings: Settings, session: Session) -> SecretBox:
        """The deployment's box: the key from ``settings``, salt and key check from the database, verified.

        Raises:
            ConfigError: the key is wrong (naming where it came from), missing, or unusable.
        """
        meta = MetaRepo(session)
        stored = CredentialRepo(session).names()
        box = cls._from_settings(settings, meta, bool(stored) or meta.get(CHECK_META) is not None)
        box._verify(meta, session, stored[:1], settings)
        return box

    @classmethod
    def for_database(cls, settings: Settings, db: Database) -> SecretBox:
        """:meth:`open` in a unit of work of its own."""
        with db.session() as session:
            return cls.open(settings, session)

    @classmethod
    def from_passphrase(cls, passphrase: str, params: KdfParams) -> SecretBox:
        """A box for a passphrase: the v2 key, and the legacy one to read tokens from netatlas 0.1."""
        return cls(derive(passphrase, params), source=PASSPHRASE_SOURCE, legacy_key=derive_key(passphrase))

    @classmethod
    def _from_settings(cls, settings: Settings, meta: MetaRepo, in_use: bool) -> SecretBox:
        if settings.secret_key is not None:
            params = KdfParams.from_text(meta.set_if_absent(KDF_META, KdfParams.fresh().to_text()))
            return cls.from_passphrase(settings.secret_key.get_secret_value(), params)
        path = settings.key_path
        if path.exists():
            return cls(read_key_file(path), source=f"key file {path}")
        if in_use:
            raise ConfigError(f"key file {path} does not exist, but stored credentials are encrypted with the key "
                              f"it held: restore it from backup (mode 0600), or set {PASSPHRASE_SOURCE} if they "
                              "were encrypted with a passphrase; netatlas never makes a new key while they exist")
        if settings.environment == "production":
            raise ConfigError(f"key file {path} does not exist; set {PASSPHRASE_SOURCE} or provision the file")
        return cls(create_key_file(path), source=f"key file {path}")

    def _verify(self, meta: MetaRepo, session: Session, sample: list[str], settings: Settings) -> None:
        """Check the key against the stored check value; on a first run, against a stored credential."""
        check = meta.get(CHECK_META)
        if check is None and sample:
            try:
                self.decrypt(CredentialRepo(session).get(sample[0]).ciphertext)
            except ConfigError:
                raise self._wrong_key(settings) from None
        if check is None:
            check = meta.set_if_absent(CHECK_META, self.check_value())
        if not self.opens(check):
            raise self._wrong_key(settings)

    def _wrong_key(self, settings: Settings) -> ConfigError:
        pending = pending_key_path(settings.key_path)
        hint = (f" (an interrupted `netatlas secrets rekey` left {pending}: if that rekey committed, it holds "
                f"the key now: move it to {settings.key_path})") if pending.exists() else ""
        return ConfigError(f"wrong secret key: {self.source} is not the key this deployment's credentials are "
                           f"encrypted with; set the right {PASSPHRASE_SOURCE} or NETATLAS_KEY_FILE{hint}")

    def check_value(self) -> str:
        """The key check value: a token of a fixed text, which only this key opens."""
        return self.encrypt(CHECK_TEXT.decode()).decode()

    def opens(self, check: str) -> bool:
        """Whether this key opens ``check`` (a value from :meth:`check_value`)."""
        token = check.encode()
        try:
            return self._fernet.decrypt(token.removeprefix(TAG)) == CHECK_TEXT
        except InvalidToken:
            return False

    def __repr__(self) -> str:
        return f"SecretBox(source={self.source!r})"

    def encrypt(self, plaintext: str) -> bytes:
        """A tagged, authenticated token (random IV: the same text never encrypts to the same bytes)."""
        return TAG + self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        """The plaintext of a token from :meth:`encrypt`, or of an untagged one from an earlier version."""
        keys = [self._fernet] if token.startswith(TAG) else [self._fernet, *filter(None, [self._legacy])]
        for key in keys:
            try:
                return key.decrypt(token.removeprefix(TAG)).decode()
            except InvalidToken:
                continue
        raise ConfigError(f"cannot decrypt stored credentials with {self.source}: they were encrypted "
                          "with another key (check NETATLAS_SECRET_KEY / NETATLAS_KEY_FILE), "
                          "or the stored data is damaged")

    @staticmethod
    def is_current(token: bytes) -> bool:
        """Whether ``token`` was written by this version (tagged), not an earlier one."""
        return token.startswith(TAG)

    def seal(self, credential: Credential) -> tuple[str, bytes]:
        """``(username, ciphertext)`` for storage; the ciphertext holds password and enable secret."""
        secrets = {"password": credential.password, "enable_secret": credential.enable_secret}
        return credential.username, self.encrypt(json.dumps(secrets))

    def unseal(self, name: str, username: str, ciphertext: bytes) -> Credential:
        """The credential set back from :meth:`seal`'s output."""
        try:
            secrets = json.loads(self.decrypt(ciphertext))
            password, enable = secrets["password"], secrets.get("enable_secret")
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f"stored credential set {name!r} is malformed") from None
        if not isinstance(password, str) or not isinstance(enable, str | None):
            raise ConfigError(f"stored credential set {name!r} is malformed")
        return Credential(name=name, username=username, password=password, enable_secret=enable)


@dataclass(frozen=True, slots=True)
class Rekeyed:
    """What :func:`rekey` did: how many credential sets, under which key, and a key file to install."""

    count: int
    legacy: int  # of them, written by an earlier version
    source: str
    pending_key_file: Path | None  # move into place with :func:`install_key_file` after the commit


def rekey(settings: Settings, session: Session) -> Rekeyed:
    """Re-encrypt every stored credential set under a new key, in the caller's transaction.

    The new key is ``NETATLAS_NEW_SECRET_KEY`` (a passphrase, with a fresh salt) when set, else a new
    key file written next to the current one (``secret.key.new``) for :func:`install_key_file` to
    move into place once the transaction has committed. Stop other netatlas processes meanwhile.
    """
    old = SecretBox.open(settings, session)
    meta, repo = MetaRepo(session), CredentialRepo(session)
    pending = None
    if settings.new_secret_key is not None:
        params = KdfParams.fresh()
        new = SecretBox(derive(settings.new_secret_key.get_secret_value(), params), NEW_PASSPHRASE_SOURCE)
        meta.set(KDF_META, params.to_text())
    else:
        pending = pending_key_path(settings.key_path)
        key = Fernet.generate_key()
        write_key_file(pending, key, replace=True)
        new = SecretBox(key, f"key file {pending}")
    count = legacy = 0
    for name in repo.names():
        stored = repo.get(name)
        legacy += not SecretBox.is_current(stored.ciphertext)
        repo.upsert(name, *new.seal(old.unseal(name, stored.username, stored.ciphertext)))
        count += 1
    meta.set(CHECK_META, new.check_value())
    return Rekeyed(count, legacy, new.source, pending)


def install_key_file(pending: Path, key_path: Path) -> None:
    """Move the key file :func:`rekey` wrote into place (atomically), after its transaction committed."""
    os.replace(pending, key_path)
