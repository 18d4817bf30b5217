"""``bench/linearity.py`` end to end at toy size: two bounded labs, every device discovered, the JSON complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

BENCH = Path(__file__).resolve().parents[1].parent / "bench" / "linearity.py"
SIZES, REFERENCE = (20, 40), 40
RANGE = "127.216.0.0/16"
RUN_POSITIVE = {"wall_s", "cpu_s", "cpu_ms_per_device", "cpu_ms_per_kb", "collected_kb_per_device", "peak_rss_mb",
                "commands", "one_device_cpu_s"}  # fmt: skip
LAB_POSITIVE = {"start_s", "routes", "rss_listening_mb", "rss_after_mb", "peak_rss_mb"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "linearity.json"
    argv = [sys.executable, str(BENCH), "--sizes", ",".join(map(str, SIZES)), "--reference", str(REFERENCE),
            "--address-range", RANGE, "--concurrency", "10", "--note", "smoke", "--out", str(out)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=280, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "| devices | wall s | CPU s | CPU ms/device |" in done.stdout
    loaded: dict[str, Any] = json.loads(out.read_text())
    loaded["_out"] = str(out)
    return loaded


def test_every_size_discovered_every_device_of_its_own_bounded_lab(results: dict[str, Any]) -> None:
    assert results["ok"] is True
    assert results["params"]["bounded"] is True
    runs = results["runs"]
    assert [r["devices"] for r in runs] == list(SIZES)
    for run in runs:
        assert run["failures"] == 0, run["failed"]
        assert all(run[key] > 0 for key in RUN_POSITIVE), run
        assert all(run["lab"][key] > 0 for key in LAB_POSITIVE), run["lab"]
        assert run["note"] == "smoke"
        assert run["collected_mb"] * 1024 >= run["collected_kb_per_device"] * run["devices"] * 0.9


def test_flatness_is_judged_against_the_reference_size(results: dict[str, Any]) -> None:
    flat = results["flatness"]
    assert flat["reference"] == REFERENCE
    by_size = {s["devices"]: s for s in flat["sizes"]}
    assert by_size[REFERENCE]["ratio"] == 1.0 and by_size[REFERENCE]["flat"] is True
    small = next(r for r in results["runs"] if r["devices"] == SIZES[0])
    ref = next(r for r in results["runs"] if r["devices"] == REFERENCE)
    assert by_size[SIZES[0]]["ratio"] == round(small["cpu_ms_per_device"] / ref["cpu_ms_per_device"], 3)
    assert results["flatness_net"]["figure"] == "net_cpu_ms_per_device"
    assert set(results["cpu_fit"]) >= {"fixed_s", "per_device_ms"}


def test_append_keeps_the_other_sizes(results: dict[str, Any]) -> None:
    """``--append`` with a size already in the file replaces that size's run and keeps the others."""
    out = Path(results["_out"])
    argv = [sys.executable, str(BENCH), "--sizes", str(SIZES[0]), "--reference", str(REFERENCE),
            "--address-range", RANGE, "--concurrency", "10", "--append", "--note", "again",
            "--out", str(out)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=200, check=False)
    assert done.returncode == 0, done.stderr
    again = json.loads(out.read_text())
    assert [(r["devices"], r["note"]) for r in again["runs"]] == [(SIZES[0], "again"), (REFERENCE, "smoke")]


def test_profile_keeps_cpu_profiles_of_the_main_process_its_database_thread_and_the_pool_worker(
        tmp_path: Path) -> None:
    """``--profile DIR``: nothing measured; per size, the main and database threads' profiles and each
    pool worker's, in CPU seconds (the worker parsed the outputs: TextFSM is in its profile)."""
    import pstats

    argv = [sys.executable, str(BENCH), "--sizes", "20", "--address-range", RANGE, "--concurrency", "10",
            "--profile", str(tmp_path)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=250, check=False)
    assert done.returncode == 0, done.stderr
    directory = tmp_path / "n20"
    summary = json.loads((directory / "summary.json").read_text())
    assert summary["devices"] == 20 and summary["children_cpu_s"] > 0 and summary["db_mb"] > 0
    workers = sorted(directory.glob("worker-*.prof"))
    assert (directory / "main.prof").exists() and (directory / "db-0.prof").exists() and workers
    main, worker = pstats.Stats(str(directory / "main.prof")), pstats.Stats(*map(str, workers))
    assert 0 < main.total_tt < summary["children_cpu_s"]  # type: ignore[attr-defined]
    assert 0 < worker.total_tt < summary["children_cpu_s"]  # type: ignore[attr-defined]
    assert any("textfsm" in file for file, _, _ in worker.stats)  # type: ignore[attr-defined]
    assert any(name == "_drain" for _, _, name in main.stats)  # type: ignore[attr-defined]
