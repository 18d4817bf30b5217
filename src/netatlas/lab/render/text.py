"""Cached text of addresses and prefixes.

``str()`` of an ``ipaddress`` object is slow and route tables print the same few thousand
addresses over and over; these helpers key a cache on the integer value instead.

Examples:
    >>> from ipaddress import IPv4Address, IPv4Network
    >>> ip(IPv4Address("10.0.0.1")), prefix(IPv4Network("10.0.0.0/24"))
    ('10.0.0.1', '10.0.0.0/24')
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

_ADDRESSES: dict[int, str] = {}
_PREFIXES: dict[tuple[int, int], str] = {}


def ip(address: IPv4Address) -> str:
    key = int(address)
    text = _ADDRESSES.get(key)
    if text is None:
        text = _ADDRESSES[key] = str(address)
    return text


def prefix(network: IPv4Network) -> str:
    key = (int(network.network_address), network.prefixlen)
    text = _PREFIXES.get(key)
    if text is None:
        text = _PREFIXES[key] = str(network)
    return text
