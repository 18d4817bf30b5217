"""``bench/topology.py`` end to end at toy size, on SQLite and PostgreSQL: it runs, the JSON is complete,
and the topology built from the store holds exactly what the generator put in it (checked against
the generator's own truth, computed here again)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
SIZES, CHANGES, PATHS, SEED = (120, 200), 20, 5, 11
PG_URL = "postgresql://postgres@127.0.0.1:5432/netatlas_smoke"
STEP_KEYS = {"wall_s", "cpu_s", "others_cpu_s", "noisy"}
CURRENT_KEYS = {"open", "read", "build", "total", "rss_start_mb", "rss_after_read_mb", "peak_rss_mb", "paths",
                "paths_one_tracer", "topology"}  # fmt: skip
DIFF_STEPS = {"read_old", "build_old", "read_new", "build_new", "diff", "total"}


@pytest.fixture(scope="module")
def generator() -> Iterator[Any]:
    """``bench/synthetic_topology.py`` as a module (the bench directory is no package)."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        yield importlib.import_module("synthetic_topology")
    finally:
        sys.path.remove(str(BENCH_DIR))


def truth(generator: Any, devices: int, run: int) -> Any:
    found = generator.Truth()
    for _ in generator.records(generator.plan(devices, SEED, CHANGES), run, found):
        pass
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def results(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "topology.json"
    argv = [sys.executable, str(BENCH_DIR / "topology.py"), "--sizes", ",".join(map(str, SIZES)), "--changes",
            str(CHANGES), "--paths", str(PATHS), "--seed", str(SEED), "--json", str(out)]  # fmt: skip
    if request.param == "postgresql":
        argv += ["--db", PG_URL]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=400, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    loaded: dict[str, Any] = json.loads(out.read_text())
    assert loaded["params"]["db"] == request.param
    return loaded, done.stdout


def test_shape(results: tuple[dict[str, Any], str]) -> None:
    report, stdout = results
    assert report["ok"] is True
    assert report["machine"]["cpu_count"] >= 1 and report["machine"]["date"]
    assert report["params"]["sizes"] == list(SIZES) and report["params"]["changes"] == CHANGES
    assert [s["devices"] for s in report["sizes"]] == list(SIZES)
    for size in report["sizes"]:
        current = size["current"]
        assert set(current) >= CURRENT_KEYS
        for step in ("open", "read", "build", "total"):
            assert set(current[step]) == STEP_KEYS and current[step]["wall_s"] > 0
        assert current["total"]["wall_s"] == pytest.approx(current["read"]["wall_s"] + current["build"]["wall_s"],
                                                           abs=0.002)
        assert 20 < current["rss_start_mb"] <= current["rss_after_read_mb"] <= current["peak_rss_mb"] < 2000
        assert size["written"]["rows"] > size["devices"] * 50
    linearity = report["linearity"]
    assert linearity["per_device_ms"] != 0 and isinstance(linearity["linear"], bool)
    assert set(report["targets_met"]) == {"read_and_build_under_5s", "peak_rss_under_1gb", "near_linear",
                                          "path_median_under_50ms", "path_p99_under_50ms", "every_path_under_50ms",
                                          "diff_under_10s"}
    assert "| devices | links L2 / L3 | endpoints |" in stdout
    assert f"Path query as the API answers it ({SIZES[-1]} devices, kept current view after the warm-up" in stdout
    assert f"| {SIZES[-1]} |" in stdout and "Diff of two 200-device runs (20 changes)" in stdout


def test_built_topology_holds_what_was_generated(results: tuple[dict[str, Any], str], generator: Any) -> None:
    for size in results[0]["sizes"]:
        expected, built = truth(generator, size["devices"], 1), size["current"]["topology"]
        assert built["devices"] == size["devices"] == expected.devices
        assert (built["l2_links"], built["endpoints"], built["unmanaged"]) == (
            len(expected.l2), len(expected.endpoints), len(expected.unmanaged))
        assert built["l3_links"] == expected.l3
        assert built["digests"] == expected.digests()  # every cable's ends, every endpoint's port and address
        assert built["problems"] == {}
        assert len(expected.l2) > 3 * size["devices"] and len(expected.endpoints) > 15 * size["devices"]


def test_paths_resolve_end_to_end(results: tuple[dict[str, Any], str]) -> None:
    for size in results[0]["sizes"]:
        cold, warm = size["current"]["paths"], size["current"]["paths_one_tracer"]
        for paths in (cold, warm):
            assert (paths["queries"], paths["complete"], paths["refused"]) == (PATHS, PATHS, [])
            assert paths["median_hops"] >= 2
            assert 0 < paths["median_ms"] <= paths["p90_ms"] <= paths["max_ms"]
            assert paths["first_ms"] <= paths["max_ms"]
        assert warm["median_hops"] == cold["median_hops"]  # the same pairs, the same answers


def test_path_as_the_api_answers_it(results: tuple[dict[str, Any], str]) -> None:
    """The largest size also answers the pairs through the service's kept view (the API's path), built
    once by the warm-up, the target judged on it."""
    report = results[0]
    assert all("service" not in size for size in report["sizes"][:-1])
    largest = report["sizes"][-1]
    served, cold = largest["service"], largest["current"]["paths"]
    paths = served["paths"]
    assert (paths["queries"], paths["complete"], paths["refused"]) == (PATHS, PATHS, [])
    assert paths["median_hops"] == cold["median_hops"]
    assert 0 < paths["median_ms"] <= paths["p99_ms"] <= paths["max_ms"] and len(paths["times_ms"]) == PATHS
    assert served["builds"] == 1  # warmed once; no query (nor the app's own warm-up) rebuilt it
    assert (served["http"]["queries"], served["http"]["failed"]) == (PATHS, 0)  # GET /api/topology/path, 200
    assert served["warm"]["wall_s"] > 0 and served["stamp_ms"] > 0 and served["summary"]["wall_s"] > 0
    assert 20 < served["rss_start_mb"] <= served["rss_after_warm_mb"] <= served["peak_rss_mb"] < 2000
    assert report["targets_met"]["path_median_under_50ms"] == (paths["median_ms"] < 50)
    assert report["targets_met"]["every_path_under_50ms"] == (paths["over_target"] == 0)


def test_diff_of_two_runs(results: tuple[dict[str, Any], str], generator: Any) -> None:
    change = results[0]["diff"]
    changes = generator.plan(SIZES[-1], SEED, CHANGES).changes
    assert set(change) >= DIFF_STEPS | {"counts", "peak_rss_mb", "expected", "match", "written"}
    assert all(change[step]["wall_s"] > 0 for step in DIFF_STEPS)
    assert change["old"]["digests"] == truth(generator, SIZES[-1], 1).digests()
    assert change["new"]["digests"] == truth(generator, SIZES[-1], 2).digests()
    pulled = len(changes.access_members) + len(changes.leaf_uplinks)
    assert pulled == CHANGES // 2 and len(changes.moves) > 0
    assert change["l2_links_removed"] == pulled
    assert change["counts"]["endpoints_moved"] == len(changes.moves)
    assert (change["counts"]["links_added"], change["counts"]["endpoints_added"],
            change["counts"]["endpoints_removed"], change["counts"]["nodes_added"]) == (0, 0, 0, 0)
