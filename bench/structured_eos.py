"""What EOS's `` | json`` forms cost the client against their text forms (issue 11), per command.

Run (one bench at a time on the shared machine)::

    flock /tmp/netatlas-bench.lock .venv/bin/python bench/structured_eos.py \\
        [--scenario datacenter] [--devices 100] [--seed 2] [--repeat 5] \\
        [--address-range 127.162.0.0/16] [--no-ssh] [--out bench/results/structured_eos.json]

Two measures, both of this process only (the lab runs in its own process):

* **parse**, no SSH: every EOS device of a ``--scenario``/``--devices``/``--seed`` network
  rendered in-process (text and JSON from the same state), each command's output parsed by
  ``parse_command`` in both forms; the best of ``--repeat`` CPU times (``time.process_time``),
  summed per command over the devices, per device, with the bytes each form puts on the wire;
* **collect**, over SSH: the same network served by ``netatlas lab serve --warm`` on
  ``--address-range``, every EOS device collected (every data type) by ``collect_device`` one at a
  time with inline parsing, once with the platform row's text forms (``json_commands`` emptied)
  and once with its structured forms: client CPU per device (SSH + parse), wall, characters
  received, and the lab process's CPU over the same interval (rendering and SSH on its side).

Both records equal each other (the JSON run's records are compared to the text run's, per device).
The load average before and after is recorded: on a loaded machine wall times are inflated, CPU
times much less.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml

from netatlas.collect import platforms
from netatlas.collect.parsers.parse import parse_command
from netatlas.collect.platforms import PLATFORMS, PlatformSpec
from netatlas.domain.records import DataType, ParseOutcome
from netatlas.lab.network import Network
from netatlas.lab.render.base import RenderContext
from netatlas.lab.scenarios import build_network

EOS = "arista_eos"
START_TIMEOUT_S = 300.0


def _eos_row(structured: bool) -> PlatformSpec:
    spec = PLATFORMS[EOS]
    return spec if structured else dataclasses.replace(spec, json_commands=frozenset())


@contextlib.contextmanager
def forms(structured: bool) -> Iterator[None]:
    """The EOS row with its structured forms (as shipped) or with none (every command as text)."""
    shipped = PLATFORMS[EOS]
    PLATFORMS[EOS] = _eos_row(structured)
    try:
        yield
    finally:
        PLATFORMS[EOS] = shipped


# ---- parse only ------------------------------------------------------------------------------


def _render(ctx: RenderContext, command: str) -> str:
    from tests.support.parser_fixtures import render

    return render(ctx, command)


def _best_cpu(command: str, text: str, types: frozenset[DataType], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        parse_command(EOS, command, text, types)
        best = min(best, time.process_time() - began)
    return best


def parse_phase(net: Network, repeat: int) -> dict[str, Any]:
    """Per command: CPU ms per device to parse each form, and characters per device of each."""
    spec = PLATFORMS[EOS]
    devices = [d for d in net.devices.values() if str(d.platform) == EOS]
    plan = [(c, t) for c, t in _eos_row(False).plan(frozenset(DataType))]
    totals: dict[str, dict[str, float]] = {c: {"text_ms": 0.0, "json_ms": 0.0, "text_chars": 0, "json_chars": 0}
                                          for c, _ in plan}
    for dev in devices:
        ctx = RenderContext(dev, functools.partial(net.rib, dev.hostname))
        ctx.rib()
        for command, types in plan:
            text = _render(ctx, command)
            structured = _render(ctx, command + spec.json_suffix)
            parse_command(EOS, command, text, types)  # templates compiled, caches warm
            parse_command(EOS, command + spec.json_suffix, structured, types)
            row = totals[command]
            row["text_ms"] += 1000 * _best_cpu(command, text, types, repeat)
            row["json_ms"] += 1000 * _best_cpu(command + spec.json_suffix, structured, types, repeat)
            row["text_chars"] += len(text)
            row["json_chars"] += len(structured)
    per_device = {c: {k: round(v / len(devices), 3) for k, v in row.items()} for c, row in totals.items()}
    return {"devices": len(devices), "per_device": per_device,
            "total_ms": {form: round(sum(r[f"{form}_ms"] for r in per_device.values()), 2)
                         for form in ("text", "json")}}


# ---- collect over SSH ------------------------------------------------------------------------


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def start_lab(args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    inventory = workdir / "lab.yaml"
    network = IPv4Network(args.address_range)
    argv = [str(Path(sys.executable).parent / "netatlas"), "lab", "serve", "--scenario", args.scenario,
            "--devices", str(args.devices), "--seed", str(args.seed), "--port",
            str(_free_port(str(network.network_address + 1))), "--address-range", args.address_range,
            "--inventory-out", str(inventory), "--warm"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0,
                            env={**os.environ, "COLUMNS": "200"})
    assert proc.stdout is not None
    began, seen = time.perf_counter(), b""
    while b"listening on" not in seen:
        ready, _, _ = select.select([proc.stdout], [], [], max(START_TIMEOUT_S - (time.perf_counter() - began), 0))
        line = proc.stdout.readline() if ready else b""
        if not line:
            proc.kill()
            raise SystemExit(f"the lab did not start: {seen.decode(errors='replace')[-2000:]}")
        seen += line
    return proc, yaml.safe_load(inventory.read_text())


async def _parse(platform: str, command: str, text: str, types: frozenset[DataType]) -> ParseOutcome:
    return parse_command(platform, command, text, types)


def _lab_cpu(pid: int) -> float:
    """CPU seconds the lab process has used (user + system, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _collect_all(devices: list[Any], credential: Any, lab_pid: int) -> tuple[dict[str, Any], list[Any]]:
    from netatlas.collect.collector import collect_device
    from netatlas.collect.transport import Timeouts

    results = []
    began_lab = _lab_cpu(lab_pid)
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    for device in devices:
        results.append(await collect_device(device, credential, frozenset(DataType), parse=_parse,
                                            timeouts=Timeouts(connect=30, command=60, device=300)))
    cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began_wall
    lab = _lab_cpu(lab_pid) - began_lab
    chars = sum(len(o.output) for r in results for o in r.outputs)
    failed = [r.name for r in results if not r.ok]
    return ({"devices": len(devices), "cpu_ms_per_device": round(1000 * cpu / len(devices), 2),
             "wall_ms_per_device": round(1000 * wall / len(devices), 2),
             "lab_cpu_ms_per_device": round(1000 * lab / len(devices), 2),
             "chars_per_device": round(chars / len(devices)), "failed": failed}, results)


def collect_phase(args: argparse.Namespace) -> dict[str, Any]:
    from netatlas.inventory import load_inventory

    with tempfile.TemporaryDirectory(prefix="netatlas-structured-eos-") as tmp:
        proc, inventory = start_lab(args, Path(tmp))
        try:
            path = Path(tmp) / "eos.yaml"
            eos = [d for d in inventory["devices"] if d["platform"] == EOS]
            path.write_text(yaml.safe_dump({"credentials": inventory["credentials"], "devices": eos}))
            loaded = load_inventory(path)
            devices, credential = loaded.devices, loaded.credentials[loaded.devices[0].credentials]
            out: dict[str, Any] = {}
            records: dict[str, list[Any]] = {}
            for label, structured in (("warm-up", True), ("text", False), ("json", True)):
                with forms(structured):
                    out[label], results = asyncio.run(_collect_all(devices, credential, proc.pid))
                records[label] = [r.records for r in results]
            out.pop("warm-up")
            out["same_records"] = records["text"] == records["json"]
            return out
        finally:
            proc.terminate()
            proc.wait(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="datacenter")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--address-range", default="127.162.0.0/16")
    parser.add_argument("--no-ssh", action="store_true", help="the parse measure only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    net = build_network(args.scenario, args.devices, args.seed, IPv4Network(args.address_range))
    result: dict[str, Any] = {"scenario": args.scenario, "devices": args.devices, "seed": args.seed,
                              "loadavg_before": load_before, "parse": parse_phase(net, args.repeat)}
    if not args.no_ssh:
        result["collect"] = collect_phase(args)
    result["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    assert platforms.PLATFORMS is PLATFORMS
    sys.exit(main())
