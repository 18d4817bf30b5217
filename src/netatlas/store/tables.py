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
NAME = 128  # credential names (operator-chosen, validated)
DEVICE = 255  # device names: validated host names (at most 253 characters)
SHORT = 32  # statuses, kinds, data types
LAYOUT_NODE = 512  # map element ids: a device name (253) behind a prefix, or a group key (site and role)
# Every column a device can fill (names it advertises, ports, descriptions, versions) is Text:
# nothing a device prints can overflow a column, identically on SQLite and PostgreSQL.


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


class MetaRow(Base):
    """Per-deployment settings kept with the data (KDF salt, key check value, ...)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CredentialRow(Base):
    """A named credential set: the secret is ciphertext from ``netatlas.secrets``, never plaintext."""

    __tablename__ = "credential"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    username: Mapped[str] = mapped_column(String(NAME))
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    legacy_ssh: Mapped[bool] = mapped_column(default=False)  # opt-in to weak SSH algorithms
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceRow(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(DEVICE), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    platform: Mapped[str] = mapped_column(String(SHORT))
    credential: Mapped[str] = mapped_column(String(NAME))
    site: Mapped[str] = mapped_column(String(NAME), default="")
    role: Mapped[str] = mapped_column(String(NAME), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    origin: Mapped[str] = mapped_column(String(SHORT), default="inventory")  # inventory | crawled | seed
    advertised_by: Mapped[str] = mapped_column(Text, default="")  # crawled: the device whose neighbor table named it
    legacy_ssh: Mapped[bool] = mapped_column(default=False)  # opt-in to weak SSH algorithms
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
    owner_host: Mapped[str] = mapped_column(Text, default="")  # the process running it: host and pid
    owner_pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(Text, default="")  # why it ended as it did (interrupted, store failure)


class UnmanagedRow(Base):
    """A neighbor a crawl saw but could not or may not visit, and why."""

    __tablename__ = "unmanaged_neighbor"
    __table_args__ = (UniqueConstraint("job_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    mgmt_ip: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text)
    seen_from: Mapped[str] = mapped_column(Text, default="")


class InventoryConflictRow(Base):
    """A crawl or seed probe that would have changed an inventory entry: recorded, never applied."""

    __tablename__ = "inventory_conflict"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str | None] = mapped_column(String(36), index=True)  # None: a seed probe before any job
    name: Mapped[str] = mapped_column(Text)  # the name advertised (normalised)
    stored_host: Mapped[str] = mapped_column(Text, default="")
    advertised_host: Mapped[str] = mapped_column(Text, default="")
    advertised_by: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HostKeyRow(Base):
    """A device's trusted SSH host key (OpenSSH public key text), per address and port."""

    __tablename__ = "host_key"
    __table_args__ = (UniqueConstraint("host", "port"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    device_name: Mapped[str] = mapped_column(String(DEVICE), default="")
    key_type: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(128))
    trusted_by: Mapped[str] = mapped_column(String(SHORT))  # first_use | operator | known_hosts
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class JobDeviceRow(Base):
    """One device of a job: enough of the inventory entry to run it again (no secret)."""

    __tablename__ = "job_device"
    __table_args__ = (UniqueConstraint("job_id", "device_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    device_name: Mapped[str] = mapped_column(String(DEVICE))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    platform: Mapped[str] = mapped_column(String(SHORT))
    credential: Mapped[str] = mapped_column(String(NAME))
    status: Mapped[str] = mapped_column(String(SHORT))
    step: Mapped[str | None] = mapped_column(Text)
    warning: Mapped[str] = mapped_column(Text, default="")  # e.g. legacy SSH algorithms were used
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
    device_name: Mapped[str] = mapped_column(String(DEVICE))
    collected_at: Mapped[datetime]
    ok: Mapped[bool]
    error_kind: Mapped[str | None] = mapped_column(String(SHORT))
    error: Mapped[str] = mapped_column(Text, default="")
    duration_s: Mapped[float] = mapped_column(default=0.0)
    data_types: Mapped[list[Any]]
    hostname: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    serial: Mapped[str | None] = mapped_column(Text)
    os_version: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(Text)
    uptime: Mapped[str | None] = mapped_column(Text)
    members: Mapped[list[Any]] = mapped_column(default=list)  # virtual chassis / cluster members
    # The key other devices' neighbor tables name this device by (its normalised host name), fixed
    # when the snapshot is written so the topology never re-derives it from free text.
    identity: Mapped[str] = mapped_column(Text, default="")


def _snapshot_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), index=True)


class SnapshotDataTypeRow(Base):
    """A data type a snapshot collected without error: the key of every "latest" query."""

    __tablename__ = "snapshot_data_type"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True)
    data_type: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    status: Mapped[str] = mapped_column(String(SHORT), default="complete")  # a Coverage value
    note: Mapped[str] = mapped_column(Text, default="")  # feature-off message, fallback used, lines not parsed


class RawOutputRow(Base):
    """One command's raw text, zlib-compressed, and what went wrong with it if anything."""

    __tablename__ = "raw_output"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    seq: Mapped[int]
    command: Mapped[str] = mapped_column(Text)
    data_type: Mapped[str] = mapped_column(String(SHORT))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    duration_s: Mapped[float] = mapped_column(default=0.0)
    error_kind: Mapped[str | None] = mapped_column(String(SHORT))
    error: Mapped[str] = mapped_column(Text, default="")
    data_types: Mapped[list[Any]] = mapped_column(default=list)  # every data type the command served
    coverage: Mapped[str] = mapped_column(String(SHORT), default="complete")
    unparsed: Mapped[str] = mapped_column(Text, default="")  # lines not understood, newline-separated
    note: Mapped[str] = mapped_column(Text, default="")


class InterfaceRow(Base):
    __tablename__ = "interface"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    name: Mapped[str] = mapped_column(Text)
    admin_up: Mapped[bool]
    oper_up: Mapped[bool]
    description: Mapped[str] = mapped_column(Text, default="")
    ipv4: Mapped[list[Any]]
    mac: Mapped[str] = mapped_column(String(SHORT), default="")
    mtu: Mapped[int | None]
    vrf: Mapped[str] = mapped_column(Text, default="")
    ipv6: Mapped[list[Any]] = mapped_column(default=list)
    channel: Mapped[str] = mapped_column(Text, default="")  # a member's aggregate (port-channel, ae)
    speed_mbps: Mapped[int | None] = mapped_column(BigInteger)
    duplex: Mapped[str] = mapped_column(String(SHORT), default="")


class NeighborRow(Base):
    __tablename__ = "neighbor"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    protocol: Mapped[str] = mapped_column(String(8))
    local_interface: Mapped[str] = mapped_column(Text)
    remote_name: Mapped[str] = mapped_column(Text)
    remote_interface: Mapped[str] = mapped_column(Text)
    remote_name_raw: Mapped[str] = mapped_column(Text, default="")
    mgmt_ip: Mapped[str] = mapped_column(String(64), default="")
    remote_platform: Mapped[str] = mapped_column(Text, default="")
    capabilities: Mapped[str] = mapped_column(Text, default="")


class RouteRow(Base):
    """A route; ``data_type`` is the route type its protocol belongs to ("" for connected/local)."""

    __tablename__ = "route"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    data_type: Mapped[str] = mapped_column(String(SHORT), default="")
    vrf: Mapped[str] = mapped_column(Text)
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
    interface: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, default="")
    vrf: Mapped[str] = mapped_column(Text, default="default")


class BgpSessionRow(Base):
    __tablename__ = "bgp_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    peer: Mapped[str] = mapped_column(String(64))
    remote_as: Mapped[int] = mapped_column(BigInteger)  # 4-byte ASNs exceed a signed 32-bit int
    state: Mapped[str] = mapped_column(Text, default="")
    prefixes_received: Mapped[int | None]
    vrf: Mapped[str] = mapped_column(Text, default="default")


class MacEntryRow(Base):
    __tablename__ = "mac_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    mac: Mapped[str] = mapped_column(String(SHORT))
    vlan: Mapped[int]
    interface: Mapped[str] = mapped_column(Text)
    dynamic: Mapped[bool] = mapped_column(default=True)


class ArpEntryRow(Base):
    __tablename__ = "arp_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    ip: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(SHORT))
    interface: Mapped[str] = mapped_column(Text)
    vrf: Mapped[str] = mapped_column(Text, default="default")


class TopologyOverrideRow(Base):
    """An operator's word on a link: confirm or ignore a discovered one, or add one discovery cannot see.

    Kept across runs and applied to every topology built; ends are (node, interface) as the
    topology names them.
    """

    __tablename__ = "topology_override"
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(SHORT))  # confirm | ignore | add
    layer: Mapped[str] = mapped_column(String(8), default="l2")
    a_node: Mapped[str] = mapped_column(Text)
    a_interface: Mapped[str] = mapped_column(Text)
    b_node: Mapped[str] = mapped_column(Text)
    b_interface: Mapped[str] = mapped_column(Text)
    vrf: Mapped[str] = mapped_column(Text, default="default")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(NAME), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


RECORD_TABLES: tuple[type[Base], ...] = (
    InterfaceRow, NeighborRow, RouteRow, OspfNeighborRow, BgpSessionRow, MacEntryRow, ArpEntryRow,
)
SNAPSHOT_CHILDREN: tuple[type[Base], ...] = (*RECORD_TABLES, RawOutputRow, SnapshotDataTypeRow)


# ---- accounts (the API's users, API tokens and the login brake) -------------------------------


class UserRow(Base):
    """An API user: an argon2 hash (never the password), a role, and ``token_version``, the number a
    login JWT must carry (raised by a password or role change and by disabling, which voids every JWT
    issued before). Ids are never reused (SQLite AUTOINCREMENT), so a JWT of a deleted user can never
    name a later one."""

    __tablename__ = "api_user"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's table arguments
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(SHORT))
    disabled: Mapped[bool] = mapped_column(default=False)
    token_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class TokenRow(Base):
    """An API token: the SHA-256 of the token (never the token) and its first characters, for people to
    tell tokens apart. A revoked token keeps its row (who made it, when it was last used); only one
    token that is not revoked may carry a name."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(String(SHORT))
    role: Mapped[str] = mapped_column(String(SHORT))
    created_by: Mapped[str] = mapped_column(String(NAME), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


_ACTIVE_TOKEN = TokenRow.revoked_at.is_(None)
Index("uq_api_token_active_name", TokenRow.name, unique=True, sqlite_where=_ACTIVE_TOKEN,
      postgresql_where=_ACTIVE_TOKEN)  # a name is free again once its token is revoked


class LoginThrottleRow(Base):
    """Failed logins per user name (existing or not, so the brake tells nothing about who exists)."""

    __tablename__ = "login_throttle"
    name: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class SnapshotPackRow(Base):
    """A snapshot's records once more, packed for the topology: one zlib-compressed JSON document
    per snapshot (version 2: each record group column by column, the builder's fields in a head
    apart from the rest; see ``netatlas.store.snapshots``), so a 10,000-device view is 10,000 values
    read instead of 1.5 million rows. Written
    with the snapshot, never updated; a snapshot stored before this table existed has none, and is
    read from its record rows."""

    __tablename__ = "snapshot_pack"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int]  # the packing format (``netatlas.store.snapshots.PACK_VERSION``)
    content: Mapped[bytes] = mapped_column(LargeBinary)


# ---- the web map's layout (positions operators dragged) ----------------------------------------


class MapPositionRow(Base):
    """Where an operator put a node of the web map (``netatlas.store.layout``): one shared layout, so
    every user sees the same map. ``node`` is the map's element id (a topology node, or one of the
    map's own: ``grp:``/``site:`` groups, ``ep:`` endpoints); coordinates are finite model units."""

    __tablename__ = "map_position"
    node: Mapped[str] = mapped_column(String(LAYOUT_NODE), primary_key=True)
    x: Mapped[float]
    y: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(NAME), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
