"""Bad input gets a clear error (exit 1, the line and field, or the option) and nothing is lost.

A valid inventory is imported first; each bad command must then exit 1 with a message naming
what is wrong, and leave every table of the database exactly as it was (no job created).
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from netatlas.store import Database
from tests.integration.discovery.helpers import cli, dump_tables, free_port, make_lab, write_inventory

pytestmark = pytest.mark.integration

NETWORK = IPv4Network("127.65.0.0/16")


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return make_lab("wan", 4, NETWORK).inventory()


@pytest.fixture(scope="module")
def database(good: dict[str, Any], db_url: str, home: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    done = cli(["devices", "import", str(write_inventory(good, tmp_path_factory.mktemp("good") / "lab.yaml")),
                "--db", db_url], home)
    assert done.returncode == 0, done.stderr
    db = Database.open(db_url)
    try:
        yield db
    finally:
        db.close()


def _unchanged(db: Database, args: list[str], home: Path) -> str:
    """Run a command that must fail as a usage error; returns its stderr after checking nothing changed."""
    before = dump_tables(db)
    assert before["device"] and before["credential"], "the good inventory is stored"
    done = cli(args, home)
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert dump_tables(db) == before
    assert "Traceback" not in done.stderr
    return done.stderr


def _bad_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def _yaml_lines(good: dict[str, Any], device: int, field: str, value: Any) -> tuple[str, int]:
    """The good inventory with one device field changed, and the line that field is on."""
    document = {**good, "devices": [dict(d) for d in good["devices"]]}
    document["devices"][device][field] = value
    text = yaml.safe_dump(document, sort_keys=False)
    lines = text.splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith("- name:")][device]
    line = next(i for i in range(start, len(lines)) if lines[i].strip().removeprefix("- ").startswith(f"{field}:"))
    return text, line + 1


def test_yaml_syntax_error(database: Database, good: dict[str, Any], db_url: str, home: Path,
                           tmp_path: Path) -> None:
    lines = write_inventory(good, tmp_path / "good.yaml").read_text().splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("- name:")) + 1
    lines.insert(bad, "  - name: [unclosed")  # a list item inside the first device's mapping
    path = _bad_file(tmp_path, "\n".join(lines))
    stderr = _unchanged(database, ["discover", "--inventory", str(path), "--db", db_url], home)
    assert f"{path}: 1 problem(s)" in stderr and f"line {bad + 1}: file: not valid YAML" in stderr, stderr


def test_unknown_platform(database: Database, good: dict[str, Any], db_url: str, home: Path,
                          tmp_path: Path) -> None:
    text, line = _yaml_lines(good, 2, "platform", "cisco_xr")
    path = _bad_file(tmp_path, text)
    stderr = _unchanged(database, ["discover", "--inventory", str(path), "--db", db_url], home)
    assert f"line {line}: platform:" in stderr and "cisco_xr" in stderr, stderr


def test_duplicate_name(database: Database, good: dict[str, Any], db_url: str, home: Path, tmp_path: Path) -> None:
    text, line = _yaml_lines(good, 3, "name", good["devices"][0]["name"])
    path = _bad_file(tmp_path, text)
    for command in (["discover", "--inventory"], ["devices", "import"]):
        stderr = _unchanged(database, [*command, str(path), "--db", db_url], home)
        assert f"line {line}: name:" in stderr and "duplicate" in stderr.lower(), stderr


def test_unreachable_database_names_the_url_without_the_password(tmp_path: Path) -> None:
    port = free_port(IPv4Network("127.0.0.0/8"))  # nothing listens there
    url = f"postgresql://netatlas:pw-{port}-hunter2@127.0.0.1:{port}/netatlas"
    for args in (["jobs", "list"], ["devices", "list"]):
        done = cli([*args, "--db", url], tmp_path)
        assert done.returncode == 1, done.stderr
        assert f"netatlas:***@127.0.0.1:{port}/netatlas" in done.stderr, done.stderr
        assert "hunter2" not in done.stderr + done.stdout
        assert "Traceback" not in done.stderr


def test_only_bogus(database: Database, good: dict[str, Any], db_url: str, home: Path, tmp_path: Path) -> None:
    path = write_inventory(good, tmp_path / "good.yaml")
    stderr = _unchanged(database, ["discover", "--inventory", str(path), "--only", "cdp,bogus", "--db", db_url], home)
    assert "--only" in stderr and "bogus" in stderr


def test_devices_data_kind_bogus(database: Database, good: dict[str, Any], db_url: str, home: Path) -> None:
    name = good["devices"][0]["name"]
    stderr = _unchanged(database, ["devices", "data", name, "--kind", "bogus", "--db", db_url], home)
    assert "--kind" in stderr and "bogus" in stderr


def test_jobs_show_of_an_unknown_job(database: Database, db_url: str, home: Path) -> None:
    stderr = _unchanged(database, ["jobs", "show", "no-such-job", "--db", db_url], home)
    assert "no-such-job" in stderr
