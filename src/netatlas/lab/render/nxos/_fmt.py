"""Formatting helpers shared by the NX-OS renderers: names, MACs, speeds, VRFs, columns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from netatlas.lab.model import DeviceState, IfKind, Interface
from netatlas.lab.render.base import UnknownVrf

# NX-OS short names (show interface brief/status, show ip route, mac table, ...).
_SHORT = (("Ethernet", "Eth"), ("port-channel", "Po"), ("loopback", "Lo"))
# The three-letter forms NX-OS prints for a *remote* port in `show cdp neighbors`.
_CDP_SHORT = (
    ("TenGigabitEthernet", "Ten"),
    ("TwentyFiveGigE", "Twe"),
    ("GigabitEthernet", "Gig"),
    ("FastEthernet", "Fas"),
    ("Ethernet", "Eth"),
)
_LLDP_SHORT = (
    ("TenGigabitEthernet", "Te"),
    ("TwentyFiveGigE", "Twe"),
    ("FortyGigabitEthernet", "Fo"),
    ("HundredGigE", "Hu"),
    ("GigabitEthernet", "Gi"),
    ("FastEthernet", "Fa"),
    ("Ethernet", "Eth"),
)
_DIGIT_AFTER = re.compile(r"^[A-Za-z-]+\d")


def _shorten(name: str, table: Sequence[tuple[str, str]]) -> str:
    for full, short in table:
        if name.startswith(full) and _DIGIT_AFTER.match(name):
            return short + name[len(full) :]
    return name


def short_if(name: str) -> str:
    """``Ethernet1/1`` -> ``Eth1/1``, ``port-channel10`` -> ``Po10``, ``loopback0`` -> ``Lo0``.

    Examples:
        >>> short_if("port-channel10"), short_if("Vlan10"), short_if("mgmt0")
        ('Po10', 'Vlan10', 'mgmt0')
    """
    return _shorten(name, _SHORT)


def cdp_port(name: str) -> str:
    """A remote port as NX-OS prints it in the CDP summary (``Gig1/0/1``, ``Eth1/1``)."""
    return _shorten(name, _CDP_SHORT)


def lldp_port(name: str) -> str:
    """A remote port as NX-OS prints it in the LLDP summary (``Gi1/0/1``, ``Eth1/1``)."""
    return _shorten(name, _LLDP_SHORT)


def dotted_mac(mac: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` -> ``aabb.ccdd.eeff``.

    Examples:
        >>> dotted_mac("00:50:56:AB:12:CD")
        '0050.56ab.12cd'
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return ".".join(digits[i : i + 4] for i in range(0, 12, 4))


def speed_short(kbps: int) -> str:
    """Bandwidth as NX-OS prints it in tables: ``10G``, ``1000``, ``100``.

    Examples:
        >>> speed_short(10_000_000), speed_short(1_000_000), speed_short(100_000)
        ('10G', '1000', '100')
    """
    mbps = kbps // 1000
    return f"{mbps // 1000}G" if mbps >= 10_000 else str(mbps)


def speed_long(kbps: int) -> str:
    """``10 Gb/s`` / ``1000 Mb/s`` as in `show interface`."""
    mbps = kbps // 1000
    return f"{mbps // 1000} Gb/s" if mbps >= 10_000 else f"{mbps} Mb/s"


def cols(values: Iterable[str], widths: Sequence[int]) -> str:
    """Left-justify ``values`` in columns of ``widths`` (the last one unpadded), one space minimum."""
    out = ""
    items = list(values)
    for i, value in enumerate(items):
        if i == len(items) - 1:
            out += value
            break
        width = widths[i] if i < len(widths) else len(value) + 1
        out += value.ljust(width - 1) + " "
    return out.rstrip()


def vrf_list(dev: DeviceState) -> list[str]:
    """Every VRF NX-OS knows: ``default``, ``management`` (always present), then the others."""
    names = ["default", "management"]
    names += [v for v in dev.vrf_names() if v not in names]
    return names


def vrf_id(dev: DeviceState, vrf: str) -> int:
    return vrf_list(dev).index(vrf) + 1


def check_vrf(dev: DeviceState, vrf: str) -> str:
    """Return ``vrf`` when the device has it; raise :class:`UnknownVrf` otherwise."""
    if vrf not in vrf_list(dev):
        raise UnknownVrf(vrf)
    return vrf


def is_up(intf: Interface) -> bool:
    return intf.admin_up and intf.oper_up


def if_address(dev: DeviceState, name: str | None) -> str | None:
    """The IPv4 address configured on interface ``name`` (for connected/local routes)."""
    for intf in dev.interfaces:
        if intf.name == name and intf.ipv4 is not None:
            return str(intf.ipv4.ip)
    return None


def physical(dev: DeviceState) -> list[Interface]:
    return [i for i in dev.interfaces if i.kind == IfKind.PHYSICAL]


def of_kind(dev: DeviceState, kind: IfKind) -> list[Interface]:
    return [i for i in dev.interfaces if i.kind == kind]


def join(lines: Iterable[str]) -> str:
    """Lines joined with ``\\n`` and ending in one, or ``""`` when there are none."""
    text = "\n".join(lines)
    return text + "\n" if text else ""
