"""A scripted :class:`~netatlas.collect.transport.Transport` for unit tests (no I/O).

Each command gets a :class:`Reply`: text, an error to raise, and a delay that honours the
timeout passed to ``send`` exactly like the SSH transport does (a delay longer than the
timeout raises :class:`~netatlas.domain.errors.DeviceTimeout`).

Examples:
    >>> import asyncio
    >>> fake = FakeTransport({"show version": "IOS 17.9\\n"})
    >>> asyncio.run(fake.send("show version", 1.0))
    'IOS 17.9\\n'
    >>> fake.sent
    ['show version']
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from netatlas.collect.platforms import PlatformSpec
from netatlas.collect.transport import RejectedWithOutput, SshOptions, Timeouts, Transport
from netatlas.domain.errors import CollectError, DeviceTimeout, Disconnected
from netatlas.domain.inventory import Credential


@dataclass(frozen=True, slots=True)
class Reply:
    output: str = ""
    error: CollectError | None = None
    delay: float = 0.0


def rejected(command: str, output: str = "% Authorization failed.\n") -> Reply:
    """A reply the way the SSH transport reports a refused command."""
    return Reply(error=RejectedWithOutput(f"fake: the device rejected {command!r}", output))


Script = Mapping[str, str | Reply]


class FakeTransport:
    """Answers commands from ``script``; unknown commands are rejected, like a real device."""

    def __init__(self, script: Script, *, delay: float = 0.0, warnings: tuple[str, ...] = ()) -> None:
        self.script = dict(script)
        self.delay = delay
        self.warnings = warnings
        self.sent: list[str] = []
        self.timeouts: list[float] = []
        self.closed = False

    async def send(self, command: str, timeout: float) -> str:
        if self.closed:
            raise Disconnected(f"fake: cannot send {command!r}: the session is closed")
        self.sent.append(command)
        self.timeouts.append(timeout)
        reply = self.script.get(command)
        if reply is None:
            reply = rejected(command, "% Invalid input detected at '^' marker.\n")
        elif isinstance(reply, str):
            reply = Reply(reply)
        await self._wait(self.delay + reply.delay, timeout, command)
        if reply.error is not None:
            raise reply.error
        return reply.output

    async def _wait(self, delay: float, timeout: float, command: str) -> None:
        if delay <= 0:
            return
        if delay > timeout:
            await asyncio.sleep(timeout)
            raise DeviceTimeout(f"fake: no prompt within {timeout:g} s after {command!r}")
        await asyncio.sleep(delay)

    async def close(self) -> None:
        self.closed = True


@dataclass(slots=True)
class FakeConnector:
    """A ``ConnectFn``: hands out ``transports`` by host, or raises ``errors`` by host."""

    transports: dict[str, FakeTransport] = field(default_factory=dict)
    errors: dict[str, CollectError] = field(default_factory=dict)
    delay: float = 0.0
    calls: list[tuple[str, int, str]] = field(default_factory=list)  # host, port, credential name
    options: list[SshOptions] = field(default_factory=list)  # what each call was given

    async def __call__(self, host: str, port: int, credential: Credential, spec: PlatformSpec,
                       timeouts: Timeouts, options: SshOptions | None = None) -> Transport:
        self.calls.append((host, port, credential.name))
        self.options.append(options or SshOptions())
        if self.delay > timeouts.connect:
            await asyncio.sleep(timeouts.connect)
            raise DeviceTimeout(f"fake {host}:{port}: connect did not finish within {timeouts.connect:g} s")
        await asyncio.sleep(self.delay)
        if host in self.errors:
            raise self.errors[host]
        return self.transports[host]
