"""EOS `` | json`` readers: documents shaped like public samples of real output give the records the
text form gives; hostile documents give a precise ParseError or a named per-entry problem.

The documents are written here, shaped after (not copied from) public test data of real devices:
NAPALM ``test/eos/mocked_data`` (``test_get_facts/normal/show_version.json``,
``test_get_interfaces/normal/show_interfaces.json``, ``test_get_lldp_neighbors_detail/issue1153``,
``test_get_bgp_neighbors/normal/show_ip_bgp_summary_vrf_all.json``,
``test_get_mac_address_table/normal``, ``test_get_arp_table/normal/show_arp_vrf_all.json``),
batfish ``lab_validation`` EOS route data (``show ip route vrf all | json``), ANTA's unit data
(``VerifyOSPFNeighborState``), autonet's EOS interface data (``interfaceAddressIp6``), and the
errors envelope EOS prints for a command that fails in JSON mode (``{"errors": ["BGP inactive"]}``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from netatlas.collect.parsers import parse_command
from netatlas.domain.errors import ParseError
from netatlas.domain.records import (
    ArpEntry,
    BgpSession,
    Coverage,
    DataType,
    Facts,
    Interface,
    MacEntry,
    Neighbor,
    NextHop,
    OspfNeighbor,
    ParseOutcome,
    Route,
)

EOS = "arista_eos"
ROUTES = frozenset({DataType.STATIC_ROUTES, DataType.OSPF_ROUTES, DataType.BGP_ROUTES})


def _parse(command: str, document: Any, types: frozenset[DataType]) -> ParseOutcome:
    text = document if isinstance(document, str) else json.dumps(document, indent=4) + "\n"
    return parse_command(EOS, f"{command} | json", text, types)


# ---- one document per command, shaped like a public sample ---------------------------------


def test_show_version() -> None:
    doc = {"modelName": "vEOS", "internalVersion": "4.15.5M-3054042.4155M", "systemMacAddress": "08:00:27:b3:fc:e1",
           "serialNumber": "SN0001", "memTotal": 1897592, "bootupTimestamp": 1466586790.4, "memFree": 114160,
           "version": "4.15.5M", "architecture": "i386", "internalBuildId": "d6560fe3", "hardwareRevision": "",
           "uptime": 3661.52}
    got = _parse("show version", doc, frozenset({DataType.FACTS}))
    assert got.coverage is Coverage.COMPLETE
    assert got.records.facts == Facts("", "vEOS", "SN0001", "4.15.5M", "arista", "3661")


def test_show_hostname() -> None:
    got = _parse("show hostname", {"hostname": "leaf1", "fqdn": "leaf1.example.net"}, frozenset({DataType.FACTS}))
    assert got.records.facts is not None and got.records.facts.hostname == "leaf1"


def _interfaces() -> dict[str, Any]:
    routed = {"name": "Vlan71", "interfaceStatus": "connected", "lineProtocolStatus": "up", "hardware": "vlan",
              "forwardingModel": "routed", "mtu": 1500, "bandwidth": 0, "description": "[an]",
              "physicalAddress": "0c:fe:87:5f:8c:bd", "burnedInAddress": "0c:fe:87:5f:8c:bd",
              "interfaceAddress": [{"primaryIp": {"maskLen": 24, "address": "10.0.0.1"}, "secondaryIps": {},
                                    "secondaryIpsOrderedList": [], "broadcastAddress": "255.255.255.255",
                                    "virtualIp": {"maskLen": 0, "address": "0.0.0.0"}, "dhcp": False}],
              "interfaceAddressIp6": {"addrSource": "manual",
                                      "globalUnicastIp6s": [{"subnet": "2001:db8:7b21::/64", "dadfailed": False,
                                                             "active": True, "address": "2001:db8:7b21::1"}],
                                      "linkLocalIp6": {"subnet": "fe80::/64", "dadfailed": False, "active": True,
                                                       "address": "fe80::efe:87ff:fe5f:8cbd"}}}
    member = {"name": "Ethernet3", "interfaceStatus": "connected", "lineProtocolStatus": "up", "hardware": "ethernet",
              "forwardingModel": "dataLink", "mtu": 9214, "bandwidth": 10_000_000_000, "duplex": "duplexFull",
              "description": "", "physicalAddress": "0c:fe:87:ed:59:03", "interfaceAddress": [],
              "interfaceMembership": "Member of Port-Channel1", "autoNegotiate": "unknown",
              "interfaceCounters": {"inOctets": 0, "linkStatusChanges": 2}}
    down = {"name": "Ethernet4", "interfaceStatus": "disabled", "lineProtocolStatus": "down", "hardware": "ethernet",
            "forwardingModel": "bridged", "mtu": 9214, "bandwidth": 1_000_000_000, "duplex": "duplexFull",
            "description": "spare", "physicalAddress": "0c:fe:87:ed:59:04", "interfaceAddress": []}
    return {"interfaces": {"Vlan71": routed, "Ethernet3": member, "Ethernet4": down}}


def test_show_interfaces() -> None:
    got = _parse("show interfaces", _interfaces(), frozenset({DataType.INTERFACES}))
    assert got.coverage is Coverage.COMPLETE
    by_name = {i.name: i for i in got.records.interfaces}
    assert by_name["Vlan71"] == Interface("Vlan71", True, True, "[an]", ("10.0.0.1/24",), "0c:fe:87:5f:8c:bd", 1500,
                                          ipv6=("fe80::efe:87ff:fe5f:8cbd/64", "2001:db8:7b21::1/64"))
    assert by_name["Ethernet3"] == Interface("Ethernet3", True, True, "", (), "0c:fe:87:ed:59:03", 9214,
                                             channel="Port-Channel1", speed_mbps=10_000, duplex="full")
    assert (by_name["Ethernet4"].admin_up, by_name["Ethernet4"].oper_up, by_name["Ethernet4"].speed_mbps) == (
        False, False, 1000)


def test_show_lldp_neighbors_detail() -> None:
    doc = {"lldpNeighbors": {
        "Ethernet23/1": {"lldpNeighborInfo": []},
        "Ethernet27/1": {"lldpNeighborInfo": [{
            "systemCapabilities": {"bridge": True, "router": True}, "lastChangeTime": 1582799101.97,
            "neighborInterfaceInfo": {"interfaceIdType": "interfaceName", "interfaceId": '"et-0/0/20"',
                                      "interfaceDescription": "et-0/0/20", "maxFrameSize": 9192,
                                      "unknownTlvs": [], "vlanNames": {}},
            "neighborDiscoveryTime": 1582799101.97, "lastContactTime": 1586942203.15, "chassisId": "fc66.1003.5413",
            "systemName": "some-switch.example.net", "systemDescription": "Juniper Networks, Inc. qfx5100",
            "ttl": 120, "chassisIdType": "macAddress",
            "managementAddresses": [{"oidString": "", "interfaceNumType": "ifIndex", "interfaceNum": 17,
                                     "address": "fe80::1", "addressType": "ipv6"},
                                    {"oidString": "", "interfaceNumType": "ifIndex", "interfaceNum": 17,
                                     "address": "10.0.0.2", "addressType": "ipv4"}]}]},
        "Ethernet8": {"lldpNeighborInfo": [{  # a server: port id a MAC, no system name
            "neighborInterfaceInfo": {"interfaceIdType": "macAddress", "interfaceId": "000f.532e.ced1"},
            "chassisId": "2c60.0cad.30de", "systemDescription": "Linux 3.18", "ttl": 120, "managementAddresses": []}]},
    }}
    got = _parse("show lldp neighbors detail", doc, frozenset({DataType.LLDP}))
    assert got.coverage is Coverage.COMPLETE
    assert got.records.neighbors == [
        Neighbor("lldp", "Ethernet27/1", "some-switch", "et-0/0/20", "some-switch.example.net", "10.0.0.2",
                 "Juniper Networks, Inc. qfx5100"),
        Neighbor("lldp", "Ethernet8", "2c:60:0c:ad:30:de", "000f.532e.ced1", "2c60.0cad.30de", "", "Linux 3.18"),
    ]


def test_show_ip_route_vrf_all() -> None:
    doc = {"vrfs": {
        "default": {"routingDisabled": False, "allRoutesProgrammedHardware": True, "defaultRouteState": "notSet",
                    "routes": {
                        "10.10.40.0/24": {"kernelProgrammed": True, "directlyConnected": False, "preference": 200,
                                          "routeAction": "forward", "metric": 0, "routeType": "iBGP",
                                          "vias": [{"interface": "Ethernet1", "nexthopAddr": "10.10.30.1"},
                                                   {"interface": "Ethernet2", "nexthopAddr": "10.10.31.1"}]},
                        "10.10.30.0/24": {"kernelProgrammed": True, "directlyConnected": True, "routeType": "connected",
                                          "vias": [{"interface": "Ethernet2"}]},
                        "172.17.211.0/24": {"directlyConnected": False, "preference": 1, "metric": 0,
                                            "routeType": "static",
                                            "vias": [{"interface": "Ethernet3", "nexthopAddr": "10.10.30.2"}]},
                        "10.2.0.0/16": {"preference": 110, "metric": 20, "routeType": "ospfExternalType2",
                                        "vias": [{"interface": "Ethernet1", "nexthopAddr": "10.10.30.1"}]}}},
        "cust10": {"routes": {"1.1.4.10/32": {"directlyConnected": True, "routeType": "connected",
                                              "vias": [{"interface": "Loopback10"}]}}},
    }}
    got = _parse("show ip route vrf all", doc, ROUTES)
    assert got.coverage is Coverage.COMPLETE
    assert set(got.records.routes) == {
        Route("default", "10.10.40.0/24", "bgp",
              (NextHop("10.10.30.1", "Ethernet1"), NextHop("10.10.31.1", "Ethernet2")), 200, 0, "internal"),
        Route("default", "172.17.211.0/24", "static", (NextHop("10.10.30.2", "Ethernet3"),), 1, 0),
        Route("default", "10.2.0.0/16", "ospf", (NextHop("10.10.30.1", "Ethernet1"),), 110, 20, "ext2"),
        Route("default", "10.10.30.0/24", "connected", (NextHop("", "Ethernet2"),)),
        Route("cust10", "1.1.4.10/32", "connected", (NextHop("", "Loopback10"),)),
    }


def test_show_ip_ospf_neighbor_vrf_all() -> None:
    entry = {"routerId": "10.1.255.2", "priority": 1, "drState": "DR", "interfaceName": "Ethernet2",
             "adjacencyState": "full", "inactivity": 1683298014.844345, "interfaceAddress": "10.1.0.1"}
    doc = {"vrfs": {"default": {"instList": {"666": {"ospfNeighborEntries": [entry]}}},
                    "BLUE": {"instList": {"777": {"ospfNeighborEntries": [{**entry, "routerId": "10.9.9.9",
                                                                            "interfaceName": "Vlan10"}]}}}}}
    got = _parse("show ip ospf neighbor vrf all", doc, frozenset({DataType.ROUTING_NEIGHBORS}))
    assert got.records.ospf_neighbors == [OspfNeighbor("10.1.255.2", "10.1.0.1", "Ethernet2", "FULL", "default"),
                                          OspfNeighbor("10.9.9.9", "10.1.0.1", "Vlan10", "FULL", "BLUE")]
    off = _parse("show ip ospf neighbor vrf all", {"vrfs": {}}, frozenset({DataType.ROUTING_NEIGHBORS}))
    assert off.coverage is Coverage.COMPLETE and off.records.ospf_neighbors == []


def test_show_ip_bgp_summary_vrf_all() -> None:
    doc = {"vrfs": {"default": {"vrf": "default", "routerId": "192.168.0.0", "asn": "65001", "peers": {
        "10.0.0.1": {"version": 4, "msgReceived": 5, "msgSent": 4, "inMsgQueue": 0, "outMsgQueue": 0, "asn": "65002",
                     "prefixAccepted": 3, "prefixReceived": 3, "upDownTime": 1721080527.05, "underMaintenance": False,
                     "peerState": "Established"},
        "10.0.0.3": {"version": 4, "msgReceived": 6, "msgSent": 6, "asn": "65000.1000", "prefixAccepted": 0,
                     "prefixReceived": 0, "upDownTime": 1721080524.89, "peerState": "Active"}}}}}
    got = _parse("show ip bgp summary vrf all", doc, frozenset({DataType.ROUTING_NEIGHBORS}))
    assert got.records.bgp_sessions == [BgpSession("10.0.0.1", 65002, "Established", 3, "default"),
                                        BgpSession("10.0.0.3", 4259841000, "Active", None, "default")]


def test_bgp_inactive_is_feature_off() -> None:
    got = _parse("show ip bgp summary vrf all", {"errors": ["BGP inactive"]}, frozenset({DataType.ROUTING_NEIGHBORS}))
    assert (got.coverage, got.note) == (Coverage.FEATURE_OFF, "BGP inactive")


def test_another_error_is_a_parse_error_quoting_it() -> None:
    with pytest.raises(ParseError, match=r"answered with errors: \[.VRF 'BLUE' is not active.\]"):
        _parse("show ip bgp summary vrf all", {"errors": ["VRF 'BLUE' is not active"]},
               frozenset({DataType.ROUTING_NEIGHBORS}))


def test_show_mac_address_table() -> None:
    doc = {"multicastTable": {"tableEntries": []}, "unicastTable": {"tableEntries": [
        {"macAddress": "00:0f:53:27:0c:21", "lastMove": 1454435814.69, "interface": "Ethernet44", "moves": 1,
         "entryType": "dynamic", "vlanId": 10},
        {"macAddress": "44:4c:a8:10:85:23", "interface": "Router", "entryType": "static", "vlanId": 10},
        {"macAddress": "00:0f:53:2b:cf:e0", "interface": "Port-Channel5", "entryType": "static", "vlanId": 100}]}}
    got = _parse("show mac address-table", doc, frozenset({DataType.MAC}))
    assert got.records.mac_table == [MacEntry("00:0f:53:27:0c:21", 10, "Ethernet44", True),
                                     MacEntry("00:0f:53:2b:cf:e0", 100, "Port-Channel5", False)]


def test_show_ip_arp_vrf_all() -> None:
    doc = {"vrfs": {"default": {"dynamicEntries": 2, "notLearnedEntries": 0, "totalEntries": 2, "staticEntries": 0,
                                "ipV4Neighbors": [
                                    {"hwAddress": "dc38.e111.97cf", "address": "172.17.17.1", "interface": "Ethernet45",
                                     "age": 0},
                                    {"hwAddress": "90e2.ba5c.25fd", "address": "172.17.18.1",
                                     "interface": "Vlan10, Ethernet36", "age": 120}]},
                    "MGMT": {"ipV4Neighbors": []}}}
    got = _parse("show ip arp vrf all", doc, frozenset({DataType.ARP}))
    assert got.records.arp == [ArpEntry("172.17.17.1", "dc:38:e1:11:97:cf", "Ethernet45", "default"),
                               ArpEntry("172.17.18.1", "90:e2:ba:5c:25:fd", "Vlan10", "default")]


# ---- hostile documents ---------------------------------------------------------------------


@pytest.mark.parametrize(("document", "reason"), [
    ("% Invalid input\n", "not a JSON document"),
    ('{"vrfs": {}} {"vrfs": {}}', "not a JSON document: Extra data"),
    ("[1, 2]", "unexpected document: TypeError: the document is a list, not an object"),
    ('{"vrf": {}}', "unexpected document: no 'vrfs'"),
    ('{"vrfs": []}', "'vrfs' is a list, not an object"),
    ('{"vrfs": {"default": {"routes": "none"}}}', "the routes of VRF default is a str"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
])
def test_a_document_of_the_wrong_shape_is_a_precise_parse_error(document: str, reason: str) -> None:
    with pytest.raises(ParseError, match=re.escape(reason)):
        _parse("show ip route vrf all", document, ROUTES)


def _route(**changes: Any) -> dict[str, Any]:
    return {"routeType": "eBGP", "preference": 20, "metric": 0,
            "vias": [{"interface": "Ethernet1", "nexthopAddr": "10.0.0.1"}], **changes}


@pytest.mark.parametrize(("bad", "why"), [
    (_route(vias="10.0.0.1"), "'vias' is a str, not a list"),
    (_route(preference="20"), "'preference' is not a number: '20'"),
    (_route(preference=True), "'preference' is not a number: True"),
    (_route(metric=float("nan")), "'metric' is not a number: nan"),
    (_route(routeType=7), "'routeType' is a int, not a string"),
    ({"preference": 20, "vias": []}, "no 'routeType'"),
    (_route(vias=[]), "a route without a next hop or interface"),
    (_route(vias=[{"interface": "Ethernet1", "nexthopAddr": "10.0.0.999"}]), "not an IP address"),
])
def test_one_bad_route_is_a_named_problem_the_others_kept(bad: dict[str, Any], why: str) -> None:
    doc = {"vrfs": {"default": {"routes": {"10.1.0.0/24": _route(), "10.2.0.0/24": bad}}}}
    got = _parse("show ip route vrf all", doc, ROUTES)
    assert got.coverage is Coverage.PARTIAL
    assert [r.prefix for r in got.records.routes] == ["10.1.0.0/24"]
    assert len(got.unparsed) == 1 and "10.2.0.0" in got.unparsed[0] and why in got.unparsed[0], got.unparsed


def test_names_with_control_characters_are_kept_and_reported_names_beyond_reason_dropped() -> None:
    """As in text: a name with control characters is kept (escaped where shown) and reported; a value
    over ``MAX_TEXT`` is no name: its entry is dropped, named, and never quoted whole."""
    interfaces = _interfaces()["interfaces"]
    doc = {"interfaces": {"Ethernet1\x1b[2J": interfaces["Ethernet4"], "E" * 10_000: interfaces["Ethernet4"],
                          "Ethernet4": interfaces["Ethernet4"]}}
    got = _parse("show interfaces", doc, frozenset({DataType.INTERFACES}))
    assert [i.name for i in got.records.interfaces] == ["Ethernet1\x1b[2J", "Ethernet4"]
    assert got.coverage is Coverage.PARTIAL and len(got.unparsed) == 2
    assert "interface is 10000 characters long (at most 4096) (entry dropped)" in got.unparsed[0]
    assert "Ethernet1\\x1b[2J" in got.unparsed[1] and "control characters in 'interface' (kept)" in got.unparsed[1]
    assert all(len(line) <= 300 and "\x1b" not in line for line in got.unparsed)  # short, and shown safely


def test_every_entry_bad_is_a_parse_error_not_an_empty_table() -> None:
    doc = {"unicastTable": {"tableEntries": [{"macAddress": 5, "vlanId": 1, "interface": "Ethernet1",
                                              "entryType": "dynamic"}]}}
    with pytest.raises(ParseError, match="no entry could be read"):
        _parse("show mac address-table", doc, frozenset({DataType.MAC}))


def test_a_huge_free_text_field_costs_its_entry_named_and_no_crash() -> None:
    doc = _interfaces()
    doc["interfaces"]["Ethernet4"]["description"] = "x" * 1_000_000
    got = _parse("show interfaces", doc, frozenset({DataType.INTERFACES}))
    assert got.coverage is Coverage.PARTIAL and len(got.records.interfaces) == 2
    assert len(got.unparsed) == 1 and "'description' is 1000000 characters long" in got.unparsed[0]


def test_the_text_feature_off_line_in_place_of_a_document_is_feature_off() -> None:
    """The lab's gate (and an image that ignores the pipe) may print the text form's line."""
    got = _parse("show lldp neighbors detail", "% LLDP is not enabled\n", frozenset({DataType.LLDP}))
    assert got.coverage is Coverage.FEATURE_OFF
