"""``show route`` (every table, one table, one protocol) and ``show route summary``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Network

from netatlas.lab.model import DeviceState, NextHop, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos import tables
from netatlas.lab.render.junos._common import (
    PROTO_NAME,
    junos_age,
    logical,
    preference,
    routes_by_table,
    seconds,
    table_name,
    vrf_of_table,
)

LEGEND = "+ = Active Route, - = Last Active, * = Both"
OSPF_ALL_ROUTERS = IPv4Network("224.0.0.5/32")
_HOP_INDENT = " " * 20
_PROTOCOLS = {
    "static": RouteProto.STATIC,
    "ospf": RouteProto.OSPF,
    "bgp": RouteProto.BGP,
    "direct": RouteProto.CONNECTED,
    "local": RouteProto.LOCAL,
}

RouteFilter = Callable[[Route], bool]


def _all(_route: Route) -> bool:
    return True


def _age(route: Route) -> str:
    total = seconds(route.age)
    if total >= 86400 and total % 86400 == 0:  # "1w2d" says nothing finer: pick a stable time of day
        total += int(route.prefix.network_address) % 86400
    return junos_age(total)


def _attributes(route: Route, peer: IPv4Address | None) -> str:
    if route.protocol is RouteProto.OSPF:
        tag = ", tag 0" if route.ospf_type.startswith("ext") else ""
        return f", metric {route.metric}{tag}"
    if route.protocol is RouteProto.BGP:
        med = f", MED {route.metric}" if route.metric else ""
        origin = f", from {peer}" if route.bgp_internal and peer else ""
        return f"{med}, localpref {route.bgp_local_pref}{origin}"
    return f", metric {route.metric}" if route.metric else ""


def _lookup(address: IPv4Address, table: Sequence[Route]) -> Route | None:
    """Longest match among the table's non-BGP routes (how a protocol next hop resolves)."""
    best: Route | None = None
    for route in table:
        usable = route.protocol is not RouteProto.BGP and route.next_hops and address in route.prefix
        if usable and (best is None or route.prefix.prefixlen > best.prefix.prefixlen):
            best = route
    return best


def _resolve(hop: NextHop, table: Sequence[Route]) -> list[NextHop]:
    """Forwarding next hops of one hop: a hop without interface resolves through the table."""
    if hop.interface is not None or hop.address is None:
        return [hop]
    via = _lookup(hop.address, table)
    if via is None:
        return [hop]
    if via.protocol is RouteProto.CONNECTED:
        return [NextHop(hop.address, via.next_hops[0].interface)]
    return [h for h in via.next_hops if h.interface is not None]


def _hop_lines(route: Route, table: Sequence[Route]) -> list[str]:
    if route.protocol is RouteProto.LOCAL:
        return [f"{_HOP_INDENT}   Local via {logical(route.next_hops[0].interface or 'lo0')}"]
    if not route.next_hops:
        return [f"{_HOP_INDENT}   {'MultiRecv' if route.protocol is RouteProto.OSPF else 'Discard'}"]
    hops = [h for hop in route.next_hops for h in _resolve(hop, table)]
    if all(h.interface in (None, "Null0") for h in hops):
        return [f"{_HOP_INDENT}   Discard"]
    lines = []
    for index, hop in enumerate(hops):
        mark = ">" if index == 0 else " "
        target = f"to {text.ip(hop.address)} via " if hop.address is not None else "via "
        lines.append(f"{_HOP_INDENT}{mark}  {target}{logical(hop.interface or '')}")
    return lines


def _entry(route: Route, table: Sequence[Route], first: bool, active: bool) -> list[str]:
    """One route: the prefix on the first route of a destination, ``*`` on the active one."""
    peer = route.next_hops[0].address if route.next_hops else None
    head = f"{'*' if active else ' '}[{PROTO_NAME[route.protocol]}/{preference(route)}] {_age(route)}"
    head += _attributes(route, peer)
    lines = [f"{route.prefix!s:<19}{head}" if first else f"{'':19}{head}"]
    if route.protocol is RouteProto.BGP:
        path = " ".join(str(asn) for asn in route.bgp_as_path)
        lines.append(f"{'':22}AS path: {path + ' ' if path else ''}I, validation-state: unverified")
    return lines + _hop_lines(route, table)


def _multirecv(dev: DeviceState, vrf: str) -> list[Route]:
    """OSPF's 224.0.0.5/32 MultiRecv route, present in a table where OSPF runs."""
    if any(i.ospf_area is not None and i.vrf == vrf for i in dev.interfaces):
        return [Route(OSPF_ALL_ROUTERS, RouteProto.OSPF, (), vrf=vrf, metric=1, age=dev.uptime)]
    return []


def _tables(ctx: RenderContext, vrfs: list[str]) -> dict[str, list[Route]]:
    tables = routes_by_table(ctx, vrfs)
    for vrf, routes in tables.items():
        routes.extend(_multirecv(ctx.dev, vrf))
        routes.extend(r for r in ctx.dev.backup_routes if r.vrf == vrf)  # inactive: after the active one
        routes.sort(key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen, preference(r)))
    return tables


def _counts(routes: Sequence[Route]) -> str:
    destinations = len({r.prefix for r in routes})
    return f"{destinations} destinations, {len(routes)} routes ({destinations} active, 0 holddown, 0 hidden)"


def _table_text(vrf: str, routes: list[Route], keep: RouteFilter, inactive: Sequence[Route] = ()) -> list[str]:
    shown = [r for r in routes if keep(r)]
    if not shown:
        return []
    lines = ["", f"{table_name(vrf)}: {_counts(routes)}", LEGEND, ""]
    previous: IPv4Network | None = None
    for route in shown:
        lines += _entry(route, routes, route.prefix != previous, route not in inactive)
        previous = route.prefix
    return lines


MasterTables = Callable[[DeviceState], list[str]]


def _every_table(dev: DeviceState) -> list[str]:
    """After inet.0, ``show route`` lists the master instance's other tables."""
    return [*tables.inet3(dev), *tables.mpls0(dev), *tables.inet6(dev, lambda _proto: True)]


def _render(ctx: RenderContext, vrfs: list[str], keep: RouteFilter, master: MasterTables | None = None) -> str:
    lines: list[str] = []
    for vrf, routes in _tables(ctx, vrfs).items():
        lines += _table_text(vrf, routes, keep, ctx.dev.backup_routes)
        if vrf == "default" and master is not None:
            lines += master(ctx.dev)
    return "\n".join(lines) + "\n" if lines else ""


def show_route(ctx: RenderContext) -> str:
    return _render(ctx, ctx.dev.vrf_names(), _all, _every_table)


def show_route_table(ctx: RenderContext) -> str:
    return _render(ctx, [vrf_of_table(ctx.dev, ctx.args["table"])], _all)


def show_route_protocol(protocol: str) -> Callable[[RenderContext], str]:
    """The renderer of ``show route protocol <protocol>`` (``static``, ``ospf``, ``bgp``, ...)."""
    wanted = _PROTOCOLS[protocol]

    def inet6(dev: DeviceState) -> list[str]:
        return tables.inet6(dev, lambda proto: proto is wanted)

    def render(ctx: RenderContext) -> str:
        return _render(ctx, ctx.dev.vrf_names(), lambda r: r.protocol is wanted, inet6)

    return render


def _router_id(dev: DeviceState) -> str:
    rid = dev.bgp_router_id or dev.ospf_router_id
    if rid is None:
        loopbacks = [i.ipv4.ip for i in dev.interfaces if i.name.startswith("lo0") and i.ipv4]
        rid = loopbacks[0] if loopbacks else dev.mgmt_ip
    return str(rid)


def _summary_table(vrf: str, routes: list[Route]) -> list[str]:
    counts = Counter(PROTO_NAME[r.protocol] for r in routes)
    lines = [f"{table_name(vrf)}: {_counts(routes)}"]
    for proto in ("Direct", "Local", "OSPF", "BGP", "Static"):
        if counts[proto]:
            lines.append(f"{proto:>20}: {counts[proto]:>6} routes, {counts[proto]:>6} active")
    return [*lines, ""]


def show_route_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    tables = _tables(ctx, dev.vrf_names())
    total = sum(len(r) for r in tables.values())
    since = "2024-02-01 08:00:00"
    lines = [f"Autonomous system number: {dev.bgp_asn or 0}", f"Router ID: {_router_id(dev)}", ""]
    lines += [
        "Highwater Mark (All time / Time averaged watermark)",
        f"    RIB unique destination routes: {total} at {since} / {total}",
        f"    RIB routes                   : {total} at {since} / {total}",
        f"    FIB routes                   : {total} at {since} / {total}",
        f"    VRF type routing instances   : {len(dev.vrfs)} at {since}",
        "",
    ]
    for vrf, routes in tables.items():
        if routes:
            lines += _summary_table(vrf, routes)
    return "\n".join(lines).rstrip("\n") + "\n"
