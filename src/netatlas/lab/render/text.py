"""Cached text of addresses and prefixes.

``str()`` of an ``ipaddress`` object is slow and route tables print the same few thousand
addresses over and over; these helpers key a cache on the integer value instead.

Examples:
    >>> from ipaddress import IPv4Address, IPv4Network, IPv6Interface
    >>> ip(IPv4Address("10.0.0.1")), prefix(IPv4Network("10.0.0.0/24"))
    ('10.0.0.1', '10.0.0.0/24')
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Interface

_ADDRESSES: dict[int, str] = {}
_PREFIXES: dict[tuple[int, int], str] = {}


def ip(address: IPv4Address) -> str:
    key = int(address)
    text = _ADDRESSES.get(key)
    if text is None:
        text = _ADDRESSES[key] = str(address)
    return text


def link_local(mac: str) -> IPv6Interface:
    """The EUI-64 link-local address an interface with this MAC gives itself.

    Examples:
        >>> link_local("2c:6b:f5:00:00:05")
        IPv6Interface('fe80::2e6b:f5ff:fe00:5/64')
    """
    octets = [int(x, 16) for x in mac.split(":")]
    eui = [octets[0] ^ 0x02, *octets[1:3], 0xFF, 0xFE, *octets[3:]]
    groups = [f"{eui[i] << 8 | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return IPv6Interface(f"fe80::{':'.join(groups)}/64")


def prefix(network: IPv4Network) -> str:
    key = (int(network.network_address), network.prefixlen)
    text = _PREFIXES.get(key)
    if text is None:
        text = _PREFIXES[key] = str(network)
    return text
