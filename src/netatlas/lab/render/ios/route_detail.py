"""One route in detail: ``show ip route [vrf V] <address> [<mask>]``, ``show ip bgp <prefix>``,
and ``show ip protocols`` (what NAPALM's ``get_route_to`` sends).

``show ip route <address>`` is a longest-match lookup (the default route excluded, as IOS
does); with a mask it is an exact lookup.  The ``Routing Descriptor Blocks`` list one
block per next hop, the first marked ``*``.
"""

from __future__ import annotations

from ipaddress import AddressValueError, IPv4Address, IPv4Network, NetmaskValueError

from netatlas.lab.model import DeviceState, Route, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import area_text, lines, require_vrf
from netatlas.lab.render.ios.routes import admin_distance, classful, visible_routes

_OSPF_TYPE = {"intra": "intra area", "inter": "inter area", "ext1": "extern 1", "ext2": "extern 2, forward metric 1"}
_DEFAULT = IPv4Network("0.0.0.0/0")


def _lookup(routes: list[Route], address: IPv4Address, mask: str | None) -> Route | str:
    """The route asked for, or the IOS error text when there is none."""
    if mask is not None:
        try:
            wanted = IPv4Network(f"{address}/{mask}")
        except (NetmaskValueError, ValueError):
            return "% Inconsistent address and mask"
        exact = next((r for r in routes if r.prefix == wanted), None)
        if exact is not None:
            return exact
        major = classful(wanted)
        return "% Subnet not in table" if any(r.prefix.subnet_of(major) for r in routes) else "% Network not in table"
    covering = [r for r in routes if address in r.prefix and r.prefix != _DEFAULT]
    return max(covering, key=lambda r: r.prefix.prefixlen) if covering else "% Network not in table"


def _known_via(dev: DeviceState, route: Route) -> list[str]:
    dist = admin_distance(route)
    if route.protocol in (RouteProto.CONNECTED, RouteProto.LOCAL):
        how = "(connected, via interface)" if route.protocol is RouteProto.CONNECTED else "(connected)"
        return [f'  Known via "connected", distance 0, metric 0 {how}']
    if route.protocol is RouteProto.STATIC:
        tail = ", candidate default path" if route.prefix == _DEFAULT else ""
        return [f'  Known via "static", distance {dist}, metric {route.metric}{tail}']
    if route.protocol is RouteProto.OSPF:
        kind = _OSPF_TYPE.get(route.ospf_type, "intra area")
        return [f'  Known via "ospf {dev.ospf_process}", distance {dist}, metric {route.metric}, type {kind}']
    if route.bgp_internal:
        return [f'  Known via "bgp {dev.bgp_asn}", distance {dist}, metric {route.metric}, type internal']
    tag = route.bgp_as_path[0] if route.bgp_as_path else dev.bgp_asn
    return [f'  Known via "bgp {dev.bgp_asn}", distance {dist}, metric {route.metric}', f"  Tag {tag}, type external"]


def _last_update(route: Route) -> list[str]:
    hop = route.next_hops[0] if route.next_hops else None
    if hop is None or hop.address is None or route.protocol not in (RouteProto.OSPF, RouteProto.BGP):
        return []
    where = f" on {hop.interface}," if hop.interface and route.protocol is RouteProto.OSPF else ""
    return [f"  Last update from {hop.address}{where} {route.age} ago"]


def _block(route: Route, index: int) -> list[str]:
    hop = route.next_hops[index]
    star = "*" if index == 0 else " "
    if hop.address is None:
        head = f"  {star} directly connected, via {hop.interface}"
    elif route.protocol in (RouteProto.OSPF, RouteProto.BGP):
        via = f", via {hop.interface}" if hop.interface and route.protocol is RouteProto.OSPF else ""
        head = f"  {star} {hop.address}, from {hop.address}, {route.age} ago{via}"
    else:
        head = f"  {star} {hop.address}" + (f", via {hop.interface}" if hop.interface else "")
    rows = [head]
    if route.protocol is RouteProto.BGP:
        rows.append(f"      opaque_ptr 0x7F{int(route.prefix.network_address):08X}")
    rows.append(f"      Route metric is {route.metric}, traffic share count is 1")
    if route.protocol is RouteProto.BGP:
        rows += [f"      AS Hops {len(route.bgp_as_path)}", "      MPLS label: none"]
    return rows


def route_entry(dev: DeviceState, route: Route) -> list[str]:
    supernet = ", supernet" if route.prefix.prefixlen < classful(route.prefix).prefixlen else ""
    rows = [f"Routing entry for {route.prefix}{supernet}", *_known_via(dev, route), *_last_update(route)]
    rows.append("  Routing Descriptor Blocks:")
    for index in range(len(route.next_hops)):
        rows += _block(route, index)
    return rows


def show_ip_route_detail(ctx: RenderContext) -> str:
    """``show ip route [vrf <vrf>] <address> [<mask>]``."""
    vrf = require_vrf(ctx)
    try:
        address = IPv4Address(ctx.args["address"])
    except AddressValueError:
        return "% Invalid input detected at '^' marker.\n"
    found = _lookup(visible_routes(ctx, vrf), address, ctx.args.get("mask"))
    if isinstance(found, str):
        return f"{found}\n"
    title = ["", f"Routing Table: {vrf}"] if vrf != "default" else []
    return lines([*title, *route_entry(ctx.dev, found), ""])


def _bgp_path(route: Route, index: int) -> list[str]:
    hop = route.next_hops[index]
    path = " ".join(map(str, route.bgp_as_path)) or "Local"
    kind = "internal" if route.bgp_internal else "external"
    status = "best" if index == 0 else "multipath(oldest)" if index == 1 else "multipath"
    metric = f" (metric {route.metric})" if route.bgp_internal else ""
    return [
        "  Refresh Epoch 1",
        f"  {path}",
        f"    {hop.address}{metric} from {hop.address} ({hop.address})",
        f"      Origin IGP, metric 0, localpref {route.bgp_local_pref}, valid, {kind}, {status}",
        "      rx pathid: 0, tx pathid: 0x0" if index == 0 else "      rx pathid: 0, tx pathid: 0",
        f"      Updated on Jan 3 2022 10:25:02 UTC ({route.age} ago)",
    ]


def show_ip_bgp_prefix(ctx: RenderContext) -> str:
    """``show ip bgp <prefix>`` (``a.b.c.d/len`` or an address for a longest match)."""
    dev = ctx.dev
    if dev.bgp_asn is None:
        return "% BGP not active\n\n"
    try:
        wanted = IPv4Network(ctx.args["prefix"], strict=False)
    except ValueError:
        return "% Invalid input detected at '^' marker.\n"
    bgp = [r for r in ctx.routes("default") if r.protocol is RouteProto.BGP]
    exact = "/" in ctx.args["prefix"]
    matches = [r for r in bgp if (r.prefix == wanted if exact else wanted.network_address in r.prefix)]
    if not matches:
        return "% Network not in table\n"
    route = max(matches, key=lambda r: r.prefix.prefixlen)
    count = len(route.next_hops)
    rows = [
        f"BGP routing table entry for {route.prefix}, version {10 + int(route.prefix.network_address) % 997}",
        f"Paths: ({count} available, best #1, table default)",
        "  Not advertised to any peer" if route.bgp_internal else "  Advertised to update-groups:",
    ]
    if not route.bgp_internal:
        rows.append("     1")
    for index in range(count):
        rows += _bgp_path(route, index)
    return lines(rows)


def _ospf_section(dev: DeviceState) -> list[str]:
    ospf = [i for i in dev.interfaces if i.ospf_area and i.vrf == "default"]
    if dev.ospf_router_id is None or not ospf:
        return []
    areas = sorted({area_text(i.ospf_area or "0") for i in ospf}, key=int)
    rows = [
        f'Routing Protocol is "ospf {dev.ospf_process}"',
        "  Outgoing update filter list for all interfaces is not set",
        "  Incoming update filter list for all interfaces is not set",
        f"  Router ID {dev.ospf_router_id}",
        f"  Number of areas in this router is {len(areas)}. {len(areas)} normal 0 stub 0 nssa",
        "  Maximum path: 4",
        "  Routing for Networks:",
    ]
    for area in areas:
        rows.append(f"  Routing on Interfaces Configured Explicitly (Area {area}):")
        rows += [f"    {i.name}" for i in ospf if area_text(i.ospf_area or "0") == area]
    rows += ["  Routing Information Sources:", "    Gateway         Distance      Last Update"]
    rows += [f"    {n.router_id!s:<15} {110:>8}      1w2d" for n in dev.ospf_neighbors if n.vrf == "default"]
    return [*rows, "  Distance: (default is 110)", ""]


def _bgp_section(dev: DeviceState) -> list[str]:
    if dev.bgp_asn is None:
        return []
    peers = [p for p in dev.bgp_peers if p.vrf == "default"]
    return [
        f'Routing Protocol is "bgp {dev.bgp_asn}"',
        "  Outgoing update filter list for all interfaces is not set",
        "  Incoming update filter list for all interfaces is not set",
        "  IGP synchronization is disabled",
        "  Automatic route summarization is disabled",
        "  Neighbor(s):",
        "    Address          FiltIn FiltOut DistIn DistOut Weight RouteMap",
        *[f"    {p.address}" for p in peers],
        "  Maximum path: 1",
        "  Routing Information Sources:",
        "    Gateway         Distance      Last Update",
        *[
            f"    {p.address!s:<15} {200 if p.remote_as == dev.bgp_asn else 20:>8}      {p.uptime}"
            for p in peers
            if p.state == "Established"
        ],
        "  Distance: external 20 internal 200 local 200",
        "",
    ]


# IOS-XE also lists a "Routing Protocol is \"application\"" block; the lab prints the IOS 15
# shape without it (its "Invalid after 0 seconds" line reads like an error to simple clients).
_HEADER = ["*** IP Routing is NSF aware ***", ""]


def show_ip_protocols(ctx: RenderContext) -> str:
    dev = ctx.dev
    return lines([*_HEADER, *_ospf_section(dev), *_bgp_section(dev)])
