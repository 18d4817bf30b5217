"""Credentials at rest: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) with one key.

Where the key comes from, first match wins (see docs/inventory.md):

1. ``NETATLAS_SECRET_KEY``: any passphrase. The Fernet key is derived from it with scrypt
   (n=2**14, r=8, p=1) and the fixed salt ``b"netatlas/credentials/v1"``, so every process given
   the same passphrase (CLI, API, Celery workers) gets the same key. The salt is fixed on purpose:
   the passphrase is the only secret, and a stored salt would be one more thing to keep in sync.
2. The key file (``NETATLAS_KEY_FILE``, default ``$NETATLAS_HOME/secret.key``): a Fernet key,
   generated on first use with mode 0600 (never in production). A key file that group or others
   may read is refused.

A wrong key is a :class:`ConfigError` that says which key was used; no message ever holds a secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from netatlas.domain.errors import ConfigError
from netatlas.domain.inventory import Credential
from netatlas.settings import Settings

KDF_SALT = b"netatlas/credentials/v1"
KDF_N, KDF_R, KDF_P = 2**14, 8, 1


@lru_cache(maxsize=8)
def derive_key(passphrase: str) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) for a passphrase; scrypt with the fixed salt.

    Examples:
        >>> derive_key("correct horse battery staple") == derive_key("correct horse battery staple")
        True
        >>> len(base64.urlsafe_b64decode(derive_key("x")))
        32
    """
    kdf = Scrypt(salt=KDF_SALT, length=32, n=KDF_N, r=KDF_R, p=KDF_P)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


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
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from exc
    if not _is_fernet_key(key):
        raise ConfigError(f"key file {path} does not hold a key (44 characters of urlsafe base64); "
                          "restore it from backup, or delete it only if no credentials are stored yet")
    return key


def create_key_file(path: Path) -> bytes:
    """Write a new Fernet key to ``path`` (mode 0600, parent 0700); if the file appears meanwhile, use it.

    The key is written to a private temporary file and linked into place, so no process ever
    reads a half-written key, and two processes starting at once agree on one key.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key()
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return read_key_file(path)
    finally:
        temporary.unlink(missing_ok=True)
    return key


def _is_fernet_key(key: bytes) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key)) == 32
    except (binascii.Error, ValueError):
        return False


class SecretBox:
    """Encrypts and decrypts credential secrets with one key; ``source`` names the key, never its value."""

    __slots__ = ("_fernet", "source")

    def __init__(self, key: bytes, source: str = "the given key") -> None:
        if not _is_fernet_key(key):
            raise ConfigError(f"{source} is not a Fernet key (44 characters of urlsafe base64)")
        self._fernet = Fernet(key)
        self.source = source

    @classmethod
    def from_passphrase(cls, passphrase: str) -> SecretBox:
        return cls(derive_key(passphrase), source="NETATLAS_SECRET_KEY")

    @classmethod
    def from_key_file(cls, path: Path, *, create: bool = True) -> SecretBox:
        """Use the key in ``path``; generate it (mode 0600) when it is missing and ``create`` is true."""
        if path.exists():
            return cls(read_key_file(path), source=f"key file {path}")
        if not create:
            raise ConfigError(f"key file {path} does not exist; set NETATLAS_SECRET_KEY or provision the file")
        return cls(create_key_file(path), source=f"key file {path}")

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """``NETATLAS_SECRET_KEY`` when set, else the key file (generated outside production only)."""
        if settings.secret_key is not None:
            return cls.from_passphrase(settings.secret_key.get_secret_value())
        return cls.from_key_file(settings.key_path, create=settings.environment != "production")

    def __repr__(self) -> str:
        return f"SecretBox(source={self.source!r})"

    def encrypt(self, plaintext: str) -> bytes:
        """An authenticated token (random IV: the same text never encrypts to the same bytes)."""
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ConfigError(f"cannot decrypt stored credentials with {self.source}: they were encrypted "
                              "with another key (check NETATLAS_SECRET_KEY / NETATLAS_KEY_FILE), "
                              "or the stored data is damaged") from None

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
