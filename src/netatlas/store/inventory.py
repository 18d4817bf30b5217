"""Credential sets (ciphertext only) and inventory devices.

Two ways in, one rule: **what the operator put in the inventory wins**.

* ``DeviceRepo.upsert_many`` (inventory import) inserts or updates by name in one statement
  (``INSERT ... ON CONFLICT DO UPDATE``, on SQLite and PostgreSQL alike), so two imports at once
  never fail on the unique name nor lose an update; an entry crawled earlier becomes an inventory one.
* ``DeviceRepo.claim`` (crawl and seed probe) only ever inserts (``INSERT ... ON CONFLICT DO
  NOTHING``). A name already stored at another address, or an address stored under another
  name, is recorded in ``inventory_conflict`` and refused: nothing a device advertises changes
  an existing entry.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, Text, delete, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.store.tables import CredentialRow, DeviceRow, InventoryConflictRow, utcnow
from netatlas.store.views import Origin, StoredCredential, StoredDevice

CHUNK = 500  # devices per statement (well under SQLite's bound-parameter limit)
_UPDATED = ("host", "port", "platform", "credential", "site", "role", "tags", "legacy_ssh", "origin", "advertised_by")


class ClaimOutcome(StrEnum):
    ADDED = "added"  # a new entry, stored with its origin
    KNOWN = "known"  # the same name at the same address is already stored: the stored entry is returned
    CONFLICT = "conflict"  # refused and recorded: the name or the address belongs to another entry


@dataclass(frozen=True, slots=True)
class Claim:
    """What became of a device a crawl or a seed probe offered to the inventory."""

    outcome: ClaimOutcome
    device: InventoryDevice  # the stored entry (added or known) or, on a conflict, the one offered
    origin: Origin
    reason: str = ""  # why a conflict was refused

    @property
    def accepted(self) -> bool:
        return self.outcome is not ClaimOutcome.CONFLICT


@dataclass(frozen=True, slots=True)
class InventoryConflict:
    """An advertisement (or seed identity) that would have changed an inventory entry: never applied."""

    name: str
    stored_host: str
    advertised_host: str
    advertised_by: str
    reason: str
    job_id: str | None = None
    created_at: datetime | None = None


class CredentialRepo:
    """Stores what ``netatlas.secrets`` encrypted; this package never sees a plaintext secret."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, name: str, username: str, ciphertext: bytes) -> None:
        """Insert or replace by name, atomically (``INSERT ... ON CONFLICT DO UPDATE``)."""
        now = utcnow()
        statement = _insert(self._session, CredentialRow).values(
            name=name, username=username, secret=ciphertext, created_at=now, updated_at=now)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[CredentialRow.name],
            set_={"username": statement.excluded.username, "secret": statement.excluded.secret,
                  "updated_at": statement.excluded.updated_at}))

    def get(self, name: str) -> StoredCredential:
        row = self._session.scalar(select(CredentialRow).where(CredentialRow.name == name))
        if row is None:
            raise NotFound(f"no credential set named {name!r}")
        return StoredCredential(row.name, row.username, row.secret, row.updated_at)

    def names(self) -> list[str]:
        return list(self._session.scalars(select(CredentialRow.name).order_by(CredentialRow.name)))

    def stored(self) -> list[StoredCredential]:
        """Every credential set by name (ciphertext included: for ``netatlas.secrets`` only)."""
        rows = self._session.scalars(select(CredentialRow).order_by(CredentialRow.name))
        return [StoredCredential(row.name, row.username, row.secret, row.updated_at) for row in rows]

    def delete(self, name: str) -> None:
        """Forget the credential set (the caller checks no device uses it); ``NotFound`` when there is none."""
        result = cast(CursorResult[Any], self._session.execute(delete(CredentialRow).where(CredentialRow.name == name)))
        if result.rowcount == 0:
            raise NotFound(f"no credential set named {name!r}")


class DeviceRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, device: InventoryDevice) -> None:
        self.upsert_many([device])

    def upsert_many(self, devices: Iterable[InventoryDevice]) -> int:
        """Inventory import: add new devices and update known ones (by name), each chunk in one
        atomic statement; an unchanged entry is not touched. Returns how many were given."""
        wanted = builtins.list({device.name: device for device in devices}.values())
        now = utcnow()
        for start in range(0, len(wanted), CHUNK):
            rows = [{**_columns(d), "origin": Origin.INVENTORY.value, "advertised_by": "", "created_at": now,
                     "updated_at": now} for d in wanted[start:start + CHUNK]]
            self._session.execute(_upsert(self._session, rows))
        return len(wanted)

    def claim(self, device: InventoryDevice, origin: Origin, *, advertised_by: str = "",
              job_id: str | None = None) -> Claim:
        """Crawl and seed probe: store ``device`` only if neither its name nor its address is taken.

        A taken name at the same address is ``known`` (the stored entry is returned unchanged);
        anything else already stored wins and the attempt is recorded as a conflict.
        """
        owner = self._session.scalar(select(DeviceRow).where(DeviceRow.host == device.host,
                                                             DeviceRow.name != device.name).limit(1))
        if owner is not None:
            reason = f"address {device.host} belongs to the stored device {owner.name!r}"
            return self._refuse(device, origin, owner.host, advertised_by, reason, job_id)
        now = utcnow()
        values = {**_columns(device), "origin": origin.value, "advertised_by": advertised_by,
                  "created_at": now, "updated_at": now}
        statement = _insert(self._session, DeviceRow).values(values).on_conflict_do_nothing(
            index_elements=[DeviceRow.name]).returning(DeviceRow.id)
        if self._session.execute(statement).first() is not None:  # a row comes back only when inserted
            return Claim(ClaimOutcome.ADDED, device, origin)
        stored = self.get(device.name)
        if stored.device.host == device.host:
            return Claim(ClaimOutcome.KNOWN, stored.device, stored.origin)
        reason = f"name stored at {stored.device.host} ({stored.origin})"
        return self._refuse(device, origin, stored.device.host, advertised_by, reason, job_id)

    def record_conflict(self, conflict: InventoryConflict) -> None:
        self._session.add(InventoryConflictRow(
            job_id=conflict.job_id, name=conflict.name, stored_host=conflict.stored_host,
            advertised_host=conflict.advertised_host, advertised_by=conflict.advertised_by, reason=conflict.reason,
            created_at=conflict.created_at or utcnow()))

    def conflicts(self, job_id: str | None = None) -> builtins.list[InventoryConflict]:
        """Recorded conflicts, oldest first (of one job when ``job_id`` is given)."""
        query = select(InventoryConflictRow).order_by(InventoryConflictRow.created_at, InventoryConflictRow.id)
        if job_id is not None:
            query = query.where(InventoryConflictRow.job_id == job_id)
        return [InventoryConflict(r.name, r.stored_host, r.advertised_host, r.advertised_by, r.reason, r.job_id,
                                  r.created_at) for r in self._session.scalars(query)]

    def get(self, name: str) -> StoredDevice:
        row = self._session.scalar(select(DeviceRow).where(DeviceRow.name == name))
        if row is None:
            raise NotFound(f"no device named {name!r}")
        return _stored(row)

    def list(self) -> builtins.list[StoredDevice]:
        return [_stored(row) for row in self._session.scalars(select(DeviceRow).order_by(DeviceRow.name))]

    def named(self, names: Iterable[str]) -> builtins.list[InventoryDevice]:
        """The stored devices among ``names`` (by the unique name index, ``CHUNK`` names a statement),
        by name; names with no device are left out."""
        wanted = builtins.list(dict.fromkeys(names))
        found: builtins.list[InventoryDevice] = []
        for start in range(0, len(wanted), CHUNK):
            query = select(DeviceRow).where(DeviceRow.name.in_(wanted[start:start + CHUNK]))
            found += (_device(row) for row in self._session.scalars(query))
        return sorted(found, key=lambda d: d.name)

    def in_site(self, site: str | None) -> builtins.list[InventoryDevice]:
        """The devices of ``site`` (every device when None), by name."""
        query = select(DeviceRow).order_by(DeviceRow.name)
        if site is not None:
            query = query.where(DeviceRow.site == site)
        return [_device(row) for row in self._session.scalars(query)]

    def delete(self, name: str) -> None:
        """Forget the inventory entry; its snapshots (history) stay."""
        result = cast(CursorResult[Any], self._session.execute(delete(DeviceRow).where(DeviceRow.name == name)))
        if result.rowcount == 0:
            raise NotFound(f"no device named {name!r}")

    def using_credential(self, credential: str) -> builtins.list[str]:
        """The names of the devices that log in with the credential set ``credential``."""
        query = select(DeviceRow.name).where(DeviceRow.credential == credential).order_by(DeviceRow.name)
        return builtins.list(self._session.scalars(query))

    def _refuse(self, device: InventoryDevice, origin: Origin, stored_host: str, advertised_by: str, reason: str,
                job_id: str | None) -> Claim:
        self.record_conflict(InventoryConflict(device.name, stored_host, device.host, advertised_by, reason, job_id))
        return Claim(ClaimOutcome.CONFLICT, device, origin, reason)


def _insert(session: Session, table: type[Any]) -> Any:
    """The dialect's INSERT (both have ``on_conflict_do_update`` / ``on_conflict_do_nothing``)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _upsert(session: Session, rows: Sequence[dict[str, Any]]) -> Any:
    statement = _insert(session, DeviceRow).values(builtins.list(rows))
    new = statement.excluded
    changed = or_(*(_text(c, getattr(DeviceRow, c)) != _text(c, new[c]) for c in _UPDATED))
    return statement.on_conflict_do_update(index_elements=[DeviceRow.name],
                                           set_={**{c: new[c] for c in _UPDATED}, "updated_at": new.updated_at},
                                           where=changed)


def _text(name: str, column: Any) -> Any:
    """JSON has no equality operator on PostgreSQL: compare its text (both sides serialised alike)."""
    return sql_cast(column, Text) if name == "tags" else column


def _columns(device: InventoryDevice) -> dict[str, object]:
    return {"name": device.name, "host": device.host, "port": device.port, "platform": device.platform,
            "credential": device.credentials, "site": device.site, "role": device.role, "tags": list(device.tags),
            "legacy_ssh": device.legacy_ssh}


def _device(row: DeviceRow) -> InventoryDevice:
    return InventoryDevice(name=row.name, host=row.host, platform=row.platform, credentials=row.credential,
                           port=row.port, site=row.site, role=row.role, tags=tuple(row.tags), legacy_ssh=row.legacy_ssh)


def _stored(row: DeviceRow) -> StoredDevice:
    return StoredDevice(_device(row), row.created_at, row.updated_at, Origin(row.origin), row.advertised_by)
