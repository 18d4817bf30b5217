"""Initial schema: inventory, jobs, snapshots with raw outputs and records.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table("credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("name", name=op.f("uq_credential_name"))
    )
    op.create_table("device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("credential", sa.String(length=128), nullable=False),
        sa.Column("site", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=128), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("name", name=op.f("uq_device_name"))
    )
    op.create_table("job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job"))
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_created_at"), ["created_at"], unique=False)

    op.create_table("job_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("credential", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=255), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_job_device_job_id_job"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_device")),
        sa.UniqueConstraint("job_id", "device_name", name=op.f("uq_job_device_job_id_device_name"))
    )
    op.create_table("snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("data_types", sa.JSON(), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("serial", sa.String(length=255), nullable=True),
        sa.Column("os_version", sa.String(length=255), nullable=True),
        sa.Column("vendor", sa.String(length=255), nullable=True),
        sa.Column("uptime", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_snapshot_job_id_job"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot")),
        sa.UniqueConstraint("job_id", "device_name", name=op.f("uq_snapshot_job_id_device_name"))
    )
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_snapshot_device_latest", ["device_name", "collected_at"], unique=False)

    op.create_table("arp_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=32), nullable=False),
        sa.Column("interface", sa.String(length=128), nullable=False),
        sa.Column("vrf", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_arp_entry_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arp_entry"))
    )
    with op.batch_alter_table("arp_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arp_entry_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("bgp_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("remote_as", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("prefixes_received", sa.Integer(), nullable=True),
        sa.Column("vrf", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_bgp_session_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bgp_session"))
    )
    with op.batch_alter_table("bgp_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bgp_session_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("interface",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("admin_up", sa.Boolean(), nullable=False),
        sa.Column("oper_up", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ipv4", sa.JSON(), nullable=False),
        sa.Column("mac", sa.String(length=32), nullable=False),
        sa.Column("mtu", sa.Integer(), nullable=True),
        sa.Column("vrf", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_interface_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interface"))
    )
    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interface_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("mac_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=32), nullable=False),
        sa.Column("vlan", sa.Integer(), nullable=False),
        sa.Column("interface", sa.String(length=128), nullable=False),
        sa.Column("dynamic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_mac_entry_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mac_entry"))
    )
    with op.batch_alter_table("mac_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mac_entry_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("neighbor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("local_interface", sa.String(length=128), nullable=False),
        sa.Column("remote_name", sa.String(length=255), nullable=False),
        sa.Column("remote_interface", sa.String(length=128), nullable=False),
        sa.Column("remote_name_raw", sa.String(length=255), nullable=False),
        sa.Column("mgmt_ip", sa.String(length=64), nullable=False),
        sa.Column("remote_platform", sa.String(length=255), nullable=False),
        sa.Column("capabilities", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_neighbor_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_neighbor"))
    )
    with op.batch_alter_table("neighbor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_neighbor_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("ospf_neighbor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("router_id", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("interface", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("vrf", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_ospf_neighbor_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ospf_neighbor"))
    )
    with op.batch_alter_table("ospf_neighbor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ospf_neighbor_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("raw_output",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_raw_output_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_output"))
    )
    with op.batch_alter_table("raw_output", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_output_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("vrf", sa.String(length=128), nullable=False),
        sa.Column("prefix", sa.String(length=64), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("next_hops", sa.JSON(), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.Column("metric", sa.BigInteger(), nullable=True),
        sa.Column("route_type", sa.String(length=32), nullable=False),
        sa.Column("as_path", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_route_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route"))
    )
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table("snapshot_data_type",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
            name=op.f("fk_snapshot_data_type_snapshot_id_snapshot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("snapshot_id", "data_type", name=op.f("pk_snapshot_data_type"))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("snapshot_data_type")
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_snapshot_id"))

    op.drop_table("route")
    with op.batch_alter_table("raw_output", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_output_snapshot_id"))

    op.drop_table("raw_output")
    with op.batch_alter_table("ospf_neighbor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ospf_neighbor_snapshot_id"))

    op.drop_table("ospf_neighbor")
    with op.batch_alter_table("neighbor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_neighbor_snapshot_id"))

    op.drop_table("neighbor")
    with op.batch_alter_table("mac_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mac_entry_snapshot_id"))

    op.drop_table("mac_entry")
    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interface_snapshot_id"))

    op.drop_table("interface")
    with op.batch_alter_table("bgp_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bgp_session_snapshot_id"))

    op.drop_table("bgp_session")
    with op.batch_alter_table("arp_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arp_entry_snapshot_id"))

    op.drop_table("arp_entry")
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_snapshot_device_latest")

    op.drop_table("snapshot")
    op.drop_table("job_device")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_created_at"))

    op.drop_table("job")
    op.drop_table("device")
    op.drop_table("credential")
