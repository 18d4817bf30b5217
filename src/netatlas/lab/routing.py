"""Compute a lab device's RIB from the network's routing plan.

Connected and local routes come from interfaces, static routes from the device, OSPF and
BGP routes from a shortest-path computation with ECMP over the adjacencies the scenario
built. The model covers what the scenarios use: intra-area and inter-area OSPF (area
ranges summarised at the ABRs, totally stubby areas that get a default), an external
default (``default-information originate``), and eBGP/iBGP path vectors with multipath,
summary-only aggregates (a speaker holding an aggregate passes none of the more specifics it
covers on; the aggregate, originated by several speakers with the same AS path, is multipath).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from netatlas.lab.model import DeviceState, NextHop, Platform, Route, RouteProto

if TYPE_CHECKING:
    from netatlas.lab.network import BgpEdge, Network, OspfAd, OspfEdge

BACKBONE = "0.0.0.0"  # noqa: S104 - an OSPF area id, not a bind address
DEFAULT = IPv4Network("0.0.0.0/0")

# Administrative distance per platform: (connected, static, ospf, ospf external, ebgp, ibgp).
_DISTANCES: dict[Platform, tuple[int, int, int, int, int, int]] = {
    Platform.CISCO_IOS: (0, 1, 110, 110, 20, 200),
    Platform.CISCO_NXOS: (0, 1, 110, 110, 20, 200),
    Platform.ARISTA_EOS: (0, 1, 110, 110, 20, 200),
    Platform.JUNIPER_JUNOS: (0, 5, 10, 150, 170, 170),
}


def distance(platform: Platform, protocol: RouteProto, *, external: bool = False, internal: bool = False,
             ) -> int:
    conn, static, ospf, ospf_ext, ebgp, ibgp = _DISTANCES[platform]
    table = {
        RouteProto.CONNECTED: conn, RouteProto.LOCAL: conn, RouteProto.STATIC: static,
        RouteProto.OSPF: ospf_ext if external else ospf, RouteProto.BGP: ibgp if internal else ebgp,
    }
    return table[protocol]


E = TypeVar("E", bound=Hashable)


@dataclass(slots=True)
class Spf(Generic[E]):
    dist: dict[str, int]
    first: dict[str, set[E]]
    pred: dict[str, str]


def spf(source: str, edges: Callable[[str], Iterable[E]], hop: Callable[[E], tuple[str, int]]) -> Spf[E]:
    """Dijkstra with ECMP first-hop sets: ``first[x]`` are the source's edges on a shortest path."""
    dist: dict[str, int] = {source: 0}
    first: dict[str, set[E]] = {source: set()}
    pred: dict[str, str] = {}
    done: set[str] = set()
    heap: list[tuple[int, str]] = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for edge in edges(node):
            remote, weight = hop(edge)
            nd = d + weight
            via = {edge} if node == source else first[node]
            if remote not in dist or nd < dist[remote]:
                dist[remote], first[remote], pred[remote] = nd, set(via), node
                heapq.heappush(heap, (nd, remote))
            elif nd == dist[remote] and remote not in done:
                first[remote] |= via
    return Spf(dist, first, pred)


def compute_rib(net: Network, host: str) -> list[Route]:
    dev = net.devices[host]
    candidates = [*connected_routes(dev), *dev.static_routes, *ospf_routes(net, host), *bgp_routes(net, host)]
    best: dict[tuple[str, int, int, bool], Route] = {}
    for route in candidates:
        key = (route.vrf, int(route.prefix.network_address), route.prefix.prefixlen,
               route.protocol == RouteProto.LOCAL)
        if key not in best or route.distance < best[key].distance:
            best[key] = route
    order = {name: i for i, name in enumerate(dev.vrf_names())}
    return sorted(best.values(), key=lambda r: (order.get(r.vrf, 99), int(r.prefix.network_address),
                                                 r.prefix.prefixlen, r.protocol != RouteProto.CONNECTED))


def connected_routes(dev: DeviceState) -> list[Route]:
    routes: list[Route] = []
    for intf in dev.interfaces:
        if intf.ipv4 is None or not intf.oper_up:
            continue
        hop = (NextHop(None, intf.name),)
        routes.append(Route(intf.ipv4.network, RouteProto.CONNECTED, hop, intf.vrf))
        if intf.ipv4.network.prefixlen < 32:
            routes.append(Route(IPv4Network(f"{intf.ipv4.ip}/32"), RouteProto.LOCAL, hop, intf.vrf))
    return routes


# -- OSPF ------------------------------------------------------------------------------------
def _cached(net: Network, key: str, build: Callable[[], Any]) -> Any:
    derived = net.routing.derived
    if key not in derived:
        derived[key] = build()
    return derived[key]


def _ads(net: Network) -> dict[str, list[OspfAd]]:
    def build() -> dict[str, list[OspfAd]]:
        from netatlas.lab.network import OspfAd

        ads: dict[str, list[OspfAd]] = defaultdict(list)
        for host, dev in net.devices.items():
            for intf in dev.interfaces:
                if intf.ospf_area is not None and intf.ipv4 is not None and intf.vrf == "default":
                    ads[intf.ospf_area].append(OspfAd(host, intf.ipv4.network, intf.ospf_area, intf.ospf_cost))
        return dict(ads)

    result: dict[str, list[OspfAd]] = _cached(net, "ospf_ads", build)
    return result


def _device_areas(net: Network) -> dict[str, frozenset[str]]:
    result: dict[str, frozenset[str]] = _cached(
        net, "areas", lambda: {h: frozenset(_areas(d)) for h, d in net.devices.items()})
    return result


def _abrs(net: Network, area: str) -> list[str]:
    def build() -> dict[str, list[str]]:
        by_area: dict[str, list[str]] = defaultdict(list)
        for host, areas in sorted(_device_areas(net).items()):
            if BACKBONE in areas:
                for other in areas - {BACKBONE}:
                    by_area[other].append(host)
        return dict(by_area)

    table: dict[str, list[str]] = _cached(net, "abrs", build)
    return table.get(area, [])


def _area_spf(net: Network, host: str, area: str | None) -> Spf[OspfEdge]:
    edges = net.routing.ospf_edges

    def out(node: str) -> Iterable[OspfEdge]:
        return [e for e in edges.get(node, ()) if area is None or e.area == area]

    return spf(host, out, lambda e: (e.remote, e.cost))


def _summaries(net: Network) -> dict[str, list[tuple[IPv4Network, str, int]]]:
    """Per area: (prefix, ABR, cost from that ABR) of what the area's ABRs inject into area 0."""

    def build() -> dict[str, list[tuple[IPv4Network, str, int]]]:
        out: dict[str, list[tuple[IPv4Network, str, int]]] = {}
        for area, area_ads in _ads(net).items():
            if area == BACKBONE:
                continue
            summary = net.routing.area_ranges.get(area)
            best: dict[tuple[IPv4Network, str], int] = {}
            for abr in _abrs(net, area):
                inner = _area_spf(net, abr, area)
                for ad in area_ads:
                    if ad.origin not in inner.dist:
                        continue
                    ranged = summary is not None and ad.prefix.subnet_of(summary)
                    prefix = summary if ranged and summary is not None else ad.prefix
                    cost = 1 if ranged else inner.dist[ad.origin] + ad.cost
                    key = (prefix, abr)
                    best[key] = min(best.get(key, cost), cost)
            out[area] = [(prefix, abr, cost) for (prefix, abr), cost in best.items()]
        return out

    result: dict[str, list[tuple[IPv4Network, str, int]]] = _cached(net, "summaries", build)
    return result


@dataclass(slots=True)
class _Best:
    metric: int
    kind: str
    first: set[OspfEdge]


_RANK = {"intra": 0, "inter": 1, "ext2": 2}


def _offer(table: dict[IPv4Network, _Best], prefix: IPv4Network, metric: int, kind: str,
           first: set[OspfEdge]) -> None:
    if not first:
        return
    cur = table.get(prefix)
    if cur is None or (_RANK[kind], metric) < (_RANK[cur.kind], cur.metric):
        table[prefix] = _Best(metric, kind, set(first))
    elif (_RANK[kind], metric) == (_RANK[cur.kind], cur.metric):
        cur.first |= first


def _areas(dev: DeviceState) -> set[str]:
    return {i.ospf_area for i in dev.interfaces if i.ospf_area is not None and i.vrf == "default"}


def ospf_routes(net: Network, host: str) -> list[Route]:
    dev = net.devices[host]
    mine = set(_device_areas(net)[host])
    if not mine:
        return []
    local = {i.ipv4.network for i in dev.interfaces if i.ipv4 is not None}
    table: dict[IPv4Network, _Best] = {}
    ads = _ads(net)
    for area in mine:
        tree = _area_spf(net, host, area)
        for ad in ads.get(area, ()):
            if ad.origin != host and ad.origin in tree.dist and ad.prefix not in local:
                _offer(table, ad.prefix, tree.dist[ad.origin] + ad.cost, "intra", tree.first[ad.origin])
    if BACKBONE in mine:
        _inter_area(net, host, mine, local, table)
    elif mine <= net.routing.totally_stubby:
        _stub_default(net, host, mine, table)
    if BACKBONE in mine or not mine <= net.routing.totally_stubby:
        _external_default(net, host, table)
    return [
        Route(prefix, RouteProto.OSPF, _hops(best.first), "default",
              distance(dev.platform, RouteProto.OSPF, external=best.kind == "ext2"), best.metric,
              ospf_type=best.kind)
        for prefix, best in table.items()
    ]


def _inter_area(net: Network, host: str, mine: set[str], local: set[IPv4Network],
                table: dict[IPv4Network, _Best]) -> None:
    backbone = _area_spf(net, host, BACKBONE)
    for area, injected in _summaries(net).items():
        if area in mine:
            continue
        for prefix, abr, cost in injected:
            if abr in backbone.dist and prefix not in local:
                _offer(table, prefix, backbone.dist[abr] + cost, "inter", backbone.first[abr])


def _stub_default(net: Network, host: str, mine: set[str], table: dict[IPv4Network, _Best]) -> None:
    for area in mine:
        tree = _area_spf(net, host, area)
        for abr in _abrs(net, area):
            if abr in tree.dist and abr != host:
                _offer(table, DEFAULT, tree.dist[abr] + 1, "inter", tree.first[abr])


def _external_default(net: Network, host: str, table: dict[IPv4Network, _Best]) -> None:
    origins = net.routing.ospf_default_originators - {host}
    if not origins or host in net.routing.ospf_default_originators:
        return
    tree = _area_spf(net, host, None)
    reachable = [o for o in origins if o in tree.dist]
    if reachable:
        nearest = min(tree.dist[o] for o in reachable)
        first = set().union(*(tree.first[o] for o in reachable if tree.dist[o] == nearest))
        _offer(table, DEFAULT, 1, "ext2", first)


def _hops(edges: Iterable[OspfEdge]) -> tuple[NextHop, ...]:
    ordered = sorted(edges, key=lambda e: (int(e.remote_ip), e.local_if))
    return tuple(NextHop(e.remote_ip, e.local_if) for e in ordered)


# -- BGP -------------------------------------------------------------------------------------
def bgp_routes(net: Network, host: str) -> list[Route]:
    dev = net.devices[host]
    if dev.bgp_asn is None:
        return []
    edges = net.routing.bgp_edges
    tree = spf(host, lambda n: edges.get(n, ()), lambda e: (e.remote, 1000 if e.ebgp else 1))
    local = {_key(i.ipv4.network) for i in dev.interfaces if i.ipv4 is not None}
    routes: list[Route] = []
    hop_sets: dict[frozenset[int], tuple[NextHop, ...]] = {}  # one tuple per distinct first-hop set
    aggregates = net.routing.bgp_aggregates
    for origin, prefixes in net.routing.bgp_originate.items():
        if origin == host or origin not in tree.dist:
            continue
        path = _as_path(net, tree.pred, host, origin)
        if path is None:
            continue
        first = tree.first[origin]
        internal = all(not e.ebgp for e in first)
        key = frozenset(map(id, first))
        hops = hop_sets.get(key) or hop_sets.setdefault(key, _bgp_hops(first))
        dist = distance(dev.platform, RouteProto.BGP, internal=internal)
        hidden = _aggregated_on_the_way(aggregates, tree.pred, host, origin) if aggregates else ()
        routes += [Route(p, RouteProto.BGP, hops, "default", dist, 0, bgp_internal=internal, bgp_as_path=path)
                   for p in prefixes if _key(p) not in local and not _covered(p, hidden)]
    return _multipath(routes) if aggregates else routes


def _aggregated_on_the_way(aggregates: Mapping[str, tuple[IPv4Network, ...]], pred: Mapping[str, str], host: str,
                           origin: str) -> tuple[IPv4Network, ...]:
    """The summary-only aggregates of the speakers between ``origin`` and ``host`` (both excluded)."""
    hidden: list[IPv4Network] = []
    node = pred[origin]
    while node != host:
        hidden += aggregates.get(node, ())
        node = pred[node]
    return tuple(hidden)


def _covered(prefix: IPv4Network, aggregates: Iterable[IPv4Network]) -> bool:
    return any(prefix != agg and prefix.subnet_of(agg) for agg in aggregates)


def _multipath(routes: list[Route]) -> list[Route]:
    """One route per prefix and AS path: the same aggregate from several speakers, its hops merged.

    Examples:
        >>> from ipaddress import IPv4Address
        >>> hop = lambda ip: (NextHop(IPv4Address(ip), "Ethernet1"),)
        >>> agg = IPv4Network("172.16.0.0/12")
        >>> merged = _multipath([Route(agg, RouteProto.BGP, hop("10.0.0.3"), bgp_as_path=(65000,)),
        ...                      Route(agg, RouteProto.BGP, hop("10.0.0.1"), bgp_as_path=(65000,))])
        >>> [str(h.address) for h in merged[0].next_hops]
        ['10.0.0.1', '10.0.0.3']
    """
    merged: dict[tuple[IPv4Network, bool, tuple[int, ...]], Route] = {}
    for route in routes:
        key = (route.prefix, route.bgp_internal, route.bgp_as_path)
        seen = merged.get(key)
        if seen is None:
            merged[key] = route
            continue
        hops = {(int(h.address or 0), h.interface or ""): h for h in (*seen.next_hops, *route.next_hops)}
        merged[key] = replace(seen, next_hops=tuple(hops[k] for k in sorted(hops)))
    return list(merged.values())


def _key(prefix: IPv4Network) -> tuple[int, int]:
    return int(prefix.network_address), prefix.prefixlen


def _as_path(net: Network, pred: Mapping[str, str], host: str, origin: str) -> tuple[int, ...] | None:
    """AS path as ``host`` sees it, or None when it would contain ``host``'s own AS (a loop)."""
    chain = [origin]
    while chain[-1] != host:
        chain.append(pred[chain[-1]])
    own = net.devices[host].bgp_asn
    raw = [net.devices[node].bgp_asn for node in reversed(chain[:-1])]
    while raw and raw[0] == own:
        raw.pop(0)  # iBGP hops inside our own AS
    if own in raw:
        return None
    path: list[int] = []
    for asn in raw:
        assert asn is not None
        if not path or path[-1] != asn:
            path.append(asn)
    return tuple(path)


def _bgp_hops(edges: Iterable[BgpEdge]) -> tuple[NextHop, ...]:
    unique = {(int(e.remote_ip), e.local_if if e.ebgp else None): e for e in edges}
    return tuple(NextHop(unique[k].remote_ip, k[1]) for k in sorted(unique, key=lambda k: (k[0], k[1] or "")))
