"""What every NX-OS ``| json`` document shares: the ``TABLE_x``/``ROW_x`` wrappers and the printing.

NX-OS builds its structured output from XML, so a table of rows is ``{"TABLE_x": {"ROW_x": ...}}``
where ``ROW_x`` is a list of objects, **an object (not a list) when there is one row**, and the
table is **absent** when there is none. ``| json`` prints the document on one line, with the
``", "`` / ``": "`` separators (``| json-pretty`` indents it). Values are mostly strings, numbers as
the platform prints them (a count is sometimes a number, sometimes a string: each renderer says).

Examples:
    >>> table("adj", [{"a": "1"}])
    {'TABLE_adj': {'ROW_adj': {'a': '1'}}}
    >>> table("adj", []), table("adj", [{"a": "1"}, {"a": "2"}])["TABLE_adj"]["ROW_adj"][1]
    ({}, {'a': '2'})
    >>> document({"host_name": "n9k"})
    '{"host_name": "n9k"}\\n'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any

Doc = dict[str, Any]
_AGE = re.compile(r"(\d+)([ywdhms])")
_CLOCK = re.compile(r"(\d+):(\d+):(\d+)")
_ISO = (("y", "Y"), ("w", "W"), ("d", "D"))


def table(name: str, rows: Sequence[Doc]) -> Doc:
    """``{"TABLE_<name>": {"ROW_<name>": rows}}``: one row as an object, no row: no table at all."""
    if not rows:
        return {}
    return {f"TABLE_{name}": {f"ROW_{name}": rows[0] if len(rows) == 1 else list(rows)}}


def document(doc: Doc) -> str:
    """The document as ``| json`` prints it: one line."""
    return json.dumps(doc) + "\n"


@functools.lru_cache(maxsize=4096)  # a route table repeats a few ages thousands of times
def iso_duration(age: str) -> str:
    """An uptime as NX-OS's documents write it (ISO 8601): ``1w2d`` -> ``P9D``, ``01:02:03`` -> ``PT1H2M3S``.

    Examples:
        >>> iso_duration("1w2d"), iso_duration("3d04h"), iso_duration("00:12:34"), iso_duration("")
        ('P9D', 'P3DT4H', 'PT12M34S', 'PT0S')
    """
    clock = _CLOCK.fullmatch(age.strip())
    parts = {"h": int(clock[1]), "m": int(clock[2]), "s": int(clock[3])} if clock else {}
    for number, unit in _AGE.findall(age if not clock else ""):
        parts[unit] = parts.get(unit, 0) + int(number)
    days = parts.pop("w", 0) * 7 + parts.pop("d", 0) + parts.pop("y", 0) * 365
    time = "".join(f"{parts[u]}{u.upper()}" for u in "hms" if parts.get(u))
    text = (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return f"P{text}" if text else "PT0S"
