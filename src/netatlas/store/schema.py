"""The tables as SQLAlchemy Core ``Table`` objects: the schema, without the ORM.

``netatlas.store.tables`` maps its row classes onto these tables (``__table__``), so the ORM is
imported only by code that uses sessions; reads that need no ORM (``netatlas jobs list``, the
recovery of abandoned jobs) select from these tables on a Core connection and stay light
(``sqlalchemy.orm`` costs about 0.1 s to import and as much again to map the classes).

Every run adds rows (a ``snapshot`` per device per job, with its raw outputs and records) and
nothing is updated in place, so a device's current state is a query: the records of its latest
successful snapshot that collected the data type (``snapshot_data_type`` makes that an index
probe). Constraint names come from ``NAMING`` so the same Alembic scripts run on SQLite (batch
mode) and PostgreSQL. Columns are NOT NULL unless they say ``nullable=True``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import DateTime as _DateTime
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

METADATA = MetaData(naming_convention=NAMING)


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


def _column(name: str, *args: Any, nullable: bool = False, **kwargs: Any) -> Column[Any]:
    """A column, NOT NULL unless ``nullable=True`` (as the ORM's non-optional ``Mapped[...]`` made it)."""
    return Column(name, *args, nullable=nullable, **kwargs)


META_TABLE = Table(
    "meta", METADATA,
    _column("key", String(64), primary_key=True),
    _column("value", Text()),
)

CREDENTIAL_TABLE = Table(
    "credential", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("name", String(NAME), unique=True),
    _column("username", String(NAME)),
    _column("secret", LargeBinary()),
    _column("legacy_ssh", Boolean(), default=False),
    _column("created_at", UtcDateTime(), default=utcnow),
    _column("updated_at", UtcDateTime(), default=utcnow),
)

DEVICE_TABLE = Table(
    "device", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("name", String(DEVICE), unique=True),
    _column("host", String(255)),
    _column("port", Integer()),
    _column("platform", String(SHORT)),
    _column("credential", String(NAME)),
    _column("site", String(NAME), default=""),
    _column("role", String(NAME), default=""),
    _column("tags", JSON(), default=list),
    _column("origin", String(SHORT), default="inventory"),
    _column("advertised_by", Text(), default=""),
    _column("legacy_ssh", Boolean(), default=False),
    _column("created_at", UtcDateTime(), default=utcnow),
    _column("updated_at", UtcDateTime(), default=utcnow),
)

JOB_TABLE = Table(
    "job", METADATA,
    _column("id", String(36), primary_key=True),
    _column("kind", String(SHORT)),
    _column("options", JSON()),
    _column("status", String(SHORT), index=True),  # recovery's unfinished jobs, `jobs list --status`
    _column("total", Integer(), default=0),
    _column("completed", Integer(), default=0),
    _column("failed", Integer(), default=0),
    _column("cancelled", Integer(), default=0),
    _column("requested_by", String(NAME), default=""),
    _column("created_at", UtcDateTime(), index=True, default=utcnow),
    _column("started_at", UtcDateTime(), nullable=True),
    _column("finished_at", UtcDateTime(), nullable=True),
    _column("owner_host", Text(), default=""),
    _column("owner_pid", Integer(), nullable=True),
    _column("heartbeat_at", UtcDateTime(), nullable=True),
    _column("message", Text(), default=""),
)

UNMANAGED_NEIGHBOR_TABLE = Table(
    "unmanaged_neighbor", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("job_id", String(36), ForeignKey("job.id", ondelete="CASCADE"), index=True),
    _column("name", Text()),
    _column("mgmt_ip", String(64), default=""),
    _column("reason", Text()),
    _column("seen_from", Text(), default=""),
    UniqueConstraint("job_id", "name"),
)

INVENTORY_CONFLICT_TABLE = Table(
    "inventory_conflict", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("job_id", String(36), nullable=True, index=True),
    _column("name", Text()),
    _column("stored_host", Text(), default=""),
    _column("advertised_host", Text(), default=""),
    _column("advertised_by", Text(), default=""),
    _column("reason", Text(), default=""),
    _column("created_at", UtcDateTime(), default=utcnow),
)

HOST_KEY_TABLE = Table(
    "host_key", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("host", String(255)),
    _column("port", Integer()),
    _column("device_name", String(DEVICE), default=""),
    _column("key_type", String(64)),
    _column("public_key", Text()),
    _column("fingerprint", String(NAME)),
    _column("trusted_by", String(SHORT)),
    _column("first_seen", UtcDateTime(), default=utcnow),
    _column("last_seen", UtcDateTime(), default=utcnow),
    UniqueConstraint("host", "port"),
)

JOB_DEVICE_TABLE = Table(
    "job_device", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("job_id", String(36), ForeignKey("job.id", ondelete="CASCADE")),
    _column("device_name", String(DEVICE)),
    _column("host", String(255)),
    _column("port", Integer()),
    _column("platform", String(SHORT)),
    _column("credential", String(NAME)),
    _column("status", String(SHORT)),
    _column("step", Text(), nullable=True),
    _column("warning", Text(), default=""),
    _column("attempt", Integer(), default=0),
    _column("error_kind", String(SHORT), nullable=True),
    _column("error", Text(), default=""),
    _column("started_at", UtcDateTime(), nullable=True),
    _column("finished_at", UtcDateTime(), nullable=True),
    _column("duration_s", Double(), nullable=True),
    UniqueConstraint("job_id", "device_name"),
)

SNAPSHOT_TABLE = Table(
    "snapshot", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("job_id", String(36), ForeignKey("job.id", ondelete="CASCADE")),
    _column("device_name", String(DEVICE)),
    _column("collected_at", UtcDateTime()),
    _column("ok", Boolean()),
    _column("error_kind", String(SHORT), nullable=True),
    _column("error", Text(), default=""),
    _column("duration_s", Double(), default=0.0),
    _column("data_types", JSON()),
    _column("hostname", Text(), nullable=True),
    _column("model", Text(), nullable=True),
    _column("serial", Text(), nullable=True),
    _column("os_version", Text(), nullable=True),
    _column("vendor", Text(), nullable=True),
    _column("uptime", Text(), nullable=True),
    _column("members", JSON(), default=list),
    _column("identity", Text(), default=""),
    UniqueConstraint("job_id", "device_name"),
    Index("ix_snapshot_device_latest", "device_name", "collected_at"),
)

SNAPSHOT_DATA_TYPE_TABLE = Table(
    "snapshot_data_type", METADATA,
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True),
    _column("data_type", String(SHORT), primary_key=True),
    _column("status", String(SHORT), default="complete"),
    _column("note", Text(), default=""),
)

RAW_OUTPUT_TABLE = Table(
    "raw_output", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("seq", Integer()),
    _column("command", Text()),
    _column("data_type", String(SHORT)),
    _column("content", LargeBinary()),
    _column("size", Integer()),
    _column("duration_s", Double(), default=0.0),
    _column("error_kind", String(SHORT), nullable=True),
    _column("error", Text(), default=""),
    _column("data_types", JSON(), default=list),
    _column("coverage", String(SHORT), default="complete"),
    _column("unparsed", Text(), default=""),
    _column("note", Text(), default=""),
)

INTERFACE_TABLE = Table(
    "interface", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("name", Text()),
    _column("admin_up", Boolean()),
    _column("oper_up", Boolean()),
    _column("description", Text(), default=""),
    _column("ipv4", JSON()),
    _column("mac", String(SHORT), default=""),
    _column("mtu", Integer(), nullable=True),
    _column("vrf", Text(), default=""),
    _column("ipv6", JSON(), default=list),
    _column("channel", Text(), default=""),
    _column("speed_mbps", BigInteger(), nullable=True),
    _column("duplex", String(SHORT), default=""),
)

NEIGHBOR_TABLE = Table(
    "neighbor", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("protocol", String(8)),
    _column("local_interface", Text()),
    _column("remote_name", Text()),
    _column("remote_interface", Text()),
    _column("remote_name_raw", Text(), default=""),
    _column("mgmt_ip", String(64), default=""),
    _column("remote_platform", Text(), default=""),
    _column("capabilities", Text(), default=""),
)

ROUTE_TABLE = Table(
    "route", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("data_type", String(SHORT), default=""),
    _column("vrf", Text()),
    _column("prefix", String(64)),
    _column("protocol", String(SHORT)),
    _column("next_hops", JSON()),
    _column("distance", Integer(), nullable=True),
    _column("metric", BigInteger(), nullable=True),
    _column("route_type", String(SHORT), default=""),
    _column("as_path", Text(), default=""),
)

OSPF_NEIGHBOR_TABLE = Table(
    "ospf_neighbor", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("router_id", String(64)),
    _column("address", String(64)),
    _column("interface", Text()),
    _column("state", Text(), default=""),
    _column("vrf", Text(), default="default"),
)

BGP_SESSION_TABLE = Table(
    "bgp_session", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("peer", String(64)),
    _column("remote_as", BigInteger()),
    _column("state", Text(), default=""),
    _column("prefixes_received", Integer(), nullable=True),
    _column("vrf", Text(), default="default"),
)

MAC_ENTRY_TABLE = Table(
    "mac_entry", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("mac", String(SHORT)),
    _column("vlan", Integer()),
    _column("interface", Text()),
    _column("dynamic", Boolean(), default=True),
)

ARP_ENTRY_TABLE = Table(
    "arp_entry", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), index=True),
    _column("ip", String(64)),
    _column("mac", String(SHORT)),
    _column("interface", Text()),
    _column("vrf", Text(), default="default"),
)

TOPOLOGY_OVERRIDE_TABLE = Table(
    "topology_override", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("action", String(SHORT)),
    _column("layer", String(8), default="l2"),
    _column("a_node", Text()),
    _column("a_interface", Text()),
    _column("b_node", Text()),
    _column("b_interface", Text()),
    _column("vrf", Text(), default="default"),
    _column("note", Text(), default=""),
    _column("created_by", String(NAME), default=""),
    _column("created_at", UtcDateTime(), default=utcnow),
)

API_USER_TABLE = Table(
    "api_user", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("name", String(NAME), unique=True),
    _column("password_hash", Text()),
    _column("role", String(SHORT)),
    _column("disabled", Boolean(), default=False),
    _column("token_version", Integer(), default=0),
    _column("created_at", UtcDateTime(), default=utcnow),
    _column("updated_at", UtcDateTime(), default=utcnow),
    _column("last_login_at", UtcDateTime(), nullable=True),
    sqlite_autoincrement=True,  # ids never reused: a JWT of a deleted user never names a later one
)

API_TOKEN_TABLE = Table(
    "api_token", METADATA,
    _column("id", Integer(), primary_key=True),
    _column("name", String(NAME)),
    _column("token_hash", String(64), unique=True),
    _column("prefix", String(SHORT)),
    _column("role", String(SHORT)),
    _column("created_by", String(NAME), default=""),
    _column("created_at", UtcDateTime(), default=utcnow),
    _column("last_used_at", UtcDateTime(), nullable=True),
    _column("expires_at", UtcDateTime(), nullable=True),
    _column("revoked_at", UtcDateTime(), nullable=True),
)

_ACTIVE_TOKEN = API_TOKEN_TABLE.c.revoked_at.is_(None)

Index("uq_api_token_active_name", API_TOKEN_TABLE.c.name, unique=True, sqlite_where=_ACTIVE_TOKEN,
      postgresql_where=_ACTIVE_TOKEN)  # a name is free again once its token is revoked

LOGIN_THROTTLE_TABLE = Table(
    "login_throttle", METADATA,
    _column("name", String(NAME), primary_key=True),
    _column("failures", Integer(), default=0),
    _column("window_start", UtcDateTime()),
    _column("locked_until", UtcDateTime(), nullable=True),
)

SNAPSHOT_PACK_TABLE = Table(
    "snapshot_pack", METADATA,
    _column("snapshot_id", Integer(), ForeignKey("snapshot.id", ondelete="CASCADE"), primary_key=True),
    _column("version", Integer()),
    _column("content", LargeBinary()),
)

MAP_POSITION_TABLE = Table(
    "map_position", METADATA,
    _column("node", String(LAYOUT_NODE), primary_key=True),
    _column("x", Double()),
    _column("y", Double()),
    _column("updated_by", String(NAME), default=""),
    _column("updated_at", UtcDateTime(), default=utcnow),
)
