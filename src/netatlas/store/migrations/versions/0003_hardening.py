"""Hardening and real-world output: per-deployment meta, host keys, inventory conflicts, job owners
and heartbeats, per-data-type coverage, command coverage, and Text for every device-filled column.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old type, new type, nullable): device-filled columns become Text (device names 255)
WIDENED: tuple[tuple[str, str, sa.types.TypeEngine[str], sa.types.TypeEngine[str], bool], ...] = (
    ("arp_entry", "interface", sa.String(length=128), sa.Text(), False),
    ("arp_entry", "vrf", sa.String(length=128), sa.Text(), False),
    ("bgp_session", "state", sa.String(length=32), sa.Text(), False),
    ("bgp_session", "vrf", sa.String(length=128), sa.Text(), False),
    ("device", "name", sa.String(length=128), sa.String(length=255), False),
    ("interface", "name", sa.String(length=128), sa.Text(), False),
    ("interface", "vrf", sa.String(length=128), sa.Text(), False),
    ("job_device", "device_name", sa.String(length=128), sa.String(length=255), False),
    ("job_device", "step", sa.String(length=255), sa.Text(), True),
    ("mac_entry", "interface", sa.String(length=128), sa.Text(), False),
    ("neighbor", "local_interface", sa.String(length=128), sa.Text(), False),
    ("neighbor", "remote_name", sa.String(length=255), sa.Text(), False),
    ("neighbor", "remote_interface", sa.String(length=128), sa.Text(), False),
    ("neighbor", "remote_name_raw", sa.String(length=255), sa.Text(), False),
    ("neighbor", "remote_platform", sa.String(length=255), sa.Text(), False),
    ("neighbor", "capabilities", sa.String(length=255), sa.Text(), False),
    ("ospf_neighbor", "interface", sa.String(length=128), sa.Text(), False),
    ("ospf_neighbor", "state", sa.String(length=32), sa.Text(), False),
    ("ospf_neighbor", "vrf", sa.String(length=128), sa.Text(), False),
    ("raw_output", "command", sa.String(length=255), sa.Text(), False),
    ("route", "vrf", sa.String(length=128), sa.Text(), False),
    ("snapshot", "device_name", sa.String(length=128), sa.String(length=255), False),
    ("snapshot", "hostname", sa.String(length=255), sa.Text(), True),
    ("snapshot", "model", sa.String(length=255), sa.Text(), True),
    ("snapshot", "serial", sa.String(length=255), sa.Text(), True),
    ("snapshot", "os_version", sa.String(length=255), sa.Text(), True),
    ("snapshot", "vendor", sa.String(length=255), sa.Text(), True),
    ("snapshot", "uptime", sa.String(length=255), sa.Text(), True),
    ("unmanaged_neighbor", "name", sa.String(length=128), sa.Text(), False),
    ("unmanaged_neighbor", "reason", sa.String(length=128), sa.Text(), False),
    ("unmanaged_neighbor", "seen_from", sa.String(length=128), sa.Text(), False),
)


def upgrade() -> None:
    op.create_table("host_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("device_name", sa.String(length=255), nullable=False),
        sa.Column("key_type", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("trusted_by", sa.String(length=32), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_key")),
        sa.UniqueConstraint("host", "port", name=op.f("uq_host_key_host_port"))
    )
    op.create_table("inventory_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("stored_host", sa.Text(), nullable=False),
        sa.Column("advertised_host", sa.Text(), nullable=False),
        sa.Column("advertised_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_conflict"))
    )
    with op.batch_alter_table("inventory_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_conflict_job_id"), ["job_id"], unique=False)

    op.create_table("meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta"))
    )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legacy_ssh", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=32), nullable=False, server_default="inventory"))
        batch_op.add_column(sa.Column("advertised_by", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("legacy_ssh", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_host", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("owner_pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("job_device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warning", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("raw_output", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_types", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("coverage", sa.String(length=32), nullable=False, server_default="complete"))
        batch_op.add_column(sa.Column("unparsed", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ipv6", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("snapshot_data_type", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=32), nullable=False, server_default="complete"))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    _widen(upgrade=True)


def downgrade() -> None:
    _widen(upgrade=False)
    with op.batch_alter_table("snapshot_data_type", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("status")

    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.drop_column("ipv6")

    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_column("members")

    with op.batch_alter_table("raw_output", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("unparsed")
        batch_op.drop_column("coverage")
        batch_op.drop_column("data_types")

    with op.batch_alter_table("job_device", schema=None) as batch_op:
        batch_op.drop_column("warning")

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("message")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner_pid")
        batch_op.drop_column("owner_host")

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("legacy_ssh")
        batch_op.drop_column("advertised_by")
        batch_op.drop_column("origin")

    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_column("legacy_ssh")

    op.drop_table("meta")
    with op.batch_alter_table("inventory_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_conflict_job_id"))

    op.drop_table("inventory_conflict")
    op.drop_table("host_key")


def _widen(*, upgrade: bool) -> None:
    tables: dict[str, list[tuple[str, sa.types.TypeEngine[str], sa.types.TypeEngine[str], bool]]] = {}
    for table, column, old, new, nullable in WIDENED:
        tables.setdefault(table, []).append((column, old, new, nullable))
    for table, columns in tables.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, old, new, nullable in columns:
                before, after = (old, new) if upgrade else (new, old)
                batch_op.alter_column(column, existing_type=before, type_=after, existing_nullable=nullable)
