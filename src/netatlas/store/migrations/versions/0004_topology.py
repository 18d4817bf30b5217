"""Topology: interface channel membership, speed and duplex; each snapshot's identity key; operator
overrides of links.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("speed_mbps", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("duplex", sa.String(length=32), nullable=False, server_default=""))
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity", sa.Text(), nullable=False, server_default=""))
    op.create_table("topology_override",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("action", sa.String(length=32), nullable=False),
                    sa.Column("layer", sa.String(length=8), nullable=False),
                    sa.Column("a_node", sa.Text(), nullable=False),
                    sa.Column("a_interface", sa.Text(), nullable=False),
                    sa.Column("b_node", sa.Text(), nullable=False),
                    sa.Column("b_interface", sa.Text(), nullable=False),
                    sa.Column("vrf", sa.Text(), nullable=False),
                    sa.Column("note", sa.Text(), nullable=False),
                    sa.Column("created_by", sa.String(length=128), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_topology_override")))


def downgrade() -> None:
    op.drop_table("topology_override")
    with op.batch_alter_table("snapshot", schema=None) as batch_op:
        batch_op.drop_column("identity")
    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.drop_column("duplex")
        batch_op.drop_column("speed_mbps")
        batch_op.drop_column("channel")
