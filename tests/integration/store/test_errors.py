"""A database that cannot be used fails with a StoreError naming it, password masked."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from netatlas.domain.errors import StoreError
from netatlas.store import Database, SnapshotRepo
from tests.integration.store import factories

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens once the socket is closed


def test_postgresql_on_a_closed_port() -> None:
    url = f"postgresql+psycopg://netatlas:hunter2@127.0.0.1:{_closed_port()}/netatlas?connect_timeout=3"
    with pytest.raises(StoreError) as caught:
        Database.open(url)
    message = str(caught.value)
    assert "postgresql+psycopg://netatlas:***@127.0.0.1" in message
    assert "refused" in message.lower() or "failed" in message.lower()
    assert "hunter2" not in message


@pytest.mark.parametrize("credentials", ["netatlas:hunter2@", "netatlas@"])
def test_a_password_in_the_query_is_masked_too(credentials: str) -> None:
    url = (f"postgresql+psycopg://{credentials}127.0.0.1:{_closed_port()}/netatlas"
           f"?connect_timeout=3&password=hunter2")
    with pytest.raises(StoreError) as caught:
        Database.open(url)
    message = str(caught.value)
    assert "password=***" in message and "hunter2" not in message, message


def test_sqlite_in_a_directory_that_cannot_be_created() -> None:
    with pytest.raises(StoreError, match=r"sqlite:////proc/netatlas-missing/netatlas\.db") as caught:
        Database.open("sqlite:////proc/netatlas-missing/netatlas.db")
    assert "No such file or directory" in str(caught.value) or "denied" in str(caught.value)


def test_sqlite_file_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unable to open database file"):
        Database.open(f"sqlite:///{tmp_path}")


@pytest.mark.parametrize("url", ["not a url", "postgresql+psycopg://me:pw@[::1:5432/x", "://me:pw@host/db"])
def test_malformed_url(url: str) -> None:
    with pytest.raises(StoreError, match="malformed database URL") as caught:
        Database.open(url)
    assert ":pw@" not in str(caught.value)


def test_unknown_driver() -> None:
    with pytest.raises(StoreError, match=r"cannot open database nosuchdb://u:\*\*\*@h/d"):
        Database.open("nosuchdb://u:secretpw@h/d")


def test_failure_inside_a_unit_of_work(empty_url: str) -> None:
    """An error inside a session is a StoreError naming the database, and nothing is half-written."""
    database = Database(empty_url)  # not migrated: no tables
    with pytest.raises(StoreError, match=r"database error on (sqlite|postgresql).*(no such table|does not exist)"), \
            database.session() as session:
        SnapshotRepo(session).save("job", "sw1", factories.result("sw1"))
    database.close()
