"""JunOS captures that are not simply "complete and equal to the .yml" (see :class:`tests.corpus.realdata.Expect`).

Keyed by capture name (the ``.raw`` file's stem).

netatlas reads most JunOS commands with its own templates (``collect/templates/juniper_junos_*``),
whose rows differ from ntc-templates' (a list of addresses per unit, a list of RIB lines per BGP
peer, one row per chassis member). Where the .yml's rows hold the same facts in ntc's shape,
:func:`same_as_yml` rebuilds them in ours and compares (the .yml stays the reference); where the
.yml is wrong or incomplete, ``yml_wrong`` says why and ``check`` states the records by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netatlas.collect.parsers.parse import build_valid, normaliser
from netatlas.domain.datatypes import select
from netatlas.domain.records import DeviceRecords, Facts
from tests.corpus.realdata import LINK, Expect, blank, captures, yml_rows
from tests.support.expected import canonical

PLATFORM = "juniper_junos"
Adapt = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def same_as_yml(name: str, adapt: Adapt) -> Callable[[DeviceRecords], bool]:
    """A check: our records equal our builder's records from the capture's .yml rows in our template's shape."""

    def check(records: DeviceRecords) -> bool:
        return canonical(records) == canonical(_from_yml(name, adapt))

    return check


def _from_yml(name: str, adapt: Adapt) -> DeviceRecords:
    capture = next(c for c in captures(PLATFORM) if c.name == name)
    row = normaliser(PLATFORM, capture.command)
    built, _, _ = build_valid(row, adapt(yml_rows(capture)), PLATFORM, capture.id)
    return select(built, capture.data_types())


def links_and_yml(name: str, shown: dict[str, tuple[object, ...]]) -> Callable[[DeviceRecords], bool]:
    """An interface check: the records equal the .yml's rows rebuilt (:func:`_interface_rows`) apart from the port's
    channel, speed and duplex (ntc-templates reads none), and the ports showing any are exactly ``shown``."""

    def check(records: DeviceRecords) -> bool:
        ours = {i.name: (i.channel, i.speed_mbps, i.duplex) for i in records.interfaces
                if (i.channel, i.speed_mbps, i.duplex) != ("", None, "")}
        theirs = canonical(blank(_from_yml(name, _interface_rows), LINK))
        return canonical(blank(records, LINK)) == theirs and ours == shown

    return check


def _bgp_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ntc: one row per (peer, RIB line) with the RIB's counts as fields -> ours: the RIB lines as a list."""
    return [{**r, "counts": "", "rib": [{"table": r["interface"], "received": r["received"]}] if r["interface"] else []}
            for r in rows]


def _interface_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ntc: one Destination/Local pair per unit -> ours: the unit's addresses as a list."""
    return [{**r, "address": [{"destination": r["destination"] or "Unspecified", "local": r["local"]}]
             if r["local"] else []} for r in rows]


def _facts(expected: Facts) -> Callable[[DeviceRecords], bool]:
    return lambda r: r.facts == expected


_PACKAGES_ONLY = "the .yml has no version: no Junos: line, but every JUNOS package is {version}"

EXPECT: dict[str, Expect] = {
    # ---- show bgp summary: every peer here is Established, in a VRF (its RIB line says which)
    "show_bgp_summary": Expect(
        reason="read with netatlas's template (keeps peers in every state); the .yml's rows rebuilt in its shape",
        check=same_as_yml("show_bgp_summary", _bgp_rows),
        yml_wrong="the .yml's rows have ntc-templates' shape (one per RIB line): compared by the check",
    ),
    # ---- show ethernet-switching table: the VLAN column is a name; ntc strips 'Vlan' into vlan_id
    "juniper_junos_show_ethernet-switching_table": Expect(
        reason="ELS table with DL/DR flags (both learned) and NH/RTR columns; Vlan2 is VLAN 2",
        yml_fields={"vlan_id": "vlan_name"},
        check=lambda r: [(e.vlan, e.dynamic) for e in r.mac_table] == [(2, True), (100, True), (1011, True)],
    ),
    "juniper_junos_show_ethernet-switching_table1": Expect(
        reason="ELS table, DL flags (learned locally)", yml_fields={"vlan_id": "vlan_name"},
    ),
    "juniper_junos_show_ethernet-switching_table_14.1X53-D47.6": Expect(
        reason="VLAN names that state no tag (BD-903691) keep the entry with VLAN 0 (unknown); today's "
               "parser silently dropped them (1 of 3 entries)",
        yml_fields={"vlan_id": "vlan_name"},
        check=lambda r: sorted(e.vlan for e in r.mac_table) == [0, 0, 3117],
    ),
    # ---- show interfaces
    "juniper_junos_show_interfaces": Expect(
        reason="read with netatlas's template (every address of a unit, inet6 too; 'Link-mode: Half-duplex, Speed: "
               "1000mbps' on its own line; tunnel and service PICs print 'Speed: 800mbps'); the .yml's rows rebuilt",
        check=links_and_yml("juniper_junos_show_interfaces", {
            "ge-0/0/0": ("", 1000, "half"), **{p: ("", 800, "") for p in (
                "gr-0/0/0", "ip-0/0/0", "lt-0/0/0", "mt-0/0/0", "sp-0/0/0")}}),
        yml_wrong="the .yml's rows have ntc-templates' shape (one address per unit) and no speed or duplex: "
                  "compared by the check",
    ),
    "juniper_junos_show_interfaces2": Expect(
        reason="read with netatlas's template ('Speed: 10Gbps' is the operating speed, not the trailing "
               "'Speed Configuration: 1G'); the .yml's rows rebuilt",
        check=links_and_yml("juniper_junos_show_interfaces2", {"xe-0/1/0": ("", 10000, "")}),
        yml_wrong="the .yml's rows have ntc-templates' shape (one address per unit) and no speed: compared by the "
                  "check",
    ),
    "juniper_junos_show_interfaces_irb": Expect(
        reason="the contributor replaced every address with the placeholder x.x.x.x: no valid address, refused",
        error=r"not an interface address: 'x\.x\.x\.x",
    ),
    # ---- show version: one Facts per device, members listed (virtual chassis, SRX cluster)
    "juniper_junos_show_version": Expect(
        reason="a one-member fpc0: section; serial from 'Serial Number:' (QFabric)",
        check=_facts(Facts("lab", "mx240", "qfsn-0123456789", "13.3R1.4", "juniper", members=("fpc0",))),
        yml_wrong="ntc-templates reads no member names",
    ),
    "juniper_junos_show_version_ex": Expect(
        reason="virtual chassis of two members: one Facts, members fpc0 and fpc1; no Junos: line, the "
               "release from the JUNOS packages",
        check=_facts(Facts("lab", "ex4550-32f", "", "13.2X51-D35.3", "juniper", members=("fpc0", "fpc1"))),
        yml_wrong="ntc-templates merges both members into one row and lists their packages twice",
    ),
    "juniper_junos_show_version_qfx5100": Expect(
        reason="a one-member fpc0: section (the contributor masked the host name as asxx.xx.xx)",
        check=_facts(Facts("asxx.xx.xx", "qfx5100-48t-6q", "", "21.4R3-S3.4", "juniper", members=("fpc0",))),
        yml_wrong="ntc-templates reads no member names",
    ),
    "juniper_junos_show_version_srx_cluster": Expect(
        reason="SRX chassis cluster: one Facts, members node0 and node1; {primary:node0} before the prompt",
        check=_facts(Facts("lab", "srx1500", "", "19.4R3-S1.3", "juniper", members=("node0", "node1"))),
        yml_wrong="ntc-templates merges both nodes into one row and reads no member names",
    ),
    "juniper_junos_show_version_vmhost": Expect(
        reason="no Junos: line: the release is the JUNOS packages' version",
        check=_facts(Facts("MyRouter", "nfx250_att_s1_10_t", "", "21.1X3.3", "juniper")),
        yml_wrong=_PACKAGES_ONLY.format(version="21.1X3.3 (the RPD, Openconfig and telemetry packages)"),
    ),
}
