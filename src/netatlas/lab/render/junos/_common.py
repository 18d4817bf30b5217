"""Helpers shared by the JunOS renderers: unit names, table names, times, preferences."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from netatlas.lab.model import DeviceState, IfKind, Interface, Route, RouteProto
from netatlas.lab.render.base import RenderContext, UnknownVrf

# A fixed wall clock keeps every rendering deterministic.
NOW = datetime(2024, 5, 14, 10, 20, 30)
TIMEZONE = "UTC"

_UPTIME_PART = re.compile(r"(\d+)\s*(y|w|d|h|m|s)[a-z]*", re.IGNORECASE)
_CLOCK = re.compile(r"(\d+):(\d+):(\d+)")
_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}

PREFERENCE = {
    RouteProto.CONNECTED: 0,
    RouteProto.LOCAL: 0,
    RouteProto.STATIC: 5,
    RouteProto.OSPF: 10,
    RouteProto.BGP: 170,
}
PROTO_NAME = {
    RouteProto.CONNECTED: "Direct",
    RouteProto.LOCAL: "Local",
    RouteProto.STATIC: "Static",
    RouteProto.OSPF: "OSPF",
    RouteProto.BGP: "BGP",
}


def logical(name: str) -> str:
    """The logical unit JunOS prints for an interface: ``ge-0/0/1`` -> ``ge-0/0/1.0``.

    Examples:
        >>> logical("ge-0/0/1")
        'ge-0/0/1.0'
        >>> logical("irb.10")
        'irb.10'
    """
    return name if "." in name else f"{name}.0"


def physical(intf: Interface) -> str:
    """The physical interface an interface lives on (``irb.10`` -> ``irb``)."""
    return intf.name.split(".", 1)[0]


def table_name(vrf: str) -> str:
    """``default`` -> ``inet.0``; a routing instance ``BLUE`` -> ``BLUE.inet.0``."""
    return "inet.0" if vrf == "default" else f"{vrf}.inet.0"


def vrf_of_table(dev: DeviceState, table: str) -> str:
    """The VRF a table name belongs to; :class:`UnknownVrf` when the device has no such table."""
    if table == "inet.0":
        return "default"
    name = table.removesuffix(".inet.0")
    if name == table or name not in dev.vrf_names():
        raise UnknownVrf(name)
    return name


def preference(route: Route) -> int:
    if route.protocol is RouteProto.OSPF and route.ospf_type.startswith("ext"):
        return 150
    if route.protocol is RouteProto.STATIC:  # a floating static route carries its own preference
        return max(route.distance, PREFERENCE[route.protocol])
    return PREFERENCE[route.protocol]


def seconds(uptime: str) -> int:
    """Seconds in an IOS-style or worded uptime (``1w2d``, ``2d03h``, ``01:02:03``, ``5 weeks, 3 days``).

    Examples:
        >>> seconds("1w2d")
        777600
        >>> seconds("01:02:03")
        3723
        >>> seconds("5 weeks, 3 days, 2 hours, 11 minutes")
        3291060
    """
    total = 0
    clock = _CLOCK.search(uptime)
    if clock:
        hours, minutes, secs = (int(g) for g in clock.groups())
        total += hours * 3600 + minutes * 60 + secs
        uptime = uptime[: clock.start()] + uptime[clock.end() :]
    for count, unit in _UPTIME_PART.findall(uptime):
        total += int(count) * _UNIT_SECONDS[unit.lower()]
    return total


def junos_age(total: int, *, pad_hours: bool = True) -> str:
    """JunOS age text: ``1w2d 03:04:05``, ``2d 01:00:00``, ``03:04:05``.

    Examples:
        >>> junos_age(777600 + 3723)
        '1w2d 01:02:03'
        >>> junos_age(3723, pad_hours=False)
        '1:02:03'
    """
    weeks, rest = divmod(total, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}" if pad_hours else f"{hours}:{minutes:02d}:{secs:02d}"
    if weeks:
        return f"{weeks}w{days}d {clock}"
    return f"{days}d {clock}" if days else clock


def stamp(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S} {TIMEZONE}"


def booted(dev: DeviceState) -> datetime:
    return NOW - timedelta(seconds=seconds(dev.uptime))


def is_ethernet(intf: Interface) -> bool:
    return intf.kind in (IfKind.PHYSICAL, IfKind.PORT_CHANNEL, IfKind.MGMT)


def vlan_name(vlan: int) -> str:
    """JunOS VLAN names in the lab follow ``Vlan<id>`` (what ntc-templates' MAC table template expects)."""
    return f"Vlan{vlan}"


def routes_by_table(ctx: RenderContext, vrfs: list[str]) -> dict[str, list[Route]]:
    """Routes grouped per VRF, each table sorted the way JunOS prints it (address, then length)."""
    grouped: dict[str, list[Route]] = {vrf: [] for vrf in vrfs}
    for route in junos_rib(ctx):
        if route.vrf in grouped:
            grouped[route.vrf].append(route)
    for routes in grouped.values():
        routes.sort(key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen, preference(r)))
    return grouped


def junos_rib(ctx: RenderContext) -> list[Route]:
    """The RIB as JunOS holds it: a LOCAL /32 equal to a connected /32 (lo0) is not a separate route."""
    rib = list(ctx.rib())
    connected = {(r.vrf, r.prefix) for r in rib if r.protocol is RouteProto.CONNECTED}
    return [r for r in rib if not (r.protocol is RouteProto.LOCAL and (r.vrf, r.prefix) in connected)]
