"""ShellReader caps and marker delimiting, fed directly (no SSH): memory stays under the caps."""

from __future__ import annotations

import asyncio
import re

import pytest

from netatlas.collect.platforms import PLATFORMS
from netatlas.collect.shell_reader import Closed, Limits, Overflow, ShellReader, clean_output, settled, split_at_marker

MARK = "! netatlas-sync-0123456789abcdef"
LIMITS = Limits(command_output=10_000, device_output=25_000, stored_output=1_000)


class FakeChannel:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def reader(limits: Limits = LIMITS) -> tuple[ShellReader, FakeChannel]:
    shell, chan = ShellReader(limits), FakeChannel()
    shell.connection_made(chan)  # type: ignore[arg-type]  # only close() is used
    return shell, chan


async def read_marked(shell: ShellReader, chunks: list[str]) -> str:
    async def feed() -> None:
        for chunk in chunks:
            await asyncio.sleep(0)
            shell.data_received(chunk, None)

    feeder = asyncio.create_task(feed())
    try:
        return await asyncio.wait_for(shell.read_until(lambda tail: settled(tail, MARK), whole_tail=True), 2)
    finally:
        await feeder


# ----- delimiting ---------------------------------------------------------------------------------------------
LURES = ["show cdp neighbors detail\r\n", "Device ID: sw2\r\n  Version :\r\nr1#\r\n", "r1#show running-config\r\n",
         "Cisco IOS Software\r\n", "r1>\r\n", "\r\nr1#", MARK, "\r\n% Invalid input detected\r\n", "r1#"]


def test_prompt_looking_lines_do_not_end_the_output() -> None:
    raw = asyncio.run(read_marked(reader()[0], LURES))
    body, prompt = split_at_marker(raw, MARK)
    assert prompt == "r1#"
    assert clean_output(body, "show cdp neighbors detail") == (
        "Device ID: sw2\n  Version :\nr1#\nr1#show running-config\nCisco IOS Software\nr1>\n")


def _clean_as_before(raw: str, command: str, preamble: re.Pattern[str] | None = None) -> str:
    """clean_output as it was written first (normalise everything, then cut): the reference it must match."""
    text = raw.replace("\r\n", "\n").replace("\r", "")
    first, newline, rest = text.partition("\n")
    if newline and first.rstrip().endswith(command.strip()):
        text = rest
    body = text[: text.rfind("\n") + 1]
    lines = body.split("\n")[:-1]
    while lines and (not lines[-1].strip() or (preamble is not None and preamble.fullmatch(lines[-1].strip()))):
        lines.pop()
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize("raw", [
    "show x\r\nrow\r\nr1#", "show x\r\r\nrow\r\n\r\nr1#", "show x\rrow\r\nr1#", "show x\nrow\nr1#",
    "row\r\nr1#", "show x", "show x\r\n", "\r\n\r\n", "show x\r\n{master:0}\r\nrow\r\r\n{master:0}\r\n\r",
    "  show x  \r\nr\ro\rw\r\n\r\n\r\nuser@r1> ", "r1#show x\r\nshow x\r\nrow\r\n", "\r\nrow\r\nr1#",
])
@pytest.mark.parametrize("command", ["show x", "", "show y"])
def test_clean_output_cuts_and_normalises_as_the_reference_does(raw: str, command: str) -> None:
    chassis = PLATFORMS["juniper_junos"].preamble
    assert clean_output(raw, command) == _clean_as_before(raw, command)
    assert clean_output(raw, command, chassis) == _clean_as_before(raw, command, chassis)


def test_any_chunking_gives_the_same_output() -> None:
    wire = "".join(LURES)
    for cut in range(1, len(wire)):
        assert asyncio.run(read_marked(reader()[0], [wire[:cut], wire[cut:]])) == wire, cut


def test_the_marker_reply_must_end_with_the_same_prompt() -> None:
    assert not settled(f"r1#{MARK}\r\n% Invalid input\r\n", MARK)
    assert not settled(f"r1#{MARK}", MARK)
    assert not settled(f"\r\n{MARK}\r\nr1#", MARK)  # echoed at once (no prompt before it): not the device's reply
    assert settled(f"r1#{MARK}\r\nr1#", MARK)  # a device that takes the marker as a comment
    assert settled(f"netatlas@r1> {MARK}\r\n  ^\r\nunknown command.\r\n\r\n{{master:0}}\r\nnetatlas@r1> ", MARK)


def test_junos_chassis_line_is_stripped_from_the_output() -> None:
    spec = PLATFORMS["juniper_junos"]
    wire = (f"show bgp summary\r\nGroups: 1\r\n\r\n{{master:0}}\r\nnetatlas@r1> {MARK}\r\n  ^\r\nunknown command.\r\n"
            "\r\n{master:0}\r\nnetatlas@r1> ")
    assert settled(wire, MARK)
    body, prompt = split_at_marker(wire, MARK)
    assert prompt == "netatlas@r1> "
    assert clean_output(body, "show bgp summary", spec.preamble) == "Groups: 1\n"
    assert spec.preamble is not None and spec.preamble.fullmatch("{primary:node0}")


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_has_a_marker_with_a_nonce(platform: str) -> None:
    marker = PLATFORMS[platform].marker
    assert "{nonce}" in marker and re.fullmatch(r"[!#] netatlas-sync-\{nonce\}", marker)


# ----- caps -----------------------------------------------------------------------------------------------------
async def stream_forever(shell: ShellReader, chan: FakeChannel, block: str) -> tuple[Overflow, int]:
    async def flood() -> int:
        sent = 0
        while not chan.closed and sent < 10_000_000:
            shell.data_received(block, None)
            sent += len(block)
            await asyncio.sleep(0)
        return sent

    flooder = asyncio.create_task(flood())
    with pytest.raises(Overflow) as caught:
        await asyncio.wait_for(shell.read_until(lambda tail: settled(tail, MARK), whole_tail=True), 5)
    return caught.value, await flooder


def test_a_device_that_streams_for_ever_hits_the_command_cap_and_is_cut_off() -> None:
    shell, chan = reader()
    overflow, sent = asyncio.run(stream_forever(shell, chan, "log line without end\r\n" * 10))
    assert (overflow.cap, overflow.per_device) == (10_000, False)
    assert chan.closed
    assert sent < 10_000 + 300  # the channel was closed at the first chunk over the cap
    assert shell.peak <= 10_000
    assert overflow.head == ("log line without end\r\n" * 100)[:1_000]


def test_data_after_the_overflow_is_dropped() -> None:
    shell, _ = reader()
    shell.data_received("x" * 10_001, None)
    shell.data_received("y" * 50_000, None)
    assert shell.peak == 0 and shell.total == 10_001
    with pytest.raises(Overflow):
        asyncio.run(shell.read_until(lambda tail: True))


def test_the_device_cap_counts_the_whole_session() -> None:
    shell, chan = reader()

    async def commands() -> int:
        done = 0
        for _ in range(10):
            await read_marked(shell, ["z" * 8_000 + "\r\n", f"r1#{MARK}\r\nr1#"])
            done += 1
        return done

    with pytest.raises(Overflow) as caught:
        asyncio.run(commands())
    assert (caught.value.cap, caught.value.per_device) == (25_000, True)
    assert chan.closed


def test_eof_is_closed_not_overflow() -> None:
    shell, _ = reader()
    shell.data_received("partial", None)
    shell.eof_received()
    with pytest.raises(Closed, match="EOF"):
        asyncio.run(shell.read_until(lambda tail: settled(tail, MARK), whole_tail=True))


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="device_output=-1"):
        Limits(device_output=-1)
