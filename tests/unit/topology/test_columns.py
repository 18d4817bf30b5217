"""The builder reads columns: handed over as the store packs them (JSON lists), or taken from records."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DeviceRecords,
    Interface,
    MacEntry,
    NextHop,
    OspfNeighbor,
    Route,
)
from netatlas.topology.build import build
from netatlas.topology.columns import DeviceColumns
from netatlas.topology.l2 import Ports
from netatlas.topology.model import DeviceInput, TopologyInput
from netatlas.topology.paths import Tracer
from tests.unit.topology.test_build import HOST, JUNOS, cdp, dev, lldp, up


def _as_packed(device: DeviceInput) -> DeviceInput:
    """``device`` with its columns as the store hands them over: JSON lists where records hold tuples."""
    made = DeviceColumns.of(device.records)
    tables = {f.name: json.loads(json.dumps(list(getattr(made, f.name)))) for f in fields(made)}
    return replace(device, columns=DeviceColumns.of_columns(tables))


def _network() -> tuple[DeviceInput, ...]:
    """A campus pair over a port-channel with a host, a routed /31 with OSPF, BGP and a static route."""
    dist = dev("dist1", interfaces=[Interface("GigabitEthernet1/0/1", True, True, channel="Port-channel1"),
                                    up("Port-channel1"), up("Vlan10", "10.1.0.1/24"),
                                    up("GigabitEthernet0/1", "10.0.0.0/31"), up("Loopback0", "10.255.0.1/32")],
               neighbors=[cdp("GigabitEthernet1/0/1", "sw1", "Gi1/0/24"), lldp("Gi0/1", "r2", "ge-0/0/1.0")],
               mac_table=[MacEntry(HOST, 10, "Po1")], arp=[ArpEntry("10.1.0.20", HOST, "Vlan10")],
               routes=[Route("default", "10.0.0.0/31", "connected", (NextHop("", "Gi0/1"),)),
                       Route("default", "10.9.0.0/16", "static", (NextHop("10.0.0.1", "Gi0/1"),))],
               bgp_sessions=[BgpSession("10.255.0.2", 65000, "Established")])
    sw1 = dev("sw1", interfaces=[up("GigabitEthernet1/0/24"), up("GigabitEthernet1/0/5")],
              neighbors=[cdp("GigabitEthernet1/0/24", "dist1", "Gi1/0/1"), cdp("Gi1/0/1", "phone9", "Port 1")],
              mac_table=[MacEntry(HOST, 10, "GigabitEthernet1/0/5"), MacEntry(HOST, 10, "Gi1/0/24")])
    r2 = dev("r2", JUNOS, interfaces=[up("ge-0/0/1.0", "10.0.0.1/31"), up("lo0.0", "10.255.0.2/32")],
             neighbors=[lldp("ge-0/0/1", "dist1", "Gi0/1")],
             ospf_neighbors=[OspfNeighbor("10.255.0.1", "10.0.0.0", "ge-0/0/1.0")],
             bgp_sessions=[BgpSession("10.255.0.1", 65000, "Established")])
    return dist, sw1, r2


def test_columns_as_the_store_packs_them_build_the_topology_the_records_build() -> None:
    devices = _network()
    from_records = build(TopologyInput(devices))
    from_columns = build(TopologyInput(tuple(_as_packed(d) for d in devices)))
    assert from_columns == from_records
    assert {x.layer for x in from_records.links} == {"l2", "l3"} and from_records.endpoints
    assert len(from_records.links) == 5  # 3 cables (one to a phone), the /31 (ospf, static) and iBGP loopbacks


def test_given_columns_are_what_the_builder_reads() -> None:
    dist, sw1, r2 = _network()
    hollow = replace(_as_packed(sw1), records=DeviceRecords())  # the columns alone hold sw1's tables
    assert build(TopologyInput((dist, hollow, r2))) == build(TopologyInput((dist, sw1, r2)))
    assert build(TopologyInput((dist, replace(sw1, records=DeviceRecords()), r2))).endpoints == []


def test_one_ports_memo_serves_two_builds() -> None:
    devices = _network()
    names = Ports()
    first = build(TopologyInput(devices), names)
    assert names.of("cisco_ios")["Gi1/0/24"] == "GigabitEthernet1/0/24"
    assert build(TopologyInput(devices), names) == first == build(TopologyInput(devices))


def test_a_path_is_traced_over_packed_columns() -> None:
    devices = tuple(_as_packed(d) for d in _network())
    inp = TopologyInput(devices)
    result = Tracer(inp, build(inp)).trace("10.1.0.1", "10.0.0.1")
    assert result.complete
