"""Parser fixtures: lab CLI text (``<case>.raw``) with the records the state says it must give (``<case>.yml``).

``tests/fixtures/<platform>/<command>/<case>.{raw,yml}``, the command with spaces as ``_``, ``*`` as
``star`` and no ``{interface}`` placeholder. The ``.yml`` holds the command as sent, the data types
asked for, and the expected records (:func:`tests.support.expected.expected_command`, canonical
order); for netatlas's own templates it also holds ``parsed_sample`` (the template's rows), which
``test_own_templates.py`` checks.

Regenerate with ``.venv/bin/python -m tests.support.parser_fixtures`` (it rewrites only ``lab_*``
and ``unit_*`` cases).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml

from netatlas.collect.platforms import PLATFORMS, PlatformSpec
from netatlas.domain.records import ROUTE_TYPES, DataType
from netatlas.lab.cli_platforms import PLATFORMS as CLI
from netatlas.lab.cli_platforms import load_commands
from netatlas.lab.model import NeighborProtocol, Platform, Route
from netatlas.lab.network import Network
from netatlas.lab.render.base import CommandSpec, RenderContext
from netatlas.lab.render.variations import CommandRejected
from netatlas.lab.shell import CommandIndex
from tests.support.expected import canonical, expected_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAB_NETWORK = IPv4Network("127.40.0.0/16")


def fixture_dir(platform: str, command: str) -> Path:
    """``show ip route vrf *`` -> ``fixtures/cisco_ios/show_ip_route_vrf_star``.

    Examples:
        >>> fixture_dir("juniper_junos", "show lldp neighbors interface {interface}").name
        'show_lldp_neighbors_interface'
        >>> fixture_dir("cisco_ios", "show ip bgp vpnv4 vrf {vrf} summary").name
        'show_ip_bgp_vpnv4_vrf_summary'
        >>> fixture_dir("juniper_junos", "show interfaces | display json").name
        'show_interfaces_display_json'
    """
    name = command.replace("{interface}", "").replace("{vrf}", "").replace("*", "star").replace("|", "").strip()
    return FIXTURES / platform / re.sub(r"\s+", "_", name)


def command_types(spec: PlatformSpec) -> dict[str, frozenset[DataType]]:
    """Every parsed command the platform table can send (per-interface and per-VRF forms too), with the
    types it serves (a per-VRF step's VRF list is read by the collector, not parsed: not listed)."""
    served: dict[str, set[DataType]] = {}
    for data_type, commands in spec.commands.items():
        for command in commands:
            served.setdefault(command, set()).add(data_type)
    served.setdefault(spec.all_routes, set()).update(ROUTE_TYPES)
    for data_type, command in spec.per_interface.items():
        served.setdefault(command, set()).add(data_type)
    for data_type, commands in (spec.per_vrf.commands if spec.per_vrf is not None else {}).items():
        for command in commands:
            served.setdefault(command, set()).add(data_type)
    for command, types in list(served.items()):  # the structured form too, where the row sends one
        if spec.sent_form(command) != command:
            served[spec.sent_form(command)] = set(types)
    return {command: frozenset(types) for command, types in served.items()}


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    platform: str
    command: str  # as sent
    pattern: str  # as in the platform table
    types: frozenset[DataType]
    raw: str
    ctx: RenderContext


def render(ctx: RenderContext, command: str) -> str:
    """What the device prints for ``command``; its structured form (``... | json``) too, which an image
    that refuses ``json`` refuses (:class:`CommandRejected`), as the lab's shell does."""
    platform = ctx.dev.platform
    spec = PLATFORMS[str(platform)]
    text_form = spec.text_form(command)
    found = CommandIndex(load_commands(platform), CLI[platform]).match(text_form.split())
    assert isinstance(found, tuple), f"{platform} cannot render {command!r}: {found}"
    entry, args = found
    assert isinstance(entry.target, CommandSpec), f"{command!r} is a session command on {platform}"
    render_fn = entry.target.render
    if text_form != command:
        if entry.target.render_json is None or any(f.keyword == "json" for f in ctx.dev.rejected_forms):
            raise CommandRejected(len(text_form.split()))
        render_fn = entry.target.render_json
    return render_fn(RenderContext(ctx.dev, ctx.rib, args))


def answered(ctx: RenderContext, command: str) -> tuple[str, str]:
    """(the form the device answered, its output): a refused form's fallbacks in turn, as the collector
    tries them (a structured form's text form, an old image's plain form); CommandRejected when none."""
    spec = PLATFORMS[str(ctx.dev.platform)]
    while True:
        try:
            return command, render(ctx, command)
        except CommandRejected:
            plain = spec.fallback(command)
            if plain is None:
                raise
            command = plain


def sample_command(ctx: RenderContext, pattern: str) -> str | None:
    """``pattern`` as sent to this device: ``{interface}`` its first LLDP port, ``{vrf}`` its VRF with the
    most ARP entries; None when it has none."""
    lldp = sorted({n.local_interface for n in ctx.dev.neighbors if n.protocol is NeighborProtocol.LLDP})
    vrfs = sorted((v.name for v in ctx.dev.vrfs), key=lambda v: (-sum(a.vrf == v for a in ctx.dev.arp), v))
    if ("{interface}" in pattern and not lldp) or ("{vrf}" in pattern and not vrfs):
        return None
    return pattern.format(interface=lldp[0] if lldp else "", vrf=vrfs[0] if vrfs else "")


def cases(source: str, ctx: RenderContext) -> Iterator[Case]:
    """One case per command of the device's platform (per-interface: its first LLDP port; per-VRF: a VRF)."""
    spec = PLATFORMS[str(ctx.dev.platform)]
    ctx.rib()  # like the lab's server: the RIB (and BGP prefix counts) exist before any command
    for pattern, types in command_types(spec).items():
        command = sample_command(ctx, pattern)
        raw = None if command is None else _answer(ctx, spec, command)
        if command is not None and raw is not None:
            yield Case(f"{source}_{ctx.dev.hostname}", spec.name, command, pattern, types, raw, ctx)


def _answer(ctx: RenderContext, spec: PlatformSpec, command: str) -> str | None:
    """The device's output, or None when it refuses the command because its feature is disabled (NX-OS)."""
    try:
        return render(ctx, command)
    except CommandRejected:
        gate, plain = spec.features, spec.text_form(command)
        if gate is not None and plain in gate.commands and gate.disabled(gate.commands[plain],
                                                                         render(ctx, gate.probe)):
            return None
        raise


def rib_of(net: Network, host: str) -> Callable[[], Sequence[Route]]:
    return lambda: net.rib(host)


def lab_contexts() -> list[tuple[str, RenderContext]]:
    """The richest devices of a 60-device mixed lab (two per platform) and the renderer tests' devices."""
    from netatlas.lab.scenarios import build_network
    from tests.unit.lab import test_render_arista_eos as eos
    from tests.unit.lab import test_render_cisco_ios as ios
    from tests.unit.lab import test_render_cisco_nxos as nxos
    from tests.unit.lab import test_render_juniper_junos as junos

    net = build_network("mixed", 60, 7, LAB_NETWORK)
    picked: list[tuple[str, RenderContext]] = []
    for platform in Platform:
        devices = [d for d in net.devices.values() if d.platform is platform]
        devices.sort(key=lambda d: (-len({r.protocol for r in net.rib(d.hostname)}), -len(d.neighbors), d.hostname))
        for dev in devices[:2]:
            picked.append(("lab", RenderContext(dev, rib_of(net, dev.hostname))))
    unit = [ios._ctx(ios.switch()), ios._ctx(ios.router()), nxos.context(nxos.leaf()), eos.context(eos.leaf()),
            junos._context(junos.rich_device())]
    return picked + [("unit", ctx) for ctx in unit]


def document(case: Case) -> dict[str, Any]:
    from netatlas.collect.parsers.templates import OWN_DIR, parse_rows, template_file

    doc: dict[str, Any] = {
        "command": case.command,
        "data_types": sorted(t.value for t in case.types),
        "records": canonical(expected_command(case.ctx.dev, case.ctx.rib, case.command, case.types)),
    }
    structured = PLATFORMS[case.platform].structured(case.command)  # read by parsers.structured, no template
    if not structured and template_file(case.platform, case.command).parent == OWN_DIR:
        doc["parsed_sample"] = parse_rows(case.platform, case.command, case.raw)
    return doc


def plain(value: Any) -> Any:
    """Tuples as lists, as YAML gives them back."""
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def write_all() -> list[Path]:
    from netatlas.collect.parsers import parse_output
    from netatlas.domain.errors import ParseError

    written = []
    for source, ctx in lab_contexts():
        for case in cases(source, ctx):
            try:  # a case ntc-templates cannot read (see test_parsers) is not a fixture
                parse_output(case.platform, case.command, case.raw, case.types)
            except ParseError as exc:
                print(f"skipped {case.platform} {case.command} {case.name}: {exc}")
                continue
            folder = fixture_dir(case.platform, case.pattern)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{case.name}.raw").write_text(case.raw)
            text = yaml.safe_dump(plain(document(case)), sort_keys=False, width=120)
            (folder / f"{case.name}.yml").write_text(text)
            written.append(folder / f"{case.name}.raw")
    return written


if __name__ == "__main__":
    print(f"{len(write_all())} fixtures written under {FIXTURES}")
