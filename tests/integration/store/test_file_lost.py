"""A SQLite file removed or replaced while in use fails the next session instead of losing writes.

Open connections would keep writing to the unlinked file (and a new connection would create an
empty database in its place), so a job could report ``completed`` with everything lost.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netatlas.domain.errors import StoreError
from netatlas.store import Database, JobRepo
from tests.integration.store import factories

pytestmark = pytest.mark.integration


def _job(db: Database) -> str:
    with db.session() as session:
        return JobRepo(session).create([factories.device("sw1")], {"data_types": ["cdp"]})


def test_a_removed_file_fails_every_session(tmp_path: Path) -> None:
    path = tmp_path / "netatlas.db"
    with Database.open(f"sqlite:///{path}", upgrade=True) as db:
        _job(db)
        path.unlink()
        with pytest.raises(StoreError, match="removed while in use"):
            _job(db)
        with pytest.raises(StoreError, match="removed while in use"), db.session(readonly=True):
            pass
        assert not path.exists(), "no empty database was created in its place"


def test_a_replaced_file_fails_every_session(tmp_path: Path) -> None:
    path, other = tmp_path / "netatlas.db", tmp_path / "other.db"
    with Database.open(f"sqlite:///{path}", upgrade=True) as db, \
            Database.open(f"sqlite:///{other}", upgrade=True) as second:
        _job(second)
        os.replace(other, path)
        with pytest.raises(StoreError, match="replaced while in use"):
            _job(db)


def test_a_file_created_by_the_first_session_is_tracked(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    db = Database(f"sqlite:///{path}")  # not opened: no file yet
    try:
        db.migrate()
        _job(db)
        path.unlink()
        with pytest.raises(StoreError):
            _job(db)
    finally:
        db.close()
