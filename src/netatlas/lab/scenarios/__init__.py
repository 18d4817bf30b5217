"""Scenario generators: ``(scenario, devices, seed)`` always gives the same network."""

from __future__ import annotations

from collections.abc import Callable

from netatlas.lab.builder import Builder
from netatlas.lab.network import Network
from netatlas.lab.scenarios import campus, datacenter, mixed, wan

MIN_DEVICES = 2
MAX_DEVICES = 5000


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


def build_network(scenario: str, devices: int, seed: int) -> Network:
    if scenario not in SCENARIOS:
        raise ScenarioError(f"--scenario: unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    if not MIN_DEVICES <= devices <= MAX_DEVICES:
        raise ScenarioError(f"--devices: {devices} is out of range ({MIN_DEVICES} to {MAX_DEVICES})")
    builder = Builder(scenario, seed)
    SCENARIOS[scenario](builder, devices)
    network = builder.finish()
    if len(network.devices) != devices:
        raise AssertionError(f"{scenario} built {len(network.devices)} devices, asked for {devices}")
    return network
