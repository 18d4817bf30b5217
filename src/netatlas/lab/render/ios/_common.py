"""Helpers shared by the IOS renderers: name abbreviations, MAC spelling, VRF lookups."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext, UnknownVrf

# (full prefix, short prefix) as IOS prints short names; longest prefixes first.
_SHORT: tuple[tuple[str, str], ...] = (
    ("AppGigabitEthernet", "Ap"),
    ("TwentyFiveGigE", "Twe"),
    ("TwoGigabitEthernet", "Tw"),
    ("TenGigabitEthernet", "Te"),
    ("FortyGigabitEthernet", "Fo"),
    ("HundredGigE", "Hu"),
    ("GigabitEthernet", "Gi"),
    ("FastEthernet", "Fa"),
    ("Ethernet", "Et"),
    ("Port-channel", "Po"),
    ("Vlan", "Vl"),
    ("Loopback", "Lo"),
    ("Tunnel", "Tu"),
)
_CDP_NAME = re.compile(r"^([A-Za-z]{5,})(\d.*)$")

ROUTE_LEGEND = """\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area\x20
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, m - OMP
       n - NAT, Ni - NAT inside, No - NAT outside, Nd - NAT DIA
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       H - NHRP, G - NHRP registered, g - NHRP registration summary
       o - ODR, P - periodic downloaded static route, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR
       & - replicated local route overrides by connected
"""


def short_name(name: str) -> str:
    """IOS short interface name.

    Examples:
        >>> short_name("GigabitEthernet1/0/1"), short_name("TwentyFiveGigE1/1/1"), short_name("Vlan10")
        ('Gi1/0/1', 'Twe1/1/1', 'Vl10')
    """
    for full, short in _SHORT:
        if name.startswith(full):
            return short + name[len(full) :]
    return name


def cdp_name(name: str) -> str:
    """The CDP summary spelling: three letters, a space, the number.

    Examples:
        >>> cdp_name("GigabitEthernet1/0/1"), cdp_name("Ethernet1/49"), cdp_name("ge-0/0/1")
        ('Gig 1/0/1', 'Eth 1/49', 'ge-0/0/1')
    """
    match = _CDP_NAME.match(name)
    return f"{match.group(1)[:3]} {match.group(2)}" if match else name


def dotted_mac(mac: str) -> str:
    """Cisco dotted MAC spelling.

    Examples:
        >>> dotted_mac("70:1F:53:73:8d:01")
        '701f.5373.8d01'
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return f"{digits[0:4]}.{digits[4:8]}.{digits[8:12]}"


def lines(rows: Iterable[str]) -> str:
    """Join output lines the way every renderer returns them (trailing newline)."""
    text = "\n".join(rows)
    return text + "\n" if text else ""


def fake_serial(seed: str, prefix: str = "FOC") -> str:
    """A stable, realistic-looking serial number derived from ``seed``."""
    value = zlib.crc32(seed.encode())
    return f"{prefix}{value % 10000:04d}X{(value >> 14) % 1000:03d}"


def require_vrf(ctx: RenderContext) -> str:
    """The VRF named in ``ctx.args`` (``default`` when absent); raise UnknownVrf if missing."""
    vrf = ctx.args.get("vrf", "default")
    if vrf not in ctx.dev.vrf_names():
        raise UnknownVrf(vrf)
    return vrf


def is_switch(dev: DeviceState) -> bool:
    """Catalyst switches print stack tables and switchport data; ISR/ASR routers do not."""
    return dev.model.upper().startswith(("C9", "WS-C", "C3", "C2", "IE-")) and not dev.model.startswith("C8")


def is_switchport(intf: Interface) -> bool:
    return intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and intf.mode is not PortMode.ROUTED


def status_words(intf: Interface) -> tuple[str, str]:
    """(line status, protocol status) as ``show interfaces`` prints them."""
    if not intf.admin_up:
        return "administratively down", "down"
    return ("up", "up") if intf.oper_up else ("down", "down")


def ethernet_ports(dev: DeviceState) -> list[Interface]:
    """Physical ports and port-channels (what ``show interfaces status`` lists)."""
    return [i for i in dev.interfaces if i.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.MGMT)]


def speed_text(kbps: int) -> str:
    """``1000000`` -> ``1000Mb/s``; ``10000000`` -> ``10Gb/s``."""
    mbps = kbps // 1000
    return f"{mbps // 1000}Gb/s" if mbps >= 10_000 else f"{mbps}Mb/s"


def vlan_ranges(vlans: Sequence[int]) -> str:
    """Compress VLAN ids the way IOS lists them.

    Examples:
        >>> vlan_ranges((10, 11, 12, 20)), vlan_ranges(())
        ('10-12,20', 'NONE')
    """
    out: list[str] = []
    ordered = sorted(set(vlans))
    start = prev = ordered[0] if ordered else 0
    for vid in [*ordered[1:], -1]:
        if vid == prev + 1:
            prev = vid
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = vid
    return ",".join(out) if ordered else "NONE"


def area_text(area: str) -> str:
    """IOS prints an area configured as ``area 0`` in decimal.

    Examples:
        >>> area_text("0.0.0.0"), area_text("0.0.1.1"), area_text("51")
        ('0', '257', '51')
    """
    parts = area.split(".")
    if len(parts) != 4:
        return area
    value = 0
    for part in parts:
        value = value * 256 + int(part)
    return str(value)
