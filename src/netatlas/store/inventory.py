"""Credential sets (ciphertext only) and inventory devices."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.store.tables import CredentialRow, DeviceRow, utcnow
from netatlas.store.views import StoredCredential, StoredDevice


class CredentialRepo:
    """Stores what ``netatlas.secrets`` encrypted; this package never sees a plaintext secret."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, name: str, username: str, ciphertext: bytes) -> None:
        row = self._session.scalar(select(CredentialRow).where(CredentialRow.name == name))
        if row is None:
            self._session.add(CredentialRow(name=name, username=username, secret=ciphertext))
            return
        row.username, row.secret, row.updated_at = username, ciphertext, utcnow()

    def get(self, name: str) -> StoredCredential:
        row = self._session.scalar(select(CredentialRow).where(CredentialRow.name == name))
        if row is None:
            raise NotFound(f"no credential set named {name!r}")
        return StoredCredential(row.name, row.username, row.secret, row.updated_at)

    def names(self) -> list[str]:
        return list(self._session.scalars(select(CredentialRow.name).order_by(CredentialRow.name)))


class DeviceRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, device: InventoryDevice) -> None:
        self.upsert_many([device])

    def upsert_many(self, devices: Iterable[InventoryDevice]) -> int:
        """Add new devices and update known ones (by name); returns how many were given."""
        wanted = {device.name: device for device in devices}
        existing = {row.name: row for row in _rows(self._session, builtins.list(wanted))}
        now = utcnow()
        for name, device in wanted.items():
            row = existing.get(name)
            if row is None:
                self._session.add(DeviceRow(**_columns(device), created_at=now, updated_at=now))
            elif _columns(device) != _columns(_device(row)):
                _assign(row, device)
                row.updated_at = now
        return len(wanted)

    def get(self, name: str) -> StoredDevice:
        row = self._session.scalar(select(DeviceRow).where(DeviceRow.name == name))
        if row is None:
            raise NotFound(f"no device named {name!r}")
        return _stored(row)

    def list(self) -> list[StoredDevice]:
        return [_stored(row) for row in self._session.scalars(select(DeviceRow).order_by(DeviceRow.name))]

    def delete(self, name: str) -> None:
        """Forget the inventory entry; its snapshots (history) stay."""
        result = cast(CursorResult[Any], self._session.execute(delete(DeviceRow).where(DeviceRow.name == name)))
        if result.rowcount == 0:
            raise NotFound(f"no device named {name!r}")



def _rows(session: Session, names: list[str]) -> list[DeviceRow]:
    rows: list[DeviceRow] = []
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        rows.extend(session.scalars(select(DeviceRow).where(DeviceRow.name.in_(chunk))))
    return rows


def _columns(device: InventoryDevice) -> dict[str, object]:
    return {"name": device.name, "host": device.host, "port": device.port, "platform": device.platform,
            "credential": device.credentials, "site": device.site, "role": device.role, "tags": list(device.tags)}


def _assign(row: DeviceRow, device: InventoryDevice) -> None:
    for column, value in _columns(device).items():
        setattr(row, column, value)


def _device(row: DeviceRow) -> InventoryDevice:
    return InventoryDevice(name=row.name, host=row.host, platform=row.platform, credentials=row.credential,
                           port=row.port, site=row.site, role=row.role, tags=tuple(row.tags))


def _stored(row: DeviceRow) -> StoredDevice:
    return StoredDevice(_device(row), row.created_at, row.updated_at)
