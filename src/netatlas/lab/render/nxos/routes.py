"""`show ip route` in all its NX-OS forms (per VRF, per protocol, vrf all)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from netatlas.lab.model import DeviceState, NextHop, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext, RenderFn

from ._fmt import check_vrf, if_address, join, short_if, vrf_list

_HEADER = [
    "'*' denotes best ucast next-hop",
    "'**' denotes best mcast next-hop",
    "'[x/y]' denotes [preference/metric]",
    "'%<string>' in via output denotes VRF <string>",
    "",
]
DEFAULT_DISTANCE = {
    RouteProto.CONNECTED: 0,
    RouteProto.LOCAL: 0,
    RouteProto.STATIC: 1,
    RouteProto.OSPF: 110,
}
OSPF_TYPE = {"intra": "intra", "inter": "inter", "ext1": "type-1", "ext2": "type-2", "": "intra"}
_ATTACHED = (RouteProto.CONNECTED, RouteProto.LOCAL)


def distance(route: Route) -> int:
    if route.distance or route.protocol in _ATTACHED:
        return route.distance
    if route.protocol == RouteProto.BGP:
        return 200 if route.bgp_internal else 20
    return DEFAULT_DISTANCE[route.protocol]


def _proto_text(dev: DeviceState, route: Route) -> str:
    """The ``, <protocol>[, <type>]`` tail of a via line."""
    if route.protocol == RouteProto.CONNECTED:
        return "direct"
    if route.protocol == RouteProto.OSPF:
        return f"ospf-{dev.ospf_process}, {OSPF_TYPE.get(route.ospf_type, route.ospf_type)}"
    if route.protocol == RouteProto.BGP:
        kind = "internal" if route.bgp_internal else "external"
        tag = route.bgp_as_path[0] if route.bgp_as_path else dev.bgp_asn
        return f"bgp-{dev.bgp_asn}, {kind}, tag {tag}"
    return route.protocol.value


def _via(dev: DeviceState, route: Route, hop: NextHop) -> str:
    address = text.ip(hop.address) if hop.address else None
    if route.protocol in _ATTACHED:
        address = if_address(dev, hop.interface) or str(route.prefix.network_address)
    parts = [address] if address else []
    if hop.interface and route.protocol != RouteProto.BGP:
        parts.append(short_if(hop.interface))
    pref = f"[{distance(route)}/{route.metric}]"
    return f"    *via {', '.join(parts)}, {pref}, {route.age}, {_proto_text(dev, route)}"


def _prefix_block(dev: DeviceState, routes: list[Route]) -> list[str]:
    vias = [_via(dev, r, hop) for r in routes for hop in r.next_hops]
    attached = ", attached" if any(r.protocol in _ATTACHED for r in routes) else ""
    return [f"{text.prefix(routes[0].prefix)}, ubest/mbest: {len(vias)}/0{attached}", *vias]


def _group(routes: list[Route]) -> list[list[Route]]:
    """Routes of one VRF grouped per prefix, prefixes in address order, local before direct."""
    groups: dict[str, list[Route]] = {}
    for route in routes:
        groups.setdefault(text.prefix(route.prefix), []).append(route)
    ordered = sorted(groups.values(), key=lambda g: (g[0].prefix.network_address, g[0].prefix.prefixlen))
    return [sorted(_with_local(g), key=lambda r: r.protocol != RouteProto.LOCAL) for g in ordered]


def _with_local(group: list[Route]) -> list[Route]:
    """NX-OS shows a ``local`` next to the ``direct`` of a /32 interface address (loopbacks)."""
    protocols = {r.protocol for r in group}
    if RouteProto.LOCAL in protocols or group[0].prefix.prefixlen != 32:
        return group
    direct = [r for r in group if r.protocol == RouteProto.CONNECTED]
    return [*group, *[replace(r, protocol=RouteProto.LOCAL) for r in direct]]


Keep = Callable[[DeviceState, Route], bool]


def _table(ctx: RenderContext, vrf: str, keep: Keep) -> list[str]:
    routes = [r for r in ctx.routes(vrf) if keep(ctx.dev, r)]
    lines = [f'IP Route Table for VRF "{vrf}"', *_HEADER]
    for group in _group(routes):
        lines += _prefix_block(ctx.dev, group)
    return lines


def _view(keep: Keep, vrf: str | None) -> RenderFn:
    def render(ctx: RenderContext) -> str:
        name = vrf if vrf is not None else ctx.args.get("vrf", "default")
        vrfs = vrf_list(ctx.dev) if name == "all" else [check_vrf(ctx.dev, name)]
        return join(["\n\n".join("\n".join(_table(ctx, v, keep)) for v in vrfs)])

    return render


def route_view(proto: RouteProto | None = None, vrf: str | None = "default") -> RenderFn:
    """A renderer for one VRF (``None``: ``ctx.args["vrf"]``, where ``all`` means every VRF)."""
    return _view(lambda _dev, r: proto is None or r.protocol == proto, vrf)


def ospf_tag_view(tag: int, vrf: str | None = "default") -> RenderFn:
    """``show ip route ospf-<tag>``: OSPF routes when ``tag`` is the device's process, else none."""
    return _view(lambda dev, r: r.protocol == RouteProto.OSPF and dev.ospf_process == tag, vrf)
