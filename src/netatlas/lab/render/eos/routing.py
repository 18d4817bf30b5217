"""``show ip route`` (per VRF, per protocol) and ``show ip ospf neighbor``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv4Network

from netatlas.lab.model import DeviceState, NextHop, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import check_vrf, lines

ROUTE_LEGEND = (
    "Codes: C - connected, S - static, K - kernel,",
    "       O - OSPF, IA - OSPF inter area, E1 - OSPF external type 1,",
    "       E2 - OSPF external type 2, N1 - OSPF NSSA external type 1,",
    "       N2 - OSPF NSSA external type2, B - Other BGP Routes,",
    "       B I - iBGP, B E - eBGP, R - RIP, I L1 - IS-IS level 1,",
    "       I L2 - IS-IS level 2, O3 - OSPFv3, A B - BGP Aggregate,",
    "       A O - OSPF Summary, NG - Nexthop Group Static Route,",
    "       V - VXLAN Control Service, M - Martian,",
    "       DH - DHCP client installed default route,",
    "       DP - Dynamic Policy Route, L - VRF Leaked,",
    "       G  - gRIBI, RC - Route Cache Route",
)
_OSPF_CODES = {"inter": "O IA", "ext1": "O E1", "ext2": "O E2", "nssa1": "O N1", "nssa2": "O N2"}
_DEFAULT = IPv4Network("0.0.0.0/0")


def route_code(route: Route) -> str:
    """EOS route code: ``C``, ``S``, ``O``, ``O IA``, ``O E2``, ``B E``, ``B I``."""
    if route.protocol is RouteProto.OSPF:
        return _OSPF_CODES.get(route.ospf_type, "O")
    if route.protocol is RouteProto.BGP:
        return "B I" if route.bgp_internal else "B E"
    return {RouteProto.CONNECTED: "C", RouteProto.STATIC: "S"}.get(route.protocol, "K")


def route_distance(route: Route) -> int:
    """Administrative distance, with EOS defaults when the model leaves it at 0."""
    if route.distance or route.protocol is RouteProto.CONNECTED:
        return route.distance
    if route.protocol is RouteProto.BGP:
        return 200 if route.bgp_internal else 20
    return {RouteProto.STATIC: 1, RouteProto.OSPF: 110}.get(route.protocol, 0)


def resolve_interface(ctx: RenderContext, vrf: str, hop: NextHop) -> str:
    """The egress interface of a next hop; recursive next hops resolve over the RIB (longest match)."""
    if hop.interface:
        return hop.interface
    address = hop.address or IPv4Address(0)
    covering = [
        r
        for r in ctx.routes(vrf)
        if address in r.prefix and r.prefix != _DEFAULT and r.next_hops and r.next_hops[0].interface
    ]
    if not covering:
        return "Null0"
    return max(covering, key=lambda r: r.prefix.prefixlen).next_hops[0].interface or "Null0"


def _route_lines(ctx: RenderContext, route: Route) -> list[str]:
    code = route_code(route)
    head = f" {code:<9}{text.prefix(route.prefix)}"
    first, *others = route.next_hops or (NextHop(None, "Null0"),)
    if first.address is None:
        return [f"{head} is directly connected, {first.interface or 'Null0'}"]
    head += f" [{route_distance(route)}/{route.metric}] "
    hops = [f"via {text.ip(h.address) if h.address else None}, {resolve_interface(ctx, route.vrf, h)}"
            for h in (first, *others)]
    return [head + hops[0], *(" " * len(head) + hop for hop in hops[1:])]


def _vrf_table(ctx: RenderContext, vrf: str, routes: Iterable[Route]) -> list[str]:
    shown = sorted(routes, key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))
    default = [r for r in shown if r.prefix == _DEFAULT]
    rows = [f"VRF: {vrf}", *ROUTE_LEGEND, ""]
    if default:
        rows += ["Gateway of last resort:", *_route_lines(ctx, default[0]), ""]
    else:
        rows += ["Gateway of last resort is not set", ""]
    for route in shown:
        if route.prefix != _DEFAULT:
            rows += _route_lines(ctx, route)
    return rows


def visible(route: Route) -> bool:
    """EOS does not list the local /32 of each interface address."""
    return route.protocol is not RouteProto.LOCAL


def _render(ctx: RenderContext, vrfs: list[str], keep: Callable[[Route], bool]) -> str:
    rows: list[str] = []
    for vrf in vrfs:
        rows += _vrf_table(ctx, vrf, (r for r in ctx.routes(vrf) if visible(r) and keep(r)))
        rows += ["", ""]
    return lines(rows[:-2])


def show_ip_route(ctx: RenderContext) -> str:
    vrf = ctx.args.get("vrf", "default")
    if vrf == "all":
        return show_ip_route_vrf_all(ctx)
    return _render(ctx, [check_vrf(ctx)], lambda _r: True)


def show_ip_route_vrf_all(ctx: RenderContext) -> str:
    return _render(ctx, sorted(ctx.dev.vrf_names()), lambda _r: True)


def by_protocol(protocol: RouteProto) -> Callable[[RenderContext], str]:
    """Renderer for ``show ip route <protocol>`` (default VRF)."""

    def render(ctx: RenderContext) -> str:
        return _render(ctx, ["default"], lambda r: r.protocol is protocol)

    return render


def _dead_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _ospf_rows(dev: DeviceState, vrf: str | None) -> list[str]:
    rows = ["Neighbor ID     Instance VRF      Pri State                  Dead Time   Address         Interface"]
    for nbr in dev.ospf_neighbors:
        if vrf is not None and nbr.vrf != vrf:
            continue
        state = "FULL" if nbr.role in ("-", "") else f"FULL/{nbr.role}"
        rows.append(
            f"{nbr.router_id!s:<15} {dev.ospf_process:<8} {nbr.vrf:<8} {nbr.priority:<3} {state:<22} "
            f"{_dead_time(nbr.dead_time_s):<11} {nbr.address!s:<15} {nbr.interface}"
        )
    return rows


def show_ip_ospf_neighbor(ctx: RenderContext) -> str:
    return lines(_ospf_rows(ctx.dev, "default"))


def show_ip_ospf_neighbor_vrf_all(ctx: RenderContext) -> str:
    return lines(_ospf_rows(ctx.dev, None))
