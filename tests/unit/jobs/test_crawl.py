"""Crawl decisions: allowed ranges, supported platforms, depth, visit once, unmanaged reasons, and what the
inventory (a fake registry with the database's rules) accepts: the crawl never changes or bypasses it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from ipaddress import IPv4Network

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceResult, Facts, Neighbor
from netatlas.jobs.crawl import INVENTORY_CONFLICT, Crawler, CrawlOptions
from netatlas.store import Claim, ClaimOutcome, InventoryConflict, Origin

NX = ("cisco N9K-C93180YC-FX", "Router Switch")
OPTIONS = CrawlOptions(depth=2, allow=(IPv4Network("127.20.0.0/16"),), credentials="lab")


def nbr(name: str, ip: str, platform: tuple[str, str] = NX, local: str = "Ethernet1/1") -> Neighbor:
    return Neighbor("cdp", local, name, "Ethernet1/2", mgmt_ip=ip, remote_platform=platform[0],
                    capabilities=platform[1])


def result(name: str, *neighbors: Neighbor) -> DeviceResult:
    out = DeviceResult(name, ok=True)
    out.records.facts = Facts(name)
    out.records.neighbors = list(neighbors)
    return out


@dataclass(slots=True)
class FakeInventory:
    """The rules of ``DeviceRepo.claim`` over a dict: insert-only, a taken name or address is a conflict."""

    stored: dict[str, tuple[InventoryDevice, Origin]] = field(default_factory=dict)
    conflicts: list[InventoryConflict] = field(default_factory=list)
    offered: list[InventoryDevice] = field(default_factory=list)

    def claim(self, device: InventoryDevice, advertised_by: str) -> Claim:
        self.offered.append(device)
        owner = next((d for d, _ in self.stored.values() if d.host == device.host and d.name != device.name), None)
        known = self.stored.get(device.name)
        taken = owner or (known[0] if known is not None and known[0].host != device.host else None)
        if taken is not None:
            self.conflict(InventoryConflict(device.name, taken.host, device.host, advertised_by, "taken"))
            return Claim(ClaimOutcome.CONFLICT, device, Origin.CRAWLED, "taken")
        if known is not None:
            return Claim(ClaimOutcome.KNOWN, *known)
        self.stored[device.name] = (device, Origin.CRAWLED)
        return Claim(ClaimOutcome.ADDED, device, Origin.CRAWLED)

    def conflict(self, conflict: InventoryConflict) -> None:
        self.conflicts.append(conflict)


def seed(inventory: FakeInventory | None = None, options: CrawlOptions = OPTIONS) -> tuple[Crawler, InventoryDevice]:
    crawler = Crawler(options, inventory or FakeInventory())
    device = InventoryDevice("core1", "127.20.0.1", "cisco_nxos", "lab")
    crawler.seed(device)
    return crawler, device


def test_follows_supported_neighbors_inside_the_allowed_range() -> None:
    crawler, core = seed()
    found = asyncio.run(crawler.on_result(core, result("core1", nbr("sw1", "127.20.0.5"),
                                                       nbr("sw10", "127.20.0.6"))))
    assert [(d.name, d.host, d.platform, d.credentials) for d in found] == [
        ("sw1", "127.20.0.5", "cisco_nxos", "lab"), ("sw10", "127.20.0.6", "cisco_nxos", "lab")]


def test_never_visits_twice_by_name_or_address() -> None:
    crawler, core = seed()
    first = asyncio.run(crawler.on_result(core, result("core1", nbr("sw1", "127.20.0.5"))))
    again = asyncio.run(crawler.on_result(first[0], result("sw1", nbr("core1", "127.20.0.1"),
                                                            nbr("sw1-alias", "127.20.0.5"))))
    assert len(first) == 1 and again == []


def test_records_what_it_may_not_or_cannot_visit() -> None:
    crawler, core = seed()
    phone = ("Cisco IP Phone 8865", "Host Phone")
    firewall = ("Palo Alto Networks PA-3220", "R")
    found = asyncio.run(crawler.on_result(core, result(
        "core1", nbr("outside", "10.1.1.1"), nbr("sep001122", "127.20.9.9", phone), nbr("fw", "127.20.8.8", firewall),
        nbr("nomgmt", ""))))
    assert found == []
    reasons = {u.name: u.reason for u in crawler.unmanaged.values()}
    assert reasons == {"outside": "outside --allow", "sep001122": "unsupported platform",
                       "fw": "unsupported platform", "nomgmt": "no management address"}


def test_depth_limits_the_crawl() -> None:
    crawler, core = seed()
    level1 = asyncio.run(crawler.on_result(core, result("core1", nbr("a", "127.20.0.2"))))
    level2 = asyncio.run(crawler.on_result(level1[0], result("a", nbr("b", "127.20.0.3"))))
    level3 = asyncio.run(crawler.on_result(level2[0], result("b", nbr("c", "127.20.0.4"))))
    assert [d.name for d in level1 + level2] == ["a", "b"] and level3 == []
    assert crawler.unmanaged["c"].reason == "beyond --depth"


def test_prefix_names_are_distinct_devices() -> None:
    crawler, core = seed()
    found = asyncio.run(crawler.on_result(core, result("core1", nbr("core10", "127.20.0.7"))))
    assert [d.name for d in found] == ["core10"]


def test_crawled_devices_use_the_crawl_credentials() -> None:
    crawler, core = seed(options=CrawlOptions(depth=2, allow=OPTIONS.allow, credentials="seed", port=2222,
                                              crawl_credentials="crawl"))
    found = asyncio.run(crawler.on_result(core, result("core1", nbr("sw1", "127.20.0.5"))))
    assert [(d.credentials, d.port) for d in found] == [("crawl", 2222)]


def test_invalid_neighbor_names_are_unmanaged_with_the_reason() -> None:
    inventory = FakeInventory()
    crawler, core = seed(inventory)
    found = asyncio.run(crawler.on_result(core, result(
        "core1", nbr("[/]crash", "127.20.0.5"), nbr("sw1\x1b]0;t\x07", "127.20.0.6"), nbr("c\u043ere9", "127.20.0.7"),
        nbr("x" * 300, "127.20.0.8"))))
    assert found == [] and inventory.offered == [], "never offered to the inventory, never visited"
    reasons = {u.name: u.reason for u in crawler.unmanaged.values()}
    assert reasons["[/]crash"].startswith("invalid name: character '['")
    assert reasons["sw1\\x1b]0;t\\x07"].startswith("invalid name:"), "stored cleaned: escapes made visible"
    assert reasons["c\u043ere9"].startswith("invalid name: non-ASCII character U+043E")
    assert reasons["x" * 300].startswith("invalid name: 300 characters")
    assert all("\x1b" not in u.name and "\u202e" not in u.name for u in crawler.unmanaged.values())


def test_a_name_stored_at_another_address_is_a_conflict_and_not_visited() -> None:
    """The attack of issue 7: a rogue advertises an inventory device's name at its own address."""
    inventory = FakeInventory()
    dist1 = InventoryDevice("dist1", "127.20.0.2", "cisco_ios", "operator-creds", site="hq", role="dist")
    inventory.stored["dist1"] = (dist1, Origin.INVENTORY)
    crawler, core = seed(inventory)
    found = asyncio.run(crawler.on_result(core, result("core1", nbr("dist1", "127.20.0.66"))))
    assert found == [], "the advertised address is never visited under that name"
    assert inventory.stored["dist1"] == (dist1, Origin.INVENTORY), "the stored entry is unchanged"
    assert [(c.name, c.stored_host, c.advertised_host, c.advertised_by) for c in inventory.conflicts] == [
        ("dist1", "127.20.0.2", "127.20.0.66", "core1")]
    assert crawler.unmanaged["dist1"].reason == INVENTORY_CONFLICT
    again = asyncio.run(crawler.on_result(core, result("core1", nbr("dist1", "127.20.0.66"))))
    assert again == [] and len(inventory.conflicts) == 1, "recorded once per name and address"


def test_an_address_stored_under_another_name_is_a_conflict() -> None:
    inventory = FakeInventory()
    inventory.stored["dist1"] = (InventoryDevice("dist1", "127.20.0.2", "cisco_ios", "op"), Origin.INVENTORY)
    crawler, core = seed(inventory)
    assert asyncio.run(crawler.on_result(core, result("core1", nbr("evil", "127.20.0.2")))) == []
    assert [c.name for c in inventory.conflicts] == ["evil"]


def test_an_inventory_entry_is_visited_as_the_operator_stored_it() -> None:
    inventory = FakeInventory()
    dist1 = InventoryDevice("dist1", "127.20.0.2", "cisco_ios", "operator-creds", port=22, site="hq")
    inventory.stored["dist1"] = (dist1, Origin.INVENTORY)
    crawler, core = seed(inventory)
    found = asyncio.run(crawler.on_result(core, result("core1", nbr("dist1", "127.20.0.2"))))
    assert found == [dist1], "its own credential set and platform, not the advertisement's"


def test_a_name_this_job_reads_advertised_elsewhere_is_recorded() -> None:
    inventory = FakeInventory()
    crawler, core = seed(inventory)
    found = asyncio.run(crawler.on_result(core, result("sw1", nbr("core1", "127.20.0.99"), nbr("core1", "10.9.9.9"))))
    assert found == []
    assert [(c.name, c.stored_host, c.advertised_host) for c in inventory.conflicts] == [
        ("core1", "127.20.0.1", "127.20.0.99")], "only inside --allow: what the crawl could have been sent to"
