"""Parse CLI text the way a third party would: ntc-templates, or netatlas's own template
where ntc-templates has none (``src/netatlas/collect/templates``, same file naming)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import textfsm
from ntc_templates.parse import parse_output

import netatlas

OWN_TEMPLATES = Path(netatlas.__file__).parent / "collect" / "templates"


def own_template(platform: str, command: str) -> Path | None:
    path = OWN_TEMPLATES / f"{platform}_{command.replace(' ', '_')}.textfsm"
    return path if path.exists() else None


def parse(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Rows with lower-case keys, as ntc-templates returns them."""
    template = own_template(platform, command)
    if template is None:
        rows: list[dict[str, Any]] = parse_output(platform=platform, command=command, data=text)
        return rows
    with template.open() as handle:
        fsm = textfsm.TextFSM(handle)
    header = [h.lower() for h in fsm.header]
    return [dict(zip(header, row, strict=True)) for row in fsm.ParseText(text)]
