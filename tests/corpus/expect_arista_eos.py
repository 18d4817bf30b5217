"""Arista EOS captures that are not simply "complete and equal to the .yml" (:class:`Expect`).

Keyed by capture name (the ``.raw`` file's stem).
"""

from __future__ import annotations

from netatlas.domain.records import Coverage
from tests.corpus.realdata import LINK, Expect, interface_check

_LINK_UNREAD = "ntc-templates reads no duplex, speed or port-channel: the .yml has none (the rest is compared)"
_FULL_1G, _FULL_10G = ("", 1000, "full"), ("", 10000, "full")


def _links(name: str, shown: dict[str, tuple[object, ...]]) -> Expect:
    return Expect(reason="duplex and speed ('Full-duplex, 10Gb/s'; 'Unconfigured' is no speed) and a member's "
                         "'Member of' port-channel are read by netatlas's template",
                  yml_wrong=_LINK_UNREAD, check=interface_check("arista_eos", name, LINK, shown))


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
        reason="IPv6 addresses (link-local, and a global one on Vlan500), duplex and speed are read by netatlas's "
               "template",
        yml_wrong="ntc-templates' template reads no IPv6 address, duplex or speed: the .yml has none (the rest is "
                  "compared)",
        check=interface_check("arista_eos", "arista_eos_show_interfaces2", ("ipv6", *LINK), {
            "Ethernet1": (("fe80::a8c1:abff:fe3b:1c7a/64",), "", 1000, "full"),
            "Ethernet2": (("fe80::a8c1:abff:fe31:e593/64",), "", 1000, "full"),
            "Ethernet3": ((), "", 1000, "full"), "Ethernet4": ((), "", 1000, "full"),
            "Management0": ((), "", 1000, "full"),
            "Vlan100": (("fe80::21c:73ff:fe38:71c7/64",), "", None, ""),
            "Vlan500": (("fe80::21c:73ff:fe38:71c7/64", "2001:192:168:5::1/64"), "", None, "")}),
    ),
    "arista_eos_show_interfaces": _links("arista_eos_show_interfaces", {
        "Ethernet1": _FULL_10G, "Ethernet2": _FULL_10G, "Ethernet49/1": ("", 100000, "full"),
        "Port-Channel1": ("", None, "full"), "Management1": _FULL_1G}),
    "arista_eos_show_interfaces_portchannel": _links("arista_eos_show_interfaces_portchannel", {
        "Ethernet47": ("Port-Channel2", 1000, "full"), "Ethernet48": ("Port-Channel2", 1000, "full"),
        "Ethernet49": ("Port-Channel1", 10000, "full"), "Ethernet50": ("Port-Channel1", 10000, "full"),
        "Ethernet51": _FULL_1G, "Ethernet52": _FULL_10G, "Management1": _FULL_1G,
        "Port-Channel1": ("", None, "full"), "Port-Channel2": ("", 2000, "full")}),
    "arista_eos_show_lldp_neighbors_detail": Expect(
        reason="management addresses of subtype MAC are no IP address: the neighbor is kept, without one",
        check=lambda r: len(r.neighbors) == 20 and any(n.mgmt_ip == "" for n in r.neighbors),
    ),
}
