"""Device I/O behind one small protocol, and its SSH implementation.

The collector talks to a device only through :class:`Transport` (``send`` a command, get its
text back; ``close``; ``warnings``). :class:`SshTransport` is the real one: asyncssh, ONE
connection and ONE interactive shell (PTY) per device. Everything asyncssh or the OS raises is
translated here into :mod:`netatlas.domain.errors`, with messages that name the host, the step
or command and what timed out after how long, and that never contain a password or enable secret::

    refused / no route / DNS          -> Unreachable
    SSH handshake failed              -> Unreachable     (also: no common algorithm, RSA key < 2048 bits)
    host key not the trusted one      -> HostKeyChanged  (judged during key exchange: no password sent)
    unknown host key, strict policy   -> HostKeyUnknown  (no password sent)
    asyncssh.PermissionDenied         -> AuthFailed      (also: enable secret refused)
    connect/login deadline passed     -> DeviceTimeout
    no prompt within command timeout  -> DeviceTimeout
    connection lost / EOF mid-command -> Disconnected
    output over a cap                 -> OutputTooLarge  (the session is closed)
    platform error text in the output -> CommandRejected (with the raw output kept)

Host keys: see :mod:`netatlas.collect.hostkeys`; ``SshOptions.host_keys=None`` means NOT
verified (kept so that callers not yet given a store still work) and every such session says so
in ``warnings``. Algorithms: modern ones only (:data:`MODERN`); the SHA-1, CBC and ``ssh-rsa``
ones (:data:`LEGACY`) only when ``SshOptions.legacy_algorithms`` is set, and then a warning names
the legacy algorithms the session negotiated (:mod:`netatlas.collect.handshake`). Output: bounded
and delimited as described in :mod:`netatlas.collect.shell_reader`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import asyncssh

from netatlas.collect.handshake import LEGACY, MODERN, SshOptions, open_connection
from netatlas.collect.platforms import PlatformSpec
from netatlas.collect.shell_reader import (
    DEFAULT_LIMITS,
    Closed,
    Limits,
    Overflow,
    ShellReader,
    clean_output,
    settled,
    split_at_marker,
)
from netatlas.domain.errors import AuthFailed, CommandRejected, DeviceTimeout, Disconnected, OutputTooLarge
from netatlas.domain.inventory import Credential
from netatlas.domain.text import scrub

__all__ = ["DEFAULT_LIMITS", "LEGACY", "MODERN", "CappedOutput", "ConnectFn", "Limits", "RejectedWithOutput",
           "SshOptions", "SshTransport", "Timeouts", "Transport", "clean_output"]


TERM_SIZE = (511, 1000)  # wide, so that devices do not wrap the echoed command
_ERROR_HEAD = 2048  # platform error text is looked for at the start of the output only
_PASSWORD_PROMPT = re.compile(r"(?:^|\n)\s*[Pp]assword: ?$")
_CLOSE_WAIT_S = 2.0


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed for connect+login, for each command, and for the whole device.

    Examples:
        >>> Timeouts(connect=5, command=30, device=120).command
        30
        >>> Timeouts(connect=0)
        Traceback (most recent call last):
        ...
        ValueError: timeouts must be positive: connect=0
    """

    connect: float = 10.0
    command: float = 60.0
    device: float = 300.0

    def __post_init__(self) -> None:
        for name in ("connect", "command", "device"):
            if not getattr(self, name) > 0:
                raise ValueError(f"timeouts must be positive: {name}={getattr(self, name)}")


class Transport(Protocol):
    """One open session on one device. ``send`` returns the command's output only."""

    @property
    def warnings(self) -> tuple[str, ...]: ...

    async def send(self, command: str, timeout: float) -> str: ...

    async def close(self) -> None: ...


ConnectFn = Callable[[str, int, Credential, PlatformSpec, Timeouts, SshOptions], Awaitable[Transport]]


class RejectedWithOutput(CommandRejected):
    """The device refused a command; ``output`` is what it printed (kept as the raw output)."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class CappedOutput(OutputTooLarge):
    """A command's output passed a cap; ``output`` is its first ``Limits.stored_output`` characters."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class SshTransport:
    """One SSH connection and one interactive shell on one device (see the module docstring)."""

    def __init__(self, where: str, credential: Credential, spec: PlatformSpec,
                 conn: asyncssh.SSHClientConnection, limits: Limits, warnings: tuple[str, ...] = ()) -> None:
        self.where, self.spec = where, spec
        self._secrets = tuple(s for s in (credential.password, credential.enable_secret) if s)
        self._conn: asyncssh.SSHClientConnection | None = conn
        self._chan: asyncssh.SSHClientChannel[str] | None = None
        self._reader = ShellReader(limits)
        self.prompt = ""
        self._broken: str | None = None
        self._warnings = warnings

    @property
    def warnings(self) -> tuple[str, ...]:
        return self._warnings

    @property
    def reader(self) -> ShellReader:
        return self._reader

    @classmethod
    async def connect(cls, host: str, port: int, credential: Credential, spec: PlatformSpec,
                      timeouts: Timeouts, options: SshOptions | None = None) -> SshTransport:
        """Connect (host key verified before login), open the shell, ``enable`` if needed, paging off."""
        options = options or SshOptions()
        where = f"{host}:{port}"
        check = options.host_keys
        trusted = None if check is None else await check.store.trusted(host, port)
        try:
            async with asyncio.timeout(timeouts.connect):
                conn, warnings = await open_connection(where, credential, options, trusted)
                transport = cls(where, credential, spec, conn, options.limits, warnings)
                try:
                    await transport._open_shell()
                except BaseException:
                    await transport.close()
                    raise
        except TimeoutError:
            raise DeviceTimeout(f"{where}: SSH connect, login and first prompt did not finish within "
                                f"{timeouts.connect:g} s (connect timeout)") from None
        try:
            await transport._prepare(credential, timeouts.command)
        except BaseException:
            await transport.close()
            raise
        return transport

    async def _open_shell(self) -> None:
        assert self._conn is not None
        try:
            chan, _ = await self._conn.create_session(lambda: self._reader, term_type="vt100",
                                                      term_size=TERM_SIZE, encoding="utf-8", errors="replace")
        except (asyncssh.Error, OSError) as exc:
            raise Disconnected(f"{self.where}: the device did not open an interactive shell: {exc}") from exc
        self._chan = chan
        raw = await self._read(lambda line: bool(self.spec.prompt.search(line)), "the first prompt")
        self.prompt = _prompt_of(raw)

    async def _prepare(self, credential: Credential, timeout: float) -> None:
        enable_from = self.spec.enable_from
        if enable_from and self.prompt.rstrip().endswith(enable_from) and credential.enable_secret:
            async with self._deadline(timeout, "'enable'"):
                await self._enable(credential.enable_secret, enable_from)
        for command in self.spec.paging_off:
            await self._exchange(command, timeout, f"the session setup command {command!r}")

    async def _enable(self, secret: str, enable_from: str) -> None:
        self._write("enable\n", "'enable'")
        asked = await self._read(lambda line: bool(_PASSWORD_PROMPT.search(line) or self.spec.prompt.search(line)),
                                 "'enable'")
        if _PASSWORD_PROMPT.search(_prompt_of(asked)):
            self._write(secret + "\n", "the enable secret")
            asked = await self._read(lambda line: bool(self.spec.prompt.search(line)), "the enable secret")
        self.prompt = _prompt_of(asked)
        if self.prompt.rstrip().endswith(enable_from):
            raise AuthFailed(f"{self.where}: 'enable' was refused: the enable secret was not accepted "
                             f"(prompt still {self.prompt.strip()!r})")

    async def send(self, command: str, timeout: float) -> str:
        """Send one command and return its output (no echo, no prompt, ``\\n`` line ends)."""
        return await self._exchange(command, timeout, repr(command))

    async def _exchange(self, command: str, timeout: float, what: str) -> str:
        if self._broken is not None:
            raise Disconnected(f"{self.where}: cannot send {what}: the session is unusable ({self._broken})")
        marker = self.spec.marker.format(nonce=secrets.token_hex(8))
        async with self._deadline(timeout, what):
            self._write(f"{command}\n{marker}\n", what)
            raw = await self._read(lambda tail: settled(tail, marker), what, whole_tail=True)
        body, prompt = split_at_marker(raw, marker)
        self.prompt = prompt
        text = clean_output(body, command, self.spec.preamble)
        head = text[:_ERROR_HEAD]
        for rule, _kind in self.spec.errors:
            found = rule.search(head)
            if found:
                line = head[found.start():].split("\n", 1)[0].strip()
                raise RejectedWithOutput(self._scrub(f"{self.where}: the device rejected {what}: {line!r}"), text)
        return text

    async def close(self) -> None:
        """Close the connection; never raises."""
        conn, self._conn = self._conn, None
        self._broken = self._broken or "closed"
        if conn is None:
            return
        conn.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(_CLOSE_WAIT_S):
                await conn.wait_closed()

    # ----- helpers ---------------------------------------------------------------------
    def _write(self, data: str, what: str) -> None:
        try:
            assert self._chan is not None
            self._chan.write(data)
        except (asyncssh.Error, OSError) as exc:
            self._broken = "connection lost"
            raise Disconnected(f"{self.where}: connection lost before {what} could be sent: {exc}") from exc

    async def _read(self, done: Callable[[str], bool], what: str, *, whole_tail: bool = False) -> str:
        reader = self._reader
        try:
            return await reader.read_until(done, whole_tail=whole_tail)
        except Closed as exc:
            self._broken = exc.reason
            raise Disconnected(self._scrub(f"{self.where}: {exc.reason} while waiting for the output of {what} "
                                           f"({reader.received} characters received)")) from None
        except Overflow as exc:
            self._broken = "output cap exceeded"
            scope = ("the session printed more than {:,} characters in all (per-device output cap)" if exc.per_device
                     else "more than {:,} characters of output (per-command output cap)").format(exc.cap)
            raise CappedOutput(self._scrub(f"{self.where}: {what}: {scope}; the session was closed"),
                               exc.head) from None

    @contextlib.asynccontextmanager
    async def _deadline(self, timeout: float, what: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(timeout):
                yield
        except TimeoutError:
            self._broken = f"timed out on {what}"
            raise DeviceTimeout(f"{self.where}: no prompt within {timeout:g} s after {what} (command "
                                f"timeout; {self._reader.received} characters received)") from None

    def _scrub(self, message: str) -> str:
        return scrub(message, self._secrets)


def _prompt_of(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "").rsplit("\n", 1)[-1]
