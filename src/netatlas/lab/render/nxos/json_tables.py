"""``| json`` of the table commands: ARP, MAC, OSPF neighbors, BGP summary (NX-OS 9.3/10.x keys).

Public samples read: NAPALM's ``test_get_arp_table/normal/show_ip_arp.json`` (``TABLE_vrf``/
``TABLE_adj``: ``ip-addr-out``, ``time-stamp``, ``mac``, ``intf-out``, ``cnt-total`` a number) and
``test_get_bgp_neighbors/*/show_bgp_all_summary_vrf_all.json`` (``vrf-name-out``, ``vrf-local-as``,
``TABLE_af``/``TABLE_saf``/``TABLE_neighbor``; ``msgrecvd``/``msgsent`` numbers, the rest strings);
an NX-OS telemetry capture of ``show mac address-table`` (``disp_mac_addr``, ``disp_type``,
``disp_vlan``, ``disp_age``, ``disp_is_secure``/``disp_is_ntfy`` ``F``, ``disp_port``); the
``TABLE_ctx``/``TABLE_nbr`` example of an NX-OS on-box Python guide (``ptag``, ``cname``,
``nbrcount``, ``rid``, ``priority``, ``state``, ``drstate``, ``uptime`` in ISO 8601, ``addr``, ``intf``).
"""

from __future__ import annotations

from netatlas.lab.model import BgpPeer, DeviceState, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.variations import asn_text

from ._fmt import check_vrf, dotted_mac, short_if, vrf_list
from .json_common import Doc, document, iso_duration, table
from .protocols import bgp_vrfs, ospf_vrfs
from .tables import _arp_age, arp_entries


def _arp_vrf(dev: DeviceState, vrf: str) -> Doc:
    rows = [{"ip-addr-out": str(a.address), "time-stamp": _arp_age(a.age_min), "mac": dotted_mac(a.mac),
             "intf-out": a.interface} for a in arp_entries(dev, vrf)]
    return {"vrf-name-out": vrf, "cnt-total": len(rows), **table("adj", rows)}


def _arp(dev: DeviceState, vrfs: list[str]) -> str:
    return document(table("vrf", [_arp_vrf(dev, v) for v in vrfs]))


def show_ip_arp_json(ctx: RenderContext) -> str:
    return _arp(ctx.dev, ["default"])


def show_ip_arp_vrf_json(ctx: RenderContext) -> str:
    vrf = ctx.args.get("vrf", "all")
    return _arp(ctx.dev, _all_vrfs(ctx.dev) if vrf == "all" else [check_vrf(ctx.dev, vrf)])


def show_ip_arp_vrf_all_json(ctx: RenderContext) -> str:
    return _arp(ctx.dev, _all_vrfs(ctx.dev))


def _all_vrfs(dev: DeviceState) -> list[str]:
    """Every VRF, and any an entry names beyond them: ``vrf all`` lists every entry."""
    return list(dict.fromkeys([*vrf_list(dev), *(a.vrf for a in arp_entries(dev, None))]))


def show_mac_address_table_json(ctx: RenderContext) -> str:
    rows = [{"disp_mac_addr": dotted_mac(e.mac), "disp_type": "dynamic" if e.dynamic else "static",
             "disp_vlan": str(e.vlan), "disp_age": "0" if e.dynamic else "-", "disp_is_secure": "F",
             "disp_is_ntfy": "F", "disp_port": short_if(e.interface)}
            for e in sorted(ctx.dev.mac_table, key=lambda e: (e.vlan, e.mac))]
    return document(table("mac_address", rows))


def _ospf_ctx(dev: DeviceState, vrf: str) -> Doc:
    nbrs = [n for n in dev.ospf_neighbors if n.vrf == vrf]
    rows = [{"rid": str(n.router_id), "priority": str(n.priority), "state": "FULL",
             "drstate": "-" if n.role in ("-", "") else n.role, "uptime": iso_duration("3w2d"),
             "addr": str(n.address), "intf": short_if(n.interface)} for n in nbrs]
    return {"ptag": str(dev.ospf_process), "cname": vrf, "nbrcount": str(len(rows)), **table("nbr", rows)}


def _ospf(dev: DeviceState, vrfs: list[str]) -> str:
    ctxs = [_ospf_ctx(dev, v) for v in vrfs]
    return document(table("ctx", ctxs))


def show_ip_ospf_neighbors_json(ctx: RenderContext) -> str:
    return _ospf(ctx.dev, [v for v in ospf_vrfs(ctx.dev) if v == "default"])


def show_ip_ospf_neighbors_vrf_all_json(ctx: RenderContext) -> str:
    return _ospf(ctx.dev, ospf_vrfs(ctx.dev))


def _neighbor(peer: BgpPeer, version: int, dot: bool) -> Doc:
    row: Doc = {"neighborid": str(peer.address), "neighborversion": "4", "msgrecvd": peer.msg_rcvd,
                "msgsent": peer.msg_sent, "neighbortableversion": str(version), "inq": "0", "outq": "0",
                "neighboras": asn_text(peer.remote_as, dot=dot), "time": peer.uptime, "state": peer.state}
    if peer.state == "Established":
        row["prefixreceived"] = str(peer.prefixes_received)
    return row


def _bgp_vrf(ctx: RenderContext, vrf: str) -> Doc:
    dev = ctx.dev
    peers = [p for p in dev.bgp_peers if p.vrf == vrf]
    bgp = [r for r in ctx.routes(vrf) if r.protocol == RouteProto.BGP]
    paths, entries = sum(len(r.next_hops) for r in bgp), len(bgp)
    version = entries * 2 + 7
    saf = {"safi": 1, "af-name": "IPv4 Unicast", "tableversion": str(version), "configuredpeers": str(len(peers)),
           "capablepeers": str(sum(1 for p in peers if p.state == "Established")), "totalnetworks": str(entries),
           "totalpaths": str(paths), "memoryused": str(entries * 144 + paths * 120), "numberattrs": str(paths),
           "bytesattrs": str(paths * 144), "numberpaths": str(len(peers)), "bytespaths": str(len(peers) * 24),
           "numbercommunities": "0", "bytescommunities": "0", "numberclusterlist": "0", "bytesclusterlist": "0",
           "dampening": "false", **table("neighbor", [_neighbor(p, version, dev.asdot) for p in peers])}
    af = {"af-id": "1", **table("saf", [saf])}
    return {"vrf-name-out": vrf, "vrf-router-id": str(dev.bgp_router_id or dev.ospf_router_id),
            "vrf-local-as": asn_text(dev.bgp_asn or 0, dot=dev.asdot), **table("af", [af])}


def show_ip_bgp_summary_json(ctx: RenderContext) -> str:
    return document(table("vrf", [_bgp_vrf(ctx, "default")] if ctx.dev.bgp_asn is not None else []))


def show_ip_bgp_summary_vrf_all_json(ctx: RenderContext) -> str:
    vrfs = bgp_vrfs(ctx.dev)
    return document(table("vrf", [_bgp_vrf(ctx, v) for v in vrfs]))
