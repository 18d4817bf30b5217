"""The routes each platform's route table shows for a lab device, as domain records.

Rules per platform (what the CLI prints, not what the RIB holds):

* IOS: a /32 connected prefix appears once, as ``connected`` (no ``local`` twin); attached routes
  print no distance/metric; BGP routes print no interface; BGP type from its distance (200/20).
* NX-OS: every VRF including ``management``; a /32 connected route also appears as ``local``;
  attached routes print [0/0].
* EOS: no local routes; routes without a next-hop address print no distance/metric; a recursive
  next hop prints the egress interface of its longest covering route.
* JunOS: the ``local`` twin of a connected /32 is hidden; a next hop without an interface (iBGP)
  shows the IGP next hops it resolves through; discard (Null0) next hops are not listed;
  preference is the protocol's (150 for external OSPF); metric always for OSPF, else when not 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from netatlas.domain import records as d
from netatlas.lab.model import DeviceState, Ipv6Route, NextHop, Platform, Route, RouteProto

Rib = Callable[[], Sequence[Route]]
ATTACHED = (RouteProto.CONNECTED, RouteProto.LOCAL)
_OSPF_TYPE = {"": "intra", "intra": "intra", "inter": "inter", "ext1": "ext1", "ext2": "ext2"}
_DEFAULT_DISTANCE = {RouteProto.STATIC: 1, RouteProto.OSPF: 110}
_JUNOS_PREFERENCE = {RouteProto.CONNECTED: 0, RouteProto.LOCAL: 0, RouteProto.STATIC: 5, RouteProto.OSPF: 10,
                     RouteProto.BGP: 170}


def _distance(r: Route) -> int:
    if r.distance or r.protocol in ATTACHED:
        return r.distance
    if r.protocol is RouteProto.BGP:
        return 200 if r.bgp_internal else 20
    return _DEFAULT_DISTANCE[r.protocol]


def _route_type(r: Route) -> str:
    if r.protocol is RouteProto.OSPF:
        return _OSPF_TYPE.get(r.ospf_type, r.ospf_type)
    if r.protocol is RouteProto.BGP:
        return "internal" if r.bgp_internal else "external"
    return ""


def _hop(r: Route, hop: NextHop, show_bgp_interface: bool) -> d.NextHop:
    if r.protocol in ATTACHED:
        return d.NextHop("", hop.interface or "")
    interface = hop.interface or ""
    if r.protocol is RouteProto.BGP and not show_bgp_interface:
        interface = ""
    return d.NextHop(str(hop.address) if hop.address else "", interface)


def _record(r: Route, hops: tuple[d.NextHop, ...], distance: int | None, metric: int | None,
            route_type: str, as_path: str = "") -> d.Route:
    return d.Route(r.vrf, str(r.prefix), r.protocol.value, hops, distance, metric, route_type, as_path)


def _ios(dev: DeviceState, rib: list[Route]) -> list[d.Route]:
    connected = {(r.vrf, r.prefix) for r in rib if r.protocol is RouteProto.CONNECTED}
    out = []
    for r in rib:
        if r.protocol is RouteProto.LOCAL and (r.vrf, r.prefix) in connected:
            continue
        shown = r.protocol not in ATTACHED and any(h.address is not None for h in r.next_hops)
        hops = tuple(_hop(r, h, False) for h in r.next_hops)
        dist = _distance(r) if shown else None
        out.append(_record(r, hops, dist, r.metric if shown else None, _route_type(r)))
    return out


def _nxos(dev: DeviceState, rib: list[Route]) -> list[d.Route]:
    have_local = {(r.vrf, r.prefix) for r in rib if r.protocol is RouteProto.LOCAL}
    twins = [
        replace(r, protocol=RouteProto.LOCAL)
        for r in rib
        if r.protocol is RouteProto.CONNECTED and r.prefix.prefixlen == 32 and (r.vrf, r.prefix) not in have_local
    ]
    return [
        _record(r, tuple(_hop(r, h, False) for h in r.next_hops), _distance(r), r.metric, _route_type(r))
        for r in rib + twins
    ]


def _eos_egress(rib: list[Route], vrf: str, hop: NextHop) -> NextHop:
    """EOS prints a recursive next hop with the interface of the longest covering non-default route."""
    if hop.interface or hop.address is None:
        return hop
    covering = [r for r in rib if r.vrf == vrf and hop.address in r.prefix and r.prefix.prefixlen > 0
                and r.next_hops and r.next_hops[0].interface]
    best = max(covering, key=lambda r: r.prefix.prefixlen) if covering else None
    return NextHop(hop.address, best.next_hops[0].interface if best else "Null0")


def _eos(dev: DeviceState, rib: list[Route]) -> list[d.Route]:
    out = []
    for r in rib:
        if r.protocol is RouteProto.LOCAL:
            continue
        shown = r.protocol is not RouteProto.CONNECTED and bool(r.next_hops) and r.next_hops[0].address is not None
        hops = tuple(_hop(r, _eos_egress(rib, r.vrf, h), True) for h in r.next_hops)
        out.append(_record(r, hops, _distance(r) if shown else None, r.metric if shown else None, _route_type(r)))
    return out


def _forwarding(hop: NextHop, rib: list[Route], vrf: str) -> list[NextHop]:
    """A next hop without an interface (iBGP) forwards through the longest IGP/static/connected match."""
    if hop.interface is not None or hop.address is None:
        return [hop]
    address = hop.address
    candidates = [r for r in rib if r.vrf == vrf and r.protocol is not RouteProto.BGP and address in r.prefix]
    best = max(candidates, key=lambda r: r.prefix.prefixlen)
    if best.protocol is RouteProto.CONNECTED:
        return [NextHop(address, best.next_hops[0].interface)]
    return list(best.next_hops)


def _junos(dev: DeviceState, rib: list[Route]) -> list[d.Route]:
    connected = {(r.vrf, r.prefix) for r in rib if r.protocol is RouteProto.CONNECTED}
    out = []
    for r in rib:
        if r.protocol is RouteProto.LOCAL and (r.vrf, r.prefix) in connected:
            continue
        resolved = [h for hop in r.next_hops for h in _forwarding(hop, rib, r.vrf)]
        hops = tuple(_hop(r, h, True) for h in resolved if h.interface not in (None, "Null0"))
        pref = 150 if r.ospf_type.startswith("ext") else _JUNOS_PREFERENCE[r.protocol]
        metric = r.metric if r.protocol is RouteProto.OSPF else (r.metric or None)
        as_path = " ".join(map(str, r.bgp_as_path)) if r.protocol is RouteProto.BGP else ""
        route_type = ""
        out.append(_record(r, hops, pref, metric, route_type, as_path))
    return out + [_junos_v6(r) for r in dev.ipv6_routes]


def _junos_v6(r: Ipv6Route) -> d.Route:
    """An inet6.0 route: stored like an IPv4 one (the record's prefix has room for it)."""
    address = "" if r.protocol in ATTACHED or r.next_hop is None else str(r.next_hop)
    return d.Route("default", str(r.prefix), r.protocol.value, (d.NextHop(address, r.interface),), r.preference,
                   r.metric or None)


_SHOWN = {Platform.CISCO_IOS: _ios, Platform.CISCO_NXOS: _nxos, Platform.ARISTA_EOS: _eos,
          Platform.JUNIPER_JUNOS: _junos}


def routes_shown(dev: DeviceState, rib: Rib) -> list[d.Route]:
    """Every route the platform's whole-RIB command shows, one record per (VRF, prefix, protocol)."""
    return _SHOWN[dev.platform](dev, list(rib()))
