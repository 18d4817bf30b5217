"""Routing protocol views: OSPF neighbors, BGP summaries and the BGP table."""

from __future__ import annotations

from ipaddress import IPv4Address

from netatlas.lab.model import BgpPeer, DeviceState, OspfNeighbor, Route, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import area_text, lines, require_vrf
from netatlas.lab.render.variations import asn_text

_NO_ROUTER = str(IPv4Address(0))


def _ospf_state(nbr: OspfNeighbor) -> str:
    return "FULL/  -" if nbr.role == "-" else f"FULL/{nbr.role}"


def _dead(nbr: OspfNeighbor) -> str:
    return (
        f"00:00:{nbr.dead_time_s:02d}"
        if nbr.dead_time_s < 60
        else f"00:{nbr.dead_time_s // 60:02d}:{nbr.dead_time_s % 60:02d}"
    )


def show_ip_ospf_neighbor(ctx: RenderContext) -> str:
    rows = ["", "Neighbor ID     Pri   State           Dead Time   Address         Interface"]
    for nbr in ctx.dev.ospf_neighbors:
        rows.append(
            f"{nbr.router_id!s:<15} {nbr.priority:>3}   {_ospf_state(nbr):<15} {_dead(nbr):<11} "
            f"{nbr.address!s:<15} {nbr.interface}"
        )
    return lines(rows)


def _dr_bdr(dev: DeviceState, nbr: OspfNeighbor) -> tuple[str, str]:
    if nbr.role == "-":
        return _NO_ROUTER, _NO_ROUTER
    own = next((i.ipv4 for i in dev.interfaces if i.name == nbr.interface and i.ipv4), None)
    mine = str(own.ip) if own else _NO_ROUTER
    return (str(nbr.address), mine) if nbr.role == "DR" else (mine, str(nbr.address))


def _ospf_detail(dev: DeviceState, nbr: OspfNeighbor, index: int) -> list[str]:
    dr, bdr = _dr_bdr(dev, nbr)
    return [
        f" Neighbor {nbr.router_id}, interface address {nbr.address}",
        f"    In the area {area_text(nbr.area)} via interface {nbr.interface}",
        f"    Neighbor priority is {nbr.priority}, State is FULL, 6 state changes",
        f"    DR is {dr} BDR is {bdr}",
        "    Options is 0x52",
        "    LLS Options is 0x1 (LR), last OOB-Resync 03:12:41 ago",
        f"    Dead timer due in {_dead(nbr)}",
        "    Neighbor is up for 03:12:44",
        f"    Index {index}/{index}, retransmission queue length 0, number of retransmission 1",
        "    First 0x0(0)/0x0(0) Next 0x0(0)/0x0(0)",
        "    Last retransmission scan length is 1, maximum is 1",
        "    Last retransmission scan time is 0 msec, maximum is 0 msec",
    ]


def show_ip_ospf_neighbor_detail(ctx: RenderContext) -> str:
    nbrs = ctx.dev.ospf_neighbors
    return lines(row for i, nbr in enumerate(nbrs, 1) for row in _ospf_detail(ctx.dev, nbr, i))


def _table_version(dev: DeviceState) -> int:
    return 10 + 3 * sum(p.prefixes_received for p in dev.bgp_peers)


def _peer_row(dev: DeviceState, peer: BgpPeer) -> str:
    state = str(peer.prefixes_received) if peer.state == "Established" else peer.state
    uptime = peer.uptime if peer.state == "Established" else "never"
    rcvd, sent = (peer.msg_rcvd, peer.msg_sent) if peer.state == "Established" else (0, 0)
    tblver = _table_version(dev) if peer.state == "Established" else 1
    return (
        f"{peer.address!s:<15} 4 {asn_text(peer.remote_as, dot=dev.asdot):>12} "
        f"{rcvd:>7} {sent:>7} {tblver:>8} {0:>4} {0:>4} "
        f"{uptime:<8} {state:>8}"
    )


def _local_as(dev: DeviceState) -> str:
    return asn_text(dev.bgp_asn or 0, dot=dev.asdot)


def _summary_block(dev: DeviceState, peers: list[BgpPeer]) -> list[str]:
    paths = sum(p.prefixes_received for p in peers)
    version = _table_version(dev)
    return [
        f"BGP router identifier {dev.bgp_router_id}, local AS number {_local_as(dev)}",
        f"BGP table version is {version}, main routing table version {version}",
        f"{paths} network entries using {paths * 248} bytes of memory",
        f"{paths} path entries using {paths * 136} bytes of memory",
        f"{len(peers) + 1}/{len(peers)} BGP path/bestpath attribute entries using "
        f"{(len(peers) + 1) * 288} bytes of memory",
        f"{len(peers)} BGP AS-PATH entries using {len(peers) * 40} bytes of memory",
        "0 BGP route-map cache entries using 0 bytes of memory",
        "0 BGP filter-list cache entries using 0 bytes of memory",
        f"BGP using {paths * 384 + (len(peers) + 1) * 328} total bytes of memory",
        f"BGP activity {paths}/0 prefixes, {paths}/0 paths, scan interval 60 secs",
        f"{paths} networks peaked at 10:25:02 Jan 3 2022 UTC (5w3d ago)",
        "",
        "Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd",
        *[_peer_row(dev, p) for p in peers],
    ]


def show_ip_bgp_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "% BGP not active\n\n"
    return lines([*_summary_block(dev, [p for p in dev.bgp_peers if p.vrf == "default"]), ""])


def show_ip_bgp_vpnv4_vrf_summary(ctx: RenderContext) -> str:
    """One VRF's sessions (``show ip bgp summary`` shows the global ones only); nothing without any."""
    dev, vrf = ctx.dev, require_vrf(ctx)
    if dev.bgp_asn is None:
        return "% BGP not active\n\n"
    peers = [p for p in dev.bgp_peers if p.vrf == vrf]
    return lines([*_summary_block(dev, peers), ""]) if peers else ""


def show_bgp_all_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "% BGP not active\n\n"
    rows = ["For address family: IPv4 Unicast"]
    rows += _summary_block(dev, [p for p in dev.bgp_peers if p.vrf == "default"])
    vrf_peers = [p for p in dev.bgp_peers if p.vrf != "default"]
    if vrf_peers:
        rows += ["", "For address family: VPNv4 Unicast", *_summary_block(dev, vrf_peers)]
    return lines([*rows, ""])


_BGP_LEGEND = """\
Status codes: s suppressed, d damped, h history, * valid, > best, i - internal,\x20
              r RIB-failure, S Stale, m multipath, b backup-path, f RT-Filter,\x20
              x best-external, a additional-path, c RIB-compressed,\x20
              t secondary path, L long-lived-stale,
Origin codes: i - IGP, e - EGP, ? - incomplete
RPKI validation codes: V valid, I invalid, N Not found
"""


def _bgp_path_lines(route: Route, dot: bool) -> list[str]:
    out: list[str] = []
    network = str(route.prefix)
    for index, hop in enumerate(route.next_hops):
        status = ("*>" if index == 0 else "*m") + ("i" if route.bgp_internal else " ")
        locprf = str(route.bgp_local_pref) if route.bgp_internal else ""
        path = " ".join(asn_text(asn, dot=dot) for asn in route.bgp_as_path)
        tail = f"{hop.address!s:<15} {route.metric:>10} {locprf:>6} {0:>6} {path + ' ' if path else ''}i"
        shown = network if index == 0 else ""
        if len(shown) > 16:
            out += [f" {status}  {shown}", " " * 23 + tail]
        else:
            out.append(f" {status}  {shown:<16} {tail}")
    return out


def show_ip_bgp(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "% BGP not active\n\n"
    routes = [r for r in ctx.routes("default") if r.protocol is RouteProto.BGP]
    routes.sort(key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))
    rows = [
        f"BGP table version is {_table_version(dev)}, local router ID is {dev.bgp_router_id}",
        _BGP_LEGEND,
        "     Network          Next Hop            Metric LocPrf Weight Path",
    ]
    rows += [row for route in routes for row in _bgp_path_lines(route, dev.asdot)]
    return lines(rows)
