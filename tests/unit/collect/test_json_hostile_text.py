"""Structured readers treat untrusted text as the text path does: the same values give the same records.

The text path keeps a neighbor whose name holds control characters (its template reads the line) and
reports the line (``templates.BINARY``): the read is partial, the entry stored as data and escaped where
shown. The NX-OS, EOS and JunOS JSON readers do the same through ``structured.checked``: the entry is kept,
one problem names it and the fields holding control characters (shown escaped), and the read is partial.
What must be refused still is: a value of the wrong type and a value over ``MAX_TEXT`` (the same in
the three readers): the entry, named.

Two kinds of check: lab devices whose every neighbor advertises the ``markup`` fault's name (escapes,
markup, an RTL override, 300 characters), rendered in both forms and parsed, must give equal records and
equal coverage; and small documents per reader with one hostile value each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from ipaddress import IPv4Network
from typing import Any

import pytest

from netatlas.collect.parsers import json_eos, json_junos, json_nxos, parse_command
from netatlas.collect.parsers.structured import MAX_TEXT, Reading, checked, read
from netatlas.collect.parsers.templates import BINARY
from netatlas.domain.records import Coverage, DataType, DeviceRecords, ParseOutcome
from netatlas.domain.text import is_clean
from netatlas.lab.hostile import apply_markup, hostile_name
from netatlas.lab.network import Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.variations import CommandRejected
from netatlas.lab.scenarios import build_network
from tests.support.parser_fixtures import render, rib_of

# ---- the lab's hostile devices, read in both forms ----------------------------------------------

SUFFIX = {"cisco_nxos": " | json", "arista_eos": " | json", "juniper_junos": " | display json"}
PAIRS = [  # (platform, text command, data type): every structured reader a hostile text reaches
    ("cisco_nxos", "show cdp neighbors detail", DataType.CDP),
    ("cisco_nxos", "show lldp neighbors detail", DataType.LLDP),
    ("cisco_nxos", "show interface", DataType.INTERFACES),
    ("arista_eos", "show lldp neighbors detail", DataType.LLDP),
    ("arista_eos", "show interfaces", DataType.INTERFACES),
    ("juniper_junos", "show lldp neighbors", DataType.LLDP),
    ("juniper_junos", "show interfaces", DataType.INTERFACES),
]


@cache
def _hostile_network() -> Network:
    """A mixed lab where every device has the ``markup`` fault: every neighbor name, port, platform and
    description heard or shown carries escapes, markup and an RTL override."""
    network = build_network("mixed", 30, 7, IPv4Network("127.40.0.0/16"))
    for host in list(network.devices):
        apply_markup(network, host)
    return network


def _outcome(platform: str, command: str, text: str, data_type: DataType) -> ParseOutcome:
    return parse_command(platform, command, text, frozenset({data_type}))


def _hostile_records(records: DeviceRecords) -> int:
    return (sum("[/]crash" in n.remote_name_raw for n in records.neighbors)
            + sum("[/]crash" in i.description for i in records.interfaces))


@pytest.mark.parametrize(("platform", "command", "data_type"), PAIRS, ids=[f"{p}:{c}" for p, c, _ in PAIRS])
def test_both_forms_of_a_hostile_devices_output_give_the_same_records(platform: str, command: str,
                                                                      data_type: DataType) -> None:
    network = _hostile_network()
    compared = hostile = 0
    for host, dev in network.devices.items():
        if str(dev.platform) != platform:
            continue
        ctx = RenderContext(dev, rib_of(network, host))
        try:
            text, document = render(ctx, command), render(ctx, command + SUFFIX[platform])
        except CommandRejected:  # an image without the structured form
            continue
        as_text = _outcome(platform, command, text, data_type)
        as_json = _outcome(platform, command + SUFFIX[platform], document, data_type)
        assert as_json.records == as_text.records, host
        assert as_json.coverage is as_text.coverage, (host, as_text.unparsed[:2], as_json.unparsed[:2])
        if _hostile_records(as_json.records):
            hostile += 1
            assert as_json.coverage is Coverage.PARTIAL and as_json.unparsed, host
            assert any("control characters" in p and "(kept)" in p for p in as_json.unparsed), as_json.unparsed
            assert all(is_clean(p) for p in as_json.unparsed), "problems show device text escaped"
        compared += 1
    assert compared and hostile, f"no {platform} device read a hostile {command!r}"


# ---- one hostile value per document, per reader -------------------------------------------------


def d(value: object) -> list[dict[str, Any]]:
    return [{"data": value}]


def _nxos_cdp(name: object) -> tuple[str, str]:
    rows = [{"device_id": "dist2", "intf_id": "Ethernet1/1", "port_id": "Ethernet1/49", "platform_id": "N9K-C93180YC",
             "capability": ["router", "switch"], "v4mgmtaddr": "10.0.0.2"},
            {"device_id": name, "intf_id": "Ethernet1/2", "port_id": "GigabitEthernet1/0/1",
             "platform_id": "cisco C9500", "capability": "switch", "v4mgmtaddr": "10.0.0.3"}]
    return "show cdp neighbors detail | json", json.dumps(
        {"TABLE_cdp_neighbor_detail_info": {"ROW_cdp_neighbor_detail_info": rows}})


def _eos_lldp(name: object) -> tuple[str, str]:
    def port(system: object, remote: str) -> dict[str, Any]:
        return {"lldpNeighborInfo": [{"systemName": system, "chassisId": "0011.2233.4455",
                                      "neighborInterfaceInfo": {"interfaceId_v2": remote,
                                                                "interfaceId": f'"{remote}"'}}]}

    return "show lldp neighbors detail | json", json.dumps(
        {"lldpNeighbors": {"Ethernet1": port("dist2", "Ethernet49"), "Ethernet2": port(name, "Gi1/0/1")}})


def _junos_lldp(name: object) -> tuple[str, str]:
    def neighbor(local: str, system: object) -> dict[str, Any]:
        return {"lldp-local-port-id": d(local), "lldp-local-parent-interface-name": d("-"),
                "lldp-remote-chassis-id": d("2c:6b:f5:a1:c2:c0"), "lldp-remote-port-id": d("ge-0/0/1"),
                "lldp-remote-system-name": d(system)}

    return "show lldp neighbors | display json", json.dumps({"lldp-neighbors-information": [
        {"lldp-neighbor-information": [neighbor("ge-0/0/0", "dist2"), neighbor("ge-0/0/2", name)]}]})


# (platform, document with the hostile value as the second neighbor's name, the row field it lands in)
READERS: list[tuple[str, Callable[[object], tuple[str, str]], str]] = [
    ("cisco_nxos", _nxos_cdp, "chassis_id"),
    ("arista_eos", _eos_lldp, "neighbor_name"),
    ("juniper_junos", _junos_lldp, "neighbor_name"),
]
KEY = {"cisco_nxos": "device_id", "arista_eos": "systemName", "juniper_junos": "lldp-remote-system-name"}
READER_IDS = [platform for platform, _, _ in READERS]

# (value, reported): reported exactly when the text path reports the line holding it (templates.BINARY;
# a line break would end the line in text), and kept either way (escaped wherever it is shown).
VALUES = [
    ("sw9\x1b[2J", True),  # ANSI: clear the screen
    ("sw9\x1b]0;pwned\x07", True),  # OSC window title, BEL
    ("sw9\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\", True),  # OSC 8 hyperlink
    ("sw9\x00x", True),  # NUL
    ("sw9\rX", True),
    ("sw9\x7f", True),
    ("sw9\x9b2J", True),  # C1 CSI: clear the screen on terminals that take 8-bit controls
    ("sw9\x90x", True),  # C1 DCS
    ("sw9\ufffd", True),  # an undecodable byte, as decoded
    ("sw9\nsw8", True),  # a line break in a one-line field
    (hostile_name("dist1"), True),  # the lab's markup fault: 300 characters of markup, escapes, RTL
    ("[/]crash[bold]x", False),  # markup is text: shown literally
    ("sw9\tx", False),
    ("sw9\u202eevil", False),  # an RTL override: not a text-path control character; escaped where shown
    ("s" * MAX_TEXT, False),
]


def _parse(platform: str, document: tuple[str, str]) -> ParseOutcome:
    command, text = document
    return parse_command(platform, command, text, frozenset({DataType.CDP, DataType.LLDP}))


@pytest.mark.parametrize(("platform", "document", "field"), READERS, ids=READER_IDS)
@pytest.mark.parametrize(("value", "reported"), VALUES, ids=[repr(v[:16]) for v, _ in VALUES])
def test_a_name_with_control_characters_is_kept_and_reported(
        platform: str, document: Callable[[object], tuple[str, str]], field: str, value: str, reported: bool) -> None:
    assert reported == bool(BINARY.search(value) or "\n" in value)  # the text path's rule, not a list of cases
    outcome = _parse(platform, document(value))
    assert [n.remote_name_raw for n in outcome.records.neighbors] == ["dist2", value]
    if not reported:
        assert outcome.coverage is Coverage.COMPLETE, outcome.unparsed
        return
    assert outcome.coverage is Coverage.PARTIAL
    (problem,) = outcome.unparsed
    assert problem.startswith("entry 2 (") and problem.endswith(f"control characters in {field!r} (kept)"), problem
    assert is_clean(problem), "the problem shows the value escaped"


@pytest.mark.parametrize(("platform", "document", "field"), READERS, ids=READER_IDS)
def test_a_name_over_the_limit_costs_its_entry_named(platform: str, document: Callable[[object], tuple[str, str]],
                                                    field: str) -> None:
    outcome = _parse(platform, document("s" * (MAX_TEXT + 1)))
    assert [n.remote_name_raw for n in outcome.records.neighbors] == ["dist2"]
    assert outcome.coverage is Coverage.PARTIAL
    (problem,) = outcome.unparsed
    assert f"{KEY[platform]!r} is {MAX_TEXT + 1} characters long (at most {MAX_TEXT})" in problem, problem
    assert problem.split(" (", 1)[0].endswith("2") and len(problem) < 200, "the entry named, never quoted whole"


def test_the_three_readers_refuse_the_same_length() -> None:
    assert json_nxos.MAX_TEXT == json_eos.MAX_TEXT == json_junos.MAX_TEXT == MAX_TEXT


# (platform, the value, what the problem says): each platform's document prints names as text; a value of
# another type is not the platform's document: its entry is refused, named
WRONG_TYPES = [
    ("cisco_nxos", ["sw9"], "'device_id' is a list, not text"),
    ("cisco_nxos", {"a": 1}, "'device_id' is a object, not text"),
    ("cisco_nxos", True, "'device_id' is a boolean, not text"),
    ("arista_eos", ["sw9"], "'systemName' is a list, not a string"),
    ("arista_eos", 7, "'systemName' is a int, not a string"),
    ("juniper_junos", True, "'lldp-remote-system-name' is a bool, not text"),
    ("juniper_junos", {"a": 1}, "'lldp-remote-system-name' is a dict, not text"),
]


@pytest.mark.parametrize(("platform", "value", "why"), WRONG_TYPES, ids=[f"{p}-{w}" for p, _, w in WRONG_TYPES])
def test_a_name_of_the_wrong_type_costs_its_entry_named(platform: str, value: object, why: str) -> None:
    document = next(make for p, make, _ in READERS if p == platform)
    outcome = _parse(platform, document(value))
    assert [n.remote_name_raw for n in outcome.records.neighbors] == ["dist2"]
    assert outcome.coverage is Coverage.PARTIAL
    (problem,) = outcome.unparsed
    assert why in problem and "2" in problem.split(":", 1)[0], problem


def test_numbers_are_names_where_the_platform_prints_them_so() -> None:
    """NX-OS and JunOS print some text leaves as numbers: a number is kept as printed."""
    for platform in ("cisco_nxos", "juniper_junos"):
        document = next(make for p, make, _ in READERS if p == platform)
        outcome = _parse(platform, document(4242))
        assert [n.remote_name_raw for n in outcome.records.neighbors] == ["dist2", "4242"], platform


# ---- structured.checked: the one rule ------------------------------------------------------------


def test_checked_looks_into_lists_and_next_hops_and_allows_multi_line_descriptions() -> None:
    rows: list[dict[str, Any]] = [
            {"prefix": "10.0.0.0/24", "hop": [{"address": "10.0.0.1", "interface": "ge-0/0/0.0\x00"}]},
            {"local_interface": "Ethernet1", "neighbor_description": "Cisco IOS\nTechnical Support"},
            {"local_interface": "Ethernet2", "neighbor_description": "Arista\x1b[31m\nEOS"},
            {"members": ["Ethernet1", "Ethernet2\x07"], "interface": "Port-Channel1"}]
    got = checked(Reading(rows, ("an earlier problem",)))
    assert got.rows == rows  # all kept, as given
    assert got.problems == (
        "an earlier problem",
        "entry 1 (10.0.0.0/24 10.0.0.1): control characters in 'hop' (kept)",
        "entry 3 (Ethernet2 Arista\\x1b[31m\\x0aEOS): control characters in 'neighbor_description' (kept)",
        "entry 4 (Ethernet1 Port-Channel1): control characters in 'members' (kept)",
    )


def test_checked_leaves_a_clean_reading_alone() -> None:
    clean = Reading([{"name": "sw1", "hop": [{"address": None}], "members": []}])
    assert checked(clean) is clean


@pytest.mark.parametrize("value", ["sw9\x1b[2J", "sw9\x00", "sw9\x7f", "sw9\ufffd", "sw9\u2028x", "sw9\x85x",
                                   "sw9\x9bx", "sw9\nsw8", "sw9\rx", "sw9\x0cx"])
@pytest.mark.parametrize("escaped", [True, False], ids=["escaped", "raw"])
def test_the_document_precheck_never_skips_a_control_character(value: str, escaped: bool) -> None:
    """``read`` looks at the rows only when the document text may decode to a control character: whatever
    JSON escaping (or none, where JSON allows the character raw), such a name is reported."""
    command, text = _nxos_cdp(value)
    if not escaped:
        text = json.dumps(json.loads(text), ensure_ascii=False)  # raw where JSON allows it, escaped where not
    reading = read("cisco_nxos", command.removesuffix(" | json"), text)
    assert [r["chassis_id"] for r in reading.rows] == ["dist2", value]
    assert len(reading.problems) == 1 and "control characters in 'chassis_id'" in reading.problems[0]


def test_the_nxos_arp_rows_carry_each_entrys_vrf() -> None:
    """``show ip arp vrf all | json`` says each entry's VRF; its rows carry it (as ``vrf``)."""
    def adj(ip: str) -> dict[str, str]:
        return {"ip-addr-out": ip, "time-stamp": "00:01:02", "mac": "0050.56ab.0001", "intf-out": "Vlan10"}

    doc = {"TABLE_vrf": {"ROW_vrf": [
        {"vrf-name-out": "default", "TABLE_adj": {"ROW_adj": adj("10.0.0.2")}},
        {"vrf-name-out": "BLUE", "TABLE_adj": {"ROW_adj": [adj("10.9.0.2"), adj("10.9.0.3")]}}]}}
    rows = read("cisco_nxos", "show ip arp vrf all", json.dumps(doc)).rows
    assert [(r["ip_address"], r["vrf"]) for r in rows] == [
        ("10.0.0.2", "default"), ("10.9.0.2", "BLUE"), ("10.9.0.3", "BLUE")]
