"""CDP and LLDP neighbors: one field map per (platform, command), one builder for all.

A :class:`NeighborFields` row names the template field that holds each part of a neighbor; the
builder normalises names (canonical local port, or :data:`UNKNOWN_INTERFACE` when the output has
none; short lower-case remote host name with the raw id kept, a chassis id or MAC kept whole),
validates the management address and turns LLDP capabilities into letter codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from netatlas.collect.parsers import fields as f
from netatlas.collect.parsers.common import first_line, lldp_capabilities, port
from netatlas.collect.parsers.table import CDP_OFF, DETAIL_TAIL, LLDP_OFF, Builder, Normaliser, Row, rx
from netatlas.domain.names import UNKNOWN_INTERFACE, is_mac, neighbor_identity
from netatlas.domain.records import DeviceRecords, Neighbor


@dataclass(frozen=True, slots=True)
class NeighborFields:
    protocol: str
    local: str
    name: str  # the advertised id (CDP Device ID / LLDP System Name)
    remote_interface: str
    mgmt: str = ""
    platform: str = ""
    capabilities: str = ""
    fallback_name: str = ""  # used when ``name`` is empty (LLDP without a system name: chassis id)
    local_optional: bool = False  # the output may omit the local port (older IOS LLDP): UNKNOWN_INTERFACE

    def required(self) -> frozenset[str]:
        names = (self.local, self.name, self.remote_interface, self.mgmt, self.platform, self.capabilities,
                 self.fallback_name)
        return frozenset(n for n in names if n)


def _get(row: Row, field: str) -> str:
    return f.first(row[field]).strip() if field else ""


def _neighbor(row: Row, m: NeighborFields, platform: str) -> Neighbor:
    name = _get(row, m.name)
    raw = name or _get(row, m.fallback_name)
    caps = _get(row, m.capabilities)
    local = _get(row, m.local)
    _require(raw, m.name, "no neighbor id")
    _require(_get(row, m.remote_interface), m.remote_interface, "no port id")
    _require(local or m.local_optional, m.local, "no local interface")
    return Neighbor(
        protocol=m.protocol,
        local_interface=port(local, platform) if local else UNKNOWN_INTERFACE,
        remote_name=neighbor_identity(raw, hostname=bool(name)),
        remote_interface=_get(row, m.remote_interface),
        remote_name_raw=raw,
        mgmt_ip=_mgmt(_get(row, m.mgmt), m.mgmt or "mgmt"),
        remote_platform=first_line(_get(row, m.platform)),
        capabilities=lldp_capabilities(caps) if m.protocol == "lldp" else " ".join(caps.split()),
    )


def _require(value: object, field: str, why: str) -> None:
    """A record without the parts every record has is a record cut short (or misread): refused."""
    if not value:
        raise f.FieldError(field, "", f"{why} (a record cut short?)")


def _mgmt(value: str, field: str) -> str:
    """The management IP; an LLDP management address of subtype MAC (``2cc2.6081.eaf9``) is no IP: ``""``.

    Examples:
        >>> _mgmt("2cc2.6081.eaf9", "mgmt_address"), _mgmt("10.0.0.1", "mgmt_address")
        ('', '10.0.0.1')
    """
    return "" if is_mac(value) else f.optional_ip(value, field)


def builder(m: NeighborFields) -> Builder:
    def build(rows: list[Row], platform: str) -> DeviceRecords:
        return DeviceRecords(neighbors=[_neighbor(r, m, platform) for r in rows])

    return build


def row(platform: str, command: str, m: NeighborFields, entries: str, quiet: str, **reading: Any) -> Normaliser:
    """A neighbor row; ``reading`` holds the :class:`Normaliser` reading rules (feature_off, total, ...)."""
    return Normaliser(platform, command, m.required(), builder(m), rx(entries), rx(quiet), **reading)


def detail_row(platform: str, command: str, m: NeighborFields, entries: str, quiet: str,
               off: re.Pattern[str], **reading: Any) -> Normaliser:
    """A CDP/LLDP *detail* row: free-form records (lenient), a management address that is not an
    address is emptied rather than losing the neighbor."""
    return row(platform, command, m, entries, f"{quiet}|{DETAIL_TAIL}", lenient=True, feature_off=off,
               optional=frozenset({m.mgmt} - {""}), **reading)


_CDP_TOTAL = rx(r"^Total cdp entries displayed\s*:\s*(?P<total>\d+)")
_LLDP_TOTAL = rx(r"^Total entries displayed:\s*(?P<total>\d+)")
_CDP_QUIET = r"\s*|Total cdp entries displayed : 0"
_IOS_CDP = NeighborFields("cdp", "local_interface", "neighbor_name", "neighbor_interface", "mgmt_address",
                          "platform", "capabilities")
_NXOS_CDP = NeighborFields("cdp", "local_interface", "chassis_id", "neighbor_interface", "mgmt_address",
                           "platform", "capabilities")
_IOS_LLDP = NeighborFields("lldp", "local_interface", "neighbor_name", "neighbor_port_id", "mgmt_address",
                           "neighbor_description", "capabilities", "chassis_id", local_optional=True)
_NXOS_LLDP = NeighborFields("lldp", "local_interface", "neighbor_name", "neighbor_interface", "mgmt_address",
                            "neighbor_description", "capabilities", "chassis_id")
_EOS_LLDP = NeighborFields("lldp", "local_interface", "neighbor_name", "neighbor_interface", "mgmt_address",
                           "neighbor_description", fallback_name="chassis_id")
_NXOS_LLDP_QUIET = (
    r"\s*|Capability codes:|\s+\(R\) Router.*|\s+\(W\) WLAN.*|Device ID\s+Local Intf.*"
    r"|Total entries displayed: 0"
)

NORMALISERS: tuple[Normaliser, ...] = (
    detail_row("cisco_ios", "show cdp neighbors detail", _IOS_CDP, r"^Device ID: ", _CDP_QUIET, CDP_OFF,
               total=_CDP_TOTAL),
    detail_row("cisco_nxos", "show cdp neighbors detail", _NXOS_CDP, r"^Device ID:", _CDP_QUIET, CDP_OFF,
               total=_CDP_TOTAL),
    detail_row("cisco_ios", "show lldp neighbors detail", _IOS_LLDP, r"^Chassis id: ",  # older IOS: no Local Intf
               r"\s*|-+|Total entries displayed: 0", LLDP_OFF, total=_LLDP_TOTAL),
    detail_row("cisco_nxos", "show lldp neighbors detail", _NXOS_LLDP, r"^Chassis id: ", _NXOS_LLDP_QUIET, LLDP_OFF,
               total=_LLDP_TOTAL),
    detail_row("arista_eos", "show lldp neighbors detail", _EOS_LLDP, r"^  Neighbor \S+",
               r"\s*|Interface \S+ detected 0 LLDP neighbors:", LLDP_OFF),
)
