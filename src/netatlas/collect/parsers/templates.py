"""Compiled, cached TextFSM templates: ntc-templates' index, with netatlas's own templates first.

The ntc-templates index (a :class:`textfsm.clitable.CliTable`) is read once per process; each
template is compiled once and reused (``fsm.Reset()`` before every parse). netatlas's own
templates (``netatlas/collect/templates``) take precedence through :data:`OWN_TEMPLATES`, a
table of (platform, command pattern) rows, so ``show lldp neighbors interface ge-0/0/3`` maps to
its template whatever the interface.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import textfsm
from ntc_templates.parse import _get_template_dir
from textfsm import clitable

from netatlas.domain.errors import ParseError

OWN_DIR = Path(__file__).resolve().parent.parent / "templates"

# (platform, full-match command pattern) -> template file in OWN_DIR. Checked before ntc-templates.
OWN_TEMPLATES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("juniper_junos", re.compile(r"show route(?: (?:table|protocol) \S+)?"), "juniper_junos_show_route.textfsm"),
    (
        "juniper_junos",
        re.compile(r"show lldp neighbors interface \S+"),
        "juniper_junos_show_lldp_neighbors_interface.textfsm",
    ),
)

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Template:
    """One compiled template: its file name, lower-case header and the reusable FSM."""

    name: str
    header: tuple[str, ...]
    fsm: Any  # textfsm.TextFSM (untyped)

    def parse(self, text: str) -> list[Row]:
        """Rows as dicts with lower-case keys (like ntc-templates' ``parse_output``)."""
        self.fsm.Reset()
        return [dict(zip(self.header, row, strict=True)) for row in self.fsm.ParseText(text)]


_lock = threading.Lock()


@cache
def _index() -> Any:
    return clitable.CliTable("index", _get_template_dir())


def template_file(platform: str, command: str) -> Path:
    """The template file that parses ``command`` on ``platform`` (own templates first).

    Examples:
        >>> template_file("juniper_junos", "show lldp neighbors interface xe-0/0/7").name
        'juniper_junos_show_lldp_neighbors_interface.textfsm'
        >>> template_file("cisco_ios", "show ip route vrf *").name
        'cisco_ios_show_ip_route.textfsm'
    """
    for own_platform, pattern, name in OWN_TEMPLATES:
        if own_platform == platform and pattern.fullmatch(command):
            return OWN_DIR / name
    index = _index()
    with _lock:
        row = index.index.GetRowMatch({"Command": command, "Platform": platform})
    if not row:
        raise ParseError(f"{platform} {command!r}: no TextFSM template (ntc-templates or netatlas) parses it")
    names = str(index.index.index[row]["Template"]).split(":")
    if len(names) != 1:
        raise ParseError(f"{platform} {command!r}: multi-template index rows are not supported ({names})")
    return Path(index.template_dir) / names[0]


@cache
def _compile(path: Path) -> Template:
    with path.open() as handle:
        fsm = textfsm.TextFSM(handle)
    return Template(path.name, tuple(h.lower() for h in fsm.header), fsm)


@cache
def template(platform: str, command: str) -> Template:
    """The compiled template for ``command`` (cached per process; not shared across threads)."""
    return _compile(template_file(platform, command))


def parse_rows(platform: str, command: str, text: str) -> list[Row]:
    """Parse ``text`` with the command's compiled template; TextFSM errors become :class:`ParseError`."""
    tmpl = template(platform, command)
    try:
        with _lock:
            return tmpl.parse(text)
    except textfsm.TextFSMError as exc:
        raise ParseError(f"{platform} {command!r}: {tmpl.name} failed: {exc}") from exc
