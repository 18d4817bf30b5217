"""Crawl from seeds: follow CDP/LLDP neighbors through their management addresses.

Only addresses inside the allowed ranges and platforms netatlas supports are visited; each
device is visited once (by address and by host name, so a device reached through two
addresses is not read twice); everything not visited is recorded as unmanaged, with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, ip_address

from netatlas.collect.platforms import detect_platform
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import DeviceResult, Neighbor, Unmanaged


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    depth: int
    allow: tuple[IPv4Network, ...]
    credentials: str
    port: int = 22


@dataclass(slots=True)
class Crawler:
    options: CrawlOptions
    depth_of: dict[str, int] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # normalised host names scheduled or identified
    addresses: set[str] = field(default_factory=set)
    unmanaged: dict[str, Unmanaged] = field(default_factory=dict)

    def seed(self, device: InventoryDevice) -> None:
        self.depth_of[device.name] = 0
        self.names.add(normalize_hostname(device.name))
        self.addresses.add(device.host)

    async def on_result(self, device: InventoryDevice, result: DeviceResult) -> list[InventoryDevice]:
        """The engine's callback: the neighbors of a finished device that should be visited next."""
        facts = result.records.facts
        if facts is not None and facts.hostname:
            self.names.add(normalize_hostname(facts.hostname))  # identified by its facts
        depth = self.depth_of.get(device.name, 0)
        found = []
        for neighbor in result.records.neighbors:
            candidate = self._candidate(device.name, neighbor, depth)
            if candidate is not None:
                found.append(candidate)
        return found

    def _candidate(self, seen_from: str, neighbor: Neighbor, depth: int) -> InventoryDevice | None:
        name = neighbor.remote_name
        if name in self.names or neighbor.mgmt_ip in self.addresses:
            return None
        reason = self._refusal(neighbor, depth)
        if reason:
            self.unmanaged.setdefault(name, Unmanaged(name, neighbor.mgmt_ip, reason, seen_from))
            return None
        platform = detect_platform(neighbor.remote_platform, neighbor.capabilities)
        assert platform is not None
        self.names.add(name)
        self.addresses.add(neighbor.mgmt_ip)
        self.unmanaged.pop(name, None)
        self.depth_of[name] = depth + 1
        return InventoryDevice(name=name, host=neighbor.mgmt_ip, platform=platform,
                               credentials=self.options.credentials, port=self.options.port,
                               tags=("crawled",))

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
