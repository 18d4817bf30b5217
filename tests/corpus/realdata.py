"""The real-output corpus (``../shared/realdata/ntc-templates``): where it is, and which command each capture is.

Captures are read in place (never copied into the repository). Each capture directory is named after
the command its contributor ran; :data:`COMMANDS` maps it to the command netatlas sends for the same
output (the nearest form: ``show arp`` prints what ``show ip arp`` prints), with the data types that
command serves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from netatlas.collect.parsers.parse import build_valid, normaliser
from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.datatypes import select
from netatlas.domain.records import ROUTE_TYPES, Coverage, DataType, DeviceRecords, Interface
from tests.support.expected import canonical


def _realdata() -> Path:
    """``NETATLAS_REALDATA`` if set, else ``shared/realdata`` beside the checkout, else the workplace's copy."""
    named = os.environ.get("NETATLAS_REALDATA")
    if named:
        return Path(named)
    candidates = (Path(__file__).resolve().parents[2].parent / "shared" / "realdata", Path("/work/shared/realdata"))
    return next((c for c in candidates if c.is_dir()), candidates[0])


REALDATA = _realdata()
CORPUS = REALDATA / "ntc-templates"

# (platform, capture directory) -> the command netatlas sends that prints this output.
COMMANDS: dict[tuple[str, str], str] = {
    ("arista_eos", "show_hostname"): "show hostname",
    ("arista_eos", "show_interfaces"): "show interfaces",
    ("arista_eos", "show_ip_arp"): "show ip arp vrf all",
    ("arista_eos", "show_ip_bgp_summary"): "show ip bgp summary vrf all",
    ("arista_eos", "show_ip_ospf_neighbor"): "show ip ospf neighbor vrf all",
    ("arista_eos", "show_ip_route"): "show ip route vrf all",
    ("arista_eos", "show_lldp_neighbors_detail"): "show lldp neighbors detail",
    ("arista_eos", "show_mac_address-table"): "show mac address-table",
    ("arista_eos", "show_version"): "show version",
    ("cisco_ios", "show_arp"): "show ip arp",
    ("cisco_ios", "show_cdp_neighbors_detail"): "show cdp neighbors detail",
    ("cisco_ios", "show_interfaces"): "show interfaces",
    ("cisco_ios", "show_ip_arp"): "show ip arp",
    ("cisco_ios", "show_ip_bgp_summary"): "show ip bgp summary",
    ("cisco_ios", "show_ip_ospf_neighbor"): "show ip ospf neighbor",
    ("cisco_ios", "show_ip_route"): "show ip route vrf *",
    ("cisco_ios", "show_lldp_neighbors_detail"): "show lldp neighbors detail",
    ("cisco_ios", "show_mac-address-table"): "show mac address-table",
    ("cisco_ios", "show_version"): "show version",
    ("cisco_nxos", "show_cdp_neighbors_detail"): "show cdp neighbors detail",
    ("cisco_nxos", "show_interface"): "show interface",
    ("cisco_nxos", "show_ip_arp"): "show ip arp vrf all",
    ("cisco_nxos", "show_ip_arp_detail_vrf_all"): "show ip arp vrf all",
    ("cisco_nxos", "show_ip_bgp_summary"): "show ip bgp summary vrf all",
    ("cisco_nxos", "show_ip_bgp_summary_vrf"): "show ip bgp summary vrf all",
    ("cisco_nxos", "show_ip_ospf_neighbor"): "show ip ospf neighbors vrf all",
    ("cisco_nxos", "show_ip_route"): "show ip route vrf all",
    ("cisco_nxos", "show_lldp_neighbors_detail"): "show lldp neighbors detail",
    ("cisco_nxos", "show_mac_address-table"): "show mac address-table",
    ("cisco_nxos", "show_version"): "show version",
    ("juniper_junos", "show_arp_no-resolve"): "show arp no-resolve",
    ("juniper_junos", "show_bgp_summary"): "show bgp summary",
    ("juniper_junos", "show_ethernet-switching_table"): "show ethernet-switching table",
    ("juniper_junos", "show_interfaces"): "show interfaces",
    ("juniper_junos", "show_lldp_neighbors"): "show lldp neighbors",
    ("juniper_junos", "show_ospf_neighbor"): "show ospf neighbor",
    ("juniper_junos", "show_version"): "show version",
}


@dataclass(frozen=True, slots=True)
class Capture:
    """One real capture: ``<platform>/<directory>/<name>.raw`` and the command netatlas sends for it."""

    platform: str
    directory: str
    name: str  # the file stem, unique across the corpus
    command: str

    @property
    def raw(self) -> Path:
        return CORPUS / self.platform / self.directory / f"{self.name}.raw"

    @property
    def yml(self) -> Path:
        return self.raw.with_suffix(".yml")

    @property
    def id(self) -> str:
        return f"{self.platform}/{self.directory}/{self.name}"

    def text(self) -> str:
        return self.raw.read_text(encoding="utf-8", errors="replace")

    def data_types(self) -> frozenset[DataType]:
        return data_types(self.platform, self.command)


def data_types(platform: str, command: str) -> frozenset[DataType]:
    """The data types ``command`` serves in the platform table (the whole RIB for the all-routes form).

    Examples:
        >>> sorted(t.value for t in data_types("cisco_ios", "show ip arp"))
        ['arp', 'facts']
    """
    spec = PLATFORMS[platform]
    served = {t for t, commands in spec.commands.items() if command in commands}
    if command == spec.all_routes:
        served |= ROUTE_TYPES
    return frozenset(served) | {DataType.FACTS}


def captures(platform: str | None = None) -> list[Capture]:
    """Every capture of the corpus (or of one platform), sorted; raises when the corpus is missing."""
    if not CORPUS.is_dir():
        raise FileNotFoundError(f"the real-output corpus is missing: {CORPUS} (it is checked out beside the repo; "
                                f"or set NETATLAS_REALDATA)")
    found = []
    for raw in sorted(CORPUS.glob("*/*/*.raw")):
        key = (raw.parent.parent.name, raw.parent.name)
        if platform is None or key[0] == platform:
            found.append(Capture(key[0], key[1], raw.stem, COMMANDS[key]))
    return found


def yml_rows(capture: Capture, rename: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """ntc-templates' parse of the capture (its ``.yml``), keys lower-case, renamed where the .yml is stale."""
    doc = yaml.safe_load(capture.yml.read_text()) or {}
    rename = rename or {}
    return [{rename.get(k.lower(), k.lower()): v for k, v in row.items()} for row in doc.get("parsed_sample") or []]


def records_from_yml(capture: Capture, rename: dict[str, str] | None = None) -> DeviceRecords:
    """What our normaliser makes of the .yml's rows (invalid rows dropped exactly as a parse drops them)."""
    row = normaliser(capture.platform, capture.command)
    records, _, _ = build_valid(row, yml_rows(capture, rename), capture.platform, capture.id)
    return select(records, capture.data_types())


Check = Callable[[DeviceRecords], bool]


_INTERFACE_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Interface)}
LINK = ("channel", "speed_mbps", "duplex")  # what a port says about its link (its aggregate, speed, duplex)


def blank(records: DeviceRecords, names: tuple[str, ...]) -> DeviceRecords:
    """The interfaces with the ``names`` fields at their defaults (the records of other kinds dropped)."""
    return DeviceRecords(interfaces=[replace(i, **{n: _INTERFACE_DEFAULTS[n] for n in names})
                                     for i in records.interfaces])


def interface_check(platform: str, name: str, unread: tuple[str, ...],
                    shown: dict[str, tuple[object, ...]]) -> Callable[[DeviceRecords], bool]:
    """A check for an interface capture whose .yml cannot hold the ``unread`` fields (ntc-templates does not read
    them): our records equal the .yml's apart from those fields, and the interfaces where those fields are not at
    their defaults are exactly ``shown`` (name -> their values, in ``unread`` order)."""

    def check(records: DeviceRecords) -> bool:
        capture = next(c for c in captures(platform) if c.name == name)
        theirs = canonical(blank(records_from_yml(capture), unread))
        defaults = tuple(_INTERFACE_DEFAULTS[n] for n in unread)
        ours = {i.name: values for i in records.interfaces
                if (values := tuple(getattr(i, n) for n in unread)) != defaults}
        return canonical(blank(records, unread)) == theirs and ours == shown

    return check


@dataclass(frozen=True, slots=True)
class Expect:
    """What parsing one capture must give, when it is not simply "complete, equal to the .yml".

    * ``coverage``: PARTIAL (or FEATURE_OFF) with ``reason``; ``unparsed`` is a text one of the
      outcome's unparsed lines must contain (so it is partial for the stated reason);
    * ``error``: a ParseError is expected; the regex its message must match (and ``reason``);
    * ``yml_fields``: the .yml was written by an older template (field renamed): old -> new name;
    * ``yml_wrong``: the .yml is not the capture's content (why); records are checked by ``check`` only;
    * ``check``: an independent assertion on our records (asdot values, entries that must not appear).
    """

    coverage: Coverage = Coverage.COMPLETE
    reason: str = ""
    unparsed: str = ""
    error: str = ""
    yml_fields: dict[str, str] = field(default_factory=dict)
    yml_wrong: str = ""
    check: Check | None = None


def summary() -> dict[tuple[str, str], tuple[int, int]]:
    """(platform, capture directory) -> (captures read complete or feature-off, captures)."""
    from netatlas.collect.parsers import parse_command
    from netatlas.domain.errors import ParseError

    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for cap in captures():
        key = (cap.platform, cap.directory)
        good, total = counts.get(key, (0, 0))
        try:
            outcome = parse_command(cap.platform, cap.command, cap.text(), cap.data_types())
            good += outcome.coverage is not Coverage.PARTIAL
        except ParseError:
            pass
        counts[key] = (good, total + 1)
    return counts


if __name__ == "__main__":  # python -m tests.corpus.realdata: complete reads per platform and command
    for (platform, directory), (good, total) in sorted(summary().items()):
        print(f"{platform:15} {directory:32} {good:3} / {total}")
