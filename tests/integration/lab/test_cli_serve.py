"""`netatlas lab serve` as a user runs it: a real process, real files, signals, exit codes."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml
from netmiko import ConnectHandler

pytestmark = pytest.mark.integration

RANGE = "127.32.0.0/16"
FIRST = "127.32.0.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((FIRST, 0))
        return int(sock.getsockname()[1])


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "netatlas.cli.main", "lab", "serve", *args]


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    proc = subprocess.Popen(
        _cmd("--scenario", "campus", "--devices", "12", "--seed", "5", "--port", str(port), "--address-range", RANGE,
             "--inventory-out", str(tmp_path / "inv.yaml"), "--truth-out", str(tmp_path / "truth.json"), *args),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("press Ctrl-C"):
                break
        else:
            pytest.fail(f"lab did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_writes_inventory_and_truth_and_answers_ssh(tmp_path: Path) -> None:
    with serving(tmp_path, "--faults", "auth:sw1") as (_proc, port):
        inventory = yaml.safe_load((tmp_path / "inv.yaml").read_text())
        truth = json.loads((tmp_path / "truth.json").read_text())
        assert len(inventory["devices"]) == 12
        assert {d["port"] for d in inventory["devices"]} == {port}
        assert truth["faults"] == [{"node": "sw1", "kind": "auth"}]
        creds = inventory["credentials"][inventory["devices"][0]["credentials"]]
        core = inventory["devices"][0]
        conn = ConnectHandler(device_type=core["platform"], host=core["host"], port=port,
                              username=creds["username"], password=creds["password"])
        assert core["name"] in conn.find_prompt()
        conn.disconnect()


def test_serve_announces_rogues_and_writes_known_hosts_for_the_inventory(tmp_path: Path) -> None:
    hosts = tmp_path / "known_hosts"
    with serving(tmp_path, "--faults", "rogue:1,hostkey:sw1", "--known-hosts-out", str(hosts),
                 "--capture-logins", str(tmp_path / "logins.jsonl")) as (proc, port):
        inventory = yaml.safe_load((tmp_path / "inv.yaml").read_text())
        truth = json.loads((tmp_path / "truth.json").read_text())
        rogue = next(f for f in truth["faults"] if f["kind"] == "rogue")
        listed = {line.split()[0] for line in hosts.read_text().splitlines()}
        assert listed == {f"[{d['host']}]:{port}" for d in inventory["devices"]}  # not the rogue's
        assert len(inventory["devices"]) == 12 and rogue["node"] == "rogue1"
        proc.send_signal(signal.SIGHUP)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "host keys rotated: sw1"
        assert (tmp_path / "logins.jsonl").exists()


def test_capture_logins_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(_cmd("--devices", "4", "--port", str(_free_port()), "--address-range", RANGE,
                                 "--capture-logins", str(tmp_path / "missing" / "logins.jsonl")),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    message = result.stderr.replace("\n", "")  # rich wraps a long path at the terminal's width
    assert "--capture-logins" in message and "missing" in message


def test_sigterm_and_sigint_stop_within_two_seconds_with_sessions_open(tmp_path: Path) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        with serving(tmp_path) as (proc, port):
            inventory = yaml.safe_load((tmp_path / "inv.yaml").read_text())
            creds = inventory["credentials"]["lab"]
            device = inventory["devices"][1]
            conn = ConnectHandler(device_type=device["platform"], host=device["host"], port=port,
                                  username=creds["username"], password=creds["password"])
            started = time.monotonic()
            proc.send_signal(sig)
            assert proc.wait(5) == 0
            assert time.monotonic() - started < 2.0
            del conn


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind((FIRST, 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run(_cmd("--devices", "4", "--port", str(port), "--address-range", RANGE),
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "--port" in result.stderr and f"{FIRST}:{port}" in result.stderr and "in use" in result.stderr


@pytest.mark.parametrize(("args", "word"), [
    (("--scenario", "nope"), "--scenario"),
    (("--devices", "1"), "--devices"),
    (("--devices", "100000"), "--devices"),
    (("--faults", "fire:2%"), "--faults"),
    (("--faults", "auth:150%"), "--faults"),
    (("--faults", "auth:nosuchdevice"), "--faults"),
    (("--faults", "rogue:nosuchdevice"), "--faults"),
    (("--faults", "markup:-1"), "--faults"),
    (("--port", "70000"), "--port"),
    (("--latency-ms", "-5"), "--latency-ms"),
    (("--address-range", "10.0.0.0/16"), "--address-range"),
    (("--devices", "many"), "--devices"),
])
def test_bad_arguments_name_the_argument_and_fail(args: tuple[str, ...], word: str) -> None:
    result = subprocess.run(_cmd(*args), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert word in result.stderr, result.stderr


def _truth_of(tmp_path: Path, *, bounded: bool) -> Any:
    from netatlas.lab.runtime import prepare_lab

    path = tmp_path / f"expected-{bounded}.json"
    prepare_lab("campus", 12, 5, mgmt_network=IPv4Network(RANGE), bounded=bounded).write(None, path)
    return json.loads(path.read_text())


def test_serve_bounded_serves_the_bounded_routing_plan(tmp_path: Path) -> None:
    """``--bounded`` serves ``prepare_lab(..., bounded=True)``: its truth (the campus pairs' summarised
    addressing), not the default lab's."""
    with serving(tmp_path, "--bounded"):
        served = json.loads((tmp_path / "truth.json").read_text())
    assert served == _truth_of(tmp_path, bounded=True)
    assert served != _truth_of(tmp_path, bounded=False)
