"""Hostile faults as device state: what the renderers will print, without SSH."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from netatlas.lab.faults import FaultKind
from netatlas.lab.hostile import (
    FIELD_LENGTH,
    endless_blocks,
    hostile_name,
    hostile_port,
    hostile_text,
    next_address,
    split_after_lures,
)
from netatlas.lab.model import NeighborProtocol
from netatlas.lab.runtime import prepare_lab
from netatlas.lab.scenarios import build_network

FAULTS = "rogue:sw3,prompt:dist1,markup:sw6"


def test_hostile_strings_are_long_hostile_and_printable_on_one_line() -> None:
    for text in (hostile_name("sw6"), hostile_text("to dist1")):
        assert len(text) == FIELD_LENGTH
        assert "\n" not in text and "\r" not in text and '"' not in text and "," not in text
        assert "\x1b]0;pwned\x07" in text and "\u202e" in text and "[/]" in text
    assert not any(c.isspace() for c in hostile_name("sw6") + hostile_port("Gi1/0/1"))


@pytest.mark.parametrize(("text", "parts"), [
    ("a\r\nsw3#\r\nb\r\nsw3#", ["a\r\nsw3#\r\n", "b\r\nsw3#"]),
    ("sw3#\r\nsw3#\r\n", ["sw3#\r\n", "sw3#\r\n"]),
    ("x sw3#\r\nsw3# show\r\n", ["x sw3#\r\nsw3# show\r\n"]),  # only whole lines are lures
    ("", []),
])
def test_split_after_lures(text: str, parts: list[str]) -> None:
    assert split_after_lures(text, ("sw3#",)) == parts
    assert "".join(split_after_lures(text, ("sw3#",))) == text


def test_endless_blocks_are_lazy_and_different() -> None:
    blocks = endless_blocks(prepare_lab("campus", 4, 1).devices[0].state)
    first, second = next(blocks), next(blocks)
    assert first != second and first.endswith("\r\n") and 20_000 < len(first) < 100_000


def test_rogue_is_an_extra_device_heard_by_its_neighbor_only() -> None:
    plain, lab = prepare_lab("campus", 12, 5), prepare_lab("campus", 12, 5, faults=FAULTS)
    (rogue,) = lab.rogues
    assert rogue.node == "rogue1" and rogue.state.hostname == "core1" and rogue.kind is FaultKind.ROGUE
    assert rogue.address == "127.20.0.13" and rogue.address not in {d.address for d in lab.devices}
    sw3 = next(d.state for d in lab.devices if d.node == "sw3")
    heard = [a for a in sw3.neighbors if a.mgmt_ip == IPv4Address(rogue.address)]
    assert {a.protocol for a in heard} == {NeighborProtocol.CDP, NeighborProtocol.LLDP}
    assert {a.device_id for a in heard} == {"core1.campus.example.net"}
    assert sum(a.mgmt_ip == IPv4Address(rogue.address) for d in lab.devices for a in d.state.neighbors) == 2
    assert "sw3" not in lab.faults and lab.faults["rogue1"].kind is FaultKind.ROGUE
    assert lab.truth()["nodes"] == plain.truth()["nodes"] and lab.truth()["links"] == plain.truth()["links"]
    assert [d["name"] for d in lab.inventory()["devices"]] == [d["name"] for d in plain.inventory()["devices"]]


def test_rogue_address_skips_broadcast_like_addresses_and_runs_out_cleanly() -> None:
    network = build_network("campus", 4, 1, IPv4Network("127.40.0.0/16"))
    for dev in network.devices.values():
        dev.mgmt_ip = IPv4Address("127.40.0.254")
    assert str(next_address(network, IPv4Network("127.40.0.0/16"))) == "127.40.1.1/16"
    with pytest.raises(ValueError, match="no free address"):
        next_address(network, IPv4Network("127.40.0.0/24"))


def test_prompt_lures_sit_in_one_neighbor_per_protocol_and_one_description() -> None:
    lab = prepare_lab("campus", 12, 5, faults=FAULTS)
    dist1 = next(d.state for d in lab.devices if d.node == "dist1")
    carriers = [a for a in dist1.neighbors if "\ndist1#\n" in a.software]
    assert sorted(a.protocol for a in carriers) == [NeighborProtocol.CDP, NeighborProtocol.LLDP]
    assert [i.description for i in dist1.interfaces if i.description.startswith("dist1#")] == [
        "dist1# show running-config"]
    assert lab.fault_details["dist1"]["pause_after"] == ["dist1#", "dist1>"]


def test_markup_changes_what_neighbors_hear_and_the_truth_says_so() -> None:
    lab = prepare_lab("campus", 12, 5, faults=FAULTS)
    detail = lab.fault_details["sw6"]
    heard = [(d.node, a) for d in lab.devices for a in d.state.neighbors if a.device_id == detail["advertised_name"]]
    assert {node for node, _ in heard} == set(detail["seen_by"]) and len(heard) >= 2
    assert all(a.remote_interface in detail["advertised_ports"].values() for _, a in heard)
    assert all(a.remote_port_description in detail["interface_descriptions"].values() for _, a in heard)
    sw6 = next(d.state for d in lab.devices if d.node == "sw6")
    assert sw6.hostname == "sw6"  # a host name cannot carry escapes on a real CLI
