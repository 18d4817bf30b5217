"""Accounts for the API: users (argon2 hashes), API tokens (SHA-256 hashes) and the login brake.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("api_user",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("name", sa.String(length=128), nullable=False),
                    sa.Column("password_hash", sa.Text(), nullable=False),
                    sa.Column("role", sa.String(length=32), nullable=False),
                    sa.Column("disabled", sa.Boolean(), nullable=False),
                    sa.Column("token_version", sa.Integer(), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_user")),
                    sa.UniqueConstraint("name", name=op.f("uq_api_user_name")),
                    sqlite_autoincrement=True)
    op.create_table("api_token",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("name", sa.String(length=128), nullable=False),
                    sa.Column("token_hash", sa.String(length=64), nullable=False),
                    sa.Column("prefix", sa.String(length=32), nullable=False),
                    sa.Column("role", sa.String(length=32), nullable=False),
                    sa.Column("created_by", sa.String(length=128), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
                    sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")))
    active = sa.text("revoked_at IS NULL")
    op.create_index("uq_api_token_active_name", "api_token", ["name"], unique=True,
                    sqlite_where=active, postgresql_where=active)
    op.create_table("login_throttle",
                    sa.Column("name", sa.String(length=128), nullable=False),
                    sa.Column("failures", sa.Integer(), nullable=False),
                    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint("name", name=op.f("pk_login_throttle")))


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_index("uq_api_token_active_name", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("api_user")
