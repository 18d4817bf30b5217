"""Trusted SSH host keys, one per address and port (the deployment's known-hosts store).

A key is trusted on first use (``first_use``: ``remember`` inserts it only if no key is stored,
in one ``INSERT ... ON CONFLICT DO NOTHING``, so two workers meeting a new device at once agree
on one key), by an operator (``operator``: ``netatlas devices trust``) or from an OpenSSH
known_hosts file (``known_hosts``). Only ``trust`` replaces a stored key.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from netatlas.store.tables import HostKeyRow, utcnow


class TrustSource(StrEnum):
    FIRST_USE = "first_use"  # the key a device presented the first time (tofu policy)
    OPERATOR = "operator"  # accepted with ``netatlas devices trust``
    KNOWN_HOSTS = "known_hosts"  # imported from an OpenSSH known_hosts file


@dataclass(frozen=True, slots=True)
class HostKeyEntry:
    """A public host key as presented or imported (OpenSSH text, e.g. ``ssh-ed25519 AAAA...``)."""

    host: str
    port: int
    key_type: str
    public_key: str
    fingerprint: str  # SHA256:...
    device_name: str = ""


@dataclass(frozen=True, slots=True)
class StoredHostKey:
    entry: HostKeyEntry
    trusted_by: TrustSource
    first_seen: datetime
    last_seen: datetime

    def matches(self, public_key: str) -> bool:
        """Same key material (the comment after the base64 blob is ignored).

        Examples:
            >>> from datetime import UTC, datetime
            >>> now = datetime.now(UTC)
            >>> key = StoredHostKey(HostKeyEntry("10.0.0.1", 22, "ssh-ed25519", "ssh-ed25519 AAAA", "SHA256:x"),
            ...                     TrustSource.FIRST_USE, now, now)
            >>> key.matches("ssh-ed25519 AAAA root@sw1"), key.matches("ssh-ed25519 BBBB")
            (True, False)
        """
        return _material(self.entry.public_key) == _material(public_key)


class HostKeyRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, host: str, port: int) -> StoredHostKey | None:
        row = self._session.scalar(select(HostKeyRow).where(HostKeyRow.host == host, HostKeyRow.port == port))
        return None if row is None else _stored(row)

    def remember(self, entry: HostKeyEntry, trusted_by: TrustSource = TrustSource.FIRST_USE) -> StoredHostKey:
        """Trust ``entry`` unless a key is stored already (never replaced here); returns the key now
        stored (the caller compares it with what was presented)."""
        now = utcnow()
        statement = _insert(self._session).values(**_columns(entry), trusted_by=trusted_by.value,
                                                   first_seen=now, last_seen=now)
        self._session.execute(statement.on_conflict_do_nothing(index_elements=[HostKeyRow.host, HostKeyRow.port]))
        stored = self.get(entry.host, entry.port)
        if stored is None:  # pragma: no cover - inserted or already there
            raise RuntimeError(f"host key of {entry.host}:{entry.port} vanished")
        return stored

    def trust(self, entry: HostKeyEntry, trusted_by: TrustSource) -> None:
        """Store ``entry`` as the trusted key, replacing any other (operator decisions only)."""
        now = utcnow()
        statement = _insert(self._session).values(**_columns(entry), trusted_by=trusted_by.value, first_seen=now,
                                                   last_seen=now)
        new = statement.excluded
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[HostKeyRow.host, HostKeyRow.port],
            set_={"device_name": new.device_name, "key_type": new.key_type, "public_key": new.public_key,
                  "fingerprint": new.fingerprint, "trusted_by": new.trusted_by, "first_seen": new.first_seen,
                  "last_seen": new.last_seen}))

    def seen(self, host: str, port: int, device_name: str = "") -> None:
        """The stored key was presented again: move ``last_seen`` (and name the device if unnamed)."""
        values: dict[str, Any] = {"last_seen": utcnow()}
        if device_name:
            values["device_name"] = device_name
        self._session.execute(update(HostKeyRow).where(HostKeyRow.host == host, HostKeyRow.port == port)
                              .values(**values))

    def list(self) -> builtins.list[StoredHostKey]:
        rows = self._session.scalars(select(HostKeyRow).order_by(HostKeyRow.host, HostKeyRow.port))
        return [_stored(row) for row in rows]

    def forget(self, host: str, port: int) -> bool:
        result = cast(CursorResult[Any], self._session.execute(
            delete(HostKeyRow).where(HostKeyRow.host == host, HostKeyRow.port == port)))
        return result.rowcount > 0


def _material(public_key: str) -> tuple[str, ...]:
    return tuple(public_key.split()[:2])


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(HostKeyRow)


def _columns(entry: HostKeyEntry) -> dict[str, Any]:
    return {"host": entry.host, "port": entry.port, "device_name": entry.device_name, "key_type": entry.key_type,
            "public_key": entry.public_key, "fingerprint": entry.fingerprint}


def _stored(row: HostKeyRow) -> StoredHostKey:
    entry = HostKeyEntry(row.host, row.port, row.key_type, row.public_key, row.fingerprint, row.device_name)
    return StoredHostKey(entry, TrustSource(row.trusted_by), row.first_seen, row.last_seen)
