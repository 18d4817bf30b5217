"""TopologyRepo: the bulk views the topology is built from (current state, one job), runs and overrides."""

from __future__ import annotations

import json
import zlib
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from netatlas.domain.errors import NotFound
from netatlas.domain.records import (
    CommandOutput,
    Coverage,
    DataType,
    DeviceRecords,
    DeviceResult,
    ErrorKind,
    Facts,
    JobStatus,
    MacEntry,
    Neighbor,
    NextHop,
    Route,
)
from netatlas.jobs.topology import to_input
from netatlas.store import Database, DeviceRepo, JobRepo, SnapshotRepo, StoredInput, TopologyRepo, rowmap
from netatlas.store.snapshots import PACK_HEAD, pack_tail, unpack
from netatlas.store.tables import SnapshotPackRow, SnapshotRow
from netatlas.store.topology import DeviceState
from netatlas.topology.build import build
from netatlas.topology.columns import FIELDS, DeviceColumns
from tests.integration.store import factories

pytestmark = pytest.mark.integration
T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
NAMES = ("sw1", "sw2", "sw3")


def _inventory(db: Database, *names: str) -> None:
    with db.session() as session:
        DeviceRepo(session).upsert_many(factories.device(n, i) for i, n in enumerate(names, 1))


def _run(db: Database, results: dict[str, DeviceResult], minutes: int) -> str:
    """One job over ``results``' devices, each snapshot written ``minutes`` after T0."""
    with db.session() as session:
        job_id = JobRepo(session).create([factories.device(n, i) for i, n in enumerate(results, 1)], {})
    with db.session() as session:
        for name, result in results.items():
            SnapshotRepo(session).save(job_id, name, result, collected_at=T0 + timedelta(minutes=minutes))
    return job_id


def _by_name(stored: StoredInput) -> dict[str, DeviceState]:
    return {d.name: d for d in stored.devices}


def _sorted(records: DeviceRecords) -> DeviceRecords:
    return DeviceRecords(records.facts, *(sorted(getattr(records, name), key=repr) for name in (
        "interfaces", "neighbors", "routes", "ospf_neighbors", "bgp_sessions", "mac_table", "arp")))


def _only_cdp(name: str, neighbors: list[str], hostname: str | None = None) -> DeviceResult:
    """An ok result that collected CDP (and facts) only."""
    records = DeviceRecords(facts=Facts(hostname or name), neighbors=[
        Neighbor("cdp", f"GigabitEthernet0/{i}", n, "Ethernet1/1") for i, n in enumerate(neighbors)])
    return DeviceResult(name, True, records, [CommandOutput("show cdp neighbors detail", DataType.CDP, "x")])


def test_current_input_equals_the_per_device_current_state(db: Database) -> None:
    _inventory(db, *NAMES)
    _run(db, {n: factories.result(n, route_count=30) for n in NAMES}, 0)
    newer = factories.result("sw1", ["core9"], route_count=12)
    newer.records.mac_table = []  # the MAC command failed to parse: the older MACs stay current
    newer.outputs = [*newer.outputs, CommandOutput("show mac address-table", DataType.MAC, "junk", 0.01,
                                                   ErrorKind.PARSE_ERROR, "no template row matched")]
    _run(db, {"sw1": newer, "sw2": _only_cdp("sw2", ["core7"])}, 10)
    with db.session(readonly=True) as session:
        stored = TopologyRepo(session).current_input()
        repo = SnapshotRepo(session)
        per_device = {n: repo.current(n) for n in NAMES}
    devices = _by_name(stored)
    assert stored.label == "current" and sorted(devices) == list(NAMES)
    for name in NAMES:
        assert _sorted(devices[name].records) == _sorted(per_device[name]), name
    sw1, sw2 = devices["sw1"], devices["sw2"]
    assert {n.remote_name for n in sw1.records.neighbors} == {"core9"}  # newest run
    assert [m.mac for m in sw1.records.mac_table] == ["aa:bb:cc:00:00:01", "aa:bb:cc:00:00:02"]  # the older run
    assert len([r for r in sw1.records.routes if r.protocol not in ("connected", "local")]) < 12
    assert {n.remote_name for n in sw2.records.neighbors if n.protocol == "cdp"} == {"core7"}
    assert {n.remote_name for n in sw2.records.neighbors if n.protocol == "lldp"} == {"core2"}  # older LLDP
    assert sw2.coverage[DataType.CDP] is Coverage.COMPLETE and set(sw2.coverage) == set(DataType)
    assert DataType.MAC in sw1.coverage and sw1.collected and not sw1.error_kind


def test_a_failed_later_snapshot_keeps_the_older_data_and_marks_the_error(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    _run(db, {"sw1": factories.result("sw1"), "sw2": factories.result("sw2")}, 0)
    _run(db, {"sw1": factories.failed("sw1", ErrorKind.AUTH_FAILED)}, 10)
    _run(db, {"sw2": factories.failed("sw2")}, 20)
    _run(db, {"sw2": factories.result("sw2", ["core5"])}, 30)  # recovered: no error any more
    with db.session(readonly=True) as session:
        devices = _by_name(TopologyRepo(session).current_input())
    sw1, sw2 = devices["sw1"], devices["sw2"]
    assert sw1.collected and sw1.error_kind == "auth_failed" and sw1.error == "auth_failed after show version"
    assert {n.remote_name for n in sw1.records.neighbors} == {"core1", "core2", "dist1"}
    assert sw1.identity == "sw1" and set(sw1.coverage) == set(DataType)
    assert sw2.collected and (sw2.error_kind, sw2.error) == ("", "")
    assert {n.remote_name for n in sw2.records.neighbors} == {"core5"}


def test_a_device_never_collected_is_listed_empty_with_its_inventory_facts(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    _run(db, {"sw1": factories.result("sw1")}, 0)
    _run(db, {"sw2": factories.failed("sw2", ErrorKind.UNREACHABLE)}, 5)
    with db.session(readonly=True) as session:
        devices = _by_name(TopologyRepo(session).current_input())
    sw2 = devices["sw2"]
    assert not sw2.collected and sw2.error_kind == "unreachable" and sw2.identity == ""
    assert sw2.records == DeviceRecords() and sw2.coverage == {}
    assert (sw2.platform, sw2.mgmt_ip, sw2.site, sw2.role) == ("cisco_ios", "127.30.0.2", "lab", "access")


def test_job_input_reads_only_that_jobs_snapshots(db: Database) -> None:
    _inventory(db, *NAMES)
    first = _run(db, {"sw1": factories.result("sw1", ["a1"]), "sw2": factories.result("sw2", ["b1"]),
                      "sw3": factories.failed("sw3", ErrorKind.TIMEOUT)}, 0)
    second = _run(db, {"sw1": _only_cdp("sw1", ["a2"])}, 10)
    with db.session(readonly=True) as session:
        repo = TopologyRepo(session)
        one, two = repo.job_input(first), repo.job_input(second)
        with pytest.raises(NotFound, match="no job nope"):
            repo.job_input("nope")
    assert one.label == first and two.label == second
    assert sorted(_by_name(one)) == list(NAMES) and sorted(_by_name(two)) == ["sw1"]
    sw1_then, sw1_now = _by_name(one)["sw1"], _by_name(two)["sw1"]
    assert {n.remote_name for n in sw1_then.records.neighbors} == {"a1"} and sw1_then.records.mac_table
    assert {n.remote_name for n in sw1_now.records.neighbors} == {"a2"}
    assert sw1_now.records.mac_table == [] and set(sw1_now.coverage) == {DataType.CDP, DataType.FACTS}
    sw3 = _by_name(one)["sw3"]
    assert not sw3.collected and sw3.error_kind == "timeout" and sw3.records == DeviceRecords()
    assert (sw3.site, sw3.role, sw3.mgmt_ip) == ("lab", "access", "127.30.0.3")


def test_job_input_reports_a_device_without_a_snapshot_by_its_job_row(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    job_id = _run(db, {"sw1": factories.result("sw1")}, 0)
    with db.session() as session:
        JobRepo(session).add_devices(job_id, [factories.device("sw2", 2)])
        JobRepo(session).finish(job_id, JobStatus.INTERRUPTED, "killed")
    with db.session(readonly=True) as session:
        sw2 = _by_name(TopologyRepo(session).job_input(job_id))["sw2"]
    assert not sw2.collected and (sw2.error_kind, sw2.error) == ("interrupted", "killed")


def _routed(name: str, prefix: str, *, static: bool = True) -> DeviceResult:
    routes = [Route("default", prefix, "connected", (NextHop("", "GigabitEthernet0/1"),), 0)]
    if static:
        routes.append(Route("default", "0.0.0.0/0", "static", (NextHop("10.0.0.1", ""),), 1))
    return DeviceResult(name, True, DeviceRecords(facts=Facts(name), routes=routes), [
        CommandOutput("show ip route static", DataType.STATIC_ROUTES, "x")])


def test_attached_routes_come_from_the_newest_snapshot_that_collected_a_route_type(db: Database) -> None:
    _inventory(db, "r1", "r2")
    _run(db, {"r1": _routed("r1", "10.1.0.0/24"), "r2": _routed("r2", "10.2.0.0/24")}, 0)
    _run(db, {"r1": _routed("r1", "10.1.9.0/24", static=False)}, 10)  # newer RIB: its connected routes
    _run(db, {"r1": _only_cdp("r1", ["r2"]), "r2": _only_cdp("r2", ["r1"])}, 20)  # no route type: changes none
    with db.session(readonly=True) as session:
        devices = _by_name(TopologyRepo(session).current_input())
    assert {(r.protocol, r.prefix) for r in devices["r1"].records.routes} == {("connected", "10.1.9.0/24")}
    assert {(r.protocol, r.prefix) for r in devices["r2"].records.routes} == {
        ("connected", "10.2.0.0/24"), ("static", "0.0.0.0/0")}
    assert devices["r1"].records.routes[0].next_hops == (NextHop("", "GigabitEthernet0/1"),)


def test_identity_is_the_normalised_host_name_of_the_newest_good_snapshot(db: Database) -> None:
    _inventory(db, "sw1")
    _run(db, {"sw1": _only_cdp("sw1", ["x"], hostname="OLD-NAME.lab.example")}, 0)
    _run(db, {"sw1": _only_cdp("sw1", ["x"], hostname="SW1.Lab.Example(FOC123)")}, 10)
    _run(db, {"sw1": factories.failed("sw1")}, 20)
    with db.session(readonly=True) as session:
        sw1 = _by_name(TopologyRepo(session).current_input())["sw1"]
    assert sw1.identity == "sw1" and sw1.records.facts is not None
    assert sw1.records.facts.hostname == "SW1.Lab.Example(FOC123)"


def test_runs_lists_jobs_with_good_snapshots_newest_first(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    first = _run(db, {"sw1": factories.result("sw1"), "sw2": factories.failed("sw2")}, 0)
    _run(db, {"sw1": factories.failed("sw1")}, 10)  # nothing good: not a run of the topology
    third = _run(db, {"sw1": factories.result("sw1"), "sw2": factories.result("sw2")}, 20)
    with db.session(readonly=True) as session:
        runs = TopologyRepo(session).runs(10)
        latest = TopologyRepo(session).runs(1)
    assert [(r.job_id, r.devices) for r in runs] == [(third, 2), (first, 1)]
    assert [r.job_id for r in latest] == [third] and runs[0].created_at >= runs[1].created_at


def test_overrides_add_list_remove_and_clean_their_text(db: Database) -> None:
    with db.session() as session:
        repo = TopologyRepo(session)
        one = repo.add_override("confirm", ("sw1", "GigabitEthernet0/1"), ("sw2", "GigabitEthernet0/2"),
                                note="checked \x1b[2J on site", created_by="ops")
        two = repo.add_override("add", ("sw1", "GigabitEthernet0/9"), ("isp-ce\u202e", "ge-0/0/0"),
                                layer="l2", vrf="default")
    with db.session(readonly=True) as session:
        listed = TopologyRepo(session).overrides()
        current = TopologyRepo(session).current_input().overrides
    assert [o.id for o in listed] == [one.id, two.id] and listed == list(current)
    assert listed[0].note == "checked \\x1b[2J on site" and listed[0].created_by == "ops"
    assert (listed[1].action, listed[1].b_node, listed[1].b_interface) == ("add", "isp-ce\\u202e", "ge-0/0/0")
    assert listed[0].created_at is not None
    with db.session() as session:
        TopologyRepo(session).remove_override(one.id)
        with pytest.raises(NotFound, match=f"no override {one.id}"):
            TopologyRepo(session).remove_override(one.id)
    with db.session(readonly=True) as session:
        assert [o.id for o in TopologyRepo(session).overrides()] == [two.id]


def test_mac_rows_keep_their_order_and_fields(db: Database) -> None:
    _inventory(db, "sw1")
    result = factories.result("sw1")
    result.records.mac_table = [MacEntry(f"aa:bb:cc:00:{i // 256:02x}:{i % 256:02x}", 10 + i % 3,
                                         f"GigabitEthernet0/{i % 7}", dynamic=i % 5 != 0) for i in range(1200)]
    _run(db, {"sw1": result}, 0)
    with db.session(readonly=True) as session:
        sw1 = _by_name(TopologyRepo(session).current_input())["sw1"]
    assert sw1.records.mac_table == result.records.mac_table
    assert {type(m.dynamic) for m in sw1.records.mac_table} == {bool}  # not SQLite's 0/1
    assert {(type(i.admin_up), type(i.oper_up)) for i in sw1.records.interfaces} == {(bool, bool)}
    assert {type(i.ipv4) for i in sw1.records.interfaces} == {tuple}


def _without_packs(db: Database, job_id: str) -> None:
    """The job's snapshots as stored before packs existed (revision 0006): record rows only."""
    with db.session() as session:
        ids = select(SnapshotRow.id).where(SnapshotRow.job_id == job_id)
        session.execute(delete(SnapshotPackRow).where(SnapshotPackRow.snapshot_id.in_(ids)))


def test_a_snapshot_without_a_pack_is_read_from_its_rows_with_the_same_records(db: Database) -> None:
    _inventory(db, *NAMES)
    old = _run(db, {n: factories.result(n, route_count=30) for n in NAMES}, 0)
    newer = factories.result("sw1", ["core9"], route_count=12)
    newer.records.mac_table = []  # the MAC command failed: sw1's MACs stay those of the older snapshot
    newer.outputs = [*newer.outputs, CommandOutput("show mac address-table", DataType.MAC, "junk", 0.01,
                                                   ErrorKind.PARSE_ERROR, "no template row matched")]
    new = _run(db, {"sw1": newer, "sw2": _only_cdp("sw2", ["core7"])}, 10)
    with db.session(readonly=True) as session:
        packed = [TopologyRepo(session).current_input(), TopologyRepo(session).job_input(old),
                  TopologyRepo(session).job_input(new)]
    _without_packs(db, old)  # current: sw1's MACs and sw3 from rows, the rest from packs
    with db.session(readonly=True) as session:
        mixed = [TopologyRepo(session).current_input(), TopologyRepo(session).job_input(old),
                 TopologyRepo(session).job_input(new)]
    assert mixed == packed
    sw1 = _by_name(mixed[0])["sw1"].records
    assert [n.remote_name for n in sw1.neighbors] == ["core9"] and len(sw1.mac_table) == 2
    assert sorted(sw1.routes, key=repr) == sorted(newer.records.routes, key=repr)  # attached ones included
    assert {type(i.ipv4) for i in sw1.interfaces} == {tuple} and sw1.interfaces == newer.records.interfaces


def test_one_repository_decodes_a_pack_shared_by_two_runs_once(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    first = _run(db, {"sw1": factories.result("sw1"), "sw2": factories.result("sw2")}, 0)
    second = _run(db, {"sw1": factories.result("sw1", ["core1"]), "sw2": factories.result("sw2")}, 10)
    with db.session(readonly=True) as session:
        repo = TopologyRepo(session)
        old, new = _by_name(repo.job_input(first)), _by_name(repo.job_input(second))
    assert all(a is b for a, b in zip(old["sw2"].records.mac_table, new["sw2"].records.mac_table, strict=True))
    assert old["sw2"].records == new["sw2"].records and old["sw2"].records.mac_table
    assert [n.remote_name for n in new["sw1"].records.neighbors] == ["core1"]
    assert sorted(n.remote_name for n in old["sw1"].records.neighbors) == ["core1", "core2", "dist1"]


# ---- packs: version 2 (the builder's columns apart), version 1 still read ---------------------------


def _plain(value: object) -> object:
    """Lists and tuples alike (JSON gives lists where records hold tuples), recursively."""
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def _as_version_1(db: Database, job_id: str) -> None:
    """The job's packs rewritten as version 1 wrote them: per attribute and group, rows of column
    values in field order, one JSON document."""
    with db.session() as session:
        ids = list(session.scalars(select(SnapshotRow.id).where(SnapshotRow.job_id == job_id)))
        for sid in ids:
            content = session.get(SnapshotPackRow, sid)
            assert content is not None and content.version == 2
            head, tail = unpack(content.content)
            old: dict[str, dict[str, list[list[object]]]] = {}
            for attribute, groups in head.items():
                names = (*PACK_HEAD[attribute], *pack_tail(attribute))
                order = [names.index(n) for n in rowmap.BY_ATTRIBUTE[attribute].field_names]
                for group, columns in groups.items():
                    rows = list(zip(*columns, *tail.get(attribute, {}).get(group, []), strict=True))
                    old.setdefault(attribute, {})[group] = [[row[i] for i in order] for row in rows]
            content.version, content.content = 1, zlib.compress(json.dumps(old).encode())


def test_packs_hold_the_builders_fields_in_the_order_its_columns_take_them() -> None:
    assert PACK_HEAD == FIELDS
    assert all(set(PACK_HEAD[a]) | set(pack_tail(a)) == set(rowmap.BY_ATTRIBUTE[a].field_names) for a in PACK_HEAD)


def test_a_packed_view_hands_the_builder_columns_equal_to_its_records(db: Database) -> None:
    _inventory(db, *NAMES)
    old = _run(db, {n: factories.result(n, route_count=30) for n in NAMES}, 0)
    newer = factories.result("sw1", ["core9"], route_count=12)
    newer.records.mac_table = []  # the MAC command failed: sw1's MACs stay those of the older snapshot
    newer.outputs = [*newer.outputs, CommandOutput("show mac address-table", DataType.MAC, "junk", 0.01,
                                                   ErrorKind.PARSE_ERROR, "no template row matched")]
    _run(db, {"sw1": newer}, 10)
    with db.session(readonly=True) as session:
        views = [TopologyRepo(session).current_input(), TopologyRepo(session).job_input(old)]
    for view in views:
        for state in view.devices:
            assert state.columns is not None
            given, made = DeviceColumns.of_columns(state.columns), DeviceColumns.of(state.records)  # from the packs
            assert [_plain(getattr(given, a)) for a in FIELDS] == [_plain(getattr(made, a)) for a in FIELDS]
            assert any(getattr(given, a)[0] for a in FIELDS)  # not all empty
    sw1 = _by_name(views[0])["sw1"]
    assert sw1.records.mac_table == factories.result("sw1").records.mac_table  # from the older snapshot
    assert [n.remote_name for n in sw1.records.neighbors] == ["core9"]


def test_a_version_1_pack_is_still_read_and_builds_the_same_topology(db: Database) -> None:
    _inventory(db, *NAMES)
    job = _run(db, {n: factories.result(n, [m for m in NAMES if m != n], route_count=30) for n in NAMES}, 0)
    with db.session(readonly=True) as session:
        new = [TopologyRepo(session).current_input(), TopologyRepo(session).job_input(job)]
    _as_version_1(db, job)
    with db.session(readonly=True) as session:
        old = [TopologyRepo(session).current_input(), TopologyRepo(session).job_input(job)]
    assert old == new
    assert all(state.columns is None for view in old for state in view.devices)  # records read at once
    assert [build(to_input(view)) for view in old] == [build(to_input(view)) for view in new]
    assert build(to_input(new[0])).links  # the three switches hear each other
    _without_packs(db, job)
    with db.session(readonly=True) as session:
        rows = TopologyRepo(session).current_input()
    assert rows == new[0] and build(to_input(rows)) == build(to_input(new[0]))


def test_records_of_a_packed_view_are_plain_records_when_read(db: Database) -> None:
    _inventory(db, "sw1")
    result = factories.result("sw1")
    _run(db, {"sw1": result}, 0)
    with db.session(readonly=True) as session:
        sw1 = _by_name(TopologyRepo(session).current_input())["sw1"]
    assert _sorted(sw1.records) == _sorted(result.records)  # routes come by data type
    plain = DeviceRecords(sw1.records.facts, *(list(getattr(sw1.records, f.name)) for f in fields(DeviceRecords)[1:]))
    assert sw1.records == plain and plain == sw1.records and sw1.records.as_dict() == plain.as_dict()
    changed = replace(sw1.records, arp=[])
    assert changed != sw1.records and sw1.records != changed
    assert changed.interfaces == result.records.interfaces and changed.arp == []


def test_the_view_reads_facts_with_their_members(db: Database) -> None:
    _inventory(db, "sw1", "sw2")
    one, two = factories.result("sw1"), factories.result("sw2")
    assert one.records.facts is not None
    one.records.facts = replace(one.records.facts, members=("fpc0", "fpc1"))
    _run(db, {"sw1": one, "sw2": two}, 0)
    with db.session(readonly=True) as session:
        states = _by_name(TopologyRepo(session).current_input())
    assert states["sw1"].records.facts == one.records.facts and states["sw2"].records.facts == two.records.facts
    first, second = states["sw1"].records.facts, states["sw2"].records.facts
    assert first is not None and first.members == ("fpc0", "fpc1") and second is not None and second.members == ()
