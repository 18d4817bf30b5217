"""An output is parsed while the next command is sent; outputs, records and failures stay as if in turn."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from netatlas.collect.collector import collect_device
from netatlas.collect.fake import FakeConnector, FakeTransport, Reply
from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.transport import Timeouts
from netatlas.domain.errors import Disconnected, ParseError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import DataType, DeviceRecords, DeviceResult, ErrorKind, Facts, Neighbor, ParseOutcome

CRED = Credential("lab", "netops", "pw-Zq81-secret", "en-Kx44-secret")
HOST = "192.0.2.7"
ALL = frozenset(DataType)


@pytest.fixture(autouse=True)
def _text_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, spec in list(PLATFORMS.items()):
        monkeypatch.setitem(PLATFORMS, name, dataclasses.replace(spec, json_commands=frozenset()))


def plan(platform: str) -> list[str]:
    return [command for command, _ in PLATFORMS[platform].plan(ALL)]


class SlowParser:
    """Parses every output in ``delay`` seconds, noting what the transport had been sent when it finished."""

    def __init__(self, transport: FakeTransport, delay: float = 0.02) -> None:
        self.transport, self.delay = transport, delay
        self.sent_when_parsed: dict[str, list[str]] = {}

    async def __call__(self, platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
        await asyncio.sleep(self.delay)
        self.sent_when_parsed[command] = list(self.transport.sent)
        if "junk" in text:
            raise ParseError("nothing matched")
        if command == "show version":
            return ParseOutcome(DeviceRecords(facts=Facts("r1", model="C9300")))
        if command == "show cdp neighbors detail":
            return ParseOutcome(DeviceRecords(neighbors=[Neighbor("cdp", "Gi0/1", "sw2", "Gi0/2")]))
        return ParseOutcome(DeviceRecords())


def collect(platform: str, transport: FakeTransport, parse: SlowParser, device_s: float = 5.0) -> DeviceResult:
    timeouts = Timeouts(connect=1.0, command=1.0, device=device_s)
    return asyncio.run(collect_device(InventoryDevice("r1", HOST, platform, "lab", port=22), CRED, ALL,
                                      timeouts=timeouts, parse=parse, connect=FakeConnector({HOST: transport})))


def test_the_next_command_is_sent_while_the_previous_output_parses() -> None:
    cmds = plan("cisco_ios")
    transport = FakeTransport({c: f"{c} output\n" for c in cmds}, delay=0.005)
    parser = SlowParser(transport)
    result = collect("cisco_ios", transport, parser)
    assert result.ok, result.error
    assert parser.sent_when_parsed["show version"] == cmds[:2]  # the next one was sent meanwhile
    assert [o.command for o in result.outputs] == cmds  # recorded in plan order all the same
    assert result.records.facts == Facts("r1", model="C9300")
    assert [n.remote_name for n in result.records.neighbors] == ["sw2"]


def test_a_parse_failure_is_recorded_in_its_place() -> None:
    cmds = plan("cisco_ios")
    transport = FakeTransport({**{c: f"{c} output\n" for c in cmds}, cmds[1]: "junk\n"})
    result = collect("cisco_ios", transport, SlowParser(transport))
    assert [o.command for o in result.outputs] == cmds
    assert [o.command for o in result.outputs if o.error_kind is ErrorKind.PARSE_ERROR] == [cmds[1]]
    assert result.error_kind is ErrorKind.PARSE_ERROR
    assert transport.sent == cmds


def test_a_disconnect_while_the_previous_output_parses_keeps_that_output() -> None:
    cmds = plan("cisco_ios")
    lost = Disconnected(f"{HOST}:22: connection lost while waiting for the output of {cmds[2]!r}")
    transport = FakeTransport({**{c: f"{c} output\n" for c in cmds}, cmds[2]: Reply(error=lost)})
    result = collect("cisco_ios", transport, SlowParser(transport, delay=0.05))
    assert result.error_kind is ErrorKind.DISCONNECTED
    assert [o.command for o in result.outputs] == cmds[:2]  # the second parsed after the third failed
    assert result.records.facts == Facts("r1", model="C9300")


def test_the_device_budget_running_out_still_records_what_was_parsing() -> None:
    cmds = plan("cisco_ios")
    script: dict[str, str | Reply] = {c: f"{c} output\n" for c in cmds}
    script[cmds[1]] = Reply(f"{cmds[1]} output\n", delay=0.9)  # the budget ends while this one is read
    transport = FakeTransport(script)
    result = collect("cisco_ios", transport, SlowParser(transport, delay=0.05), device_s=0.5)
    assert result.error_kind is ErrorKind.TIMEOUT
    assert [o.command for o in result.outputs] == cmds[:1]
    assert result.records.facts == Facts("r1", model="C9300")
