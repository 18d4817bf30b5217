"""The supported platforms, and the part of each platform's row the domain itself needs: names.

A platform is one row. The collector's row (``netatlas.collect.platforms.PlatformSpec``: commands,
prompt, errors, fallbacks, signatures, template overrides) holds everything about talking to the
device; this module holds the :class:`Platform` enum and the half of the row that pure code
(interface name canonicalisation, used by the topology and the lab's checks too) needs:
:class:`Naming`. ``domain`` cannot import ``collect``, so the collector's row refers to this one
(``PlatformSpec.naming``) rather than restating it, and a test checks both halves exist for every
member of :class:`Platform`.

Examples:
    >>> Platform("cisco_nxos") is Platform.CISCO_NXOS, str(Platform.JUNIPER_JUNOS)
    (True, 'juniper_junos')
    >>> NAMING[Platform.JUNIPER_JUNOS].physical("ge-0/0/1.0"), NAMING[Platform.CISCO_IOS].physical("Gi1.10")
    ('ge-0/0/1', 'Gi1.10')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

Fix = tuple[re.Pattern[str], str]  # (pattern, template): ``template.format(match.group(1))``


class Platform(StrEnum):
    """A platform netatlas can log in to; the value is the inventory's ``platform`` word."""

    CISCO_IOS = "cisco_ios"
    CISCO_NXOS = "cisco_nxos"
    ARISTA_EOS = "arista_eos"
    JUNIPER_JUNOS = "juniper_junos"


@dataclass(frozen=True, slots=True)
class Naming:
    """How a platform spells interface names, where netutils is wrong or platform-blind."""

    fixes: tuple[Fix, ...]  # checked before the rows for every platform and netutils
    logical_unit: re.Pattern[str] | None = None  # ``<physical port>.<unit>``: a unit belongs to its port
    # Out-of-band management: its ports and VRFs are not part of the topology.
    management_ports: re.Pattern[str] | None = None
    management_vrfs: frozenset[str] = frozenset()

    def is_management(self, interface: str, vrf: str = "") -> bool:
        """True for the platform's management port or an interface in a management VRF.

        Examples:
            >>> naming("cisco_nxos").is_management("mgmt0"), naming("cisco_nxos").is_management("Ethernet1/1")
            (True, False)
            >>> naming("cisco_ios").is_management("GigabitEthernet0/0", "Mgmt-vrf")
            True
        """
        if vrf and vrf in self.management_vrfs:
            return True
        return self.management_ports is not None and self.management_ports.fullmatch(interface) is not None

    def physical(self, name: str) -> str:
        """The physical port of a logical unit (``ge-0/0/1.0`` -> ``ge-0/0/1``); other names as given."""
        match = self.logical_unit.fullmatch(name) if self.logical_unit is not None else None
        return match["base"] if match else name


PO = re.compile(r"^(?:po|port-?channel)(\d+(?:\.\d+)?)$", re.IGNORECASE)
LO = re.compile(r"^(?:lo|loopback)(\d+)$", re.IGNORECASE)

NAMING: dict[Platform, Naming] = {
    Platform.CISCO_IOS: Naming(fixes=((PO, "Port-channel{0}"), (LO, "Loopback{0}")),
                               management_vrfs=frozenset({"Mgmt-vrf", "Mgmt-intf", "mgmt", "management"})),
    Platform.CISCO_NXOS: Naming(fixes=((PO, "port-channel{0}"), (LO, "loopback{0}")),
                                management_ports=re.compile(r"mgmt\d+"), management_vrfs=frozenset({"management"})),
    Platform.ARISTA_EOS: Naming(fixes=((PO, "Port-Channel{0}"), (LO, "Loopback{0}")),
                                management_ports=re.compile(r"Management\d+(?:/\d+)*"),
                                management_vrfs=frozenset({"MGMT", "mgmt", "management"})),
    Platform.JUNIPER_JUNOS: Naming(
        management_ports=re.compile(r"(?:fxp|em|me)\d+(?:\.\d+)?"),
        management_vrfs=frozenset({"mgmt_junos"}),
        fixes=(),  # JunOS names are kept as printed (names._JUNOS)
        # physical ports (channelized too) and aggregates/loopbacks/management; irb.10, vlan.20 stay
        logical_unit=re.compile(r"(?P<base>[a-z]{2,4}-\d+/\d+/\d+(?::\d+)?|(?:ae|lo|em|fxp|me|reth)\d+)\.\d+"),
    ),
}


def naming(platform: str) -> Naming:
    """The platform's :class:`Naming`; an unknown or empty platform gets no fixes.

    Examples:
        >>> naming("arista_eos").fixes[0][1], naming("").fixes
        ('Port-Channel{0}', ())
    """
    return _BY_WORD.get(platform, _NONE)


_NONE = Naming(fixes=())
_BY_WORD: dict[str, Naming] = {p.value: row for p, row in NAMING.items()}  # a dict probe, no enum lookup
