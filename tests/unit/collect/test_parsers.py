"""parse_output's contract: template fields, failures that must not become empty lists, filtering."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from netatlas.collect.parsers import NORMALISERS, normaliser, parse_output
from netatlas.collect.parsers.parse import required_fields_missing
from netatlas.collect.parsers.templates import template, template_file
from netatlas.domain.errors import ParseError
from netatlas.domain.records import ROUTE_TYPES, DataType, DeviceRecords, Facts, Neighbor
from tests.support.parser_fixtures import FIXTURES

ALL = frozenset(DataType)
ROW_IDS = [f"{n.platform}/{n.command}" for n in NORMALISERS]


def _fixture(platform: str, folder: str, case: str) -> str:
    return (FIXTURES / platform / folder / f"{case}.raw").read_text()


@pytest.mark.parametrize("row", NORMALISERS, ids=ROW_IDS)
def test_template_still_produces_every_field_the_row_reads(row: object) -> None:
    from netatlas.collect.parsers.table import Normaliser

    assert isinstance(row, Normaliser)
    header = set(template(row.platform, row.example()).header)
    assert row.requires, f"{row.platform} {row.command}: declares no fields"
    assert row.requires <= header, f"{row.platform} {row.command}: template lost {sorted(row.requires - header)}"


def test_required_fields_report_is_empty() -> None:
    assert required_fields_missing() == []


def _junk(seed: int) -> str:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "    "
    return "".join("".join(rng.choice(alphabet) for _ in range(rng.randint(20, 70))) + "\n" for _ in range(12))


@pytest.mark.parametrize("row", NORMALISERS, ids=ROW_IDS)
def test_garbled_output_raises_instead_of_returning_nothing(row: object) -> None:
    from netatlas.collect.parsers.table import Normaliser

    assert isinstance(row, Normaliser)
    command = row.example()
    with pytest.raises(ParseError, match=row.platform):
        parse_output(row.platform, command, _junk(len(command)), ALL)


@pytest.mark.parametrize(
    ("platform", "command", "text"),
    [
        ("cisco_ios", "show cdp neighbors detail", ""),
        ("cisco_ios", "show cdp neighbors detail", "\nTotal cdp entries displayed : 0\n"),
        ("juniper_junos", "show bgp summary", "BGP is not running\n"),
        ("juniper_junos", "show route protocol bgp", "\n"),
    ],
)
def test_empty_but_valid_outputs_give_empty_records(platform: str, command: str, text: str) -> None:
    assert parse_output(platform, command, text, ALL) == DeviceRecords()


def test_empty_tables_from_the_lab_give_empty_records() -> None:
    """A router's NX-OS MAC table is headers only: that is an empty table, not a failure."""
    text = _fixture("cisco_nxos", "show_mac_address-table", "lab_rtr10")
    assert "Legend" in text
    assert parse_output("cisco_nxos", "show mac address-table", text, ALL).mac_table == []


def test_junos_bgp_peer_not_established_is_kept() -> None:
    """ntc-templates drops JunOS peers that are not established; netatlas's template keeps them."""
    text = "\n".join(
        [
            "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
            "State|#Active/Received/Accepted/Damped...",
            "10.255.0.9            65001        100        100       0       1       10:12 Active",
            "",
        ]
    )
    sessions = parse_output("juniper_junos", "show bgp summary", text, ALL).bgp_sessions
    assert [(s.peer, s.state, s.prefixes_received) for s in sessions] == [("10.255.0.9", "Active", None)]


def test_a_bad_address_names_the_field() -> None:
    text = _fixture("cisco_ios", "show_ip_arp", "lab_rtr1").replace("10.129.0.5 ", "10.129.0.500", 1)
    with pytest.raises(ParseError, match=r"cisco_ios 'show ip arp'.*ip_address"):
        parse_output("cisco_ios", "show ip arp", text, ALL)


def test_unknown_command_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no normaliser"):
        parse_output("cisco_ios", "show clock", "*10:00:00.000 UTC Mon Jan 1 2024\n", ALL)


def test_per_interface_command_maps_to_its_template_whatever_the_interface() -> None:
    for name in ("ge-0/0/0", "xe-1/2/3", "ae12"):
        command = f"show lldp neighbors interface {name}"
        assert normaliser("juniper_junos", command).command.endswith("{interface}")
        assert template_file("juniper_junos", command).name == "juniper_junos_show_lldp_neighbors_interface.textfsm"


def test_route_command_keeps_only_the_protocols_asked_for_and_the_attached_routes() -> None:
    """Connected and local routes come with any route type: they put each interface in its VRF."""
    text = _fixture("cisco_ios", "show_ip_route_vrf_star", "lab_rtr1")
    every = parse_output("cisco_ios", "show ip route vrf *", text, frozenset(ROUTE_TYPES))
    assert {r.protocol for r in every.routes} == {"static", "ospf", "bgp", "connected", "local"}
    only_ospf = parse_output("cisco_ios", "show ip route vrf *", text, frozenset({DataType.OSPF_ROUTES}))
    assert only_ospf.routes and {r.protocol for r in only_ospf.routes} == {"ospf", "connected", "local"}
    assert only_ospf.routes == [r for r in every.routes if r.protocol in ("ospf", "connected", "local")]


def test_ecmp_next_hops_make_one_route() -> None:
    text = _fixture("cisco_nxos", "show_ip_route_vrf_all", "lab_rtr10")
    routes = parse_output("cisco_nxos", "show ip route vrf all", text, frozenset(ROUTE_TYPES)).routes
    keys = [(r.vrf, r.prefix, r.protocol) for r in routes]
    assert len(keys) == len(set(keys))
    assert any(len(r.next_hops) > 1 for r in routes)


def test_eos_facts_combine_version_and_hostname() -> None:
    version = parse_output("arista_eos", "show version", _fixture("arista_eos", "show_version", "lab_leaf10"), ALL)
    host = parse_output("arista_eos", "show hostname", _fixture("arista_eos", "show_hostname", "lab_leaf10"), ALL)
    assert version.facts is not None and version.facts.hostname == "" and version.facts.model
    model = version.facts.model
    version.merge(host)
    merged = version.facts
    assert merged is not None and merged.hostname == "leaf10" and merged.model == model


def test_merge_replaces_a_summary_neighbor_with_its_detail() -> None:
    summary = DeviceRecords(neighbors=[Neighbor("lldp", "ge-0/0/0", "sw1", "Ethernet1"),
                                       Neighbor("lldp", "ge-0/0/1", "sw2", "Ethernet1")])
    detail = DeviceRecords(facts=Facts("r1"), neighbors=[Neighbor("lldp", "ge-0/0/0", "sw1", "Ethernet1",
                                                                  mgmt_ip="10.0.0.1")])
    summary.merge(detail)
    assert [(n.local_interface, n.mgmt_ip) for n in summary.neighbors] == [("ge-0/0/1", ""), ("ge-0/0/0", "10.0.0.1")]
    assert summary.facts == Facts("r1")


def test_facts_not_asked_for_are_left_out() -> None:
    text = _fixture("cisco_ios", "show_version", "lab_rtr1")
    assert parse_output("cisco_ios", "show version", text, frozenset()).facts is None
    facts = parse_output("cisco_ios", "show version", text, ALL).facts
    assert facts is not None and facts.hostname == "rtr1" and facts.uptime.isdigit()


def test_own_templates_directory_exists() -> None:
    path = template_file("juniper_junos", "show route")
    assert isinstance(path, Path) and path.exists()
