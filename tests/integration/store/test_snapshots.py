"""Snapshots: every record type round-trips, latest-state semantics, retention, compressed raw outputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from netatlas.domain.errors import StoreError
from netatlas.domain.records import CommandOutput, DataType, DeviceRecords, DeviceResult, ErrorKind
from netatlas.store import Database, JobRepo, SnapshotRepo
from netatlas.store.tables import SNAPSHOT_CHILDREN, RawOutputRow, SnapshotRow
from tests.integration.store import factories

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROUTE_KINDS = {DataType.STATIC_ROUTES: "static", DataType.OSPF_ROUTES: "ospf", DataType.BGP_ROUTES: "bgp"}


def _job(db: Database, *names: str) -> str:
    with db.session() as session:
        return JobRepo(session).create([factories.device(n, i) for i, n in enumerate(names, 1)], {})


def _save(db: Database, name: str, result: DeviceResult, minutes: int) -> int:
    job_id = _job(db, name)
    with db.session() as session:
        return SnapshotRepo(session).save(job_id, name, result, collected_at=T0 + timedelta(minutes=minutes))


def test_every_record_type_round_trips(db: Database) -> None:
    result = factories.result("sw1", route_count=25)
    snapshot_id = _save(db, "sw1", result, 0)
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        assert repo.records(snapshot_id) == result.records
        view = repo.get(snapshot_id)
        current = repo.current("sw1")
    assert view.ok and view.facts == result.records.facts and view.collected_at == T0
    assert view.data_types == factories.ALL_TYPES and view.duration_s == 1.5
    assert _sorted(current) == _sorted(result.records)  # current merges kinds: same records, other order


def _sorted(records: DeviceRecords) -> DeviceRecords:
    return DeviceRecords(records.facts, *(sorted(getattr(records, name), key=repr) for name in (
        "interfaces", "neighbors", "routes", "ospf_neighbors", "bgp_sessions", "mac_table", "arp")))


@pytest.mark.parametrize("kind", list(DataType))
def test_latest_returns_exactly_the_records_of_one_kind(db: Database, kind: DataType) -> None:
    result = factories.result("sw1", route_count=25)
    snapshot_id = _save(db, "sw1", result, 0)
    with db.session(readonly=True) as session:
        latest = SnapshotRepo(session).latest("sw1", kind)
    assert latest is not None and latest.snapshot.id == snapshot_id
    assert latest.records == _expected(result.records, kind)


def _expected(records: DeviceRecords, kind: DataType) -> DeviceRecords:
    if kind is DataType.FACTS:
        return DeviceRecords(facts=records.facts)
    if kind in ROUTE_KINDS:
        return DeviceRecords(routes=[r for r in records.routes if r.protocol == ROUTE_KINDS[kind]])
    if kind in (DataType.CDP, DataType.LLDP):
        return DeviceRecords(neighbors=[n for n in records.neighbors if n.protocol == kind.value])
    if kind is DataType.ROUTING_NEIGHBORS:
        return DeviceRecords(ospf_neighbors=records.ospf_neighbors, bgp_sessions=records.bgp_sessions)
    attribute = {DataType.INTERFACES: "interfaces", DataType.MAC: "mac_table", DataType.ARP: "arp"}[kind]
    return DeviceRecords(**{attribute: getattr(records, attribute)})


def test_a_neighbor_missing_from_the_newest_run_is_gone(db: Database) -> None:
    _save(db, "sw1", factories.result("sw1", ["core1", "core2", "dist1", "dist2"]), 0)
    second = _save(db, "sw1", factories.result("sw1", ["core1", "core2"]), 10)  # dist1 and dist2 went away
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        cdp, lldp = repo.latest("sw1", DataType.CDP), repo.latest("sw1", DataType.LLDP)
        current = repo.current("sw1")
    assert cdp is not None and lldp is not None and cdp.snapshot.id == second
    assert [n.remote_name for n in cdp.records.neighbors] == ["core1"]
    assert [n.remote_name for n in lldp.records.neighbors] == ["core2"]
    assert {n.remote_name for n in current.neighbors} == {"core1", "core2"}


def test_a_route_and_a_mac_missing_from_the_newest_run_are_gone(db: Database) -> None:
    first = factories.result("sw1", route_count=10)
    second = factories.result("sw1", route_count=10)
    second.records.routes = [r for r in second.records.routes if r.prefix != first.records.routes[2].prefix]
    second.records.mac_table = second.records.mac_table[:1]
    _save(db, "sw1", first, 0)
    _save(db, "sw1", second, 10)
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        ospf, mac = repo.latest("sw1", DataType.OSPF_ROUTES), repo.latest("sw1", DataType.MAC)
    assert ospf is not None and mac is not None
    assert first.records.routes[2].protocol == "ospf"
    assert first.records.routes[2].prefix not in {r.prefix for r in ospf.records.routes}
    assert len(ospf.records.routes) == 1 and [m.mac for m in mac.records.mac_table] == ["aa:bb:cc:00:00:01"]


def test_a_failed_newer_run_hides_nothing(db: Database) -> None:
    good = _save(db, "sw1", factories.result("sw1", ["core1", "dist1"]), 0)
    failed = _save(db, "sw1", factories.failed("sw1"), 10)
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        cdp = repo.latest("sw1", DataType.CDP)
        history = repo.history("sw1")
    assert cdp is not None and cdp.snapshot.id == good
    assert [n.remote_name for n in cdp.records.neighbors] == ["core1"]
    assert [(s.id, s.ok, s.error_kind) for s in history] == [(failed, False, ErrorKind.TIMEOUT), (good, True, None)]


def test_a_type_that_failed_to_parse_keeps_its_previous_records(db: Database) -> None:
    old = _save(db, "sw1", factories.result("sw1"), 0)
    newer = factories.result("sw1", ["core1"])
    newer.records.mac_table = []  # the parser gave nothing: that must not read as "no MACs"
    newer.outputs = [*newer.outputs, CommandOutput("show mac address-table", DataType.MAC, "garbage", 0.01,
                                                   ErrorKind.PARSE_ERROR, "no template row matched")]
    new = _save(db, "sw1", newer, 10)
    with db.session(readonly=True) as session:
        repo = SnapshotRepo(session)
        mac, cdp = repo.latest("sw1", DataType.MAC), repo.latest("sw1", DataType.CDP)
        raw = repo.raw(new)
    assert mac is not None and mac.snapshot.id == old and len(mac.records.mac_table) == 2
    assert cdp is not None and cdp.snapshot.id == new
    assert raw[-1].error_kind is ErrorKind.PARSE_ERROR and raw[-1].output == "garbage"


def test_latest_for_all_devices(db: Database) -> None:
    _save(db, "sw1", factories.result("sw1", ["a", "b", "c"]), 0)
    newest = _save(db, "sw1", factories.result("sw1", ["a"]), 10)
    other = _save(db, "sw2", factories.result("sw2", ["x", "y", "z"]), 5)
    _save(db, "sw3", factories.failed("sw3"), 5)
    with db.session(readonly=True) as session:
        found = SnapshotRepo(session).latest_for_all(DataType.CDP)
        assert SnapshotRepo(session).latest("sw3", DataType.CDP) is None
    assert sorted(found) == ["sw1", "sw2"]
    assert found["sw1"].snapshot.id == newest and [n.remote_name for n in found["sw1"].records.neighbors] == ["a"]
    assert found["sw2"].snapshot.id == other and [n.remote_name for n in found["sw2"].records.neighbors] == ["x", "z"]


def test_prune_keeps_the_newest_and_the_current(db: Database) -> None:
    ids = [_save(db, "sw1", factories.result("sw1"), minute) for minute in (0, 10, 20)]
    failed = _save(db, "sw1", factories.failed("sw1"), 30)
    other = [_save(db, "sw2", factories.result("sw2"), minute) for minute in (0, 10)]
    with db.session() as session:
        assert SnapshotRepo(session).prune(keep=1) == 3
        with pytest.raises(ValueError, match="at least one"):
            SnapshotRepo(session).prune(keep=0)
    with db.session(readonly=True) as session:
        remaining = sorted(session.scalars(select(SnapshotRow.id)))
        orphans = _orphans(session)
        rows = session.scalar(select(func.count()).select_from(RawOutputRow))
        latest = SnapshotRepo(session).latest("sw1", DataType.INTERFACES)
    assert remaining == sorted([ids[2], failed, other[1]])  # sw1's newest is a failure: its last good run stays
    assert set(orphans.values()) == {0}
    assert rows == len(factories.outputs()) * 2 + 1
    assert latest is not None and latest.snapshot.id == ids[2]


def _orphans(session: Session) -> dict[str, int]:
    """Rows per child table whose snapshot is gone (the cascade must leave none)."""
    found: dict[str, int] = {}
    for model in SNAPSHOT_CHILDREN:
        table = model.__table__
        query = select(func.count()).select_from(table).where(table.c.snapshot_id.not_in(select(SnapshotRow.id)))
        found[model.__tablename__] = session.scalar(query) or 0
    return found


def test_raw_outputs_are_compressed_and_decompress_back(db: Database) -> None:
    result = factories.result("sw1", route_count=1000)
    snapshot_id = _save(db, "sw1", result, 0)
    with db.session(readonly=True) as session:
        raw = SnapshotRepo(session).raw(snapshot_id)
        stored = session.execute(select(RawOutputRow.content, RawOutputRow.size)
                                 .where(RawOutputRow.snapshot_id == snapshot_id)).all()
    assert raw == result.outputs
    assert all(len(content) < size for content, size in stored if size >= 100)  # tiny ones may grow a little
    compressed, original = sum(len(c) for c, _ in stored), sum(s for _, s in stored)
    assert compressed * 5 < original  # CLI text compresses well


def test_one_snapshot_per_device_per_job(db: Database) -> None:
    job_id = _job(db, "sw1")
    with db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", factories.result("sw1"))
    with pytest.raises(StoreError, match=r"(?i)unique"), db.session() as session:
        SnapshotRepo(session).save(job_id, "sw1", factories.result("sw1"))
