"""The pure checks ``InventoryService`` applies to one JSON entry: the inventory file's words, field by field.

Each refused value is compared with what ``load_inventory`` says about the same value written in a
YAML file, so the API and ``netatlas devices import`` cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from netatlas.domain.errors import InventoryError
from netatlas.domain.inventory import InventoryDevice
from netatlas.inventory import load_inventory
from netatlas.jobs.inventory_service import credential_problems, device_problems

GOOD = {"name": "sw1", "host": "10.0.0.1", "platform": "cisco_ios", "credentials": "lab"}
BAD_VALUES = [("name", "sw 1"), ("name", "c\u043ere1"), ("host", "10.0.0.300"), ("host", "core 1"),
              ("platform", "cisco_iso"), ("port", 0), ("port", 70000), ("site", "a\x1bb"), ("role", "x" * 129),
              ("credentials", "lbb"), ("tags", ["ok", "evil\u202e"])]


def _file_problems(tmp_path: Path, entry: dict[str, object]) -> list[tuple[str, str]]:
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump({"credentials": {"lab": {"username": "u", "password": "p"}}, "devices": [entry]}))
    with pytest.raises(InventoryError) as raised:
        load_inventory(path)
    return [(p.field, p.message) for p in raised.value.problems]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_an_entry_is_judged_as_the_file_judges_it(tmp_path: Path, field: str, value: object) -> None:
    entry: dict[str, Any] = {**GOOD, field: value}
    device = InventoryDevice(**{**entry, "tags": tuple(entry.get("tags", ())), "port": entry.get("port", 22)})
    found = [(p.field, p.message) for p in device_problems(device, {"lab"})]
    assert found == _file_problems(tmp_path, entry)
    assert all(p.line is None for p in device_problems(device, {"lab"}))


def test_a_good_entry_has_no_problem() -> None:
    assert device_problems(InventoryDevice(**GOOD, port=2222, tags=("a",)), {"lab"}) == []  # type: ignore[arg-type]


def test_missing_fields_are_named() -> None:
    found = device_problems(InventoryDevice("", "", "", ""), set())
    assert [(p.field, p.message) for p in found] == [(name, "missing required field")
                                                     for name in ("name", "host", "platform", "credentials")]


def test_credential_problems_never_quote_a_secret() -> None:
    secret = "s3cret\x07" + "y" * 1100
    found = credential_problems("lab\x1b", "", secret, secret)
    assert [p.field for p in found] == ["name", "username", "password", "enable_secret"]
    assert all("s3cret" not in p.message for p in found)
    assert credential_problems("lab", "u", "p", None) == []
