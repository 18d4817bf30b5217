"""AS numbers as a device prints them: asdot (``65000.1000``) for 4-byte ASNs where the device is set
to (``bgp asnotation dot``), asplain otherwise. The state (and the truth) always hold the integer.

ntc-templates' NX-OS and EOS BGP summary templates read ``local AS number 65000.1002`` as
``65000`` (their value is ``\\d+``), and IOS's ``show ip bgp neighbors`` template ``remote AS
65100.100`` as ``65100``: :func:`local_as_read` and :func:`as_read_cut` say so explicitly.
"""

from __future__ import annotations

from netatlas.lab.model import DeviceState


def as_text(dev: DeviceState, asn: int) -> str:
    """Examples:
    >>> from ipaddress import IPv4Address
    >>> from netatlas.lab.model import Platform
    >>> dev = DeviceState("r", Platform.CISCO_IOS, IPv4Address("127.0.0.1"), "m", "s", "v", asdot=True)
    >>> as_text(dev, 4259841000), as_text(dev, 65001)
    ('65000.1000', '65001')
    """
    return f"{asn >> 16}.{asn & 0xFFFF}" if dev.asdot and asn > 0xFFFF else str(asn)


def as_path_text(dev: DeviceState, path: tuple[int, ...]) -> str:
    return " ".join(as_text(dev, asn) for asn in path)


def as_read_cut(dev: DeviceState, asn: int) -> str:
    """An AS as a template with a ``\\d+`` value reads it: asdot cut at the dot."""
    return as_text(dev, asn).split(".")[0]


def local_as_read(dev: DeviceState) -> str:
    """The local AS as ntc-templates' NX-OS/EOS summary templates read it."""
    return as_read_cut(dev, dev.bgp_asn or 0)
