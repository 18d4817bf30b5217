"""The builder on hand-made records: identities, cables, adjacencies, endpoints, overrides."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    DeviceRecords,
    Interface,
    MacEntry,
    Neighbor,
    NextHop,
    OspfNeighbor,
    Route,
)
from netatlas.topology.build import build
from netatlas.topology.model import (
    L2,
    L3,
    DeviceInput,
    End,
    Link,
    LinkState,
    NodeKind,
    Override,
    OverrideAction,
    ProblemKind,
    Topology,
    TopologyInput,
)

IOS, NXOS, EOS, JUNOS = "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos"


def dev(name: str, platform: str = IOS, mgmt: str = "", **records: Any) -> DeviceInput:
    number = sum(map(ord, name)) % 250
    return DeviceInput(name, platform, mgmt or f"192.0.2.{number}", DeviceRecords(**records),
                       site="hq", role="access", identity=name)


def up(name: str, *ipv4: str, **more: Any) -> Interface:
    return Interface(name, True, True, ipv4=ipv4, **more)


def cdp(local: str, name: str, remote: str, mgmt: str = "", protocol: str = "cdp", **more: str) -> Neighbor:
    return Neighbor(protocol, local, name, remote, mgmt_ip=mgmt, **more)


def lldp(local: str, name: str, remote: str, mgmt: str = "", **more: str) -> Neighbor:
    return cdp(local, name, remote, mgmt, "lldp", **more)


def topo(*devices: DeviceInput, overrides: tuple[Override, ...] = ()) -> Topology:
    return build(TopologyInput(devices, overrides))


def l2(t: Topology) -> set[tuple[End, End, tuple[str, ...]]]:
    return {(x.a, x.b, x.protocols) for x in t.links_of(L2)}


def l3(t: Topology) -> set[tuple[End, End, tuple[str, ...], str]]:
    return {(x.a, x.b, x.protocols, x.vrf) for x in t.links_of(L3)}


def kinds(t: Topology) -> list[ProblemKind]:
    return sorted(p.kind for p in t.problems)


# ---- identities ---------------------------------------------------------------------------------

def test_sw1_never_matches_sw10_and_an_unknown_name_is_an_unmanaged_node() -> None:
    t = topo(dev("sw10", neighbors=[cdp("GigabitEthernet1/0/1", "sw1x", "Gi0/1"),
                                    cdp("GigabitEthernet1/0/2", "sw", "Gi0/2")]),
             dev("sw1"))
    assert {x.a.node for x in t.links} | {x.b.node for x in t.links} == {"sw10", "sw1x", "sw"}
    assert t.nodes["sw1x"].kind is NodeKind.UNMANAGED and t.nodes["sw"].kind is NodeKind.UNMANAGED
    assert not any("sw1" in (x.a.node, x.b.node) for x in t.links)


def test_the_stored_identity_key_matches_when_the_inventory_name_differs() -> None:
    core = replace(dev("core-a"), identity="n9k-core-a")
    t = topo(core, dev("sw1", neighbors=[cdp("GigabitEthernet1/0/1", "n9k-core-a", "Eth1/1")]))
    assert l2(t) == {(End("core-a", "Ethernet1/1"), End("sw1", "GigabitEthernet1/0/1"), ("cdp",))}


def test_management_address_then_interface_address_when_the_name_is_unknown() -> None:
    core = dev("core1", NXOS, "10.9.9.1", interfaces=[up("loopback0", "10.0.0.1/32")])
    t = topo(core, dev("sw1", neighbors=[lldp("GigabitEthernet1/0/1", "aa:bb:cc:00:00:01", "Eth1/1", "10.9.9.1"),
                                         lldp("GigabitEthernet1/0/2", "weird-name", "Eth1/2", "10.0.0.1")]))
    assert {x.a for x in t.links} == {End("core1", "Ethernet1/1"), End("core1", "Ethernet1/2")}


def test_a_name_two_devices_share_is_reported_not_guessed() -> None:
    one, two = replace(dev("a1"), identity="dup"), replace(dev("a2"), identity="dup")
    t = topo(one, two, dev("sw1", neighbors=[cdp("GigabitEthernet1/0/1", "dup", "Gi0/1")]))
    assert t.links == []
    assert kinds(t) == [ProblemKind.AMBIGUOUS_IDENTITY]
    assert set(t.problems[0].nodes) == {"sw1", "a1", "a2"}


def test_a_neighbor_using_a_managed_name_from_an_address_it_does_not_own_is_kept_apart() -> None:
    rtr1 = dev("rtr1", mgmt="10.1.1.1", interfaces=[up("GigabitEthernet0/0", "10.1.1.1/24")])
    t = topo(rtr1, dev("sw1", neighbors=[cdp("GigabitEthernet1/0/13", "rtr1", "Gi1/0/1", "10.66.6.6")]))
    assert [x.a.node for x in t.links] == ["rtr1@10.66.6.6"]
    assert t.nodes["rtr1@10.66.6.6"].kind is NodeKind.UNMANAGED
    assert kinds(t) == [ProblemKind.IMPERSONATION]


# ---- L2 -----------------------------------------------------------------------------------------

def test_both_ends_and_both_protocols_merge_into_one_cable_with_canonical_names() -> None:
    t = topo(dev("sw1", neighbors=[cdp("GigabitEthernet1/0/1", "leaf1", "Eth1/1"),
                                   lldp("GigabitEthernet1/0/1", "leaf1", "Ethernet1/1")]),
             dev("leaf1", NXOS, neighbors=[lldp("Ethernet1/1", "sw1", "Gi1/0/1")]))
    (link,) = t.links
    assert (link.a, link.b, link.protocols) == (End("leaf1", "Ethernet1/1"), End("sw1", "GigabitEthernet1/0/1"),
                                               ("cdp", "lldp"))
    assert link.state is LinkState.REPORTED and link.reported_by == ("leaf1", "sw1")


def test_parallel_cables_stay_distinct_and_port_channel_members_are_grouped() -> None:
    members = [Interface("Ethernet1/1", True, True, channel="port-channel10"),
               Interface("Ethernet1/2", True, True, channel="port-channel10")]
    t = topo(dev("core1", NXOS, interfaces=members, neighbors=[cdp("Ethernet1/1", "dist1", "Gi1/0/1"),
                                                               cdp("Ethernet1/2", "dist1", "Gi1/0/2")]),
             dev("dist1", neighbors=[cdp("GigabitEthernet1/0/1", "core1", "Eth1/1"),
                                     cdp("GigabitEthernet1/0/2", "core1", "Eth1/2")]))
    assert len(t.links) == 2
    assert {x.channel_a for x in t.links} == {"port-channel10"} and {x.channel_b for x in t.links} == {""}


def test_a_cable_one_end_reports_is_kept_and_marked_one_sided() -> None:
    t = topo(dev("sw1", neighbors=[cdp("GigabitEthernet1/0/1", "sw2", "Gi1/0/24")]), dev("sw2"))
    (link,) = t.links
    assert link.state is LinkState.ONE_SIDED and link.reported_by == ("sw1",)


def test_an_unmanaged_neighbor_is_not_one_sided_and_gets_a_role_from_its_capabilities() -> None:
    phone = cdp("GigabitEthernet1/0/3", "sep001e7a000001", "Port 1", "10.16.0.10",
                remote_platform="Cisco IP Phone 8865", capabilities="Host Phone")
    t = topo(dev("sw1", neighbors=[phone]))
    (link,) = t.links
    assert link.state is LinkState.REPORTED and link.b == End("sw1", "GigabitEthernet1/0/3")
    node = t.nodes["sep001e7a000001"]
    assert (node.kind, node.role, node.platform, node.mgmt_ip, node.site) == (
        NodeKind.UNMANAGED, "phone", "Cisco IP Phone 8865", "10.16.0.10", "hq")


def test_two_sides_that_disagree_are_a_conflict_not_a_link() -> None:
    """A says B:Gi1, B says A:Gi2 on its Gi1."""
    t = topo(dev("a", neighbors=[cdp("GigabitEthernet0/1", "b", "Gi1")]),
             dev("b", neighbors=[cdp("GigabitEthernet1", "a", "Gi2")]))
    assert t.links == []
    assert kinds(t) == [ProblemKind.CONFLICT]
    assert set(t.problems[0].ends) == {End("a", "GigabitEthernet0/1"), End("b", "GigabitEthernet1"),
                                       End("a", "GigabitEthernet2")}


def test_an_lldp_port_id_the_far_device_does_not_have_joins_the_real_port() -> None:
    far = dev("sw2", interfaces=[up("GigabitEthernet1/0/24")],
              neighbors=[cdp("GigabitEthernet1/0/24", "sw1", "Gi1/0/1")])
    t = topo(dev("sw1", neighbors=[cdp("GigabitEthernet1/0/1", "sw2", "Gi1/0/24"),
                                   lldp("GigabitEthernet1/0/1", "sw2", "uplink to sw1")]), far)
    (link,) = t.links
    assert link.protocols == ("cdp", "lldp") and link.state is LinkState.REPORTED


# ---- L3 -----------------------------------------------------------------------------------------

def _pair(vrf_b: str = "", **b_records: Any) -> tuple[DeviceInput, DeviceInput]:
    a = dev("r1", interfaces=[up("GigabitEthernet0/1", "10.0.0.0/31"), up("Loopback0", "10.255.0.1/32"),
                              up("GigabitEthernet0/0", "192.0.2.101/24")], mgmt="192.0.2.101")
    b = dev("r2", JUNOS, interfaces=[up("ge-0/0/1", "10.0.0.1/31", vrf=vrf_b), up("lo0", "10.255.0.2/32"),
                                     up("fxp0", "192.0.2.102/24")], **b_records)
    return a, b


def test_a_shared_subnet_is_an_adjacency_and_management_never_is() -> None:
    t = topo(*_pair())
    assert l3(t) == {(End("r1", "GigabitEthernet0/1"), End("r2", "ge-0/0/1"), ("subnet",), "default")}


def test_ospf_bgp_and_static_over_a_subnet_from_either_end() -> None:
    a, b = _pair(ospf_neighbors=[OspfNeighbor("10.255.0.1", "10.0.0.0", "ge-0/0/1.0")],
                 bgp_sessions=[BgpSession("10.0.0.0", 65001, "Established")])
    a = replace(a, records=replace(a.records, routes=[Route("default", "10.9.0.0/16", "static",
                                                            (NextHop("10.0.0.1"),))]))
    (link,) = topo(a, b).links_of(L3)
    assert link.protocols == ("bgp", "ospf", "static")
    assert link.detail["static"] == ["10.9.0.0/16"] and link.detail["bgp"]["r2"]["remote_as"] == 65001


def test_an_interface_that_is_down_is_no_adjacency() -> None:
    a, b = _pair()
    down = [replace(i, oper_up=False) if i.name == "ge-0/0/1" else i for i in b.records.interfaces]
    assert l3(topo(a, replace(b, records=replace(b.records, interfaces=down)))) == set()


def test_the_same_subnet_in_another_vrf_never_joins_devices() -> None:
    a, b = _pair(vrf_b="BLUE")
    assert l3(topo(a, b)) == set()


def test_the_vrf_comes_from_the_connected_route_when_the_interface_does_not_say() -> None:
    a, b = _pair(routes=[Route("BLUE", "10.0.0.0/31", "connected", (NextHop("", "ge-0/0/1.0"),))])
    assert l3(topo(a, b)) == set()
    c = dev("r3", interfaces=[up("GigabitEthernet0/2", "10.0.0.0/31")],
            routes=[Route("BLUE", "10.0.0.0/31", "connected", (NextHop("", "Gi0/2"),))])
    assert l3(topo(a, b, c)) == {(End("r2", "ge-0/0/1"), End("r3", "GigabitEthernet0/2"), ("subnet",), "BLUE")}


def test_ibgp_between_loopbacks_is_one_adjacency_between_them() -> None:
    a, b = _pair(bgp_sessions=[BgpSession("10.255.0.1", 65000, "Established")])
    a = replace(a, records=replace(a.records, bgp_sessions=[BgpSession("10.255.0.2", 65000, "Established")]))
    assert (End("r1", "Loopback0"), End("r2", "lo0"), ("bgp",), "default") in l3(topo(a, b))


def test_one_address_on_two_devices_in_a_vrf_is_reported() -> None:
    a = dev("r1", interfaces=[up("GigabitEthernet0/1", "10.0.0.1/24")])
    b = dev("r2", interfaces=[up("GigabitEthernet0/1", "10.0.0.1/24")])
    assert ProblemKind.DUPLICATE_ADDRESS in kinds(topo(a, b))


# ---- endpoints ----------------------------------------------------------------------------------

HOST = "00:50:56:00:00:01"


def _campus(**access: Any) -> tuple[DeviceInput, DeviceInput]:
    dist = dev("dist1", neighbors=[cdp("GigabitEthernet1/0/1", "sw1", "Gi1/0/24")],
               mac_table=[MacEntry(HOST, 10, "GigabitEthernet1/0/1")],
               arp=[ArpEntry("10.1.0.20", HOST, "Vlan10")])
    sw1 = dev("sw1", neighbors=[cdp("GigabitEthernet1/0/24", "dist1", "Gi1/0/1")],
              mac_table=[MacEntry(HOST, 10, "GigabitEthernet1/0/5"), MacEntry(HOST, 10, "Gi1/0/24")], **access)
    return dist, sw1


def test_a_host_is_at_the_edge_port_not_on_the_uplinks_that_also_learn_it() -> None:
    t = topo(*_campus())
    assert [e.as_dict() for e in t.endpoints] == [
        {"mac": HOST, "ip": "10.1.0.20", "vlan": 10, "node": "sw1", "interface": "GigabitEthernet1/0/5"}]


def test_a_port_channel_whose_members_face_a_device_is_an_uplink() -> None:
    dist, sw1 = _campus()
    members = [Interface("GigabitEthernet1/0/1", True, True, channel="Port-channel1"), up("Port-channel1")]
    dist = replace(dist, records=replace(dist.records, interfaces=members,
                                         mac_table=[MacEntry(HOST, 10, "Po1")]))
    assert [(e.node, e.interface) for e in topo(dist, sw1).endpoints] == [("sw1", "GigabitEthernet1/0/5")]


def test_a_cable_no_protocol_reports_is_recognised_by_the_hosts_it_carries() -> None:
    """sw2's Gi1/0/24 reaches sw1 over a cable neither end reports: it carries sw1's two hosts."""
    other = "00:50:56:00:00:02"
    sw1 = dev("sw1", mac_table=[MacEntry(HOST, 10, "Gi1/0/5"), MacEntry(other, 10, "Gi1/0/6")])
    sw2 = dev("sw2", mac_table=[MacEntry(HOST, 10, "Gi1/0/24"), MacEntry(other, 10, "Gi1/0/24")])
    assert {(e.mac, e.node, e.interface) for e in topo(sw1, sw2).endpoints} == {
        (HOST, "sw1", "GigabitEthernet1/0/5"), (other, "sw1", "GigabitEthernet1/0/6")}


def test_a_mac_on_two_edge_ports_is_reported_not_placed() -> None:
    sw1 = dev("sw1", mac_table=[MacEntry(HOST, 10, "Gi1/0/5")])
    sw2 = dev("sw2", mac_table=[MacEntry(HOST, 10, "Gi1/0/7")])
    t = topo(sw1, sw2)
    assert t.endpoints == [] and kinds(t) == [ProblemKind.AMBIGUOUS_ENDPOINT]


def test_a_device_mac_is_no_endpoint_and_hosts_behind_an_unseen_switch_are_not_guessed() -> None:
    dist, sw1 = _campus(interfaces=[up("GigabitEthernet1/0/24", mac="00:aa:00:00:00:01"), up("GigabitEthernet1/0/5")])
    dist = replace(dist, records=replace(dist.records, mac_table=[
        *dist.records.mac_table, MacEntry("00:aa:00:00:00:01", 10, "Gi1/0/1")]))
    assert {e.mac for e in topo(dist, sw1).endpoints} == {HOST}
    failed = replace(sw1, records=DeviceRecords(), collected=False, error_kind="auth_failed")
    # dist2 reaches sw1 over a cable no protocol reports: its port only looks like the host's edge
    dist2 = dev("dist2", mac_table=[MacEntry(HOST, 10, "Gi1/0/9")])
    t = topo(dist, failed, dist2)
    assert t.endpoints == [], "the host is also learned towards sw1, whose table is unknown"
    assert kinds(t) == [ProblemKind.AMBIGUOUS_ENDPOINT] and "sw1" in t.problems[0].message
    assert t.nodes["sw1"].status == "failed"


def test_a_switch_with_a_port_towards_an_unseen_switch_still_places_its_own_hosts() -> None:
    """dist1's Gi1/0/1 faces sw1, not collected: HOST (learned there) is not placed; a host on
    dist1's own edge port is, with its VLAN and its ARP address; dist1's uplink MACs tell nothing."""
    dist, sw1 = _campus()
    own = "00:50:56:00:00:09"
    dist = replace(dist, records=replace(dist.records, mac_table=[
        *dist.records.mac_table, MacEntry(own, 20, "Gi1/0/7")], arp=[
        *dist.records.arp, ArpEntry("10.2.0.9", own, "Vlan20")]))
    failed = replace(sw1, records=DeviceRecords(), collected=False, error_kind="timeout")
    t = topo(dist, failed)
    assert [e.as_dict() for e in t.endpoints] == [
        {"mac": own, "ip": "10.2.0.9", "vlan": 20, "node": "dist1", "interface": "GigabitEthernet1/0/7"}]
    assert kinds(t) == []


# ---- overrides ----------------------------------------------------------------------------------

def test_overrides_ignore_confirm_and_add() -> None:
    a, b = End("sw1", "GigabitEthernet1/0/1"), End("sw2", "GigabitEthernet1/0/24")
    seen = dev("sw1", neighbors=[cdp(a.interface, "sw2", "Gi1/0/24")])
    ignored = topo(seen, dev("sw2"), overrides=(Override(1, OverrideAction.IGNORE, b, a),))
    assert ignored.links == []
    confirmed = topo(dev("sw1"), dev("sw2"), overrides=(Override(2, OverrideAction.CONFIRM, a, b),))
    assert [(x.a, x.b, x.state, x.override_id) for x in confirmed.links] == [(a, b, LinkState.CONFIRMED, 2)]
    circuit = End("isp-ce", "port 1")
    added = topo(dev("sw1"), overrides=(Override(3, OverrideAction.ADD, a, circuit, note="MPLS circuit 42"),))
    (link,) = added.links
    assert link == Link(circuit, a, L2, ("manual",), state=LinkState.ADDED, detail={"note": "MPLS circuit 42"},
                        override_id=3)
    assert added.nodes["isp-ce"].kind is NodeKind.UNMANAGED
