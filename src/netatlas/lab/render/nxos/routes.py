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
ATTACHED = (RouteProto.CONNECTED, RouteProto.LOCAL)


def distance(route: Route) -> int:
    if route.distance or route.protocol in ATTACHED:
        return route.distance
    if route.protocol == RouteProto.BGP:
        return 200 if route.bgp_internal else 20
    return DEFAULT_DISTANCE[route.protocol]


def hop_parts(dev: DeviceState, route: Route, hop: NextHop) -> tuple[str | None, str | None]:
    """(address, interface) a via shows: an attached route its interface's address; BGP no interface."""
    address = text.ip(hop.address) if hop.address else None
    if route.protocol in ATTACHED:
        address = if_address(dev, hop.interface) or str(route.prefix.network_address)
    interface = short_if(hop.interface) if hop.interface and route.protocol != RouteProto.BGP else None
    return address, interface


def client(dev: DeviceState, route: Route) -> tuple[str, str, str]:
    """(protocol word, route type, tag) as NX-OS names them: ``ospf-1, intra``, ``bgp-65000, external, tag 65001``."""
    if route.protocol == RouteProto.CONNECTED:
        return "direct", "", ""
    if route.protocol == RouteProto.OSPF:
        return f"ospf-{dev.ospf_process}", OSPF_TYPE.get(route.ospf_type, route.ospf_type), ""
    if route.protocol == RouteProto.BGP:
        tag = route.bgp_as_path[0] if route.bgp_as_path else dev.bgp_asn
        return f"bgp-{dev.bgp_asn}", "internal" if route.bgp_internal else "external", str(tag)
    return route.protocol.value, "", ""


def _proto_text(dev: DeviceState, route: Route) -> str:
    """The ``, <protocol>[, <type>]`` tail of a via line."""
    word, kind, tag = client(dev, route)
    return ", ".join(x for x in (word, kind, f"tag {tag}" if tag else "") if x)


def _via(dev: DeviceState, route: Route, hop: NextHop) -> str:
    parts = [x for x in hop_parts(dev, route, hop) if x]
    pref = f"[{distance(route)}/{route.metric}]"
    return f"    *via {', '.join(parts)}, {pref}, {route.age}, {_proto_text(dev, route)}"


def _prefix_block(dev: DeviceState, routes: list[Route]) -> list[str]:
    vias = [_via(dev, r, hop) for r in routes for hop in r.next_hops]
    attached = ", attached" if any(r.protocol in ATTACHED for r in routes) else ""
    return [f"{text.prefix(routes[0].prefix)}, ubest/mbest: {len(vias)}/0{attached}", *vias]


def prefix_groups(routes: list[Route]) -> list[list[Route]]:
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
    for group in prefix_groups(routes):
        lines += _prefix_block(ctx.dev, group)
    return lines


def vrfs_shown(ctx: RenderContext, vrf: str | None) -> list[str]:
    """The VRFs a view shows (``None``: the one the command names, where ``all`` means every VRF)."""
    name = vrf if vrf is not None else ctx.args.get("vrf", "default")
    return vrf_list(ctx.dev) if name == "all" else [check_vrf(ctx.dev, name)]


def _view(keep: Keep, vrf: str | None) -> RenderFn:
    def render(ctx: RenderContext) -> str:
        return join(["\n\n".join("\n".join(_table(ctx, v, keep)) for v in vrfs_shown(ctx, vrf))])

    return render


def route_view(proto: RouteProto | None = None, vrf: str | None = "default") -> RenderFn:
    """A renderer for one VRF (``None``: ``ctx.args["vrf"]``, where ``all`` means every VRF)."""
    return _view(lambda _dev, r: proto is None or r.protocol == proto, vrf)


def ospf_tag_view(tag: int, vrf: str | None = "default") -> RenderFn:
    """``show ip route ospf-<tag>``: OSPF routes when ``tag`` is the device's process, else none."""
    return _view(lambda dev, r: r.protocol == RouteProto.OSPF and dev.ospf_process == tag, vrf)
