"""Cisco NX-OS captures that are not simply "complete and equal to the .yml" (:class:`Expect`).

Keyed by capture name (the ``.raw`` file's stem).
"""

from __future__ import annotations

from netatlas.domain.records import Coverage
from tests.corpus.realdata import Expect, interface_check

_CHANNEL_UNREAD = "ntc-templates reads no 'Belongs to' port-channel: the .yml has none (the rest is compared)"


def _channels(name: str, shown: dict[str, str]) -> Expect:
    return Expect(reason="a member's 'Belongs to PoN' is its port-channel (canonical: port-channelN)",
                  yml_wrong=_CHANNEL_UNREAD,
                  check=interface_check("cisco_nxos", name, ("channel",), {k: (v,) for k, v in shown.items()}))

EXPECT: dict[str, Expect] = {
    "cisco_nxos_show_interface_01": Expect(
        Coverage.PARTIAL, "the contributor's MAC 00de.333.111 has 11 digits: that interface is kept without a MAC",
        unparsed="00de.333.111",
        check=lambda r: any(i.name == "Ethernet12/4" and i.mac == "" for i in r.interfaces) and interface_check(
            "cisco_nxos", "cisco_nxos_show_interface_01", ("channel",), {"Ethernet1/1": ("port-channel1",)})(r),
        yml_wrong=_CHANNEL_UNREAD,
    ),
    "cisco_nxos_show_interface3": _channels("cisco_nxos_show_interface3", {
        "Ethernet1/1": "port-channel131", "Ethernet1/2": "port-channel131", "Ethernet1/3": "port-channel121"}),
    "cisco_nxos_show_interface4": _channels("cisco_nxos_show_interface4", {
        "Ethernet1/49": "port-channel1", "Ethernet1/50": "port-channel1"}),
    "cisco_nxos_show_interface7": _channels("cisco_nxos_show_interface7", {"Ethernet1/50": "port-channel1000"}),
    "cisco_nxos_show_ip_arp_detail_vrf_all": Expect(
        Coverage.PARTIAL, "the contributor kept 40 of the 350 entries the footer counts: a cut table",
        unparsed="the footer counts 350",
        # the detail form's VRF Name column, which the command we send (`show ip arp vrf all`) does not print:
        # the text form's VRF stays unknown (only its JSON form names it), so the .yml's is not compared
        yml_fields={"vrf": "detail_vrf_name"},
    ),
    "cisco_nxos_show_ip_bgp_all_summary_vrf": Expect(
        Coverage.PARTIAL, "this is `show bgp all summary` (every address family): its L2VPN EVPN table is "
        "another command's output for us, reported, not read as IPv4 sessions",
        unparsed="Type-2",
    ),
    "cisco_nxos_show_ip_ospf_neighbor_vrf_all": Expect(
        Coverage.PARTIAL, "the capture starts with the prompt and the command echo (the collector strips them)",
        unparsed="router1# sh ip ospf neighbors vrf all",
    ),
    "cisco_nxos_show_ip_route_vrf4": Expect(
        Coverage.PARTIAL, "the contributor's 111.222.0.0/10 has host bits set (not a network): that route is "
        "dropped and reported, the others kept",
        unparsed="111.222.0.0/10",
    ),
    "cisco_nxos_show_ip_bgp_summary": Expect(
        reason="an Idle peer whose AS is not known yet is printed with AS 0",
        check=lambda r: any(s.peer == "192.168.1.3" and s.remote_as == 0 for s in r.bgp_sessions),
    ),
}
