"""``bench/discovery.py`` end to end at toy size: every approach runs, nothing fails, the JSON is complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(480)]  # 7 runs of 12 devices and the floors; CI runs
# test files three at a time on 2 cores, so the toy run may take minutes

BENCH = Path(__file__).resolve().parents[2] / "bench" / "discovery.py"
DEVICES, CONCURRENCY, SIZES, SAMPLE = 12, (4, 8), (6, 12), 4
ADDRESS_RANGE = "127.91.0.0/16"
MACHINE_KEYS = {"cpu_count", "cpu_model", "memory_gb", "python", "platform", "asyncssh", "load_avg_at_start", "date"}
PARAM_KEYS = {"scenario", "devices", "concurrency_tried", "floor_modes", "sizes", "netmiko_sample", "netmiko_threads",
              "seed", "data_types", "lab_warm", "rss_sample_s"}  # fmt: skip
RUN_KEYS = {"devices", "failures", "commands", "wall_s", "devices_per_s", "cpu_s", "main_cpu_s", "children_cpu_s",
            "cpu_ms_per_device", "peak_rss_mb", "peak_pss_mb", "max_process_rss_mb", "lab_cpu_s", "others_cpu_s",
            "irq_steal_s", "noisy", "failed"}  # fmt: skip
RATIO_KEYS = {"netatlas_over_floor_wall", "netatlas_over_floor_cpu", "inhouse_over_netatlas_wall",
              "inhouse_over_netatlas_wall_on_sample", "inhouse_over_netatlas_cpu", "netatlas_peak_rss_mb",
              "netatlas_peak_pss_mb", "targets_met", "netatlas_over_plan_floor_wall",
              "netatlas_over_plan_floor_cpu"}  # fmt: skip
FLOORS = ("pool", "shards", "pool-plan")  # the default modes: parsing on every core; text forms, then the plan's
TEXT_FLOORS = FLOORS[:2]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "discovery.json"
    argv = [sys.executable, str(BENCH), "--devices", str(DEVICES), "--concurrency", ",".join(map(str, CONCURRENCY)),
            "--sizes", ",".join(map(str, SIZES)), "--netmiko-sample", str(SAMPLE), "--netmiko-threads", "4",
            "--address-range", ADDRESS_RANGE, "--rounds", "2", "--out", str(out)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=450, check=False)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    loaded: dict[str, Any] = json.loads(out.read_text())
    return loaded, done.stdout


def _check_run(run: dict[str, Any], devices: int) -> None:
    assert set(run) >= RUN_KEYS, run
    assert (run["devices"], run["failures"], run["failed"]) == (devices, 0, [])
    assert run["commands"] >= devices * 8  # facts, interfaces, neighbors, routes, OSPF, BGP, MAC, ARP at least
    assert run["wall_s"] > 0 and run["devices_per_s"] > 0
    assert run["cpu_s"] > 0 and run["cpu_ms_per_device"] > 0
    assert 0 <= run["main_cpu_s"] <= run["cpu_s"] + 0.01
    assert 10 < run["peak_rss_mb"] < 2000
    assert 0 < run["peak_pss_mb"] <= run["peak_rss_mb"] + 1
    assert 10 < run["max_process_rss_mb"] <= run["peak_rss_mb"] + 1
    assert run["lab_cpu_s"] >= 0 and run["others_cpu_s"] >= 0


def test_machine_and_params(run: tuple[dict[str, Any], str]) -> None:
    results, _ = run
    assert results["ok"] is True
    assert set(results["machine"]) >= MACHINE_KEYS and results["machine"]["cpu_count"] >= 1
    assert set(results["params"]) >= PARAM_KEYS
    assert results["params"]["concurrency_tried"] == list(CONCURRENCY)
    assert results["params"]["sizes"] == list(SIZES)


def test_every_approach_ran_on_the_same_devices_and_commands(run: tuple[dict[str, Any], str]) -> None:
    compare = run[0]["compare"]
    assert compare["devices"] == DEVICES == sum(compare["platforms"].values())
    assert [r["concurrency"] for r in compare["netatlas_runs"]] == list(CONCURRENCY)
    for netatlas in compare["netatlas_runs"]:
        _check_run(netatlas, DEVICES)
        assert netatlas["job_s"] > 0 and netatlas["db_mb"] > 0
    fastest = min(r["wall_s"] for r in compare["netatlas_runs"])
    as_fast = [r["concurrency"] for r in compare["netatlas_runs"] if r["wall_s"] <= fastest * 1.05]
    assert compare["netatlas"]["concurrency"] == min(as_fast)  # as fast and less in memory
    assert tuple(compare["floors"]) == FLOORS
    for mode, floor in compare["floors"].items():
        _check_run(floor, DEVICES)
        assert floor["mode"] == mode and floor["processes"] == os.cpu_count()
        assert floor["concurrency"] == compare["netatlas"]["concurrency"]
        assert floor["commands"] == compare["netatlas"]["commands"]  # the same plan, follow-ups included
        assert floor["rows"] > DEVICES * 10
        if mode in TEXT_FLOORS:
            assert floor["rows"] == compare["floors"][FLOORS[0]]["rows"]  # the same parse, wherever it ran
        assert 0 < floor["workers_cpu_s"] < floor["self_cpu_s"] <= floor["cpu_s"] + 0.05  # parsed in the children
    assert {compare["floor_wall"], compare["floor_cpu"]} <= set(TEXT_FLOORS)
    assert compare["floor_wall"] == min(TEXT_FLOORS, key=lambda m: compare["floors"][m]["wall_s"])
    assert compare["floor_cpu"] == min(TEXT_FLOORS, key=lambda m: compare["floors"][m]["cpu_s"])
    assert compare["plan_floor_wall"] == compare["plan_floor_cpu"] == "pool-plan"


def test_inhouse_sample_and_extrapolation(run: tuple[dict[str, Any], str]) -> None:
    compare = run[0]["compare"]
    inhouse, on_sample = compare["inhouse"], compare["netatlas_on_sample"]
    sampled = inhouse["devices"]
    assert SAMPLE <= sampled < DEVICES and inhouse["sampled"] is True
    assert sum(compare["sample_platforms"].values()) == sampled
    _check_run(inhouse, sampled)
    _check_run(on_sample, sampled)
    assert inhouse["commands"] == on_sample["commands"]
    assert inhouse["threads"] == 4
    assert inhouse["extrapolated_wall_s"] == pytest.approx(inhouse["wall_s"] * DEVICES / sampled, abs=0.1)


def test_ratios(run: tuple[dict[str, Any], str]) -> None:
    results = run[0]
    ratios, compare = results["ratios"], results["compare"]
    assert set(ratios) >= RATIO_KEYS
    assert ratios["netatlas_over_floor_wall"] == pytest.approx(
        compare["netatlas"]["wall_s"] / compare["floors"][compare["floor_wall"]]["wall_s"], rel=0.02)
    assert ratios["netatlas_over_floor_cpu"] == pytest.approx(
        compare["netatlas"]["cpu_s"] / compare["floors"][compare["floor_cpu"]]["cpu_s"], rel=0.02)
    assert set(ratios["per_floor"]) == set(FLOORS)
    assert all(ratios[k] > 0 for k in RATIO_KEYS - {"targets_met"})
    assert ratios["netatlas_over_plan_floor_cpu"] == pytest.approx(
        compare["netatlas"]["cpu_s"] / compare["floors"]["pool-plan"]["cpu_s"], rel=0.02)
    assert all(isinstance(v, bool) for v in ratios["targets_met"].values())


def test_linearity(run: tuple[dict[str, Any], str]) -> None:
    linearity = run[0]["linearity"]
    assert linearity["lab_devices"] == max(SIZES)
    assert [r["devices"] for r in linearity["runs"]] == list(SIZES)
    for size, result in zip(SIZES, linearity["runs"], strict=True):
        _check_run(result, size)
        assert result["job_ms_per_device"] == pytest.approx(result["job_s"] * 1000 / size, abs=0.1)
    assert linearity["spread"] >= 0 and isinstance(linearity["linear"], bool)


def test_markdown_table(run: tuple[dict[str, Any], str]) -> None:
    _, stdout = run
    assert "| (a) floor: asyncssh + TextFSM compiled once, SSH in one process, parsing in a pool of" in stdout
    assert "| (a) floor: asyncssh + TextFSM compiled once, " in stdout and " processes, each SSH + parsing" in stdout
    assert "| (a) floor: asyncssh + the plan's forms (JSON decoded" in stdout
    assert "| netatlas / plan floor (structured where offered)" in stdout
    assert "| (b) Netmiko + use_textfsm, 4 threads" in stdout
    assert "| netatlas / floor, wall (fastest floor: " in stdout
    assert "| netatlas / floor, CPU of the process tree (cheapest floor: " in stdout
    assert "| netatlas on the same sample |" in stdout
    assert "Linearity: netatlas on nested random subsets" in stdout
    assert f"(b) ran on a platform-stratified random sample of {run[0]['compare']['inhouse']['devices']} of" in stdout


def test_alternating_rounds_give_the_median_ratio(run: tuple[dict[str, Any], str]) -> None:
    """``--rounds 2``: the comparison's own pair, then netatlas and the text floor once more; the wall
    target is judged on the median of the rounds' ratios."""
    results, stdout = run
    compare, ratios = results["compare"], results["ratios"]
    first, second = compare["rounds"]
    assert first["netatlas_wall_s"] == compare["netatlas"]["wall_s"]
    assert first["floor_wall_s"] == compare["floors"]["pool"]["wall_s"]
    for one in (first, second):
        assert one["wall_ratio"] == round(one["netatlas_wall_s"] / one["floor_wall_s"], 3) > 0
        assert one["cpu_ratio"] > 0 and one["netatlas_peak_rss_mb"] > 10
    median = round((first["wall_ratio"] + second["wall_ratio"]) / 2, 3)
    assert abs(compare["rounds_median_wall_ratio"] - median) <= 0.001
    assert ratios["rounds_wall_ratios"] == [first["wall_ratio"], second["wall_ratio"]]
    assert ratios["targets_met"]["netatlas_wall_within_1.1x_of_floor"] == (ratios["rounds_median_wall_ratio"] <= 1.1)
    assert "median of 2 alternating rounds" in stdout

