"""Scenario generators: deterministic, the right size, internally consistent, traps included."""

from __future__ import annotations

import json
from collections import Counter
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import pytest

from netatlas.domain.names import normalize_hostname
from netatlas.lab.model import IfKind, NeighborProtocol, NextHop, Platform, Route, RouteProto
from netatlas.lab.network import LruCache, Network
from netatlas.lab.scenarios import SCENARIOS, ScenarioError, build_network

SIZES = (2, 3, 5, 6, 13, 60, 250)
CASES = [(s, n) for s in SCENARIOS for n in SIZES]


@pytest.fixture(scope="module")
def networks() -> dict[tuple[str, int], Network]:
    return {(s, n): build_network(s, n, seed=7) for s, n in CASES}


def test_same_arguments_same_network() -> None:
    for scenario in SCENARIOS:
        first = json.dumps(build_network(scenario, 40, seed=3).truth())
        assert first == json.dumps(build_network(scenario, 40, seed=3).truth())
        assert first != json.dumps(build_network(scenario, 40, seed=4).truth())


@pytest.mark.parametrize(("scenario", "n"), CASES)
def test_size_and_unique_identities(networks: dict[tuple[str, int], Network], scenario: str, n: int) -> None:
    net = networks[(scenario, n)]
    assert len(net.devices) == n
    devices = list(net.devices.values())
    assert len({d.mgmt_ip for d in devices}) == n
    assert len({d.serial for d in devices}) == n
    assert all(str(d.mgmt_ip).startswith("127.20.") for d in devices)
    ids = [node["id"] for node in net.truth()["nodes"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("scenario", "n"), CASES)
def test_truth_refers_to_real_interfaces(networks: dict[tuple[str, int], Network], scenario: str, n: int) -> None:
    net = networks[(scenario, n)]
    truth = net.truth()
    nodes = {node["id"]: node for node in truth["nodes"]}
    for link in truth["links"]:
        for end in (link["a"], link["b"]):
            assert end["node"] in nodes, link
            if end["node"] in net.devices:
                net.devices[end["node"]].interface(end["interface"])  # raises when it does not exist
        assert link["layer"] in ("l2", "l3") and link["protocols"], link
    for endpoint in truth["endpoints"]:
        switch = net.devices[endpoint["node"]]
        assert any(e.mac == endpoint["mac"] and e.interface == endpoint["interface"] and e.vlan == endpoint["vlan"]
                   for e in switch.mac_table), endpoint


@pytest.mark.parametrize(("scenario", "n"), CASES)
def test_neighbors_are_symmetric_with_the_cabling(networks: dict[tuple[str, int], Network], scenario: str,
                                                  n: int) -> None:
    net = networks[(scenario, n)]
    for host, dev in net.devices.items():
        for advert in dev.neighbors:
            remote = normalize_hostname(advert.device_id)
            if remote in net.devices:
                peer = net.devices[remote]
                assert peer.interface(advert.remote_interface)
                assert advert.mgmt_ip == peer.mgmt_ip
            else:
                assert remote in net.unmanaged, (host, advert)


@pytest.mark.parametrize(("scenario", "n"), CASES)
def test_routing_adjacencies_are_mutual(networks: dict[tuple[str, int], Network], scenario: str, n: int) -> None:
    net = networks[(scenario, n)]
    for host, dev in net.devices.items():
        for nbr in dev.ospf_neighbors:
            peer = next(d for d in net.devices.values() if d.ospf_router_id == nbr.router_id)
            assert any(m.address == dev.interface(nbr.interface).ipv4.ip  # type: ignore[union-attr]
                       for m in peer.ospf_neighbors), (host, nbr)
        for peer_session in dev.bgp_peers:
            if peer_session.state != "Established":  # a peer that never comes up: nothing answers there
                assert not any(i.ipv4 is not None and i.ipv4.ip == peer_session.address
                               for d in net.devices.values() for i in d.interfaces), (host, peer_session)
                continue
            owner = _owner(net, peer_session.address)
            assert owner.bgp_asn == peer_session.remote_as


def _owner(net: Network, address: IPv4Address) -> Any:
    return next(d for d in net.devices.values() for i in d.interfaces if i.ipv4 is not None and i.ipv4.ip == address)


@pytest.mark.parametrize(("scenario", "n"), [(s, n) for s, n in CASES if n >= 13])
def test_traps_are_present(networks: dict[tuple[str, int], Network], scenario: str, n: int) -> None:
    net = networks[(scenario, n)]
    names = sorted(net.devices)
    assert any(b != a and b.startswith(a) for a in names for b in names), "no sw1/sw10 style names"
    adverts = [a for d in net.devices.values() for a in d.neighbors]
    assert any("." in a.device_id for a in adverts), "no FQDN neighbor ids"
    assert any(a.device_id.endswith(")") and "(" in a.device_id for a in adverts), "no NX-OS name(SERIAL) ids"
    one_sided = [link for link in net.l2_links if link.protocols == {"lldp"} and _hearers(net, link) == 1]
    assert one_sided, "no neighbor reported by only one side"
    overlap = Counter((i.ipv4.network, i.vrf) for d in net.devices.values() for i in d.interfaces
                      if i.ipv4 is not None and i.kind != IfKind.MGMT)
    nets = Counter(network for network, _vrf in overlap)
    assert any(count > 1 and any(v != "default" for (nw, v) in overlap if nw == network)
               for network, count in nets.items()), "no VRF reusing global addresses"


def _hearers(net: Network, link: Any) -> int:
    count = 0
    for end, other in ((link.a, link.b), (link.b, link.a)):
        dev = net.devices.get(end.node)
        if dev and any(a.local_interface == end.interface and a.protocol == NeighborProtocol.LLDP
                       and normalize_hostname(a.device_id) == other.node for a in dev.neighbors):
            count += 1
    return count


def test_campus_shape(networks: dict[tuple[str, int], Network]) -> None:
    net = networks[("campus", 60)]
    roles = Counter(d.role for d in net.devices.values())
    assert roles["core"] == 2 and roles["distribution"] >= 2 and roles["access"] >= 50
    dist = net.devices["dist1"]
    channels = [i for i in dist.interfaces if i.kind == IfKind.PORT_CHANNEL]
    assert len(channels) == 2 and all(len(c.members) == 2 and c.ipv4 for c in channels)
    assert any(r.protocol == RouteProto.STATIC and str(r.prefix) == "0.0.0.0/0" for r in net.rib("core1"))
    assert any(r.protocol == RouteProto.OSPF for r in net.rib("dist1"))
    kinds = Counter(u.role for u in net.unmanaged.values())
    assert kinds["phone"] >= 50 and kinds["access-point"] >= 50
    assert any(d.enable_secret for d in net.devices.values())
    assert len(net.devices["sw1"].vlans) >= 2


def test_datacenter_shape(networks: dict[tuple[str, int], Network]) -> None:
    net = networks[("datacenter", 60)]
    leaves = [d for d in net.devices.values() if d.role == "leaf"]
    assert len({d.bgp_asn for d in leaves}) == len(leaves)
    pairs = Counter(frozenset({link.a.node, link.b.node}) for link in net.l2_links)
    assert pairs[frozenset({"spine1", "leaf1"})] >= 2, "spine-leaf links must be parallel"
    ecmp = [r for r in net.rib("leaf2") if r.protocol == RouteProto.BGP and len(r.next_hops) >= 4]
    assert ecmp
    assert {d.platform for d in leaves} == {Platform.CISCO_NXOS, Platform.ARISTA_EOS}


def test_wan_shape(networks: dict[tuple[str, int], Network]) -> None:
    net = networks[("wan", 60)]
    lengths = {i.ipv4.network.prefixlen for d in net.devices.values() for i in d.interfaces
               if i.ipv4 is not None and i.kind == IfKind.PHYSICAL}
    assert {30, 31} <= lengths
    areas = {i.ospf_area for d in net.devices.values() for i in d.interfaces if i.ospf_area}
    assert len(areas) >= 3
    edges = [d for d in net.devices.values() if d.role == "edge"]
    internal = [p for d in edges for p in d.bgp_peers if p.remote_as == d.bgp_asn]
    external = [p for d in edges for p in d.bgp_peers if p.remote_as != d.bgp_asn]
    assert internal and external
    assert any(r.protocol == RouteProto.STATIC for d in edges for r in d.static_routes)
    branch = next(h for h, d in net.devices.items() if d.role == "branch")
    assert any(r.ospf_type == "inter" and str(r.prefix) == "0.0.0.0/0" for r in net.rib(branch))


def test_mixed_spans_every_platform(networks: dict[tuple[str, int], Network]) -> None:
    net = networks[("mixed", 60)]
    assert {d.platform for d in net.devices.values()} == set(Platform)
    assert {d.role for d in net.devices.values()} >= {"core", "access", "spine", "leaf", "edge", "branch"}
    leaf = next(h for h, d in net.devices.items() if d.role == "leaf")
    assert any(str(r.prefix) == "0.0.0.0/0" and r.protocol == RouteProto.BGP for r in net.rib(leaf))


def test_two_thousand_devices_build() -> None:
    for scenario in SCENARIOS:
        net = build_network(scenario, 2000, seed=1)
        assert len(net.devices) == 2000


@pytest.mark.parametrize(("scenario", "n", "word"), [("bogus", 10, "--scenario"), ("campus", 1, "--devices"),
                                                     ("campus", 999_999, "--devices")])
def test_bad_arguments_name_the_argument(scenario: str, n: int, word: str) -> None:
    with pytest.raises(ScenarioError, match=word):
        build_network(scenario, n, seed=1)


def test_rib_cache_is_bounded_by_routes_not_devices() -> None:
    def routes(n: int) -> list[Route]:
        hop = (NextHop(None, "Loopback0"),)
        return [Route(IPv4Network(f"10.0.{i}.0/24"), RouteProto.CONNECTED, hop) for i in range(n)]

    cache = LruCache(max_routes=10)
    cache.put("a", routes(4))
    cache.put("b", routes(4))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", routes(4))  # 12 > 10: the least recent (b) goes
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_warm_computes_every_rib_once() -> None:
    net = build_network("mixed", 30, seed=2)
    total = net.warm()
    assert total == sum(len(net.rib(h)) for h in net.devices)
    assert all(net.rib(h) is net.rib(h) for h in net.devices)  # served from the cache
