"""Every command of every device of lab networks (rendered, no SSH) parses to what the state implies."""

from __future__ import annotations

from functools import cache
from ipaddress import IPv4Network

import pytest

from netatlas.collect.parsers import merge_records, parse_output
from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.records import DataType, DeviceRecords
from netatlas.lab.network import Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.scenarios import build_network
from tests.support.expected import canonical, expected, expected_command
from tests.support.parser_fixtures import cases, render, rib_of

ALL = frozenset(DataType)
SCENARIOS = [("mixed", 60, 7), ("campus", 30, 3), ("datacenter", 30, 5), ("wan", 30, 9)]


@cache
def _network(scenario: str, size: int, seed: int) -> Network:
    return build_network(scenario, size, seed, IPv4Network("127.40.0.0/16"))


@pytest.mark.parametrize(("scenario", "size", "seed"), SCENARIOS)
def test_every_command_matches_the_state(scenario: str, size: int, seed: int) -> None:
    net = _network(scenario, size, seed)
    checked = 0
    for host, dev in net.devices.items():
        ctx = RenderContext(dev, rib_of(net, host))
        for case in cases("lab", ctx):
            got = canonical(parse_output(case.platform, case.command, case.raw, case.types))
            want = canonical(expected_command(dev, ctx.rib, case.command, case.types))
            assert got == want, f"{host} {case.command}"
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
            records = merge_records(records, parse_output(spec.name, command, render(ctx, command), types))
        for data_type, template in spec.per_interface.items():
            for port in sorted({n.local_interface for n in records.neighbors}):
                command = template.format(interface=port)
                parsed = parse_output(spec.name, command, render(ctx, command), frozenset({data_type}))
                records = merge_records(records, parsed)
        assert canonical(records) == canonical(expected(dev, ctx.rib, ALL)), host
