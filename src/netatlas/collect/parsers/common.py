"""Small pure helpers the per-kind normalisers share (names, states, protocol words, uptimes)."""

from __future__ import annotations

import re
from functools import lru_cache

from netatlas.domain.names import physical_port

_SECONDS = {"year": 365 * 86400, "week": 7 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
_DURATION = re.compile(r"(\d+)\s*(year|week|day|hour|minute|second)", re.IGNORECASE)
LLDP_CAPABILITY = {
    "bridge": "B",
    "router": "R",
    "telephone": "T",
    "wlan": "W",
    "repeater": "P",
    "station": "S",
    "other": "O",
    "docsis": "C",
}


@lru_cache(maxsize=65_536)  # pure, and route tables repeat the same values
def port(name: str, platform: str) -> str:
    """Canonical name; a logical unit of a port becomes its physical port (the platform's ``Naming``).

    Examples:
        >>> port("ge-0/0/1.0", "juniper_junos")
        'ge-0/0/1'
        >>> port("irb.10", "juniper_junos")
        'irb.10'
        >>> port("Eth1/1", "cisco_nxos")
        'Ethernet1/1'
    """
    return physical_port(name, platform)


def uptime_seconds(text: str) -> str:
    """An uptime as whole seconds (``""`` when the text has no duration), for every platform's wording.

    Examples:
        >>> uptime_seconds("5 weeks, 3 days, 2 hours, 11 minutes")
        '3291060'
        >>> uptime_seconds("38 day(s), 2 hour(s), 11 minute(s), 0 second(s)")
        '3291060'
        >>> uptime_seconds("5 weeks, 3 days, 2 hours and 11 minutes")
        '3291060'
    """
    found = _DURATION.findall(text)
    return str(sum(int(n) * _SECONDS[unit.lower()] for n, unit in found)) if found else ""


def adjacency_state(text: str) -> str:
    """OSPF state without the DR role, upper case.

    Examples:
        >>> adjacency_state("FULL/  -")
        'FULL'
        >>> adjacency_state("Full")
        'FULL'
    """
    return text.split("/", 1)[0].strip().upper()


def bgp_state(text: str) -> str:
    """``Established`` for every platform's abbreviation (or a prefix count); other states as shown.

    Examples:
        >>> bgp_state("Estab"), bgp_state("Establ"), bgp_state("35"), bgp_state("Idle")
        ('Established', 'Established', 'Established', 'Idle')
    """
    text = text.strip()
    return "Established" if text.isdigit() or text.lower().startswith("estab") else text


def lldp_capabilities(text: str) -> str:
    """LLDP capabilities as comma-separated letter codes.

    Examples:
        >>> lldp_capabilities("Bridge, Router"), lldp_capabilities("B, R"), lldp_capabilities("Bridge Router")
        ('B,R', 'B,R', 'B,R')
    """
    words = [w for w in re.split(r"[,\s]+", text.strip()) if w]
    codes = [LLDP_CAPABILITY.get(w.lower(), w) for w in words if w.lower() not in ("access", "point")]
    return ",".join(codes)


def vrf_name(text: str) -> str:
    """``default`` for the global table (IOS blank, JunOS ``inet.0``), else the VRF name.

    Examples:
        >>> vrf_name(""), vrf_name("inet.0"), vrf_name("BLUE.inet.0"), vrf_name("BLUE")
        ('default', 'default', 'BLUE', 'BLUE')
    """
    text = text.strip()
    if text in ("", "inet.0"):
        return "default"
    return text.removesuffix(".inet.0")


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""
