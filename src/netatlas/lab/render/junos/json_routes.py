"""``show route [protocol P] | display json``: the ``route-information`` reply, from the same tables as the text.

Each table is a ``route-table`` (``table-name``, the counts, one ``rt`` per destination of
``junos:style`` ``brief``); each route of a destination an ``rt-entry`` (``active-tag`` ``*`` on the
active one, ``protocol-name``, ``preference``, ``age`` with its ``junos:seconds``, ``metric`` or BGP's
``med``/``local-preference``/``learned-from``/``as-path``), its next hops ``nh`` (``selected-next-hop``
on the first, ``to``, ``via``; ``mpls-label`` in ``mpls.0``), a local route's ``nh-local-interface``,
or ``nh-type`` (``Discard``, ``MultiRecv``, ``Receive``). Samples read: Batfish lab_validation's
``show route | display json`` tests (MX 17.4/18.x, a ``DATA.inet.0`` VRF, a ``Discard`` static),
ipSpace.net's vSRX 20.3 document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from netatlas.lab.model import DeviceState, Route, RouteProto
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos import routes, tables
from netatlas.lab.render.junos._common import PROTO_NAME, junos_age, logical, preference, seconds, table_name
from netatlas.lab.render.junos._json import Element, flag, leaf, reply

RouteFilter = Callable[[Route], bool]


def _counts(rows: Sequence[object], destinations: int) -> Element:
    return {"destination-count": leaf(destinations), "total-route-count": leaf(len(rows)),
            "active-route-count": leaf(destinations), "holddown-route-count": leaf(0),
            "hidden-route-count": leaf(0)}


def _table(name: str, destinations: int, routes_total: Sequence[object], rts: list[Element]) -> Element:
    return {"comment": "keepalive", "table-name": leaf(name), **_counts(routes_total, destinations), "rt": rts}


def _age(total: int) -> list[Element]:
    return leaf(junos_age(total), seconds=str(total))


def _route_age(route: Route) -> int:
    total = seconds(route.age)
    if total >= 86400 and total % 86400 == 0:  # as the text renderer: a stable time of day
        total += int(route.prefix.network_address) % 86400
    return total


def _hops(route: Route, table: Sequence[Route]) -> Element:
    if route.protocol is RouteProto.LOCAL:
        return {"nh-type": leaf("Local"),
                "nh": [{"nh-local-interface": leaf(logical(route.next_hops[0].interface or "lo0"))}]}
    if not route.next_hops:
        return {"nh-type": leaf("MultiRecv" if route.protocol is RouteProto.OSPF else "Discard")}
    hops = [h for hop in route.next_hops for h in routes._resolve(hop, table)]
    if all(h.interface in (None, "Null0") for h in hops):
        return {"nh-type": leaf("Discard")}
    out: list[Element] = []
    for index, hop in enumerate(hops):
        nh: Element = {"selected-next-hop": flag()} if index == 0 else {}
        if hop.address is not None:
            nh["to"] = leaf(text.ip(hop.address))
        nh["via"] = leaf(logical(hop.interface or ""))
        out.append(nh)
    return {"nh": out}


def _attributes(route: Route) -> Element:
    if route.protocol is RouteProto.OSPF:
        return {"metric": leaf(route.metric), **({"rt-tag": leaf(0)} if route.ospf_type.startswith("ext") else {})}
    if route.protocol is RouteProto.BGP:
        peer = route.next_hops[0].address if route.next_hops else None
        out: Element = {"med": leaf(route.metric)} if route.metric else {}
        out["local-preference"] = leaf(route.bgp_local_pref)
        if route.bgp_internal and peer:
            out["learned-from"] = leaf(peer)
        path = " ".join(str(asn) for asn in route.bgp_as_path)
        out["as-path"] = leaf(f"{path + ' ' if path else ''}I")
        out["validation-state"] = leaf("unverified")
        return out
    return {"metric": leaf(route.metric)} if route.metric else {}


def _entry(route: Route, table: Sequence[Route], active: bool) -> Element:
    head: Element = {"active-tag": leaf("*"), "current-active": flag(), "last-active": flag()} if active else {}
    return {**head, "protocol-name": leaf(PROTO_NAME[route.protocol]), "preference": leaf(preference(route)),
            "age": _age(_route_age(route)), **_attributes(route), **_hops(route, table)}


def _rt(destination: str, entries: list[Element]) -> Element:
    return {"attributes": {"junos:style": "brief"}, "rt-destination": leaf(destination), "rt-entry": entries}


def _table_json(vrf: str, rows: list[Route], keep: RouteFilter, inactive: Sequence[Route]) -> list[Element]:
    shown = [r for r in rows if keep(r)]
    if not shown:
        return []
    rts: list[Element] = []
    for route in shown:
        entry = _entry(route, rows, route not in inactive)
        if rts and rts[-1]["rt-destination"][0]["data"] == str(route.prefix):
            rts[-1]["rt-entry"].append(entry)
        else:
            rts.append(_rt(str(route.prefix), [entry]))
    return [_table(table_name(vrf), len({r.prefix for r in rows}), rows, rts)]


def _ldp_tables(dev: DeviceState) -> list[Element]:
    """``inet.3`` and ``mpls.0`` (a device with LDP), as :mod:`tables` prints them."""
    ldp = tables._ldp(dev)
    if not dev.mpls or not ldp:
        return []
    age = _age(seconds(dev.uptime) - 3600)
    head = {"active-tag": leaf("*"), "current-active": flag(), "last-active": flag()}

    def entry(protocol: str, pref: int, hop: Element) -> Element:
        return {**head, "protocol-name": leaf(protocol), "preference": leaf(pref), "age": age, "metric": leaf(1),
                **hop}

    inet3 = [_rt(f"{rid}/32", [entry("LDP", tables.LDP_PREFERENCE, {"nh": [
        {"selected-next-hop": flag(), "to": leaf(address), "via": leaf(interface)}]})])
        for rid, address, interface in ldp]
    mpls = [_rt(str(label), [entry("MPLS", 0, {"nh-type": leaf("Receive")})]) for label in tables._RESERVED]
    for n, (_rid, address, interface) in enumerate(ldp):
        label = tables.FIRST_LABEL + n
        hop = {"nh": [{"selected-next-hop": flag(), "to": leaf(address), "via": leaf(interface),
                       "mpls-label": leaf("Pop")}]}
        mpls += [_rt(key, [entry("LDP", tables.LDP_PREFERENCE, hop)]) for key in (str(label), f"{label}(S=0)")]
    return [_table("inet.3", len(inet3), inet3, inet3), _table("mpls.0", len(mpls), mpls, mpls)]


def _inet6(dev: DeviceState, keep: Callable[[RouteProto], bool]) -> list[Element]:
    shown = [r for r in dev.ipv6_routes if keep(r.protocol)]
    if not shown:
        return []
    age = _age(seconds(dev.uptime) - 3600)
    rts = []
    for route in shown:
        entry: Element = {"active-tag": leaf("*"), "current-active": flag(), "last-active": flag(),
                          "protocol-name": leaf(PROTO_NAME[route.protocol]), "preference": leaf(route.preference),
                          "age": age, **({"metric": leaf(route.metric)} if route.metric else {})}
        if route.protocol is RouteProto.LOCAL:
            entry |= {"nh-type": leaf("Local"), "nh": [{"nh-local-interface": leaf(logical(route.interface))}]}
        else:
            nh: Element = {"selected-next-hop": flag()}
            if route.next_hop is not None:
                nh["to"] = leaf(route.next_hop)
            entry["nh"] = [{**nh, "via": leaf(logical(route.interface))}]
        rts.append(_rt(str(route.prefix), [entry]))
    return [_table("inet6.0", len(dev.ipv6_routes), dev.ipv6_routes, rts)]


MasterTables = Callable[[DeviceState], list[Element]]


def _render(ctx: RenderContext, vrfs: list[str], keep: RouteFilter, master: MasterTables | None) -> str:
    found: list[Element] = []
    for vrf, rows in routes._tables(ctx, vrfs).items():
        found += _table_json(vrf, rows, keep, ctx.dev.backup_routes)
        if vrf == "default" and master is not None:
            found += master(ctx.dev)
    return reply("route-information", {"route-table": found} if found else {}, ctx.dev.os_version, "junos-routing")


def show_route(ctx: RenderContext) -> str:
    return _render(ctx, ctx.dev.vrf_names(), routes._all,
                   lambda dev: [*_ldp_tables(dev), *_inet6(dev, lambda _proto: True)])


def show_route_protocol(protocol: str) -> Callable[[RenderContext], str]:
    """The JSON renderer of ``show route protocol <protocol>``."""
    wanted = routes._PROTOCOLS[protocol]

    def render(ctx: RenderContext) -> str:
        return _render(ctx, ctx.dev.vrf_names(), lambda r: r.protocol is wanted,
                       lambda dev: _inet6(dev, lambda proto: proto is wanted))

    return render
