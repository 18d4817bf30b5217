"""``show ip route ... | json``: the same RIB views as the text tables, as NX-OS's document.

Shape (NX-OS 9.3/10.x; a public sample: the ``show_ip_route.json`` of a Cisco DevNet
"ts_report" example, and the ``TABLE_vrf/.../ROW_path`` structs of public Go NX-API clients)::

    {"TABLE_vrf": {"ROW_vrf": [{"vrf-name-out": "default",
      "TABLE_addrf": {"ROW_addrf": {"addrf": "ipv4",
        "TABLE_prefix": {"ROW_prefix": [{"ipprefix": "10.0.0.0/31", "ucast-nhops": "1", "mcast-nhops": "0",
          "attached": "true", "TABLE_path": {"ROW_path": {"ipnexthop": "10.0.0.0", "ifname": "Eth1/1",
            "uptime": "P9D", "pref": "0", "metric": "0", "clientname": "direct", "ubest": "true"}}}]}}}}]}}

Every number is a string; a path names its protocol in ``clientname`` (``ospf-1``, ``bgp-65000``) with
``type`` (and BGP's ``tag``) beside it; a VRF without routes keeps its ``ROW_addrf`` and has no
``TABLE_prefix``; one row anywhere is an object, not a list.
"""

from __future__ import annotations

from netatlas.lab.model import DeviceState, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext, RenderFn

from .json_common import Doc, document, iso_duration, table
from .routes import ATTACHED, Keep, client, distance, hop_parts, prefix_groups, vrfs_shown


def _path(dev: DeviceState, route: Route, address: str | None, interface: str | None) -> Doc:
    word, kind, tag = client(dev, route)
    path: Doc = {}
    if address:
        path["ipnexthop"] = address
    if interface:
        path["ifname"] = interface
    path.update({"uptime": iso_duration(route.age), "pref": str(distance(route)), "metric": str(route.metric),
                 "clientname": word})
    if kind:
        path["type"] = kind
    if tag:
        path["tag"] = tag
    path["ubest"] = "true"
    return path


def _prefix(dev: DeviceState, routes: list[Route]) -> Doc:
    paths = [_path(dev, r, *hop_parts(dev, r, hop)) for r in routes for hop in r.next_hops]
    return {"ipprefix": text.prefix(routes[0].prefix), "ucast-nhops": str(len(paths)), "mcast-nhops": "0",
            "attached": "true" if any(r.protocol in ATTACHED for r in routes) else "false",
            **table("path", paths)}


def _vrf(ctx: RenderContext, vrf: str, keep: Keep) -> Doc:
    routes = [r for r in ctx.routes(vrf) if keep(ctx.dev, r)]
    prefixes = [_prefix(ctx.dev, group) for group in prefix_groups(routes)]
    return {"vrf-name-out": vrf, **table("addrf", [{"addrf": "ipv4", **table("prefix", prefixes)}])}


def _json_view(keep: Keep, vrf: str | None) -> RenderFn:
    def render(ctx: RenderContext) -> str:
        return document(table("vrf", [_vrf(ctx, v, keep) for v in vrfs_shown(ctx, vrf)]))

    return render


def route_json(proto: RouteProto | None = None, vrf: str | None = "default") -> RenderFn:
    """The document of :func:`~.routes.route_view` (same arguments)."""
    return _json_view(lambda _dev, r: proto is None or r.protocol == proto, vrf)


def ospf_tag_json(tag: int, vrf: str | None = "default") -> RenderFn:
    """The document of :func:`~.routes.ospf_tag_view`."""
    return _json_view(lambda dev, r: r.protocol == RouteProto.OSPF and dev.ospf_process == tag, vrf)
