"""The normaliser row: which template fields a (platform, command) relies on and how rows become records.

Each row also says how to tell a failed parse from an empty table, without guessing:

* ``entries``: a multi-line regex matching each entry the output lists; the template must give at
  least as many rows as there are matches (so a template that silently skips lines fails);
* ``quiet``: a full-line regex for the lines an output with *no* entries may contain (headers,
  legends, "BGP is not running"). An output that parses to nothing and has another line is junk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netatlas.domain.records import DeviceRecords

Row = dict[str, Any]
Builder = Callable[[list[Row], str], DeviceRecords]


@dataclass(frozen=True, slots=True)
class Normaliser:
    platform: str
    command: str  # as PLATFORMS sends it; per-interface forms keep ``{interface}``
    requires: frozenset[str]  # template fields the builder reads
    build: Builder  # (rows, platform) -> records
    entries: re.Pattern[str]
    quiet: re.Pattern[str]
    single: bool = False  # exactly one row (show version)

    def matches(self, command: str) -> bool:
        """``show lldp neighbors interface ge-0/0/1`` matches ``... interface {interface}``."""
        if "{" not in self.command:
            return command == self.command
        head, _, tail = self.command.partition("{interface}")
        return command.startswith(head) and command.endswith(tail) and len(command) > len(head) + len(tail)

    def junk(self, text: str) -> list[str]:
        """Lines that neither an entry nor the quiet (no-entries) form explains."""
        return [line for line in text.splitlines() if line.strip() and not self.quiet.fullmatch(line.rstrip())]

    def entry_count(self, text: str) -> int:
        return len(self.entries.findall(text))


def rx(pattern: str) -> re.Pattern[str]:
    """A multi-line pattern (``^``/``$`` per line)."""
    return re.compile(pattern, re.MULTILINE)


def fields(*names: str) -> frozenset[str]:
    return frozenset(names)

