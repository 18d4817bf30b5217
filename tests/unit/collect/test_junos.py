"""JunOS as real devices print it: what each row makes of the hand-written real-format fixtures.

The fixtures (``tests/fixtures/juniper_junos/<command>/<case>.raw``, not ``lab_*``/``unit_*``) are
written in the formats real JunOS prints (virtual chassis, SRX clusters, ELS and non-ELS switching
tables, IPv6 and MPLS tables, peers in every state); the template rows are checked by
``test_own_templates.py``, the records here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netatlas.collect.parsers import parse_command, parse_output
from netatlas.collect.parsers.junos import BANNER
from netatlas.domain.records import ROUTE_TYPES, BgpSession, Coverage, DataType, MacEntry, NextHop, ParseOutcome

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "juniper_junos"
JUNOS = "juniper_junos"
ALL = frozenset(DataType)


def _read(command: str, case: str) -> ParseOutcome:
    text = (FIXTURES / command.replace(" ", "_") / f"{case}.raw").read_text()
    return parse_command(JUNOS, command, text, ALL)


# ---- facts -----------------------------------------------------------------------------------


def test_virtual_chassis_version_is_one_facts_with_its_members() -> None:
    outcome = _read("show version", "virtual_chassis")
    assert outcome.coverage is Coverage.COMPLETE
    facts = outcome.records.facts
    assert facts is not None
    assert (facts.hostname, facts.model, facts.os_version, facts.members) == (
        "access-vc1", "ex4300-48p", "18.4R2-S4.2", ("fpc0", "fpc1"))


def test_a_single_device_version_has_no_members() -> None:
    facts = _read("show version", "unit_r1").records.facts
    assert facts is not None and facts.members == () and facts.hostname == "r1"


@pytest.mark.parametrize(("case", "serial"), [("mx_single", "JN11D4C6DAFA"), ("srx_cluster", "DK2816AF0673")])
def test_serial_is_the_chassis_line_of_the_first_member(case: str, serial: str) -> None:
    outcome = _read("show chassis hardware", case)
    assert outcome.coverage is Coverage.COMPLETE
    assert outcome.records.facts is not None and outcome.records.facts.serial == serial


# ---- interfaces ------------------------------------------------------------------------------


def test_every_ipv4_address_of_a_unit_is_kept_and_inet6_is_not_an_ipv4_address() -> None:
    outcome = _read("show interfaces", "dual_stack")
    assert outcome.coverage is Coverage.COMPLETE
    by_name = {i.name: i for i in outcome.records.interfaces}
    assert by_name["ge-0/0/0"].ipv4 == ("10.0.0.1/31", "10.0.5.1/24")
    assert by_name["ge-0/0/0"].description == "uplink to core"
    assert not by_name["ge-0/0/1"].admin_up and not by_name["ge-0/0/1"].oper_up  # "Administratively down"
    assert by_name["lo0"].ipv4 == ("10.255.255.1/32",)  # "Local:" alone; lo0.16384's 127.0.0.1 is internal


# ---- LLDP, ARP -------------------------------------------------------------------------------


def test_lldp_summary_with_a_banner_and_a_neighbor_without_a_system_name() -> None:
    outcome = _read("show lldp neighbors", "banner_and_names")
    assert outcome.coverage is Coverage.COMPLETE
    assert [(n.local_interface, n.remote_name_raw) for n in outcome.records.neighbors] == [
        ("ge-0/0/1", "core-sw-01"), ("xe-0/0/2", "spine2.dc1.example.net"), ("ge-0/0/9", "00:11:22:33:44:55")]


def test_arp_on_irb_keeps_the_irb_and_multi_word_flags() -> None:
    outcome = _read("show arp no-resolve", "irb_physical")
    assert outcome.coverage is Coverage.COMPLETE
    assert [(a.ip, a.interface) for a in outcome.records.arp] == [
        ("10.10.0.21", "irb.10"), ("10.10.0.22", "irb.10"), ("10.0.0.2", "ge-0/0/0")]


# ---- BGP -------------------------------------------------------------------------------------


def test_bgp_summary_keeps_peers_in_every_state_with_asdot_and_ipv6() -> None:
    outcome = _read("show bgp summary", "peer_states")
    assert outcome.coverage is Coverage.COMPLETE
    assert outcome.records.bgp_sessions == [
        BgpSession("10.0.0.1", 65001, "Established", 14, "default"),  # inet.0 12 + inet6.0 2
        BgpSession("10.0.0.2", 65002, "Active", None, ""),  # JunOS does not say a down peer's instance
        BgpSession("10.0.0.3", 65000 * 65536 + 1000, "Connect", None, ""),
        BgpSession("172.16.1.1", 65100, "Established", 5, "BLUE"),
        BgpSession("2001:db8::2", 4200000001, "Idle", None, ""),
    ]


def test_bgp_summary_inline_counts_are_an_established_peer() -> None:
    text = (
        "Groups: 1 Peers: 1 Down peers: 0\n"
        "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
        "State|#Active/Received/Accepted/Damped...\n"
        "10.0.0.9              65009         49         50       0       0       21:29 1/3/3/0              0/0/0/0\n"
    )
    sessions = parse_output(JUNOS, "show bgp summary", text, ALL).bgp_sessions
    assert sessions == [BgpSession("10.0.0.9", 65009, "Established", 3, "default")]


def test_bgp_summary_cut_after_a_peer_is_partial() -> None:
    text = (FIXTURES / "show_bgp_summary" / "peer_states.raw").read_text()
    cut = text[: text.index("10.0.0.3")]  # 2 of the 5 peers the Groups line counts
    outcome = parse_command(JUNOS, "show bgp summary", cut, ALL)
    assert outcome.coverage is Coverage.PARTIAL and len(outcome.records.bgp_sessions) == 2


# ---- MAC -------------------------------------------------------------------------------------


def test_non_els_table_learned_entries_without_flood_or_router_entries() -> None:
    outcome = _read("show ethernet-switching table", "non_els")
    assert outcome.coverage is Coverage.COMPLETE
    assert outcome.records.mac_table == [
        MacEntry("00:1f:12:30:b8:83", 0, "ge-0/0/0", True),  # "default": no tag in the name
        MacEntry("00:1f:12:30:b8:89", 0, "ge-0/0/1", True),  # "v10": a name, not a tag
        MacEntry("00:1f:12:30:b8:8a", 20, "ge-0/0/2", False),
    ]


def test_els_table_flags_and_vlan_names() -> None:
    outcome = _read("show ethernet-switching table", "els_instances")
    assert outcome.coverage is Coverage.COMPLETE
    assert outcome.records.mac_table == [
        MacEntry("00:50:56:ab:00:01", 0, "ge-0/0/4", True),
        MacEntry("00:50:56:ab:00:02", 30, "vtep.32769", True),  # DR: learned from a remote VTEP
        MacEntry("00:50:56:ab:00:03", 40, "ae1", False),
    ]


# ---- routes ----------------------------------------------------------------------------------


def _routes() -> dict[tuple[str, str, str], tuple[NextHop, ...]]:
    records = parse_output(JUNOS, "show route", (FIXTURES / "show_route" / "real_families.raw").read_text(),
                           frozenset(ROUTE_TYPES))
    return {(r.vrf, r.prefix, r.protocol): r.next_hops for r in records.routes}


def test_route_tables_ipv6_kept_inet3_and_mpls_skipped() -> None:
    routes = _routes()
    assert ("default", "::/0", "static") in routes
    assert ("default", "2001:db8:0:7::1/128", "ospf") in routes  # OSPF3, long prefix on its own line
    assert ("BLUE", "2001:db8:100::/48", "bgp") in routes
    assert ("default", "10.255.1.9/32", "ldp") not in routes  # inet.3
    assert all("/" in prefix for _, prefix, _ in routes)  # no MPLS label became a route


def test_an_inactive_path_of_the_same_protocol_is_not_an_ecmp_next_hop() -> None:
    routes = _routes()
    assert ("default", "10.1.0.0/24", "ospf") not in routes  # inactive: Direct is the route
    assert routes[("default", "10.120.0.0/16", "bgp")] == (NextHop("192.0.2.17", "ge-0/0/1"),)
    assert routes[("default", "10.44.4.4/32", "ospf")] == (  # equal-cost next hops of one entry stay
        NextHop("192.0.2.17", "ge-0/0/1"), NextHop("192.0.2.21", "ge-0/0/0"))


def test_route_preference_pair_and_as_paths() -> None:
    records = parse_output(JUNOS, "show route", (FIXTURES / "show_route" / "real_families.raw").read_text(),
                           frozenset(ROUTE_TYPES))
    by_prefix = {(r.prefix, r.protocol): r for r in records.routes}
    assert by_prefix[("0.0.0.0/0", "ospf")].distance == 150  # [OSPF/150/10]
    assert by_prefix[("10.230.0.0/16", "bgp")].as_path == "4259841000 4200000001 64512 64513"
    assert by_prefix[("10.120.0.0/16", "bgp")].as_path == "65010 65020"
    assert by_prefix[("10.240.0.0/16", "static")].next_hops == ()  # next-table: no next hop


def test_junk_after_a_route_table_is_partial_not_complete() -> None:
    text = (FIXTURES / "show_route" / "all_tables.raw").read_text() + "\x00\x07garbage line\n"
    outcome = parse_command(JUNOS, "show route", text, frozenset(ROUTE_TYPES))
    assert outcome.coverage is Coverage.PARTIAL and outcome.records.routes


def test_a_route_table_cut_after_an_entry_line_is_partial() -> None:
    text = (FIXTURES / "show_route" / "all_tables.raw").read_text()
    cut = text[: text.index("10.100.0.0/24")] + "10.100.0.0/24      *[OSPF/10] 2d 06:13:44, metric 3\n"
    outcome = parse_command(JUNOS, "show route", cut, frozenset(ROUTE_TYPES))
    assert outcome.coverage is Coverage.PARTIAL
    assert "10.100.0.0/24" not in {r.prefix for r in outcome.records.routes}


# ---- feature off, banners --------------------------------------------------------------------


@pytest.mark.parametrize(("command", "message"), [
    ("show lldp neighbors", "warning: lldp subsystem not running"),
    ("show lldp neighbors", "warning: lldp subsystem not running - not needed by configuration."),
    ("show lldp neighbors interface ge-0/0/1", "error: the lldp subsystem is not running"),
    ("show ospf neighbor", "OSPF instance is not running"),
    ("show ospf neighbor", "error: OSPF is not running"),
    ("show bgp summary", "BGP is not running"),
    ("show bgp summary", "warning: bgp subsystem not running"),
    ("show ethernet-switching table", "error: the ethernet-switching subsystem is not running"),
])
def test_feature_off_is_data_not_a_failure(command: str, message: str) -> None:
    outcome = parse_command(JUNOS, command, f"{message}\n\n{{master:0}}\n", ALL)
    assert outcome.coverage is Coverage.FEATURE_OFF
    assert outcome.note == message


BANNERS = ["{master:0}", "{primary:node0}", "{secondary-hold:node1}", "{backup:1}", "{linecard:2}", "{master}"]


@pytest.mark.parametrize("banner", BANNERS)
@pytest.mark.parametrize("command", ["show ospf neighbor", "show arp no-resolve", "show route", "show version"])
def test_banner_lines_before_the_prompt_are_not_junk(banner: str, command: str) -> None:
    import re

    assert re.fullmatch(BANNER, banner)
    case = {"show ospf neighbor": "unit_r1", "show arp no-resolve": "unit_r1", "show route": "all_tables",
            "show version": "unit_r1"}[command]
    text = (FIXTURES / command.replace(" ", "_") / f"{case}.raw").read_text()
    plain = parse_command(JUNOS, command, text, ALL)
    with_banner = parse_command(JUNOS, command, f"{text}\n{banner}\n", ALL)
    assert with_banner.coverage is Coverage.COMPLETE
    assert with_banner.records == plain.records
