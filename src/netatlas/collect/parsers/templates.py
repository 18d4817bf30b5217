"""Compiled, cached TextFSM templates: ntc-templates' index, with netatlas's own templates first.

The ntc-templates index (a :class:`textfsm.clitable.CliTable`) is read once per process; each
template is compiled once and reused (``fsm.Reset()`` before every parse).

Parsing also says, line by line, what the template made of the text (:class:`Parsed`): a line is
*understood* when a rule of the template matched it; a rule that matches any line at all (``^.*``,
``^. -> Error``) is a catch-all and understands nothing. A catch-all ``Error`` rule does not abort
the parse here: its line is marked *refused* and the parse goes on, so one odd line costs that
line, not the table. Lines after the template's ``End`` are not seen. netatlas's own
templates (``netatlas/collect/templates``) take precedence through :data:`OWN_TEMPLATES`, the
(platform, command pattern) rows of each platform's ``PlatformSpec.templates``, so ``show lldp
neighbors interface ge-0/0/3`` maps to its template whatever the interface.
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

from netatlas.collect.platforms import PLATFORMS
from netatlas.domain.errors import ParseError

OWN_DIR = Path(__file__).resolve().parent.parent / "templates"

# (platform, full-match command pattern, template file): derived from the platform rows
# (``PlatformSpec.templates``: files in OWN_DIR, checked first; ``PlatformSpec.ntc_aliases``:
# ntc-templates files where its index picks the wrong one).
OWN_TEMPLATES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (spec.name, pattern, name) for spec in PLATFORMS.values() for pattern, name in spec.templates)
NTC_ALIASES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (spec.name, pattern, name) for spec in PLATFORMS.values() for pattern, name in spec.ntc_aliases)

Row = dict[str, Any]
BINARY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")  # C0 and C1 controls (\x9b: CSI), undecodable bytes
UNSEEN, UNDERSTOOD, REFUSED = 0, 1, 2  # per line: no rule (or after End), a real rule, a catch-all Error
_PROBES = ("~", " ~", "~~ ~~", "\x01")  # a rule matching all of these matches any line


class _TrackingFSM(textfsm.TextFSM):  # type: ignore[misc]  # textfsm is untyped
    """TextFSM that records what happened to each line (``seen``) and skips catch-all ``Error`` lines."""

    def __init__(self, handle: Any) -> None:
        super().__init__(handle)
        # Per state: (compiled match, rule, catch-all?) -- the bound match skips textfsm's wrapper calls.
        self._rules = {name: [(rule.regex_obj.regex.match, rule, all(rule.regex_obj.match(p) for p in _PROBES))
                              for rule in state] for name, state in self.states.items()}
        self.seen: list[int] = []
        self.unfinished = False

    def Reset(self) -> None:
        super().Reset()
        self.seen = []
        self.unfinished = False

    def ParseText(self, text: str, eof: bool = True) -> Any:  # textfsm's loop, noting an unfinished record
        for line in text.splitlines() if text else []:
            self._CheckLine(line)
            if self._cur_state_name in ("End", "EOF"):
                break
        if self._cur_state_name != "End":
            self.unfinished = self._unfinished()
            if "EOF" not in self.states and eof:
                self._AppendRecord()
        return self._result

    def _unfinished(self) -> bool:
        """A record was being filled (a non-Filldown value set) that lacks a Required value: the text
        stopped inside a record, and textfsm would drop it silently."""
        started = any(v.value and "Filldown" not in v.OptionNames() for v in self.values)
        return started and any("Required" in v.OptionNames() and not v.value for v in self.values)

    def _CheckLine(self, line: str) -> None:
        mark = UNSEEN
        for match, rule, catch_all in self._rules[getattr(self, "_cur_state_name")]:  # noqa: B009 - untyped
            matched = match(line)
            if not matched:
                continue
            if catch_all:
                if rule.line_op == "Error":
                    mark = REFUSED
                    break
            else:
                mark = UNDERSTOOD
            for value in matched.groupdict():
                self._AssignVar(matched, value)
            if self._Operations(rule, line):
                if rule.new_state:
                    if rule.new_state not in ("End", "EOF"):
                        self._cur_state = self.states[rule.new_state]
                    self._cur_state_name = rule.new_state
                break
        self.seen.append(mark)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A template's rows, and per line of the text (``str.splitlines``) what the template made of it."""

    rows: list[Row]
    lines: list[str]
    seen: list[int]  # UNSEEN / UNDERSTOOD / REFUSED, one per line (lines never reached: UNSEEN)
    unfinished: bool = False  # the text ended inside a record the template dropped (missing Required values)
    binary: bool = False  # the text holds control characters or undecodable bytes somewhere

    def fate(self, index: int) -> int:
        return self.seen[index] if index < len(self.seen) else UNSEEN


@dataclass(frozen=True, slots=True)
class Template:
    """One compiled template: its file name, lower-case header and the reusable FSM."""

    name: str
    header: tuple[str, ...]
    fsm: Any  # _TrackingFSM (textfsm is untyped)

    def parse(self, text: str) -> list[Row]:
        """Rows as dicts with lower-case keys (like ntc-templates' ``parse_output``)."""
        return self.parse_tracked(text).rows

    def parse_tracked(self, text: str) -> Parsed:
        """Rows, with what the template made of every line."""
        self.fsm.Reset()
        rows = [dict(zip(self.header, row, strict=True)) for row in self.fsm.ParseText(text)]
        return Parsed(rows, text.splitlines(), list(self.fsm.seen), self.fsm.unfinished, bool(BINARY.search(text)))


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
        >>> template_file("cisco_ios", "show ip bgp vpnv4 vrf BLUE summary").name
        'cisco_ios_show_ip_bgp_summary.textfsm'
    """
    for own_platform, pattern, name in OWN_TEMPLATES:
        if own_platform == platform and pattern.fullmatch(command):
            return OWN_DIR / name
    index = _index()
    for alias_platform, pattern, name in NTC_ALIASES:
        if alias_platform == platform and pattern.fullmatch(command):
            return Path(index.template_dir) / name
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
        fsm = _TrackingFSM(handle)
    return Template(path.name, tuple(h.lower() for h in fsm.header), fsm)


@cache
def template(platform: str, command: str) -> Template:
    """The compiled template for ``command`` (cached per process; not shared across threads)."""
    return _compile(template_file(platform, command))


def parse_rows(platform: str, command: str, text: str) -> list[Row]:
    """Parse ``text`` with the command's compiled template; TextFSM errors become :class:`ParseError`."""
    return parse_tracked(platform, command, text).rows


def parse_tracked(platform: str, command: str, text: str) -> Parsed:
    """:func:`parse_rows` with each line's fate (a specific ``Error`` rule still raises :class:`ParseError`)."""
    tmpl = template(platform, command)
    try:
        with _lock:
            return tmpl.parse_tracked(text)
    except textfsm.TextFSMError as exc:
        raise ParseError(f"{platform} {command!r}: {tmpl.name} failed: {_short(str(exc))}") from exc


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
