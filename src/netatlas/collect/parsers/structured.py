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
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netatlas.collect.parsers import json_eos, json_junos, json_nxos
from netatlas.domain.errors import ParseError

Row = dict[str, Any]


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


def read(platform: str, command: str, text: str) -> Reading:
    """The rows of one structured output of ``command`` (its text form): ParseError when the output is
    not a document or not the shape the platform prints."""
    fn = reader(platform, command)
    document = decode(text)
    try:
        return fn(document)
    except ParseError:
        raise
    except KeyError as exc:
        raise ParseError(f"unexpected document: no {exc} where the platform prints it") from None
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ParseError(f"unexpected document: {type(exc).__name__}: {str(exc)[:160]}") from None
