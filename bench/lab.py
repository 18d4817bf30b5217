"""The lab's own benchmark: start time, memory, stop time and SSH load of ``netatlas lab serve``.

Run::

    .venv/bin/python bench/lab.py [--devices 1000] [--concurrency 200] [--rss-devices 2000]
                                  [--out bench/results/lab.json] [--profile-lab lab.prof]

Two phases, each against its own ``netatlas lab serve --scenario mixed`` subprocess:

* memory: a lab of ``--rss-devices`` devices; time to "listening on", idle RSS, RSS after one
  short session on up to 200 devices, and how long SIGTERM takes to end it (must be < 2 s);
* load: a lab of ``--devices`` devices; this process opens one SSH session per device
  (``--concurrency`` at once), turns paging off, runs 8 data commands chosen per platform,
  reads each output up to the prompt and exits. It measures throughput and what the lab
  spends (CPU, RSS) while serving it. Every session must succeed.

Results go to ``--out`` as JSON; a markdown table is printed for the README. Exit status 1
when a session failed or the lab was slow to stop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import asyncssh
import psutil  # type: ignore[import-untyped]
import textfsm
import yaml
from ntc_templates.parse import _get_template_dir as ntc_template_dir
from textfsm import clitable

import netatlas

SCENARIO = "mixed"
MEMORY_SESSIONS = 200
STOP_LIMIT_S = 2.0
START_TIMEOUT_S = 300.0
SESSION_TIMEOUT_S = 120.0
PORT_ATTEMPTS = 3
RSS_SAMPLE_S = 0.2
MB = 1024 * 1024
PAGING_OFF = {"juniper_junos": "set cli screen-length 0"}
DEFAULT_PAGING_OFF = "terminal length 0"
# facts, interfaces, neighbors, routes (all VRFs), OSPF neighbors, BGP summary, MAC table, ARP
DATA_COMMANDS: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("show version", "show interfaces", "show cdp neighbors detail", "show ip route vrf *",
                  "show ip ospf neighbor", "show ip bgp summary", "show mac address-table", "show ip arp"),
    "cisco_nxos": ("show version", "show interface", "show cdp neighbors detail", "show ip route vrf all",
                   "show ip ospf neighbors vrf all", "show ip bgp summary vrf all", "show mac address-table",
                   "show ip arp vrf all"),
    "arista_eos": ("show version", "show interfaces", "show lldp neighbors detail", "show ip route vrf all",
                   "show ip ospf neighbor vrf all", "show ip bgp summary vrf all", "show mac address-table",
                   "show ip arp vrf all"),
    "juniper_junos": ("show version", "show interfaces", "show lldp neighbors", "show route", "show ospf neighbor",
                      "show bgp summary", "show ethernet-switching table", "show arp no-resolve"),
}  # fmt: skip
FACTS_ONLY: dict[str, tuple[str, ...]] = {name: ("show version",) for name in DATA_COMMANDS}
# what a device prints when it refuses a command (any platform)
REJECTED = (b"% Invalid", b"% Ambiguous", b"% Incomplete", b"% Authorization failed", b"syntax error,",
            b"unknown command.", b"error: permission denied")  # fmt: skip
PROMPT_ENDINGS = (b"#", b"# ", b">", b"> ")
CLIENT_OPTIONS: dict[str, Any] = {
    "known_hosts": None, "client_keys": None, "agent_path": None, "config": None, "preferred_auth": "password",
    "encryption_algs": ["aes128-gcm@openssh.com", "aes128-ctr"], "kex_algs": ["curve25519-sha256"],
    "compression_algs": None,
}  # fmt: skip


PARSE_SAMPLE = 100  # sessions whose outputs are kept to measure a parsing client's CPU
OWN_TEMPLATES = Path(netatlas.__file__).parent / "collect" / "templates"


class BenchError(Exception):
    """The benchmark could not run (the lab did not start, a device failed)."""


# ----- the lab subprocess -------------------------------------------------------------------
@dataclass(slots=True)
class LabProcess:
    proc: asyncio.subprocess.Process
    ps: psutil.Process
    inventory: dict[str, Any]
    start_s: float  # spawn -> "listening on"
    bind_s: float  # what the lab reports for binding its listeners


def _lab_command(profile: Path | None) -> list[str]:
    """The console script next to this interpreter (``python -m netatlas.cli.main`` does not run the app)."""
    script = Path(sys.executable).parent / "netatlas"
    if profile is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(profile), str(script)]
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from netatlas.cli.main import app; sys.argv[0] = 'netatlas'; app()"]


def _pick_port() -> int:
    """A free port below the ephemeral range, so client source ports never collide with it."""
    for _ in range(50):
        port = random.randint(20000, 29999)
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind(("127.20.0.1", port))
            return port
    raise BenchError("no free port found")


async def start_lab(devices: int, seed: int, workdir: Path, profile: Path | None = None) -> LabProcess:
    """Start ``netatlas lab serve``, retrying on another port when the chosen one is taken."""
    for attempt in range(PORT_ATTEMPTS):
        try:
            return await _start_once(devices, seed, _pick_port(), workdir, profile)
        except BenchError as exc:
            if "already in use" not in str(exc) or attempt == PORT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _start_once(devices: int, seed: int, port: int, workdir: Path, profile: Path | None) -> LabProcess:
    inventory = workdir / f"inventory-{devices}-{port}.yaml"
    stderr = workdir / f"lab-{devices}-{port}.stderr"
    argv = [*_lab_command(profile), "lab", "serve", "--scenario", SCENARIO, "--devices", str(devices),
            "--seed", str(seed), "--port", str(port), "--inventory-out", str(inventory)]  # fmt: skip
    began = time.perf_counter()
    with stderr.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=err,
                                                    env={**os.environ, "COLUMNS": "200"})
    try:
        line = await asyncio.wait_for(_listening_line(proc), START_TIMEOUT_S)
    except (TimeoutError, BenchError) as exc:
        await _kill(proc)
        raise BenchError(f"lab did not start ({exc}): {stderr.read_text()[-2000:]}") from exc
    start_s = time.perf_counter() - began
    bind = re.search(r"started in ([\d.]+)s", line)
    return LabProcess(proc, psutil.Process(proc.pid), yaml.safe_load(inventory.read_text()), start_s,
                      float(bind.group(1)) if bind else float("nan"))


async def _listening_line(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    while raw := await proc.stdout.readline():
        line = raw.decode(errors="replace")
        if "listening on" in line:
            return line
    raise BenchError(f"exited with status {await proc.wait()}")


async def stop_lab(lab: LabProcess) -> float:
    """SIGTERM the lab; seconds until it has exited (killed after 10 s)."""
    began = time.perf_counter()
    lab.proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(lab.proc.wait(), 10)
    except TimeoutError:
        await _kill(lab.proc)
    return time.perf_counter() - began


async def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


class RssSampler:
    """Peak RSS of a process, sampled in the background."""

    def __init__(self, ps: psutil.Process) -> None:
        self.ps, self.peak = ps, ps.memory_info().rss
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self.ps.memory_info().rss)
            await asyncio.sleep(RSS_SAMPLE_S)

    async def stop(self) -> int:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return int(max(self.peak, self.ps.memory_info().rss))


# ----- the client ---------------------------------------------------------------------------
class _Channel(asyncssh.SSHClientSession[bytes]):
    """Collects raw output and wakes a reader when it ends with what the reader waits for."""

    def __init__(self) -> None:
        self.received = 0
        self._chan: asyncssh.SSHClientChannel[bytes] | None = None
        self._buf = bytearray()
        self._until: tuple[bytes, ...] = ()
        self._waiter: asyncio.Future[bytes] | None = None

    def connection_made(self, chan: asyncssh.SSHClientChannel[bytes]) -> None:
        self._chan = chan

    def send(self, line: str) -> None:
        assert self._chan is not None
        self._chan.write(line.encode() + b"\n")

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.received += len(data)
        self._buf += data
        waiter = self._waiter
        if waiter is not None and not waiter.done() and self._buf.endswith(self._until):
            waiter.set_result(bytes(self._buf))
            self._buf.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc or ConnectionError(f"channel closed; last output {bytes(self._buf[-200:])!r}"))

    async def read_until(self, *endings: bytes) -> bytes:
        self._until = endings
        self._waiter = asyncio.get_running_loop().create_future()
        if self._buf.endswith(endings):
            self._waiter.set_result(bytes(self._buf))
            self._buf.clear()
        return await self._waiter


@dataclass(slots=True)
class SessionResult:
    name: str
    host: str
    platform: str
    commands: int = 0
    received: int = 0
    error: str | None = None
    outputs: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(slots=True)
class Client:
    credentials: dict[str, str]
    concurrency: int
    commands: dict[str, tuple[str, ...]]
    _sem: asyncio.Semaphore = field(init=False)
    _kept: int = field(default=0, init=False)  # sessions whose outputs are kept for the parse reference

    def __post_init__(self) -> None:
        self._sem = asyncio.Semaphore(self.concurrency)

    async def run_all(self, devices: Sequence[dict[str, Any]]) -> list[SessionResult]:
        return list(await asyncio.gather(*(self.run_one(d) for d in devices)))

    async def run_one(self, device: dict[str, Any]) -> SessionResult:
        result = SessionResult(device["name"], device["host"], device["platform"])
        async with self._sem:
            try:
                await asyncio.wait_for(self._session(device, result), SESSION_TIMEOUT_S)
            except (OSError, asyncssh.Error, TimeoutError, BenchError) as exc:
                result.error = f"{type(exc).__name__}: {exc}"
        return result

    async def _session(self, device: dict[str, Any], result: SessionResult) -> None:
        creds = self.credentials
        async with asyncssh.connect(device["host"], port=device["port"], username=creds["username"],
                                    password=creds["password"], **CLIENT_OPTIONS) as conn:
            chan, base = await conn.create_session(_Channel, term_type="vt100", encoding=None)
            session = cast(_Channel, base)
            try:
                await self._converse(session, device["platform"], result)
            finally:
                result.received = session.received
            session.send("exit")
            await chan.wait_closed()

    async def _converse(self, session: _Channel, platform_name: str, result: SessionResult) -> None:
        greeting = await session.read_until(*PROMPT_ENDINGS)
        prompt = greeting.rsplit(b"\n", 1)[-1]
        await _command(session, prompt, PAGING_OFF.get(platform_name, DEFAULT_PAGING_OFF))
        keep = self._kept < PARSE_SAMPLE
        self._kept += keep
        for command in self.commands[platform_name]:
            output = await _command(session, prompt, command)
            result.commands += 1
            if keep:
                result.outputs.append((command, output))


async def _command(session: _Channel, prompt: bytes, command: str) -> bytes:
    """Send one command and read its output up to the next prompt. A refusal is an answer too: lab
    devices with old images or a feature off refuse some forms, as real ones do."""
    session.send(command)
    return await session.read_until(prompt)


def _failures(results: Sequence[SessionResult]) -> list[dict[str, str]]:
    return [{"name": r.name, "host": r.host, "platform": r.platform, "error": r.error}
            for r in results if r.error is not None]  # fmt: skip


# ----- the phases ---------------------------------------------------------------------------
def _credentials(lab: LabProcess) -> dict[str, str]:
    creds: dict[str, str] = lab.inventory["credentials"]["lab"]
    return creds


def _lab_cpu(ps: psutil.Process) -> float:
    times = ps.cpu_times()
    return float(times.user + times.system)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def memory_phase(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Start, idle RSS, RSS after a short session on a few devices, stop time."""
    lab = await start_lab(args.rss_devices, args.seed, workdir)
    try:
        rss_idle = lab.ps.memory_info().rss
        devices = lab.inventory["devices"][:MEMORY_SESSIONS]
        results = await Client(_credentials(lab), args.concurrency, FACTS_ONLY).run_all(devices)
        rss_after = lab.ps.memory_info().rss
    finally:
        stop_s = await stop_lab(lab)
    return {
        "devices": args.rss_devices, "start_s": round(lab.start_s, 3), "bind_s": lab.bind_s,
        "rss_idle_mb": round(rss_idle / MB, 1), "rss_per_device_kb": round(rss_idle / 1024 / args.rss_devices, 1),
        "sessions": sum(r.error is None for r in results), "rss_after_sessions_mb": round(rss_after / MB, 1),
        "stop_s": round(stop_s, 3), "stop_ok": stop_s < STOP_LIMIT_S, "failures": len(_failures(results)),
        "failed": _failures(results),
    }  # fmt: skip


async def load_phase(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Every device once, 8 data commands each, ``--concurrency`` sessions at a time."""
    lab = await start_lab(args.devices, args.seed, workdir, args.profile_lab)
    try:
        report = await _measure_load(lab, args)  # first visit: each device's RIB is computed in its session
        again = await _measure_load(lab, args)  # second job on the same lab: RIBs cached, only serving
    finally:
        stop_s = await stop_lab(lab)
    warm = {k: again[k] for k in ("wall_s", "sessions_per_s", "lab_cpu_s", "lab_cpu_ms_per_session",
                                  "lab_utilisation", "client_cpu_s", "failures")}
    return {**report, "second_run": warm, "failures": report["failures"] + again["failures"],
            "failed": report["failed"] + again["failed"], "start_s": round(lab.start_s, 3), "stop_s": round(stop_s, 3)}


async def _measure_load(lab: LabProcess, args: argparse.Namespace) -> dict[str, Any]:
    devices: list[dict[str, Any]] = lab.inventory["devices"]
    client = Client(_credentials(lab), args.concurrency, DATA_COMMANDS)
    rss_idle = lab.ps.memory_info().rss
    sampler = RssSampler(lab.ps)
    lab_cpu, own_cpu, began = _lab_cpu(lab.ps), _own_cpu(), time.perf_counter()
    results = await client.run_all(devices)
    wall = time.perf_counter() - began
    lab_cpu, own_cpu = _lab_cpu(lab.ps) - lab_cpu, _own_cpu() - own_cpu
    peak = await sampler.stop()
    parse_ms = parse_reference(results)
    return {
        "client_parse_ms_per_device": parse_ms,
        **_throughput(results, wall), "lab_cpu_s": round(lab_cpu, 2), "client_cpu_s": round(own_cpu, 2),
        **_lab_cost(results, wall, lab_cpu), "lab_rss_idle_mb": round(rss_idle / MB, 1),
        "lab_peak_rss_mb": round(peak / MB, 1), "platforms": dict(Counter(d["platform"] for d in devices)),
        "failed": _failures(results),
    }  # fmt: skip


def _throughput(results: Sequence[SessionResult], wall: float) -> dict[str, Any]:
    ok = [r for r in results if r.error is None]
    commands = sum(r.commands for r in ok)
    received = sum(r.received for r in results)
    return {
        "devices": len(results), "sessions": len(ok), "failures": len(results) - len(ok), "commands": commands,
        "wall_s": round(wall, 3), "sessions_per_s": round(len(ok) / wall, 1),
        "commands_per_s": round(commands / wall, 1), "bytes_received": received,
        "mb_per_s": round(received / MB / wall, 2),
    }  # fmt: skip


def _lab_cost(results: Sequence[SessionResult], wall: float, lab_cpu: float) -> dict[str, float]:
    sessions = max(len(results), 1)
    commands = max(sum(r.commands for r in results), 1)
    return {
        "lab_cpu_ms_per_session": round(lab_cpu * 1000 / sessions, 2),
        "lab_cpu_ms_per_command": round(lab_cpu * 1000 / commands, 3),  # includes the session set-up share
        "lab_utilisation": round(lab_cpu / wall, 3),  # cores: well under 1.0 means the lab is not the limit
    }


def parse_reference(results: Sequence[SessionResult]) -> float:
    """CPU ms per device to parse what a sample of devices sent, with TextFSM templates compiled once.

    This is the least any client that parses its output spends per device: the yardstick the
    lab's own CPU per session is compared with.
    """
    sample = [r for r in results if r.outputs and r.error is None]
    templates = _TemplateCache()
    began = time.process_time()
    for result in sample:
        for command, raw in result.outputs:
            templates.parse(result.platform, command, _body(raw))
    return round((time.process_time() - began) * 1000 / max(len(sample), 1), 2)


def _body(raw: bytes) -> str:
    """Output without the echoed command line and the trailing prompt."""
    text = raw.decode(errors="replace").replace("\r\n", "\n")
    return text.split("\n", 1)[-1].rsplit("\n", 1)[0]


class _TemplateCache:
    def __init__(self) -> None:
        self._table = clitable.CliTable("index", ntc_template_dir())
        self._fsms: dict[tuple[str, str], textfsm.TextFSM | None] = {}

    def parse(self, platform_name: str, command: str, text: str) -> None:
        key = (platform_name, command)
        if key not in self._fsms:
            self._fsms[key] = self._compile(platform_name, command)
        fsm = self._fsms[key]
        if fsm is not None:
            fsm.Reset()
            # a device's "feature not running" line: the template refuses it, after the same work
            with contextlib.suppress(textfsm.TextFSMError):
                fsm.ParseText(text)

    def _compile(self, platform_name: str, command: str) -> textfsm.TextFSM | None:
        own = OWN_TEMPLATES / f"{platform_name}_{command.replace(' ', '_')}.textfsm"
        if own.exists():
            return textfsm.TextFSM(io.StringIO(own.read_text()))
        row = self._table.index.GetRowMatch({"Platform": platform_name, "Command": command})
        if row <= 0:
            return None
        name = self._table.index.index[row]["Template"].split(":")[0]
        return textfsm.TextFSM(io.StringIO((Path(ntc_template_dir()) / name).read_text()))


# ----- report -------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(), "cpu_model": _cpu_model(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1), "python": platform.python_version(),
        "platform": platform.platform(), "asyncssh": asyncssh.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }  # fmt: skip


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def markdown(results: dict[str, Any]) -> str:
    mem, load, host = results["memory"], results["load"], results["machine"]
    rows = [
        (f"lab start, {mem['devices']} devices (spawn to listening)", f"{mem['start_s']:.1f} s"),
        (f"lab RSS idle, {mem['devices']} devices",
         f"{mem['rss_idle_mb']:.0f} MB ({mem['rss_per_device_kb']:.0f} KB/device)"),
        (f"lab RSS after {mem['sessions']} sessions", f"{mem['rss_after_sessions_mb']:.0f} MB"),
        ("lab stop after SIGTERM", f"{mem['stop_s']:.2f} s"),
        (f"load: {load['devices']} devices x 8 commands, {results['params']['concurrency']} at once",
         f"{load['wall_s']:.1f} s, {load['failures']} failed"),
        ("sessions/s, commands/s", f"{load['sessions_per_s']:.0f}, {load['commands_per_s']:.0f}"),
        ("received", f"{load['bytes_received'] / MB:.1f} MB ({load['mb_per_s']:.1f} MB/s)"),
        ("lab CPU", f"{load['lab_cpu_s']:.1f} s ({load['lab_cpu_ms_per_session']:.1f} ms/session, "
                    f"{load['lab_cpu_ms_per_command']:.2f} ms/command)"),
        ("lab utilisation (cores)", f"{load['lab_utilisation']:.2f}"),
        ("second run on the same lab (RIBs cached): wall, lab CPU",
         f"{load['second_run']['wall_s']:.1f} s, {load['second_run']['lab_cpu_ms_per_session']:.1f} ms/session "
         f"({load['second_run']['lab_utilisation']:.2f} cores)"),
        ("client CPU (this process, no parsing)", f"{load['client_cpu_s']:.1f} s"),
        ("client parse CPU (ntc-templates, compiled once)", f"{load['client_parse_ms_per_device']:.1f} ms/device"),
        ("lab RSS idle / peak under load", f"{load['lab_rss_idle_mb']:.0f} / {load['lab_peak_rss_mb']:.0f} MB"),
    ]  # fmt: skip
    head = f"Lab benchmark ({host['cpu_count']} cores, {host['cpu_model']}, Python {host['python']}, {host['date']})"
    return "\n".join([head, "", "| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def print_profile(path: Path, top: int = 25) -> None:
    print(f"\nlab hotspots (cProfile, top {top} by own time; the profiled run is slower):")
    pstats.Stats(str(path), stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(top)


# ----- main ---------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--devices", type=int, default=1000, help="devices in the load phase")
    parser.add_argument("--concurrency", type=int, default=200, help="SSH sessions at once")
    parser.add_argument("--rss-devices", type=int, default=2000, help="devices in the memory phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "lab.json")
    parser.add_argument("--profile-lab", type=Path, default=None, help="run the load-phase lab under cProfile")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="netatlas-bench-") as tmp:
        memory = await memory_phase(args, Path(tmp))
        load = await load_phase(args, Path(tmp))
    params = {"scenario": SCENARIO, "devices": args.devices, "concurrency": args.concurrency,
              "rss_devices": args.rss_devices, "seed": args.seed, "commands_per_session": 8,
              "memory_sessions": min(MEMORY_SESSIONS, args.rss_devices), "profiled": args.profile_lab is not None}
    ok = memory["failures"] == 0 and load["failures"] == 0 and memory["stop_ok"] and load["stop_s"] < STOP_LIMIT_S
    return {"ok": ok, "machine": machine_info(), "params": params, "memory": memory, "load": load}


def report_problems(results: dict[str, Any]) -> None:
    for phase in ("memory", "load"):
        for failure in results[phase]["failed"]:
            print(f"FAILED ({phase}) {failure['name']} {failure['host']} {failure['platform']}: {failure['error']}",
                  file=sys.stderr)
        if results[phase]["stop_s"] >= STOP_LIMIT_S:
            print(f"SLOW STOP ({phase}): {results[phase]['stop_s']:.2f} s >= {STOP_LIMIT_S} s", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))
    if args.profile_lab is not None:
        print_profile(args.profile_lab)
    report_problems(results)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
