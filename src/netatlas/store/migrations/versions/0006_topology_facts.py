"""Topology facts: each snapshot's records packed in one compressed value (``snapshot_pack``), so
the topology reads a view as one value per device instead of every record row. Snapshots stored
before this revision have no pack and are read from their rows.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("snapshot_pack",
                    sa.Column("snapshot_id", sa.Integer(), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    sa.Column("content", sa.LargeBinary(), nullable=False),
                    sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"],
                                            name=op.f("fk_snapshot_pack_snapshot_id_snapshot"), ondelete="CASCADE"),
                    sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_snapshot_pack")))


def downgrade() -> None:
    op.drop_table("snapshot_pack")
