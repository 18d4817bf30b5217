"""Structured output (NX-OS and EOS ``| json``, JunOS ``| display json``): the document -> the rows a
text template would give for the same command, under the same field names, so that one
:class:`~netatlas.collect.parsers.table.Normaliser` row validates and builds the records of both
forms and the two forms of a command can be checked against each other.

A platform's readers live in its own module (``json_nxos``, ``json_eos``, ``json_junos``), each a
tuple of ``(platform, text command, reader)`` rows; the text command is the form the platform row
sends without its ``json_suffix`` (``{interface}``/``{vrf}`` placeholders allowed). A reader takes
the decoded document and returns a :class:`Reading`: the rows, and the entries the document lists
that could not be read (each named, with why), which make the read partial, never silently short.

The document is untrusted device output: :func:`decode` refuses what is not one JSON value (with
the position) and nesting deeper than the interpreter recurses; a reader that meets an
unexpected shape (a key missing, a list where an object belongs) raises, and :func:`read` turns
that into a :class:`~netatlas.domain.errors.ParseError` naming what was missing.

The text a document carries is treated as the text path treats the same text (:func:`checked`, one
rule for the three platforms' readers): a value holding control characters (those a text output is
reported for, :data:`~netatlas.collect.parsers.templates.BINARY`, and a line break in a one-line
field) is *kept*, as the text template keeps it, and reported, as the text path reports the line
holding it, so the read is partial; the value is stored as data and escaped wherever it is shown,
so a rogue neighbor advertising ``dist1\\x1b]0;pwned\\x07`` stays on the map whichever form was read.
A value longer than :data:`MAX_TEXT` (the same in the three readers) is no name or text a device
prints: the readers refuse its entry, named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netatlas.collect.parsers import json_eos, json_junos, json_nxos
from netatlas.collect.parsers.templates import BINARY
from netatlas.domain.errors import ParseError
from netatlas.domain.text import clean

Row = dict[str, Any]
MAX_TEXT = json_nxos.MAX_TEXT  # characters of one value; json_eos and json_junos refuse the same (a test checks)
MULTILINE = frozenset({"neighbor_description", "system_description"})  # fields that may hold line breaks
_LINE_BREAK = re.compile(r"[\n\x85\u2028\u2029]")  # (BINARY holds the others: \r, \v, \f, \x1c-\x1e)


@dataclass(frozen=True, slots=True)
class Reading:
    rows: list[Row]
    problems: tuple[str, ...] = ()  # entries listed but not read, each with why ("entry 3 (Eth1/1): no 'state'")
    feature_off: str = ""  # the document itself says the feature does not run (its words)


Reader = Callable[[Any], Reading]
ReaderRow = tuple[str, str, Reader]  # (platform, text command, reader)

READERS: tuple[ReaderRow, ...] = (*json_nxos.READERS, *json_eos.READERS, *json_junos.READERS)
_PLACEHOLDER = re.compile(r"\\\{\w+\\\}")
_INDEX: dict[tuple[str, str], Reader] = {(platform, command): fn for platform, command, fn in READERS}
_TEMPLATED: tuple[tuple[str, re.Pattern[str], Reader], ...] = tuple(
    (platform, re.compile(_PLACEHOLDER.sub(r"\\S+", re.escape(command))), fn)
    for platform, command, fn in READERS if "{" in command)


def reader(platform: str, command: str) -> Reader:
    """The reader of a text command's structured form (``command`` without the suffix)."""
    found = _INDEX.get((platform, command))
    if found is not None:
        return found
    for row_platform, pattern, fn in _TEMPLATED:
        if row_platform == platform and pattern.fullmatch(command):
            return fn
    raise ParseError(f"{platform} {command!r}: no reader for its structured form")


def decode(text: str) -> Any:
    """The one JSON value ``text`` holds (surrounding blank lines allowed).

    Examples:
        >>> decode('\\n{"a": [1, 2]}\\n')
        {'a': [1, 2]}
        >>> decode('{"a": 1} trailing')
        Traceback (most recent call last):
        ...
        netatlas.domain.errors.ParseError: not a JSON document: Extra data at line 1 column 10
        >>> decode("[" * 100_000 + "]" * 100_000)
        Traceback (most recent call last):
        ...
        netatlas.domain.errors.ParseError: not a JSON document: nested too deeply
        >>> decode("[" + "9" * 5000 + "]")
        Traceback (most recent call last):
        ...
        netatlas.domain.errors.ParseError: not a JSON document: Exceeds the limit (4300 digits) for integer string ...
    """
    body = text.strip()
    if not body:
        raise ParseError("not a JSON document: the output is empty")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not a JSON document: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ParseError("not a JSON document: nested too deeply") from None
    except ValueError as exc:  # a number of more digits than the interpreter converts (4,300)
        raise ParseError(f"not a JSON document: {str(exc)[:80]}") from None


def read(platform: str, command: str, text: str) -> Reading:
    """The rows of one structured output of ``command`` (its text form): ParseError when the output is
    not a document or not the shape the platform prints."""
    fn = reader(platform, command)
    document = decode(text)
    try:
        reading = fn(document)
    except ParseError:
        raise
    except KeyError as exc:
        raise ParseError(f"unexpected document: no {exc} where the platform prints it") from None
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ParseError(f"unexpected document: {type(exc).__name__}: {str(exc)[:160]}") from None
    return checked(reading) if _may_hold_controls(text) else reading


# What a JSON text decodes to a control character, a line break or U+FFFD from: an escape, or the character
# itself (JSON allows DEL, the C1 controls, U+2028/9 and U+FFFD raw; it refuses the others raw: ``decode`` does).
_ESCAPED = re.compile(r"\\(?:[bfnr]|u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|2028|2029|[fF]{3}[dD]))")
_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufffd]")


def _may_hold_controls(text: str) -> bool:
    r"""Whether a value decoded from the JSON ``text`` may hold a control character (decided in C: most
    documents have no backslash and are ASCII); ``False`` is certain, ``True`` means look at the rows.

    Examples:
        >>> _may_hold_controls('{"a": "Ethernet1/1"}'), _may_hold_controls('{"a": "x\\u001b[2J"}')
        (False, True)
        >>> _may_hold_controls('{"a": "tab\\tand \\"quotes\\""}'), _may_hold_controls('{"a": "x\x7f"}')
        (False, True)
    """
    if "\\" in text and _ESCAPED.search(text):
        return True
    return "\x7f" in text if text.isascii() else bool(_RAW.search(text))


def checked(reading: Reading) -> Reading:
    r"""``reading`` with its text checked as the text path checks an output's lines: a row whose values
    hold control characters is kept, and reported (one problem per row, naming the fields).

    Examples:
        >>> got = checked(Reading([{"name": "sw1\x1b[2J", "port": "Gi0/1"}, {"name": "sw2", "port": "Gi0/2"}]))
        >>> [r["name"] for r in got.rows], got.problems
        (['sw1\x1b[2J', 'sw2'], ("entry 1 (sw1\\x1b[2J Gi0/1): control characters in 'name' (kept)",))
    """
    problems = tuple(f"entry {number} ({_label(row)}): control characters in {', '.join(map(repr, fields))} (kept)"
                     for number, row in enumerate(reading.rows, start=1) if (fields := _controls(row)))
    return Reading(reading.rows, (*reading.problems, *problems), reading.feature_off) if problems else reading


def _controls(row: Row) -> list[str]:
    """The fields of ``row`` whose text holds control characters (a line break, in a one-line field)."""
    found: list[str] = []
    for field, value in row.items():
        for text in _texts(value):
            if text.isprintable() and "\ufffd" not in text:
                continue  # the common case, decided in C (U+FFFD is printable: an undecodable byte)
            if BINARY.search(text) or (field not in MULTILINE and _LINE_BREAK.search(text)):
                found.append(field)
                break
    return found


def _texts(value: Any) -> list[str]:
    """The strings in one row value: itself, or those of a list (of strings, or of objects: next hops)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    return []


def _label(row: Row, limit: int = 40) -> str:
    """What names a row in a problem: its first values, cut short and shown safely (escaped)."""
    shown = " ".join(t[:limit] for value in row.values() for t in _texts(value)[:1] if t)
    return clean(shown[:limit]) + ("..." if len(shown) > limit else "")
