"""NX-OS ``| json`` readers: documents shaped like public samples of real output give the records the text
forms give; hostile documents give a precise ParseError or a per-entry problem, never a crash or a silent drop.

The documents below are written for these tests, each in the shape of a public sample of real NX-OS JSON:
NAPALM's ``test/nxos/mocked_data`` (``test_get_facts/N9000/show_version.json``, ``test_get_arp_table/normal/
show_ip_arp.json``, ``test_get_interfaces/admin_up_oper_down/show_interface.json``, ``test_get_bgp_neighbors/
normal/show_bgp_all_summary_vrf_all.json``), the ``show_ip_route.json`` of a Cisco DevNet ts_report example,
an NX-OS telemetry capture of ``show mac address-table``, the ``TABLE_ctx``/``TABLE_nbr`` example of an NX-OS
on-box Python guide, ``| json-pretty`` captures of Vlan interfaces, and NX-API consumers of
``TABLE_cdp_neighbor_detail_info`` and ``TABLE_nbor_detail``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from netatlas.collect.parsers.parse import parse_command
from netatlas.collect.parsers.structured import MAX_TEXT
from netatlas.domain.errors import ParseError
from netatlas.domain.records import ROUTE_TYPES, Coverage, DataType, ParseOutcome

ALL = frozenset(DataType)


def parse(command: str, doc: Any, types: frozenset[DataType] = ALL) -> ParseOutcome:
    return parse_command("cisco_nxos", f"{command} | json", json.dumps(doc) + "\n", types)


def test_show_version() -> None:
    doc = {"header_str": "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\n",
           "bios_ver_str": "07.33", "kickstart_ver_str": "9.3(8)", "nxos_ver_str": "9.3(8)",
           "chassis_id": "Nexus9000 C93180YC-EX chassis", "memory": 16400084, "mem_type": "kB",
           "proc_board_id": "FDO21120U8N", "host_name": "nx-leaf1", "bootflash_size": 53298520,
           "kern_uptm_days": 47, "kern_uptm_hrs": 1, "kern_uptm_mins": 37, "kern_uptm_secs": 11,
           "rr_reason": "Reset Requested by CLI command reload", "manufacturer": "Cisco Systems, Inc."}
    facts = parse("show version", doc).records.facts
    assert facts is not None
    assert (facts.hostname, facts.model, facts.serial, facts.os_version, facts.vendor) == (
        "nx-leaf1", "C93180YC-EX", "FDO21120U8N", "9.3(8)", "cisco")
    assert facts.uptime == str(47 * 86400 + 3600 + 37 * 60 + 11)


def test_show_version_of_an_older_image_and_nx_osv() -> None:
    doc = {"kickstart_ver_str": "7.3(1)D1(1) [build 7.3(1)D1(0.10)]", "sys_ver_str": "7.3(1)D1(1)",
           "chassis_id": "NX-OSv Chassis", "proc_board_id": "TM6017D760B", "host_name": "nxos-spine1",
           "kern_uptm_days": 0, "kern_uptm_hrs": 0, "kern_uptm_mins": 5, "kern_uptm_secs": 0}
    facts = parse("show version", doc).records.facts
    assert facts is not None and (facts.model, facts.os_version, facts.uptime) == ("NX-OSv", "7.3(1)D1(1)", "300")


def test_show_interface_every_kind() -> None:
    rows = [
        {"interface": "mgmt0", "state": "up", "admin_state": "up", "eth_hw_desc": "GigabitEthernet",
         "eth_hw_addr": "5254.0004.9de4", "eth_bia_addr": "5254.0004.9de4", "eth_ip_addr": "10.1.1.7",
         "eth_ip_mask": 24, "eth_mtu": "1500", "eth_bw": 1000000, "eth_duplex": "full", "eth_speed": "1000 Mb/s"},
        {"interface": "Ethernet1/1", "state": "down", "state_rsn_desc": "Link not connected", "admin_state": "up",
         "share_state": "Dedicated", "eth_bundle": "10", "eth_hw_desc": "100/1000/10000 Ethernet",
         "eth_hw_addr": "2cc2.604f.feb2", "eth_mtu": "9216", "eth_bw": 10000000, "eth_dly": 10,
         "eth_mode": "trunk", "eth_duplex": "auto", "eth_speed": "auto-speed", "eth_link_flapped": "never"},
        {"interface": "Ethernet1/2", "state": "down", "state_rsn_desc": "Administratively down",
         "admin_state": "down", "eth_hw_addr": "2cc2.604f.feb3", "eth_mtu": "1500", "desc": "spare"},
        {"interface": "port-channel10", "state": "up", "admin_state": "up", "eth_hw_desc": "Port-Channel",
         "eth_hw_addr": "2cc2.604f.feb2", "eth_mtu": "9216", "eth_bw": 20000000, "eth_duplex": "full",
         "eth_speed": "20 Gb/s", "eth_members": "Eth1/1, Eth1/3"},
        {"interface": "loopback0", "state": "up", "admin_state": "up", "eth_hw_desc": "Loopback",
         "eth_ip_addr": "10.0.0.1", "eth_ip_mask": 32, "eth_mtu": "1500", "eth_bw": 8000000},
        {"interface": "Vlan2001", "svi_admin_state": "up", "svi_line_proto": "up", "svi_mac": "006b.f137.5a5d",
         "svi_ip_addr": "11.0.0.1", "svi_ip_mask": "24", "svi_mtu": "1500", "svi_bw": "1000000"},
    ]
    got = {i.name: i for i in parse("show interface", {"TABLE_interface": {"ROW_interface": rows}}).records.interfaces}
    assert got["mgmt0"].ipv4 == ("10.1.1.7/24",) and got["mgmt0"].speed_mbps == 1000 and got["mgmt0"].duplex == "full"
    eth1 = got["Ethernet1/1"]
    assert (eth1.admin_up, eth1.oper_up, eth1.mtu, eth1.channel, eth1.speed_mbps, eth1.duplex) == (
        True, False, 9216, "port-channel10", None, "")
    assert got["Ethernet1/2"].admin_up is False and got["Ethernet1/2"].description == "spare"
    assert got["port-channel10"].speed_mbps == 20000
    assert got["loopback0"].ipv4 == ("10.0.0.1/32",) and got["loopback0"].mac == ""
    assert got["Vlan2001"].oper_up and got["Vlan2001"].ipv4 == ("11.0.0.1/24",) and got["Vlan2001"].mac


def test_show_ip_route_ecmp_attached_and_one_row_objects() -> None:
    default = {"vrf-name-out": "default", "TABLE_addrf": {"ROW_addrf": {"addrf": "ipv4", "TABLE_prefix": {
        "ROW_prefix": [
            {"ipprefix": "172.16.101.0/24", "ucast-nhops": "1", "mcast-nhops": "0", "attached": "true",
             "TABLE_path": {"ROW_path": {"ipnexthop": "172.16.101.2", "ifname": "Vlan101",
                                         "uptime": "P15DT16H28M27S", "pref": "0", "metric": "0",
                                         "clientname": "direct", "ubest": "true"}}},
            {"ipprefix": "172.12.12.12/32", "ucast-nhops": "2", "mcast-nhops": "0", "attached": "false",
             "TABLE_path": {"ROW_path": [
                 {"ipnexthop": "172.18.2.22", "uptime": "PT17H3M49S", "pref": "20", "metric": "0",
                  "clientname": "bgp-45001", "type": "external", "tag": "45000", "ubest": "true"},
                 {"ipnexthop": "172.18.1.4", "uptime": "PT17H3M49S", "pref": "20", "metric": "0",
                  "clientname": "bgp-45001", "type": "external", "tag": "45000", "ubest": "true"}]}},
            {"ipprefix": "10.2.0.0/16", "ucast-nhops": "1", "mcast-nhops": "0", "attached": "false",
             "TABLE_path": {"ROW_path": {"ipnexthop": "10.0.0.2", "ifname": "Eth1/1", "uptime": "P1D",
                                         "pref": "110", "metric": "41", "clientname": "ospf-1", "type": "type-2",
                                         "ubest": "true"}}}]}}}}
    empty = {"vrf-name-out": "management", "TABLE_addrf": {"ROW_addrf": {"addrf": "ipv4"}}}
    routes = parse("show ip route vrf all", {"TABLE_vrf": {"ROW_vrf": [default, empty]}},
                   frozenset(ROUTE_TYPES)).records.routes
    by_prefix = {r.prefix: r for r in routes}
    assert by_prefix["172.16.101.0/24"].protocol == "connected"
    assert by_prefix["172.16.101.0/24"].next_hops[0].interface == "Vlan101"
    bgp = by_prefix["172.12.12.12/32"]
    assert (bgp.protocol, bgp.route_type, bgp.distance, len(bgp.next_hops)) == ("bgp", "external", 20, 2)
    ospf = by_prefix["10.2.0.0/16"]
    assert (ospf.route_type, ospf.metric, ospf.next_hops[0].interface) == ("ext2", 41, "Ethernet1/1")


def test_show_ip_ospf_neighbors() -> None:
    nbrs = [{"rid": "1.1.1.1", "priority": "1", "state": "FULL", "drstate": "DR", "uptime": "P14DT19H11M58S",
             "addr": "192.168.10.10", "intf": "Vlan10"},
            {"rid": "2.2.2.2", "priority": "0", "state": "FULL", "drstate": "-", "uptime": "P1D",
             "addr": "10.0.0.5", "intf": "Eth1/2"}]
    doc = {"TABLE_ctx": {"ROW_ctx": [{"ptag": "1", "cname": "default", "nbrcount": "2", "TABLE_nbr": {"ROW_nbr": nbrs}},
                                     {"ptag": "1", "cname": "BLUE", "nbrcount": "0"}]}}
    got = parse("show ip ospf neighbors vrf all", doc).records.ospf_neighbors
    assert [(n.router_id, n.address, n.interface, n.state, n.vrf) for n in got] == [
        ("1.1.1.1", "192.168.10.10", "Vlan10", "FULL", "default"), ("2.2.2.2", "10.0.0.5", "Ethernet1/2", "FULL",
                                                                    "default")]


def test_show_ip_bgp_summary() -> None:
    neighbors = [{"neighborid": "10.1.1.177", "neighborversion": "4", "msgrecvd": 192059, "msgsent": 192199,
                  "neighbortableversion": "582", "inq": "0", "outq": "0", "neighboras": "64862", "time": "6w3d",
                  "state": "Established", "prefixreceived": "13"},
                 {"neighborid": "10.1.1.179", "neighborversion": "4", "msgrecvd": 0, "msgsent": 0,
                  "neighbortableversion": "0", "inq": "0", "outq": "0", "neighboras": "65000.100", "time": "never",
                  "state": "Idle"}]
    saf = {"safi": 1, "af-name": "IPv4 Unicast", "tableversion": "582", "configuredpeers": "2",
           "TABLE_neighbor": {"ROW_neighbor": neighbors}}
    v6 = {"af-id": "2", "TABLE_saf": {"ROW_saf": {"safi": 1, "af-name": "IPv6 Unicast"}}}
    doc = {"TABLE_vrf": {"ROW_vrf": {"vrf-name-out": "RED", "vrf-router-id": "10.2.63.60", "vrf-local-as": "64861",
                                     "TABLE_af": {"ROW_af": [{"af-id": "1", "TABLE_saf": {"ROW_saf": saf}}, v6]}}}}
    got = parse("show ip bgp summary vrf all", doc).records.bgp_sessions
    assert [(s.peer, s.remote_as, s.state, s.prefixes_received, s.vrf) for s in got] == [
        ("10.1.1.177", 64862, "Established", 13, "RED"), ("10.1.1.179", 65000 * 65536 + 100, "Idle", None, "RED")]


def test_show_mac_address_table_skips_router_entries() -> None:
    doc = {"TABLE_mac_address": {"ROW_mac_address": [
        {"disp_age": "-", "disp_vlan": "-", "disp_port": "(R)", "disp_mac_addr": "0050.56b9.b903",
         "disp_type": "static", "disp_is_ntfy": "F", "disp_is_secure": "F"},
        {"disp_age": "0", "disp_vlan": "10", "disp_port": "Eth1/3", "disp_mac_addr": "aac1.ab85.ab21",
         "disp_type": "dynamic", "disp_is_ntfy": "F", "disp_is_secure": "F"}]}}
    assert [(m.mac, m.vlan, m.interface, m.dynamic) for m in parse("show mac address-table", doc).records.mac_table
            ] == [("aa:c1:ab:85:ab:21", 10, "Ethernet1/3", True)]


def test_show_ip_arp_one_row_is_an_object() -> None:
    doc = {"TABLE_vrf": {"ROW_vrf": {"cnt-total": 1, "vrf-name-out": "default", "TABLE_adj": {"ROW_adj": {
        "mac": "000a.000a.000a", "time-stamp": "-", "intf-out": "Ethernet2/1", "ip-addr-out": "1.1.1.1"}}}}}
    assert [(a.ip, a.mac, a.interface) for a in parse("show ip arp vrf all", doc).records.arp] == [
        ("1.1.1.1", "00:0a:00:0a:00:0a", "Ethernet2/1")]


def test_cdp_and_lldp_detail() -> None:
    cdp = {"TABLE_cdp_neighbor_detail_info": {"ROW_cdp_neighbor_detail_info": {
        "ifindex": "83886080", "device_id": "DIST(FOX1)", "sysname": "DIST", "numaddr": "1", "v4addr": "10.0.1.2",
        "platform_id": "N9K-C93180YC-EX", "capability": ["router", "switch", "IGMP_cnd_filtering"],
        "intf_id": "Ethernet1/3", "port_id": "Ethernet1/49", "ttl": "136",
        "version": "Cisco Nexus Operating System (NX-OS) Software, Version 9.3(8)\nsecond line",
        "v4mgmtaddr": "10.0.1.2"}}}
    got = parse("show cdp neighbors detail", cdp).records.neighbors
    assert [(n.local_interface, n.remote_name, n.remote_interface, n.mgmt_ip, n.capabilities) for n in got] == [
        ("Ethernet1/3", "dist", "Ethernet1/49", "10.0.1.2", "Router Switch IGMP Filtering")]
    lldp = {"neigh_hdr": "neigh_hdr", "TABLE_nbor_detail": {"ROW_nbor_detail": [
        {"chassis_type": "Mac Address", "chassis_id": "aabb.ccdd.ee01", "port_type": "Interface Name",
         "port_id": "ethernet1/2", "l_port_id": "Eth1/1", "sys_name": "FW-02", "sys_desc": "Palo Alto",
         "ttl": 97, "system_capability": "B, R", "enabled_capability": "R", "mgmt_addr": "10.0.0.4",
         "vlan_id": "not advertised"},
        {"chassis_id": "aabb.ccdd.ee02", "port_id": "Gi0/1", "l_port_id": "Eth1/2", "sys_name": "ap1",
         "system_capability": "B", "mgmt_addr": "not advertised"}]}, "neigh_count": 2}
    got = parse("show lldp neighbors detail", lldp).records.neighbors
    assert [(n.local_interface, n.remote_name, n.mgmt_ip, n.capabilities) for n in got] == [
        ("Ethernet1/1", "fw-02", "10.0.0.4", "B,R"), ("Ethernet1/2", "ap1", "", "B")]


# ---- hostile documents -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "why"), [
    ("", "the output is empty"),
    ("{\"TABLE_vrf\": ", "not a JSON document"),
    ("[1, 2]", "an object holding TABLE_vrf is a list"),
    ('{"TABLE_vrf": []}', "TABLE_vrf is a list"),
    ('{"TABLE_vrf": {"rows": 1}}', "ROW_vrf"),
    ('{"TABLE_vrf": {"ROW_vrf": "default"}}', "ROW_vrf is a string"),
])
def test_a_wrong_document_is_a_parse_error_naming_the_shape(text: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        parse_command("cisco_nxos", "show ip arp vrf all | json", text, ALL)


def _arp(*adj: Any) -> dict[str, Any]:
    return {"TABLE_vrf": {"ROW_vrf": {"vrf-name-out": "default", "TABLE_adj": {"ROW_adj": list(adj)}}}}


GOOD = {"ip-addr-out": "10.0.0.2", "time-stamp": "00:00:05", "mac": "0050.56ab.0001", "intf-out": "Vlan10"}


@pytest.mark.parametrize(("bad", "why"), [
    ({**GOOD, "mac": ["0050.56ab.0002"]}, "'mac' is a list, not text"),
    ({**GOOD, "ip-addr-out": None}, "no 'ip-addr-out'"),
    ({**GOOD, "intf-out": True}, "'intf-out' is a boolean"),
    ({**GOOD, "intf-out": "V" * (MAX_TEXT + 1)}, f"'intf-out' is {MAX_TEXT + 1} characters long \\(at most "),
    ("10.0.0.9", "a string, not an object"),
    ({**GOOD, "mac": "not-a-mac"}, "mac"),
])
def test_a_bad_entry_is_a_named_problem_and_the_others_are_kept(bad: Any, why: str) -> None:
    outcome = parse("show ip arp vrf all", _arp(GOOD, bad))
    assert outcome.coverage is Coverage.PARTIAL
    assert [a.ip for a in outcome.records.arp] == ["10.0.0.2"]
    assert len(outcome.unparsed) == 1 and "entry 2" in outcome.unparsed[0]
    assert re.search(why, outcome.unparsed[0]), outcome.unparsed


def test_an_entry_with_control_characters_is_kept_and_reported_as_in_text() -> None:
    outcome = parse("show ip arp vrf all", _arp(GOOD, {**GOOD, "ip-addr-out": "10.0.0.3", "intf-out": "Vlan10\x1b[2J"}))
    assert [(a.ip, a.interface) for a in outcome.records.arp] == [("10.0.0.2", "Vlan10"), ("10.0.0.3", "Vlan10\x1b[2J")]
    assert outcome.coverage is Coverage.PARTIAL
    assert outcome.unparsed == ("entry 2 (10.0.0.3 00:00:05 0050.56ab.0001 Vlan10\\x1b...): control characters "
                                "in 'interface' (kept)",)


def test_a_document_of_only_bad_entries_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no entry could be read"):
        parse("show ip arp vrf all", _arp({"ip-addr-out": {}}))


def test_a_bad_vrf_row_is_one_problem_the_other_vrfs_are_read() -> None:
    good = {"vrf-name-out": "default", "TABLE_addrf": {"ROW_addrf": {"addrf": "ipv4", "TABLE_prefix": {
        "ROW_prefix": {"ipprefix": "10.0.0.0/24", "TABLE_path": {"ROW_path": {
            "ipnexthop": "10.0.0.1", "ifname": "Eth1/1", "pref": "0", "metric": "0", "clientname": "direct"}}}}}}}
    bad = {"vrf-name-out": "BLUE", "TABLE_addrf": "garbage"}
    outcome = parse("show ip route vrf all", {"TABLE_vrf": {"ROW_vrf": [good, bad]}}, frozenset(ROUTE_TYPES))
    assert [r.prefix for r in outcome.records.routes] == ["10.0.0.0/24"]
    assert outcome.coverage is Coverage.PARTIAL and "vrf entry 2 (BLUE): TABLE_addrf is a string" in outcome.unparsed[0]


def test_a_prefix_without_a_path_and_a_count_that_disagrees_are_reported() -> None:
    prefix = {"ipprefix": "10.9.0.0/16", "ucast-nhops": "1"}
    doc = {"TABLE_vrf": {"ROW_vrf": {"vrf-name-out": "default", "TABLE_addrf": {"ROW_addrf": {
        "addrf": "ipv4", "TABLE_prefix": {"ROW_prefix": prefix}}}}}}
    with pytest.raises(ParseError, match="no path"):
        parse("show ip route vrf all", doc, frozenset(ROUTE_TYPES))
    ospf = {"TABLE_ctx": {"ROW_ctx": {"ptag": "1", "cname": "default", "nbrcount": "3", "TABLE_nbr": {"ROW_nbr": {
        "rid": "1.1.1.1", "state": "FULL", "drstate": "DR", "addr": "10.0.0.1", "intf": "Eth1/1"}}}}}
    outcome = parse("show ip ospf neighbors vrf all", ospf)
    assert outcome.coverage is Coverage.PARTIAL and "nbrcount says 3" in outcome.unparsed[0]


def test_a_huge_document_of_junk_keys_gives_no_rows_and_no_crash() -> None:
    doc = {f"junk{i}": "x" * 100 for i in range(10_000)}
    outcome = parse("show interface", doc)
    assert outcome.records.interfaces == [] and outcome.coverage is Coverage.COMPLETE  # no TABLE_interface: none
    with pytest.raises(ParseError, match="nxos_ver_str"):
        parse("show version", doc)


def test_a_feature_off_message_instead_of_a_document() -> None:
    outcome = parse_command("cisco_nxos", "show cdp neighbors detail | json", "% CDP is not enabled\n", ALL)
    assert outcome.coverage is Coverage.FEATURE_OFF


def test_a_disabled_features_refused_json_form_is_feature_off_without_trying_the_text_form() -> None:
    from netatlas.collect.fake import FakeTransport, rejected
    from tests.unit.collect.test_collector import collect, script_for

    invalid = "% Invalid command at '^' marker.\n"
    features = "Feature Name          Instance  State\nlldp                   1         disabled\n"
    wanted = frozenset({DataType.LLDP})
    script = {**script_for("cisco_nxos", wanted), "show lldp neighbors detail | json": rejected("x", invalid),
              "show feature": features}
    transport = FakeTransport(script)
    result = collect("cisco_nxos", transport, wanted)
    assert result.ok, result.error
    lldp = next(o for o in result.outputs if o.command == "show lldp neighbors detail | json")
    assert (lldp.coverage, lldp.note) == (Coverage.FEATURE_OFF, "feature lldp disabled")
    assert "show lldp neighbors detail" not in transport.sent  # feature off: no fallback form tried
