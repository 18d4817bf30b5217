"""Credential sets (ciphertext only) and inventory devices round-trip on both backends."""

from __future__ import annotations

import pytest

from netatlas.domain.errors import NotFound
from netatlas.store import CredentialRepo, Database, DeviceRepo
from tests.integration.store import factories

pytestmark = pytest.mark.integration


def test_credentials_upsert_get_and_list(db: Database) -> None:
    with db.session() as session:
        repo = CredentialRepo(session)
        repo.upsert("lab", "netops", b"\x00cipher-1")
        repo.upsert("core", "admin", b"cipher-2")
    with db.session() as session:
        CredentialRepo(session).upsert("lab", "netops2", b"cipher-3")
    with db.session(readonly=True) as session:
        repo = CredentialRepo(session)
        lab = repo.get("lab")
        assert (lab.name, lab.username, lab.ciphertext) == ("lab", "netops2", b"cipher-3")
        assert "cipher" not in repr(lab)
        assert repo.names() == ["core", "lab"]
        with pytest.raises(NotFound, match="no credential set named 'nope'"):
            repo.get("nope")


def test_devices_upsert_list_get_delete(db: Database) -> None:
    devices = [factories.device(f"sw{i}", i) for i in range(1, 4)]
    with db.session() as session:
        assert DeviceRepo(session).upsert_many(devices) == 3
    moved = factories.device("sw2", 99)
    with db.session() as session:
        repo = DeviceRepo(session)
        before = repo.get("sw2")
        repo.upsert(moved)
        repo.upsert(devices[0])  # unchanged: not touched
    with db.session() as session:
        repo = DeviceRepo(session)
        assert [stored.device for stored in repo.list()] == [devices[0], moved, devices[2]]
        after = repo.get("sw2")
        assert after.device.host == "127.30.0.99" and after.device.tags == ("test", "store")
        assert after.updated_at > before.updated_at and after.created_at == before.created_at
        assert repo.get("sw1").updated_at == repo.get("sw1").created_at
        repo.delete("sw3")
        with pytest.raises(NotFound):
            repo.delete("sw3")
    with db.session() as session:
        assert [stored.device.name for stored in DeviceRepo(session).list()] == ["sw1", "sw2"]
        with pytest.raises(NotFound, match="no device named 'sw3'"):
            DeviceRepo(session).get("sw3")


def test_timestamps_are_aware_utc(db: Database) -> None:
    with db.session() as session:
        DeviceRepo(session).upsert(factories.device("sw1"))
    with db.session() as session:
        stored = DeviceRepo(session).get("sw1")
    assert stored.created_at.utcoffset() is not None
    assert stored.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
