"""Small formatting helpers shared by the EOS renderers (naming, MACs, times, VRFs)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render.base import RenderContext, UnknownVrf

_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Ethernet", "Et"),
    ("Port-Channel", "Po"),
    ("Management", "Ma"),
    ("Loopback", "Lo"),
    ("Vlan", "Vl"),
    ("Tunnel", "Tu"),
)
_NUMBERS = re.compile(r"\d+")
_IOS_TIME = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$")
_HMS = re.compile(r"(\d+):(\d+):(\d+)$")


def short_name(name: str) -> str:
    """EOS's short interface spelling (``show interfaces status``, ``show vlan``...).

    Examples:
        >>> short_name("Ethernet49/1")
        'Et49/1'
        >>> short_name("Port-Channel10")
        'Po10'
    """
    for full, short in _ABBREVIATIONS:
        if name.startswith(full):
            return short + name[len(full) :]
    return name


def if_sort_key(name: str) -> tuple[str, tuple[int, ...]]:
    """EOS lists interfaces by type, then naturally by number (Ethernet2 before Ethernet10)."""
    match = _NUMBERS.search(name)
    kind = name[: match.start()] if match else name
    return kind, tuple(int(n) for n in _NUMBERS.findall(name))


def sorted_interfaces(interfaces: Iterable[Interface]) -> list[Interface]:
    return sorted(interfaces, key=lambda intf: if_sort_key(intf.name))


def dotted_mac(mac: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` -> ``aabb.ccdd.eeff`` (EOS prints Cisco-style MACs).

    Examples:
        >>> dotted_mac("44:4c:a8:00:00:01")
        '444c.a800.0001'
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    return ".".join(digits[i : i + 4] for i in range(0, 12, 4))


def seconds_of(uptime: str) -> int:
    """Seconds in an IOS-style age (``1w2d``, ``2d03h``, ``00:12:34``); 0 when unreadable.

    Examples:
        >>> seconds_of("1w2d")
        777600
        >>> seconds_of("01:02:03")
        3723
    """
    hms = _HMS.match(uptime)
    if hms:
        hours, minutes, secs = (int(x) for x in hms.groups())
        return hours * 3600 + minutes * 60 + secs
    match = _IOS_TIME.match(uptime)
    if not match or not uptime:
        return 0
    years, weeks, days, hours = (int(x or 0) for x in match.groups())
    return (((years * 365 + weeks * 7 + days) * 24) + hours) * 3600


def eos_age(uptime: str) -> str:
    """EOS ``Up/Down`` column: ``9d00h`` past a day, else ``HH:MM:SS``.

    Examples:
        >>> eos_age("1w2d")
        '9d00h'
        >>> eos_age("00:00:49")
        '00:00:49'
    """
    total = seconds_of(uptime)
    days, rest = divmod(total, 86400)
    if days:
        return f"{days}d{rest // 3600:02d}h"
    return f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def hms(seconds: int) -> str:
    """``H:MM:SS`` as EOS prints ARP ages and LLDP discovery times."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def check_vrf(ctx: RenderContext) -> str:
    """The ``<vrf>`` argument, or :class:`UnknownVrf` when the device has no such VRF."""
    vrf = ctx.args.get("vrf", "default")
    if vrf not in ctx.dev.vrf_names():
        raise UnknownVrf(vrf)
    return vrf


def by_name(dev: DeviceState) -> dict[str, Interface]:
    return {intf.name: intf for intf in dev.interfaces}


def is_switchport(intf: Interface) -> bool:
    """An L2 port (access or trunk); port-channel members follow their channel."""
    return intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL) and intf.mode is not PortMode.ROUTED


def lines(rows: Iterable[str]) -> str:
    """Join output lines; every non-empty output ends with a newline."""
    text = "\n".join(rows)
    return text + "\n" if text else ""
