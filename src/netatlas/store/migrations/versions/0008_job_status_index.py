"""An index on ``job.status``: recovery reads the unfinished jobs at every start and ``jobs list
--status`` filters on it; without it both scan the whole job table, which only grows.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_job_status"), "job", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_job_status"), table_name="job")
