"""ORM row classes, mapped onto the Core tables of ``netatlas.store.schema``. Rows never leave
``netatlas.store``: repositories turn them into domain records.

The schema (columns, types, constraints, indexes) lives in :mod:`netatlas.store.schema`, which
imports no ORM; each class here maps one of its tables (``__table__``) and names the attributes'
types for mypy. Importing this module imports ``sqlalchemy.orm`` and maps every class (about
0.2 s), so code that reads with Core (``netatlas jobs list``) imports ``schema`` alone. The
schema's names (``NAMING``, ``utcnow``, the length constants...) are re-exported here, so
``from netatlas.store.tables import utcnow`` keeps working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from netatlas.store.schema import (
    API_TOKEN_TABLE,
    API_USER_TABLE,
    ARP_ENTRY_TABLE,
    BGP_SESSION_TABLE,
    CREDENTIAL_TABLE,
    DEVICE,
    DEVICE_TABLE,
    HOST_KEY_TABLE,
    INTERFACE_TABLE,
    INVENTORY_CONFLICT_TABLE,
    JOB_DEVICE_TABLE,
    JOB_TABLE,
    LAYOUT_NODE,
    LOGIN_THROTTLE_TABLE,
    MAC_ENTRY_TABLE,
    MAP_POSITION_TABLE,
    META_TABLE,
    METADATA,
    NAME,
    NAMING,
    NEIGHBOR_TABLE,
    OSPF_NEIGHBOR_TABLE,
    RAW_OUTPUT_TABLE,
    ROUTE_TABLE,
    SHORT,
    SNAPSHOT_DATA_TYPE_TABLE,
    SNAPSHOT_PACK_TABLE,
    SNAPSHOT_TABLE,
    TOPOLOGY_OVERRIDE_TABLE,
    UNMANAGED_NEIGHBOR_TABLE,
    UtcDateTime,
    utcnow,
)


class Base(DeclarativeBase):
    metadata = METADATA


class MetaRow(Base):
    """Per-deployment settings kept with the data (KDF salt, key check value, ...)."""

    __tablename__ = "meta"
    __table__ = META_TABLE
    key: Mapped[str]
    value: Mapped[str]


class CredentialRow(Base):
    """A named credential set: the secret is ciphertext from ``netatlas.secrets``, never plaintext."""

    __tablename__ = "credential"
    __table__ = CREDENTIAL_TABLE
    id: Mapped[int]
    name: Mapped[str]
    username: Mapped[str]
    secret: Mapped[bytes]
    legacy_ssh: Mapped[bool]  # opt-in to weak SSH algorithms
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeviceRow(Base):
    __tablename__ = "device"
    __table__ = DEVICE_TABLE
    id: Mapped[int]
    name: Mapped[str]
    host: Mapped[str]
    port: Mapped[int]
    platform: Mapped[str]
    credential: Mapped[str]
    site: Mapped[str]
    role: Mapped[str]
    tags: Mapped[list[Any]]
    origin: Mapped[str]  # inventory | crawled | seed
    advertised_by: Mapped[str]  # crawled: the device whose neighbor table named it
    legacy_ssh: Mapped[bool]  # opt-in to weak SSH algorithms
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class JobRow(Base):
    """A discovery job. ``options`` holds what was asked (data types, concurrency, seeds), no secret."""

    __tablename__ = "job"
    __table__ = JOB_TABLE
    id: Mapped[str]
    kind: Mapped[str]
    options: Mapped[dict[str, Any]]
    status: Mapped[str]
    total: Mapped[int]
    completed: Mapped[int]
    failed: Mapped[int]
    cancelled: Mapped[int]
    requested_by: Mapped[str]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    owner_host: Mapped[str]  # the process running it: host and pid
    owner_pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]
    message: Mapped[str]  # why it ended as it did (interrupted, store failure)


class UnmanagedRow(Base):
    """A neighbor a crawl saw but could not or may not visit, and why."""

    __tablename__ = "unmanaged_neighbor"
    __table__ = UNMANAGED_NEIGHBOR_TABLE
    id: Mapped[int]
    job_id: Mapped[str]
    name: Mapped[str]
    mgmt_ip: Mapped[str]
    reason: Mapped[str]
    seen_from: Mapped[str]


class InventoryConflictRow(Base):
    """A crawl or seed probe that would have changed an inventory entry: recorded, never applied."""

    __tablename__ = "inventory_conflict"
    __table__ = INVENTORY_CONFLICT_TABLE
    id: Mapped[int]
    job_id: Mapped[str | None]  # None: a seed probe before any job
    name: Mapped[str]  # the name advertised (normalised)
    stored_host: Mapped[str]
    advertised_host: Mapped[str]
    advertised_by: Mapped[str]
    reason: Mapped[str]
    created_at: Mapped[datetime]


class HostKeyRow(Base):
    """A device's trusted SSH host key (OpenSSH public key text), per address and port."""

    __tablename__ = "host_key"
    __table__ = HOST_KEY_TABLE
    id: Mapped[int]
    host: Mapped[str]
    port: Mapped[int]
    device_name: Mapped[str]
    key_type: Mapped[str]
    public_key: Mapped[str]
    fingerprint: Mapped[str]
    trusted_by: Mapped[str]  # first_use | operator | known_hosts
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class JobDeviceRow(Base):
    """One device of a job: enough of the inventory entry to run it again (no secret)."""

    __tablename__ = "job_device"
    __table__ = JOB_DEVICE_TABLE
    id: Mapped[int]
    job_id: Mapped[str]
    device_name: Mapped[str]
    host: Mapped[str]
    port: Mapped[int]
    platform: Mapped[str]
    credential: Mapped[str]
    status: Mapped[str]
    step: Mapped[str | None]
    warning: Mapped[str]  # e.g. legacy SSH algorithms were used
    attempt: Mapped[int]
    error_kind: Mapped[str | None]
    error: Mapped[str]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_s: Mapped[float | None]


class SnapshotRow(Base):
    """What one device returned in one job; written once, never updated. Facts live here."""

    __tablename__ = "snapshot"
    __table__ = SNAPSHOT_TABLE
    id: Mapped[int]
    job_id: Mapped[str]
    device_name: Mapped[str]
    collected_at: Mapped[datetime]
    ok: Mapped[bool]
    error_kind: Mapped[str | None]
    error: Mapped[str]
    duration_s: Mapped[float]
    data_types: Mapped[list[Any]]
    hostname: Mapped[str | None]
    model: Mapped[str | None]
    serial: Mapped[str | None]
    os_version: Mapped[str | None]
    vendor: Mapped[str | None]
    uptime: Mapped[str | None]
    members: Mapped[list[Any]]  # virtual chassis / cluster members
    # The key other devices' neighbor tables name this device by (its normalised host name), fixed
    # when the snapshot is written so the topology never re-derives it from free text.
    identity: Mapped[str]


class SnapshotDataTypeRow(Base):
    """A data type a snapshot collected without error: the key of every "latest" query."""

    __tablename__ = "snapshot_data_type"
    __table__ = SNAPSHOT_DATA_TYPE_TABLE
    snapshot_id: Mapped[int]
    data_type: Mapped[str]
    status: Mapped[str]  # a Coverage value
    note: Mapped[str]  # feature-off message, fallback used, lines not parsed


class RawOutputRow(Base):
    """One command's raw text, zlib-compressed, and what went wrong with it if anything."""

    __tablename__ = "raw_output"
    __table__ = RAW_OUTPUT_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    seq: Mapped[int]
    command: Mapped[str]
    data_type: Mapped[str]
    content: Mapped[bytes]
    size: Mapped[int]
    duration_s: Mapped[float]
    error_kind: Mapped[str | None]
    error: Mapped[str]
    data_types: Mapped[list[Any]]  # every data type the command served
    coverage: Mapped[str]
    unparsed: Mapped[str]  # lines not understood, newline-separated
    note: Mapped[str]


class InterfaceRow(Base):
    __tablename__ = "interface"
    __table__ = INTERFACE_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    name: Mapped[str]
    admin_up: Mapped[bool]
    oper_up: Mapped[bool]
    description: Mapped[str]
    ipv4: Mapped[list[Any]]
    mac: Mapped[str]
    mtu: Mapped[int | None]
    vrf: Mapped[str]
    ipv6: Mapped[list[Any]]
    channel: Mapped[str]  # a member's aggregate (port-channel, ae)
    speed_mbps: Mapped[int | None]
    duplex: Mapped[str]


class NeighborRow(Base):
    __tablename__ = "neighbor"
    __table__ = NEIGHBOR_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    protocol: Mapped[str]
    local_interface: Mapped[str]
    remote_name: Mapped[str]
    remote_interface: Mapped[str]
    remote_name_raw: Mapped[str]
    mgmt_ip: Mapped[str]
    remote_platform: Mapped[str]
    capabilities: Mapped[str]


class RouteRow(Base):
    """A route; ``data_type`` is the route type its protocol belongs to ("" for connected/local)."""

    __tablename__ = "route"
    __table__ = ROUTE_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    data_type: Mapped[str]
    vrf: Mapped[str]
    prefix: Mapped[str]
    protocol: Mapped[str]
    next_hops: Mapped[list[Any]]  # [[address, interface], ...]
    distance: Mapped[int | None]
    metric: Mapped[int | None]
    route_type: Mapped[str]
    as_path: Mapped[str]


class OspfNeighborRow(Base):
    __tablename__ = "ospf_neighbor"
    __table__ = OSPF_NEIGHBOR_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    router_id: Mapped[str]
    address: Mapped[str]
    interface: Mapped[str]
    state: Mapped[str]
    vrf: Mapped[str]


class BgpSessionRow(Base):
    __tablename__ = "bgp_session"
    __table__ = BGP_SESSION_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    peer: Mapped[str]
    remote_as: Mapped[int]  # 4-byte ASNs exceed a signed 32-bit int
    state: Mapped[str]
    prefixes_received: Mapped[int | None]
    vrf: Mapped[str]


class MacEntryRow(Base):
    __tablename__ = "mac_entry"
    __table__ = MAC_ENTRY_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    mac: Mapped[str]
    vlan: Mapped[int]
    interface: Mapped[str]
    dynamic: Mapped[bool]


class ArpEntryRow(Base):
    __tablename__ = "arp_entry"
    __table__ = ARP_ENTRY_TABLE
    id: Mapped[int]
    snapshot_id: Mapped[int]
    ip: Mapped[str]
    mac: Mapped[str]
    interface: Mapped[str]
    vrf: Mapped[str]


class TopologyOverrideRow(Base):
    """An operator's word on a link: confirm or ignore a discovered one, or add one discovery cannot see.

    Kept across runs and applied to every topology built; ends are (node, interface) as the
    topology names them.
    """

    __tablename__ = "topology_override"
    __table__ = TOPOLOGY_OVERRIDE_TABLE
    id: Mapped[int]
    action: Mapped[str]  # confirm | ignore | add
    layer: Mapped[str]
    a_node: Mapped[str]
    a_interface: Mapped[str]
    b_node: Mapped[str]
    b_interface: Mapped[str]
    vrf: Mapped[str]
    note: Mapped[str]
    created_by: Mapped[str]
    created_at: Mapped[datetime]


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
    __table__ = API_USER_TABLE
    id: Mapped[int]
    name: Mapped[str]
    password_hash: Mapped[str]
    role: Mapped[str]
    disabled: Mapped[bool]
    token_version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class TokenRow(Base):
    """An API token: the SHA-256 of the token (never the token) and its first characters, for people to
    tell tokens apart. A revoked token keeps its row (who made it, when it was last used); only one
    token that is not revoked may carry a name."""

    __tablename__ = "api_token"
    __table__ = API_TOKEN_TABLE
    id: Mapped[int]
    name: Mapped[str]
    token_hash: Mapped[str]  # sha256 hex
    prefix: Mapped[str]
    role: Mapped[str]
    created_by: Mapped[str]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginThrottleRow(Base):
    """Failed logins per user name (existing or not, so the brake tells nothing about who exists)."""

    __tablename__ = "login_throttle"
    __table__ = LOGIN_THROTTLE_TABLE
    name: Mapped[str]
    failures: Mapped[int]
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
    __table__ = SNAPSHOT_PACK_TABLE
    snapshot_id: Mapped[int]
    version: Mapped[int]  # the packing format (``netatlas.store.snapshots.PACK_VERSION``)
    content: Mapped[bytes]


# ---- the web map's layout (positions operators dragged) ----------------------------------------


class MapPositionRow(Base):
    """Where an operator put a node of the web map (``netatlas.store.layout``): one shared layout, so
    every user sees the same map. ``node`` is the map's element id (a topology node, or one of the
    map's own: ``grp:``/``site:`` groups, ``ep:`` endpoints); coordinates are finite model units."""

    __tablename__ = "map_position"
    __table__ = MAP_POSITION_TABLE
    node: Mapped[str]
    x: Mapped[float]
    y: Mapped[float]
    updated_by: Mapped[str]
    updated_at: Mapped[datetime]

__all__ = [  # the row classes, and the schema's names that callers import from here
    "DEVICE",
    "LAYOUT_NODE",
    "NAME",
    "NAMING",
    "RECORD_TABLES",
    "SHORT",
    "SNAPSHOT_CHILDREN",
    "ArpEntryRow",
    "Base",
    "BgpSessionRow",
    "CredentialRow",
    "DeviceRow",
    "HostKeyRow",
    "InterfaceRow",
    "InventoryConflictRow",
    "JobDeviceRow",
    "JobRow",
    "LoginThrottleRow",
    "MacEntryRow",
    "MapPositionRow",
    "MetaRow",
    "NeighborRow",
    "OspfNeighborRow",
    "RawOutputRow",
    "RouteRow",
    "SnapshotDataTypeRow",
    "SnapshotPackRow",
    "SnapshotRow",
    "TokenRow",
    "TopologyOverrideRow",
    "UnmanagedRow",
    "UserRow",
    "UtcDateTime",
    "utcnow",
]
