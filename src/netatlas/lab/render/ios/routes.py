"""``show ip route`` in all its IOS forms: per protocol, per VRF, every VRF (``vrf *``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Network

from netatlas.lab.model import Route, RouteProto
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import ROUTE_LEGEND, lines, require_vrf
from netatlas.lab.render.text import ip as ip_text
from netatlas.lab.render.text import prefix as prefix_text

RouteFilter = Callable[[Route], bool]
_LETTER = {
    RouteProto.CONNECTED: "C",
    RouteProto.LOCAL: "L",
    RouteProto.STATIC: "S",
    RouteProto.OSPF: "O",
    RouteProto.BGP: "B",
}
_OSPF_TYPE = {"intra": "", "inter": "IA", "ext1": "E1", "ext2": "E2", "nssa1": "N1", "nssa2": "N2"}
_DEFAULT = IPv4Network("0.0.0.0/0")


def admin_distance(route: Route) -> int:
    if route.distance:
        return route.distance
    if route.protocol is RouteProto.BGP:
        return 200 if route.bgp_internal else 20
    return {RouteProto.STATIC: 1, RouteProto.OSPF: 110}.get(route.protocol, 0)


def route_code(route: Route) -> str:
    """``C``, ``L``, ``S*``, ``O IA``, ``O*E2``, ``B`` ..."""
    kind = _OSPF_TYPE.get(route.ospf_type, "") if route.protocol is RouteProto.OSPF else ""
    flag = "*" if route.prefix == _DEFAULT else " "
    return (_LETTER[route.protocol] + flag + kind).rstrip()


def _via(route: Route, index: int) -> str:
    hop = route.next_hops[index]
    if route.protocol in (RouteProto.CONNECTED, RouteProto.LOCAL) or hop.address is None:
        return f"is directly connected, {hop.interface}"
    text = f"[{admin_distance(route)}/{route.metric}] via {ip_text(hop.address) if hop.address else None}"
    if route.protocol in (RouteProto.OSPF, RouteProto.BGP):
        text += f", {route.age}"
    if hop.interface and route.protocol is not RouteProto.BGP:
        text += f", {hop.interface}"
    return text


def _route_lines(route: Route, with_mask: bool, nested: bool) -> list[str]:
    network = prefix_text(route.prefix) if with_mask else ip_text(route.prefix.network_address)
    head = f"{route_code(route):<{9 if nested else 6}}{network} "
    first = _via(route, 0) if route.next_hops else "is directly connected, Null0"
    rest = [" " * len(head) + _via(route, i) for i in range(1, len(route.next_hops))]
    return [head + first, *rest]


def classful(prefix: IPv4Network) -> IPv4Network:
    first = prefix.network_address.packed[0]
    length = 8 if first < 128 else 16 if first < 192 else 24
    return IPv4Network((int(prefix.network_address) >> (32 - length) << (32 - length), length))


def _groups(routes: Sequence[Route]) -> list[tuple[IPv4Network, list[Route]]]:
    """Routes grouped under their classful network; supernets stand alone (own group)."""
    groups: dict[IPv4Network, list[Route]] = {}
    for route in routes:
        major = classful(route.prefix)
        key = major if route.prefix.prefixlen >= major.prefixlen else route.prefix
        groups.setdefault(key, []).append(route)
    order = sorted(groups, key=lambda n: (int(n.network_address), n.prefixlen))
    return [
        (key, sorted(groups[key], key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))) for key in order
    ]


def _group_lines(major: IPv4Network, routes: list[Route], keep: RouteFilter) -> list[str]:
    shown = [r for r in routes if keep(r)]
    if not shown:
        return []
    masks = sorted({r.prefix.prefixlen for r in routes})
    if len(routes) == 1 and routes[0].prefix.prefixlen <= major.prefixlen:
        return _route_lines(routes[0], with_mask=True, nested=False)
    if len(masks) == 1:
        header = f"      {major.network_address}/{masks[0]} is subnetted, {len(routes)} subnets"
        return [header, *[row for r in shown for row in _route_lines(r, with_mask=False, nested=True)]]
    header = f"      {major} is variably subnetted, {len(routes)} subnets, {len(masks)} masks"
    return [header, *[row for r in shown for row in _route_lines(r, with_mask=True, nested=True)]]


def _gateway(routes: Sequence[Route]) -> str:
    for route in routes:
        if route.prefix == _DEFAULT and route.next_hops:
            hop = route.next_hops[0].address or _DEFAULT.network_address
            return f"Gateway of last resort is {hop} to network 0.0.0.0"
    return "Gateway of last resort is not set"


def visible_routes(ctx: RenderContext, vrf: str) -> list[Route]:
    """The VRF's routes as IOS lists them: a /32 connected (loopback) has no separate ``L`` line."""
    routes = ctx.routes(vrf)
    connected = {r.prefix for r in routes if r.protocol is RouteProto.CONNECTED}
    return [r for r in routes if not (r.protocol is RouteProto.LOCAL and r.prefix in connected)]


def table_lines(ctx: RenderContext, vrf: str, keep: RouteFilter) -> list[str]:
    routes = visible_routes(ctx, vrf)
    rows = ["", f"Routing Table: {vrf}"] if vrf != "default" else []
    rows += [ROUTE_LEGEND, _gateway(routes), ""]
    for major, members in _groups(routes):
        rows += _group_lines(major, members, keep)
    return rows


def _keep(protocols: tuple[RouteProto, ...]) -> RouteFilter:
    return lambda r: not protocols or r.protocol in protocols


def route_renderer(*protocols: RouteProto) -> Callable[[RenderContext], str]:
    """A renderer for ``show ip route [vrf <vrf>] [protocol]``."""

    def render(ctx: RenderContext) -> str:
        return lines(table_lines(ctx, require_vrf(ctx), _keep(protocols)))

    return render


def route_renderer_all_vrfs(*protocols: RouteProto) -> Callable[[RenderContext], str]:
    """``show ip route vrf *``: the global table, then every VRF under its ``Routing Table:`` title."""

    def render(ctx: RenderContext) -> str:
        rows: list[str] = []
        for vrf in ctx.dev.vrf_names():
            rows += [*table_lines(ctx, vrf, _keep(protocols)), ""]
        return lines(rows)

    return render
