"""Scenario generators: ``(scenario, devices, seed)`` always gives the same network."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Network

from netatlas.lab.builder import MGMT_NETWORK, Builder
from netatlas.lab.network import Network
from netatlas.lab.scenarios import campus, datacenter, mixed, wan

MIN_DEVICES = 2
MAX_DEVICES = 10_000  # the largest any scenario builds (mixed and wan)
# campus and datacenter number their point-to-point links and distribution blocks from fixed /16s:
# 5,000 devices is as far as their address plans go
SCENARIO_MAX = {"campus": 5000, "datacenter": 5000, "wan": MAX_DEVICES, "mixed": MAX_DEVICES}


def _campus(b: Builder, n: int) -> None:
    campus.build(b, n)


def _datacenter(b: Builder, n: int) -> None:
    datacenter.build(b, n)


def _wan(b: Builder, n: int) -> None:
    wan.build(b, n)


SCENARIOS: dict[str, Callable[[Builder, int], None]] = {
    "campus": _campus,
    "datacenter": _datacenter,
    "wan": _wan,
    "mixed": mixed.build,
}


class ScenarioError(ValueError):
    """A bad scenario argument; the message names the argument."""


LOOPBACK = IPv4Network("127.0.0.0/8")


def build_network(scenario: str, devices: int, seed: int, mgmt_network: IPv4Network = MGMT_NETWORK, *,
                  bounded: bool = False) -> Network:
    """Generate a scenario; device management addresses come from ``mgmt_network`` (in 127/8).

    ``bounded``: summarise so that a device's routing table depends on its role and area, not on
    the network's size (WAN areas of 20 branches with their own ranges, datacenter spines
    aggregating the leaves' prefixes, campus pairs numbered apart from the WAN); the default
    builds the historical lab unchanged.
    """
    if scenario not in SCENARIOS:
        raise ScenarioError(f"--scenario: unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    if not MIN_DEVICES <= devices <= SCENARIO_MAX[scenario]:
        raise ScenarioError(f"--devices: {devices} is out of range for {scenario} ({MIN_DEVICES} to "
                            f"{SCENARIO_MAX[scenario]})")
    if not mgmt_network.subnet_of(LOOPBACK) or mgmt_network.num_addresses < devices * 2:
        raise ScenarioError(f"--address-range: {mgmt_network} must be inside 127.0.0.0/8 and hold {devices} devices")
    builder = Builder(scenario, seed, mgmt_network, bounded=bounded)
    SCENARIOS[scenario](builder, devices)
    network = builder.finish()
    if len(network.devices) != devices:
        raise AssertionError(f"{scenario} built {len(network.devices)} devices, asked for {devices}")
    return network
