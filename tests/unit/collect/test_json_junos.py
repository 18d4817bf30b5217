"""JunOS ``| display json`` readers: documents shaped like public samples of real output, and hostile ones.

The documents are written here in the shapes real devices print (every leaf a list of
``{"data": ...}``, attributes beside it, empty elements ``[null]``), after these public samples
(read, not copied): Batfish lab_validation's ``show route | display json`` and ``show route protocol
bgp | display json`` tests (MX 17.4: ``"attributes" : {"xmlns" : ...}``, ``"comment" : "keepalive"``,
``active-tag``, ``selected-next-hop`` ``[null]``, ``nh-local-interface``, ``nh-type`` Discard/MultiRecv,
``age`` with ``junos:seconds``); the ``show bgp summary | display xml`` replies quoted in JSNAPy and
Ansible write-ups (``bgp-peer junos:style="terse"``, ``peer-state junos:format="Establ"``, a
``bgp-rib`` per table); NAPALM's junos views (``arp-table-entry``, ``lldp-neighbor-information``
element names, ``ospf-neighbor``); Juniper's ELS ``l2ng-l2ald-rtb-macdb`` reply.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from netatlas.collect.parsers import parse_command, parse_output
from netatlas.collect.parsers.json_junos import text
from netatlas.collect.parsers.structured import MAX_TEXT
from netatlas.domain.errors import ParseError
from netatlas.domain.records import ROUTE_TYPES, BgpSession, Coverage, DataType, NextHop, OspfNeighbor

JUNOS = "juniper_junos"
ALL = frozenset(DataType)


def d(value: object, **attributes: str) -> list[dict[str, Any]]:
    leaf: dict[str, Any] = {"data": value}
    if attributes:
        leaf["attributes"] = {f"junos:{k}": v for k, v in attributes.items()}
    return [leaf]


NULL = [{"data": [None]}]


def _doc(name: str, element: dict[str, Any]) -> str:
    return json.dumps({name: [element]}, indent=4) + "\n"


# ---- show route --------------------------------------------------------------------------------


def _route_doc() -> str:
    """After Batfish's MX 17.4 sample: inet.0 with a BGP and a Direct+BGP destination, a Local one, a VRF
    with a Discard static, and inet6.0's MultiRecv entry (skipped: not forwarding)."""
    return _doc("route-information", {
        "attributes": {"xmlns": "http://xml.juniper.net/junos/17.4R1/junos-routing"},
        "route-table": [
            {"comment": "keepalive", "table-name": d("inet.0"), "destination-count": d("3"),
             "total-route-count": d("4"), "active-route-count": d("3"), "rt": [
                 {"attributes": {"junos:style": "brief"}, "rt-destination": d("10.10.10.0/24"), "rt-entry": [
                     {"active-tag": d("*"), "current-active": NULL, "last-active": NULL, "protocol-name": d("BGP"),
                      "preference": d("170"), "age": d("2d 02:38:51", seconds="182331"), "med": d("0"),
                      "local-preference": d("100"), "as-path": d("1 65010 I"), "validation-state": d("unverified"),
                      "nh": [{"selected-next-hop": NULL, "to": d("10.10.50.1"), "via": d("xe-0/0/0.0")}]}]},
                 {"attributes": {"junos:style": "brief"}, "rt-destination": d("10.10.50.0/24"), "rt-entry": [
                     {"active-tag": d("*"), "protocol-name": d("Direct"), "preference": d("0"),
                      "nh": [{"selected-next-hop": NULL, "via": d("xe-0/0/0.0")}]},
                     {"protocol-name": d("BGP"), "preference": d("170"), "local-preference": d("100"),
                      "as-path": d("1 I"), "nh": [{"selected-next-hop": NULL, "to": d("10.10.50.1"),
                                                   "via": d("xe-0/0/0.0")}]}]},
                 {"attributes": {"junos:style": "brief"}, "rt-destination": d("10.10.50.2/32"), "rt-entry": [
                     {"active-tag": d("*"), "protocol-name": d("Local"), "preference": d("0"), "nh-type": d("Local"),
                      "nh": [{"nh-local-interface": d("xe-0/0/0.0")}]}]}]},
            {"comment": "keepalive", "table-name": d("DATA.inet.0"), "rt": [
                {"attributes": {"junos:style": "brief"}, "rt-destination": d("10.100.0.0/16"), "rt-entry": [
                    {"active-tag": d("*"), "protocol-name": d("Static"), "preference": d("5"),
                     "age": d("06:14:46", seconds="22486"), "nh-type": d("Discard")}]}]},
            {"table-name": d("inet6.0"), "rt": [
                {"attributes": {"junos:style": "brief"}, "rt-destination": d("ff02::2/128"), "rt-entry": [
                    {"active-tag": d("*"), "protocol-name": d("INET6"), "preference": d("0"),
                     "nh-type": d("MultiRecv")}]}]},
        ]})


def test_show_route_reads_every_active_entry_of_every_unicast_table() -> None:
    records = parse_output(JUNOS, "show route | display json", _route_doc(), ROUTE_TYPES | {DataType.INTERFACES})
    by_key = {(r.vrf, r.prefix, r.protocol): r for r in records.routes}
    bgp = by_key["default", "10.10.10.0/24", "bgp"]
    assert (bgp.distance, bgp.metric, bgp.as_path) == (170, 0, "1 65010")
    assert bgp.next_hops == (NextHop("10.10.50.1", "xe-0/0/0"),)
    assert by_key["default", "10.10.50.0/24", "connected"].next_hops == (NextHop("", "xe-0/0/0"),)
    assert ("default", "10.10.50.0/24", "bgp") not in by_key  # inactive: not a route of the table
    assert by_key["default", "10.10.50.2/32", "local"].next_hops == (NextHop("", "xe-0/0/0"),)
    assert by_key["DATA", "10.100.0.0/16", "static"].distance == 5
    assert len(records.routes) == 4  # inet6.0's MultiRecv entry is not a forwarding route


def test_a_route_entry_without_its_protocol_is_a_named_problem_not_a_silent_drop() -> None:
    doc = json.loads(_route_doc())
    del doc["route-information"][0]["route-table"][0]["rt"][0]["rt-entry"][0]["protocol-name"]
    outcome = parse_command(JUNOS, "show route | display json", json.dumps(doc), ROUTE_TYPES)
    assert outcome.coverage is Coverage.PARTIAL
    assert any("inet.0 destination 1 (10.10.10.0/24): no 'protocol-name'" in p for p in outcome.unparsed)
    assert len(outcome.records.routes) == 3


def test_a_separate_prefix_length_is_joined() -> None:
    doc = _doc("route-information", {"route-table": [{"table-name": d("inet.0"), "rt": [
        {"rt-destination": d("1.1.1.0"), "rt-prefix-length": d("24"), "rt-entry": [
            {"active-tag": d("*"), "protocol-name": d("BGP"), "preference": d("170"), "as-path": d("AS path: 7018 I"),
             "nh": [{"selected-next-hop": NULL, "to": d("12.122.83.238"), "via": d("ge-0/0/1.0")}]}]}]}]})
    (route,) = parse_output(JUNOS, "show route protocol bgp | display json", doc, ROUTE_TYPES).routes
    assert (route.prefix, route.as_path) == ("1.1.1.0/24", "7018")


# ---- show interfaces ---------------------------------------------------------------------------


def _interfaces_doc() -> str:
    """``interface-information`` (style normal): a routed port, an AE member, lo0 without a destination."""
    return _doc("interface-information", {"attributes": {"junos:style": "normal"}, "physical-interface": [
        {"name": d("ge-0/0/0"), "admin-status": d("up", format="Enabled"), "oper-status": d("up"),
         "description": d("to core1"), "link-level-type": d("Ethernet"), "mtu": d("1514"), "speed": d("1000mbps"),
         "logical-interface": [{"name": d("ge-0/0/0.0"), "if-config-flags": [{"iff-up": NULL, "iff-snmp-traps": NULL}],
                                "address-family": [{"address-family-name": d("inet"), "mtu": d("1500"),
                                                    "interface-address": [{"ifa-destination": d("10.0.0.0/31"),
                                                                           "ifa-local": d("10.0.0.1"),
                                                                           "ifa-broadcast": d("10.0.0.1")}]}]}]},
        {"name": d("ge-0/0/3"), "admin-status": d("down", format="Administratively down"), "oper-status": d("down"),
         "mtu": d("1514"), "speed": d("10Gbps"),
         "logical-interface": [{"name": d("ge-0/0/3.0"), "if-config-flags": [{"iff-device-down": NULL}],
                                "address-family": [{"address-family-name": d("aenet"),
                                                    "ae-bundle-name": d("ae0.0")}]}]},
        {"name": d("lo0"), "admin-status": d("up", format="Enabled"), "oper-status": d("up"), "mtu": d("Unlimited"),
         "logical-interface": [{"name": d("lo0.0"), "if-config-flags": [{"iff-up": NULL}],
                                "address-family": [{"address-family-name": d("inet"), "mtu": d("Unlimited"),
                                                    "interface-address": [{"ifa-local": d("10.255.0.1")}]}]}]},
    ]})


def test_show_interfaces_puts_units_addresses_and_bundles_on_their_ports() -> None:
    records = parse_output(JUNOS, "show interfaces | display json", _interfaces_doc(), ALL)
    by_name = {i.name: i for i in records.interfaces}
    ge0 = by_name["ge-0/0/0"]
    assert (ge0.admin_up, ge0.oper_up, ge0.description, ge0.mtu, ge0.speed_mbps, ge0.ipv4) == (
        True, True, "to core1", 1514, 1000, ("10.0.0.1/31",))
    ge3 = by_name["ge-0/0/3"]
    assert (ge3.admin_up, ge3.oper_up, ge3.channel, ge3.speed_mbps) == (False, False, "ae0", 10000)
    assert by_name["lo0"].ipv4 == ("10.255.0.1/32",)


def test_an_admin_status_that_is_neither_up_nor_down_is_a_problem() -> None:
    doc = _interfaces_doc().replace('"data": "down"', '"data": "sideways"', 1)
    outcome = parse_command(JUNOS, "show interfaces | display json", doc, ALL)
    assert outcome.coverage is Coverage.PARTIAL
    assert any("interface 2 (ge-0/0/3)" in p and "sideways" in p for p in outcome.unparsed)
    assert {i.name for i in outcome.records.interfaces} == {"ge-0/0/0", "lo0"}


# ---- OSPF, BGP ---------------------------------------------------------------------------------


def test_show_ospf_neighbor() -> None:
    doc = _doc("ospf-neighbor-information", {"ospf-neighbor": [
        {"neighbor-address": d("10.0.0.2"), "interface-name": d("ge-0/0/0.0"), "ospf-neighbor-state": d("Full"),
         "neighbor-id": d("10.255.0.2"), "neighbor-priority": d("128"), "activity-timer": d("35")}]})
    records = parse_output(JUNOS, "show ospf neighbor | display json", doc, ALL)
    assert records.ospf_neighbors == [OspfNeighbor("10.255.0.2", "10.0.0.2", "ge-0/0/0", "FULL", "default")]


def _bgp_doc() -> str:
    """After the ``show bgp summary | display xml`` replies quoted in JSNAPy/Ansible write-ups."""
    return _doc("bgp-information", {
        "attributes": {"xmlns": "http://xml.juniper.net/junos/15.1X53/junos-routing"},
        "group-count": d("2"), "peer-count": d("2"), "down-peer-count": d("1"),
        "bgp-rib": [{"name": d("inet.0"), "total-prefix-count": d("36"), "received-prefix-count": d("36")}],
        "bgp-peer": [
            {"attributes": {"junos:style": "terse"}, "peer-address": d("10.242.80.54"), "peer-as": d("64575"),
             "input-messages": d("312310"), "output-messages": d("1260015"), "route-queue-count": d("0"),
             "flap-count": d("2"), "elapsed-time": d("8w0d 12:21:04", seconds="4882864"),
             "peer-state": d("Established", format="Establ"),
             "bgp-rib": [{"attributes": {"junos:style": "terse"}, "name": d("Homes-vrf.inet.0"),
                          "active-prefix-count": d("34"), "received-prefix-count": d("36"),
                          "accepted-prefix-count": d("36"), "suppressed-prefix-count": d("0")}]},
            {"attributes": {"junos:style": "terse"}, "peer-address": d("10.0.0.236"), "peer-as": d("64000.1000"),
             "input-messages": d("0"), "output-messages": d("0"), "route-queue-count": d("0"), "flap-count": d("1"),
             "elapsed-time": d("44w1d 9:11:17", seconds="26730677"), "peer-state": d("Connect")}]})


def test_show_bgp_summary_reads_peers_in_every_state_with_their_vrf() -> None:
    records = parse_output(JUNOS, "show bgp summary | display json", _bgp_doc(), ALL)
    assert records.bgp_sessions == [BgpSession("10.242.80.54", 64575, "Established", 36, "Homes-vrf"),
                                    BgpSession("10.0.0.236", 4194305000, "Connect", None, "")]


def test_a_peer_count_that_disagrees_with_the_peers_listed_is_partial() -> None:
    doc = _bgp_doc().replace('"peer-count": [\n                {\n                    "data": "2"',
                             '"peer-count": [\n                {\n                    "data": "3"')
    outcome = parse_command(JUNOS, "show bgp summary | display json", doc, ALL)
    assert outcome.coverage is Coverage.PARTIAL and "counts 3 peers but lists 2" in outcome.unparsed[0]


def test_bgp_not_running_is_feature_off() -> None:
    outcome = parse_command(JUNOS, "show bgp summary | display json", "BGP is not running\n", ALL)
    assert outcome.coverage is Coverage.FEATURE_OFF


# ---- MAC, ARP, LLDP ----------------------------------------------------------------------------


def test_show_ethernet_switching_table_els() -> None:
    doc = _doc("l2ng-l2ald-rtb-macdb", {"l2ng-l2ald-mac-entry-vlan": [
        {"attributes": {"junos:style": "brief-rtb"}, "mac-count-global": d("2"), "learnt-mac-count": d("1"),
         "l2ng-l2-mac-routing-instance": d("default-switch"), "l2ng-l2-vlan-id": d("0"), "l2ng-mac-entry": [
             {"l2ng-l2-mac-vlan-name": d("Vlan10"), "l2ng-l2-mac-address": d("00:50:56:aa:00:01"),
              "l2ng-l2-mac-flags": d("D"), "l2ng-l2-mac-age": d("-"), "l2ng-l2-mac-logical-interface": d("ge-0/0/2.0")},
             {"l2ng-l2-mac-vlan-name": d("users"), "l2ng-l2-mac-address": d("00:50:56:aa:00:02"),
              "l2ng-l2-mac-flags": d("S"), "l2ng-l2-mac-age": d("-"), "l2ng-l2-mac-logical-interface": d("ae0.0")}]}]})
    records = parse_output(JUNOS, "show ethernet-switching table | display json", doc, ALL)
    assert [(m.vlan, m.mac, m.interface, m.dynamic) for m in records.mac_table] == [
        (10, "00:50:56:aa:00:01", "ge-0/0/2", True), (0, "00:50:56:aa:00:02", "ae0", False)]


def test_show_arp_no_resolve_and_its_count() -> None:
    entry = {"mac-address": d("00:50:56:aa:00:01"), "ip-address": d("10.10.10.20"), "interface-name": d("irb.10"),
             "arp-table-entry-flags": [{"none": NULL}]}
    doc = _doc("arp-table-information", {"attributes": {"junos:style": "normal"}, "arp-table-entry": [entry],
                                         "arp-entry-count": d("1")})
    (arp,) = parse_output(JUNOS, "show arp no-resolve | display json", doc, ALL).arp
    assert (arp.ip, arp.mac, arp.interface) == ("10.10.10.20", "00:50:56:aa:00:01", "irb.10")
    short = doc.replace('"data": "1"', '"data": "2"')
    assert parse_command(JUNOS, "show arp no-resolve | display json", short, ALL).coverage is Coverage.PARTIAL


def test_lldp_summary_and_detail() -> None:
    remote = {"lldp-remote-chassis-id-subtype": d("Mac address"), "lldp-remote-chassis-id": d("2c:6b:f5:a1:c2:c0"),
              "lldp-remote-port-id-subtype": d("Interface name"), "lldp-remote-port-id": d("ge-0/0/1"),
              "lldp-remote-system-name": d("core1")}
    summary = _doc("lldp-neighbors-information", {"attributes": {"junos:style": "brief"}, "lldp-neighbor-information": [
        {"lldp-local-port-id": d("ge-0/0/0"), "lldp-local-parent-interface-name": d("-"), **remote}]})
    (nbr,) = parse_output(JUNOS, "show lldp neighbors | display json", summary, ALL).neighbors
    assert (nbr.local_interface, nbr.remote_name, nbr.remote_interface) == ("ge-0/0/0", "core1", "ge-0/0/1")
    detail = _doc("lldp-neighbors-information", {"attributes": {"junos:style": "detail"}, "lldp-neighbor-information": [
        {"lldp-local-interface": d("ge-0/0/0"), "lldp-local-port-id": d("513"), **remote,
         "lldp-system-description": [{"lldp-remote-system-description": d("Juniper Networks, Inc. mx480")}],
         "lldp-remote-system-capabilities-enabled": d("Bridge Router"),
         "lldp-remote-management-address": d("127.0.1.2")}]})
    (full,) = parse_output(JUNOS, "show lldp neighbors interface ge-0/0/0 | display json", detail, ALL).neighbors
    assert (full.local_interface, full.mgmt_ip, full.remote_platform) == (
        "ge-0/0/0", "127.0.1.2", "Juniper Networks, Inc. mx480")


# ---- hostile documents -------------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "why"), [
    ("", "empty"),
    ("{not json", "not a JSON document"),
    ("[]", "the document is a list, not an object"),
    ('{"bgp-information": []}', "no 'route-information'"),
    ('{"route-information": {"route-table": []}}', "not a list holding one object"),
    ('{"route-information": [{"route-table": {"table-name": "x"}}]}', "'route-table' is not a list of objects"),
    ('{"route-information": [{"route-table": [{"rt": []}]}]}', "no 'table-name'"),
])
def test_a_document_of_the_wrong_shape_is_a_precise_parse_error(doc: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        parse_command(JUNOS, "show route | display json", doc, ROUTE_TYPES)


@pytest.mark.parametrize(("leaf", "why"), [
    ({"data": 17}, None),
    ({"data": True}, "'x' is a bool, not text"),
    ({"data": {"a": 1}}, "'x' is a dict, not text"),
    ({"data": "ge-0/0/0\x1b[2J"}, None),  # kept as the text template keeps it: structured.checked reports it
    ({"data": "a\nb"}, None),
    ({"data": "x" * (MAX_TEXT + 1)}, f"'x' is {MAX_TEXT + 1} characters long"),
])
def test_a_leaf_that_is_not_text_is_refused_text_is_kept_as_given(leaf: dict[str, Any], why: str | None) -> None:
    if why is None:
        assert text({"x": [leaf]}, "x") == str(leaf["data"]).strip()
        return
    with pytest.raises((TypeError, ValueError), match=why):
        text({"x": [leaf]}, "x")


def test_a_hostile_entry_costs_that_entry_and_says_which() -> None:
    doc = json.loads(_route_doc())
    rts = doc["route-information"][0]["route-table"][0]["rt"]
    rts[2]["rt-entry"][0]["nh"][0]["nh-local-interface"] = [{"data": "xe-0/0/0.0\x00" + "A" * 5000}]
    rts[1]["rt-entry"] = "junk"
    outcome = parse_command(JUNOS, "show route | display json", json.dumps(doc), ROUTE_TYPES)
    assert outcome.coverage is Coverage.PARTIAL
    assert any("destination 2 (10.10.50.0/24): 'rt-entry' is not a list of objects" in p for p in outcome.unparsed)
    assert "inet.0 destination 3 (10.10.50.2/32): 'nh-local-interface' is 5011 characters long (at most 4096)" in (
        outcome.unparsed)
    assert {r.prefix for r in outcome.records.routes} == {"10.10.10.0/24", "10.100.0.0/16"}
