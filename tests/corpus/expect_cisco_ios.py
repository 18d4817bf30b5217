"""Cisco IOS/IOS-XE captures that are not simply "complete and equal to the .yml" (:class:`Expect`).

Keyed by capture name (the ``.raw`` file's stem).
"""

from __future__ import annotations

from netatlas.domain.names import UNKNOWN_INTERFACE
from netatlas.domain.records import Coverage, DeviceRecords
from tests.corpus.realdata import Expect

BROADCAST = "ff:ff:ff:ff:ff:ff"


def _unicast_only(count: int) -> Expect:
    """A Catalyst table with a "Multicast Entries" section: the unicast entries, none of the multicast ones."""

    def check(r: DeviceRecords) -> bool:
        return len(r.mac_table) == count and all(e.mac != BROADCAST for e in r.mac_table)

    return Expect(reason="the Multicast Entries section is not unicast entries: not counted, not read", check=check)


def _no_local_port(r: DeviceRecords) -> bool:
    return bool(r.neighbors) and all(n.local_interface == UNKNOWN_INTERFACE for n in r.neighbors)


def _chassis_kept_whole(r: DeviceRecords) -> bool:
    by_raw = {n.remote_name_raw: n.remote_name for n in r.neighbors}
    return all(name == raw.lower().replace(".", "") or ":" in name
               for raw, name in by_raw.items() if raw.count(".") == 2 and len(raw) == 14)


EXPECT: dict[str, Expect] = {
    "cisco_ios_show_arp": Expect(
        reason="show arp prints what show ip arp prints",
        yml_fields={"address": "ip_address", "hardware_address": "mac_address"},  # .yml from an older template
    ),
    "cisco_ios_show_ip_bgp_summary_with_dot_peer_as": Expect(
        Coverage.PARTIAL, "the capture ends with the device's prompt (the collector strips it): not table text",
        unparsed="edge1-rt#",
        check=lambda r: [s.remote_as for s in r.bgp_sessions][:3] == [4259841000, 4259841001, 4259841002],
    ),
    "cisco_ios_show_mac-address-table12": _unicast_only(12),
    "cisco_ios_show_mac-address-table7": _unicast_only(5),
    "cisco_ios_show_mac-address-table13": Expect(
        Coverage.PARTIAL, "the contributor kept 6 of the 87 entries the footer counts: a cut table",
        unparsed="the footer counts 87",
    ),
    "cisco_ios_show_interfaces4": Expect(
        reason="speed and duplex as printed: 'Half-duplex, 10Mb/s' on FastEthernet1; 'Full-duplex, Auto-speed' is "
               "a duplex without a speed",
        check=lambda r: {i.name: (i.speed_mbps, i.duplex) for i in r.interfaces if i.name in (
            "FastEthernet1", "TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/4", "TenGigabitEthernet1/1/5")} == {
            "FastEthernet1": (10, "half"), "TenGigabitEthernet1/1/1": (10000, "full"),
            "TenGigabitEthernet1/1/4": (1000, "full"), "TenGigabitEthernet1/1/5": (None, "full")},
    ),
    "cisco_ios_show_lldp_neighbors_detail2": Expect(
        reason="older IOS prints no Local Intf line: the local port is unknown, marked, never ''",
        check=_no_local_port,
    ),
    "cisco_ios_show_lldp_neighbors_detail5": Expect(
        reason="older IOS: no Local Intf line; neighbors without a system name are known by their chassis id",
        check=lambda r: _no_local_port(r) and _chassis_kept_whole(r),
    ),
}
