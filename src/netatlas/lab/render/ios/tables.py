"""ARP and VRF tables: ``show ip arp [vrf]``, ``show arp``, ``show vrf [detail]``, ``show ip vrf``."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, Vrf
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import dotted_mac, lines, require_vrf, short_name


def _arp_lines(dev: DeviceState, vrf: str) -> list[str]:
    rows = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    entries = sorted((e for e in dev.arp if e.vrf == vrf), key=lambda e: int(e.address))
    for entry in entries:
        age = "-" if entry.age_min < 0 else str(entry.age_min)
        rows.append(f"Internet  {entry.address!s:<17}{age:>8}   {dotted_mac(entry.mac):<16}ARPA   {entry.interface}")
    return rows


def show_ip_arp(ctx: RenderContext) -> str:
    return lines(_arp_lines(ctx.dev, require_vrf(ctx)))


def show_arp(ctx: RenderContext) -> str:
    return lines(_arp_lines(ctx.dev, "default"))


def _vrf_interfaces(dev: DeviceState, vrf: str) -> list[str]:
    return [short_name(i.name) for i in dev.interfaces if i.vrf == vrf]


def _sorted_vrfs(dev: DeviceState) -> list[Vrf]:
    """IOS lists VRFs by name."""
    return sorted(dev.vrfs, key=lambda v: v.name)


def _rd(vrf: Vrf) -> str:
    return vrf.rd or "<not set>"


def show_vrf(ctx: RenderContext) -> str:
    rows = ["  Name                             Default RD            Protocols   Interfaces"]
    for vrf in _sorted_vrfs(ctx.dev):
        intfs = _vrf_interfaces(ctx.dev, vrf.name) or [""]
        rows.append(f"  {vrf.name:<32} {_rd(vrf):<21} {'ipv4':<11} {intfs[0]}".rstrip())
        rows += [" " * 69 + name for name in intfs[1:]]
    return lines(rows)


def show_ip_vrf(ctx: RenderContext) -> str:
    rows = ["  Name                             Default RD            Interfaces"]
    for vrf in _sorted_vrfs(ctx.dev):
        intfs = _vrf_interfaces(ctx.dev, vrf.name) or [""]
        rows.append(f"  {vrf.name:<32} {_rd(vrf):<21} {intfs[0]}".rstrip())
        rows += [" " * 57 + name for name in intfs[1:]]
    return lines(rows)


def _vrf_detail(dev: DeviceState, vrf: Vrf, vrf_id: int) -> list[str]:
    intfs = _vrf_interfaces(dev, vrf.name)
    rows = [
        f"VRF {vrf.name} (VRF Id = {vrf_id}); default RD {_rd(vrf)}; default VPNID <not set>",
        "  New CLI format, supports multiple address-families",
        "  Flags: 0x180C",
    ]
    rows += ["  Interfaces:", *[f"    {name}" for name in intfs]] if intfs else ["  No interfaces"]
    rows += [f"Address family ipv4 unicast (Table ID = 0x{vrf_id:X}):", "  Flags: 0x0"]
    if vrf.rd:
        rows += [
            "  Export VPN route-target communities",
            f"    RT:{vrf.rd}",
            "  Import VPN route-target communities",
            f"    RT:{vrf.rd}",
        ]
    else:
        rows += ["  No Export VPN route-target communities", "  No Import VPN route-target communities"]
    return [
        *rows,
        "  No import route-map",
        "  No global export route-map",
        "  No export route-map",
        "  VRF label distribution protocol: not configured",
        "  VRF label allocation mode: per-prefix",
        "Address family ipv6 unicast not active",
        "Address family ipv4 multicast not active",
        "Address family ipv6 multicast not active",
        "",
    ]


def show_vrf_detail(ctx: RenderContext) -> str:
    return lines(row for i, vrf in enumerate(ctx.dev.vrfs, 1) for row in _vrf_detail(ctx.dev, vrf, i))
