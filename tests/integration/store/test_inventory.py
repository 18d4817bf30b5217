"""Credential sets (ciphertext only) and inventory devices on both backends: round trips, atomic upserts,
and claims by the crawl that never change what the inventory holds."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.store import ClaimOutcome, CredentialRepo, Database, DeviceRepo, Origin
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


def test_inventory_import_makes_a_crawled_entry_an_inventory_one(db: Database) -> None:
    crawled = factories.device("sw1")
    with db.session() as session:
        DeviceRepo(session).claim(crawled, Origin.CRAWLED, advertised_by="core1")
    with db.session(readonly=True) as session:
        stored = DeviceRepo(session).get("sw1")
        assert (stored.origin, stored.advertised_by) == (Origin.CRAWLED, "core1")
    with db.session() as session:
        DeviceRepo(session).upsert(crawled)  # same fields: the origin alone changes
    with db.session(readonly=True) as session:
        stored = DeviceRepo(session).get("sw1")
    assert (stored.origin, stored.advertised_by) == (Origin.INVENTORY, "")
    assert stored.updated_at > stored.created_at


def test_a_changed_tag_list_is_an_update(db: Database) -> None:
    device = factories.device("sw1")
    with db.session() as session:
        DeviceRepo(session).upsert(device)
    with db.session() as session:
        DeviceRepo(session).upsert(replace(device, tags=("test",)))
    with db.session(readonly=True) as session:
        assert DeviceRepo(session).get("sw1").device.tags == ("test",)


def test_claim_adds_a_new_device_with_its_origin(db: Database) -> None:
    with db.session() as session:
        claim = DeviceRepo(session).claim(factories.device("sw9", 9), Origin.SEED)
    assert (claim.outcome, claim.accepted) == (ClaimOutcome.ADDED, True)
    with db.session(readonly=True) as session:
        assert DeviceRepo(session).get("sw9").origin is Origin.SEED


def test_claim_never_changes_an_inventory_entry(db: Database) -> None:
    """The attack of issue 7: a neighbor advertises ``core1`` at its own address (or a stored address
    under a new name); the stored entry keeps its address, site, role and tags, the attempt is recorded."""
    core1 = factories.device("core1", 1)
    with db.session() as session:
        DeviceRepo(session).upsert(core1)
    before = _stored_devices(db)
    rogue = InventoryDevice("core1", "127.30.0.66", "cisco_ios", "crawl")
    alias = InventoryDevice("core1-mgmt", core1.host, "cisco_ios", "crawl")
    same = InventoryDevice("core1", core1.host, "cisco_nxos", "crawl")
    with db.session() as session:
        repo = DeviceRepo(session)
        refused = repo.claim(rogue, Origin.CRAWLED, advertised_by="sw2", job_id="job-1")
        taken = repo.claim(alias, Origin.CRAWLED, advertised_by="sw3", job_id="job-1")
        known = repo.claim(same, Origin.CRAWLED, advertised_by="sw4", job_id="job-1")
    assert refused.outcome is ClaimOutcome.CONFLICT and not refused.accepted
    assert "stored at 127.30.0.1" in refused.reason
    assert taken.outcome is ClaimOutcome.CONFLICT and "belongs to the stored device 'core1'" in taken.reason
    assert (known.outcome, known.device, known.origin) == (ClaimOutcome.KNOWN, core1, Origin.INVENTORY)
    assert _stored_devices(db) == before, "nothing changed"
    with db.session(readonly=True) as session:
        conflicts = DeviceRepo(session).conflicts("job-1")
        assert DeviceRepo(session).conflicts("other") == []
    assert [(c.name, c.stored_host, c.advertised_host, c.advertised_by) for c in conflicts] == [
        ("core1", "127.30.0.1", "127.30.0.66", "sw2"), ("core1-mgmt", "127.30.0.1", "127.30.0.1", "sw3")]


def test_concurrent_imports_and_claims_never_fail_on_the_unique_name(db: Database) -> None:
    """Four writers at once on the same new names: every statement is one atomic INSERT ... ON CONFLICT."""
    devices = [factories.device(f"sw{i}", i) for i in range(1, 41)]
    start = threading.Barrier(4)

    def write(index: int) -> None:
        start.wait()
        with db.session() as session:
            if index % 2:
                DeviceRepo(session).upsert_many(devices)
            else:
                for device in devices:
                    DeviceRepo(session).claim(device, Origin.CRAWLED, advertised_by="core1")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    with db.session(readonly=True) as session:
        stored = DeviceRepo(session).list()
        assert DeviceRepo(session).conflicts() == []
    assert sorted(s.device.name for s in stored) == sorted(d.name for d in devices)
    assert {s.origin for s in stored} <= {Origin.INVENTORY, Origin.CRAWLED}


def test_credential_upsert_is_one_statement_under_concurrency(db: Database) -> None:
    start = threading.Barrier(4)

    def write(index: int) -> None:
        start.wait()
        with db.session() as session:
            CredentialRepo(session).upsert("lab", f"user{index}", b"cipher")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    with db.session(readonly=True) as session:
        assert CredentialRepo(session).get("lab").username in {f"user{i}" for i in range(4)}


def _stored_devices(db: Database) -> list[tuple[object, ...]]:
    with db.session(readonly=True) as session:
        return [(s.device, s.origin, s.advertised_by, s.updated_at) for s in DeviceRepo(session).list()]
