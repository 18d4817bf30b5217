"""Device I/O behind one small protocol, and its SSH implementation.

The collector talks to a device only through :class:`Transport` (``send`` a command, get its
text back; ``close``). :class:`SshTransport` is the real one: asyncssh, ONE connection and ONE
interactive shell (PTY) per device, cheap ciphers first. Everything asyncssh or the OS raises
is translated here into :mod:`netatlas.domain.errors`, with messages that name the host, the
step or command and what timed out after how long, and that never contain a password or
enable secret::

    refused / no route / DNS          -> Unreachable
    SSH handshake failed              -> Unreachable
    asyncssh.PermissionDenied         -> AuthFailed      (also: enable secret refused)
    connect/login deadline passed     -> DeviceTimeout
    no prompt within command timeout  -> DeviceTimeout
    connection lost / EOF mid-command -> Disconnected
    platform error text in the output -> CommandRejected (with the raw output kept)

Host keys are NOT verified yet (``known_hosts=None``): lab devices have throw-away keys and
there is no key store. A production deployment needs a known-hosts file option (tracked as
left-over work in the collector's report).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import asyncssh

from netatlas.collect.platforms import PlatformSpec
from netatlas.domain.errors import (
    AuthFailed,
    CommandRejected,
    DeviceTimeout,
    Disconnected,
    Unreachable,
)
from netatlas.domain.inventory import Credential

# Cheap to run first (AES-NI GCM/CTR, curve25519); the rest only for devices that need them.
ENCRYPTION_ALGS = ("aes128-gcm@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com", "aes256-ctr",
                   "chacha20-poly1305@openssh.com", "aes128-cbc", "aes256-cbc")  # fmt: skip
KEX_ALGS = ("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
            "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1")  # fmt: skip
MAC_ALGS = ("hmac-sha2-256-etm@openssh.com", "hmac-sha2-256", "hmac-sha1")
TERM_SIZE = (511, 1000)  # wide, so that devices do not wrap the echoed command
_TAIL = 1024  # the prompt is looked for in this many trailing characters only
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

    async def send(self, command: str, timeout: float) -> str: ...

    async def close(self) -> None: ...


ConnectFn = Callable[[str, int, Credential, PlatformSpec, Timeouts], Awaitable[Transport]]


class RejectedWithOutput(CommandRejected):
    """The device refused a command; ``output`` is what it printed (kept as the raw output)."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class _Closed(Exception):
    """Internal: the shell channel ended (``reason`` says how)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _ShellReader(asyncssh.SSHClientSession[str]):
    """Collects the shell's output and wakes the reader when the tail may hold a prompt."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._size = 0
        self._tail = ""
        self._waiter: asyncio.Future[None] | None = None
        self._closed: str | None = None

    @property
    def received(self) -> int:
        return self._size

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        self._chunks.append(data)
        self._size += len(data)
        self._tail = (self._tail + data)[-_TAIL:]
        self._wake()

    def eof_received(self) -> bool:
        self._close_with("the device closed the session (EOF)")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        detail = str(exc) if exc is not None else ""
        self._close_with("connection lost" + (f" ({detail})" if detail.lower() not in ("", "connection lost") else ""))

    def _close_with(self, reason: str) -> None:
        if self._closed is None:
            self._closed = reason
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def last_line(self) -> str | None:
        """The buffer's last non-blank line with its leading newline, or None if too long."""
        end = len(self._tail.rstrip())
        start = self._tail.rfind("\n", 0, end)
        if start < 0:
            return self._tail if self._size <= _TAIL else None
        return self._tail[start:]

    async def read_until(self, done: Callable[[str], bool]) -> str:
        """Everything received until ``done(last line)``; raises :class:`_Closed` at EOF."""
        while True:
            line = self.last_line()
            if line is not None and done(line):
                return self._take()
            if self._closed is not None:
                raise _Closed(self._closed)
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def _take(self) -> str:
        text = "".join(self._chunks)
        self._chunks, self._size, self._tail = [], 0, ""
        return text


def clean_output(raw: str, command: str) -> str:
    """Normalise line ends, drop the echoed command line, the prompt line and trailing blank lines.

    Examples:
        >>> clean_output("show clock\\r\\n12:00\\r\\nr1#", "show clock")
        '12:00\\n'
        >>> clean_output("show x\\r\\nTotal: 2\\r\\n\\r\\nuser@r1> ", "show x")
        'Total: 2\\n'
        >>> clean_output("show x\\r\\n\\r\\nuser@r1> ", "show x")
        ''
        >>> clean_output("r1#", "")
        ''
    """
    text = raw.replace("\r\n", "\n").replace("\r", "")
    first, newline, rest = text.partition("\n")
    if newline and first.rstrip().endswith(command.strip()):
        text = rest
    body = text[: text.rfind("\n") + 1].rstrip("\n")
    return body + "\n" if body else ""


def _prompt_of(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "").rsplit("\n", 1)[-1]


def _connection_options(credential: Credential) -> asyncssh.SSHClientConnectionOptions:
    return asyncssh.SSHClientConnectionOptions(
        username=credential.username,
        password=credential.password,
        known_hosts=None,  # not verified yet: see the module docstring
        config=None,  # never read the user's ~/.ssh/config
        client_keys=None,
        agent_path=None,
        gss_auth=False,
        host_based_auth=False,
        preferred_auth=("password", "keyboard-interactive"),
        encryption_algs=ENCRYPTION_ALGS,
        kex_algs=KEX_ALGS,
        mac_algs=MAC_ALGS,
        compression_algs=("none",),
    )


class SshTransport:
    """One SSH connection and one interactive shell on one device (see the module docstring)."""

    def __init__(self, where: str, credential: Credential, spec: PlatformSpec,
                 conn: asyncssh.SSHClientConnection) -> None:
        self.where, self.spec = where, spec
        self._secrets = tuple(s for s in (credential.password, credential.enable_secret) if s)
        self._conn: asyncssh.SSHClientConnection | None = conn
        self._chan: asyncssh.SSHClientChannel[str] | None = None
        self._reader = _ShellReader()
        self.prompt = ""
        self._broken: str | None = None

    @classmethod
    async def connect(cls, host: str, port: int, credential: Credential, spec: PlatformSpec,
                      timeouts: Timeouts) -> SshTransport:
        """Connect, log in, open the shell, ``enable`` if needed and turn paging off."""
        where = f"{host}:{port}"
        try:
            async with asyncio.timeout(timeouts.connect):
                conn = await _open(where, credential)
                transport = cls(where, credential, spec, conn)
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
        async with self._deadline(timeout, what):
            self._write(command + "\n", what)
            raw = await self._read(self._at_prompt, what)
        text = clean_output(raw, command)
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
    def _at_prompt(self, line: str) -> bool:
        return line.strip("\r\n").rstrip() == self.prompt.rstrip()

    def _write(self, data: str, what: str) -> None:
        try:
            assert self._chan is not None
            self._chan.write(data)
        except (asyncssh.Error, OSError) as exc:
            self._broken = "connection lost"
            raise Disconnected(f"{self.where}: connection lost before {what} could be sent: {exc}") from exc

    async def _read(self, done: Callable[[str], bool], what: str) -> str:
        try:
            return await self._reader.read_until(done)
        except _Closed as exc:
            self._broken = exc.reason
            received = self._reader.received
            raise Disconnected(self._scrub(f"{self.where}: {exc.reason} while waiting for the output of {what} "
                                           f"({received} characters received)")) from None

    @contextlib.asynccontextmanager
    async def _deadline(self, timeout: float, what: str) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(timeout):
                yield
        except TimeoutError:
            self._broken = f"timed out on {what}"
            raise DeviceTimeout(f"{self.where}: no prompt within {timeout:g} s after {what} (command timeout; "
                                f"{self._reader.received} characters received)") from None

    def _scrub(self, message: str) -> str:
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message


async def _open(where: str, credential: Credential) -> asyncssh.SSHClientConnection:
    """asyncssh.connect with its failures translated (timeouts are the caller's)."""
    host, _, port = where.rpartition(":")
    try:
        return await asyncssh.connect(host, int(port), options=_connection_options(credential))
    except TimeoutError:
        raise
    except asyncssh.PermissionDenied as exc:
        raise AuthFailed(f"{where}: authentication refused for user {credential.username!r} "
                         f"(credential set {credential.name!r})") from exc
    except asyncssh.ConnectionLost as exc:
        raise Disconnected(f"{where}: connection lost during SSH login: {exc.reason}") from exc
    except asyncssh.Error as exc:
        raise Unreachable(f"{where}: SSH handshake failed: {exc.reason}") from exc
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
        raise Unreachable(f"{where}: cannot connect: {reason}") from exc
