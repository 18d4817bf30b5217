"""Arista EOS captures that are not simply "complete and equal to the .yml" (:class:`Expect`).

Keyed by capture name (the ``.raw`` file's stem).
"""

from __future__ import annotations

from dataclasses import replace

from netatlas.domain.records import Coverage, DeviceRecords
from tests.corpus.realdata import Expect, captures, records_from_yml
from tests.support.expected import canonical


def _without_ipv6(records: DeviceRecords) -> dict[str, object]:
    return canonical(DeviceRecords(interfaces=[replace(i, ipv6=()) for i in records.interfaces]))


def _yml(name: str) -> dict[str, object]:
    return canonical(records_from_yml(next(c for c in captures("arista_eos") if c.name == name)))


EXPECT: dict[str, Expect] = {
    "arista_eos_show_mac_address-table": Expect(
        Coverage.PARTIAL, "the contributor replaced a MAC with 'jenn.3057.8423' (not hex): that entry is dropped "
        "and reported, the other 22 kept",
        unparsed="jenn.3057.8423",
        check=lambda r: len(r.mac_table) == 22,
    ),
    "arista_eos_show_ip_bgp_summary3": Expect(
        reason="4-byte AS numbers in asdot (64497.232) are stored asplain",
        check=lambda r: {s.remote_as for s in r.bgp_sessions} >= {64497 * 65536 + 232, 64497 * 65536 + 234},
    ),
    "arista_eos_show_ip_bgp_summary": Expect(
        reason="older EOS: one State/PfxRcd column, a count meaning Established (the .yml leaves the state empty)",
        check=lambda r: [(s.state, s.prefixes_received) for s in r.bgp_sessions] == [("Established", 7)] * 2,
    ),
    "arista_eos_show_interfaces2": Expect(
        reason="IPv6 addresses (link-local, and a global one on Vlan500) are read by netatlas's template",
        yml_wrong="ntc-templates' template reads no IPv6 address: the .yml has none (the rest is compared)",
        check=lambda r: _without_ipv6(r) == _yml("arista_eos_show_interfaces2") and {
            i.name: i.ipv6 for i in r.interfaces if i.ipv6} == {
            "Ethernet1": ("fe80::a8c1:abff:fe3b:1c7a/64",), "Ethernet2": ("fe80::a8c1:abff:fe31:e593/64",),
            "Vlan100": ("fe80::21c:73ff:fe38:71c7/64",),
            "Vlan500": ("fe80::21c:73ff:fe38:71c7/64", "2001:192:168:5::1/64")},
    ),
    "arista_eos_show_lldp_neighbors_detail": Expect(
        reason="management addresses of subtype MAC are no IP address: the neighbor is kept, without one",
        check=lambda r: len(r.neighbors) == 20 and any(n.mgmt_ip == "" for n in r.neighbors),
    ),
}
