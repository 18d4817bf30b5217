"""``show ip bgp summary`` (one or all VRFs) and the ``show ip bgp`` table."""

from __future__ import annotations

from netatlas.lab.model import BgpPeer, DeviceState, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import eos_age, lines
from netatlas.lab.render.variations import asn_text

_STATES = {"Established": "Estab"}


def peer_state(peer: BgpPeer) -> str:
    """EOS abbreviates ``Established`` to ``Estab``; other FSM states print as they are."""
    return _STATES.get(peer.state, peer.state)


def _peer_row(peer: BgpPeer, with_description: bool, dot: bool) -> str:
    established = peer.state == "Established"
    counts = f"{peer.prefixes_received:<6} {peer.prefixes_received}" if established else ""
    uptime = eos_age(peer.uptime)
    row = (
        f"{peer.address!s:<16} 4  {asn_text(peer.remote_as, dot=dot):<12} "
        f"{peer.msg_rcvd:>7}   {peer.msg_sent:>7}    0    0 "
        f"{uptime:>8} {peer_state(peer):<6} {counts}"
    )
    if with_description:
        row = f"{peer.description[:24]:<24} {row}"
    return f"  {row}".rstrip()


def _summary(dev: DeviceState, vrf: str) -> list[str]:
    peers = [p for p in dev.bgp_peers if p.vrf == vrf]
    described = any(p.description for p in peers)
    header = "Neighbor         V  AS           MsgRcvd   MsgSent  InQ OutQ  Up/Down State  PfxRcd PfxAcc"
    if described:
        header = f"{'Description':<24} {header}"
    return [
        f"BGP summary information for VRF {vrf}",
        f"Router identifier {dev.bgp_router_id}, local AS number {asn_text(dev.bgp_asn or 0, dot=dev.asdot)}",
        "Neighbor Status Codes: m - Under maintenance",
        f"  {header}",
        *(_peer_row(p, described, dev.asdot) for p in peers),
    ]


def show_ip_bgp_summary(ctx: RenderContext) -> str:
    if ctx.dev.bgp_asn is None:
        return ""
    return lines(_summary(ctx.dev, "default"))


def show_ip_bgp_summary_vrf_all(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return ""
    vrfs = [v for v in dev.vrf_names() if v == "default" or any(p.vrf == v for p in dev.bgp_peers)]
    rows: list[str] = []
    for vrf in vrfs:
        rows += _summary(dev, vrf)
    return lines(rows)


_BGP_LEGEND = (
    "Route status codes: s - suppressed, * - valid, > - active, # - not installed, E - ECMP head, e - ECMP",
    "                    S - Stale, c - Contributing to ECMP, b - backup",
    "Origin codes: i - IGP, e - EGP, ? - incomplete",
    "AS Path Attributes: Or-ID - Originator ID, C-LST - Cluster List, LL Nexthop - Link Local Nexthop",
    "",
    "       Network             Next Hop         Metric  LocPref Weight Path",
)


def show_ip_bgp(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return ""
    rows = [
        "BGP routing table information for VRF default",
        f"Router identifier {dev.bgp_router_id}, local AS number {asn_text(dev.bgp_asn, dot=dev.asdot)}",
        *_BGP_LEGEND,
    ]
    routes = [r for r in ctx.routes("default") if r.protocol is RouteProto.BGP]
    for route in sorted(routes, key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen)):
        path = " ".join(asn_text(asn, dot=dev.asdot) for asn in route.bgp_as_path)
        for n, hop in enumerate(route.next_hops):
            status = " * >" if n == 0 else " *  "
            rows.append(
                f"{status}   {route.prefix!s:<19} {hop.address!s:<16} {route.metric:<7} "
                f"{route.bgp_local_pref:<7} {0:<7} {path + ' ' if path else ''}i"
            )
    return lines(rows)
