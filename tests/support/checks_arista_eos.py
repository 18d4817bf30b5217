"""Checks that what ntc-templates parses from the EOS renderers equals the device state.

``CHECKS`` maps a command pattern of ``netatlas.lab.render.eos.COMMANDS`` to a check
``(ctx, rows) -> None`` that raises ``AssertionError`` showing the difference.
``parse_command`` turns a pattern into the command text a client would send (and the
template lookup uses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from netatlas.domain.names import canonical_interface, normalize_hostname, normalize_mac
from netatlas.lab.model import (
    IfKind,
    Interface,
    NeighborProtocol,
    PortMode,
    Route,
    RouteProto,
)
from netatlas.lab.render.base import RenderContext
from tests.support.checks_asn import as_path_text, as_text, local_as_read

Row = dict[str, Any]
Check = Callable[[RenderContext, list[Row]], None]
PLATFORM = "arista_eos"
_L2 = (IfKind.PHYSICAL, IfKind.PORT_CHANNEL)


def parse_command(pattern: str, vrf: str = "default") -> str:
    """The command a client sends for a pattern (``show arp`` is parsed as ``show ip arp``)."""
    command = pattern.replace("<vrf>", vrf).replace("=all", "all")
    return "show ip arp" if command == "show arp" else command


def _if(name: str) -> str:
    return canonical_interface(name, PLATFORM)


def assert_same(what: str, got: Iterable[Any], want: Iterable[Any]) -> None:
    got_set, want_set = set(got), set(want)
    missing = sorted(want_set - got_set, key=repr)
    extra = sorted(got_set - want_set, key=repr)
    assert not missing and not extra, f"{what}: missing {missing}, unexpected {extra}"
    assert want_set or not got_set, f"{what}: nothing expected"


def _one(rows: list[Row]) -> Row:
    assert len(rows) == 1, f"expected one row, got {rows}"
    return rows[0]


# --- facts -----------------------------------------------------------------------------


def check_version(ctx: RenderContext, rows: list[Row]) -> None:
    dev, row = ctx.dev, _one(rows)
    got = (row["model"], row["serial_number"], row["image"], normalize_mac(row["sys_mac"]), row["uptime"])
    want = (dev.model, dev.serial, dev.os_version, dev.base_mac)
    assert got[:4] == want, f"version {got} != {want}"
    assert row["uptime"].replace(" and ", ", ") == dev.uptime, row["uptime"]


def check_hostname(ctx: RenderContext, rows: list[Row]) -> None:
    row = _one(rows)
    assert (row["hostname"], row["fqdn"]) == (ctx.dev.hostname, ctx.dev.fqdn), row


def check_inventory(ctx: RenderContext, rows: list[Row]) -> None:
    assert rows, "no inventory rows"
    chassis = rows[0]
    assert (chassis["pid"], chassis["sn"]) == (ctx.dev.model, ctx.dev.serial), chassis
    ports = {r["port"] for r in rows if r["port"] and r["descr"] == "Arista Networks"}
    want = {
        i.name.removeprefix("Ethernet").split("/")[0]
        for i in ctx.dev.interfaces
        if i.kind is IfKind.PHYSICAL and i.oper_up
    }
    assert_same("transceivers", ports, want)


def check_clock(ctx: RenderContext, rows: list[Row]) -> None:
    row = _one(rows)
    text = f"{row['month']} {row['day']} {row['year']} {row['time']}"
    shown = datetime.strptime(text, "%b %d %Y %H:%M:%S").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - shown).total_seconds()) < 120, text
    assert row["timezone"] == "UTC", row


# --- interfaces ------------------------------------------------------------------------


def _switchport(intf: Interface) -> bool:
    return intf.kind in _L2 and intf.mode is not PortMode.ROUTED


def _layer3(intf: Interface) -> bool:
    return intf.ipv4 is not None or (not _switchport(intf) and not intf.channel_group)


def _link(intf: Interface) -> str:
    return "administratively down" if not intf.admin_up else ("up" if intf.oper_up else "down")


def _protocol(intf: Interface) -> str:
    if intf.admin_up and intf.oper_up:
        return "up"
    logical = intf.admin_up and intf.kind in (IfKind.PORT_CHANNEL, IfKind.SVI)
    return "lowerlayerdown" if logical else "down"


def _ip_mtu(intf: Interface) -> str:
    return "65535" if intf.kind is IfKind.LOOPBACK else str(intf.mtu)


def check_interfaces(ctx: RenderContext, rows: list[Row]) -> None:
    got = {
        (_if(r["interface"]), r["link_status"], r["protocol_status"].split()[0], r["ip_address"], r["description"])
        for r in rows
    }
    want = {
        (i.name, _link(i), _protocol(i), i.ipv4.with_prefixlen if i.ipv4 else "", i.description)
        for i in ctx.dev.interfaces
    }
    assert_same("interfaces", got, want)
    by_name = {i.name: i for i in ctx.dev.interfaces}
    for row in rows:
        intf = by_name[_if(row["interface"])]
        if intf.kind is not IfKind.LOOPBACK:
            assert normalize_mac(row["mac_address"]) == intf.mac, (row["interface"], row["mac_address"])
        if _layer3(intf):
            assert row["mtu"] == _ip_mtu(intf), (row["interface"], row["mtu"])
        if intf.kind not in (IfKind.LOOPBACK, IfKind.SVI):
            assert row["bandwidth"] == f"{intf.bandwidth_kbps} kbit", (row["interface"], row["bandwidth"])


def _status_vlan(intf: Interface) -> str:
    if intf.channel_group:
        return intf.channel_group
    if not _switchport(intf):
        return "routed"
    return "trunk" if intf.mode is PortMode.TRUNK else str(intf.access_vlan or 1)


def check_interfaces_status(ctx: RenderContext, rows: list[Row]) -> None:
    def status(i: Interface) -> str:
        return "disabled" if not i.admin_up else ("connected" if i.oper_up else "notconnect")

    got = {
        (_if(r["port"]), r["name"], r["status"], _if(r["vlan_id"]) if r["vlan_id"].startswith("Po") else r["vlan_id"])
        for r in rows
    }
    shown = (IfKind.PHYSICAL, IfKind.MGMT, IfKind.PORT_CHANNEL)
    want = {(i.name, i.description, status(i), _status_vlan(i)) for i in ctx.dev.interfaces if i.kind in shown}
    assert_same("interfaces status", got, want)


def check_interfaces_description(ctx: RenderContext, rows: list[Row]) -> None:
    def status(i: Interface) -> str:
        return "admin down" if not i.admin_up else ("up" if i.oper_up else "down")

    got = {(_if(r["port"]), r["status"], r["protocol"], r["description"]) for r in rows}
    want = {(i.name, status(i), _protocol(i), i.description) for i in ctx.dev.interfaces}
    assert_same("interfaces description", got, want)


def check_ip_interface_brief(ctx: RenderContext, rows: list[Row]) -> None:
    got = {(_if(r["interface"]), r["ip_address"], r["status"], r["protocol"], r["mtu"]) for r in rows}
    want = {
        (
            i.name,
            i.ipv4.with_prefixlen if i.ipv4 else "unassigned",
            "up" if i.admin_up and i.oper_up else "down",
            _protocol(i),
            _ip_mtu(i),
        )
        for i in ctx.dev.interfaces
        if _layer3(i)
    }
    assert_same("ip interface brief", got, want)


# --- layer 2 and VRFs ------------------------------------------------------------------


def _vlan_members(ctx: RenderContext, vlan: int) -> set[str]:
    members = set()
    for intf in ctx.dev.interfaces:
        if intf.channel_group or not _switchport(intf) or not intf.oper_up:
            continue
        trunk = intf.mode is PortMode.TRUNK and (not intf.trunk_vlans or vlan in intf.trunk_vlans)
        if trunk or (intf.mode is PortMode.ACCESS and (intf.access_vlan or 1) == vlan):
            members.add(intf.name)
    return members


def check_vlan(ctx: RenderContext, rows: list[Row]) -> None:
    vlans = {1: "default", **ctx.dev.vlans}
    got = {
        (int(r["vlan_id"]), r["vlan_name"], r["status"], frozenset(_if(p) for p in r["interfaces"] if p != "Cpu"))
        for r in rows
    }
    want = {(v, name, "active", frozenset(_vlan_members(ctx, v))) for v, name in vlans.items()}
    assert_same("vlans", got, want)


def check_port_channel_summary(ctx: RenderContext, rows: list[Row]) -> None:
    got = {
        (_if(r["bundle_name"]), r["bundle_status"], tuple(sorted(_if(m) for m in r["member_interface"]))) for r in rows
    }
    # The template keys a row on its first member: a channel without members yields no row.
    want = {
        (i.name, "U" if i.oper_up else "D", tuple(sorted(i.members)))
        for i in ctx.dev.interfaces
        if i.kind is IfKind.PORT_CHANNEL and i.members
    }
    assert_same("port-channels", got, want)


def check_vrf(ctx: RenderContext, rows: list[Row]) -> None:
    rds = {v.name: v.rd for v in ctx.dev.vrfs}
    got = {(r["vrf"], r["rd"], frozenset(_if(i) for i in r["interfaces"])) for r in rows}
    want = {
        (vrf, rds.get(vrf) or "<not set>", frozenset(i.name for i in ctx.dev.interfaces if i.vrf == vrf and _layer3(i)))
        for vrf in ctx.dev.vrf_names()
    }
    assert_same("vrfs", got, want)


def check_mac_address_table(ctx: RenderContext, rows: list[Row]) -> None:
    got = {
        (int(r["vlan_id"]), normalize_mac(r["mac_address"]), tuple(_if(p) for p in r["destination_port"]), r["type"])
        for r in rows
    }
    want = {(m.vlan, m.mac, (m.interface,), "DYNAMIC" if m.dynamic else "STATIC") for m in ctx.dev.mac_table}
    assert_same("mac address-table", got, want)


def _arp_check(vrfs: Callable[[RenderContext], list[str]], show_vrf: bool) -> Check:
    def check(ctx: RenderContext, rows: list[Row]) -> None:
        wanted = vrfs(ctx)
        got = {
            (
                r["vrf"] if show_vrf else wanted[0],
                r["ip_address"],
                normalize_mac(r["mac_address"]),
                _if(r["interface"].split(",")[0]),
            )
            for r in rows
        }
        want = {(a.vrf, str(a.address), a.mac, a.interface) for a in ctx.dev.arp if a.vrf in wanted and a.age_min >= 0}
        assert_same("arp", got, want)

    return check


# --- neighbors -------------------------------------------------------------------------


def _lldp(ctx: RenderContext) -> list[Any]:
    return [n for n in ctx.dev.neighbors if n.protocol is NeighborProtocol.LLDP]


def check_lldp_neighbors(ctx: RenderContext, rows: list[Row]) -> None:
    got = {(_if(r["local_interface"]), normalize_hostname(r["neighbor_name"]), r["neighbor_interface"]) for r in rows}
    want = {(n.local_interface, normalize_hostname(n.device_id), n.remote_interface) for n in _lldp(ctx)}
    assert_same("lldp neighbors", got, want)


def check_lldp_neighbors_detail(ctx: RenderContext, rows: list[Row]) -> None:
    got = {
        (
            _if(r["local_interface"]),
            normalize_hostname(r["neighbor_name"]),
            r["neighbor_interface"],
            r["mgmt_address"],
            normalize_mac(r["chassis_id"]),
            r["neighbor_description"],
        )
        for r in rows
    }
    want = {
        (
            n.local_interface,
            normalize_hostname(n.device_id),
            n.remote_interface,
            str(n.mgmt_ip) if n.mgmt_ip else "",
            n.chassis_id,
            n.software or n.remote_platform,
        )
        for n in _lldp(ctx)
    }
    assert_same("lldp neighbors detail", got, want)


# --- routing ---------------------------------------------------------------------------

_OSPF_CODES = {"inter": "O IA", "ext1": "O E1", "ext2": "O E2"}


def _code(route: Route) -> str:
    if route.protocol is RouteProto.OSPF:
        return _OSPF_CODES.get(route.ospf_type, "O")
    if route.protocol is RouteProto.BGP:
        return "B I" if route.bgp_internal else "B E"
    return "C" if route.protocol is RouteProto.CONNECTED else "S"


def _distance(route: Route) -> str:
    if route.protocol is RouteProto.CONNECTED or (route.next_hops and route.next_hops[0].address is None):
        return ""
    if route.distance:
        return str(route.distance)
    defaults = {RouteProto.STATIC: 1, RouteProto.OSPF: 110}
    return str(defaults.get(route.protocol, 200 if route.bgp_internal else 20))


def _route_key(route: Route) -> tuple[Any, ...]:
    metric = "" if _distance(route) == "" else str(route.metric)
    hops = frozenset(str(h.address) if h.address else "connected" for h in route.next_hops)
    return (
        route.vrf,
        _code(route),
        str(route.prefix.network_address),
        str(route.prefix.prefixlen),
        _distance(route),
        metric,
        hops,
    )


def _route_check(vrfs: Callable[[RenderContext], list[str]], protocol: RouteProto | None) -> Check:
    def check(ctx: RenderContext, rows: list[Row]) -> None:
        got = {
            (
                r["vrf"],
                r["protocol"],
                r["network"],
                r["prefix_length"],
                r["distance"],
                r["metric"],
                frozenset(r["next_hop"]),
            )
            for r in rows
        }
        routes = [
            r
            for r in ctx.rib()
            if r.vrf in vrfs(ctx)
            and r.protocol is not RouteProto.LOCAL
            and (protocol is None or r.protocol is protocol)
        ]
        assert_same("routes", got, {_route_key(r) for r in routes})
        egress = {
            (r["vrf"], r["network"], r["prefix_length"], hop): _if(intf.split(",")[0])
            for r in rows
            for hop, intf in zip(r["next_hop"], r["interface"], strict=True)
        }
        for route in routes:
            for hop in route.next_hops:
                key = (
                    route.vrf,
                    str(route.prefix.network_address),
                    str(route.prefix.prefixlen),
                    str(hop.address) if hop.address else "connected",
                )
                if hop.interface:
                    assert egress[key] == hop.interface, f"{key}: {egress[key]} != {hop.interface}"

    return check


def _ospf_check(all_vrfs: bool) -> Check:
    def check(ctx: RenderContext, rows: list[Row]) -> None:
        got = {
            (r["neighbor_id"], r["ip_address"], _if(r["interface"]), r["vrf"], r["instance"], r["state"].split("/")[0])
            for r in rows
        }
        want = {
            (str(n.router_id), str(n.address), n.interface, n.vrf, str(ctx.dev.ospf_process), "FULL")
            for n in ctx.dev.ospf_neighbors
            if all_vrfs or n.vrf == "default"
        }
        assert_same("ospf neighbors", got, want)

    return check


def _bgp_summary_check(all_vrfs: bool) -> Check:
    def check(ctx: RenderContext, rows: list[Row]) -> None:
        dev = ctx.dev
        for row in rows:
            assert (row["router_id"], row["local_as"]) == (str(dev.bgp_router_id), local_as_read(dev)), row
        got = {(r["vrf"], r["bgp_neigh"], r["neigh_as"], r["state"], r["state_pfxrcd"]) for r in rows}
        want = {
            (
                p.vrf,
                str(p.address),
                as_text(dev, p.remote_as),
                "Estab" if p.state == "Established" else p.state,
                str(p.prefixes_received) if p.state == "Established" else "",
            )
            for p in dev.bgp_peers
            if all_vrfs or p.vrf == "default"
        }
        assert_same("bgp summary", got, want)

    return check


def check_ip_bgp(ctx: RenderContext, rows: list[Row]) -> None:
    got = {(r["network"], r["next_hop"], r["as_path"], r["local_pref"], r["vrf"]) for r in rows}
    want = {
        (str(r.prefix), str(h.address), as_path_text(ctx.dev, r.bgp_as_path), str(r.bgp_local_pref), "default")
        for r in ctx.routes("default")
        if r.protocol is RouteProto.BGP
        for h in r.next_hops
    }
    assert_same("bgp table", got, want)


def _default(_ctx: RenderContext) -> list[str]:
    return ["default"]


def _asked(ctx: RenderContext) -> list[str]:
    return [ctx.args.get("vrf", "default")]


def _every(ctx: RenderContext) -> list[str]:
    return ctx.dev.vrf_names()


CHECKS: dict[str, Check] = {
    "show version": check_version,
    "show hostname": check_hostname,
    "show inventory": check_inventory,
    "show clock": check_clock,
    "show interfaces": check_interfaces,
    "show interfaces status": check_interfaces_status,
    "show interfaces description": check_interfaces_description,
    "show ip interface brief": check_ip_interface_brief,
    "show vlan": check_vlan,
    "show port-channel summary": check_port_channel_summary,
    "show vrf": check_vrf,
    "show mac address-table": check_mac_address_table,
    "show ip arp": _arp_check(_default, show_vrf=False),
    "show ip arp vrf =all": _arp_check(_every, show_vrf=True),
    "show ip arp vrf <vrf>": _arp_check(_asked, show_vrf=False),
    "show arp": _arp_check(_default, show_vrf=False),
    "show lldp neighbors": check_lldp_neighbors,
    "show lldp neighbors detail": check_lldp_neighbors_detail,
    "show ip route": _route_check(_default, None),
    "show ip route vrf =all": _route_check(_every, None),
    "show ip route vrf <vrf>": _route_check(_asked, None),
    "show ip route static": _route_check(_default, RouteProto.STATIC),
    "show ip route ospf": _route_check(_default, RouteProto.OSPF),
    "show ip route bgp": _route_check(_default, RouteProto.BGP),
    "show ip route connected": _route_check(_default, RouteProto.CONNECTED),
    "show ip ospf neighbor": _ospf_check(all_vrfs=False),
    "show ip ospf neighbor vrf =all": _ospf_check(all_vrfs=True),
    "show ip bgp summary": _bgp_summary_check(all_vrfs=False),
    "show ip bgp summary vrf =all": _bgp_summary_check(all_vrfs=True),
    "show ip bgp": check_ip_bgp,
}
