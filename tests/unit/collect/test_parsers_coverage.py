"""parse_command's coverage: feature off, partial reads that keep their good rows, and the strict parse_output."""

from __future__ import annotations

import pytest

from netatlas.collect.parsers import NORMALISERS, parse_command, parse_output
from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.errors import ParseError
from netatlas.domain.names import UNKNOWN_INTERFACE
from netatlas.domain.records import Coverage, DataType, DeviceRecords, ParseOutcome
from netatlas.lab.model import Platform
from netatlas.lab.render.variations import FEATURE_OFF, feature_of

ALL = frozenset(DataType)


def _feature_commands() -> list[tuple[str, str, str]]:
    """(platform, command, the lab's feature-off text) for every command of a feature the lab can turn off."""
    out = []
    for platform, spec in PLATFORMS.items():
        commands = {c for cs in spec.commands.values() for c in cs} | set(spec.fallbacks.values())
        for command in sorted(commands):
            feature = feature_of(command)
            text = FEATURE_OFF[Platform(platform)].get(feature) if feature else None
            if text:
                out.append((platform, command, text))
    return out


FEATURE_CASES = _feature_commands()


@pytest.mark.parametrize(("platform", "command", "text"), FEATURE_CASES,
                         ids=[f"{p}/{c}" for p, c, _ in FEATURE_CASES])
def test_every_feature_off_message_of_the_lab_is_feature_off(platform: str, command: str, text: str) -> None:
    outcome = parse_command(platform, command, text, ALL)
    assert outcome.coverage is Coverage.FEATURE_OFF
    assert outcome.note == text.strip()
    assert outcome.records == DeviceRecords()
    assert parse_output(platform, command, text, ALL) == DeviceRecords()  # the strict form accepts it too


def test_the_lab_turns_off_something_on_every_platform() -> None:
    assert {p for p, _, _ in FEATURE_CASES} == set(PLATFORMS)


@pytest.mark.parametrize(
    ("platform", "command", "text"),
    [
        ("cisco_ios", "show cdp neighbors detail", "% CDP is not enabled\n"),
        ("cisco_nxos", "show cdp neighbors detail", "CDP is not enabled\n"),
        ("cisco_nxos", "show lldp neighbors detail", "\n% LLDP is not enabled\n\n"),
        ("cisco_ios", "show ip bgp summary", "% BGP not active\n\n"),
        ("cisco_nxos", "show ip bgp summary vrf all", "BGP instance not found\n"),
        ("arista_eos", "show ip bgp summary vrf all", "% BGP inactive\n"),
        ("cisco_ios", "show ip ospf neighbor", "% OSPF: No router process is configured\n"),
        ("arista_eos", "show ip ospf neighbor vrf all", "% OSPF instance not running\n"),
    ],
)
def test_real_wordings_are_feature_off(platform: str, command: str, text: str) -> None:
    assert parse_command(platform, command, text, ALL).coverage is Coverage.FEATURE_OFF


def test_a_feature_off_line_among_other_text_is_not_feature_off() -> None:
    """Only an output that is the message (and blank or quiet lines) means off; anything else is read."""
    text = "% CDP is not enabled\nDevice ID: sw1\n"
    outcome = _read("cisco_ios", "show cdp neighbors detail", text)
    assert outcome is None or outcome.coverage is not Coverage.FEATURE_OFF


def test_feature_off_rules_are_data_on_rows() -> None:
    """Every IOS/NX-OS/EOS neighbor and session row knows its platform's off message."""
    kinds = ("cdp", "lldp", "bgp", "ospf")
    rows = [r for r in NORMALISERS if r.platform != "juniper_junos" and "route" not in r.command
            and any(k in r.command for k in kinds)]
    assert rows
    assert all(r.feature_off is not None for r in rows), [r.command for r in rows if r.feature_off is None]


def _read(platform: str, command: str, text: str) -> ParseOutcome | None:
    try:
        return parse_command(platform, command, text, ALL)
    except ParseError:
        return None


EOS_LLDP = """\
Interface Ethernet1 detected 1 LLDP neighbors:

  Neighbor 2cc2.6081.eaf9/"Ethernet1", age 3 seconds
  Discovered 0:01:11 ago; Last changed 0:01:11 ago
  - Chassis ID type: MAC address (4)
    Chassis ID     : 2cc2.6081.eaf9
  - Port ID type: Interface name (5)
    Port ID     : "Ethernet1"
  - Time To Live: 120 seconds
  - Port Description: "leaf1"
  - System Name: "spine2.company.com"
  - System Description: "Arista Networks EOS version 4.15.2F running on an Arista Networks vEOS"
  - System Capabilities : Bridge, Router
    Enabled Capabilities: Bridge, Router
  - Management Address Subtype: Ethernet
    Management Address        : {mgmt}
"""


def test_an_lldp_management_address_that_is_a_mac_is_no_address() -> None:
    outcome = parse_command("arista_eos", "show lldp neighbors detail", EOS_LLDP.format(mgmt="2cc2.6081.eaf9"), ALL)
    assert outcome.coverage is Coverage.COMPLETE
    assert [(n.remote_name, n.mgmt_ip) for n in outcome.records.neighbors] == [("spine2", "")]


def test_an_invalid_management_address_is_emptied_and_reported_not_the_neighbor_lost() -> None:
    outcome = parse_command("arista_eos", "show lldp neighbors detail", EOS_LLDP.format(mgmt="10.0.0.300"), ALL)
    assert outcome.coverage is Coverage.PARTIAL
    assert [(n.remote_name, n.mgmt_ip) for n in outcome.records.neighbors] == [("spine2", "")]
    assert "10.0.0.300" in outcome.unparsed[0] and "emptied" in outcome.unparsed[0]
    with pytest.raises(ParseError, match="partial read"):
        parse_output("arista_eos", "show lldp neighbors detail", EOS_LLDP.format(mgmt="10.0.0.300"), ALL)


IOS_BGP = """\
BGP router identifier 10.0.0.1, local AS number 65000.1
BGP table version is 5, main routing table version 5

Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
10.0.0.2        4   65000.1000      12      12        5    0    0 00:05:01        3
10.0.0.3        4        65010      12      12        5    0    0 00:05:01 Idle
10.0.0.4        4        7.xyz      12      12        5    0    0 00:05:01        1
"""


def test_asdot_peers_and_a_bad_row_that_costs_only_itself() -> None:
    outcome = parse_command("cisco_ios", "show ip bgp summary", IOS_BGP, ALL)
    assert [(s.peer, s.remote_as, s.state) for s in outcome.records.bgp_sessions] == [
        ("10.0.0.2", 4259841000, "Established"), ("10.0.0.3", 65010, "Idle")]
    assert outcome.coverage is Coverage.PARTIAL
    assert any("7.xyz" in line for line in outcome.unparsed)


def test_every_row_invalid_is_a_parse_error() -> None:
    text = IOS_BGP.replace("65000.1000", "x").replace("65010", "y").replace("7.xyz", "z")
    with pytest.raises(ParseError, match=r"nothing parsed|no entry could be read"):
        parse_command("cisco_ios", "show ip bgp summary", text, ALL)


IOS_LLDP_OLD = """\
------------------------------------------------
Chassis id: a000.f00e.300d
Port id: Eth1/6
Port Description: uplink
System Name: core2.example.net

Time remaining: 110 seconds
System Capabilities: B,R
Enabled Capabilities: B,R
Management Addresses:
    IP: 10.1.1.1

------------------------------------------------
Chassis id: 2222.0642.7333
Port id: 2222.0642.7333
Port Description - not advertised
System Name - not advertised

Time remaining: 118 seconds
System Capabilities: B,R
Enabled Capabilities: B,R
Management Addresses - not advertised

Total entries displayed: 2
"""


def test_older_ios_lldp_without_local_intf_and_a_chassis_id_kept_whole() -> None:
    outcome = parse_command("cisco_ios", "show lldp neighbors detail", IOS_LLDP_OLD, ALL)
    assert outcome.coverage is Coverage.COMPLETE, outcome.unparsed
    got = [(n.local_interface, n.remote_name, n.remote_name_raw) for n in outcome.records.neighbors]
    assert got == [(UNKNOWN_INTERFACE, "core2", "core2.example.net"),
                   (UNKNOWN_INTERFACE, "22:22:06:42:73:33", "2222.0642.7333")]


def test_a_count_footer_that_disagrees_is_partial() -> None:
    text = IOS_LLDP_OLD.replace("Total entries displayed: 2", "Total entries displayed: 3")
    outcome = parse_command("cisco_ios", "show lldp neighbors detail", text, ALL)
    assert outcome.coverage is Coverage.PARTIAL and len(outcome.records.neighbors) == 2
    assert outcome.unparsed == ("the footer counts 3 entries but 2 were parsed",)


def test_text_after_the_footer_is_reported() -> None:
    outcome = parse_command("cisco_ios", "show lldp neighbors detail", IOS_LLDP_OLD + "sw9#show clock\n", ALL)
    assert outcome.coverage is Coverage.PARTIAL and outcome.unparsed == ("sw9#show clock",)


def test_a_template_error_line_costs_that_line_not_the_table() -> None:
    """ntc-templates' catch-all ``^. -> Error`` no longer aborts the parse: the line is refused and reported."""
    rows = [r for r in NORMALISERS if r.platform == "cisco_nxos" and r.command == "show ip arp vrf all"]
    assert rows
    text = ("IP ARP Table for all contexts\nTotal number of entries: 2\n"
            "Address         Age       MAC Address     Interface\n"
            "10.0.0.1        00:00:57  3c60.f40e.f9c3  Ethernet1/41\n@@ garbage @@\n"
            "10.0.0.2        00:01:02  3c60.f40e.f9c4  Ethernet1/47\n")
    outcome = parse_command("cisco_nxos", "show ip arp vrf all", text, ALL)
    assert [a.ip for a in outcome.records.arp] == ["10.0.0.1", "10.0.0.2"]
    assert outcome.coverage is Coverage.PARTIAL and outcome.unparsed == ("@@ garbage @@",)


IOS_ARP = """\
Protocol  Address          Age (min)  Hardware Addr   Type   Interface
Internet  10.9.0.1                -   0050.56ab.12cd  ARPA   GigabitEthernet0/1
Internet  10.9.0.2               12   0050.56ab.12ce  ARPA   GigabitEthernet0/1
"""


def test_ios_vrf_arp_takes_its_vrf_from_the_command() -> None:
    outcome = parse_command("cisco_ios", "show ip arp vrf BLUE", IOS_ARP, frozenset({DataType.ARP}))
    assert outcome.coverage is Coverage.COMPLETE
    assert [(a.ip, a.vrf) for a in outcome.records.arp] == [("10.9.0.1", "BLUE"), ("10.9.0.2", "BLUE")]
    assert {a.vrf for a in parse_output("cisco_ios", "show ip arp", IOS_ARP, ALL).arp} == {"default"}


def test_ios_vrf_bgp_sessions_take_their_vrf_from_the_command() -> None:
    text = IOS_BGP.replace("7.xyz", "65011")
    got = parse_output("cisco_ios", "show ip bgp vpnv4 vrf RED summary", text, ALL).bgp_sessions
    assert [(s.peer, s.remote_as, s.vrf) for s in got] == [
        ("10.0.0.2", 4259841000, "RED"), ("10.0.0.3", 65010, "RED"), ("10.0.0.4", 65011, "RED")]


OLD_EOS_BGP = """\
BGP router identifier 10.26.0.22, local AS number 65533
Neighbor         V  AS      MsgRcvd   MsgSent  InQ OutQ  Up/Down State  PfxRcd
10.17.254.78     4  65534       187       191    0    0  123d12h Estab  1
10.17.254.79     4  65535       298       202    0    0  345d21h Active
"""


def test_older_eos_bgp_summary() -> None:
    outcome = parse_command("arista_eos", "show ip bgp summary vrf all", OLD_EOS_BGP, ALL)
    assert outcome.coverage is Coverage.COMPLETE
    assert [(s.peer, s.remote_as, s.state, s.vrf) for s in outcome.records.bgp_sessions] == [
        ("10.17.254.78", 65534, "Established", "default"), ("10.17.254.79", 65535, "Active", "default")]
    cut = OLD_EOS_BGP.replace("  123d12h Estab  1", "")  # a line the template cannot read
    assert parse_command("arista_eos", "show ip bgp summary vrf all", cut, ALL).coverage is Coverage.PARTIAL
