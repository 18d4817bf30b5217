"""Crawl from seeds: follow CDP/LLDP neighbors through their management addresses.

A neighbor advertisement is untrusted input, so the crawl can be pointed but not steered:

* only addresses inside the allowed ranges and platforms netatlas supports are visited, each
  device once (by address and by host name); a neighbor whose name is not a valid device name
  (``validate_device_name``, as strict as the inventory's) is recorded unmanaged with why;
* a device is visited only after the inventory accepted it (:class:`Registry`, the database in
  production): a new name is stored as ``crawled`` with the device that advertised it; a name
  already stored at the same address is visited as stored (an operator's entry with its own
  credential set); a name stored at another address, or an address stored under another name,
  is a conflict, recorded and never visited, so no credential goes to the advertised address;
* crawled devices log in with the crawl credential set (``--crawl-credentials``), which may
  differ from the seeds'; host keys are checked by the transport before any password is sent
  (under ``strict`` a crawled device without a trusted key fails ``host_key_unknown``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network, ip_address
from typing import Protocol

from netatlas.collect.platforms import detect_platform
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.names import normalize_hostname, validate_device_name
from netatlas.domain.records import DeviceResult, Neighbor, Unmanaged
from netatlas.domain.text import clean
from netatlas.store import Claim, Database, DeviceRepo, InventoryConflict, Origin

INVENTORY_CONFLICT = "inventory conflict"  # Unmanaged.reason of a refused advertisement


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    depth: int
    allow: tuple[IPv4Network, ...]
    credentials: str  # the seeds' credential set (a seed given by address is probed with it)
    port: int = 22
    crawl_credentials: str = ""  # crawled devices' credential set; "" means the seeds'

    @property
    def neighbor_credentials(self) -> str:
        """The credential set sent to crawled devices.

        Examples:
            >>> CrawlOptions(1, (), "seed").neighbor_credentials
            'seed'
            >>> CrawlOptions(1, (), "seed", crawl_credentials="crawl").neighbor_credentials
            'crawl'
        """
        return self.crawl_credentials or self.credentials


class Registry(Protocol):
    """The inventory as the crawl sees it: it may add entries, never change one."""

    def claim(self, device: InventoryDevice, advertised_by: str) -> Claim: ...

    def conflict(self, conflict: InventoryConflict) -> None: ...


@dataclass(frozen=True, slots=True)
class DatabaseRegistry:
    """:class:`Registry` over the database (``DeviceRepo.claim``), conflicts filed under the job."""

    db: Database
    job_id: str

    def claim(self, device: InventoryDevice, advertised_by: str) -> Claim:
        with self.db.session() as session:
            return DeviceRepo(session).claim(device, Origin.CRAWLED, advertised_by=advertised_by, job_id=self.job_id)

    def conflict(self, conflict: InventoryConflict) -> None:
        with self.db.session() as session:
            DeviceRepo(session).record_conflict(replace(conflict, job_id=self.job_id))


@dataclass(slots=True)
class Crawler:
    options: CrawlOptions
    registry: Registry
    depth_of: dict[str, int] = field(default_factory=dict)
    host_of: dict[str, str] = field(default_factory=dict)  # normalised names scheduled or identified -> address
    addresses: set[str] = field(default_factory=set)
    unmanaged: dict[str, Unmanaged] = field(default_factory=dict)
    _refused: set[tuple[str, str]] = field(default_factory=set)  # (name, address) already recorded as conflicts

    def seed(self, device: InventoryDevice) -> None:
        self.depth_of[device.name] = 0
        self.host_of.setdefault(normalize_hostname(device.name), device.host)
        self.addresses.add(device.host)

    async def on_result(self, device: InventoryDevice, result: DeviceResult) -> list[InventoryDevice]:
        """The engine's callback: the neighbors of a finished device that should be visited next."""
        facts = result.records.facts
        if facts is not None and facts.hostname:
            self.host_of.setdefault(normalize_hostname(facts.hostname), device.host)  # identified by its facts
        depth = self.depth_of.get(device.name, 0)
        found = []
        for neighbor in result.records.neighbors:
            candidate = await self._candidate(device.name, neighbor, depth)
            if candidate is not None:
                found.append(candidate)
        return found

    async def _candidate(self, seen_from: str, neighbor: Neighbor, depth: int) -> InventoryDevice | None:
        name, address = neighbor.remote_name, neighbor.mgmt_ip
        problem = _name_problem(name)
        if problem:
            self._skip(Unmanaged(clean(name), address, f"invalid name: {problem}", seen_from))
            return None
        if name in self.host_of:
            await self._check_same_address(name, address, seen_from)
            return None
        if address in self.addresses:
            return None
        reason = self._refusal(neighbor, depth)
        if reason:
            self._skip(Unmanaged(name, address, reason, seen_from))
            return None
        if (name, address) in self._refused:
            return None
        platform = detect_platform(neighbor.remote_platform, neighbor.capabilities)
        assert platform is not None
        offered = InventoryDevice(name=name, host=address, platform=platform.value,
                                  credentials=self.options.neighbor_credentials, port=self.options.port,
                                  tags=("crawled",))
        claim = await asyncio.to_thread(self.registry.claim, offered, seen_from)
        if not claim.accepted:
            self._refused.add((name, address))
            self._skip(Unmanaged(name, address, INVENTORY_CONFLICT, seen_from))
            return None
        return self._schedule(self._visited_as(claim), depth + 1)

    def _visited_as(self, claim: Claim) -> InventoryDevice:
        """An operator's entry is visited as stored; one crawled before gets this crawl's credential and port."""
        if claim.origin is Origin.INVENTORY:
            return claim.device
        return replace(claim.device, credentials=self.options.neighbor_credentials, port=self.options.port)

    def _schedule(self, device: InventoryDevice, depth: int) -> InventoryDevice:
        self.host_of[device.name] = device.host
        self.addresses.add(device.host)
        self.unmanaged.pop(device.name, None)
        self.depth_of[device.name] = depth
        return device

    async def _check_same_address(self, name: str, address: str, seen_from: str) -> None:
        """A name this job already reads, advertised at another (allowed) address: record it once."""
        known = self.host_of[name]
        if not address or address == known or not self._allowed(address) or (name, address) in self._refused:
            return
        self._refused.add((name, address))
        conflict = InventoryConflict(name, known, address, seen_from, f"name already read at {known} by this job")
        await asyncio.to_thread(self.registry.conflict, conflict)

    def _skip(self, unmanaged: Unmanaged) -> None:
        self.unmanaged.setdefault(unmanaged.name, unmanaged)

    def _refusal(self, neighbor: Neighbor, depth: int) -> str:
        if not neighbor.mgmt_ip:
            return "no management address"
        if not self._allowed(neighbor.mgmt_ip):
            return "outside --allow"
        if detect_platform(neighbor.remote_platform, neighbor.capabilities) is None:
            return "unsupported platform"
        if depth >= self.options.depth:
            return "beyond --depth"
        return ""

    def _allowed(self, address: str) -> bool:
        try:
            ip = ip_address(address)
        except ValueError:
            return False
        return isinstance(ip, IPv4Address) and any(ip in net for net in self.options.allow)


def _name_problem(name: str) -> str:
    """Why an advertised (normalised) name may not name a device, or "".

    Examples:
        >>> _name_problem("sw1"), _name_problem("[/]crash")
        ('', "character '[' at position 1: device names are ASCII letters, digits, '-', '_', '.'")
    """
    try:
        validate_device_name(name)
    except ValueError as exc:
        return str(exc)
    return ""
