"""The lab over real SSH: Netmiko and asyncssh clients against an in-process LabServer."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, TypeVar

import asyncssh
import pytest
from netmiko import ConnectHandler

from netatlas.lab.cli_platforms import load_commands
from netatlas.lab.faults import Fault, FaultKind
from netatlas.lab.model import DeviceState, Platform
from netatlas.lab.render.base import CommandSpec
from netatlas.lab.server import LabServer, PortInUseError, ServedDevice, wrong_password

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

T = TypeVar("T")
USER, PASSWORD, SECRET = "netops", "lab-pass", "en-secret"
LONG_LINES = 120
NET = f"127.23.{os.getpid() % 250 + 1}"
COMMANDS = [
    CommandSpec("show version", lambda ctx: f"{ctx.dev.hostname} uptime is 5 weeks\n"),
    CommandSpec("show ip route", lambda ctx: "".join(f"route line {i}\n" for i in range(LONG_LINES))),
    CommandSpec("show lldp neighbors", lambda ctx: "Device ID  Local Intf\nsw2  Gi1\n"),
]


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _device(n: int, name: str, platform: Platform, *, fault: FaultKind | None = None, **kw: Any) -> ServedDevice:
    state = DeviceState(name, platform, IPv4Address(f"{NET}.{n}"), "lab-model", f"SN{n}", "1.0", **kw)
    chosen = None if fault is None else Fault(fault, "show ip route" if fault is FaultKind.REJECT else None)
    return ServedDevice(state, lambda: [], USER, PASSWORD, chosen, commands=COMMANDS)


DEVICES = [
    _device(1, "ios1", Platform.CISCO_IOS),
    _device(2, "ios2", Platform.CISCO_IOS, enable_secret=SECRET),
    _device(3, "nxos1", Platform.CISCO_NXOS),
    _device(4, "eos1", Platform.ARISTA_EOS),
    _device(5, "junos1", Platform.JUNIPER_JUNOS),
    _device(6, "unreach", Platform.CISCO_IOS, fault=FaultKind.UNREACHABLE),
    _device(7, "authf", Platform.CISCO_IOS, fault=FaultKind.AUTH),
    _device(8, "slowf", Platform.CISCO_IOS, fault=FaultKind.SLOW),
    _device(9, "discf", Platform.CISCO_IOS, fault=FaultKind.DISCONNECT),
    _device(10, "garbf", Platform.CISCO_IOS, fault=FaultKind.GARBAGE),
    _device(11, "rejf", Platform.CISCO_IOS, fault=FaultKind.REJECT),
    _device(12, "endlessf", Platform.CISCO_IOS, fault=FaultKind.ENDLESS),
    _device(13, "roguef", Platform.CISCO_IOS, fault=FaultKind.ROGUE),
    _device(14, "keyf", Platform.CISCO_IOS, fault=FaultKind.HOSTKEY),
]
BY_NAME = {d.state.hostname: d for d in DEVICES}


class Lab:
    """A LabServer on its own event loop in a background thread."""

    def __init__(self, server: LabServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@pytest.fixture(scope="module")
def lab() -> Iterator[LabServer]:
    server = LabServer(DEVICES, port=_free_port(f"{NET}.1"), host_key_seed=b"test-seed")
    running = Lab(server)
    running.call(server.start())
    yield server
    running.close()


def _connect(lab: LabServer, name: str, password: str = PASSWORD) -> Any:
    return asyncssh.connect(
        BY_NAME[name].address, lab.port, username=USER, password=password, known_hosts=None, connect_timeout=5
    )


def _netmiko(lab: LabServer, name: str) -> Any:
    dev = BY_NAME[name]
    return ConnectHandler(
        device_type=dev.state.platform.value, host=dev.address, port=lab.port,
        username=USER, password=PASSWORD, secret=SECRET, conn_timeout=5, auth_timeout=5,
    )  # fmt: skip


@pytest.mark.parametrize("name", ["ios1", "nxos1", "eos1", "junos1"])
def test_netmiko_show_version_and_long_output(lab: LabServer, name: str) -> None:
    with _netmiko(lab, name) as conn:
        assert conn.send_command("show version").strip() == f"{name} uptime is 5 weeks"
        lines = conn.send_command("sh ip route").strip().splitlines()
    assert lines == [f"route line {i}" for i in range(LONG_LINES)]


def test_netmiko_enable_at_user_prompt(lab: LabServer) -> None:
    with _netmiko(lab, "ios2") as conn:
        assert conn.find_prompt() == "ios2>"
        conn.enable()
        assert conn.find_prompt() == "ios2#"
        assert "uptime" in conn.send_command("show version")


async def _read_until(proc: Any, marker: str, timeout: float = 5) -> str:
    seen = ""
    while marker not in seen:
        chunk = await asyncio.wait_for(proc.stdout.read(4096), timeout)
        if not chunk:
            raise EOFError(seen)
        seen += chunk
    return seen


def test_asyncssh_interactive_paging_and_exit(lab: LabServer) -> None:
    async def session() -> int | None:
        async with _connect(lab, "ios1") as conn:
            proc = await conn.create_process(term_type="vt100")
            await _read_until(proc, "ios1#")
            proc.stdin.write("show ip route\r")
            first = await _read_until(proc, " --More-- ")
            assert "route line 22\r\n" in first and "route line 23" not in first
            proc.stdin.write("q")
            await _read_until(proc, "ios1#")
            proc.stdin.write("exit\r")
            await asyncio.wait_for(proc.wait_closed(), 5)
            status: int | None = proc.exit_status
            return status

    assert asyncio.run(session()) == 0


def test_asyncssh_exec(lab: LabServer) -> None:
    async def run() -> asyncssh.SSHCompletedProcess:
        async with _connect(lab, "eos1") as conn:
            done: asyncssh.SSHCompletedProcess = await conn.run("show version", timeout=5)
            return done

    result = asyncio.run(run())
    assert result.exit_status == 0
    assert result.stdout == "eos1 uptime is 5 weeks\r\n"


def test_unreachable_refuses_connections(lab: LabServer) -> None:
    async def connect() -> None:
        async with _connect(lab, "unreach"):
            pass

    with pytest.raises(ConnectionRefusedError):
        asyncio.run(connect())
    assert BY_NAME["unreach"].address not in lab.addresses


def test_auth_fault_refuses_inventory_password(lab: LabServer) -> None:
    async def exec_with(password: str) -> str:
        async with _connect(lab, "authf", password) as conn:
            return str((await conn.run("show version", timeout=5)).stdout)

    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(exec_with(PASSWORD))
    assert "uptime" in asyncio.run(exec_with(wrong_password(PASSWORD)))


def test_wrong_password_is_refused(lab: LabServer) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(_exec(lab, "ios1", "show version", password="guess"))


async def _exec(lab: LabServer, name: str, command: str, password: str = PASSWORD) -> str:
    async with _connect(lab, name, password) as conn:
        return str((await conn.run(command, timeout=5)).stdout)


def test_slow_fault_never_answers_in_time(lab: LabServer) -> None:
    async def session() -> None:
        async with _connect(lab, "slowf") as conn:  # login works
            proc = await conn.create_process(term_type="vt100")
            await _read_until(proc, "slowf#")
            proc.stdin.write("show version\r")
            await _read_until(proc, "uptime", timeout=1.0)

    with pytest.raises(TimeoutError):
        asyncio.run(session())


def test_disconnect_fault_drops_mid_output(lab: LabServer) -> None:
    received: list[str] = []

    async def session() -> None:
        async with _connect(lab, "discf") as conn:
            proc = await conn.create_process(term_type="vt100")
            await _read_until(proc, "discf#")
            proc.stdin.write("terminal length 0\rshow version\r")
            await _read_until(proc, "uptime is 5 weeks\r\ndiscf#")
            proc.stdin.write("show ip route\r")
            while chunk := await asyncio.wait_for(proc.stdout.read(4096), 5):
                received.append(chunk)

    with pytest.raises((asyncssh.DisconnectError, ConnectionError)):
        asyncio.run(session())
    partial = "".join(received)
    assert "route line 0\r\n" in partial
    assert f"route line {LONG_LINES - 1}" not in partial


def test_garbage_fault_prints_junk_but_prompt_returns(lab: LabServer) -> None:
    with _netmiko(lab, "garbf") as conn:
        assert "uptime" in conn.send_command("show version")
        junk = conn.send_command("show ip route")
    assert junk.strip() and "route line" not in junk


def test_reject_fault_answers_authorization_failed(lab: LabServer) -> None:
    assert asyncio.run(_exec(lab, "rejf", "show ip route")) == "% Authorization failed.\r\n"
    assert "sw2" in asyncio.run(_exec(lab, "rejf", "show lldp neighbors"))


def _host_keys(port: int, names: list[str]) -> list[str]:
    async def fetch() -> list[str]:
        server = LabServer([BY_NAME[n] for n in names], port=port, host_key_seed=b"stable")
        await server.start()
        try:
            keys = [await asyncssh.get_server_host_key(BY_NAME[n].address, port) for n in names]
        finally:
            await server.stop()
        return [k.export_public_key().decode() if k else "" for k in keys]

    return asyncio.run(fetch())


def test_host_keys_stable_across_starts_and_distinct_per_device() -> None:
    port = _free_port(f"{NET}.1")
    first = _host_keys(port, ["ios1", "nxos1"])
    second = _host_keys(port, ["ios1", "nxos1"])
    assert first == second
    assert all(first)
    assert first[0] != first[1]


def test_stop_is_fast_with_sessions_open() -> None:
    async def scenario() -> float:
        server = LabServer(DEVICES[:5], port=_free_port(f"{NET}.1"))
        await server.start()
        conns = [await _connect(server, d.state.hostname) for d in DEVICES[:5]]
        procs = [await c.create_process(term_type="vt100") for c in conns]
        prompts = ["ios1#", "ios2>", "nxos1# ", "eos1#", "junos1> "]
        await asyncio.gather(*(_read_until(p, prompt) for p, prompt in zip(procs, prompts, strict=True)))
        started = time.perf_counter()
        await server.stop()
        elapsed = time.perf_counter() - started
        await asyncio.gather(*(asyncio.wait_for(c.wait_closed(), 2) for c in conns))
        return elapsed

    assert asyncio.run(scenario()) < 2.0


def test_port_in_use_is_a_clear_error(lab: LabServer) -> None:
    async def clash() -> None:
        await LabServer([BY_NAME["ios1"]], port=lab.port).start()

    with pytest.raises(PortInUseError) as info:
        asyncio.run(clash())
    assert f"{BY_NAME['ios1'].address}:{lab.port}" in str(info.value)


@pytest.mark.parametrize("platform", list(Platform))
def test_real_renderer_table_serves_show_version(platform: Platform) -> None:
    assert load_commands(platform), f"no renderer table for {platform}"
    state = DeviceState(
        "real1", platform, IPv4Address(f"{NET}.200"), "lab-model", "SN200", "17.9.4", domain="lab.example"
    )

    async def scenario() -> str:
        server = LabServer([ServedDevice(state, lambda: [], USER, PASSWORD)], port=_free_port(f"{NET}.200"))
        await server.start()
        try:
            return await _exec(server, "real1", "show version")
        finally:
            await server.stop()

    BY_NAME["real1"] = ServedDevice(state, lambda: [], USER, PASSWORD)
    assert asyncio.run(scenario()).strip()


def test_endless_fault_streams_an_exec_command_and_never_exits(lab: LabServer) -> None:
    async def run() -> tuple[int, bool]:
        async with _connect(lab, "endlessf") as conn:
            proc = await conn.create_process("show ip route")
            total = 0
            while total < 4 << 20:
                total += len(await asyncio.wait_for(proc.stdout.read(1 << 16), 5))
            return total, proc.exit_status is None

    total, running = asyncio.run(run())
    assert total >= 4 << 20 and running
    assert "uptime" in asyncio.run(_exec(lab, "endlessf", "show version"))  # not a data command


def test_rogue_fault_accepts_any_password(lab: LabServer) -> None:
    assert "uptime" in asyncio.run(_exec(lab, "roguef", "show version", password="anything at all"))


def test_hostkey_fault_rotates_only_hostkey_devices(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[str], list[str], list[str], str]:
        names = ["ios1", "keyf"]
        server = LabServer([BY_NAME[n] for n in names], port=_free_port(f"{NET}.1"), capture_logins=tmp_path / "c")
        await server.start()
        try:
            async def keys() -> list[str]:
                found = [await asyncssh.get_server_host_key(BY_NAME[n].address, server.port) for n in names]
                return [k.export_public_key().decode() if k else "" for k in found]

            before = await keys()
            rotated = server.rotate_host_keys()
            after = await keys()
            await _exec(server, "keyf", "show version", password="wrong-one")
        except asyncssh.PermissionDenied:
            pass
        finally:
            await server.stop()
        return before, after, rotated, (tmp_path / "c").read_text()

    before, after, rotated, captured = asyncio.run(scenario())
    assert rotated == ["keyf"]
    assert before[0] == after[0] and before[1] != after[1]
    assert "wrong-one" not in captured
    assert hashlib.sha256(b"wrong-one").hexdigest() in captured
