"""ORM tables. Rows never leave ``netatlas.store``: repositories turn them into domain records.

Every run adds rows (a ``snapshot`` per device per job, with its raw outputs and records) and
nothing is updated in place, so a device's current state is a query: the records of its latest
successful snapshot that collected the data type (``snapshot_data_type`` makes that an index
probe). Constraint names come from ``NAMING`` so the same Alembic scripts run on SQLite (batch
mode) and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Dialect,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
NAME = 128  # device, credential and interface names, hosts
SHORT = 32  # statuses, kinds, data types


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite keeps no zone: stored naive, read back as UTC)."""

    impl = _DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class CredentialRow(Base):
    """A named credential set: the secret is ciphertext from ``netatlas.secrets``, never plaintext."""

    __tablename__ = "credential"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    username: Mapped[str] = mapped_column(String(NAME))
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceRow(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    platform: Mapped[str] = mapped_column(String(SHORT))
    credential: Mapped[str] = mapped_column(String(NAME))
    site: Mapped[str] = mapped_column(String(NAME), default="")
    role: Mapped[str] = mapped_column(String(NAME), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRow(Base):
    """A discovery job. ``options`` holds what was asked (data types, concurrency, seeds), no secret."""

    __tablename__ = "job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(SHORT))
    options: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(SHORT))
    total: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(NAME), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class UnmanagedRow(Base):
    """A neighbor a crawl saw but could not or may not visit, and why."""

    __tablename__ = "unmanaged_neighbor"
    __table_args__ = (UniqueConstraint("job_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME))
    mgmt_ip: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(NAME))
    seen_from: Mapped[str] = mapped_column(String(NAME), default="")


class JobDeviceRow(Base):
    """One device of a job: enough of the inventory entry to run it again (no secret)."""

    __tablename__ = "job_device"
    __table_args__ = (UniqueConstraint("job_id", "device_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    device_name: Mapped[str] = mapped_column(String(NAME))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    platform: Mapped[str] = mapped_column(String(SHORT))
    credential: Mapped[str] = mapped_column(String(NAME))
    status: Mapped[str] = mapped_column(String(SHORT))
    step: Mapped[str | None] = mapped_column(String(255))
    attempt: Mapped[int] = mapped_column(default=0)
    error_kind: Mapped[str | None] = mapped_column(String(SHORT))
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_s: Mapped[float | None]


class SnapshotRow(Base):
    """What one device returned in one job; written once, never updated. Facts live here."""

    __tablename__ = "snapshot"
    __table_args__ = (
        UniqueConstraint("job_id", "device_name"),
        Index("ix_snapshot_device_latest", "device_name", "collected_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    device_name: Mapped[str] = mapped_column(String(NAME))
    collected_at: Mapped[datetime]
    ok: Mapped[bool]
    error_kind: Mapped[str | None] = mapped_column(String(SHORT))
    error: Mapped[str] = mapped_column(Text, default="")
    duration_s: Mapped[float] = mapped_column(default=0.0)
    data_types: Mapped[list[Any]]
    hostname: Mapped[str | None] = mapped_column(String(255))
    model: Mapped[str | None] = mapped_column(String(255))
    serial: Mapped[str | None] = mapped_column(String(255))
    os_version: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(255))
    uptime: Mapped[str | None] = mapped_column(String(255))


def _snapshot_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), index=True)


class SnapshotDataTypeRow(Base):
    """A data type a snapshot collected without error: the key of every "latest" query."""

    __tablename__ = "snapshot_data_type"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True)
    data_type: Mapped[str] = mapped_column(String(SHORT), primary_key=True)


class RawOutputRow(Base):
    """One command's raw text, zlib-compressed, and what went wrong with it if anything."""

    __tablename__ = "raw_output"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    seq: Mapped[int]
    command: Mapped[str] = mapped_column(String(255))
    data_type: Mapped[str] = mapped_column(String(SHORT))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    duration_s: Mapped[float] = mapped_column(default=0.0)
    error_kind: Mapped[str | None] = mapped_column(String(SHORT))
    error: Mapped[str] = mapped_column(Text, default="")


class InterfaceRow(Base):
    __tablename__ = "interface"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    name: Mapped[str] = mapped_column(String(NAME))
    admin_up: Mapped[bool]
    oper_up: Mapped[bool]
    description: Mapped[str] = mapped_column(Text, default="")
    ipv4: Mapped[list[Any]]
    mac: Mapped[str] = mapped_column(String(SHORT), default="")
    mtu: Mapped[int | None]
    vrf: Mapped[str] = mapped_column(String(NAME), default="")


class NeighborRow(Base):
    __tablename__ = "neighbor"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    protocol: Mapped[str] = mapped_column(String(8))
    local_interface: Mapped[str] = mapped_column(String(NAME))
    remote_name: Mapped[str] = mapped_column(String(255))
    remote_interface: Mapped[str] = mapped_column(String(NAME))
    remote_name_raw: Mapped[str] = mapped_column(String(255), default="")
    mgmt_ip: Mapped[str] = mapped_column(String(64), default="")
    remote_platform: Mapped[str] = mapped_column(String(255), default="")
    capabilities: Mapped[str] = mapped_column(String(255), default="")


class RouteRow(Base):
    """A route; ``data_type`` is the route type its protocol belongs to ("" for connected/local)."""

    __tablename__ = "route"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    data_type: Mapped[str] = mapped_column(String(SHORT), default="")
    vrf: Mapped[str] = mapped_column(String(NAME))
    prefix: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(SHORT))
    next_hops: Mapped[list[Any]]  # [[address, interface], ...]
    distance: Mapped[int | None]
    metric: Mapped[int | None] = mapped_column(BigInteger)
    route_type: Mapped[str] = mapped_column(String(SHORT), default="")
    as_path: Mapped[str] = mapped_column(Text, default="")


class OspfNeighborRow(Base):
    __tablename__ = "ospf_neighbor"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    router_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    interface: Mapped[str] = mapped_column(String(NAME))
    state: Mapped[str] = mapped_column(String(SHORT), default="")
    vrf: Mapped[str] = mapped_column(String(NAME), default="default")


class BgpSessionRow(Base):
    __tablename__ = "bgp_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    peer: Mapped[str] = mapped_column(String(64))
    remote_as: Mapped[int] = mapped_column(BigInteger)  # 4-byte ASNs exceed a signed 32-bit int
    state: Mapped[str] = mapped_column(String(SHORT), default="")
    prefixes_received: Mapped[int | None]
    vrf: Mapped[str] = mapped_column(String(NAME), default="default")


class MacEntryRow(Base):
    __tablename__ = "mac_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    mac: Mapped[str] = mapped_column(String(SHORT))
    vlan: Mapped[int]
    interface: Mapped[str] = mapped_column(String(NAME))
    dynamic: Mapped[bool] = mapped_column(default=True)


class ArpEntryRow(Base):
    __tablename__ = "arp_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    ip: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(SHORT))
    interface: Mapped[str] = mapped_column(String(NAME))
    vrf: Mapped[str] = mapped_column(String(NAME), default="default")


RECORD_TABLES: tuple[type[Base], ...] = (
    InterfaceRow, NeighborRow, RouteRow, OspfNeighborRow, BgpSessionRow, MacEntryRow, ArpEntryRow,
)
SNAPSHOT_CHILDREN: tuple[type[Base], ...] = (*RECORD_TABLES, RawOutputRow, SnapshotDataTypeRow)
