"""Name normalisation shared by the collector, the topology builder and the lab's checks.

All helpers are pure. Interface names become the full name the platform itself prints;
netutils does most of the work and this module fixes the cases where it is wrong for us.
"""

from __future__ import annotations

import re
from functools import lru_cache

from netutils.interface import canonical_interface_name

_Fix = tuple[re.Pattern[str], str]
_PO = re.compile(r"^(?:po|port-?channel)(\d+(?:\.\d+)?)$", re.IGNORECASE)
_LO = re.compile(r"^(?:lo|loopback)(\d+)$", re.IGNORECASE)
_VLAN = re.compile(r"^(?:vl|vlan)(\d+)$", re.IGNORECASE)

# Where netutils is wrong or platform-blind: (pattern, template) rows checked before netutils.
# Rows for all platforms first, then per platform (the spelling each platform prints).
_FIXES: tuple[_Fix, ...] = (
    (_VLAN, "Vlan{0}"),
    (re.compile(r"^mgmt(\d+)$", re.IGNORECASE), "mgmt{0}"),
)
_PLATFORM_FIXES: dict[str, tuple[_Fix, ...]] = {
    "cisco_nxos": ((_PO, "port-channel{0}"), (_LO, "loopback{0}")),
    "arista_eos": ((_PO, "Port-Channel{0}"), (_LO, "Loopback{0}")),
    "cisco_ios": ((_PO, "Port-channel{0}"), (_LO, "Loopback{0}")),
}
_JUNOS = re.compile(r"^(?:ge|xe|et|ae|lo|em|fxp|irb|vlan|me)-?\d*(?:/\d+)*(?:\.\d+)?$")
_SERIAL_SUFFIX = re.compile(r"\([^)]*\)$")


@lru_cache(maxsize=65_536)  # pure, and route tables repeat the same values
def canonical_interface(name: str, platform: str = "") -> str:
    """Return the full interface name the platform prints (IOS spelling when not given).

    Examples:
        >>> canonical_interface("Gi1/0/1")
        'GigabitEthernet1/0/1'
        >>> canonical_interface("Eth1/49")
        'Ethernet1/49'
        >>> canonical_interface("Vl10")
        'Vlan10'
        >>> canonical_interface("mgmt0")
        'mgmt0'
        >>> canonical_interface("Po10")
        'Port-channel10'
        >>> canonical_interface("Po10", "cisco_nxos")
        'port-channel10'
        >>> canonical_interface("Po10", "arista_eos")
        'Port-Channel10'
        >>> canonical_interface("ge-0/0/1.0")
        'ge-0/0/1.0'
        >>> canonical_interface("Et1")
        'Ethernet1'
    """
    name = name.strip()
    for pattern, template in (*_PLATFORM_FIXES.get(platform, ()), *_FIXES):
        match = pattern.match(name)
        if match:
            return template.format(match.group(1))
    if _JUNOS.match(name):
        return name
    return str(canonical_interface_name(name))


def junos_physical(name: str) -> str:
    """Drop a JunOS logical unit: ``ge-0/0/1.0`` -> ``ge-0/0/1``.

    Examples:
        >>> junos_physical("ge-0/0/1.0")
        'ge-0/0/1'
        >>> junos_physical("ae0")
        'ae0'
    """
    return name.split(".", 1)[0] if _JUNOS.match(name) else name


def normalize_hostname(name: str) -> str:
    """Short, lower-case host name: no domain, no NX-OS ``(SERIAL)`` suffix.

    Examples:
        >>> normalize_hostname("Leaf1(FDO21120U8N)")
        'leaf1'
        >>> normalize_hostname("sw1.lab.example.net")
        'sw1'
        >>> normalize_hostname("sw10")
        'sw10'
    """
    name = _SERIAL_SUFFIX.sub("", name.strip())
    return name.split(".", 1)[0].lower()


def normalize_mac(mac: str) -> str:
    """Lower-case colon-separated MAC from Cisco dotted, dashed or bare forms.

    Examples:
        >>> normalize_mac("0050.56AB.12CD")
        '00:50:56:ab:12:cd'
        >>> normalize_mac("00-50-56-AB-12-CD")
        '00:50:56:ab:12:cd'
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", mac).lower()
    if len(digits) != 12:
        raise ValueError(f"not a MAC address: {mac!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
