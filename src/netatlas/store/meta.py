"""Per-deployment values kept with the data (the key-derivation salt, the key check value, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from netatlas.store.tables import MetaRow

MAX_KEY_LENGTH = 64


class MetaRepo:
    """Small text values by key. ``set_if_absent`` is atomic on SQLite and PostgreSQL alike
    (``INSERT ... ON CONFLICT DO NOTHING``), so two processes starting at once agree on one value."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> str | None:
        return self._session.scalar(select(MetaRow.value).where(MetaRow.key == _checked(key)))

    def set(self, key: str, value: str) -> None:
        """Insert or replace."""
        statement = self._insert(key, value)
        self._session.execute(statement.on_conflict_do_update(index_elements=[MetaRow.key], set_={"value": value}))

    def set_if_absent(self, key: str, value: str) -> str:
        """Store ``value`` unless ``key`` has one already; returns the value actually stored."""
        self._session.execute(self._insert(key, value).on_conflict_do_nothing(index_elements=[MetaRow.key]))
        stored = self.get(key)
        if stored is None:  # pragma: no cover - the row was just written or already there
            raise RuntimeError(f"meta value {key!r} vanished")
        return stored

    def delete(self, key: str) -> None:
        self._session.execute(delete(MetaRow).where(MetaRow.key == _checked(key)))

    def _insert(self, key: str, value: str) -> Any:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return insert(MetaRow).values(key=_checked(key), value=value)


def _checked(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"meta keys are 1 to {MAX_KEY_LENGTH} characters")
    return key
