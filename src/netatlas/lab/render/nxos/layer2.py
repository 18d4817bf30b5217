"""Layer 2 views: show vlan brief, show port-channel summary, show mac address-table."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext

from ._fmt import dotted_mac, is_up, join, of_kind, short_if

_VLAN_PORTS_WIDTH = 31


def vlan_ports(dev: DeviceState, vlan: int) -> list[str]:
    """Ports NX-OS lists under a VLAN: access and trunk ports (port-channels, not their members)."""
    ports: list[str] = []
    for intf in dev.interfaces:
        if intf.channel_group or intf.kind not in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL):
            continue
        access = intf.mode == PortMode.ACCESS and (intf.access_vlan or 1) == vlan
        trunk = intf.mode == PortMode.TRUNK and (not intf.trunk_vlans or vlan in intf.trunk_vlans)
        if access or trunk:
            ports.append(short_if(intf.name))
    po_first = sorted(ports, key=lambda p: not p.startswith("Po"))
    return po_first


def _wrap_ports(ports: list[str]) -> list[str]:
    lines: list[str] = []
    current = ""
    for port in ports:
        candidate = f"{current}, {port}" if current else port
        if len(candidate) > _VLAN_PORTS_WIDTH and current:
            lines.append(current)
            candidate = port
        current = candidate
    return [*lines, current] if current else [""]


def all_vlans(dev: DeviceState) -> dict[int, str]:
    vlans = {1: "default", **dev.vlans}
    return {vid: vlans[vid] or f"VLAN{vid:04d}" for vid in sorted(vlans)}


def show_vlan_brief(ctx: RenderContext) -> str:
    dev = ctx.dev
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vid, name in all_vlans(dev).items():
        chunks = _wrap_ports(vlan_ports(dev, vid))
        lines.append(f"{vid:<4} {name[:32]:<32} {'active':<9} {chunks[0]}".rstrip())
        lines += [" " * 48 + chunk for chunk in chunks[1:]]
    return join([*lines, ""])


_PO_LEGEND = [
    "Flags:  D - Down        P - Up in port-channel (members)",
    "        I - Individual  H - Hot-standby (LACP only)",
    "        s - Suspended   r - Module-removed",
    "        b - BFD Session Wait",
    "        S - Switched    R - Routed",
    "        U - Up (port-channel)",
    "        p - Up in delay-lacp mode (member)",
    "        M - Not in use. Min-links not met",
    "-" * 80,
    "Group Port-       Type     Protocol  Member Ports",
    "      Channel",
    "-" * 80,
]


def _member_flag(dev: DeviceState, name: str) -> str:
    try:
        member = dev.interface(name)
    except KeyError:
        return "D"
    return "P" if is_up(member) else "D"


def _po_rows(dev: DeviceState, po: Interface) -> list[str]:
    number = po.name.removeprefix("port-channel")
    flags = ("R" if po.mode == PortMode.ROUTED else "S") + ("U" if is_up(po) else "D")
    members = [f"{short_if(m)}({_member_flag(dev, m)})".ljust(13) for m in po.members]
    protocol = "LACP" if members else "NONE"
    head = f"{number:<6}{f'Po{number}({flags})':<12}{'Eth':<9}{protocol:<10}"
    rows = ["".join(members[i : i + 3]).rstrip() for i in range(0, len(members), 3)] or ["--"]
    return [(head + rows[0]).rstrip(), *[" " * 37 + row for row in rows[1:]]]


def show_port_channel_summary(ctx: RenderContext) -> str:
    lines = list(_PO_LEGEND)
    for po in of_kind(ctx.dev, IfKind.PORT_CHANNEL):
        lines += _po_rows(ctx.dev, po)
    return join(lines)


_MAC_LEGEND = [
    "Legend: ",
    "        * - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC",
    "        age - seconds since last seen,+ - primary entry using vPC Peer-Link,",
    "        (T) - True, (F) - False, C - ControlPlane MAC, ~ - vsan,",
    "        (NA)- Not Applicable",
    "   VLAN     MAC Address      Type      age     Secure NTFY Ports",
    "---------+-----------------+--------+---------+------+----+------------------",
]


def show_mac_address_table(ctx: RenderContext) -> str:
    lines = list(_MAC_LEGEND)
    for entry in sorted(ctx.dev.mac_table, key=lambda e: (e.vlan, e.mac)):
        kind, age = ("dynamic", "0") if entry.dynamic else ("static", "-")
        mac = dotted_mac(entry.mac)
        port = short_if(entry.interface)
        lines.append(f"*{entry.vlan:>6}     {mac:<17}{kind:<9}{age:<10}F      F    {port}")
    return join(lines)
