"""parse_output_async: inline for small outputs, in the process pool for large ones, same records."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from netatlas.collect.parsers import POOL_THRESHOLD, parse_output, parse_output_async, pool, shutdown_pool
from netatlas.collect.parsers.parse import parse_command
from netatlas.domain.errors import ParseError
from netatlas.domain.records import ROUTE_TYPES, DataType, pack_text
from tests.support.parser_fixtures import FIXTURES

ROUTES = frozenset(ROUTE_TYPES)


@pytest.fixture(autouse=True)
def _no_pool_left() -> Iterator[None]:
    yield
    shutdown_pool()


def test_small_output_parses_inline_without_a_pool() -> None:
    shutdown_pool()  # a pool another test of this process started (test order is not fixed under xdist)
    text = (FIXTURES / "cisco_ios/show_version/lab_rtr1.raw").read_text()
    assert len(text) <= POOL_THRESHOLD
    got = asyncio.run(parse_output_async("cisco_ios", "show version", text, frozenset({DataType.FACTS})))
    assert got == parse_output("cisco_ios", "show version", text, frozenset({DataType.FACTS}))
    assert pool._pool is None


def test_large_output_parses_in_the_pool_with_the_same_records() -> None:
    text = (FIXTURES / "cisco_ios/show_ip_route_vrf_star/lab_rtr1.raw").read_text()
    assert len(text) > POOL_THRESHOLD

    async def many() -> list[object]:
        return list(await asyncio.gather(*(parse_output_async("cisco_ios", "show ip route vrf *", text, ROUTES)
                                           for _ in range(4))))

    results = asyncio.run(many())
    assert pool._pool is not None
    assert all(r == parse_output("cisco_ios", "show ip route vrf *", text, ROUTES) for r in results)
    shutdown_pool()
    assert pool._pool is None


def test_parse_error_crosses_the_process_boundary() -> None:
    junk = "this is not a routing table\n" * (POOL_THRESHOLD // 20)
    with pytest.raises(ParseError, match="show ip route vrf"):
        asyncio.run(parse_output_async("cisco_ios", "show ip route vrf *", junk, ROUTES))


def test_a_mid_sized_output_parses_here_while_the_pool_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """From BUSY_PARSES parses in the pool, an output up to BUSY_INLINE_MAX characters is read in this
    process (the same records), a longer one still goes to the pool; idle, the pool takes both."""
    text = (FIXTURES / "cisco_ios/show_ip_route_vrf_star/lab_rtr1.raw").read_text()
    assert POOL_THRESHOLD < len(text) <= pool.BUSY_INLINE_MAX
    sent: list[int] = []

    async def recorded(fn: object, platform: str, command: str, packed: bytes, types: object) -> object:
        sent.append(len(packed))
        return pool.parse_packed(platform, command, packed, ROUTES)

    monkeypatch.setattr(pool, "_in_pool", recorded)
    packed, long = pack_text(text), pack_text(text * (pool.BUSY_INLINE_MAX // len(text) + 1))
    expected = parse_command("cisco_ios", "show ip route vrf *", text, ROUTES)
    assert asyncio.run(pool.parse_packed_async("cisco_ios", "show ip route vrf *", packed, ROUTES)) == expected
    assert sent == [len(packed)]  # idle: to the pool
    monkeypatch.setattr(pool, "_parsing", pool.BUSY_PARSES)
    assert asyncio.run(pool.parse_packed_async("cisco_ios", "show ip route vrf *", packed, ROUTES)) == expected
    assert asyncio.run(pool.parse_command_async("cisco_ios", "show ip route vrf *", text, ROUTES)) == expected
    assert sent == [len(packed)]  # busy: both read here
    asyncio.run(pool.parse_packed_async("cisco_ios", "show ip route vrf *", long, ROUTES))
    assert sent == [len(packed), len(long)]  # longer than BUSY_INLINE_MAX: to the pool all the same
