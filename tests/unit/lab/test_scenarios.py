"""Scenario generators: deterministic, the right size, internally consistent, traps included."""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import pytest

from netatlas.domain.names import normalize_hostname
from netatlas.lab.cli_platforms import load_commands
from netatlas.lab.model import Feature, IfKind, NeighborProtocol, NextHop, Platform, Route, RouteProto, Variation
from netatlas.lab.network import LruCache, Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.scenarios import SCENARIOS, ScenarioError, build_network
from netatlas.lab.shell import Shell
from tests.support import checks_cisco_ios
from tests.support.checks import CHECKS, arguments, typed
from tests.support.checks_variations import check_text

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
                                                     ("campus", 999_999, "--devices"), ("campus", 5001, "--devices"),
                                                     ("datacenter", 5001, "--devices"), ("mixed", 10_001, "--devices")])
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


# ---- variations real networks have ---------------------------------------------------------------

EVERY_VARIATION = set(Variation)
# Per platform, the variations the mixed scenario must show on at least one device of it.
PER_PLATFORM: dict[Platform, set[Variation]] = {
    Platform.CISCO_IOS: {Variation.CDP_OFF, Variation.LLDP_OFF, Variation.OSPF_OFF, Variation.BGP_OFF,
                         Variation.OLD_IMAGE, Variation.ASDOT, Variation.BGP_PEER_DOWN},
    Platform.CISCO_NXOS: {Variation.CDP_OFF, Variation.LLDP_OFF, Variation.OSPF_OFF, Variation.BGP_OFF,
                          Variation.OLD_IMAGE, Variation.ASDOT, Variation.BGP_PEER_DOWN},
    Platform.ARISTA_EOS: {Variation.LLDP_OFF, Variation.OSPF_OFF, Variation.BGP_OFF, Variation.ASDOT,
                          Variation.BGP_PEER_DOWN, Variation.IPV6},
    Platform.JUNIPER_JUNOS: {Variation.LLDP_OFF, Variation.OSPF_OFF, Variation.BGP_OFF, Variation.ASDOT,
                             Variation.BGP_PEER_DOWN, Variation.VIRTUAL_CHASSIS, Variation.IPV6, Variation.MPLS,
                             Variation.BACKUP_ROUTE},
}
# What each single scenario carries at 20 devices and more.
PER_SCENARIO: dict[str, set[Variation]] = {
    "campus": {Variation.CDP_OFF, Variation.LLDP_OFF, Variation.OLD_IMAGE, Variation.OSPF_OFF, Variation.BGP_OFF},
    "datacenter": EVERY_VARIATION - {Variation.VIRTUAL_CHASSIS, Variation.MPLS, Variation.BACKUP_ROUTE},
    "wan": EVERY_VARIATION,
    "mixed": EVERY_VARIATION,
}


def _by_platform(net: Network) -> dict[Platform, set[Variation]]:
    found: dict[Platform, set[Variation]] = {p: set() for p in Platform}
    for dev in net.devices.values():
        found[dev.platform] |= dev.variations
    return found


@pytest.mark.parametrize("seed", [1, 7])
def test_mixed_carries_every_variation_on_every_platform(seed: int) -> None:
    net = build_network("mixed", 60, seed=seed)
    found = _by_platform(net)
    for platform, wanted in PER_PLATFORM.items():
        assert wanted <= found[platform], (platform, wanted - found[platform])


@pytest.mark.parametrize("scenario", ["campus", "datacenter", "wan", "mixed"])
@pytest.mark.parametrize("n", [20, 40])
def test_each_scenario_carries_its_variations(scenario: str, n: int) -> None:
    net = build_network(scenario, n, seed=3)
    found = set().union(*(d.variations for d in net.devices.values()))
    assert PER_SCENARIO[scenario] <= found, PER_SCENARIO[scenario] - found
    truth = net.truth()["variations"]
    assert truth == {h: sorted(map(str, d.variations)) for h, d in net.devices.items() if d.variations}


@pytest.mark.parametrize(("scenario", "n"), [(s, n) for s, n in CASES if n >= 13])
def test_a_feature_off_is_off_on_both_ends(networks: dict[tuple[str, int], Network], scenario: str, n: int) -> None:
    net = networks[(scenario, n)]
    for host, dev in net.devices.items():
        off = {NeighborProtocol(str(f)) for f in dev.features_off if str(f) in ("cdp", "lldp")}
        assert not [a for a in dev.neighbors if a.protocol in off], host
        heard_from = {(d.hostname, a.protocol) for d in net.devices.values() for a in d.neighbors
                      if normalize_hostname(a.device_id) == host}
        assert not {p for _, p in heard_from} & off, host
        if Feature.OSPF in dev.features_off:
            assert not dev.ospf_neighbors and not any(i.ospf_area for i in dev.interfaces), host
        if Feature.BGP in dev.features_off:
            assert dev.bgp_asn is None and not dev.bgp_peers, host


def test_hidden_links_are_the_cables_nobody_reports() -> None:
    net = build_network("mixed", 60, seed=7)
    truth = net.truth()
    hidden = truth["hidden_links"]
    assert hidden and all(link["protocols"] == [] and link["layer"] == "l2" for link in hidden)
    assert all(link["protocols"] for link in truth["links"] if link["layer"] == "l2")
    ends = {(e["node"], e["interface"]) for link in hidden for e in (link["a"], link["b"])}
    for node, interface in ends:
        assert not [a for a in net.devices[node].neighbors if a.local_interface == interface], (node, interface)


def test_old_images_refuse_their_forms_and_keep_the_plain_ones() -> None:
    net = build_network("mixed", 60, seed=7)
    old = {d.platform: d for d in net.devices.values() if Variation.OLD_IMAGE in d.variations}
    assert {Platform.CISCO_IOS, Platform.CISCO_NXOS} <= set(old)
    ios, nxos = old[Platform.CISCO_IOS], old[Platform.CISCO_NXOS]
    assert [f.keyword for f in ios.rejected_forms] == ["vrf"] and ios.vrf_names() == ["default"]
    assert [(f.keyword, f.argument) for f in nxos.rejected_forms] == [("vrf", "all"), ("json", None)]
    assert ios.os_version.startswith("15.") and nxos.os_version.startswith("6.")


def test_asdot_devices_hold_asplain_integers() -> None:
    net = build_network("mixed", 60, seed=7)
    asdot = [d for d in net.devices.values() if d.asdot]
    assert {d.platform for d in asdot} == set(Platform)
    four_byte = [p.remote_as for d in net.devices.values() for p in d.bgp_peers if p.remote_as > 0xFFFF]
    assert four_byte and all(isinstance(asn, int) for asn in four_byte)
    assert 4266393700 in {d.bgp_asn for d in asdot}  # 65100.100


def test_down_peers_are_sessions_in_the_truth_state() -> None:
    net = build_network("mixed", 60, seed=7)
    down = {(d.platform, p.state) for d in net.devices.values() for p in d.bgp_peers if p.state != "Established"}
    assert {p for p, _ in down} == set(Platform)
    assert {s for _, s in down} == {"Idle", "Active", "Connect"}


def _variation_devices(net: Network) -> list[str]:
    """Devices with a variation beyond "not configured", and one OSPF-off and one BGP-off device per platform."""
    plain = {Variation.OSPF_OFF, Variation.BGP_OFF}
    picked = [h for h, d in net.devices.items() if d.variations - plain]
    for platform in Platform:
        for variation in plain:
            picked += [h for h, d in net.devices.items() if d.platform is platform and variation in d.variations][:1]
    return sorted(set(picked))


@pytest.mark.parametrize(("n", "seed"), [(20, 1), (60, 7)])
def test_variation_devices_print_what_their_state_says(n: int, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every checked command of every variation device, typed into its shell: feature-off and refused-form
    texts exactly as the platform prints them, every other output parsed to the state."""
    monkeypatch.setattr(checks_cisco_ios, "REQUIRE_DATA", False)
    net = build_network("mixed", n, seed=seed)
    checked = 0
    for host in _variation_devices(net):
        dev, rib = net.devices[host], partial(net.rib, host)
        for spec in load_commands(dev.platform):
            if spec.pattern not in CHECKS[dev.platform]:
                continue
            for args in arguments(spec.pattern, dev):
                command = typed(spec.pattern, args)
                shell = Shell(dev, rib, username="lab")
                shell.screen_length = 0  # paging off
                text = "".join(e for e in shell.feed(command + "\r") if isinstance(e, str)).replace("\r\n", "\n")
                body = text.split("\n", 1)[1]  # no echo
                output = body[: body.rfind("\n") + 1]  # no prompt
                check_text(RenderContext(dev, rib, args), spec.pattern, command, output)
                checked += 1
    assert checked > 300
