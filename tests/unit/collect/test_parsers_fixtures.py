"""Every command of the platform table parses its lab fixtures into exactly the records the state implies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from netatlas.collect.parsers import parse_output
from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.records import DataType
from tests.support.expected import canonical
from tests.support.parser_fixtures import FIXTURES, command_types, fixture_dir, plain


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for raw in sorted(FIXTURES.glob("*/*/*.raw")):
        doc = yaml.safe_load(raw.with_suffix(".yml").read_text())
        if "records" in doc:  # the own-template cases written by hand hold template rows only
            found.append((raw, doc))
    return found


DOCUMENTS = _documents()
COMMANDS = [(platform, command) for platform, spec in PLATFORMS.items() for command in command_types(spec)]


@pytest.mark.parametrize(("raw", "doc"), DOCUMENTS, ids=[f"{r.parent.parent.name}/{r.parent.name}/{r.stem}"
                                                          for r, _ in DOCUMENTS])
def test_fixture_parses_to_expected_records(raw: Path, doc: dict[str, Any]) -> None:
    platform = raw.parent.parent.name
    types = frozenset(DataType(t) for t in doc["data_types"])
    got = plain(canonical(parse_output(platform, doc["command"], raw.read_text(), types)))
    assert got == doc["records"]


@pytest.mark.parametrize(("platform", "command"), COMMANDS, ids=[f"{p}/{c}" for p, c in COMMANDS])
def test_every_platform_command_has_a_fixture(platform: str, command: str) -> None:
    folder = fixture_dir(platform, command)
    cases = [raw for raw, _ in DOCUMENTS if raw.parent == folder]
    assert cases, f"{platform} {command!r} has no parser fixture in {folder}"


def test_fixtures_are_not_all_empty() -> None:
    """Across the fixtures of each command at least one case has records (the tables are exercised)."""
    by_dir: dict[Path, bool] = {}
    for raw, doc in DOCUMENTS:
        records = doc["records"]
        has = bool(records["facts"]) or any(records[k] for k in records if k != "facts")
        by_dir[raw.parent] = by_dir.get(raw.parent, False) or has
    empty = sorted(str(p) for p, has in by_dir.items() if not has)
    assert not empty, f"only empty cases: {empty}"
