"""A job's request survives its row: ``from_options(r.options()) == r`` for any request, through JSON as the
database stores it, and a stored document that does not hold a request is refused naming the field."""

from __future__ import annotations

import json
import random
from ipaddress import IPv4Network
from typing import Any

import pytest

from netatlas.domain.records import DataType
from netatlas.jobs.crawl import CrawlOptions
from netatlas.jobs.request import MAX_DEPTH, DiscoveryRequest, JobOptionsError
from netatlas.store import check_no_secrets

NAMES = ("", "lab", "crawl-ro", "ops team", "ünïcode", "a'b\"c", "[bold]x", "\x1b]0;t\x07")


def random_network(rng: random.Random) -> IPv4Network:
    prefix = rng.randint(0, 32)
    address = rng.getrandbits(32)
    return IPv4Network((address, prefix), strict=False)


def random_crawl(rng: random.Random) -> CrawlOptions:
    return CrawlOptions(depth=rng.randint(0, MAX_DEPTH),
                        allow=tuple(random_network(rng) for _ in range(rng.randint(0, 4))),
                        credentials=rng.choice(NAMES), port=rng.randint(1, 65535),
                        crawl_credentials=rng.choice(NAMES))


def random_request(rng: random.Random) -> DiscoveryRequest:
    types = frozenset(t for t in DataType if rng.random() < 0.5)
    crawl = random_crawl(rng) if rng.random() < 0.6 else None
    return DiscoveryRequest(types, rng.randint(1, 10_000), crawl, rng.choice(NAMES))


def stored(request: DiscoveryRequest) -> dict[str, Any]:
    """The options as a database JSON column gives them back."""
    loaded: dict[str, Any] = json.loads(json.dumps(request.options()))
    return loaded


@pytest.mark.parametrize("seed", range(20))
def test_every_request_round_trips_through_its_stored_options(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        request = random_request(rng)
        assert DiscoveryRequest.from_options(stored(request)) == request
        assert DiscoveryRequest.from_options(request.options()) == request


def test_the_generator_covers_what_matters() -> None:
    """The round trip above saw crawls and none, empty and full type sets, several ranges, /0 and /32."""
    requests = [random_request(random.Random(seed * 1000 + n)) for seed in range(20) for n in range(50)]
    crawls = [r.crawl for r in requests if r.crawl is not None]
    assert len(crawls) > 100 and len(crawls) < len(requests)
    assert any(len(c.allow) >= 3 for c in crawls) and any(not c.allow for c in crawls)
    prefixes = {n.prefixlen for c in crawls for n in c.allow}
    assert {0, 32} <= prefixes
    assert {len(r.data_types) for r in requests} >= {1, len(DataType) - 1}


def test_the_allowed_ranges_keep_their_order() -> None:
    allow = (IPv4Network("192.168.0.0/16"), IPv4Network("10.0.0.0/8"), IPv4Network("10.0.0.0/8"))
    request = DiscoveryRequest(frozenset({DataType.CDP}), 4, CrawlOptions(1, allow, "lab"))
    assert DiscoveryRequest.from_options(stored(request)).crawl == request.crawl
    assert stored(request)["crawl"]["allow"] == ["192.168.0.0/16", "10.0.0.0/8", "10.0.0.0/8"]


def test_the_stored_options_hold_no_secret_and_name_the_credential_sets() -> None:
    crawl = CrawlOptions(2, (IPv4Network("10.0.0.0/8"),), "seeds", crawl_credentials="neighbors")
    options = DiscoveryRequest(frozenset({DataType.LLDP}), 8, crawl, "alice").options()
    check_no_secrets(options)
    assert options["crawl"]["credentials"] == "seeds" and options["crawl"]["crawl_credentials"] == "neighbors"
    assert options["requested_by"] == "alice" and options["version"] == 1


def test_options_written_before_the_version_and_requester_were_recorded_still_read() -> None:
    old = {"data_types": ["cdp", "lldp"], "concurrency": 20,
           "crawl": {"depth": 3, "allow": ["10.0.0.0/8"], "credentials": "lab"}}
    request = DiscoveryRequest.from_options(old)
    assert request == DiscoveryRequest(frozenset({DataType.CDP, DataType.LLDP}), 20,
                                       CrawlOptions(3, (IPv4Network("10.0.0.0/8"),), "lab"), "")


GOOD: dict[str, Any] = {"version": 1, "data_types": ["cdp"], "concurrency": 5, "requested_by": "",
                        "crawl": {"depth": 2, "allow": ["10.0.0.0/8"], "credentials": "lab", "port": 22,
                                  "crawl_credentials": ""}}


def changed(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one field replaced (or removed when ``value`` is ``...``)."""
    document: dict[str, Any] = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    target = document
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(("path", "value", "field", "problem"), [
    ("data_types", ..., "options.data_types", "missing"),
    ("data_types", "cdp", "options.data_types", "expected a list, got str 'cdp'"),
    ("data_types", ["cdp", "telnet"], "options.data_types[1]", "unknown data type str 'telnet'"),
    ("data_types", ["cdp", 3], "options.data_types[1]", "unknown data type int 3"),
    ("concurrency", ..., "options.concurrency", "missing"),
    ("concurrency", "5", "options.concurrency", "expected an integer, got str '5'"),
    ("concurrency", 2.5, "options.concurrency", "expected an integer, got float 2.5"),
    ("concurrency", True, "options.concurrency", "expected an integer, got bool True"),
    ("concurrency", 0, "options.concurrency", "0 is out of range (at least 1)"),
    ("version", 2, "options.version", "version 2 is not one this netatlas reads (1)"),
    ("requested_by", None, "options.requested_by", "expected a string, got null"),
    ("surprise", 1, "options.surprise", "unknown field"),
    ("crawl", [], "options.crawl", "expected an object, got list []"),
    ("crawl.depth", ..., "options.crawl.depth", "missing"),
    ("crawl.depth", -1, "options.crawl.depth", "-1 is out of range (0 to 32)"),
    ("crawl.depth", 33, "options.crawl.depth", "33 is out of range (0 to 32)"),
    ("crawl.allow", ..., "options.crawl.allow", "missing"),
    ("crawl.allow", "10.0.0.0/8", "options.crawl.allow", "expected a list, got str '10.0.0.0/8'"),
    ("crawl.allow", ["10.0.0.0/8", "10.0.0.1/8"], "options.crawl.allow[1]", "not an IPv4 network"),
    ("crawl.allow", ["2001:db8::/32"], "options.crawl.allow[0]", "not an IPv4 network"),
    ("crawl.allow", [10], "options.crawl.allow[0]", "expected an IPv4 network, got int 10"),
    ("crawl.credentials", ..., "options.crawl.credentials", "missing"),
    ("crawl.credentials", 7, "options.crawl.credentials", "expected a string, got int 7"),
    ("crawl.port", 0, "options.crawl.port", "0 is out of range (1 to 65535)"),
    ("crawl.port", 65536, "options.crawl.port", "65536 is out of range (1 to 65535)"),
    ("crawl.crawl_credentials", None, "options.crawl.crawl_credentials", "expected a string, got null"),
    ("crawl.password", "x", "options.crawl.password", "unknown field"),
])
def test_malformed_options_are_refused_naming_the_field(path: str, value: Any, field: str, problem: str) -> None:
    DiscoveryRequest.from_options(GOOD)  # the document every case changes in one place is good
    with pytest.raises(JobOptionsError) as caught:
        DiscoveryRequest.from_options(changed(path, value))
    assert caught.value.field == field
    assert caught.value.problem.startswith(problem), caught.value.problem
    assert str(caught.value).startswith(f"job options: {field}: ")


@pytest.mark.parametrize("document", [None, [], "options", 3])
def test_options_that_are_not_an_object_are_refused(document: Any) -> None:
    with pytest.raises(JobOptionsError) as caught:
        DiscoveryRequest.from_options(document)
    assert caught.value.field == "options"


def test_a_long_bad_value_is_cut_in_the_message() -> None:
    with pytest.raises(JobOptionsError) as caught:
        DiscoveryRequest.from_options(changed("requested_by", ["x" * 1000]))
    assert len(str(caught.value)) < 200 and str(caught.value).endswith("...")
