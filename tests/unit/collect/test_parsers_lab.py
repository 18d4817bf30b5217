"""Every command of every device of lab networks (rendered, no SSH) parses to what the state implies."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from ipaddress import IPv4Network

import pytest

from netatlas.collect.parsers import parse_output
from netatlas.collect.platforms import PLATFORMS, PerVrf
from netatlas.domain.records import DataType, DeviceRecords
from netatlas.lab.network import Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.variations import CommandRejected
from netatlas.lab.scenarios import build_network
from tests.support.expected import canonical, expected, expected_command
from tests.support.parser_fixtures import answered, command_types, render, rib_of, sample_command

ALL = frozenset(DataType)
SCENARIOS = [("mixed", 60, 7), ("campus", 30, 3), ("datacenter", 30, 5), ("wan", 30, 9)]


@cache
def _network(scenario: str, size: int, seed: int) -> Network:
    return build_network(scenario, size, seed, IPv4Network("127.40.0.0/16"))


def _rendered(ctx: RenderContext, command: str) -> tuple[str, str] | None:
    """(command as answered, output): an old image that refuses the form answers its plain fallback;
    None when the device refuses it because its feature is disabled (NX-OS), as ``show feature`` says."""
    spec = PLATFORMS[str(ctx.dev.platform)]
    try:
        return answered(ctx, command)
    except CommandRejected:
        gate, plain = spec.features, spec.text_form(command)
        if gate is not None and plain in gate.commands and gate.disabled(gate.commands[plain],
                                                                         render(ctx, gate.probe)):
            return None
        raise


def _lab_cases(ctx: RenderContext) -> Iterator[tuple[str, tuple[str, str] | None, frozenset[DataType]]]:
    """(command as planned, (command answered, output) or None: feature off, types) per command of the platform."""
    spec = PLATFORMS[str(ctx.dev.platform)]
    ctx.rib()  # like the lab's server: the RIB (and BGP prefix counts) exist before any command
    for pattern, types in command_types(spec).items():
        command = sample_command(ctx, pattern)
        if command is not None:
            yield command, _rendered(ctx, command), types


def _per_vrf(ctx: RenderContext, step: PerVrf, types: frozenset[DataType]) -> DeviceRecords:
    """What the collector's per-VRF step reads: the VRF list (its fallback on old images), then each VRF's."""
    records = DeviceRecords()
    answer = _rendered_or_refused(ctx, step.list_command)
    for vrf in step.vrfs(answer):
        for data_type, commands in step.commands.items():
            for command in (c.format(vrf=vrf) for c in commands if data_type in types):
                sent, raw = answered(ctx, PLATFORMS[str(ctx.dev.platform)].sent_form(command))
                records.merge(parse_output(str(ctx.dev.platform), sent, raw, frozenset({data_type})))
    return records


def _rendered_or_refused(ctx: RenderContext, command: str) -> str:
    try:
        answer = _rendered(ctx, command)
    except CommandRejected:  # an image without VRFs refuses the fallback form too
        return ""
    return answer[1] if answer is not None else ""


@pytest.mark.parametrize(("scenario", "size", "seed"), SCENARIOS)
def test_every_command_matches_the_state(scenario: str, size: int, seed: int) -> None:
    """Complete (or feature-off) reads equal to the state, old images through their fallback forms."""
    net = _network(scenario, size, seed)
    checked = 0
    for host, dev in net.devices.items():
        ctx = RenderContext(dev, rib_of(net, host))
        platform = str(dev.platform)
        for planned, answer, types in _lab_cases(ctx):
            answered_as = planned if answer is None else answer[0]  # an old image's fallback: its text form
            want = canonical(expected_command(dev, ctx.rib, answered_as, types))
            if answer is None:  # refused: its feature is disabled, so the state has nothing for it
                assert want == canonical(DeviceRecords()), f"{host} {planned}"
                continue
            got = canonical(parse_output(platform, *answer, types))
            assert got == want, f"{host} {answer[0]}"
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
            if spec.per_vrf is not None and command == spec.per_vrf.list_command:
                records.merge(_per_vrf(ctx, spec.per_vrf, types))
                continue
            answer = _rendered(ctx, command)
            if answer is None:
                continue
            records.merge(parse_output(spec.name, *answer, types))
        for data_type, template in spec.per_interface.items():
            for port in sorted({n.local_interface for n in records.neighbors}):
                command, raw = answered(ctx, spec.sent_form(template.format(interface=port)))
                records.merge(parse_output(spec.name, command, raw, frozenset({data_type})))
        assert canonical(records) == canonical(expected(dev, ctx.rib, ALL)), host
