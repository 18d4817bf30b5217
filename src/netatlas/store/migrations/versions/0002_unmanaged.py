"""Neighbors a crawl did not visit, with the reason.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unmanaged_neighbor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("mgmt_ip", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=False),
        sa.Column("seen_from", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_unmanaged_neighbor_job_id_job"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmanaged_neighbor")),
        sa.UniqueConstraint("job_id", "name", name=op.f("uq_unmanaged_neighbor_job_id_name")),
    )
    op.create_index(op.f("ix_unmanaged_neighbor_job_id"), "unmanaged_neighbor", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unmanaged_neighbor_job_id"), table_name="unmanaged_neighbor")
    op.drop_table("unmanaged_neighbor")
