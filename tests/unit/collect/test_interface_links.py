"""Port-channel membership, speed and duplex read from each platform's interface command (parser fixtures).

Each platform says membership its own way: IOS on the aggregate (``Members in this channel: Gi1/0/47
Gi1/0/48``), NX-OS on both (``Belongs to Po10``, ``Members in this channel: Eth1/49, Eth1/50``), EOS on the
member (``Member of Port-Channel10``), JunOS in the member's unit (``Protocol aenet, AE bundle: ae0.0``).
The values below are read off the fixtures' text by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netatlas.collect.parsers import parse_command, parse_output
from netatlas.domain.records import Coverage, DataType, Interface

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INTERFACES = frozenset({DataType.INTERFACES})
Link = tuple[str, int | None, str]  # channel, speed in Mb/s, duplex


def _read(platform: str, command: str, case: str) -> dict[str, Interface]:
    raw = FIXTURES / platform / command.replace(" ", "_") / f"{case}.raw"
    return {i.name: i for i in parse_output(platform, command, raw.read_text(), INTERFACES).interfaces}


def _links(found: dict[str, Interface], names: list[str]) -> dict[str, Link]:
    return {name: (found[name].channel, found[name].speed_mbps, found[name].duplex) for name in names}


CASES = {
    "cisco_ios": ("show interfaces", "unit_sw1", {
        "GigabitEthernet1/0/47": ("Port-channel1", 1000, "full"),  # named by Port-channel1's member list
        "GigabitEthernet1/0/48": ("Port-channel1", 1000, "full"),
        "GigabitEthernet1/0/1": ("", 1000, "full"),
        "GigabitEthernet1/0/7": ("", None, ""),  # down: Auto-duplex, Auto-speed
        "TenGigabitEthernet1/1/1": ("", 10000, "full"),  # 10Gb/s
        "Port-channel1": ("", 1000, "full"),
        "Vlan10": ("", None, ""),  # no duplex line
        "Loopback0": ("", None, ""),
    }),
    "cisco_nxos": ("show interface", "unit_leaf1", {
        "Ethernet1/49": ("port-channel10", 40000, "full"),  # Belongs to Po10
        "Ethernet1/50": ("port-channel10", 40000, "full"),
        "Ethernet1/1": ("", 100000, "full"),  # 100 Gb/s
        "Ethernet1/3": ("", 1000, "full"),  # 1000 Mb/s
        "Ethernet1/5": ("", None, ""),  # admin down: auto-duplex, auto-speed
        "port-channel10": ("", 80000, "full"),
        "port-channel20": ("", None, ""),
        "Vlan10": ("", None, ""),
    }),
    "arista_eos": ("show interfaces", "unit_leaf1", {
        "Ethernet5": ("Port-Channel10", 10000, "full"),  # Member of Port-Channel10
        "Ethernet6": ("Port-Channel10", 10000, "full"),
        "Ethernet1": ("", 25000, "full"),
        "Ethernet9": ("", 1000, "full"),  # down, and still prints Full-duplex, 1Gb/s
        "Port-Channel10": ("", 20000, "full"),  # not the members' '... Ethernet5 , Full-duplex, 10Gb/s' lines
        "Loopback0": ("", None, ""),
        "Vlan10": ("", None, ""),
    }),
    "juniper_junos": ("show interfaces", "unit_r1", {
        "ge-0/0/3": ("ae0", 1000, ""),  # its unit ge-0/0/3.0: AE bundle: ae0.0; the lab prints no Link-mode
        "ge-0/0/4": ("ae0", 1000, ""),
        "ge-0/0/0": ("", 1000, ""),
        "ae0": ("", 1000, ""),
        "lo0": ("", None, ""),
    }),
}


@pytest.mark.parametrize("platform", sorted(CASES))
def test_members_get_their_channel_and_speeds_and_duplex_are_read(platform: str) -> None:
    command, case, expected = CASES[platform]
    assert _links(_read(platform, command, case), list(expected)) == expected


def test_junos_member_unit_with_link_index_and_link_mode() -> None:
    """Real JunOS: ``AE bundle: ae0.0, Link Index: 0`` and ``Link-mode: Full-duplex`` (an own hand fixture)."""
    found = _read("juniper_junos", "show interfaces", "ae_members")
    assert _links(found, ["ge-0/0/2", "ge-0/0/3", "ge-0/0/4", "ge-0/0/5", "ae0"]) == {
        "ge-0/0/2": ("ae0", 1000, "full"), "ge-0/0/3": ("ae0", 1000, "full"),
        "ge-0/0/4": ("", None, ""),  # Link-mode: Auto, Speed: Auto
        "ge-0/0/5": ("", 100, "half"), "ae0": ("", 2000, ""),
    }


_IOS_XE = """\
Port-channel1 is up, line protocol is up
  Hardware is 10GEChannel, address is dc8c.3700.0000 (bia dc8c.3700.0000)
  MTU 9216 bytes, BW 20000000 Kbit/sec, DLY 10 usec,
    No. of active members in this channel: 2
        Member 0 : TenGigabitEthernet0/0/0 , Full-duplex, 10000Mb/s
        Member 1 : TenGigabitEthernet0/0/1 , Full-duplex, 10000Mb/s
TenGigabitEthernet0/0/0 is up, line protocol is up
  Hardware is SPA-1X10GE-L-V2, address is dc8c.3700.0000 (bia dc8c.3700.0000)
  MTU 9216 bytes, BW 10000000 Kbit/sec, DLY 10 usec,
  Full Duplex, 10000Mbps, link type is force-up, media type is SFP-LR
"""


def test_ios_xe_router_lists_members_one_per_line() -> None:
    found = {i.name: i for i in parse_output("cisco_ios", "show interfaces", _IOS_XE, INTERFACES).interfaces}
    assert _links(found, ["TenGigabitEthernet0/0/0", "Port-channel1"]) == {
        "TenGigabitEthernet0/0/0": ("Port-channel1", 10000, "full"), "Port-channel1": ("", None, "")}


def test_a_speed_that_is_no_speed_costs_that_value_only() -> None:
    """An unreadable speed empties the speed (reported), the interface and its duplex are kept."""
    text = _IOS_XE.replace("10000Mbps, link type", "warp nine, link type")
    outcome = parse_command("cisco_ios", "show interfaces", text, INTERFACES)
    found = {i.name: i for i in outcome.records.interfaces}
    assert outcome.coverage is Coverage.PARTIAL
    assert any("not a speed: 'warp nine'" in line for line in outcome.unparsed)
    assert (found["TenGigabitEthernet0/0/0"].speed_mbps, found["TenGigabitEthernet0/0/0"].duplex) == (None, "full")
