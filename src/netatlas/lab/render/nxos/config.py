"""`show running-config`: a configuration consistent with the device state."""

from __future__ import annotations

from datetime import UTC, datetime

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode, RouteProto
from netatlas.lab.render.base import RenderContext

from ._fmt import join
from .facts import image_file
from .layer2 import all_vlans


def _features(dev: DeviceState) -> list[str]:
    names = ["interface-vlan", "lacp", "lldp"]
    if dev.ospf_router_id is not None or dev.ospf_neighbors:
        names.insert(0, "ospf")
    if dev.bgp_asn is not None:
        names.insert(0, "bgp")
    return [f"feature {name}" for name in sorted(names)]


def _switchport(intf: Interface) -> list[str]:
    if intf.kind == IfKind.PORT_CHANNEL or (intf.kind == IfKind.PHYSICAL and intf.mode != PortMode.ROUTED):
        if intf.mode == PortMode.ACCESS:
            vlan = intf.access_vlan or 1
            return ["  switchport", "  switchport mode access", f"  switchport access vlan {vlan}"]
        if intf.mode == PortMode.TRUNK:
            allowed = ",".join(str(v) for v in intf.trunk_vlans) or "1-4094"
            return ["  switchport", "  switchport mode trunk", f"  switchport trunk allowed vlan {allowed}"]
    return ["  no switchport"] if intf.kind == IfKind.PHYSICAL else []


def _interface(dev: DeviceState, intf: Interface) -> list[str]:
    lines = ["", f"interface {intf.name}"]
    if intf.description:
        lines.append(f"  description {intf.description}")
    lines += _switchport(intf)
    if intf.channel_group:
        lines.append(f"  channel-group {intf.channel_group.removeprefix('port-channel')} mode active")
    if intf.mtu != 1500:
        lines.append(f"  mtu {intf.mtu}")
    if intf.vrf != "default":
        lines.append(f"  vrf member {intf.vrf}")
    if intf.ipv4 is not None:
        lines.append(f"  ip address {intf.ipv4.with_prefixlen}")
    if intf.ospf_area is not None:
        lines.append(f"  ip router ospf {dev.ospf_process} area {intf.ospf_area}")
    if intf.admin_up and intf.kind != IfKind.MGMT:
        lines.append("  no shutdown")
    elif not intf.admin_up:
        lines.append("  shutdown")
    return lines


def _statics(ctx: RenderContext, vrf: str) -> list[str]:
    lines: list[str] = []
    for route in ctx.dev.static_routes or [r for r in ctx.routes(None) if r.protocol == RouteProto.STATIC]:
        if route.vrf != vrf:
            continue
        for hop in route.next_hops:
            target = " ".join(x for x in (hop.interface or "", str(hop.address or "")) if x)
            lines.append(f"{'  ' if vrf != 'default' else ''}ip route {route.prefix} {target}")
    return lines


def _vrf_contexts(ctx: RenderContext) -> list[str]:
    dev = ctx.dev
    names = ["management", *[v.name for v in dev.vrfs if v.name != "management"]]
    lines: list[str] = []
    for name in names:
        rd = next((v.rd for v in dev.vrfs if v.name == name and v.rd), "")
        lines += ["", f"vrf context {name}", *([f"  rd {rd}"] if rd else []), *_statics(ctx, name)]
    return lines


def _router_ospf(dev: DeviceState) -> list[str]:
    if dev.ospf_router_id is None:
        return []
    return ["", f"router ospf {dev.ospf_process}", f"  router-id {dev.ospf_router_id}"]


def _router_bgp(dev: DeviceState) -> list[str]:
    if dev.bgp_asn is None:
        return []
    lines = ["", f"router bgp {dev.bgp_asn}"]
    if dev.bgp_router_id is not None:
        lines.append(f"  router-id {dev.bgp_router_id}")
    lines += ["  address-family ipv4 unicast"]
    for vrf in ["default", *[v.name for v in dev.vrfs]]:
        peers = [p for p in dev.bgp_peers if p.vrf == vrf]
        indent = "  " if vrf == "default" else "    "
        if peers and vrf != "default":
            lines += [f"  vrf {vrf}", "    address-family ipv4 unicast"]
        for peer in peers:
            lines += [f"{indent}neighbor {peer.address}", f"{indent}  remote-as {peer.remote_as}"]
            if peer.description:
                lines.append(f"{indent}  description {peer.description}")
            lines += [f"{indent}  address-family ipv4 unicast"]
    return lines


def show_running_config(ctx: RenderContext) -> str:
    dev = ctx.dev
    now = datetime.now(UTC)
    lines = [
        "",
        "!Command: show running-config",
        f"!Running configuration last done at: {now:%a %b %d %H:%M:%S %Y}",
        f"!Time: {now:%a %b %d %H:%M:%S %Y}",
        "",
        f"version {dev.os_version} Bios:version 05.45 ",
        f"hostname {dev.hostname}",
        "vdc " + dev.hostname + " id 1",
        *_features(dev),
        "",
        "no password strength-check",
        "username admin password 5 $5$Jh5nZp0h$7x0 role network-admin",
    ]
    if dev.domain:
        lines.append(f"ip domain-name {dev.domain}")
    lines += _statics(ctx, "default")
    lines += ["vlan " + ",".join(str(v) for v in all_vlans(dev))]
    for vid, name in all_vlans(dev).items():
        if vid != 1:
            lines += [f"vlan {vid}", f"  name {name}"]
    lines += _vrf_contexts(ctx)
    for intf in dev.interfaces:
        lines += _interface(dev, intf)
    lines += ["", "line console", "line vty", f"boot nxos {image_file(dev.os_version)}"]
    lines += _router_ospf(dev) + _router_bgp(dev)
    return join([*lines, ""])
