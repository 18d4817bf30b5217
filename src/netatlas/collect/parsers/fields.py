"""Validating converters for template fields: each raises :class:`FieldError` naming the field.

``parse_output`` turns a :class:`FieldError` into a :class:`~netatlas.domain.errors.ParseError`
that also names the platform and command.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from netatlas.domain.names import canonical_interface, junos_physical, normalize_hostname, normalize_mac


class FieldError(ValueError):
    """A template field holds a value that is not what the field means."""

    def __init__(self, field: str, value: object, why: str) -> None:
        super().__init__(f"field {field!r}: {why}: {value!r}")
        self.field = field


@lru_cache(maxsize=65_536)  # pure, and route tables repeat the same values
def ip(value: str, field: str) -> str:
    """A validated IPv4/IPv6 address.

    Examples:
        >>> ip("10.0.0.1", "ip_address")
        '10.0.0.1'
        >>> ip("10.0.0.300", "ip_address")
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.fields.FieldError: field 'ip_address': not an IP address: '10.0.0.300'
    """
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise FieldError(field, value, "not an IP address") from None


def optional_ip(value: str, field: str) -> str:
    """An address, or ``""`` when the field is empty."""
    return ip(value, field) if value.strip() else ""


@lru_cache(maxsize=65_536)  # pure, and route tables repeat the same values
def prefix(network: str, length: str | int | None, field: str) -> str:
    """A validated network in ``a.b.c.d/n`` form (``length`` None: ``network`` carries it).

    Examples:
        >>> prefix("10.1.0.0", "24", "network")
        '10.1.0.0/24'
        >>> prefix("10.1.0.0/16", None, "prefix")
        '10.1.0.0/16'
    """
    text = network.strip() if length is None else f"{network.strip()}/{str(length).strip()}"
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError:
        raise FieldError(field, text, "not a network prefix") from None


def ip_interface(address: str, length: str | int, field: str) -> str:
    """An interface address ``10.0.0.1/30`` (host bits allowed).

    Examples:
        >>> ip_interface("10.0.0.1", 30, "ip_address")
        '10.0.0.1/30'
    """
    try:
        return ipaddress.ip_interface(f"{address.strip()}/{str(length).strip()}").with_prefixlen
    except ValueError:
        raise FieldError(field, f"{address}/{length}", "not an interface address") from None


def integer(value: str, field: str) -> int:
    """An integer field.

    Examples:
        >>> integer(" 110", "distance")
        110
    """
    try:
        return int(value.strip())
    except ValueError:
        raise FieldError(field, value, "not an integer") from None


_ASDOT = re.compile(r"(\d{1,5})\.(\d{1,5})")


def asn(value: str, field: str) -> int:
    """An AS number as an integer (asplain), from asplain or asdot (``high.low``) text.

    Examples:
        >>> asn("65001", "neighbor_as"), asn("65000.1000", "neighbor_as"), asn("1.0", "peer_as")
        (65001, 4259841000, 65536)
        >>> asn("65536.1", "neighbor_as")
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.fields.FieldError: field 'neighbor_as': not an AS number: '65536.1'
    """
    text = value.strip()
    dotted = _ASDOT.fullmatch(text)
    if dotted:
        high, low = int(dotted[1]), int(dotted[2])
        number = high * 65536 + low if high <= 0xFFFF and low <= 0xFFFF else -1
    else:
        number = int(text) if text.isdigit() else -1
    if not 0 <= number <= 0xFFFFFFFF:  # 0: a peer whose AS is not known yet (NX-OS prints it)
        raise FieldError(field, value, "not an AS number")
    return number


def optional_int(value: str, field: str) -> int | None:
    return integer(value, field) if value.strip() else None


def mac(value: str, field: str) -> str:
    """A MAC in ``aa:bb:cc:dd:ee:ff`` form.

    Examples:
        >>> mac("0050.56AB.12CD", "mac_address")
        '00:50:56:ab:12:cd'
    """
    try:
        return normalize_mac(value)
    except ValueError:
        raise FieldError(field, value, "not a MAC address") from None


def optional_mac(value: str, field: str) -> str:
    return mac(value, field) if value.strip() else ""


def interface(value: str, platform: str) -> str:
    """Canonical interface name; ``""`` stays ``""``.

    Examples:
        >>> interface("Gi1/0/1", "cisco_ios")
        'GigabitEthernet1/0/1'
        >>> interface("Eth1/3", "cisco_nxos")
        'Ethernet1/3'
    """
    value = value.strip()
    return canonical_interface(value, platform) if value else ""


def physical(value: str, platform: str) -> str:
    """Canonical name without a JunOS logical unit (``ge-0/0/1.0`` -> ``ge-0/0/1``).

    Examples:
        >>> physical("ge-0/0/1.0", "juniper_junos")
        'ge-0/0/1'
    """
    return junos_physical(interface(value, platform))


def hostname(value: str) -> str:
    return normalize_hostname(value)


def first(value: Any) -> str:
    """The first element of a list field, or the string itself."""
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


_SPEED = re.compile(r"(?:a-)?(\d+(?:\.\d+)?)\s*([kmg])(?:b/s|bps|b)?", re.IGNORECASE)
_SPEED_UNIT = {"k": 0.001, "m": 1, "g": 1000}
_NO_SPEED = re.compile(r"(?:auto|unknown|unconfigured|unspecified|unlimited|n/a)(?:[- ]speed)?", re.IGNORECASE)
_DUPLEX = re.compile(r"(?:a-)?(full|half)(?:[- ]duplex)?", re.IGNORECASE)
_NO_DUPLEX = re.compile(r"(?:auto|unknown|unconfigured|n/a)(?:[- ]duplex)?", re.IGNORECASE)


def speed_mbps(value: str, field: str) -> int | None:
    """An operating speed in Mb/s, as every platform writes it; None where none is shown (auto, unknown).

    Examples:
        >>> speed_mbps("10Gb/s", "speed"), speed_mbps("1000 Mb/s", "speed"), speed_mbps("800mbps", "speed")
        (10000, 1000, 800)
        >>> speed_mbps("a-1000Mb/s", "speed"), speed_mbps("2.5Gbps", "speed"), speed_mbps("100G", "speed")
        (1000, 2500, 100000)
        >>> speed_mbps("Auto-speed", "speed"), speed_mbps("Unconfigured", "speed"), speed_mbps("", "speed")
        (None, None, None)
        >>> speed_mbps("fast", "speed")
        Traceback (most recent call last):
        ...
        netatlas.collect.parsers.fields.FieldError: field 'speed': not a speed: 'fast'
    """
    text = value.strip()
    if not text or _NO_SPEED.fullmatch(text):
        return None
    found = _SPEED.fullmatch(text)
    if not found:
        raise FieldError(field, value, "not a speed")
    return round(float(found[1]) * _SPEED_UNIT[found[2].lower()])


def duplex(value: str, field: str) -> str:
    """``full`` / ``half``, or ``""`` where the duplex is not known (auto, unknown, not shown).

    Examples:
        >>> duplex("Full-duplex", "duplex"), duplex("Full Duplex", "duplex"), duplex("a-half", "duplex")
        ('full', 'full', 'half')
        >>> duplex("auto-duplex", "duplex"), duplex("", "duplex")
        ('', '')
    """
    text = value.strip()
    if not text or _NO_DUPLEX.fullmatch(text):
        return ""
    found = _DUPLEX.fullmatch(text)
    if not found:
        raise FieldError(field, value, "not a duplex")
    return found[1].lower()
