"""ARP and VRF tables: show ip arp [vrf ...], show vrf, show vrf detail."""

from __future__ import annotations

from netatlas.lab.model import ArpEntry, DeviceState
from netatlas.lab.render.base import RenderContext

from ._fmt import check_vrf, dotted_mac, join, vrf_id, vrf_list

_ARP_LEGEND = [
    "",
    "Flags: * - Adjacencies learnt on non-active FHRP router",
    "       + - Adjacencies synced via CFSoE",
    "       # - Adjacencies Throttled for Glean",
    "       CP - Added via L2RIB, Control plane Adjacencies",
    "       PS - Added via L2RIB, Peer Sync",
    "       RO - Re-Originated Peer Sync Entry",
    "       D - Static Adjacencies attached to down interface",
    "",
]


def arp_entries(dev: DeviceState, vrf: str | None) -> list[ArpEntry]:
    """Learnt entries of one VRF (``None``: all); NX-OS does not list its own addresses."""
    return [a for a in dev.arp if a.age_min >= 0 and (vrf is None or a.vrf == vrf)]


def _arp_age(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{(minutes * 7) % 60:02d}"


def _arp_table(dev: DeviceState, vrf: str | None) -> str:
    entries = arp_entries(dev, vrf)
    context = "all contexts" if vrf is None else f"context {vrf}"
    lines = [
        *_ARP_LEGEND,
        f"IP ARP Table for {context}",
        f"Total number of entries: {len(entries)}",
        "Address         Age       MAC Address     Interface       Flags",
    ]
    for entry in entries:
        age = _arp_age(entry.age_min)
        lines.append(f"{entry.address!s:<15} {age:<9} {dotted_mac(entry.mac):<15} {entry.interface}")
    return join(lines)


def show_ip_arp(ctx: RenderContext) -> str:
    return _arp_table(ctx.dev, "default")


def show_ip_arp_vrf(ctx: RenderContext) -> str:
    vrf = ctx.args.get("vrf", "all")
    return _arp_table(ctx.dev, None if vrf == "all" else check_vrf(ctx.dev, vrf))


def show_ip_arp_vrf_all(ctx: RenderContext) -> str:
    return _arp_table(ctx.dev, None)


def show_vrf(ctx: RenderContext) -> str:
    dev = ctx.dev
    lines = ["VRF-Name                           VRF-ID State   Reason                        "]
    for name in sorted(vrf_list(dev)):
        lines.append(f"{name:<32} {vrf_id(dev, name):>8} {'Up':<7} {'--':<30}")
    return join([*lines, ""])


def vrf_rd(dev: DeviceState, name: str) -> str:
    return next((v.rd for v in dev.vrfs if v.name == name and v.rd), "0:0")


def _table_id(ident: int, family: str) -> str:
    return f"    Table-ID: 0x{ident:08x}, AF: {family}, Fwd-ID: 0x{ident:08x}, State: Up"


def show_vrf_detail(ctx: RenderContext) -> str:
    dev = ctx.dev
    lines: list[str] = []
    for name in sorted(vrf_list(dev)):
        ident = vrf_id(dev, name)
        lines += [
            f"VRF-Name: {name}, VRF-ID: {ident}, State: Up",
            "    VPNID: unknown",
            f"    RD: {vrf_rd(dev, name)}",
            "    Max Routes: 0  Mid-Threshold: 0",
            _table_id(0x80000000 + ident, "IPv6"),
            _table_id(ident, "IPv4"),
            "",
        ]
    return join(lines)
