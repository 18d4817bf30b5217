"""A platform is one row: every member of Platform has a complete collector row and naming row, and
the tables that used to restate platforms derive from the rows."""

from __future__ import annotations

import pytest

from netatlas.collect.parsers.parse import normaliser
from netatlas.collect.parsers.templates import NTC_ALIASES, OWN_DIR, OWN_TEMPLATES, template_file
from netatlas.collect.platforms import PLATFORMS, SIGNATURES, detect_platform, spec_for
from netatlas.collect.probe import platform_of_version
from netatlas.domain.inventory import SUPPORTED_PLATFORMS, platform_problem
from netatlas.domain.names import canonical_interface
from netatlas.domain.platforms import NAMING, Platform
from netatlas.domain.records import DataType

# One advertisement per platform, as its neighbors hear it (CDP platform / LLDP system description).
ADVERTISED = {
    Platform.CISCO_IOS: "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE)",
    Platform.CISCO_NXOS: "Cisco Nexus Operating System (NX-OS) Software 9.3(8)",
    Platform.ARISTA_EOS: "Arista Networks EOS version 4.30.1F running on an Arista Networks DCS-7050SX3-48YC8",
    Platform.JUNIPER_JUNOS: "Juniper Networks, Inc. qfx5120-48y Ethernet Switch, kernel JUNOS 21.4R3",
}


@pytest.mark.parametrize("platform", list(Platform))
def test_every_platform_has_a_complete_row(platform: Platform) -> None:
    spec = PLATFORMS[platform]
    assert spec.name is platform and platform in NAMING and spec.naming is NAMING[platform]
    assert spec.prompt.pattern and spec.paging_off and spec.errors and spec.marker
    assert spec.commands.get(DataType.FACTS), "facts are always collected"
    assert spec.all_routes and spec.signatures
    assert spec.unknown_form is not None or not spec.fallbacks
    for _pattern, name in spec.templates:
        assert (OWN_DIR / name).is_file(), name
    gate = spec.features
    if gate is not None:
        sent = {c for group in spec.commands.values() for c in group} | set(spec.fallbacks.values())
        assert gate.probe and gate.state.groupindex.keys() >= {"name", "state"}
        assert set(gate.commands) <= sent
    if spec.per_vrf is not None:
        for data_type, commands in spec.per_vrf.commands.items():
            assert data_type in spec.commands
            for command in commands:
                assert "{vrf}" in command
                assert normaliser(platform, command).command == command  # a parser row reads it


@pytest.mark.parametrize("platform", list(Platform))
def test_the_derived_tables_come_from_the_rows(platform: Platform) -> None:
    spec = PLATFORMS[platform]
    assert platform.value in SUPPORTED_PLATFORMS and platform_problem(platform.value) is None
    assert [p for _, p in SIGNATURES if p is platform] == [platform] * len(spec.signatures)
    assert {(p, name) for p, _, name in OWN_TEMPLATES if p is platform} == {(platform, n) for _, n in spec.templates}
    assert {(p, name) for p, _, name in NTC_ALIASES if p is platform} == {(platform, n) for _, n in spec.ntc_aliases}
    assert detect_platform(ADVERTISED[platform], "Router Switch") is platform
    assert platform_of_version(ADVERTISED[platform]) is platform
    assert spec_for(platform.value) is spec


def test_supported_platforms_are_exactly_the_enum() -> None:
    assert set(SUPPORTED_PLATFORMS) == {p.value for p in Platform} == set(PLATFORMS)
    assert spec_for("cisco_xr") is None


def test_name_fixes_are_the_platforms_own_spelling() -> None:
    spelled = {p: canonical_interface("Po7", p) for p in Platform if NAMING[p].fixes}
    assert spelled == {Platform.CISCO_IOS: "Port-channel7", Platform.CISCO_NXOS: "port-channel7",
                       Platform.ARISTA_EOS: "Port-Channel7"}
    assert NAMING[Platform.JUNIPER_JUNOS].physical("xe-0/0/51:0.0") == "xe-0/0/51:0"


def test_own_templates_take_precedence() -> None:
    assert template_file(Platform.JUNIPER_JUNOS, "show lldp neighbors interface ge-0/0/1").parent == OWN_DIR
