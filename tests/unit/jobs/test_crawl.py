"""Crawl decisions: allowed ranges, supported platforms, depth, visit once, unmanaged reasons."""

from __future__ import annotations

import asyncio
from ipaddress import IPv4Network

from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.records import DeviceResult, Facts, Neighbor
from netatlas.jobs.crawl import Crawler, CrawlOptions

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


def seed() -> tuple[Crawler, InventoryDevice]:
    crawler = Crawler(OPTIONS)
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
