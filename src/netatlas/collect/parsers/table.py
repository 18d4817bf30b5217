"""The normaliser row: which template fields a (platform, command) relies on, how rows become records,
and how to tell a complete read from a partial one, an empty table, a feature that is off and junk.

What a row says about its output (all regexes are data; no platform branches anywhere):

* ``entries``: a multi-line regex matching each entry the output lists; the template must give at
  least as many rows, or the read is partial (the rows it gave are kept);
* ``quiet``: a full-line regex for the lines the template may leave unmatched (headers, legends,
  footers). A line that no template rule understood and ``quiet`` does not explain is *unparsed*;
* ``feature_off``: a full-line regex for the device's "this feature is not running" message
  (``% CDP is not enabled``). An output made only of such lines is FEATURE_OFF; with quiet lines
  besides, it is FEATURE_OFF when the template finds no entry in it;
* ``total``: a footer with the number of entries (``(?P<total>\\d+)``); a footer that agrees
  neither with the rows nor with the ``entries`` listed means a cut or mangled table: partial
  (and it ends the output: in a lenient row, a line after it is unparsed);
* ``closing``: the line every complete detail record ends with; fewer closings than entries means
  the last record was cut: partial;
* ``marker``: a line every complete output prints after its legend (IOS ``Gateway of last
  resort``): an output without it was cut in its header: partial;
* ``entry_key``: the template fields that name one entry when an entry gives several rows (a
  route with ECMP next hops): the entries parsed are the distinct keys, not the rows;
* ``lenient``: free-form output (``show version``, ``show interfaces``) whose templates read a few
  lines among many: lines no rule matched are not reported, only refused and binary ones;
* ``optional``: template fields whose invalid value is emptied (the row is kept, the problem
  reported) rather than dropping the row (an LLDP management address that is a MAC).

:func:`assess` turns those checks into a :class:`Reading` (unparsed lines, missing-entry notes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netatlas.collect.parsers.templates import BINARY, REFUSED, UNDERSTOOD, UNSEEN, Parsed
from netatlas.domain.records import DeviceRecords

Row = dict[str, Any]
Builder = Callable[[list[Row], str], DeviceRecords]


@dataclass(frozen=True, slots=True)
class Normaliser:
    platform: str
    command: str  # as PLATFORMS sends it; per-interface/per-VRF forms keep ``{interface}``/``{vrf}``
    requires: frozenset[str]  # template fields the builder reads
    build: Builder  # (rows, platform) -> records
    entries: re.Pattern[str]
    quiet: re.Pattern[str]
    single: bool = False  # exactly one row (show version)
    feature_off: re.Pattern[str] | None = None
    total: re.Pattern[str] | None = None
    closing: re.Pattern[str] | None = None
    lenient: bool = False
    optional: frozenset[str] = field(default_factory=frozenset)
    entry_key: tuple[str, ...] = ()  # template fields naming one entry, when one entry gives several rows (ECMP)
    marker: re.Pattern[str] | None = None  # a line every complete output has (after its legend)

    def matches(self, command: str) -> bool:
        """``show lldp neighbors interface ge-0/0/1`` matches ``... interface {interface}``."""
        if "{" not in self.command:
            return command == self.command
        return self.arguments(command) is not None

    def arguments(self, command: str) -> dict[str, str] | None:
        """The values of the command's placeholders (``{vrf}`` -> ``BLUE``), or None when it does not match.

        Examples:
            >>> row = Normaliser("cisco_ios", "show ip arp vrf {vrf}", frozenset(), _none, rx(""), rx(""))
            >>> row.arguments("show ip arp vrf BLUE"), row.arguments("show ip arp")
            ({'vrf': 'BLUE'}, None)
        """
        found = _placeholder_pattern(self.command).fullmatch(command)
        return found.groupdict() if found else None

    def example(self) -> str:
        """The command with example placeholder values (``ge-0/0/0``, ``BLUE``)."""
        return self.command.format(**{name: EXAMPLES.get(name, "x") for name in placeholders(self.command)})

    def junk(self, text: str) -> list[str]:
        """Lines that the quiet (no-entries) form does not explain."""
        return [line for line in text.splitlines() if line.strip() and not self.quiet.fullmatch(line.rstrip())]

    def entry_count(self, text: str) -> int:
        return len(self.entries.findall(text))

    def parsed_entries(self, rows: list[Row]) -> int:
        """How many entries ``rows`` hold (distinct ``entry_key`` values, else one per row)."""
        if not self.entry_key:
            return len(rows)
        return len({tuple(str(r.get(k, "")) for k in self.entry_key) for r in rows})

    def feature_off_note(self, text: str) -> str:
        """The device's feature-off message when that (and quiet lines) is the whole output, else ``""``."""
        if self.feature_off is None:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        off = [line for line in lines if self.feature_off.fullmatch(line)]
        if off and all(line in off or self.quiet.fullmatch(line) for line in lines):
            return " ".join(dict.fromkeys(off))
        return ""

    def only_feature_off(self, text: str) -> bool:
        """The output is nothing but the feature-off message (no other line at all)."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return bool(lines) and self.feature_off is not None and all(self.feature_off.fullmatch(x) for x in lines)

    def unparsed(self, parsed: Parsed) -> list[str]:
        """Lines the template did not understand and ``quiet`` does not explain (binary lines always).

        A lenient row reads free-form records whose lines the template mostly skips: only the
        lines after the last one that is understood, quiet or the count footer are reported (junk
        appended to the output, another command's text), besides refused and binary lines and
        entry lines the template skipped.
        """
        lines = parsed.lines
        seen = parsed.seen + [UNSEEN] * (len(lines) - len(parsed.seen))  # lines after End: never reached
        last = self._last_anchor(lines, seen) if self.lenient else -1
        return [line for index, (line, fate) in enumerate(zip(lines, seen, strict=True))
                if (fate != UNDERSTOOD or parsed.binary) and line.strip()
                and self._unexplained(line, fate, index > last, parsed.binary)]

    def _last_anchor(self, lines: list[str], seen: list[int]) -> int:
        """The last line a lenient output may end with (understood, quiet or the footer)."""
        understood = len(seen) - 1 - seen[::-1].index(UNDERSTOOD) if UNDERSTOOD in seen else -1
        for index in range(len(lines) - 1, understood, -1):
            line = lines[index]
            if line.strip() and seen[index] != REFUSED and not BINARY.search(line) and (
                    self.quiet.fullmatch(line.rstrip()) or (self.total is not None and self.total.match(line))):
                return index
        return understood

    def _unexplained(self, line: str, fate: int, trailing: bool, binary: bool) -> bool:
        if fate == REFUSED or (binary and BINARY.search(line)):
            return True
        if fate == UNDERSTOOD:
            return False
        if self.lenient and not trailing:
            return bool(self.entries.match(line))  # an entry line the template skipped is always reported
        return not self.quiet.fullmatch(line.rstrip())

    def shortfall(self, text: str, count: int) -> list[str]:
        """Why ``count`` template rows are fewer than the output says it holds (``[]``: they agree)."""
        problems = []
        entries = self.entry_count(text)
        if count < entries:
            problems.append(f"the output lists {entries} entries but only {count} were parsed")
        if self.total is not None:
            totals = [int(m["total"]) for m in self.total.finditer(text)]
            if totals and sum(totals) not in (count, entries):
                problems.append(f"the footer counts {sum(totals)} entries but {count} were parsed")
        if self.marker is not None and text.strip() and not self.marker.search(text):
            problems.append(f"no line matches {self.marker.pattern!r}: the output stops in its header (cut)")
        if self.closing is not None:
            closed = len(self.closing.findall(text))
            if closed < entries:
                problems.append(f"{entries - closed} of {entries} records end before their last line (cut)")
        return problems


EXAMPLES = {"interface": "ge-0/0/0", "vrf": "BLUE"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(command: str) -> tuple[str, ...]:
    """``show ip arp vrf {vrf}`` -> ``('vrf',)``: values the command carries rather than the output."""
    return tuple(_PLACEHOLDER.findall(command))


def _placeholder_pattern(command: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(command)  # literal, name, literal, name, ...
    return re.compile("".join(re.escape(p) if i % 2 == 0 else rf"(?P<{p}>\S+)" for i, p in enumerate(parts)))


def _none(rows: list[Row], platform: str) -> DeviceRecords:
    return DeviceRecords()


def rx(pattern: str) -> re.Pattern[str]:
    """A multi-line pattern (``^``/``$`` per line)."""
    return re.compile(pattern, re.MULTILINE)


def fields(*names: str) -> frozenset[str]:
    return frozenset(names)


# What may follow the last line a lenient "Key: value" detail template reads (more keys, indented
# continuations, separators); anything else after it is unparsed (junk appended, another command).
DETAIL_TAIL = r"\s*|[-=]+|\s*(?:- )?[A-Za-z][\w ./()'&,+-]{0,60}\s?:.*|\s*- [A-Za-z][\w ./()-]*"

# Feature-off messages, as the platforms print them (full lines, stripped). Rows pick theirs.
CDP_OFF = rx(r"%? ?CDP is not enabled\.?")
LLDP_OFF = rx(r"%? ?LLDP is not (?:enabled|running)\.?")
IOS_BGP_OFF = rx(r"% ?BGP not active\.?")
EOS_BGP_OFF = rx(r"% ?BGP inactive\.?")
NXOS_BGP_OFF = rx(r"%? ?BGP (?:is not running|process is not running|instance not found)\.?")
IOS_OSPF_OFF = rx(r"% ?OSPF: No router process is configured\.?")
EOS_OSPF_OFF = rx(r"% ?OSPF (?:is not running|instance not running|inactive)\.?")
NXOS_OSPF_OFF = rx(r"%? ?(?:OSPF is not running|Invalid OSPF instance.*|No OSPF instance.*)\.?")
