"""A diff's second build reuses what the first derived from unchanged devices: it equals a full build.

The store hands both runs of a diff the same columns object for a device packed identically in
both; ``Ports`` (``memo.Derived``) keeps what the first build derived from it. Each case below
changes a few devices (new columns objects), keeps the others' columns objects, and checks the
second build against a build from nothing, and the diff against the diff of two full builds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields, replace

import pytest

from netatlas.domain.records import ArpEntry, DeviceRecords, Interface, MacEntry
from netatlas.topology.build import build
from netatlas.topology.columns import DeviceColumns
from netatlas.topology.diff import diff
from netatlas.topology.l2 import Ports
from netatlas.topology.model import DeviceInput, TopologyInput
from tests.unit.topology.test_build import HOST, cdp, dev, lldp, up
from tests.unit.topology.test_columns import _network

OTHER = "00:50:56:00:00:02"


def packed(device: DeviceInput) -> DeviceInput:
    """``device`` with its own columns object, as the store hands a view's device over."""
    made = DeviceColumns.of(device.records)
    tables = {f.name: json.loads(json.dumps(list(getattr(made, f.name)))) for f in fields(made)}
    return replace(device, columns=DeviceColumns.of_columns(tables))


def changed(device: DeviceInput, **records: object) -> DeviceInput:
    """``device`` with some tables replaced: a pack with other content, so other columns."""
    old = device.records
    made = DeviceRecords(**{f.name: getattr(old, f.name) for f in fields(DeviceRecords)} | records)
    return packed(replace(device, records=made))


def old_run() -> tuple[DeviceInput, ...]:
    dist, sw1, r2 = _network()
    sw1 = replace(sw1, records=replace(sw1.records, interfaces=[*sw1.records.interfaces, up("GigabitEthernet1/0/6")],
                                       arp=[ArpEntry("10.1.0.30", OTHER, "Vlan10")],
                                       mac_table=[*sw1.records.mac_table, MacEntry(OTHER, 10, "Gi1/0/6")]))
    dist = replace(dist, records=replace(dist.records, arp=[*dist.records.arp, ArpEntry("10.1.0.9", OTHER, "Vlan10")]))
    return tuple(packed(d) for d in (dist, sw1, r2))


def _moved_endpoint(run: list[DeviceInput]) -> None:
    sw1 = run[1]
    run[1] = changed(sw1, mac_table=[MacEntry(HOST, 10, "GigabitEthernet1/0/6"), MacEntry(HOST, 10, "Gi1/0/24"),
                                     MacEntry(OTHER, 10, "Gi1/0/5")])


def _removed_link(run: list[DeviceInput]) -> None:
    dist, _, r2 = run
    run[0] = changed(dist, neighbors=[n for n in dist.records.neighbors if n.protocol != "lldp"])
    run[2] = changed(r2, neighbors=[])


def _new_device(run: list[DeviceInput]) -> None:
    run.append(packed(dev("sw2", interfaces=[up("GigabitEthernet1/0/1"), up("GigabitEthernet1/0/2")],
                          neighbors=[cdp("Gi1/0/1", "sw1", "Gi1/0/6")],
                          mac_table=[MacEntry(OTHER, 10, "Gi1/0/2")])))


def _changed_identity(run: list[DeviceInput]) -> None:
    run[1] = replace(run[1], identity="access-1")  # the same columns object, another stored identity
    run[2] = replace(run[2], mgmt_ip="10.0.0.1")  # managed over its /31 now: that address is not placed


def _one_sided_to_two_sided(run: list[DeviceInput]) -> None:
    sw1 = run[1]
    run[1] = changed(sw1, neighbors=[*sw1.records.neighbors, lldp("Gi1/0/6", "r2", "ge-0/0/2")])
    r2 = run[2]
    run[2] = changed(r2, interfaces=[*r2.records.interfaces, up("ge-0/0/2")],
                     neighbors=[*r2.records.neighbors, lldp("ge-0/0/2", "sw1", "Gi1/0/6")])


def _readdressed_host(run: list[DeviceInput]) -> None:
    run[0] = changed(run[0], arp=[ArpEntry("10.1.0.20", HOST, "Vlan10"), ArpEntry("10.1.0.2", OTHER, "Vlan10")])


def _interface_down(run: list[DeviceInput]) -> None:
    r2 = run[2]
    run[2] = changed(r2, interfaces=[Interface("ge-0/0/1.0", True, False, ipv4=("10.0.0.1/31",)),
                                     *r2.records.interfaces[1:]])


CASES: dict[str, Callable[[list[DeviceInput]], None]] = {
    "moved endpoint": _moved_endpoint, "removed link": _removed_link, "new device": _new_device,
    "changed identity and address": _changed_identity, "one-sided to two-sided": _one_sided_to_two_sided,
    "readdressed host": _readdressed_host, "interface down": _interface_down,
}


@pytest.mark.parametrize("case", CASES)
def test_the_second_build_of_a_diff_equals_a_full_build(case: str) -> None:
    old = old_run()
    new = list(old)  # unchanged devices keep their columns objects, as the store hands them over
    CASES[case](new)
    names = Ports()
    before = build(TopologyInput(old, label="1"), names)
    after = build(TopologyInput(tuple(new), label="2"), names)
    full = build(TopologyInput(tuple(new), label="2"), Ports())
    assert after == full
    assert diff(before, after) == diff(build(TopologyInput(old, label="1")), full)
    assert not diff(before, after).empty  # every case changes something the diff shows


def test_an_unchanged_device_is_derived_once_for_both_builds() -> None:
    old = old_run()
    new = list(old)
    _moved_endpoint(new)
    names = Ports()
    build(TopologyInput(old), names)
    seen = {key[:2] for key in names._derived}
    build(TopologyInput(tuple(new)), names)
    added = {key[:2] for key in names._derived} - seen
    assert {ident for _, ident in added} == {id(new[1].columns)}  # only the changed switch worked out again


def test_the_lowest_address_of_a_host_is_kept_whichever_device_reports_it_first() -> None:
    topology = build(TopologyInput(old_run()))
    by_mac = {e.mac: e for e in topology.endpoints}
    assert by_mac[OTHER].ip == "10.1.0.9"  # dist1 says .9, sw1 says .30: the lowest wins
    assert by_mac[HOST].ip == "10.1.0.20"
