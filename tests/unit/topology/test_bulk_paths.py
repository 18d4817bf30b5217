"""The builder's bulk paths (C-level dictionary and set operations over whole tables) give what the
row-by-row rules they stand for give: the same endpoints in the same order, the same addresses,
the same parsed interfaces."""

from __future__ import annotations

import random
from ipaddress import ip_interface

from netatlas.domain.records import ArpEntry, DeviceRecords, Interface, MacEntry
from netatlas.topology.build import build
from netatlas.topology.endpoints import _address, _addresses
from netatlas.topology.l3 import Placed, parse_interface
from netatlas.topology.model import DEFAULT_VRF, DeviceInput, ProblemKind, TopologyInput

HOSTS = [f"00:50:56:00:00:{i:02x}" for i in range(1, 9)]


def dev(name: str, *, mac_table: list[MacEntry] | None = None, arp: list[ArpEntry] | None = None,
        interfaces: list[Interface] | None = None) -> DeviceInput:
    return DeviceInput(name, "cisco_ios", "", DeviceRecords(interfaces=interfaces or [], mac_table=mac_table or [],
                                                            arp=arp or []), identity=name)


def _row_by_row(devices: list[DeviceInput]) -> dict[str, tuple[str, str]]:
    """``_addresses`` as it was: one ``_address`` per ARP row."""
    first: dict[str, tuple[str, str]] = {}
    several: dict[str, set[tuple[str, str]]] = {}
    for device in devices:
        for entry in device.records.arp:
            _address(entry.mac, (entry.ip, entry.vrf or DEFAULT_VRF), first, several)
    for mac, found in several.items():
        first[mac] = min(found, key=lambda f: (tuple(map(int, f[0].split("."))), f[1]))
    return first


def test_addresses_in_bulk_equal_the_row_by_row_rule_with_repeats_within_and_across_tables() -> None:
    rng = random.Random(5)
    devices = []
    for n in range(12):
        rows = [ArpEntry(f"10.0.{rng.randrange(3)}.{rng.randrange(1, 9)}", rng.choice(HOSTS), "Vlan10",
                         rng.choice(["default", "", "red"])) for _ in range(rng.randrange(0, 6))]
        devices.append(dev(f"r{n}", arp=rows))
    assert any(len({e.mac for e in d.records.arp}) < len(d.records.arp) for d in devices)  # a MAC twice in a table
    assert _addresses({d.name: d for d in devices}) == _row_by_row(devices)


def test_a_mac_twice_in_one_mac_table_is_placed_as_when_in_two_tables() -> None:
    one = dev("sw1", mac_table=[MacEntry(HOSTS[0], 10, "Gi1/0/5"), MacEntry(HOSTS[1], 10, "Gi1/0/6"),
                                MacEntry(HOSTS[0], 20, "Gi1/0/5"), MacEntry(HOSTS[2], 10, "Gi1/0/7"),
                                MacEntry(HOSTS[2], 10, "Gi1/0/8")])
    t = build(TopologyInput((one,)))
    assert [(e.mac, e.interface, e.vlan) for e in t.endpoints] == [
        (HOSTS[0], "GigabitEthernet1/0/5", 10), (HOSTS[1], "GigabitEthernet1/0/6", 10)]  # first VLAN kept
    assert [p.kind for p in t.problems] == [ProblemKind.AMBIGUOUS_ENDPOINT] and HOSTS[2] in t.problems[0].message


def test_endpoints_keep_the_order_they_are_first_learned_in_across_switches() -> None:
    sw1 = dev("sw1", mac_table=[MacEntry(HOSTS[3], 10, "Gi1/0/1"), MacEntry(HOSTS[1], 10, "Gi1/0/2")],
              interfaces=[Interface("GigabitEthernet1/0/1", True, True, mac=HOSTS[7]),
                          Interface("GigabitEthernet1/0/2", True, True)])
    sw2 = dev("sw2", mac_table=[MacEntry(HOSTS[7], 10, "Gi1/0/3"), MacEntry(HOSTS[0], 10, "Gi1/0/4"),
                                MacEntry(HOSTS[1], 10, "Gi1/0/9")],
              arp=[ArpEntry("10.0.0.9", HOSTS[0], "Vlan10", "")])
    t = build(TopologyInput((sw1, sw2)))
    assert [(e.mac, e.node, e.ip, e.vrf) for e in t.endpoints] == [
        (HOSTS[3], "sw1", None, DEFAULT_VRF), (HOSTS[0], "sw2", "10.0.0.9", DEFAULT_VRF)]  # HOSTS[7] is sw1's own
    assert [p.kind for p in t.problems] == [ProblemKind.AMBIGUOUS_ENDPOINT]  # HOSTS[1] on two edge ports


def _by_ipaddress(text: str) -> Placed | None:
    try:
        address = ip_interface(text)
    except ValueError:
        return None
    return Placed(str(address.ip), str(address.network), address.network.prefixlen == address.max_prefixlen)


def test_parse_interface_agrees_with_ipaddress_on_canonical_and_odd_spellings() -> None:
    rng = random.Random(3)
    texts = [f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}/{rng.randrange(33)}"
             for _ in range(3000)]
    texts += ["10.0.0.1/31", "10.0.0.255/24", "255.255.255.255/32", "0.0.0.0/0", "10.0.0.1/33", "10.0.0.256/24",
              "10.0.0.1", "10.0.0.1/", "10.0.0/24", "2001:db8::1/64", "nope", "10.0.0.1/24\n"]
    for text in texts:
        assert parse_interface(text) == _by_ipaddress(text), text
    # leading zeros: not the canonical spelling, read by the integer path (ipaddress refuses them)
    assert parse_interface("10.0.0.01/31") == Placed("10.0.0.1", "10.0.0.0/31", False)
    assert parse_interface("10.0.0.1/031") == Placed("10.0.0.1", "10.0.0.0/31", False)
