"""Proof that the lab is a network real clients can discover, and that what they read is the truth.

A mixed lab (every platform) is served over real SSH. Netmiko (each device type) and a plain
asyncssh client run every command; ntc-templates (or netatlas's own template) parses each
output; the parsed values must equal the lab's state, and the network built from every
device's CDP/LLDP and MAC tables must equal the ground truth file.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from netatlas.domain.names import canonical_interface, normalize_hostname, normalize_mac
from netatlas.lab.background import BackgroundLab
from netatlas.lab.cli_platforms import load_commands
from netatlas.lab.model import DeviceState, Platform
from netatlas.lab.render.base import RenderContext
from netatlas.lab.runtime import Lab, prepare_lab
from netatlas.lab.server import ServedDevice
from tests.support import checks_cisco_ios
from tests.support.checks import CHECKS, arguments, parse_as, typed
from tests.support.checks_variations import absent, check_text
from tests.support.parse import parse
from tests.support.sshclient import CliSession

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.31.0.0/16")
DEVICES = 60
SEED = 7

# The commands a discovery tool sends for every device, per platform (patterns of the tables).
DISCOVERY: dict[Platform, tuple[str, ...]] = {
    Platform.CISCO_IOS: ("show version", "show interfaces", "show cdp neighbors detail", "show lldp neighbors detail",
                         "show ip route vrf =*", "show ip ospf neighbor", "show ip bgp summary",
                         "show mac address-table", "show ip arp vrf <vrf>"),
    Platform.CISCO_NXOS: ("show version", "show interface", "show cdp neighbors detail", "show lldp neighbors detail",
                          "show ip route vrf all", "show ip ospf neighbors vrf all", "show ip bgp summary vrf all",
                          "show mac address-table", "show ip arp vrf all"),
    Platform.ARISTA_EOS: ("show version", "show interfaces", "show lldp neighbors detail", "show ip route vrf =all",
                          "show ip ospf neighbor vrf =all", "show ip bgp summary vrf =all", "show mac address-table",
                          "show ip arp vrf =all"),
    Platform.JUNIPER_JUNOS: ("show version", "show interfaces", "show lldp neighbors interface <interface>",
                             "show route", "show ospf neighbor", "show bgp summary", "show ethernet-switching table",
                             "show arp no-resolve"),
}
# (protocol, pattern, fields) of the commands that report neighbors: local port, remote name, remote port.
# "a|b": field a, or b where a is empty (NX-OS CDP puts the device id in CHASSIS_ID when there is no
# "System Name:" line).
NEIGHBORS: dict[Platform, tuple[tuple[str, str, tuple[str, str, str]], ...]] = {
    Platform.CISCO_IOS: (("cdp", "show cdp neighbors detail", ("local_interface", "neighbor_name",
                                                                "neighbor_interface")),
                         ("lldp", "show lldp neighbors detail", ("local_interface", "neighbor_name",
                                                                  "neighbor_port_id"))),
    Platform.CISCO_NXOS: (("cdp", "show cdp neighbors detail", ("local_interface", "neighbor_name|chassis_id",
                                                                 "neighbor_interface")),
                          ("lldp", "show lldp neighbors detail", ("local_interface", "neighbor_name",
                                                                   "neighbor_interface"))),
    Platform.ARISTA_EOS: (("lldp", "show lldp neighbors detail", ("local_interface", "neighbor_name",
                                                                   "neighbor_interface")),),
    Platform.JUNIPER_JUNOS: (("lldp", "show lldp neighbors interface <interface>", ("local_interface", "system_name",
                                                                                     "port_id")),),
}
MAC_TABLE = {
    Platform.CISCO_IOS: ("show mac address-table", "destination_address", "vlan_id", "destination_port"),
    Platform.CISCO_NXOS: ("show mac address-table", "mac_address", "vlan_id", "ports"),
    Platform.ARISTA_EOS: ("show mac address-table", "mac_address", "vlan_id", "destination_port"),
    Platform.JUNIPER_JUNOS: ("show ethernet-switching table", "mac_address", "vlan_id", "logical_interface"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((str(NETWORK.network_address + 1), 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _empty_tables_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks_cisco_ios, "REQUIRE_DATA", False)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    prepared = prepare_lab("mixed", DEVICES, SEED, port=_free_port(), mgmt_network=NETWORK)
    with BackgroundLab(prepared):
        yield prepared


def _one_per_platform_role(lab: Lab) -> list[ServedDevice]:
    seen: dict[tuple[str, str, bool], ServedDevice] = {}
    for device in lab.devices:
        key = (device.state.platform, device.state.role, device.state.enable_secret is not None)
        seen.setdefault(key, device)
    return list(seen.values())


def _check(device: ServedDevice, pattern: str, args: dict[str, str], text: str) -> None:
    """Feature-off and refused-form texts are expected exactly; other outputs parse to the state."""
    check_text(RenderContext(device.state, device.rib, args), pattern, typed(pattern, args), text)


def test_every_platform_and_role_is_covered(lab: Lab) -> None:
    platforms = {d.state.platform for d in lab.devices}
    assert platforms == set(Platform)
    assert any(d.state.enable_secret for d in lab.devices), "no device with a '>' prompt and enable"


@pytest.mark.parametrize("platform", list(Platform))
def test_netmiko_runs_every_command_and_parses_to_state(lab: Lab, platform: Platform) -> None:
    devices = [d for d in _one_per_platform_role(lab) if d.state.platform == platform]
    checked = 0
    for device in devices:
        conn = ConnectHandler(device_type=str(platform), host=device.address, port=lab.port,
                              username=device.username, password=device.password,
                              secret=lab.credentials.enable_secret, fast_cli=True)
        try:
            if device.state.enable_secret:
                conn.enable()
            checked += _run_all(conn, device)
        finally:
            conn.disconnect()
    assert checked > 10


def _run_all(conn: Any, device: ServedDevice) -> int:
    checked = 0
    for spec in load_commands(device.state.platform):
        for args in arguments(spec.pattern, device.state):
            text = conn.send_command(typed(spec.pattern, args), read_timeout=30)
            if not absent(device.state, spec.pattern):  # NX-OS: a disabled feature's commands do not exist
                assert "Invalid" not in text and "syntax error" not in text, (spec.pattern, text[:300])
            if spec.pattern in CHECKS[device.state.platform]:
                _check(device, spec.pattern, args, text)
                checked += 1
    return checked


async def _collect(lab: Lab, device: ServedDevice) -> dict[tuple[str, str], str]:
    outputs: dict[tuple[str, str], str] = {}
    async with CliSession(device.address, lab.port, device.username, device.password, device.state.platform,
                          lab.credentials.enable_secret) as cli:
        for pattern in DISCOVERY[device.state.platform]:
            for args in arguments(pattern, device.state):
                outputs[(pattern, json.dumps(args))] = await cli.run(typed(pattern, args))
    return outputs


async def _collect_all(lab: Lab) -> dict[str, dict[tuple[str, str], str]]:
    results = await asyncio.gather(*(_collect(lab, d) for d in lab.devices))
    return {d.state.hostname: r for d, r in zip(lab.devices, results, strict=True)}


@pytest.fixture(scope="module")
def collected(lab: Lab) -> dict[str, dict[tuple[str, str], str]]:
    return asyncio.run(_collect_all(lab))


def test_asyncssh_client_reads_every_device_and_parses_to_state(
        lab: Lab, collected: dict[str, dict[tuple[str, str], str]]) -> None:
    checked = 0
    for device in lab.devices:
        for (pattern, args), text in collected[device.state.hostname].items():
            _check(device, pattern, json.loads(args), text)
            checked += 1
    assert checked >= 8 * DEVICES


def _reports(lab: Lab, collected: dict[str, dict[tuple[str, str], str]]) -> set[tuple[str, str, str, str, str]]:
    """(protocol, local node, local port, remote node, remote port) from every device's parsed neighbors."""
    by_name = {d.state.hostname: d.state for d in lab.devices}
    found: set[tuple[str, str, str, str, str]] = set()
    for host, outputs in collected.items():
        dev = by_name[host]
        for protocol, pattern, (local_f, name_f, port_f) in NEIGHBORS[dev.platform]:
            for (pat, args), text in outputs.items():
                if pat != pattern:
                    continue
                for row in parse(dev.platform, parse_as(dev.platform, pattern, json.loads(args)), text):
                    remote = normalize_hostname(next(row[f] for f in name_f.split("|") if row[f]))
                    remote_dev = by_name.get(remote)
                    port = row[port_f]
                    if remote_dev is not None:
                        port = canonical_interface(port, remote_dev.platform)
                    local = canonical_interface(row[local_f], dev.platform).split(".", 1)[0]
                    found.add((protocol, host, local, remote, port))
    return found


def test_neighbors_seen_from_every_device_equal_the_truth_links(
        lab: Lab, collected: dict[str, dict[tuple[str, str], str]], tmp_path: Path) -> None:
    lab.write(None, tmp_path / "truth.json")
    truth = json.loads((tmp_path / "truth.json").read_text())
    reports = _reports(lab, collected)
    expected: dict[tuple[str, frozenset[tuple[str, str]]], set[str]] = {}
    for link in truth["links"]:
        if link["layer"] == "l2":
            ends = frozenset({(link["a"]["node"], link["a"]["interface"]), (link["b"]["node"], link["b"]["interface"])})
            expected[("l2", ends)] = set(link["protocols"])
    seen: dict[tuple[str, frozenset[tuple[str, str]]], set[str]] = {}
    for protocol, host, local, remote, port in reports:
        key = ("l2", frozenset({(host, local), (remote, port)}))
        assert key in expected, f"{host} {local} reports {remote} {port} over {protocol}: not a truth link"
        seen.setdefault(key, set()).add(protocol)
    assert seen == expected
    one_sided = [k for k in expected if sum((p, n, i) in {(r[0], r[1], r[2]) for r in reports}
                                             for p in ("lldp",) for n, i in k[1]) == 1]
    assert one_sided, "the trap 'neighbor reported by only one side' is missing"
    assert any("(" in n.device_id for d in lab.devices for n in d.state.neighbors), "no NX-OS name(SERIAL) id"
    assert any("." in n.device_id for d in lab.devices for n in d.state.neighbors), "no FQDN neighbor id"


def test_endpoints_are_in_the_mac_table_of_their_access_port(
        lab: Lab, collected: dict[str, dict[tuple[str, str], str]]) -> None:
    by_name: dict[str, DeviceState] = {d.state.hostname: d.state for d in lab.devices}
    learned: set[tuple[str, str, int, str]] = set()
    for host, outputs in collected.items():
        dev = by_name[host]
        pattern, mac_f, vlan_f, port_f = MAC_TABLE[dev.platform]
        for row in parse(dev.platform, pattern, outputs[(pattern, "{}")]):
            ports = row[port_f] if isinstance(row[port_f], list) else [row[port_f]]
            for port in ports:
                if port[:1].isalpha() and row[vlan_f].isdigit():
                    canonical = canonical_interface(port, dev.platform).split(".", 1)[0]
                    learned.add((host, normalize_mac(row[mac_f]), int(row[vlan_f]), canonical))
    endpoints = lab.truth()["endpoints"]
    assert len(endpoints) > 20
    missing = [e for e in endpoints if (e["node"], e["mac"], e["vlan"], e["interface"]) not in learned]
    assert not missing, missing[:5]
