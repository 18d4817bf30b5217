"""Checks for the NX-OS renderer: rows parsed by ntc-templates must equal the device state.

``CHECKS`` maps a command pattern of ``netatlas.lab.render.nxos.COMMANDS`` to a function
``(ctx, rows) -> None`` that raises ``AssertionError`` (showing the difference) when the
parsed rows disagree with ``ctx.dev`` / ``ctx.rib()``.  These checks derive what NX-OS shows
from the state on their own; they never import the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from netatlas.domain.names import canonical_interface, normalize_hostname, normalize_mac
from netatlas.lab.model import (
    DeviceState,
    Feature,
    IfKind,
    Interface,
    NeighborAdvert,
    NeighborProtocol,
    PortMode,
    Route,
    RouteProto,
)
from netatlas.lab.render.base import RenderContext
from tests.support.checks_asn import as_text, local_as_read

Rows = list[dict[str, Any]]
Check = Callable[[RenderContext, Rows], None]
PLATFORM = "cisco_nxos"


def canon(name: str) -> str:
    return canonical_interface(name, PLATFORM) if name else ""


def assert_same(label: str, got: Iterable[Any], want: Iterable[Any]) -> None:
    got_set, want_set = set(got), set(want)
    assert got_set == want_set, (
        f"{label}: missing {sorted(want_set - got_set, key=str)}; unexpected {sorted(got_set - want_set, key=str)}"
    )


def is_up(intf: Interface) -> bool:
    return intf.admin_up and intf.oper_up


def all_vrfs(dev: DeviceState) -> list[str]:
    return list(dict.fromkeys(["default", "management", *dev.vrf_names()]))


def vrf_arg(ctx: RenderContext, default: str = "default") -> list[str]:
    vrf = ctx.args.get("vrf", default)
    return all_vrfs(ctx.dev) if vrf == "all" else [vrf]


# --- facts -------------------------------------------------------------------------------


def _days(uptime: str) -> int:
    per_day = {"week": 7.0, "day": 1.0, "hour": 1 / 24, "minute": 1 / 1440, "second": 1 / 86400}
    return int(sum(int(n) * per_day[u] for n, u in re.findall(r"(\d+)\s+(week|day|hour|minute|second)", uptime)))


def check_version(ctx: RenderContext, rows: Rows) -> None:
    dev = ctx.dev
    assert len(rows) == 1, rows
    row = rows[0]
    got = (row["hostname"], row["serial"], row["os"], row["platform"])
    assert got == (dev.hostname, dev.serial, dev.os_version, dev.model.split("-", 1)[1]), got
    assert row["uptime"].startswith(f"{_days(dev.uptime)} day(s)"), row["uptime"]


def check_inventory(ctx: RenderContext, rows: Rows) -> None:
    chassis = [(r["pid"], r["sn"]) for r in rows if r["name"] == "Chassis"]
    assert chassis == [(ctx.dev.model, ctx.dev.serial)], chassis


def check_hostname(ctx: RenderContext, rows: Rows) -> None:
    assert [r["hostname"] for r in rows] == [ctx.dev.fqdn], rows


def check_clock(ctx: RenderContext, rows: Rows) -> None:
    assert len(rows) == 1 and rows[0]["timezone"] == "UTC", rows


def check_feature(ctx: RenderContext, rows: Rows) -> None:
    """ntc-templates reads the state of every NX-OS feature the lab models as its ``features_off`` says."""
    states = {r["name"]: r["state"] for r in rows}
    for feature in (Feature.LLDP, Feature.OSPF, Feature.BGP):
        assert states[str(feature)] == ("disabled" if feature in ctx.dev.features_off else "enabled"), rows


# --- interfaces --------------------------------------------------------------------------


def check_interface(ctx: RenderContext, rows: Rows) -> None:
    def want(i: Interface) -> tuple[Any, ...]:
        ip = (str(i.ipv4.ip), str(i.ipv4.network.prefixlen)) if i.ipv4 else ("", "")
        mac = "" if i.kind == IfKind.LOOPBACK else i.mac
        return (i.name, "up" if is_up(i) else "down", *ip, mac, i.description, str(i.mtu))

    def got(r: dict[str, Any]) -> tuple[Any, ...]:
        mac = normalize_mac(r["mac_address"]) if r["mac_address"] else ""
        link = r["link_status"].split()[0]
        return (canon(r["interface"]), link, r["ip_address"], r["prefix_length"], mac, r["description"], r["mtu"])

    assert_same("show interface", [got(r) for r in rows], [want(i) for i in ctx.dev.interfaces])
    admin = {canon(r["interface"]): r["admin_state"] for r in rows}
    for intf in ctx.dev.interfaces:
        # For an SVI the template reads "line protocol is <state>" into admin_state.
        up = is_up(intf) if intf.kind == IfKind.SVI else intf.admin_up
        assert admin[intf.name] == ("up" if up else "down"), (intf.name, admin[intf.name])


def _brief_vlan(i: Interface) -> str:
    if i.kind not in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL):
        return ""
    if i.mode == PortMode.ACCESS:
        return str(i.access_vlan or 1)
    return "1" if i.mode == PortMode.TRUNK else "--"


def check_interface_brief(ctx: RenderContext, rows: Rows) -> None:
    def want(i: Interface) -> tuple[str, str, str, str]:
        ip = str(i.ipv4.ip) if i.kind == IfKind.MGMT and i.ipv4 else ""
        portch = "" if i.kind != IfKind.PHYSICAL else (i.channel_group or "--").removeprefix("port-channel")
        return (i.name, "up" if is_up(i) else "down", ip, portch)

    got = [(canon(r["interface"]), r["status"], r["ip_address"], r["portch"]) for r in rows]
    assert_same("show interface brief", got, [want(i) for i in ctx.dev.interfaces])
    vlans = [(canon(r["interface"]), r["vlan_id"]) for r in rows if r["vlan_id"]]
    assert_same("brief vlans", vlans, [(i.name, _brief_vlan(i)) for i in ctx.dev.interfaces if _brief_vlan(i)])


def _status(i: Interface) -> str:
    if not i.admin_up:
        return "disabled"
    if i.oper_up:
        return "connected"
    return {IfKind.PORT_CHANNEL: "noOperMem", IfKind.SVI: "down"}.get(i.kind, "notconnec")


def check_interface_status(ctx: RenderContext, rows: Rows) -> None:
    def vlan(i: Interface) -> str:
        if i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and i.mode == PortMode.ACCESS:
            return str(i.access_vlan or 1)
        return "trunk" if i.mode == PortMode.TRUNK else "routed"

    got = [(canon(r["port"]), r["status"], r["vlan_id"], r["name"]) for r in rows]
    want = [(i.name, _status(i), vlan(i), (i.description or "--")[:18]) for i in ctx.dev.interfaces]
    assert_same("show interface status", got, want)


def check_interface_description(ctx: RenderContext, rows: Rows) -> None:
    got = [(canon(r["port"]), r["description"]) for r in rows]
    assert_same("show interface description", got, [(i.name, i.description or "--") for i in ctx.dev.interfaces])


def _l3(dev: DeviceState, vrfs: list[str]) -> list[Interface]:
    return [i for i in dev.interfaces if i.ipv4 is not None and i.vrf in vrfs]


def _triplet(i: Interface) -> str:
    admin = "up" if i.admin_up else "down"
    return f"{'up' if is_up(i) else 'down'}/link-{'up' if is_up(i) else 'down'}/admin-{admin}"


def check_ip_interface_brief(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["vrf"], canon(r["interface"]), r["ip_address"], f"{r['proto']}/{r['link']}/{r['status']}") for r in rows]
    want = [
        (i.vrf, i.name, str(i.ipv4.ip) if i.ipv4 else "", f"protocol-{_triplet(i)}") for i in _l3(ctx.dev, vrf_arg(ctx))
    ]
    assert_same("show ip interface brief", got, want)


def check_ip_interface_vrf_all(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["vrf"], canon(r["interface"]), r["ip_address"], r["subnet"]) for r in rows]
    want = [(i.vrf, i.name, str(i.ipv4.ip), str(i.ipv4.network)) for i in _l3(ctx.dev, all_vrfs(ctx.dev)) if i.ipv4]
    assert_same("show ip interface vrf all", got, want)


# --- layer 2 -----------------------------------------------------------------------------


def _in_vlan(i: Interface, vlan: int) -> bool:
    if i.channel_group or i.kind not in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL):
        return False
    if i.mode == PortMode.ACCESS:
        return (i.access_vlan or 1) == vlan
    return i.mode == PortMode.TRUNK and (not i.trunk_vlans or vlan in i.trunk_vlans)


def check_vlan(ctx: RenderContext, rows: Rows) -> None:
    dev = ctx.dev
    vlans = {1: "default", **{v: n or f"VLAN{v:04d}" for v, n in dev.vlans.items()}}
    got = [(int(r["vlan_id"]), r["vlan_name"], tuple(sorted(canon(p) for p in r["interfaces"]))) for r in rows]
    want = [(v, n, tuple(sorted(i.name for i in dev.interfaces if _in_vlan(i, v)))) for v, n in vlans.items()]
    assert_same("show vlan brief", got, want)


def check_port_channel(ctx: RenderContext, rows: Rows) -> None:
    got = [(canon(r["bundle_name"]), tuple(sorted(canon(m) for m in r["member_interface"] if m != "--"))) for r in rows]
    pos = [i for i in ctx.dev.interfaces if i.kind == IfKind.PORT_CHANNEL]
    assert_same("show port-channel summary", got, [(p.name, tuple(sorted(p.members))) for p in pos])


def check_mac(ctx: RenderContext, rows: Rows) -> None:
    got = [(int(r["vlan_id"]), normalize_mac(r["mac_address"]), canon(r["ports"]), r["type"]) for r in rows]
    want = [(m.vlan, m.mac, m.interface, "dynamic" if m.dynamic else "static") for m in ctx.dev.mac_table]
    assert_same("show mac address-table", got, want)


# --- neighbors ---------------------------------------------------------------------------


def _adverts(dev: DeviceState, protocol: NeighborProtocol) -> list[NeighborAdvert]:
    return [n for n in dev.neighbors if n.protocol == protocol]


def check_cdp(ctx: RenderContext, rows: Rows) -> None:
    def tail(n: NeighborAdvert) -> list[str]:
        # The template reads the last two words as platform and port (both may hold spaces).
        return f"{n.remote_platform} {n.remote_interface}".split()[-2:]

    got = [
        (r["neighbor_name"], canon(r["local_interface"]), r["platform"], canon(r["neighbor_interface"])) for r in rows
    ]
    want = [
        (n.device_id, n.local_interface, tail(n)[0], canon(tail(n)[1])) for n in _adverts(ctx.dev, NeighborProtocol.CDP)
    ]
    assert_same("show cdp neighbors", got, want)


def check_cdp_detail(ctx: RenderContext, rows: Rows) -> None:
    got = [
        (r["chassis_id"], r["local_interface"], r["neighbor_interface"], r["mgmt_address"], r["platform"]) for r in rows
    ]
    want = [
        (n.device_id, n.local_interface, n.remote_interface, str(n.mgmt_ip or ""), n.remote_platform)
        for n in _adverts(ctx.dev, NeighborProtocol.CDP)
    ]
    assert_same("show cdp neighbors detail", got, want)
    versions = [(normalize_hostname(r["chassis_id"]), r["neighbor_description"]) for r in rows]
    expected = [
        (normalize_hostname(n.device_id), n.software.splitlines()[0]) for n in _adverts(ctx.dev, NeighborProtocol.CDP)
    ]
    assert_same("cdp versions", versions, expected)


def check_lldp(ctx: RenderContext, rows: Rows) -> None:
    got = [(r["neighbor_name"], canon(r["local_interface"]), canon(r["neighbor_interface"])) for r in rows]
    want = [
        (n.device_id, n.local_interface, canon(n.remote_interface)) for n in _adverts(ctx.dev, NeighborProtocol.LLDP)
    ]
    assert_same("show lldp neighbors", got, want)


def check_lldp_detail(ctx: RenderContext, rows: Rows) -> None:
    def got(r: dict[str, Any]) -> tuple[str, ...]:
        values = (r["neighbor_name"], canon(r["local_interface"]), r["neighbor_interface"])
        return (*values, normalize_mac(r["chassis_id"]), r["mgmt_address"], r["neighbor_description"])

    def want(n: NeighborAdvert) -> tuple[str, ...]:
        values = (n.device_id, n.local_interface, n.remote_interface, n.chassis_id)
        return (*values, str(n.mgmt_ip or ""), n.software.splitlines()[0])

    assert_same(
        "show lldp neighbors detail",
        [got(r) for r in rows],
        [want(n) for n in _adverts(ctx.dev, NeighborProtocol.LLDP)],
    )


# --- routing -----------------------------------------------------------------------------

_ATTACHED = (RouteProto.CONNECTED, RouteProto.LOCAL)
_OSPF_TYPES = {"": "intra", "intra": "intra", "inter": "inter", "ext1": "type-1", "ext2": "type-2"}


def _distance(r: Route) -> str:
    if r.distance or r.protocol in _ATTACHED:
        return str(r.distance)
    if r.protocol == RouteProto.BGP:
        return "200" if r.bgp_internal else "20"
    return {RouteProto.STATIC: "1", RouteProto.OSPF: "110"}[r.protocol]


def _proto(dev: DeviceState, r: Route) -> tuple[str, str]:
    if r.protocol == RouteProto.OSPF:
        return f"ospf-{dev.ospf_process}", _OSPF_TYPES.get(r.ospf_type, r.ospf_type)
    if r.protocol == RouteProto.BGP:
        return f"bgp-{dev.bgp_asn}", "internal" if r.bgp_internal else "external"
    return ("direct" if r.protocol == RouteProto.CONNECTED else r.protocol.value), ""


def _if_ip(dev: DeviceState, name: str | None) -> str:
    return next((str(i.ipv4.ip) for i in dev.interfaces if i.name == name and i.ipv4), "")


def _route_rows(dev: DeviceState, r: Route) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for hop in r.next_hops:
        nh_ip = _if_ip(dev, hop.interface) if r.protocol in _ATTACHED else str(hop.address or "")
        nh_if = hop.interface if hop.interface and r.protocol != RouteProto.BGP else ""
        head = (r.vrf, str(r.prefix.network_address), str(r.prefix.prefixlen), *_proto(dev, r))
        rows.append((*head, nh_ip, nh_if, _distance(r), str(r.metric)))
    return rows


def _with_local(rib: Iterable[Route]) -> list[Route]:
    """The RIB plus the ``local`` twin NX-OS shows for a /32 connected address (loopbacks)."""
    routes = list(rib)
    have_local = {(r.vrf, r.prefix) for r in routes if r.protocol == RouteProto.LOCAL}
    twins = [
        replace(r, protocol=RouteProto.LOCAL)
        for r in routes
        if r.protocol == RouteProto.CONNECTED and r.prefix.prefixlen == 32 and (r.vrf, r.prefix) not in have_local
    ]
    return routes + twins


def _route_key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["vrf"], row["network"], row["prefix_length"], row["protocol"], row["type"])


def route_check(proto: RouteProto | None, default_vrf: str = "default", tag_ok: bool = True) -> Check:
    """Check for a `show ip route` variant: ``proto`` filter, VRF from args (or ``default_vrf``)."""

    def check(ctx: RenderContext, rows: Rows) -> None:
        vrfs = vrf_arg(ctx, default_vrf)
        got = [
            (*_route_key(r), r["nexthop_ip"], canon(r["nexthop_if"]), r["distance"], r["metric"])
            for r in rows
            if r["protocol"]
        ]
        routes = [r for r in _with_local(ctx.rib()) if r.vrf in vrfs and (proto is None or r.protocol == proto)]
        want = [row for r in routes for row in _route_rows(ctx.dev, r)] if tag_ok else []
        assert_same(f"show ip route {proto or ''} vrf {vrfs}", got, want)

    return check


def ospf_tag_check(tag: int, default_vrf: str = "default") -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        route_check(RouteProto.OSPF, default_vrf, ctx.dev.ospf_process == tag)(ctx, rows)

    return check


def ospf_check(default_vrf: str) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        vrfs = vrf_arg(ctx, default_vrf)
        got = [(r["vrf"], r["neighbor_id"], r["ip_address"], canon(r["interface"]), r["state"]) for r in rows]
        want = [
            (n.vrf, str(n.router_id), str(n.address), n.interface, f"FULL/{' -' if n.role in ('-', '') else n.role}")
            for n in ctx.dev.ospf_neighbors
            if n.vrf in vrfs
        ]
        assert_same("show ip ospf neighbors", got, want)
        assert all(r["ospf_pid"] == str(ctx.dev.ospf_process) for r in rows), rows

    return check


def bgp_check(default_vrf: str) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        dev = ctx.dev
        vrfs = vrf_arg(ctx, default_vrf)
        got = [(r.get("vrf", ""), r["bgp_neigh"], r["neigh_as"], r["state_pfxrcd"]) for r in rows]
        want = [
            (p.vrf, str(p.address), as_text(dev, p.remote_as),
             str(p.prefixes_received) if p.state == "Established" else p.state)
            for p in dev.bgp_peers
            if p.vrf in vrfs
        ]
        assert_same("show ip bgp summary", got, want)
        assert all(r["local_as"] == local_as_read(dev) for r in rows), rows
        assert all(r["router_id"] == str(dev.bgp_router_id) for r in rows), rows

    return check


def arp_check(default_vrf: str) -> Check:
    def check(ctx: RenderContext, rows: Rows) -> None:
        vrfs = vrf_arg(ctx, default_vrf)
        got = [(r["ip_address"], normalize_mac(r["mac_address"]), canon(r["interface"])) for r in rows]
        want = [(str(a.address), a.mac, a.interface) for a in ctx.dev.arp if a.vrf in vrfs and a.age_min >= 0]
        assert_same("show ip arp", got, want)

    return check


def check_vrf(ctx: RenderContext, rows: Rows) -> None:
    assert_same("show vrf", [(r["name"], r["state"]) for r in rows], [(v, "Up") for v in all_vrfs(ctx.dev)])


def check_vrf_detail(ctx: RenderContext, rows: Rows) -> None:
    rds = {v.name: v.rd for v in ctx.dev.vrfs if v.rd}
    got = [(r["name"], r["default_rd"]) for r in rows]
    assert_same("show vrf detail", got, [(v, rds.get(v, "0:0")) for v in all_vrfs(ctx.dev)])


def _route_checks() -> dict[str, Check]:
    checks: dict[str, Check] = {
        "show ip route": route_check(None),
        "show ip route vrf all": route_check(None, "all"),
        "show ip route vrf <vrf>": route_check(None),
    }
    for word, proto in (("static", RouteProto.STATIC), ("ospf", RouteProto.OSPF), ("bgp", RouteProto.BGP)):
        checks[f"show ip route {word}"] = route_check(proto)
        checks[f"show ip route {word} vrf all"] = route_check(proto, "all")
        checks[f"show ip route {word} vrf <vrf>"] = route_check(proto)
    for tag in range(1, 11):
        checks[f"show ip route =ospf-{tag}"] = ospf_tag_check(tag)
        checks[f"show ip route =ospf-{tag} vrf all"] = ospf_tag_check(tag, "all")
        checks[f"show ip route =ospf-{tag} vrf <vrf>"] = ospf_tag_check(tag)
    return checks


CHECKS: dict[str, Check] = {
    "show version": check_version,
    "show inventory": check_inventory,
    "show hostname": check_hostname,
    "show clock": check_clock,
    "show feature": check_feature,
    "show interface": check_interface,
    "show interface brief": check_interface_brief,
    "show interface status": check_interface_status,
    "show interface description": check_interface_description,
    "show ip interface brief": check_ip_interface_brief,
    "show ip interface brief vrf all": lambda ctx, rows: check_ip_interface_brief(
        RenderContext(ctx.dev, ctx.rib, {"vrf": "all"}), rows
    ),
    "show ip interface brief vrf <vrf>": check_ip_interface_brief,
    "show ip interface vrf all": check_ip_interface_vrf_all,
    "show vlan brief": check_vlan,
    "show port-channel summary": check_port_channel,
    "show mac address-table": check_mac,
    "show cdp neighbors": check_cdp,
    "show cdp neighbors detail": check_cdp_detail,
    "show lldp neighbors": check_lldp,
    "show lldp neighbors detail": check_lldp_detail,
    **_route_checks(),
    "show ip ospf neighbors": ospf_check("default"),
    "show ip ospf neighbors vrf all": ospf_check("all"),
    "show ip bgp summary": bgp_check("default"),
    "show ip bgp summary vrf all": bgp_check("all"),
    "show ip arp": arp_check("default"),
    "show ip arp vrf all": arp_check("all"),
    "show ip arp vrf <vrf>": arp_check("default"),
    "show vrf": check_vrf,
    "show vrf detail": check_vrf_detail,
}
