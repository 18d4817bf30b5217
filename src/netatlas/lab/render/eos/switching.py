"""Layer 2 and VRF tables: ``show vlan``, ``show port-channel summary``, ``show vrf``,
``show mac address-table``, ``show ip arp``."""

from __future__ import annotations

from collections.abc import Iterator

from netatlas.lab.model import ArpEntry, DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import (
    by_name,
    check_vrf,
    dotted_mac,
    hms,
    if_sort_key,
    is_switchport,
    lines,
    short_name,
)
from netatlas.lab.render.eos._common import sorted_interfaces as ordered


def _wrap(items: list[str], per_line: int) -> list[str]:
    """Comma-separated chunks, every chunk but the last ending with a comma."""
    chunks = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)] or [""]
    return [c + ("," if n < len(chunks) - 1 else "") for n, c in enumerate(chunks)]


def vlan_ports(dev: DeviceState, vlan: int) -> list[str]:
    """Active ports of a VLAN, short names, plus ``Cpu`` when the VLAN has an SVI."""
    ports = ["Cpu"] if any(i.kind is IfKind.SVI and i.name == f"Vlan{vlan}" for i in dev.interfaces) else []
    for intf in ordered(dev.interfaces):
        if intf.channel_group or not is_switchport(intf) or not intf.oper_up:
            continue
        if intf.mode is PortMode.TRUNK:
            carried = not intf.trunk_vlans or vlan in intf.trunk_vlans
        else:
            carried = (intf.access_vlan or 1) == vlan
        if carried:
            ports.append(short_name(intf.name))
    return ports


def show_vlan(ctx: RenderContext) -> str:
    dev = ctx.dev
    vlans = {1: "default", **dev.vlans}
    rows = [
        "VLAN  Name                             Status    Ports",
        "----- -------------------------------- --------- -------------------------------",
    ]
    for vlan in sorted(vlans):
        chunks = _wrap(vlan_ports(dev, vlan), 4)
        rows.append(f"{vlan:<5} {vlans[vlan]:<32} {'active':<9} {chunks[0]}".rstrip())
        rows += [f"{'':<49}{chunk}" for chunk in chunks[1:]]
    return lines(rows)


_PO_LEGEND = (
    "Flags",
    "-------------------------- ----------------------------- -------------------------",
    "   a - LACP Active            p - LACP Passive           * - static fallback",
    "   F - Fallback enabled       f - Fallback configured    ^ - individual fallback",
    "   U - In Use                 D - Down",
    "   + - In-Sync                - - Out-of-Sync            i - incompatible with agg",
    "   P - bundled in Po          s - suspended              G - Aggregable",
    "   I - Individual             S - ShortTimeout           w - wait for agg",
    "   E - Inactive. The number of configured port channels exceeds the config limit",
    "   M - Exceeds maximum weight",
    "",
)


def _member_flags(dev: DeviceState, member: str) -> str:
    intf = by_name(dev).get(member)
    return f"{short_name(member)}({'PG+' if intf is not None and intf.oper_up else 'D'})"


def show_port_channel_summary(ctx: RenderContext) -> str:
    dev = ctx.dev
    channels = [i for i in ordered(dev.interfaces) if i.kind is IfKind.PORT_CHANNEL]
    in_use = sum(1 for c in channels if c.oper_up)
    rows = [
        *_PO_LEGEND,
        f"Number of channels in use: {in_use}",
        f"Number of aggregators: {in_use}",
        "",
        "   Port-Channel       Protocol     Ports",
        "------------------ --------------- ----------------------------------",
    ]
    for po in channels:
        members = [_member_flags(dev, m) for m in sorted(po.members, key=if_sort_key)]
        chunks = [" ".join(members[i : i + 4]) for i in range(0, len(members), 4)] or [""]
        head = f"{short_name(po.name)}({'U' if po.oper_up else 'D'})"
        rows.append(f"   {head:<18} {'LACP(a)':<12} {chunks[0]}".rstrip())
        rows += [f"{'':<35}{chunk}" for chunk in chunks[1:]]
    return lines(rows)


def vrf_interfaces(dev: DeviceState, vrf: str) -> list[str]:
    return [
        i.name
        for i in ordered(dev.interfaces)
        if i.vrf == vrf and (i.ipv4 is not None or not is_switchport(i)) and not i.channel_group
    ]


def show_vrf(ctx: RenderContext) -> str:
    dev = ctx.dev
    rds = {v.name: v.rd for v in dev.vrfs}
    rows = [
        "Maximum number of vrfs allowed: 1023",
        "   VRF           RD              Protocols       State            Interfaces",
        "------------- --------------- --------------- ------------------- ------------------------------",
    ]
    for vrf in sorted(dev.vrf_names()):
        chunks = _wrap(vrf_interfaces(dev, vrf), 3)
        rd = rds.get(vrf) or "<not set>"
        rows.append(f"   {vrf:<13} {rd:<15} {'ipv4,ipv6':<15} {'v4:routing,':<16} {chunks[0]}".rstrip())
        for n in range(1, max(2, len(chunks))):
            state = "v6:no routing" if n == 1 else ""
            chunk = chunks[n] if n < len(chunks) else ""
            rows.append(f"{'':<49}{state:<16} {chunk}".rstrip())
    return lines(rows)


def show_mac_address_table(ctx: RenderContext) -> str:
    entries = sorted(ctx.dev.mac_table, key=lambda e: (e.vlan, e.mac))
    rows = [
        "          Mac Address Table",
        "------------------------------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports      Moves   Last Move",
        "----    -----------       ----        -----      -----   ---------",
    ]
    for n, entry in enumerate(entries):
        port = short_name(entry.interface)
        if entry.dynamic:
            moved = f"{1 + n % 2:<7} {hms(60 * (7 + 13 * n) % 86400)} ago"
            rows.append(f"{entry.vlan:>4}    {dotted_mac(entry.mac)}    DYNAMIC     {port:<10} {moved}")
        else:
            rows.append(f"{entry.vlan:>4}    {dotted_mac(entry.mac)}    STATIC      {port}")
    rows += [
        f"Total Mac Addresses for this criterion: {len(entries)}",
        "",
        "          Multicast Mac Address Table",
        "------------------------------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       ----        -----",
        "Total Mac Addresses for this criterion: 0",
    ]
    return lines(rows)


def _learned_port(dev: DeviceState, entry: ArpEntry, intf: Interface | None) -> str:
    """SVI entries name the port the MAC was learned on (``Vlan10, Ethernet3``)."""
    if intf is None or intf.kind is not IfKind.SVI:
        return entry.interface
    vlan = int(intf.name.removeprefix("Vlan"))
    for mac in dev.mac_table:
        if mac.vlan == vlan and mac.mac == entry.mac:
            return f"{entry.interface}, {mac.interface}"
    return f"{entry.interface}, not learned"


def _arp_rows(dev: DeviceState, vrf: str) -> Iterator[str]:
    yield "Address         Age (sec)  Hardware Addr   Interface"
    names = by_name(dev)
    for entry in sorted((a for a in dev.arp if a.vrf == vrf and a.age_min >= 0), key=lambda a: a.address):
        age = hms(entry.age_min * 60)
        port = _learned_port(dev, entry, names.get(entry.interface))
        yield f"{entry.address!s:<15} {age:>9}  {dotted_mac(entry.mac)}  {port}"


def show_ip_arp(ctx: RenderContext) -> str:
    if ctx.args.get("vrf") == "all":
        return show_ip_arp_vrf_all(ctx)
    return lines(_arp_rows(ctx.dev, check_vrf(ctx)))


def show_ip_arp_vrf_all(ctx: RenderContext) -> str:
    rows: list[str] = []
    for vrf in sorted(ctx.dev.vrf_names()):
        rows += [f"VRF: {vrf}", *_arp_rows(ctx.dev, vrf), ""]
    return lines(rows[:-1])
