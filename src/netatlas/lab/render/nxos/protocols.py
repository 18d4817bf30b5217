"""Routing protocol views: show ip ospf neighbors, show ip bgp summary."""

from __future__ import annotations

from netatlas.lab.model import BgpPeer, DeviceState, OspfNeighbor, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.variations import asn_text

from ._fmt import join, short_if, vrf_list

_OSPF_UPTIME = "3w2d"


def ospf_state(nbr: OspfNeighbor) -> str:
    role = " -" if nbr.role in ("-", "") else nbr.role
    return f"FULL/{role}"


def _ospf_row(nbr: OspfNeighbor) -> str:
    return (
        f" {nbr.router_id!s:<15}{nbr.priority:>4} {ospf_state(nbr):<16} {_OSPF_UPTIME:<8} "
        f"{nbr.address!s:<15} {short_if(nbr.interface)}"
    )


def _ospf_vrf(dev: DeviceState, vrf: str) -> list[str]:
    nbrs = [n for n in dev.ospf_neighbors if n.vrf == vrf]
    return [
        f" OSPF Process ID {dev.ospf_process} VRF {vrf}",
        f" Total number of neighbors: {len(nbrs)}",
        " Neighbor ID     Pri State            Up Time  Address         Interface",
        *[_ospf_row(n) for n in nbrs],
    ]


def ospf_vrfs(dev: DeviceState) -> list[str]:
    """VRFs OSPF runs in: default when configured, plus any VRF with a neighbor."""
    used = {n.vrf for n in dev.ospf_neighbors}
    if dev.ospf_router_id is not None:
        used.add("default")
    return [v for v in vrf_list(dev) if v in used]


def show_ip_ospf_neighbors(ctx: RenderContext) -> str:
    dev = ctx.dev
    return join(_ospf_vrf(dev, "default")) if "default" in ospf_vrfs(dev) else ""


def show_ip_ospf_neighbors_vrf_all(ctx: RenderContext) -> str:
    lines: list[str] = []
    for vrf in ospf_vrfs(ctx.dev):
        lines += _ospf_vrf(ctx.dev, vrf)
    return join(lines)


def bgp_state(peer: BgpPeer) -> str:
    return str(peer.prefixes_received) if peer.state == "Established" else peer.state


def _bgp_row(peer: BgpPeer, table_version: int, dot: bool) -> str:
    return (
        f"{peer.address!s:<15} 4 {asn_text(peer.remote_as, dot=dot):>5} {peer.msg_rcvd:>7} {peer.msg_sent:>7} "
        f"{table_version:>8} {0:>4} {0:>4} {peer.uptime:>8} {bgp_state(peer)}"
    )


def _bgp_vrf(ctx: RenderContext, vrf: str) -> list[str]:
    dev = ctx.dev
    peers = [p for p in dev.bgp_peers if p.vrf == vrf]
    paths = sum(len(r.next_hops) for r in ctx.routes(vrf) if r.protocol == RouteProto.BGP)
    entries = len([r for r in ctx.routes(vrf) if r.protocol == RouteProto.BGP])
    up = sum(1 for p in peers if p.state == "Established")
    version = entries * 2 + 7
    local_as = asn_text(dev.bgp_asn or 0, dot=dev.asdot)
    return [
        f"BGP summary information for VRF {vrf}, address family IPv4 Unicast",
        f"BGP router identifier {dev.bgp_router_id or dev.ospf_router_id}, local AS number {local_as}",
        f"BGP table version is {version}, IPv4 Unicast config peers {len(peers)}, capable peers {up}",
        f"{entries} network entries and {paths} paths using {entries * 144 + paths * 120} bytes of memory",
        f"BGP attribute entries [{paths}/{paths * 144}], BGP AS path entries [{len(peers)}/{len(peers) * 24}]",
        "BGP community entries [0/0], BGP clusterlist entries [0/0]",
        "",
        "Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd",
        *[_bgp_row(p, version, dev.asdot) for p in peers],
        "",
    ]


def bgp_vrfs(dev: DeviceState) -> list[str]:
    """VRFs BGP runs in: default whenever BGP is configured, plus any VRF with a peer."""
    if dev.bgp_asn is None:
        return []
    used = {p.vrf for p in dev.bgp_peers} | {"default"}
    return [v for v in vrf_list(dev) if v in used]


def show_ip_bgp_summary(ctx: RenderContext) -> str:
    return join(_bgp_vrf(ctx, "default")) if ctx.dev.bgp_asn is not None else ""


def show_ip_bgp_summary_vrf_all(ctx: RenderContext) -> str:
    lines: list[str] = []
    for vrf in bgp_vrfs(ctx.dev):
        lines += _bgp_vrf(ctx, vrf)
    return join(lines)
