"""Every command of every device of lab networks (rendered, no SSH) parses to what the state implies."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from ipaddress import IPv4Network

import pytest

from netatlas.collect.parsers import merge_records, parse_output
from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.records import DataType, DeviceRecords
from netatlas.lab.model import NeighborProtocol
from netatlas.lab.network import Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.variations import CommandRejected
from netatlas.lab.scenarios import build_network
from tests.support.expected import canonical, expected, expected_command
from tests.support.parser_fixtures import command_types, render, rib_of

ALL = frozenset(DataType)
SCENARIOS = [("mixed", 60, 7), ("campus", 30, 3), ("datacenter", 30, 5), ("wan", 30, 9)]


@cache
def _network(scenario: str, size: int, seed: int) -> Network:
    return build_network(scenario, size, seed, IPv4Network("127.40.0.0/16"))


def _rendered(ctx: RenderContext, command: str) -> tuple[str, str]:
    """(command as answered, output): an old image that refuses the form answers its plain fallback."""
    try:
        return command, render(ctx, command)
    except CommandRejected:
        fallback = PLATFORMS[str(ctx.dev.platform)].fallbacks[command]
        return fallback, render(ctx, fallback)


def _lab_cases(ctx: RenderContext) -> Iterator[tuple[str, str, str, frozenset[DataType]]]:
    """(platform, command as planned, command answered, output) per command of the device's platform."""
    spec = PLATFORMS[str(ctx.dev.platform)]
    ctx.rib()  # like the lab's server: the RIB (and BGP prefix counts) exist before any command
    lldp = sorted({n.local_interface for n in ctx.dev.neighbors if n.protocol is NeighborProtocol.LLDP})
    for pattern, types in command_types(spec).items():
        if "{interface}" in pattern and not lldp:
            continue
        command = pattern.format(interface=lldp[0]) if "{interface}" in pattern else pattern
        yield (command, *_rendered(ctx, command), types)


@pytest.mark.parametrize(("scenario", "size", "seed"), SCENARIOS)
def test_every_command_matches_the_state(scenario: str, size: int, seed: int) -> None:
    """Complete (or feature-off) reads equal to the state, old images through their fallback forms."""
    net = _network(scenario, size, seed)
    checked = 0
    for host, dev in net.devices.items():
        ctx = RenderContext(dev, rib_of(net, host))
        platform = str(dev.platform)
        for planned, answered, raw, types in _lab_cases(ctx):
            got = canonical(parse_output(platform, answered, raw, types))
            want = canonical(expected_command(dev, ctx.rib, planned, types))
            assert got == want, f"{host} {answered}"
            checked += 1
    assert checked > 10 * len(net.devices)


def test_a_whole_device_collection_equals_expected() -> None:
    """Merging every planned command (JunOS: summary then per-interface detail) gives ``expected``."""
    net = _network("mixed", 60, 7)
    for host, dev in net.devices.items():
        ctx = RenderContext(dev, rib_of(net, host))
        ctx.rib()
        spec = PLATFORMS[str(dev.platform)]
        records = DeviceRecords()
        for command, types in spec.plan(ALL):
            answered, raw = _rendered(ctx, command)
            records = merge_records(records, parse_output(spec.name, answered, raw, types))
        for data_type, template in spec.per_interface.items():
            for port in sorted({n.local_interface for n in records.neighbors}):
                command = template.format(interface=port)
                parsed = parse_output(spec.name, command, render(ctx, command), frozenset({data_type}))
                records = merge_records(records, parsed)
        assert canonical(records) == canonical(expected(dev, ctx.rib, ALL)), host
