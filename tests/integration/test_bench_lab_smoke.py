"""``bench/lab.py`` end to end at toy size: it runs, every session succeeds, the JSON is complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lab.py"
DEVICES, CONCURRENCY, RSS_DEVICES = 12, 4, 20
MACHINE_KEYS = {"cpu_count", "cpu_model", "memory_gb", "python", "platform", "asyncssh", "date"}
PARAM_KEYS = {"scenario", "devices", "concurrency", "rss_devices", "seed", "commands_per_session",
              "memory_sessions", "profiled"}  # fmt: skip
MEMORY_POSITIVE = {"start_s", "rss_idle_mb", "rss_per_device_kb", "sessions", "rss_after_sessions_mb", "stop_s"}
LOAD_POSITIVE = {"commands", "wall_s", "sessions_per_s", "commands_per_s", "bytes_received", "mb_per_s",
                 "lab_cpu_ms_per_session", "lab_cpu_ms_per_command", "lab_utilisation", "lab_rss_idle_mb",
                 "lab_peak_rss_mb", "start_s", "stop_s"}  # fmt: skip
LOAD_NON_NEGATIVE = {"lab_cpu_s", "client_cpu_s"}  # CPU clocks tick in 10 ms steps: a toy run may read 0


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "lab.json"
    argv = [sys.executable, str(BENCH), "--devices", str(DEVICES), "--concurrency", str(CONCURRENCY),
            "--rss-devices", str(RSS_DEVICES), "--out", str(out)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=50, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "| lab utilisation (cores) |" in done.stdout
    loaded: dict[str, Any] = json.loads(out.read_text())
    return loaded


def test_machine_and_params_are_recorded(results: dict[str, Any]) -> None:
    assert results["ok"] is True
    assert set(results["machine"]) >= MACHINE_KEYS
    assert results["machine"]["cpu_count"] >= 1
    assert set(results["params"]) >= PARAM_KEYS
    assert (results["params"]["devices"], results["params"]["rss_devices"]) == (DEVICES, RSS_DEVICES)


def test_memory_phase(results: dict[str, Any]) -> None:
    memory = results["memory"]
    assert memory["devices"] == RSS_DEVICES
    assert memory["sessions"] == RSS_DEVICES  # fewer devices than the 200 it samples
    assert (memory["failures"], memory["failed"]) == (0, [])
    assert all(memory[key] > 0 for key in MEMORY_POSITIVE), memory
    assert memory["rss_after_sessions_mb"] > 10
    assert memory["stop_ok"] is True
    assert memory["stop_s"] < 2


def test_load_phase(results: dict[str, Any]) -> None:
    load = results["load"]
    assert load["devices"] == load["sessions"] == DEVICES
    assert (load["failures"], load["failed"]) == (0, [])
    assert load["commands"] == DEVICES * 8
    assert all(load[key] > 0 for key in LOAD_POSITIVE), load
    assert all(load[key] >= 0 for key in LOAD_NON_NEGATIVE), load
    assert load["lab_peak_rss_mb"] >= load["lab_rss_idle_mb"] * 0.9
    assert sum(load["platforms"].values()) == DEVICES
    assert load["stop_s"] < 2
