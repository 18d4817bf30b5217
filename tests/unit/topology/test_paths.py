"""Hop-by-hop L3 paths over hand-built inputs: straight paths, ECMP, loops, missing routes and devices,
VRFs reusing addresses, recursive BGP next hops, port-channels, first-hop choice, bad arguments, and a
10,000-device network."""

from __future__ import annotations

import ipaddress
import json

import pytest

from netatlas.domain.records import ArpEntry, DeviceRecords, Interface, MacEntry, NextHop, Route
from netatlas.topology.model import L2, DeviceInput, End, Endpoint, Link, Topology, TopologyInput
from netatlas.topology.paths import Hop, PathResult, Stop, Tracer, trace


def iface(name: str, *addresses: str, vrf: str = "", channel: str = "", up: bool = True) -> Interface:
    return Interface(name, True, up, ipv4=addresses, vrf=vrf, channel=channel)


def attached(interface: Interface, vrf: str) -> list[Route]:
    """The connected and local routes an interface's addresses put in ``vrf``."""
    routes = []
    for text in interface.ipv4:
        address = ipaddress.ip_interface(text)
        routes.append(Route(vrf, str(address.network), "connected", (NextHop("", interface.name),), 0))
        routes.append(Route(vrf, f"{address.ip}/32", "local", (NextHop("", interface.name),), 0))
    return routes


def via(prefix: str, protocol: str, *hops: tuple[str, str], vrf: str = "default", distance: int | None = None,
        route_type: str = "") -> Route:
    return Route(vrf, prefix, protocol, tuple(NextHop(a, i) for a, i in hops), distance, route_type=route_type)


def router(name: str, *interfaces: Interface, routes: tuple[Route, ...] = (), arp: tuple[ArpEntry, ...] = (),
           vrf_by_route: dict[str, str] | None = None, collected: bool = True, mgmt_ip: str = "") -> DeviceInput:
    """A device with its interfaces' attached routes (in the interface's VRF, or ``vrf_by_route``'s)."""
    table = [route for one in interfaces
             for route in attached(one, (vrf_by_route or {}).get(one.name, one.vrf or "default"))]
    records = DeviceRecords(interfaces=list(interfaces), routes=[*table, *routes], arp=list(arp))
    return DeviceInput(name, "cisco_ios", mgmt_ip, records, collected=collected)


def cable(a: str, a_if: str, b: str, b_if: str, channel_a: str = "", channel_b: str = "") -> Link:
    (one, ca), (two, cb) = sorted([(End(a, a_if), channel_a), (End(b, b_if), channel_b)])
    return Link(one, two, L2, ("lldp",), channel_a=ca, channel_b=cb)


def topo(*links: Link, endpoints: tuple[Endpoint, ...] = ()) -> Topology:
    return Topology({}, list(links), list(endpoints))


def net(*devices: DeviceInput) -> TopologyInput:
    return TopologyInput(tuple(devices))


def path_of(result: PathResult, leaf: Hop) -> list[str]:
    return [hop.device for hop in result.branch(leaf)]


def only_leaf(result: PathResult) -> Hop:
    (leaf,) = result.leaves
    return leaf


# A straight line: host LAN 10.1.0.0/24 on r1, r1 -- r2 -- r3, destination LAN 10.3.0.0/24 on r3.
R1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"),
            routes=(via("10.3.0.0/24", "ospf", ("10.0.12.2", "Gi0/1")), via("0.0.0.0/0", "static", ("10.0.12.2", ""))))
R2 = router("r2", iface("Gi0/0", "10.0.12.2/30"), iface("Gi0/1", "10.0.23.1/30"),
            routes=(via("10.3.0.0/24", "ospf", ("10.0.23.2", "Gi0/1")),
                    via("10.3.0.0/16", "static", ("10.0.99.9", "Gi0/9")),
                    via("10.1.0.0/24", "ospf", ("10.0.12.1", "Gi0/0"))))
R3 = router("r3", iface("Gi0/0", "10.0.23.2/30"), iface("Gi0/1", "10.3.0.1/24"),
            routes=(via("10.1.0.0/24", "ospf", ("10.0.23.1", "Gi0/0")),),
            arp=(ArpEntry("10.3.0.50", "aa:bb:cc:00:00:50", "Gi0/1"),))
LINE = topo(cable("r1", "Gi0/1", "r2", "Gi0/0"), cable("r2", "Gi0/1", "r3", "Gi0/0"),
            cable("r3", "Gi0/1", "sw3", "Gi1/0/1"),
            endpoints=(Endpoint("aa:bb:cc:00:00:50", "10.3.0.50", 30, "sw3", "Gi1/0/5"),))


def test_straight_three_router_path() -> None:
    result = trace(net(R1, R2, R3), LINE, "10.1.0.10", "10.3.0.50")

    assert result.complete
    hops = result.hops
    assert [hop.device for hop in hops] == ["r1", "r2", "r3"]
    assert [hop.ingress for hop in hops] == ["Gi0/0", "Gi0/0", "Gi0/0"]  # r1: the gateway of the host's subnet
    assert [hop.egress for hop in hops] == ["Gi0/1", "Gi0/1", "Gi0/1"]
    assert [hop.next_hop for hop in hops] == ["10.0.12.2", "10.0.23.2", ""]
    # Longest prefix wins over the default (r1) and over a covering /16 static (r2).
    assert [(hop.prefix, hop.protocol) for hop in hops] == [("10.3.0.0/24", "ospf"), ("10.3.0.0/24", "ospf"),
                                                            ("10.3.0.0/24", "connected")]
    assert hops[0].links == (cable("r1", "Gi0/1", "r2", "Gi0/0"),)
    assert hops[1].links == (cable("r2", "Gi0/1", "r3", "Gi0/0"),)
    assert [hop.parent for hop in hops] == [None, 1, 2]
    leaf = only_leaf(result)
    assert leaf is hops[2]
    assert leaf.stop is Stop.DELIVERED
    assert leaf.mac == "aa:bb:cc:00:00:50"
    assert leaf.access == End("sw3", "Gi1/0/5")
    assert "aa:bb:cc:00:00:50 at sw3 Gi1/0/5" in leaf.message
    assert "10.1.0.0/24" in hops[0].note  # why r1 is the first hop
    assert [hop.stop for hop in hops[:2]] == [None, None]


def test_path_as_dict_and_lines() -> None:
    result = trace(net(R1, R2, R3), LINE, "10.1.0.10", "10.3.0.50")
    document = json.loads(json.dumps(result.as_dict()))

    assert document["source"] == "10.1.0.10"
    assert document["destination"] == "10.3.0.50"
    assert document["vrf"] == "default"
    assert document["complete"] is True
    assert [hop["device"] for hop in document["hops"]] == ["r1", "r2", "r3"]
    assert document["hops"][0]["links"][0]["a"] == {"node": "r1", "interface": "Gi0/1"}
    assert document["hops"][2]["stop"] == "delivered"
    assert document["hops"][2]["access"] == {"node": "sw3", "interface": "Gi1/0/5"}
    assert document["branches"] == [{"id": 1, "stop": "delivered", "message": result.hops[2].message,
                                     "hops": [1, 2, 3]}]
    lines = result.lines()
    assert lines[0] == "10.1.0.10 -> 10.3.0.50 in VRF default: complete, 1 of 1 branch delivered"
    hop_rows = [line for line in lines[1:] if "note:" not in line]
    assert [row.split("]")[0].strip() for row in hop_rows] == ["[1", "[2", "[3"]
    assert hop_rows[1].startswith("  [2] r2 in Gi0/0 | 10.3.0.0/24 ospf | -> 10.0.23.2 out Gi0/1")
    assert "branch 1 delivered" in hop_rows[2]


def test_source_owned_by_a_device_starts_there_without_ingress() -> None:
    result = trace(net(R1, R2, R3), LINE, "10.0.12.1", "10.3.0.1")

    assert [hop.device for hop in result.hops] == ["r1", "r2", "r3"]
    assert result.hops[0].ingress == ""
    assert result.hops[-1].message == "r3 owns 10.3.0.1 on Gi0/1"
    assert result.complete


def test_destination_not_in_arp_is_still_delivered_on_the_connected_subnet() -> None:
    leaf = only_leaf(trace(net(R1, R2, R3), LINE, "10.1.0.10", "10.3.0.77"))

    assert leaf.stop is Stop.DELIVERED
    assert leaf.mac == ""
    assert leaf.access is None
    assert "not in the ARP table" in leaf.message


def test_distance_breaks_a_tie_between_equal_prefixes() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"), iface("Gi0/2", "10.0.13.1/30"),
                routes=(via("10.3.0.0/24", "ospf", ("10.0.13.2", "Gi0/2")),
                        via("10.3.0.0/24", "static", ("10.0.12.2", "Gi0/1"))))
    result = trace(net(r1, R2, R3), LINE, "10.1.0.10", "10.3.0.50")

    assert (result.hops[0].protocol, result.hops[0].next_hop) == ("static", "10.0.12.2")
    assert result.complete


# ECMP: r1 reaches r3 over r2a and r2b.
def ecmp_network() -> tuple[TopologyInput, Topology]:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"), iface("Gi0/2", "10.0.13.1/30"),
                routes=(via("10.3.0.0/24", "ospf", ("10.0.12.2", "Gi0/1"), ("10.0.13.2", "Gi0/2")),))
    r2a = router("r2a", iface("Gi0/0", "10.0.12.2/30"), iface("Gi0/1", "10.0.24.1/30"),
                 routes=(via("10.3.0.0/24", "ospf", ("10.0.24.2", "Gi0/1")),))
    r2b = router("r2b", iface("Gi0/0", "10.0.13.2/30"), iface("Gi0/1", "10.0.34.1/30"),
                 routes=(via("10.3.0.0/24", "ospf", ("10.0.34.2", "Gi0/1")),))
    r3 = router("r3", iface("Gi0/0", "10.0.24.2/30"), iface("Gi0/1", "10.0.34.2/30"), iface("Gi0/2", "10.3.0.1/24"))
    links = topo(cable("r1", "Gi0/1", "r2a", "Gi0/0"), cable("r1", "Gi0/2", "r2b", "Gi0/0"),
                 cable("r2a", "Gi0/1", "r3", "Gi0/0"), cable("r2b", "Gi0/1", "r3", "Gi0/1"))
    return net(r1, r2a, r2b, r3), links


def test_ecmp_branches_rejoin() -> None:
    result = trace(*ecmp_network(), "10.1.0.10", "10.3.0.9")

    assert result.complete
    leaves = result.leaves
    assert [leaf.branch for leaf in leaves] == [1, 2]
    assert [path_of(result, leaf) for leaf in leaves] == [["r1", "r2a", "r3"], ["r1", "r2b", "r3"]]
    assert [leaf.ingress for leaf in leaves] == ["Gi0/0", "Gi0/1"]
    first = [hop for hop in result.hops if hop.device == "r1"]
    assert [(hop.parent, hop.branch, hop.egress, hop.next_hop) for hop in first] == [
        (None, 1, "Gi0/1", "10.0.12.2"), (None, 2, "Gi0/2", "10.0.13.2")]
    assert ["ECMP 1/2" in first[0].note, "ECMP 2/2" in first[1].note] == [True, True]
    assert result.lines()[0].endswith("complete, 2 of 2 branches delivered")


def test_max_branches_bounds_ecmp() -> None:
    result = trace(*ecmp_network(), "10.1.0.10", "10.3.0.9", max_branches=1)

    assert [(leaf.branch, leaf.stop) for leaf in result.leaves] == [(1, Stop.DELIVERED), (2, Stop.MAX_HOPS)]
    assert "more than 1 branches" in result.leaves[1].message
    assert not result.complete


def test_two_statics_pointing_at_each_other_loop() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"),
                routes=(via("10.9.0.0/16", "static", ("10.0.12.2", "")),))
    r2 = router("r2", iface("Gi0/0", "10.0.12.2/30"), routes=(via("10.9.0.0/16", "static", ("10.0.12.1", "")),))
    result = trace(net(r1, r2), topo(cable("r1", "Gi0/1", "r2", "Gi0/0")), "10.1.0.10", "10.9.1.1")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["r1", "r2", "r1"]
    assert leaf.stop is Stop.LOOP
    assert leaf.ingress == "Gi0/1"
    assert "r1 -> r2 -> r1" in leaf.message
    assert [hop.egress for hop in result.hops[:2]] == ["Gi0/1", "Gi0/0"]  # recursive statics resolved on connected
    assert not result.complete


def test_no_route() -> None:
    result = trace(net(R1, R2, R3), LINE, "10.3.0.50", "192.0.2.1")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["r3"]
    assert leaf.stop is Stop.NO_ROUTE
    assert leaf.message == "no route to 192.0.2.1 in VRF default"
    assert not result.complete


def test_max_hops() -> None:
    result = trace(net(R1, R2, R3), LINE, "10.1.0.10", "10.3.0.50", max_hops=2)

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["r1", "r2"]
    assert (leaf.stop, leaf.next_hop) == (Stop.MAX_HOPS, "10.0.23.2")


@pytest.mark.parametrize(
    ("r2", "links"),
    [
        # The failed device has no records at all: the cable leads to it.
        (DeviceInput("r2", "cisco_ios", "192.168.0.2", DeviceRecords(), collected=False, error_kind="auth_failed",
                     error="credentials refused"), (cable("r1", "Gi0/1", "r2", "Gi0/0"),)),
        # Its interfaces are known (an older view) but the view holds no good collection.
        (router("r2", iface("Gi0/0", "10.0.12.2/30"), collected=False), ()),
        # Collected, but without any route data.
        (DeviceInput("r2", "cisco_ios", "", DeviceRecords(interfaces=[iface("Gi0/0", "10.0.12.2/30")])), ()),
        # Known by its management address only.
        (DeviceInput("r2", "cisco_ios", "10.0.12.2", DeviceRecords(), collected=False), ()),
    ],
)
def test_next_hop_owned_by_an_uncollected_device(r2: DeviceInput, links: tuple[Link, ...]) -> None:
    result = trace(net(R1, r2, R3), topo(*links), "10.1.0.10", "10.3.0.50")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["r1", "r2"]
    assert leaf.stop is Stop.NOT_COLLECTED
    assert leaf.message.startswith("r2: ")


def test_not_collected_names_the_last_error() -> None:
    r2 = DeviceInput("r2", "cisco_ios", "", DeviceRecords(), collected=False, error_kind="auth_failed",
                     error="credentials refused")
    leaf = only_leaf(trace(net(R1, r2), topo(cable("r1", "Gi0/1", "r2", "Gi0/0")), "10.1.0.10", "10.3.0.50"))

    assert leaf.message == "r2: no good collection in this view (last attempt: auth_failed: credentials refused)"


def test_unknown_next_hop() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"),
                routes=(via("10.3.0.0/24", "static", ("10.0.12.2", "Gi0/1")),))
    result = trace(net(r1, R3), topo(cable("r1", "Gi0/1", "isp-router", "ge-0/0/0")), "10.1.0.10", "10.3.0.50")

    leaf = only_leaf(result)
    assert (leaf.device, leaf.stop, leaf.next_hop, leaf.egress) == ("r1", Stop.UNKNOWN_NEXT_HOP, "10.0.12.2", "Gi0/1")
    assert leaf.message == ("no device owns next hop 10.0.12.2 in VRF default; "
                            "the cable on Gi0/1 leads to isp-router ge-0/0/0")


def test_discard_route_ends_the_branch() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), routes=(via("10.0.0.0/8", "static", ("", "Null0")),))
    leaf = only_leaf(trace(net(r1), topo(), "10.1.0.10", "10.7.7.7"))

    assert (leaf.stop, leaf.egress, leaf.prefix) == (Stop.NO_ROUTE, "Null0", "10.0.0.0/8")
    assert "discards" in leaf.message


# VRF BLUE reuses 10.0.0.0/31 of the global table; no cables are known, so owners come from the address index.
# The names sort the wrong owner first in both VRFs: only the VRF can rule it out.
def vrf_network() -> TopologyInput:
    a1 = router("a1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.0.0/31"),
                routes=(via("10.5.0.0/24", "ospf", ("10.0.0.1", "Gi0/1")),))
    b3 = router("b3", iface("Gi0/0", "10.0.0.1/31"), iface("Vlan5", "10.5.0.1/24", vrf="BLUE"),
                vrf_by_route={"Gi0/0": "BLUE"},  # its VRF is known from the connected route only
                routes=(via("10.6.0.0/24", "static", ("10.0.0.0", "Gi0/0"), vrf="BLUE"),))
    c2 = router("c2", iface("Gi0/0", "10.0.0.1/31"), iface("Vlan5", "10.5.0.1/24"))
    z4 = router("z4", iface("Gi0/0", "10.0.0.0/31", vrf="BLUE"), iface("Vlan6", "10.6.0.1/24", vrf="BLUE"))
    return net(b3, a1, c2, z4)


def test_default_vrf_path_never_crosses_into_a_vrf_reusing_its_addresses() -> None:
    result = trace(vrf_network(), topo(), "10.1.0.10", "10.5.0.20")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["a1", "c2"]
    assert leaf.ingress == "Gi0/0"
    assert {hop.vrf for hop in result.hops} == {"default"}
    assert leaf.stop is Stop.DELIVERED


def test_vrf_path_stays_in_its_vrf() -> None:
    result = trace(vrf_network(), topo(), "10.0.0.1", "10.6.0.20", "BLUE")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["b3", "z4"]  # c2 owns 10.0.0.1 too, and a1 10.0.0.0, in the global table
    assert leaf.ingress == "Gi0/0"
    assert {hop.vrf for hop in result.hops} == {"BLUE"}
    assert leaf.stop is Stop.DELIVERED
    with pytest.raises(ValueError, match=r"^source: no device has 10\.1\.0\.10 .* in VRF BLUE$"):
        trace(vrf_network(), topo(), "10.1.0.10", "10.6.0.20", "BLUE")


def test_a_cable_into_another_vrf_is_followed_when_no_device_owns_the_next_hop_in_this_one() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.0.0/31"),
                routes=(via("10.5.0.0/24", "static", ("10.0.0.1", "Gi0/1")),))
    pe = router("pe", iface("Gi0/0", "10.0.0.1/31", vrf="CUST"), iface("Vlan5", "10.5.0.1/24", vrf="CUST"))
    result = trace(net(r1, pe), topo(cable("r1", "Gi0/1", "pe", "Gi0/0")), "10.1.0.10", "10.5.0.20")

    assert result.complete
    assert [(hop.device, hop.vrf, hop.ingress) for hop in result.hops] == [("r1", "default", "Gi0/0"),
                                                                           ("pe", "CUST", "Gi0/0")]
    assert "enters VRF CUST on pe" in result.hops[1].note
    assert result.lines()[-2].startswith("  [2] pe (VRF CUST) in Gi0/0")


@pytest.mark.parametrize("cabled", [True, False])
def test_interface_route_without_next_hop_address(cabled: bool) -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Serial0/0"),
                routes=(via("10.3.0.0/24", "static", ("", "Serial0/0")),))
    r2 = router("r2", iface("Serial0/0"), iface("Gi0/1", "10.3.0.1/24"))
    links = (cable("r1", "Serial0/0", "r2", "Serial0/0"),) if cabled else ()
    result = trace(net(r1, r2), topo(*links), "10.1.0.10", "10.3.0.9")

    leaf = only_leaf(result)
    if cabled:
        assert [(hop.device, hop.ingress) for hop in result.hops] == [("r1", "Gi0/0"), ("r2", "Serial0/0")]
        assert leaf.stop is Stop.DELIVERED
    else:
        assert (leaf.device, leaf.stop, leaf.egress) == ("r1", Stop.UNKNOWN_NEXT_HOP, "Serial0/0")


def test_recursive_bgp_next_hop() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Gi0/1", "10.0.12.1/30"),
                routes=(via("10.8.0.0/16", "bgp", ("10.255.0.3", ""), route_type="internal"),
                        via("10.255.0.3/32", "ospf", ("10.0.12.2", "Gi0/1"))))
    r2 = router("r2", iface("Gi0/0", "10.0.12.2/30"), iface("Gi0/1", "10.0.23.1/30"),
                routes=(via("10.8.0.0/16", "bgp", ("10.255.0.3", ""), route_type="internal"),
                        via("10.255.0.3/32", "ospf", ("10.0.23.2", "Gi0/1"))))
    r3 = router("r3", iface("Gi0/0", "10.0.23.2/30"), iface("Loopback0", "10.255.0.3/32"),
                iface("Vlan8", "10.8.1.254/24"))
    result = trace(net(r1, r2, r3), topo(cable("r1", "Gi0/1", "r2", "Gi0/0"), cable("r2", "Gi0/1", "r3", "Gi0/0")),
                   "10.1.0.10", "10.8.1.1")

    assert result.complete
    hops = result.hops
    assert [hop.device for hop in hops] == ["r1", "r2", "r3"]
    assert [(hop.protocol, hop.egress, hop.next_hop) for hop in hops[:2]] == [
        ("bgp", "Gi0/1", "10.0.12.2"), ("bgp", "Gi0/1", "10.0.23.2")]
    assert "next hop 10.255.0.3 via 10.255.0.3/32 ospf" in hops[0].note
    assert hops[0].links == (cable("r1", "Gi0/1", "r2", "Gi0/0"),)


def test_recursive_next_hop_that_never_resolves_is_bounded() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), routes=(via("0.0.0.0/0", "bgp", ("10.255.0.9", "")),))
    leaf = only_leaf(trace(net(r1), topo(), "10.1.0.10", "192.0.2.1"))

    assert leaf.stop is Stop.NO_ROUTE
    assert leaf.message == "next hop 10.255.0.9 is unreachable: no resolution in 8 lookups"


def test_port_channel_egress_lists_member_cables() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Port-channel1", "10.0.12.1/30"),
                iface("Gi0/1", channel="Port-channel1"), iface("Gi0/2", channel="Port-channel1"),
                routes=(via("10.3.0.0/24", "ospf", ("10.0.12.2", "Port-channel1")),))
    r2 = router("r2", iface("Port-channel1", "10.0.12.2/30"), iface("Gi0/1", channel="Port-channel1"),
                iface("Gi0/2", channel="Port-channel1"), iface("Vlan3", "10.3.0.1/24"))
    members = (cable("r1", "Gi0/1", "r2", "Gi0/1", "Port-channel1", "Port-channel1"),
               cable("r1", "Gi0/2", "r2", "Gi0/2", "Port-channel1", "Port-channel1"))
    result = trace(net(r1, r2), topo(*members), "10.1.0.10", "10.3.0.9")

    assert result.complete
    assert result.hops[0].egress == "Port-channel1"
    assert result.hops[0].links == members
    assert [(hop.device, hop.ingress) for hop in result.hops] == [("r1", "Gi0/0"), ("r2", "Port-channel1")]


def test_members_known_from_the_records_only() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Port-channel1", "10.0.12.1/30"),
                iface("Gi0/1", channel="Port-channel1"), iface("Gi0/2", channel="Port-channel1"),
                routes=(via("10.3.0.0/24", "ospf", ("10.0.12.2", "Port-channel1")),))
    r2 = router("r2", iface("Port-channel1", "10.0.12.2/30"), iface("Vlan3", "10.3.0.1/24"))
    members = (cable("r1", "Gi0/1", "r2", "Gi0/1"), cable("r1", "Gi0/2", "r2", "Gi0/2"))  # no channel on the links
    result = trace(net(r1, r2), topo(*members), "10.1.0.10", "10.3.0.9")

    assert result.hops[0].links == members


def test_svi_egress_lists_the_cable_the_next_hops_mac_is_learned_on() -> None:
    r1 = router("r1", iface("Gi0/0", "10.1.0.1/24"), iface("Vlan20", "10.20.0.1/24"),
                routes=(via("10.3.0.0/24", "ospf", ("10.20.0.2", "Vlan20")),))
    r1.records.arp.append(ArpEntry("10.20.0.2", "00:00:00:00:00:02", "Vlan20"))
    r1.records.mac_table.append(MacEntry("00:00:00:00:00:02", 20, "Gi1/0/48"))
    r2 = router("r2", iface("Vlan20", "10.20.0.2/24"), iface("Vlan3", "10.3.0.1/24"),
                arp=(ArpEntry("10.3.0.9", "00:00:00:00:00:09", "Vlan3"),))
    r2.records.mac_table.append(MacEntry("00:00:00:00:00:09", 3, "Gi1/0/7"))
    uplink, access = cable("r1", "Gi1/0/48", "r2", "Gi1/0/1"), cable("r2", "Gi1/0/7", "sw9", "Gi0/1")
    result = trace(net(r1, r2), topo(uplink, access), "10.1.0.10", "10.3.0.9")

    assert result.complete
    assert [(hop.device, hop.ingress, hop.egress) for hop in result.hops] == [
        ("r1", "Gi0/0", "Vlan20"), ("r2", "Vlan20", "Vlan3")]
    assert [hop.links for hop in result.hops] == [(uplink,), (access,)]


def test_ipv6_link_local_next_hop() -> None:
    def v6(name: str, *addresses: str) -> Interface:
        return Interface(name, True, True, ipv6=addresses)

    r1 = DeviceInput("r1", "cisco_ios", "", DeviceRecords(
        interfaces=[v6("Gi0/0", "2001:db8:1::1/64"), v6("Gi0/1", "fe80::1/64")],
        routes=[Route("default", "2001:db8:1::/64", "connected", (NextHop("", "Gi0/0"),)),
                via("2001:db8:3::/64", "ospf", ("fe80::2", "Gi0/1"))]))
    r2 = DeviceInput("r2", "cisco_ios", "", DeviceRecords(
        interfaces=[v6("Gi0/0", "fe80::2/64"), v6("Gi0/1", "2001:db8:3::1/64")],
        routes=[Route("default", "2001:db8:3::/64", "connected", (NextHop("", "Gi0/1"),))]))
    # A third router has the same link-local address: only the one at the end of the cable counts.
    r0 = DeviceInput("r0", "cisco_ios", "", DeviceRecords(interfaces=[v6("Gi0/0", "fe80::2/64")]))
    result = trace(net(r0, r1, r2), topo(cable("r1", "Gi0/1", "r2", "Gi0/0")), "2001:db8:1::10", "2001:db8:3::9")

    assert result.complete
    assert [(hop.device, hop.ingress, hop.next_hop) for hop in result.hops] == [
        ("r1", "Gi0/0", "fe80::2"), ("r2", "Gi0/0", "")]


# Two distribution switches with an SVI in the host's VLAN.
def gateways(arp_on_d2: bool) -> TopologyInput:
    arp = (ArpEntry("10.10.0.50", "aa:bb:cc:00:00:50", "Vlan10"),) if arp_on_d2 else ()
    d1 = router("d1", iface("Vlan10", "10.10.0.2/24"), iface("Vlan99", "10.99.0.1/24"))
    d2 = router("d2", iface("Vlan10", "10.10.0.3/24"), iface("Vlan99", "10.99.0.2/24"), arp=arp)
    wide = router("core", iface("Vlan1", "10.0.0.1/8"))  # a shorter subnet holding the host loses to the /24
    return net(wide, d1, d2)


def test_first_hop_prefers_the_gateway_whose_arp_holds_the_source() -> None:
    result = trace(gateways(arp_on_d2=True), topo(), "10.10.0.50", "10.99.0.9")

    leaf = only_leaf(result)
    assert path_of(result, leaf) == ["d2"]
    assert leaf.ingress == "Vlan10"
    assert "served by 2 devices" in leaf.note
    assert "d2 holds 10.10.0.50 in ARP" in leaf.note


def test_first_hop_branches_from_every_gateway_when_arp_does_not_tell() -> None:
    result = trace(gateways(arp_on_d2=False), topo(), "10.10.0.50", "10.99.0.9")

    assert [(leaf.device, leaf.branch, leaf.parent, leaf.stop) for leaf in result.leaves] == [
        ("d1", 1, None, Stop.DELIVERED), ("d2", 2, None, Stop.DELIVERED)]
    assert "one branch from each" in result.leaves[0].note


def test_down_interface_is_no_gateway() -> None:
    r1 = router("r1", iface("Vlan10", "10.10.0.2/24", up=False), iface("Vlan99", "10.99.0.1/24"))
    with pytest.raises(ValueError, match="source"):
        trace(net(r1), topo(), "10.10.0.50", "10.99.0.9")


@pytest.mark.parametrize(
    ("source", "destination", "kwargs", "pattern"),
    [
        ("10.1.0.300", "10.3.0.50", {}, r"^source: '10\.1\.0\.300' is not an IP address"),
        ("10.1.0.10", "web01", {}, r"^destination: 'web01' is not an IP address"),
        ("10.1.0.10", "2001:db8::1", {}, r"^destination: 2001:db8::1 is IPv6"),
        ("172.16.0.1", "10.3.0.50", {}, r"^source: no device has 172\.16\.0\.1"),
        ("10.1.0.10", "10.3.0.50", {"vrf": " "}, r"^vrf: "),
        ("10.1.0.10", "10.3.0.50", {"max_hops": 0}, r"max_hops"),
    ],
)
def test_bad_arguments(source: str, destination: str, kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        trace(net(R1, R2, R3), LINE, source, destination, **kwargs)  # type: ignore[arg-type]


# 10,000 routers: a core and 100 chains of 100; each chain router has a LAN, a default route towards the
# core and its chain's /16 away from it; the core has each chain's /16.
CHAINS, LENGTH = 100, 100


def link_net(index: int) -> tuple[str, str]:
    """The two addresses of /30 number ``index`` in 100.64.0.0/10."""
    base = int(ipaddress.ip_address("100.64.0.0")) + 4 * index
    return str(ipaddress.ip_address(base + 1)), str(ipaddress.ip_address(base + 2))


def chain_router(k: int, j: int) -> DeviceInput:
    up_local = link_net(k * LENGTH + j)[1]  # towards the core (j == 0: towards the core itself)
    interfaces = [iface("Gi0/0", f"{up_local}/30"), iface("Vlan1", f"10.{k}.{j}.1/24")]
    routes = [via("0.0.0.0/0", "static", (link_net(k * LENGTH + j)[0], "Gi0/0"))]
    if j + 1 < LENGTH:
        down = link_net(k * LENGTH + j + 1)
        interfaces.append(iface("Gi0/1", f"{down[0]}/30"))
        routes.append(via(f"10.{k}.0.0/16", "ospf", (down[1], "Gi0/1")))
    return router(f"c{k}-{j}", *interfaces, routes=tuple(routes))


def big_network() -> tuple[TopologyInput, Topology]:
    core_interfaces = [iface(f"Gi1/{k}", f"{link_net(k * LENGTH)[0]}/30") for k in range(CHAINS)]
    core_routes = tuple(via(f"10.{k}.0.0/16", "ospf", (link_net(k * LENGTH)[1], f"Gi1/{k}")) for k in range(CHAINS))
    devices = [router("core", *core_interfaces, routes=core_routes)]
    links = [cable("core", f"Gi1/{k}", f"c{k}-0", "Gi0/0") for k in range(CHAINS)]
    for k in range(CHAINS):
        for j in range(LENGTH):
            devices.append(chain_router(k, j))
            if j + 1 < LENGTH:
                links.append(cable(f"c{k}-{j}", "Gi0/1", f"c{k}-{j + 1}", "Gi0/0"))
    return net(*devices), topo(*links)


def test_ten_thousand_devices() -> None:
    inp, topology = big_network()
    assert len(inp.devices) == CHAINS * LENGTH + 1
    tracer = Tracer(inp, topology)

    result = tracer.trace("10.7.99.20", "10.42.99.30", max_hops=256)

    leaf = only_leaf(result)
    expected = [f"c7-{j}" for j in reversed(range(LENGTH))] + ["core"] + [f"c42-{j}" for j in range(LENGTH)]
    assert path_of(result, leaf) == expected
    assert leaf.stop is Stop.DELIVERED
    assert [hop.protocol for hop in result.hops[:2]] == ["static", "static"]
    assert result.hops[LENGTH].next_hop == link_net(42 * LENGTH)[1]
    assert all(len(hop.links) == 1 for hop in result.hops[:-1])
    # The same tracer answers again (its indexes are kept), and the default bound stops a long path.
    short = tracer.trace("10.42.99.30", "10.7.99.20")
    assert (only_leaf(short).stop, len(short.hops)) == (Stop.MAX_HOPS, 64)


# -- a kept (prepared) Tracer answers as a lone trace does ---------------------------------------


def wide_network() -> tuple[TopologyInput, Topology]:
    """Two gateways of one /16 user subnet (both addresses in the host's /24 block, so the address
    index finds each in its block and again among the subnets shorter than /24), a port-channel
    uplink, a management VRF /16 on every device, and endpoints with repeated MACs."""
    g1 = router("g1", iface("Vlan10", "10.20.0.1/16"), iface("Po1", "10.0.1.1/30"),
                iface("Gi0/1", channel="Po1"), iface("Gi0/2", channel="Po1"),
                iface("mgmt0", "192.168.0.1/16", vrf="mgmt"),
                routes=(via("10.9.0.0/24", "ospf", ("10.0.1.2", "Po1")),), mgmt_ip="192.168.0.1")
    g2 = router("g2", iface("Vlan10", "10.20.0.2/16"), iface("Gi0/1", "10.0.2.1/30"),
                iface("mgmt0", "192.168.0.2/16", vrf="mgmt"),
                routes=(via("10.9.0.0/24", "ospf", ("10.0.2.2", "Gi0/1")),), mgmt_ip="192.168.0.2")
    core = router("core", iface("Po1", "10.0.1.2/30"), iface("Gi0/3", channel="Po1"), iface("Gi0/4", channel="Po1"),
                  iface("Gi0/2", "10.0.2.2/30"), iface("Vlan9", "10.9.0.1/24"), iface("mgmt0", "192.168.0.3/16",
                                                                                      vrf="mgmt"),
                  arp=(ArpEntry("10.9.0.7", "aa:bb:cc:00:00:07", "Vlan9"),), mgmt_ip="192.168.0.3")
    links = (cable("g1", "Gi0/1", "core", "Gi0/3", "Po1", "Po1"), cable("g1", "Gi0/2", "core", "Gi0/4", "Po1", "Po1"),
             cable("g2", "Gi0/1", "core", "Gi0/2"))
    endpoints = (Endpoint("aa:bb:cc:00:00:07", "10.9.0.7", 9, "core", "Gi0/9"),
                 Endpoint("aa:bb:cc:00:00:07", "10.9.0.8", 9, "core", "Gi0/8"),
                 *(Endpoint(f"aa:bb:cc:00:01:{k:02x}", f"10.9.0.{k + 20}", 9, "core", f"Gi1/{k}") for k in range(8)))
    return net(g1, g2, core), topo(*links, endpoints=endpoints)


QUERIES = [("10.20.0.9", "10.9.0.7", "default"), ("10.20.7.9", "10.9.0.7", "default"),
           ("10.20.0.1", "10.9.0.8", "default"), ("192.168.0.1", "192.168.0.3", "mgmt"),
           ("10.20.0.9", "10.9.0.21", "default"), ("10.20.0.9", "10.9.0.22", "default"),
           ("10.20.0.9", "10.9.0.23", "default"), ("10.20.0.9", "10.9.0.24", "default"),
           ("10.20.0.9", "10.9.0.25", "default"), ("10.20.0.9", "10.9.0.7", "default")]


def test_a_prepared_tracer_answers_every_query_as_a_lone_trace() -> None:
    inp, topology = wide_network()
    kept = Tracer(inp, topology).prepare()
    for source, destination, vrf in QUERIES:
        assert kept.trace(source, destination, vrf) == trace(inp, topology, source, destination, vrf), (source,
                                                                                                       destination)


def test_two_gateways_of_a_wide_subnet_are_found_once_each_in_inventory_order() -> None:
    inp, topology = wide_network()
    result = trace(inp, topology, "10.20.0.9", "10.9.0.7")
    assert [(hop.device, hop.ingress) for hop in result.hops if hop.depth == 1] == [("g1", "Vlan10"), ("g2", "Vlan10")]
    assert [hop.device for hop in result.leaves] == ["core", "core"] and result.complete
    assert result.hops[0].links == tuple(topology.links[:2])  # the port-channel's member cables
    first = result.leaves[0]
    assert (first.mac, first.access) == ("aa:bb:cc:00:00:07", End("core", "Gi0/9"))  # the first endpoint of the MAC


def test_endpoint_lookups_scan_then_index_with_the_same_answers() -> None:
    inp, topology = wide_network()
    tracer = Tracer(inp, topology)
    macs = ["aa:bb:cc:00:00:07", *(f"aa:bb:cc:00:01:{k:02x}" for k in range(8)), "aa:bb:cc:99:99:99"]
    found = [tracer.endpoint(mac) for mac in macs]
    assert found[0] == topology.endpoints[0] and found[-1] is None
    assert found[1:-1] == list(topology.endpoints[2:])
    assert [Tracer(inp, topology).prepare().endpoint(mac) for mac in macs] == found
