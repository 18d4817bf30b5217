"""Checks that ntc-templates rows parsed from the IOS renderer's text equal the device state.

``CHECKS`` is keyed by command pattern (as in the renderer's ``COMMANDS``); each check gets
the render context and the parsed rows and asserts equality with the state (order-free).
``parse_command`` gives the command string to hand to ntc-templates for a pattern.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from netatlas.domain.names import canonical_interface, normalize_hostname, normalize_mac
from netatlas.lab.model import DeviceState, IfKind, Interface, NeighborProtocol, PortMode, Route, RouteProto
from netatlas.lab.render.base import RenderContext
from tests.support.checks_asn import as_path_text, as_read_cut, as_text

Rows = list[dict[str, Any]]
Check = Callable[[RenderContext, Rows], None]
P = "cisco_ios"
# Patterns ntc-templates indexes under another spelling of the same output.
PARSE_AS = {
    "show bgp all summary": "show ip bgp all summary",
    "show ip bgp ipv4 unicast neighbors <neighbor>": "show ip bgp neighbors",
    "show bgp ipv4 unicast neighbors": "show ip bgp neighbors",
    "show bgp vpnv4 unicast all neighbors": "show ip bgp vpnv4 all neighbors",
}


def parse_command(pattern: str, args: Mapping[str, str]) -> str:
    """The concrete command for ntc-templates: ``<vrf>`` filled in, ``=*`` unquoted."""
    words = [args.get(w[1:-1], w) if w.startswith("<") else w.lstrip("=") for w in pattern.split()]
    return PARSE_AS.get(pattern, " ".join(words))


def _canon(name: str) -> str:
    return canonical_interface(name.replace(" ", ""), P) if name else ""


# Unit tests run on hand-made devices rich enough that every check has something to compare;
# they keep this on. Lab devices legitimately have nothing of some kinds (no port-channel).
REQUIRE_DATA = True


def same(what: str, got: Iterable[Any], want: Iterable[Any]) -> None:
    """Multiset equality with a readable difference; refuses two empty sides while REQUIRE_DATA."""
    got_c, want_c = Counter(got), Counter(want)
    assert want_c or not REQUIRE_DATA, f"{what}: the state has nothing to compare (test data too thin)"
    missing, extra = want_c - got_c, got_c - want_c
    assert not missing and not extra, f"{what}: missing {sorted(missing, key=str)} extra {sorted(extra, key=str)}"


def _status(intf: Interface) -> tuple[str, str]:
    if not intf.admin_up:
        return "administratively down", "down"
    return ("up", "up") if intf.oper_up else ("down", "down")


def _vrf_of(ctx: RenderContext) -> str:
    return ctx.args.get("vrf", "default")


# ---- facts ---------------------------------------------------------------------------------


def check_version(ctx: RenderContext, rows: Rows) -> None:
    dev = ctx.dev
    got = [(r["hostname"], r["version"], tuple(r["serial"]), tuple(r["hardware"]), r["uptime"]) for r in rows]
    same("show version", got, [(dev.hostname, dev.os_version, (dev.serial,), (dev.model,), dev.uptime)])


def check_inventory(ctx: RenderContext, rows: Rows) -> None:
    chassis = [(r["pid"], r["sn"]) for r in rows if r["sn"] == ctx.dev.serial]
    assert chassis and all(pid == ctx.dev.model for pid, _ in chassis), f"chassis rows {chassis}"
    assert all(r["sn"] and r["pid"] for r in rows), rows


def check_clock(ctx: RenderContext, rows: Rows) -> None:
    assert len(rows) == 1 and rows[0]["timezone"] == "UTC", rows
    row = rows[0]
    datetime.strptime(f"{row['time']} {row['month']} {row['day']} {row['year']}", "%H:%M:%S.%f %b %d %Y")


# ---- interfaces ----------------------------------------------------------------------------


def check_interfaces(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (
            _canon(r["interface"]),
            r["link_status"],
            r["protocol_status"].split()[0],
            r["ip_address"],
            r["prefix_length"],
            r["description"],
            r["mtu"],
            normalize_mac(r["mac_address"]) if r["mac_address"] else "",
        )
        for r in rows
    ]
    want = [
        (
            i.name,
            *_status(i),
            str(i.ipv4.ip) if i.ipv4 else "",
            str(i.ipv4.network.prefixlen) if i.ipv4 else "",
            i.description,
            str(i.mtu if i.kind is not IfKind.LOOPBACK else 1514),
            "" if i.kind is IfKind.LOOPBACK else i.mac,
        )
        for i in ctx.dev.interfaces
    ]
    same("show interfaces", got, want)
    bandwidth = {_canon(r["interface"]): r["bandwidth"] for r in rows}
    for intf in ctx.dev.interfaces:
        if intf.kind is not IfKind.LOOPBACK:
            assert bandwidth[intf.name] == f"{intf.bandwidth_kbps} Kbit", (intf.name, bandwidth[intf.name])


def check_ip_interface_brief(ctx: RenderContext, rows: Rows) -> None:
    got = [(_canon(r["interface"]), r["ip_address"], r["status"], r["proto"]) for r in rows]
    want = [(i.name, str(i.ipv4.ip) if i.ipv4 else "unassigned", *_status(i)) for i in ctx.dev.interfaces]
    same("show ip interface brief", got, want)


def check_ip_interface(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (_canon(r["interface"]), tuple(r["ip_address"]), tuple(r["prefix_length"]), r["vrf"], r["link_status"])
        for r in rows
    ]
    want = [
        (
            i.name,
            (str(i.ipv4.ip),) if i.ipv4 else (),
            (str(i.ipv4.network.prefixlen),) if i.ipv4 else (),
            i.vrf if i.vrf != "default" and i.ipv4 else "",
            _status(i)[0],
        )
        for i in ctx.dev.interfaces
    ]
    same("show ip interface", got, want)


def check_interfaces_description(ctx: RenderContext, rows: Rows) -> None:
    got = [(_canon(r["port"]), r["status"], r["protocol"], r["description"]) for r in rows]
    want = [
        (i.name, "admin down" if not i.admin_up else _status(i)[0], _status(i)[1], i.description)
        for i in ctx.dev.interfaces
    ]
    same("show interfaces description", got, want)


def _ports(dev: DeviceState) -> list[Interface]:
    return [i for i in dev.interfaces if i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.MGMT)]


def _vlan_word(intf: Interface) -> str:
    if intf.kind is IfKind.MGMT or intf.mode is PortMode.ROUTED:
        return "routed"
    return "trunk" if intf.mode is PortMode.TRUNK else str(intf.access_vlan or 1)


def check_interfaces_status(ctx: RenderContext, rows: Rows) -> None:
    got = [(_canon(r["port"]), r["name"], r["status"], r["vlan_id"]) for r in rows]
    states = {(True, True): "connected", (True, False): "notconnect"}
    want = [
        (i.name, i.description[:18], states.get((i.admin_up, i.oper_up), "disabled"), _vlan_word(i))
        for i in _ports(ctx.dev)
    ]
    same("show interfaces status", got, want)


def _expand(vlans: list[str]) -> tuple[int, ...]:
    out: list[int] = []
    for item in vlans:
        if item in ("ALL", "NONE"):
            continue
        low, _, high = item.partition("-")
        out += range(int(low), int(high or low) + 1)
    return tuple(out)


def check_interfaces_switchport(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (
            _canon(r["interface"]),
            r["switchport"],
            r["admin_mode"],
            r["access_vlan"],
            r["voice_vlan"],
            _expand(r["trunking_vlans"]),
        )
        for r in rows
    ]
    want: list[tuple[str, str, str, str, str, tuple[int, ...]]] = []
    for i in ctx.dev.interfaces:
        if i.kind not in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL):
            continue
        if i.mode is PortMode.ROUTED:
            want.append((i.name, "Disabled", "", "", "", ()))
            continue
        mode = "trunk" if i.mode is PortMode.TRUNK else "static access"
        trunk = tuple(sorted(i.trunk_vlans)) if i.mode is PortMode.TRUNK else ()
        want.append((i.name, "Enabled", mode, str(i.access_vlan or 1), str(i.voice_vlan or "none"), trunk))
    same("show interfaces switchport", got, want)


def check_vlan_brief(ctx: RenderContext, rows: Rows) -> None:
    dev = ctx.dev
    got = [(int(r["vlan_id"]), r["vlan_name"], frozenset(_canon(x) for x in r["interfaces"])) for r in rows]
    ports: dict[int, set[str]] = {1: set(), **{v: set() for v in dev.vlans}}
    for i in dev.interfaces:
        if i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and i.mode is PortMode.ACCESS and not i.channel_group:
            ports.setdefault(i.access_vlan or 1, set()).add(i.name)
    names = {1: "default", **dev.vlans}
    want = [(v, names[v], frozenset(p)) for v, p in ports.items()]
    same("show vlan brief", [g for g in got if g[0] < 1002], want)


def check_etherchannel(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (_canon(r["bundle_name"]), r["bundle_protocol"], frozenset(map(_canon, r["member_interface"]))) for r in rows
    ]
    want = [(i.name, "LACP", frozenset(i.members)) for i in ctx.dev.interfaces if i.kind is IfKind.PORT_CHANNEL]
    same("show etherchannel summary", got, want)


def check_mac_table(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (int(r["vlan_id"]), normalize_mac(r["destination_address"]), _canon(r["destination_port"][0]), r["type"])
        for r in rows
        if r["destination_port"] != ["CPU"]
    ]
    want = [(e.vlan, e.mac, e.interface, "DYNAMIC" if e.dynamic else "STATIC") for e in ctx.dev.mac_table]
    same("show mac address-table", got, want)


# ---- neighbors -----------------------------------------------------------------------------


def _adverts(dev: DeviceState, protocol: NeighborProtocol) -> list[Any]:
    return [n for n in dev.neighbors if n.protocol is protocol]


def check_cdp(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (normalize_hostname(r["neighbor_name"]), _canon(r["local_interface"]), _canon(r["neighbor_interface"]))
        for r in rows
    ]
    want = [
        (normalize_hostname(n.device_id), n.local_interface, _canon(n.remote_interface))
        for n in _adverts(ctx.dev, NeighborProtocol.CDP)
    ]
    same("show cdp neighbors", got, want)
    for row in rows:
        assert row["platform"].strip() and row["platform"].strip().split()[0] in " ".join(
            n.remote_platform for n in ctx.dev.neighbors
        ), row


def check_cdp_detail(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (
            r["neighbor_name"],
            r["local_interface"],
            r["neighbor_interface"],
            r["mgmt_address"],
            r["platform"],
            r["neighbor_description"],
            r["capabilities"].strip(),
        )
        for r in rows
    ]
    want = [
        (
            n.device_id,
            n.local_interface,
            n.remote_interface,
            str(n.mgmt_ip or ""),
            n.remote_platform,
            n.software.splitlines()[0] if n.software else "",
            " ".join(n.capabilities),
        )
        for n in _adverts(ctx.dev, NeighborProtocol.CDP)
    ]
    same("show cdp neighbors detail", got, want)


def check_lldp(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["neighbor_name"], _canon(r["local_interface"]), r["neighbor_interface"]) for r in rows]
    want = [(n.device_id[:20], n.local_interface, n.remote_interface) for n in _adverts(ctx.dev, NeighborProtocol.LLDP)]
    same("show lldp neighbors", got, want)


def check_lldp_detail(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (
            _canon(r["local_interface"]),
            normalize_mac(r["chassis_id"]),
            r["neighbor_port_id"],
            r["neighbor_name"],
            r["mgmt_address"],
            r["neighbor_description"],
            r["capabilities"],
        )
        for r in rows
    ]
    want = [
        (
            n.local_interface,
            n.chassis_id,
            n.remote_interface,
            n.device_id,
            str(n.mgmt_ip or ""),
            (n.software or n.remote_platform).splitlines()[0],
            ",".join(n.capabilities),
        )
        for n in _adverts(ctx.dev, NeighborProtocol.LLDP)
    ]
    same("show lldp neighbors detail", got, want)


# ---- routing -------------------------------------------------------------------------------

_LETTER = {
    RouteProto.CONNECTED: "C",
    RouteProto.LOCAL: "L",
    RouteProto.STATIC: "S",
    RouteProto.OSPF: "O",
    RouteProto.BGP: "B",
}
_TYPE = {"inter": "IA", "ext1": "E1", "ext2": "E2"}


def _route_rows(route: Route) -> list[tuple[str, ...]]:
    direct = route.protocol in (RouteProto.CONNECTED, RouteProto.LOCAL)
    kind = _TYPE.get(route.ospf_type, "") if route.protocol is RouteProto.OSPF else ""
    vrf = "" if route.vrf == "default" else route.vrf
    out: list[tuple[str, ...]] = []
    for hop in route.next_hops:
        via = "" if direct or hop.address is None else str(hop.address)
        intf = "" if route.protocol is RouteProto.BGP else hop.interface or ""
        dist = "" if direct or hop.address is None else _distance(route)
        metric = "" if direct or hop.address is None else str(route.metric)
        out.append(
            (
                vrf,
                _LETTER[route.protocol],
                kind,
                str(route.prefix.network_address),
                str(route.prefix.prefixlen),
                via,
                intf,
                dist,
                metric,
            )
        )
    return out


def _ios_rib(ctx: RenderContext, vrf: str) -> list[Route]:
    """IOS shows a /32 connected prefix once, as ``C`` (no ``L`` twin)."""
    routes = ctx.routes(vrf)
    connected = {r.prefix for r in routes if r.protocol is RouteProto.CONNECTED}
    return [r for r in routes if not (r.protocol is RouteProto.LOCAL and r.prefix in connected)]


def _distance(route: Route) -> str:
    if route.distance:
        return str(route.distance)
    if route.protocol is RouteProto.BGP:
        return "200" if route.bgp_internal else "20"
    return {RouteProto.STATIC: "1", RouteProto.OSPF: "110"}[route.protocol]


def route_check(all_vrfs: bool, *protocols: RouteProto) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        vrfs = ctx.dev.vrf_names() if all_vrfs else [_vrf_of(ctx)]
        routes = [r for v in vrfs for r in _ios_rib(ctx, v) if not protocols or r.protocol in protocols]
        got = [
            (
                r["vrf"],
                r["protocol"],
                r["type"],
                r["network"],
                r["prefix_length"],
                r["nexthop_ip"],
                _canon(r["nexthop_if"]),
                r["distance"],
                r["metric"],
            )
            for r in rows
        ]
        same(f"routes {vrfs} {protocols}", got, [row for r in routes for row in _route_rows(r)])

    return check


def check_ospf_neighbors(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (r["neighbor_id"], r["ip_address"], _canon(r["interface"]), r["state"].replace(" ", ""), r["priority"])
        for r in rows
    ]
    want = [
        (str(n.router_id), str(n.address), n.interface, f"FULL/{n.role}", str(n.priority))
        for n in ctx.dev.ospf_neighbors
    ]
    same("show ip ospf neighbor", got, want)


def _area_number(area: str) -> str:
    a, b, c, d = (int(x) for x in area.split("."))
    return str(((a * 256 + b) * 256 + c) * 256 + d)


def check_ospf_detail(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["neighbor_id"], r["address"], r["area"], _canon(r["interface"]), r["state"]) for r in rows]
    want = [
        (str(n.router_id), str(n.address), _area_number(n.area), n.interface, "FULL") for n in ctx.dev.ospf_neighbors
    ]
    same("show ip ospf neighbor detail", got, want)


def _bgp_summary(vrfs: Callable[[str], bool]) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        dev = ctx.dev
        got = [
            (r["router_id"], r["local_as"], r["bgp_neighbor"], r["neighbor_as"], r["state_or_prefixes_received"])
            for r in rows
        ]
        want = [
            (
                str(dev.bgp_router_id),
                as_text(dev, dev.bgp_asn or 0),
                str(p.address),
                as_text(dev, p.remote_as),
                str(p.prefixes_received) if p.state == "Established" else p.state,
            )
            for p in dev.bgp_peers
            if vrfs(p.vrf)
        ]
        same("bgp summary", got, want)

    return check


def check_bgp_table(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["network"], r["next_hop"], r["as_path"], r["local_pref"], r["origin"]) for r in rows]
    want = [
        (
            str(r.prefix),
            str(h.address),
            as_path_text(ctx.dev, r.bgp_as_path),
            str(r.bgp_local_pref) if r.bgp_internal else "",
            "i",
        )
        for r in ctx.routes("default")
        if r.protocol is RouteProto.BGP
        for h in r.next_hops
    ]
    same("show ip bgp", got, want)


def _bgp_neighbors(vrfs: Callable[[str], bool]) -> Check:
    """``show [ip] bgp ... neighbors [<neighbor>]``: peer, VRF, AS, router ID, state, session ends."""

    def check(ctx: RenderContext, rows: Rows) -> None:
        dev, wanted = ctx.dev, ctx.args.get("neighbor")
        got = [
            (
                r["neighbor"],
                r.get("vrf") or "default",
                r["remote_as"],
                r["remote_router_id"],
                r["bgp_state"],
                r["localhost_ip"] in _own_addresses(dev, r.get("vrf") or "default"),
                r["remote_ip"],
            )
            for r in rows
        ]
        want = [
            (
                str(p.address),
                p.vrf,
                as_read_cut(dev, p.remote_as),
                str(p.address) if p.state == "Established" else "0.0.0.0",
                p.state,
                p.state == "Established",
                str(p.address) if p.state == "Established" else "",
            )
            for p in dev.bgp_peers
            if vrfs(p.vrf) and wanted in (None, str(p.address))
        ]
        same("bgp neighbors", got, want)

    return check


def _own_addresses(dev: DeviceState, vrf: str) -> set[str]:
    return {str(i.ipv4.ip) for i in dev.interfaces if i.ipv4 is not None and i.vrf == vrf}


# ---- ARP / VRF -----------------------------------------------------------------------------


def _arp_check(address: str, mac: str) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        vrf = _vrf_of(ctx)
        got = [
            (r[address], normalize_mac(r[mac]), _canon(r["interface"]), r[next(k for k in r if k.startswith("age"))])
            for r in rows
        ]
        want = [
            (str(e.address), e.mac, e.interface, "-" if e.age_min < 0 else str(e.age_min))
            for e in ctx.dev.arp
            if e.vrf == vrf
        ]
        same(f"arp {vrf}", got, want)

    return check


def _vrf_intfs(dev: DeviceState, vrf: str) -> frozenset[str]:
    return frozenset(i.name for i in dev.interfaces if i.vrf == vrf)


def check_vrf(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["name"], r["default_rd"], frozenset(map(_canon, r["interfaces"]))) for r in rows]
    want = [(v.name, v.rd or "<not set>", _vrf_intfs(ctx.dev, v.name)) for v in ctx.dev.vrfs]
    same("show vrf", got, want)


def check_vrf_detail(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["vrf"], r["rd"], frozenset(map(_canon, r["interfaces"])), tuple(r["rt_export"])) for r in rows]
    want = [(v.name, v.rd or "<not set>", _vrf_intfs(ctx.dev, v.name), (v.rd,) if v.rd else ()) for v in ctx.dev.vrfs]
    same("show vrf detail", got, want)


def _route_checks() -> dict[str, Check]:
    filters = {
        "": (),
        " static": (RouteProto.STATIC,),
        " ospf": (RouteProto.OSPF,),
        " bgp": (RouteProto.BGP,),
        " connected": (RouteProto.CONNECTED, RouteProto.LOCAL),
    }
    out: dict[str, Check] = {}
    for word, protos in filters.items():
        out[f"show ip route{word}"] = route_check(False, *protos)
        out[f"show ip route vrf <vrf>{word}"] = route_check(False, *protos)
        out[f"show ip route vrf =*{word}"] = route_check(True, *protos)
    return out


CHECKS: dict[str, Check] = {
    "show version": check_version,
    "show inventory": check_inventory,
    "show clock": check_clock,
    "show interfaces": check_interfaces,
    "show ip interface brief": check_ip_interface_brief,
    "show ip interface": check_ip_interface,
    "show interfaces description": check_interfaces_description,
    "show interfaces status": check_interfaces_status,
    "show interfaces switchport": check_interfaces_switchport,
    "show vlan brief": check_vlan_brief,
    "show etherchannel summary": check_etherchannel,
    "show mac address-table": check_mac_table,
    "show cdp neighbors": check_cdp,
    "show cdp neighbors detail": check_cdp_detail,
    "show lldp neighbors": check_lldp,
    "show lldp neighbors detail": check_lldp_detail,
    **_route_checks(),
    "show ip ospf neighbor": check_ospf_neighbors,
    "show ip ospf neighbor detail": check_ospf_detail,
    "show ip bgp summary": _bgp_summary(lambda vrf: vrf == "default"),
    "show bgp all summary": _bgp_summary(lambda vrf: True),
    "show ip bgp all summary": _bgp_summary(lambda vrf: True),
    "show ip bgp": check_bgp_table,
    "show ip bgp neighbors": _bgp_neighbors(lambda vrf: vrf == "default"),
    "show ip bgp ipv4 unicast neighbors <neighbor>": _bgp_neighbors(lambda vrf: vrf == "default"),
    "show bgp ipv4 unicast neighbors": _bgp_neighbors(lambda vrf: vrf == "default"),
    "show ip bgp vpnv4 all neighbors": _bgp_neighbors(lambda vrf: vrf != "default"),
    "show ip bgp vpnv4 all neighbors <neighbor>": _bgp_neighbors(lambda vrf: vrf != "default"),
    "show bgp vpnv4 unicast all neighbors": _bgp_neighbors(lambda vrf: vrf != "default"),
    "show ip arp": _arp_check("ip_address", "mac_address"),
    "show ip arp vrf <vrf>": _arp_check("ip_address", "mac_address"),
    "show arp": _arp_check("address", "hardware_address"),
    "show vrf": check_vrf,
    "show vrf detail": check_vrf_detail,
}
