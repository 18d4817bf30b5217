"""Who a CDP/LLDP neighbor is: one managed device, exactly, or nobody we manage.

A neighbor is matched, in this order, by
1. its host name after normalisation (stored that way: no domain, lower case, no NX-OS
   ``(SERIAL)``) against each device's inventory name and its stored identity key;
2. its advertised management address against each device's inventory address;
3. its advertised management address against any interface address of a device.

Every match is an exact dictionary lookup: ``sw1`` never matches ``sw10``. A key that names two
devices is ambiguous: the neighbor is reported, never guessed. A neighbor that uses a managed
device's name with an address that device does not own (an impersonator on the management
network) is reported too, and kept apart from the device it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from netatlas.topology.model import DeviceInput


class Match(StrEnum):
    NAME = "name"
    MGMT_IP = "mgmt_ip"
    INTERFACE_IP = "interface_ip"
    NONE = "none"  # not a managed device: an unmanaged neighbor
    AMBIGUOUS = "ambiguous"  # the key names more than one device
    IMPERSONATION = "impersonation"  # a managed name with an address that device does not own


@dataclass(frozen=True, slots=True)
class Resolution:
    match: Match
    device: str = ""  # the managed device (NAME, MGMT_IP, INTERFACE_IP)
    candidates: tuple[str, ...] = ()  # AMBIGUOUS: the devices the key names; IMPERSONATION: the device named

    @property
    def managed(self) -> bool:
        return bool(self.device)


def addresses(device: DeviceInput) -> set[str]:
    """Every IPv4/IPv6 address the device holds (interfaces, without prefix length)."""
    cols = device.table().interfaces
    found = {a.split("/", 1)[0] for spelled in (cols.ipv4, cols.ipv6) for held in filter(None, spelled) for a in held}
    if device.mgmt_ip:
        found.add(device.mgmt_ip)
    return found


class Resolver:
    """Exact indexes over the inventory: names, management addresses, interface addresses."""

    def __init__(self, devices: Sequence[DeviceInput]) -> None:
        self._by_name = _index((key, d.name) for d in devices for key in {d.name.lower(), d.identity} if key)
        self._by_mgmt = _index((d.mgmt_ip, d.name) for d in devices if d.mgmt_ip)
        self._owned = {d.name: addresses(d) for d in devices}
        self._interfaces_known = {d.name for d in devices if d.table().interfaces.name}
        self._by_address = _index((a, d.name) for d in devices for a in self._owned[d.name])
        self._known: dict[tuple[str, str], Resolution] = {}  # a neighbor is heard by several devices

    def resolve(self, remote_name: str, mgmt_ip: str = "") -> Resolution:
        """The device a neighbor advertising ``remote_name`` (normalised) and ``mgmt_ip`` is, or why it
        is none (see the module docstring).

        Examples:
            >>> from netatlas.domain.records import DeviceRecords, Interface
            >>> r = Resolver([DeviceInput("sw1", "cisco_ios", "10.0.0.1", DeviceRecords()),
            ...               DeviceInput("sw10", "cisco_ios", "10.0.0.10", DeviceRecords())])
            >>> r.resolve("sw1").device
            'sw1'
            >>> r.resolve("sw").match
            <Match.NONE: 'none'>
            >>> r.resolve("phone7", mgmt_ip="10.0.0.10").device
            'sw10'
        """
        key = (remote_name, mgmt_ip)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._resolve(remote_name, mgmt_ip)
        return found

    def _resolve(self, remote_name: str, mgmt_ip: str) -> Resolution:
        name = remote_name.lower()
        named = self._by_name.get(name, ())
        if len(named) > 1:
            return Resolution(Match.AMBIGUOUS, candidates=tuple(sorted(named)))
        if named:
            device = next(iter(named))
            if mgmt_ip and device in self._interfaces_known and mgmt_ip not in self._owned[device]:
                return Resolution(Match.IMPERSONATION, candidates=(device,))
            return Resolution(Match.NAME, device)
        for index, match in ((self._by_mgmt, Match.MGMT_IP), (self._by_address, Match.INTERFACE_IP)):
            found = index.get(mgmt_ip, ()) if mgmt_ip else ()
            if len(found) > 1:
                return Resolution(Match.AMBIGUOUS, candidates=tuple(sorted(found)))
            if found:
                return Resolution(match, next(iter(found)))
        return Resolution(Match.NONE)


def _index(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for key, name in pairs:
        index[key].add(name)
    return dict(index)
