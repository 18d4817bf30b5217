"""The web map's layout: the positions operators dragged, kept on the server (``map_position``) so
every user and browser sees the same map (before, each browser kept its own in localStorage).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("map_position",
                    sa.Column("node", sa.String(length=512), nullable=False),
                    sa.Column("x", sa.Double(), nullable=False),
                    sa.Column("y", sa.Double(), nullable=False),
                    sa.Column("updated_by", sa.String(length=128), nullable=False),
                    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint("node", name=op.f("pk_map_position")))


def downgrade() -> None:
    op.drop_table("map_position")
