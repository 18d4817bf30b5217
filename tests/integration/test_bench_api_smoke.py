"""``bench/api.py`` end to end at toy size: the lab, ``netatlas serve``, a token, the watched job, the
pollers, the SSE stream and the timed requests all work, and the JSON is complete.

The figures themselves are not judged here (a loaded test machine); only that each was measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"
DEVICES, REQUESTS, POLLERS = 6, 12, 4
LATENCY_KEYS = {"n", "p50", "p95", "p99", "max", "mean", "per_s"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "api.json"
    argv = [sys.executable, str(BENCH), "--devices", str(DEVICES), "--requests", str(REQUESTS), "--pollers",
            str(POLLERS), "--poll-interval", "0.1", "--latency-ms", "50", "--parallel", "2", "--out", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=220, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    loaded: dict[str, Any] = json.loads(out.read_text())
    assert json.loads(done.stdout) == loaded  # the summary printed is the one written
    return loaded


def test_every_timed_request_started_a_job(run: dict[str, Any]) -> None:
    timed = run["discover_async_ms"]
    assert set(timed) >= LATENCY_KEYS | {"statuses"}
    assert timed["n"] == REQUESTS and timed["statuses"] == {"202": REQUESTS}
    assert 0 < timed["p50"] <= timed["p95"] <= timed["p99"] <= timed["max"]
    assert run["target_met"] is (timed["p99"] < run["target_p99_ms"])
    assert run["server_cpu_s"] > 0 and run["server_cpu_ms_per_request"] > 0


def test_the_pollers_and_the_stream_saw_the_watched_job(run: dict[str, Any]) -> None:
    polls = run["progress_polls_ms"]
    assert set(polls) >= LATENCY_KEYS | {"errors"}
    assert polls["n"] >= POLLERS and polls["errors"] == {}
    assert run["sse"]["status"] == 200 and run["sse"]["error"] == ""
    assert run["sse"]["events"] >= 1  # at least the job's own transitions
    assert run["watched_job"]["total_devices"] == DEVICES


def test_params_and_machine_are_recorded(run: dict[str, Any]) -> None:
    assert run["ok"] is True
    assert run["params"]["devices"] == DEVICES and run["params"]["address_range"] == "127.107.0.0/16"
    assert run["machine"]["cpu_count"] >= 1 and len(run["load_avg_after"]) == 3
