"""Parse CLI text the way a third party would: ntc-templates, or netatlas's own template
where ntc-templates has none (``src/netatlas/collect/templates``, same file naming)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import textfsm
from ntc_templates.parse import parse_output

import netatlas

OWN_TEMPLATES = Path(netatlas.__file__).parent / "collect" / "templates"


# Commands that take an argument: (platform, literal command prefix) -> the command naming our template.
# The longest matching prefix wins; commands matching none keep their own name.
ARGUMENT_COMMANDS: dict[tuple[str, str], str] = {
    ("juniper_junos", "show route table "): "show route",
    ("juniper_junos", "show route protocol "): "show route",
    ("juniper_junos", "show lldp neighbors interface "): "show lldp neighbors interface",
}


def template_command(platform: str, command: str, prefixes: Mapping[tuple[str, str], str] | None = None) -> str:
    """The command whose template parses ``command`` (``show route table BLUE.inet.0`` -> ``show route``)."""
    table = ARGUMENT_COMMANDS if prefixes is None else prefixes
    matches = [(p, name) for (plat, p), name in table.items() if plat == platform and command.startswith(p)]
    return max(matches)[1] if matches else command


def own_template(platform: str, command: str, prefixes: Mapping[tuple[str, str], str] | None = None) -> Path | None:
    command = template_command(platform, command, prefixes)
    path = OWN_TEMPLATES / f"{platform}_{command.replace(' ', '_')}.textfsm"
    return path if path.exists() else None


def parse(
    platform: str, command: str, text: str, prefixes: Mapping[tuple[str, str], str] | None = None
) -> list[dict[str, Any]]:
    """Rows with lower-case keys, as ntc-templates returns them.

    ``prefixes`` replaces :data:`ARGUMENT_COMMANDS` (command prefix -> template command) when given.
    """
    template = own_template(platform, command, prefixes)
    if template is None:
        rows: list[dict[str, Any]] = parse_output(platform=platform, command=command, data=text)
        return rows
    with template.open() as handle:
        fsm = textfsm.TextFSM(handle)
    header = [h.lower() for h in fsm.header]
    return [dict(zip(header, row, strict=True)) for row in fsm.ParseText(text)]
