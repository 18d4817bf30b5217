"""Name normalisation shared by the collector, the topology builder and the lab's checks.

All helpers are pure. Interface names become the full name the platform itself prints;
netutils does most of the work and this module fixes the cases where it is wrong for us.
"""

from __future__ import annotations

import re
from functools import lru_cache

from netatlas.domain.platforms import Fix, naming

_VLAN = re.compile(r"^(?:vl|vlan)(\d+)$", re.IGNORECASE)

# Where netutils is wrong or platform-blind: (pattern, template) rows checked before netutils, the
# platform's own spelling first (``domain.platforms.NAMING``), then these rows for all platforms.
_FIXES: tuple[Fix, ...] = (
    (_VLAN, "Vlan{0}"),
    (re.compile(r"^mgmt(\d+)$", re.IGNORECASE), "mgmt{0}"),
)
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
    for pattern, template in (*naming(platform).fixes, *_FIXES):
        match = pattern.match(name)
        if match:
            return template.format(match.group(1))
    if _JUNOS.match(name):
        return name
    from netutils.interface import canonical_interface_name  # netutils loads importlib.metadata: ~0.03 s

    return str(canonical_interface_name(name))


@lru_cache(maxsize=1 << 18)  # pure; every table names the same ports again and again
def physical_port(name: str, platform: str = "") -> str:
    """A port as the platform prints it, a logical unit folded into its port; ``""`` stays ``""``.

    Examples:
        >>> physical_port("Gi1/0/1", "cisco_ios"), physical_port("ge-0/0/1.0", "juniper_junos")
        ('GigabitEthernet1/0/1', 'ge-0/0/1')
        >>> physical_port("irb.10", "juniper_junos"), physical_port(" ", "cisco_nxos")
        ('irb.10', '')
    """
    name = name.strip()
    return naming(platform).physical(canonical_interface(name, platform)) if name else ""


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

    A MAC address (an LLDP chassis id) or an IP address is no host name: it is kept whole (a MAC
    in ``aa:bb:cc:dd:ee:ff`` form), never cut at its first dot.

    Examples:
        >>> normalize_hostname("Leaf1(FDO21120U8N)")
        'leaf1'
        >>> normalize_hostname("sw1.lab.example.net")
        'sw1'
        >>> normalize_hostname("sw10")
        'sw10'
        >>> normalize_hostname("2cc2.6081.eaf9"), normalize_hostname("10.1.1.1")
        ('2c:c2:60:81:ea:f9', '10.1.1.1')
    """
    name = _SERIAL_SUFFIX.sub("", name.strip())
    if is_mac(name):
        return normalize_mac(name)
    if _looks_like_address(name):
        return name
    return name.split(".", 1)[0].lower()


UNKNOWN_INTERFACE = "(unknown)"  # a neighbor's local port when the output does not say (older IOS LLDP)
_MAC_TEXT = re.compile(r"(?:[0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}|(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}|[0-9a-fA-F]{12}")


def is_mac(text: str) -> bool:
    """``text`` is a MAC address in one of the usual notations.

    Examples:
        >>> is_mac("2cc2.6081.eaf9"), is_mac("44:48:c1:c4:dd:dd"), is_mac("sw1.lab"), is_mac("10.0.0.1")
        (True, True, False, False)
    """
    return bool(_MAC_TEXT.fullmatch(text.strip()))


def neighbor_identity(text: str, *, hostname: bool = True) -> str:
    """A neighbor's identity: a host name normalised; a MAC (chassis id) or address kept whole.

    ``hostname=False`` says the text is not a host name (an LLDP chassis id): kept whole.

    Examples:
        >>> neighbor_identity("SW-MGMT.cisco.com"), neighbor_identity("2cc2.6081.EAF9")
        ('sw-mgmt', '2c:c2:60:81:ea:f9')
        >>> neighbor_identity("10.1.1.1"), neighbor_identity("Chassis.Id.7", hostname=False)
        ('10.1.1.1', 'Chassis.Id.7')
    """
    text = text.strip()
    if hostname or is_mac(text):
        return normalize_hostname(text)
    return text


def _looks_like_address(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*", text))


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


MAX_NAME_LENGTH, MAX_LABEL_LENGTH = 253, 63
_NAME_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?")


def validate_device_name(text: str) -> str:
    """``text`` when it is a valid device name, else ``ValueError`` saying why (never echoing control codes).

    A device name is ASCII letters, digits, ``-``, ``_`` and ``.``: dot-separated labels of at most
    63 characters, not starting or ending with ``-``, 253 characters in all. Anything else is refused,
    look-alike letters from other scripts first of all (a Cyrillic U+043E for the ``o`` of ``core1``).

    Examples:
        >>> validate_device_name("core1.campus.example.net")
        'core1.campus.example.net'
        >>> validate_device_name("c\\u043ere1")
        Traceback (most recent call last):
        ...
        ValueError: non-ASCII character U+043E at position 2: device names are ASCII letters, digits, '-', '_', '.'
        >>> validate_device_name("sw 1")
        Traceback (most recent call last):
        ...
        ValueError: a space at position 3: device names are ASCII letters, digits, '-', '_', '.'
        >>> validate_device_name("-sw1")
        Traceback (most recent call last):
        ...
        ValueError: label '-sw1' must be 1 to 63 characters and must not start or end with '-'
    """
    if not text:
        raise ValueError("empty name")
    for position, char in enumerate(text, start=1):
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            raise ValueError(f"{_describe(char)} at position {position}: "
                             "device names are ASCII letters, digits, '-', '_', '.'")
    if len(text) > MAX_NAME_LENGTH:
        raise ValueError(f"{len(text)} characters, at most {MAX_NAME_LENGTH} allowed")
    for label in text.split("."):
        if len(label) > MAX_LABEL_LENGTH or not _NAME_LABEL.fullmatch(label):
            shown = label if len(label) <= MAX_LABEL_LENGTH else label[:20] + "..."
            raise ValueError(f"label {shown!r} must be 1 to {MAX_LABEL_LENGTH} characters "
                             "and must not start or end with '-'")
    return text


def _describe(char: str) -> str:
    if char == " ":
        return "a space"
    if char.isascii() and char.isprintable():
        return f"character {char!r}"
    return f"{'character' if char.isascii() else 'non-ASCII character'} U+{ord(char):04X}"
