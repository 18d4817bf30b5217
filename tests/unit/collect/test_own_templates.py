"""netatlas's own TextFSM templates, tested from data files like ntc-templates' own tests.

``tests/fixtures/<platform>/<command>/<case>.raw`` is parsed with
``src/netatlas/collect/templates/<platform>_<command>.textfsm`` and must give exactly the rows
in ``<case>.yml`` (``parsed_sample``); every template must have at least one case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import textfsm
import yaml

from tests.support.parse import OWN_TEMPLATES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TEMPLATES = sorted(OWN_TEMPLATES.glob("*.textfsm"))


def _fixture_dir(template: Path) -> Path | None:
    """``juniper_junos_show_route.textfsm`` -> ``fixtures/juniper_junos/show_route`` (platforms contain ``_``)."""
    for platform_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        prefix = f"{platform_dir.name}_"
        if template.stem.startswith(prefix):
            return platform_dir / template.stem.removeprefix(prefix)
    return None


def _cases() -> list[tuple[Path, Path]]:
    cases = []
    for template in TEMPLATES:
        folder = _fixture_dir(template)
        if folder is not None:
            cases += [(template, raw) for raw in sorted(folder.glob("*.raw"))]
    return cases


def _parse(template: Path, text: str) -> list[dict[str, Any]]:
    with template.open() as handle:
        fsm = textfsm.TextFSM(handle)
    header = [h.lower() for h in fsm.header]
    return [dict(zip(header, row, strict=True)) for row in fsm.ParseText(text)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_every_template_has_a_fixture(template: Path) -> None:
    folder = _fixture_dir(template)
    assert folder is not None and any(folder.glob("*.raw")), f"{template.name} has no fixture under {FIXTURES}"
    for raw in folder.glob("*.raw"):
        assert raw.with_suffix(".yml").exists(), f"{raw} has no expected .yml"


@pytest.mark.parametrize(("template", "raw"), _cases(), ids=lambda p: p.stem)
def test_template_parses_fixture(template: Path, raw: Path) -> None:
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    assert _parse(template, raw.read_text()) == expected
