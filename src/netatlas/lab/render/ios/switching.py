"""Layer-2 views: interface status/switchport, VLANs, EtherChannel, MAC address table."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import (
    dotted_mac,
    ethernet_ports,
    is_switchport,
    lines,
    short_name,
    vlan_ranges,
)
from netatlas.lab.render.ios.interfaces import _hardware

_RESERVED = ((1002, "fddi-default"), (1003, "token-ring-default"), (1004, "fddinet-default"), (1005, "trnet-default"))


def _port_state(intf: Interface) -> str:
    if not intf.admin_up:
        return "disabled"
    return "connected" if intf.oper_up else "notconnect"


def _vlan_column(intf: Interface) -> str:
    if intf.mode is PortMode.TRUNK:
        return "trunk"
    if intf.mode is PortMode.ACCESS:
        return str(intf.access_vlan or 1)
    return "routed"


def _duplex_speed(intf: Interface) -> tuple[str, str]:
    if not intf.oper_up:
        return "auto", "auto"
    mbps = intf.bandwidth_kbps // 1000 // (max(len(intf.members), 1) if intf.members else 1)
    return ("full", f"{mbps // 1000}G") if mbps >= 10_000 else ("a-full", f"a-{mbps}")


def show_interfaces_status(ctx: RenderContext) -> str:
    rows = ["", "Port         Name               Status       Vlan       Duplex  Speed Type "]
    for intf in ethernet_ports(ctx.dev):
        duplex, speed = _duplex_speed(intf)
        media = "" if intf.kind is IfKind.PORT_CHANNEL else _hardware(intf)[1]
        rows.append(
            f"{short_name(intf.name):<13}{intf.description[:18]:<19}{_port_state(intf):<13}"
            f"{_vlan_column(intf):<11}{duplex:>6} {speed:>6} {media}"
        )
    return lines(rows)


def _vlan_label(dev: DeviceState, vid: int) -> str:
    name = "default" if vid == 1 else dev.vlans.get(vid, f"VLAN{vid:04d}")
    return f"{vid} ({name})"


def _switchport_block(dev: DeviceState, intf: Interface) -> list[str]:
    rows = [f"Name: {short_name(intf.name)}"]
    if intf.mode is PortMode.ROUTED:
        return [*rows, "Switchport: Disabled", ""]
    trunk = intf.mode is PortMode.TRUNK
    mode = "trunk" if trunk else "static access"
    oper = mode if intf.oper_up else "down"
    if intf.channel_group and intf.oper_up:
        oper = f"{mode} (member of bundle {short_name(intf.channel_group)})"
    allowed = vlan_ranges(intf.trunk_vlans) if trunk and intf.trunk_vlans else "ALL"
    return [
        *rows,
        "Switchport: Enabled",
        f"Administrative Mode: {mode}",
        f"Operational Mode: {oper}",
        "Administrative Trunking Encapsulation: dot1q",
        f"Operational Trunking Encapsulation: {'dot1q' if trunk else 'native'}",
        f"Negotiation of Trunking: {'On' if trunk else 'Off'}",
        f"Access Mode VLAN: {_vlan_label(dev, intf.access_vlan or 1)}",
        "Trunking Native Mode VLAN: 1 (default)",
        "Administrative Native VLAN tagging: enabled",
        f"Voice VLAN: {_vlan_label(dev, intf.voice_vlan) if intf.voice_vlan else 'none'}",
        "Administrative private-vlan host-association: none ",
        "Administrative private-vlan mapping: none ",
        "Administrative private-vlan trunk native VLAN: none",
        "Administrative private-vlan trunk Native VLAN tagging: enabled",
        "Administrative private-vlan trunk encapsulation: dot1q",
        "Administrative private-vlan trunk normal VLANs: none",
        "Administrative private-vlan trunk associated VLANs: none",
        "Administrative private-vlan trunk mappings: none",
        "Operational private-vlan: none",
        f"Trunking VLANs Enabled: {allowed}",
        "Pruning VLANs Enabled: 2-1001",
        "Capture Mode Disabled",
        "Capture VLANs Allowed: ALL",
        "",
        "Protected: false",
        "Unknown unicast blocked: disabled",
        "Unknown multicast blocked: disabled",
        "Appliance trust: none",
        "",
    ]


def show_interfaces_switchport(ctx: RenderContext) -> str:
    ports = [i for i in ctx.dev.interfaces if i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL)]
    return lines(row for intf in ports for row in _switchport_block(ctx.dev, intf))


def vlan_members(dev: DeviceState) -> dict[int, list[str]]:
    """Access ports per VLAN (trunks and bundle members are not listed by ``show vlan``)."""
    members: dict[int, list[str]] = {1: [], **{vid: [] for vid in sorted(dev.vlans)}}
    for intf in dev.interfaces:
        if is_switchport(intf) and intf.mode is PortMode.ACCESS and not intf.channel_group:
            members.setdefault(intf.access_vlan or 1, []).append(short_name(intf.name))
    return members


def _wrap_ports(ports: list[str]) -> list[str]:
    chunks, current = [], ""
    for port in ports:
        candidate = f"{current}, {port}" if current else port
        if len(candidate) > 31 and current:
            chunks.append(current + ",")
            candidate = port
        current = candidate
    return [*chunks, current]


def show_vlan_brief(ctx: RenderContext) -> str:
    rows = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vid, ports in sorted(vlan_members(ctx.dev).items()):
        name = "default" if vid == 1 else ctx.dev.vlans.get(vid, f"VLAN{vid:04d}")
        wrapped = _wrap_ports(ports)
        rows.append(f"{vid:<4} {name[:32]:<32} {'active':<9} {wrapped[0]}".rstrip() + " ")
        rows += [" " * 48 + chunk for chunk in wrapped[1:]]
    rows += [f"{vid:<4} {name:<32} act/unsup " for vid, name in _RESERVED]
    return lines(rows)


_EC_FLAGS = """\
Flags:  D - down        P - bundled in port-channel
        I - stand-alone s - suspended
        H - Hot-standby (LACP only)
        R - Layer3      S - Layer2
        U - in use      f - failed to allocate aggregator

        M - not in use, minimum links not met
        u - unsuitable for bundling
        w - waiting to be aggregated
        d - default port

        A - formed by Auto LAG

"""


def _channel_row(dev: DeviceState, po: Interface) -> list[str]:
    group = "".join(ch for ch in po.name if ch.isdigit())
    flags = ("R" if po.mode is PortMode.ROUTED else "S") + ("U" if po.oper_up else "D")
    members = [f"{short_name(m)}({'P' if dev.interface(m).oper_up else 'D'})" for m in po.members]
    first = f"{group:<7}{short_name(po.name) + '(' + flags + ')':<16}{'LACP':<10}"
    rows = [first + " ".join(members[:4]) + " "]
    rows += [" " * 33 + " ".join(members[i : i + 4]) + " " for i in range(4, len(members), 4)]
    return rows


def show_etherchannel_summary(ctx: RenderContext) -> str:
    channels = [i for i in ctx.dev.interfaces if i.kind is IfKind.PORT_CHANNEL]
    rows = [
        _EC_FLAGS,
        f"Number of channel-groups in use: {len(channels)}",
        f"Number of aggregators:           {len(channels)}",
        "",
        "Group  Port-channel  Protocol    Ports",
        "------+-------------+-----------+-----------------------------------------------",
    ]
    rows += [row for po in channels for row in _channel_row(ctx.dev, po)]
    return lines([*rows, ""])


_CPU_MACS = ("0100.0ccc.cccc", "0100.0ccc.cccd", "0180.c200.0000", "0180.c200.0002")


def show_mac_address_table(ctx: RenderContext) -> str:
    rows = [
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
    ]
    rows += [f" All    {mac}    STATIC      CPU" for mac in _CPU_MACS]
    entries = sorted(ctx.dev.mac_table, key=lambda e: (e.vlan, e.mac))
    for entry in entries:
        kind = "DYNAMIC" if entry.dynamic else "STATIC"
        rows.append(f"{entry.vlan:>4}    {dotted_mac(entry.mac)}    {kind:<12}{short_name(entry.interface)}")
    rows.append(f"Total Mac Addresses for this criterion: {len(entries) + len(_CPU_MACS)}")
    return lines(rows)
