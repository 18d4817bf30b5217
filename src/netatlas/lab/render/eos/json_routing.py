"""``show ip route [vrf <vrf>|vrf all] | json`` and ``show ip ospf neighbor [vrf all] | json``.

Routes (batfish ``lab_validation`` EOS data, ANTA's ``VerifyRoutingTableEntry`` data):
``{"vrfs": {vrf: {"routes": {prefix: {...}}, "routingDisabled": false, ...}}}``, each route with
``routeType`` (``connected``, ``static``, ``ospfIntraArea``/``ospfInterArea``/
``ospfExternalType1``/``ospfExternalType2``, ``eBGP``/``iBGP``), ``vias`` (one per ECMP next hop:
``nexthopAddr`` and ``interface``; an attached route's via names the interface only) and, for a
route through a next hop, ``preference`` and ``metric`` as numbers. The default route is a route
like any other (the text form prints it under "Gateway of last resort").

OSPF neighbors (ANTA's ``VerifyOSPFNeighborState`` data): ``{"vrfs": {vrf: {"instList": {process:
{"ospfNeighborEntries": [...]}}}}}`` with ``routerId``, ``interfaceAddress``, ``interfaceName``,
``adjacencyState`` (lower case), ``drState``, ``priority`` and ``inactivity`` (an epoch float).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from netatlas.lab.model import DeviceState, NextHop, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import check_vrf
from netatlas.lab.render.eos.json_common import NOW, document
from netatlas.lab.render.eos.routing import resolve_interface, route_distance, visible

_OSPF_TYPES = {"inter": "ospfInterArea", "ext1": "ospfExternalType1", "ext2": "ospfExternalType2",
               "nssa1": "ospfNssaExternalType1", "nssa2": "ospfNssaExternalType2"}


def route_type(route: Route) -> str:
    if route.protocol is RouteProto.OSPF:
        return _OSPF_TYPES.get(route.ospf_type, "ospfIntraArea")
    if route.protocol is RouteProto.BGP:
        return "iBGP" if route.bgp_internal else "eBGP"
    return {RouteProto.CONNECTED: "connected", RouteProto.STATIC: "static"}.get(route.protocol, "kernel")


def _route(ctx: RenderContext, route: Route) -> dict[str, Any]:
    hops = route.next_hops or (NextHop(None, "Null0"),)
    attached = hops[0].address is None
    entry: dict[str, Any] = {
        "kernelProgrammed": True,
        "hardwareProgrammed": True,
        "routeType": route_type(route),
        "routeLeaked": False,
        "routeAction": "forward" if (hops[0].interface or "") != "Null0" else "drop",
        "directlyConnected": attached,
    }
    if attached:
        entry["vias"] = [{"interface": hops[0].interface or "Null0"}]
        return entry
    entry["preference"] = route_distance(route)
    entry["metric"] = route.metric
    entry["vias"] = [{"nexthopAddr": text.ip(h.address), "interface": resolve_interface(ctx, route.vrf, h)}
                     if h.address is not None else {"interface": h.interface or "Null0"} for h in hops]
    return entry


def _vrf(ctx: RenderContext, routes: Iterable[Route]) -> dict[str, Any]:
    shown = sorted(routes, key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen))
    default = any(r.prefix.prefixlen == 0 for r in shown)
    return {
        "routingDisabled": False,
        "allRoutesProgrammedHardware": True,
        "allRoutesProgrammedKernel": True,
        "defaultRouteState": "reachable" if default else "notSet",
        "routes": {text.prefix(r.prefix): _route(ctx, r) for r in shown},
    }


def _render(ctx: RenderContext, vrfs: list[str], keep: Callable[[Route], bool]) -> str:
    return document({"vrfs": {vrf: _vrf(ctx, (r for r in ctx.routes(vrf) if visible(r) and keep(r)))
                              for vrf in vrfs}})


def show_ip_route(ctx: RenderContext) -> str:
    if ctx.args.get("vrf") == "all":
        return show_ip_route_vrf_all(ctx)
    return _render(ctx, [check_vrf(ctx)], lambda _r: True)


def show_ip_route_vrf_all(ctx: RenderContext) -> str:
    return _render(ctx, sorted(ctx.dev.vrf_names()), lambda _r: True)


def _neighbors(dev: DeviceState, vrf: str | None) -> dict[str, Any]:
    vrfs: dict[str, Any] = {}
    for nbr in dev.ospf_neighbors:
        if vrf is not None and nbr.vrf != vrf:
            continue
        inst = vrfs.setdefault(nbr.vrf, {"instList": {str(dev.ospf_process): {"ospfNeighborEntries": []}}})
        inst["instList"][str(dev.ospf_process)]["ospfNeighborEntries"].append({
            "routerId": str(nbr.router_id),
            "priority": nbr.priority,
            "drState": "DR" if nbr.role in ("-", "") else nbr.role,
            "interfaceName": nbr.interface,
            "adjacencyState": "full",
            "inactivity": NOW + nbr.dead_time_s,
            "interfaceAddress": str(nbr.address),
            "options": {"multitopologyCapability": False, "externalRoutingCapability": True,
                        "multicastCapability": False, "nssaCapability": False, "linkLocalSignaling": False,
                        "demandCircuitsSupport": False, "opaqueLsaSupport": True, "doNotUseInRouteCalc": False},
        })
    return {"vrfs": vrfs}


def show_ip_ospf_neighbor(ctx: RenderContext) -> str:
    return document(_neighbors(ctx.dev, "default"))


def show_ip_ospf_neighbor_vrf_all(ctx: RenderContext) -> str:
    return document(_neighbors(ctx.dev, None))
