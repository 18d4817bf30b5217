"""A generated network: its devices, what connects them, and the ground truth they imply.

The truth document (``Network.truth()``) is the JSON schema documented in
``docs/truth-format.md``; ``netatlas topology export --format json`` writes the same schema.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from netatlas.lab.model import DeviceState, Interface, NextHop, Route

L2 = "l2"
L3 = "l3"
RIB_CACHE_ROUTES = 1_000_000  # every RIB of a 2,000-device mixed lab (~820k routes) fits


@dataclass(frozen=True, slots=True, order=True)
class End:
    node: str
    interface: str

    def as_dict(self) -> dict[str, str]:
        return {"node": self.node, "interface": self.interface}


@dataclass(slots=True)
class Link:
    a: End
    b: End
    layer: str
    protocols: set[str] = field(default_factory=set)
    vrf: str = "default"

    def as_dict(self) -> dict[str, Any]:
        a, b = sorted((self.a, self.b))
        out: dict[str, Any] = {"a": a.as_dict(), "b": b.as_dict(), "layer": self.layer}
        out["protocols"] = sorted(self.protocols)
        out["vrf"] = self.vrf
        return out


@dataclass(frozen=True, slots=True)
class Endpoint:
    mac: str
    ip: IPv4Address
    vlan: int
    node: str
    interface: str

    def as_dict(self) -> dict[str, Any]:
        return {"mac": self.mac, "ip": str(self.ip), "vlan": self.vlan, "node": self.node,
                "interface": self.interface}


@dataclass(frozen=True, slots=True)
class UnmanagedNode:
    id: str  # normalised host name (lower case, no domain)
    platform: str
    mgmt_ip: IPv4Address | None
    role: str
    site: str


@dataclass(frozen=True, slots=True, eq=False)  # identity semantics: hashing stays cheap in SPF sets
class OspfEdge:
    """One direction of an OSPF adjacency."""

    local: str
    local_if: str
    local_ip: IPv4Address
    remote: str
    remote_if: str
    remote_ip: IPv4Address
    area: str
    cost: int
    p2p: bool


@dataclass(frozen=True, slots=True, eq=False)
class BgpEdge:
    """One direction of a BGP session (default VRF)."""

    local: str
    local_ip: IPv4Address
    local_if: str  # interface holding local_ip (a loopback for iBGP)
    remote: str
    remote_ip: IPv4Address
    remote_if: str
    ebgp: bool


@dataclass(slots=True)
class RoutingPlan:
    """Protocol configuration the RIB computation needs (``netatlas.lab.routing``)."""

    ospf_edges: dict[str, list[OspfEdge]] = field(default_factory=lambda: defaultdict(list))
    bgp_edges: dict[str, list[BgpEdge]] = field(default_factory=lambda: defaultdict(list))
    bgp_originate: dict[str, list[IPv4Network]] = field(default_factory=lambda: defaultdict(list))
    ospf_default_originators: set[str] = field(default_factory=set)
    area_ranges: dict[str, IPv4Network] = field(default_factory=dict)  # area -> summary at its ABRs
    totally_stubby: set[str] = field(default_factory=set)  # areas that get only a default route
    # BGP speaker -> its summary-only aggregates: the more specifics it learns go no further
    bgp_aggregates: dict[str, tuple[IPv4Network, ...]] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)  # per-network caches of netatlas.lab.routing


@dataclass(frozen=True, slots=True)
class OspfAd:
    """A prefix a router advertises into an OSPF area (its own interface subnets)."""

    origin: str
    prefix: IPv4Network
    area: str
    cost: int


class LruCache:
    """Least-recently-used RIBs, bounded by the number of routes held (not devices).

    A discovery job visits every device once; a bound in routes keeps every RIB of a
    mid-size lab (so a second job costs nothing) while capping a 2,000-device lab's memory.
    """

    def __init__(self, max_routes: int) -> None:
        self._max = max_routes
        self._held = 0
        self._data: OrderedDict[str, list[Route]] = OrderedDict()

    def get(self, key: str) -> list[Route] | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: str, value: list[Route]) -> None:
        old = self._data.pop(key, None)
        self._held += len(value) - (len(old) if old is not None else 0)
        self._data[key] = value
        while self._held > self._max and len(self._data) > 1:
            _, evicted = self._data.popitem(last=False)
            self._held -= len(evicted)


@dataclass(slots=True)
class Network:
    scenario: str
    seed: int
    devices: dict[str, DeviceState]
    unmanaged: dict[str, UnmanagedNode]
    l2_links: list[Link]
    endpoints: list[Endpoint]
    routing: RoutingPlan
    faults: dict[str, str] = field(default_factory=dict)
    _ribs: LruCache = field(default_factory=lambda: LruCache(RIB_CACHE_ROUTES))

    def rib(self, hostname: str) -> list[Route]:
        """The device's full RIB (every VRF), computed on first use and cached."""
        cached = self._ribs.get(hostname)
        if cached is None:
            from netatlas.lab.routing import compute_rib

            cached = compute_rib(self, hostname)
            self._ribs.put(hostname, cached)
            self._count_bgp_prefixes(hostname, cached)
        return cached

    def _count_bgp_prefixes(self, hostname: str, rib: list[Route]) -> None:
        """Fill each BGP peer's received-prefix count from the routes it is a next hop of."""
        dev = self.devices[hostname]
        if not dev.bgp_peers:
            return
        per_set: dict[int, int] = defaultdict(int)  # routes share next-hop tuples: count each tuple once
        tuples: dict[int, tuple[NextHop, ...]] = {}
        for route in rib:
            if route.protocol == "bgp":
                per_set[id(route.next_hops)] += 1
                tuples[id(route.next_hops)] = route.next_hops
        counts: dict[int, int] = defaultdict(int)
        for key, n in per_set.items():
            for hop in tuples[key]:
                if hop.address is not None:
                    counts[int(hop.address)] += n
        dev.bgp_peers = [replace(p, prefixes_received=counts.get(int(p.address), 0)) for p in dev.bgp_peers]

    def warm(self) -> int:
        """Compute every device's RIB now (instead of at its first session); returns the route count."""
        return sum(len(self.rib(host)) for host in self.devices)

    def l3_links(self) -> list[Link]:
        """L3 adjacencies: every pair of devices sharing a subnet, plus loopback iBGP sessions."""
        links: dict[tuple[End, End, str], Link] = {}
        for vrf, _prefix, members in self._subnets():
            for i, (host_a, intf_a) in enumerate(members):
                for host_b, intf_b in members[i + 1 :]:
                    if host_a == host_b:
                        continue
                    key = _link_key(End(host_a, intf_a.name), End(host_b, intf_b.name), vrf)
                    links[key] = Link(key[0], key[1], L3, self._protocols(host_a, intf_a, host_b, intf_b),
                                      vrf)
        for host, edges in self.routing.bgp_edges.items():
            for edge in edges:
                key = _link_key(End(host, edge.local_if), End(edge.remote, edge.remote_if), "default")
                link = links.setdefault(key, Link(key[0], key[1], L3, set(), "default"))
                link.protocols.discard("subnet")
                link.protocols.add("bgp")
        return list(links.values())

    def _subnets(self) -> Iterator[tuple[str, IPv4Network, list[tuple[str, Interface]]]]:
        groups: dict[tuple[str, IPv4Network], list[tuple[str, Interface]]] = defaultdict(list)
        for host, dev in self.devices.items():
            for intf in dev.interfaces:
                if intf.ipv4 is None or intf.ipv4.network.prefixlen == 32 or intf.kind == "mgmt":
                    continue
                groups[(intf.vrf, intf.ipv4.network)].append((host, intf))
        for (vrf, prefix), members in groups.items():
            yield vrf, prefix, members

    def _protocols(self, host_a: str, intf_a: Interface, host_b: str, intf_b: Interface) -> set[str]:
        protocols: set[str] = set()
        if _ospf_active(intf_a) and _ospf_active(intf_b) and intf_a.ospf_area == intf_b.ospf_area:
            protocols.add("ospf")
        assert intf_a.ipv4 is not None and intf_b.ipv4 is not None
        if self._bgp_between(host_a, intf_a.name, intf_b.ipv4.ip):
            protocols.add("bgp")
        if _static_via(self.devices[host_a], intf_b) or _static_via(self.devices[host_b], intf_a):
            protocols.add("static")
        return protocols or {"subnet"}

    def _bgp_between(self, host: str, local_if: str, remote_ip: IPv4Address) -> bool:
        """A session from ``host`` over ``local_if`` to ``remote_ip`` (the interface too: a VRF may
        reuse the session's addresses on another interface, and it carries no session)."""
        return any(edge.remote_ip == remote_ip and edge.local_if == local_if
                   for edge in self.routing.bgp_edges.get(host, ()))

    def truth(self) -> dict[str, Any]:
        nodes: list[dict[str, Any]] = [
            {"id": h, "kind": "device", "platform": str(d.platform), "mgmt_ip": str(d.mgmt_ip),
             "site": d.site, "role": d.role}
            for h, d in sorted(self.devices.items())
        ]
        nodes += [
            {"id": u.id, "kind": "unmanaged", "platform": u.platform,
             "mgmt_ip": str(u.mgmt_ip) if u.mgmt_ip else None, "site": u.site, "role": u.role}
            for u in sorted(self.unmanaged.values(), key=lambda u: u.id)
        ]
        nodes += [
            {"id": e.mac, "kind": "endpoint", "platform": None, "mgmt_ip": str(e.ip),
             "site": self.devices[e.node].site, "role": "host"}
            for e in sorted(self.endpoints, key=lambda e: e.mac)
        ]
        heard = [link for link in self.l2_links if link.protocols]
        hidden = [link for link in self.l2_links if not link.protocols]
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "nodes": nodes,
            "links": _sorted_links(heard + self.l3_links()),
            "hidden_links": _sorted_links(hidden),
            "endpoints": [e.as_dict() for e in sorted(self.endpoints, key=lambda e: e.mac)],
            "faults": [{"node": h, "kind": k} for h, k in sorted(self.faults.items())],
            "variations": {h: sorted(map(str, d.variations)) for h, d in sorted(self.devices.items()) if d.variations},
        }


def _sorted_links(links: list[Link]) -> list[dict[str, Any]]:
    out = [link.as_dict() for link in links]
    out.sort(key=lambda d: (d["layer"], d["a"]["node"], d["a"]["interface"], d["b"]["node"], d["b"]["interface"],
                            d["vrf"]))
    return out


def _link_key(a: End, b: End, vrf: str) -> tuple[End, End, str]:
    first, second = sorted((a, b))
    return first, second, vrf


def _ospf_active(intf: Interface) -> bool:
    return intf.ospf_area is not None and not intf.ospf_passive


def _static_via(dev: DeviceState, remote: Interface) -> bool:
    assert remote.ipv4 is not None
    return any(hop.address == remote.ipv4.ip and route.vrf == remote.vrf
               for route in dev.static_routes for hop in route.next_hops)
