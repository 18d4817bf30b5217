"""One asyncio process serving many simulated devices over real SSH.

Each device listens on its own loopback address (``127.20.0.1``, ``127.20.0.2``, ...), all
on the same port. Sessions are driven by :class:`netatlas.lab.shell.Shell`; this module
only moves bytes, sleeps on pauses and applies the connection-level faults (unreachable,
auth, and the hostile ones: ``hostkey`` keys, ``rogue`` logins, ``endless`` streams,
``prompt`` pauses). Nothing secret is logged; ``capture_logins`` records each password as
its SHA-256 only.

Exceptions::

    LabError
     └── PortInUseError   an address:port cannot be bound
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import hmac
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncssh
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from netatlas.lab.cli_platforms import load_commands, platform_cli
from netatlas.lab.faults import Fault, FaultKind
from netatlas.lab.hostile import LURE_PAUSE_S, endless_blocks, prompt_lures, split_after_lures
from netatlas.lab.model import DeviceState, Platform, Route
from netatlas.lab.render.base import CommandSpec
from netatlas.lab.shell import CommandIndex, Event, Hangup, Pause, Shell

log = logging.getLogger(__name__)

DEFAULT_PORT = 22022
ENCRYPTION_ALGS = ("aes128-gcm@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com", "aes256-ctr")
KEX_ALGS = ("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
            "diffie-hellman-group14-sha256")  # fmt: skip
_DROP_DELAY_S = 0.05
MAC_ALGS = ("hmac-sha2-256-etm@openssh.com", "hmac-sha2-256", "hmac-sha1")


class LabError(Exception):
    """The lab cannot do what was asked (root of the lab's errors)."""


class PortInUseError(LabError):
    def __init__(self, address: str, port: int) -> None:
        super().__init__(f"cannot listen on {address}:{port}: address already in use")
        self.address, self.port = address, port


@dataclass(slots=True)
class ServedDevice:
    state: DeviceState
    rib: Callable[[], Sequence[Route]]
    username: str
    password: str
    fault: Fault | None = None
    commands: Sequence[CommandSpec] | None = None  # None: the platform's renderer table
    on_session: Callable[[], object] | None = None  # called as each session opens (e.g. warm derived state)
    node_id: str | None = None  # the truth's node id when it is not the host name (rogues)

    @property
    def address(self) -> str:
        return str(self.state.mgmt_ip)

    @property
    def node(self) -> str:
        return self.node_id or self.state.hostname

    @property
    def kind(self) -> FaultKind | None:
        return None if self.fault is None else self.fault.kind


def wrong_password(password: str) -> str:
    """The only password an ``auth``-fault device accepts (never the inventory one)."""
    return f"{password}-not-this-one"


def host_key(seed: bytes, hostname: str) -> asyncssh.SSHKey:
    """The device's Ed25519 host key: stable for a seed, different per hostname."""
    raw = hashlib.sha256(seed + hostname.encode()).digest()
    pem = Ed25519PrivateKey.from_private_bytes(raw).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    return asyncssh.import_private_key(pem)


class _Session(asyncssh.SSHServerSession[str]):
    """One SSH channel: feeds typed text to the shell and plays its events back."""

    def __init__(self, shell: Shell, lures: tuple[str, ...] = ()) -> None:
        self._shell = shell
        self._lures = lures  # ``prompt`` fault: pause after these lines
        self._chan: asyncssh.SSHServerChannel[str] | None = None
        self._exec: str | None = None
        self._queue: deque[Event] = deque()
        self._task: asyncio.Task[None] | None = None
        self._stream: asyncio.Task[None] | None = None
        self._writable = asyncio.Event()
        self._writable.set()

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._exec = command
        return True

    def session_started(self) -> None:
        command = self._exec
        if command is None:
            self._emit(self._shell.start())
        else:
            self._emit([*self._guarded(lambda: self._shell.run(command)), Hangup()])

    def data_received(self, data: str, datatype: object) -> None:
        if self._exec is None:
            self._emit(self._guarded(lambda: self._shell.feed(data)))

    def _guarded(self, step: Callable[[], list[Event]]) -> list[Event]:
        """A renderer bug must not look like a device fault silently: log it, drop the connection."""
        try:
            return step()
        except Exception:
            log.exception("lab shell failed on %s", self._shell.dev.hostname)
            return [Hangup(drop=True)]

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        for task in (self._task, self._stream):
            if task is not None:
                task.cancel()
        self._queue.clear()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    def _emit(self, events: Sequence[Event]) -> None:
        self._queue.extend(self._with_lure_pauses(events) if self._lures else events)
        if self._task is not None and not self._task.done():
            return
        if any(isinstance(e, Pause) for e in self._queue):
            self._task = asyncio.get_running_loop().create_task(self._drain())
        else:
            while self._queue:
                self._play(self._queue.popleft())

    async def _drain(self) -> None:
        while self._queue:
            event = self._queue.popleft()
            if isinstance(event, Pause):
                await asyncio.sleep(event.seconds)
            else:
                self._play(event)

    def _play(self, event: Event) -> None:
        chan = self._chan
        if chan is None or chan.is_closing():
            return
        if isinstance(event, str):
            chan.write(event)
        elif isinstance(event, Hangup):
            self._queue.clear()
            if event.endless:
                self._stream = asyncio.get_running_loop().create_task(self._endless(chan))
            elif event.drop:  # no SSH goodbye: the TCP connection just dies (after the text is out)
                asyncio.get_running_loop().call_later(_DROP_DELAY_S, chan.get_connection().abort)
            else:
                chan.exit(0)

    def _with_lure_pauses(self, events: Sequence[Event]) -> list[Event]:
        """``prompt`` fault: end a write after each fake prompt line and wait before the rest."""
        out: list[Event] = []
        for event in events:
            parts = split_after_lures(event, self._lures) if isinstance(event, str) else [event]
            for i, part in enumerate(parts):
                out += [Pause(LURE_PAUSE_S), part] if i else [part]
        return out

    async def _endless(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        """``endless`` fault: write for ever, as fast as the client reads, never more than asyncssh buffers."""
        blocks: Iterator[str] = endless_blocks(self._shell.dev)
        while not chan.is_closing():
            await self._writable.wait()
            chan.write(next(blocks))
            await asyncio.sleep(0)


class _DeviceServer(asyncssh.SSHServer):
    def __init__(self, lab: LabServer, device: ServedDevice) -> None:
        self._lab, self._dev = lab, device
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._lab._connections.add(conn)
        self._lab._capture(self._dev, "connect", peer=str(conn.get_extra_info("peername", ("", 0))[0]))

    def connection_lost(self, exc: Exception | None) -> None:
        self._lab._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        dev = self._dev
        self._lab._capture(dev, "password", username=username,
                           password_sha256=hashlib.sha256(password.encode()).hexdigest())
        if dev.kind is FaultKind.ROGUE:
            return True  # a credential harvester lets everyone in
        expected = dev.password
        if dev.fault is not None and dev.fault.kind is FaultKind.AUTH:
            expected = wrong_password(dev.password)
        ok = hmac.compare_digest(username.encode(), dev.username.encode()) and hmac.compare_digest(
            password.encode(), expected.encode()
        )
        if not ok:
            log.debug("auth refused on %s for user %r", dev.state.hostname, username)
        return ok

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel[str], _Session]:
        assert self._conn is not None
        chan = self._conn.create_server_channel(encoding="utf-8", errors="replace")
        shell = self._lab._shell_for(self._dev)
        lures = prompt_lures(shell.dev, self._dev.username) if self._dev.kind is FaultKind.PROMPT else ()
        return chan, _Session(shell, lures)


@dataclass(slots=True)
class LabServer:
    """Serve ``devices`` over SSH, each on its own ``mgmt_ip``, all on ``port``.

    Host keys are stable per ``host_key_seed`` and device, except on ``hostkey`` devices: theirs
    is random at every :meth:`start` and again at every :meth:`rotate_host_keys`.
    ``capture_logins``: append one JSON line per connection (``event: connect``) and per password
    attempt (``event: password``, with ``username`` and ``password_sha256``) on any device.
    """

    devices: Sequence[ServedDevice]
    port: int = DEFAULT_PORT
    latency_ms: float = 0.0
    host_key_seed: bytes = b"netatlas-lab"
    capture_logins: Path | None = None
    _listeners: list[asyncssh.SSHAcceptor] = field(default_factory=list, init=False)
    _acceptors: dict[str, asyncssh.SSHAcceptor] = field(default_factory=dict, init=False)  # node -> listener
    _salts: dict[str, bytes] = field(default_factory=dict, init=False)  # hostkey devices: node -> random salt
    _capture_file: IO[str] | None = field(default=None, init=False)
    _connections: set[asyncssh.SSHServerConnection | None] = field(default_factory=set, init=False)
    _tables: dict[Platform, list[CommandSpec]] = field(default_factory=dict, init=False)
    _indexes: dict[Platform, CommandIndex] = field(default_factory=dict, init=False)

    @property
    def addresses(self) -> list[str]:
        """Addresses something listens on (``unreachable`` devices are left out)."""
        return [d.address for d in self.devices if not _unreachable(d)]

    async def start(self) -> None:
        """Bind every listener; on any failure, close the ones already opened and raise."""
        asyncssh.set_log_level(logging.WARNING)  # one INFO line per connection costs real CPU at scale
        self._salts = {d.node: os.urandom(16) for d in self.devices if d.kind is FaultKind.HOSTKEY}
        try:
            if self.capture_logins is not None:
                self._capture_file = self.capture_logins.open("a", encoding="utf-8", buffering=1)
            for device in self.devices:
                if not _unreachable(device):
                    self._acceptors[device.node] = acceptor = await self._listen(device)
                    self._listeners.append(acceptor)
        except BaseException:
            await self.stop()
            raise
        log.info("lab serving %d devices on port %d", len(self._listeners), self.port)

    async def _listen(self, device: ServedDevice) -> asyncssh.SSHAcceptor:
        try:
            return await asyncssh.listen(
                host=device.address,
                port=self.port,
                reuse_address=True,
                server_factory=lambda: _DeviceServer(self, device),
                server_host_keys=[self.host_key_of(device)],
                line_editor=False,
                kbdint_auth=False,
                public_key_auth=False,
                encryption_algs=ENCRYPTION_ALGS,
                kex_algs=KEX_ALGS,
                mac_algs=MAC_ALGS,
                compression_algs=("none",),
                login_timeout=30,
                keepalive_interval=0,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(device.address, self.port) from exc
            raise LabError(f"cannot listen on {device.address}:{self.port}: {exc}") from exc

    async def stop(self) -> None:
        """Close every listener and every open connection (fast: well under 2 s)."""
        listeners, self._listeners = self._listeners, []
        self._acceptors.clear()
        capture, self._capture_file = self._capture_file, None
        if capture is not None:
            capture.close()
        for listener in listeners:
            listener.close()
        conns = [c for c in self._connections if c is not None]
        self._connections.clear()
        for conn in conns:
            conn.abort()
        waits = [listener.wait_closed() for listener in listeners]
        waits += [conn.wait_closed() for conn in conns]
        if waits:  # bounded: a peer that never acknowledges must not hold stop() up
            await asyncio.wait([asyncio.ensure_future(w) for w in waits], timeout=1.5)

    def host_key_of(self, device: ServedDevice) -> asyncssh.SSHKey:
        """The key ``device`` presents to new connections now."""
        return host_key(self.host_key_seed + self._salts.get(device.node, b""), device.state.hostname)

    def rotate_host_keys(self) -> list[str]:
        """Give every ``hostkey`` device a new random key (for new connections); returns their nodes."""
        rotated = []
        for device in self.devices:
            acceptor = self._acceptors.get(device.node)
            if device.kind is FaultKind.HOSTKEY and acceptor is not None:
                self._salts[device.node] = os.urandom(16)
                acceptor.update(server_host_keys=[self.host_key_of(device)])
                rotated.append(device.node)
        return rotated

    def known_hosts(self) -> str:
        """OpenSSH ``known_hosts`` lines of every listening device but the rogues (an operator's file
        would not know the attacker's key), with the keys they present now."""
        lines = []
        for device in self.devices:
            if device.node in self._acceptors and device.kind is not FaultKind.ROGUE:
                public = self.host_key_of(device).export_public_key("openssh").decode().split()
                lines.append(f"[{device.address}]:{self.port} {public[0]} {public[1]}\n")
        return "".join(lines)

    def _capture(self, device: ServedDevice, event: str, **fields: Any) -> None:
        if self._capture_file is None:
            return
        record = {"time": round(time.time(), 3), "event": event, "node": device.node, "address": device.address,
                  "fault": None if device.kind is None else str(device.kind), **fields}
        self._capture_file.write(json.dumps(record) + "\n")

    def _shell_for(self, device: ServedDevice) -> Shell:
        if device.on_session is not None:
            device.on_session()
        platform = device.state.platform
        commands = device.commands
        index = None
        if commands is None:
            commands = self._tables.get(platform)
            if commands is None:
                commands = self._tables.setdefault(platform, load_commands(platform))
            index = self._indexes.get(platform)
            if index is None:
                index = self._indexes.setdefault(platform, CommandIndex(commands, platform_cli(platform)))
        return Shell(
            device.state,
            device.rib,
            username=device.username,
            commands=commands,
            fault=device.fault,
            latency_s=self.latency_ms / 1000.0,
            index=index,
        )


def _unreachable(device: ServedDevice) -> bool:
    return device.fault is not None and device.fault.kind is FaultKind.UNREACHABLE
