"""Load an inventory file (YAML or CSV) into devices and credential sets, checking every entry.

Every problem in the file is reported at once, each with its line and field, in one
:class:`InventoryError`. Messages name fields and non-secret values only: a password never
appears in a message, whatever is wrong with it. The formats are described in docs/inventory.md.

The file is untrusted input, so reading it is bounded: at most ``max_bytes`` are read (a FIFO or
``/dev/zero`` cannot make it read forever), the text must be UTF-8, YAML may use at most
:data:`MAX_ALIASES` aliases and :data:`MAX_DEPTH` levels of nesting (checked on the event stream,
before anything is built; see ``netatlas.inventory_yaml``), merge keys are applied with each key
kept once (a merge-key bomb stays linear), and a field holding a control or format character is refused.
A problem with the file itself is one line: ``PATH: cannot read: not UTF-8 text (byte 12)``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode

from netatlas.domain.errors import InventoryError, Problem
from netatlas.domain.inventory import (
    FIELDS,
    REQUIRED,
    Credential,
    InventoryDevice,
    WrittenEntry,
    address_key,
    field_name,
    host_problem,
    name_problem,
    platform_problem,
    port_problem,
    suggest,
    text_problem,
    unknown_field,
)
from netatlas.inventory_yaml import MAX_ALIASES, MAX_DEPTH, YamlReader, compose

DEFAULT_PORT = 22
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
MAX_BYTES = 16 * 1024 * 1024  # NETATLAS_INVENTORY_MAX_BYTES
MAX_PROBLEMS = 100  # reported; the rest are counted
MAX_COLLECTED = 10_000  # then reading stops: a broken 16 MB file must not fill memory with problems
__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "Inventory", "is_credentials_file", "load_credentials",
           "load_inventory", "read_text"]


@dataclass(frozen=True, slots=True)
class Inventory:
    devices: list[InventoryDevice]
    credentials: dict[str, Credential]  # by name; Credential's repr hides the secrets


class _TooMany(Exception):
    """Raised by :class:`_Problems` when full; caught in this module, never seen outside."""


class _Problems(list[Problem]):
    """The problems found so far, up to :data:`MAX_COLLECTED`; one more stops reading the file."""

    def append(self, problem: Problem) -> None:
        if len(self) >= MAX_COLLECTED:
            raise _TooMany
        super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


def _file_error(path: Path, message: str) -> InventoryError:
    return InventoryError(str(path), [Problem(None, "file", message)])


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, reading at most ``max_bytes`` (+1 to notice more); a one-line error otherwise.

    Works on FIFOs and devices too, without reading them unbounded (``/dev/zero`` is "larger than").
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _file_error(path, f"cannot read: {exc.strerror or type(exc).__name__}") from exc
    if len(data) > max_bytes:
        raise _file_error(path, f"cannot read: larger than {max_bytes} bytes (NETATLAS_INVENTORY_MAX_BYTES)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(path, f"cannot read: not UTF-8 text (byte {exc.start})") from None


_FIELD_CHECKS: dict[str, Callable[[str], str | None]] = {
    "name": name_problem, "host": host_problem, "port": port_problem, "platform": platform_problem,
    "credentials": text_problem, "site": text_problem, "role": text_problem,
}


def _check_entries(entries: list[WrittenEntry], known: Collection[str] | None, problems: list[Problem],
                   *, absent_columns: Collection[str] = ()) -> list[InventoryDevice]:
    """Every entry's problems go to ``problems``; the devices are returned when there are none."""
    names: dict[str, WrittenEntry] = {}
    addresses: dict[str, WrittenEntry] = {}
    devices = []
    for entry in entries:
        before = len(problems)
        _check_fields(entry, known, problems, absent_columns)
        if len(problems) == before:
            devices.append(_device(entry))
        _check_unique(entry, names, addresses, problems)
    return devices if not problems else []


def _check_fields(entry: WrittenEntry, known: Collection[str] | None, problems: list[Problem],
                  absent_columns: Collection[str]) -> None:
    for name in REQUIRED:
        if not entry.text(name) and name not in absent_columns:
            problems.append(Problem(entry.at(name), name, "missing required field"))
    for name, check in _FIELD_CHECKS.items():
        message = check(entry.text(name)) if entry.text(name) else None
        if message:
            problems.append(Problem(entry.at(name), name, message))
    tags = entry.values.get("tags", [])
    for tag in tags if isinstance(tags, list) else tags.split(";"):
        if message := text_problem(tag):
            problems.append(Problem(entry.at("tags"), "tags", message))
    reference = entry.text("credentials")
    if known is not None and reference and reference not in known and not text_problem(reference):
        defined = ", ".join(sorted(known)) or "none"
        problems.append(Problem(entry.at("credentials"), "credentials",
                                f"undefined credential set {reference!r}{suggest(reference, known)}; "
                                f"defined: {defined}"))


def _device(entry: WrittenEntry) -> InventoryDevice:
    tags = entry.values.get("tags", [])
    tag_list = tags if isinstance(tags, list) else tags.split(";")
    return InventoryDevice(
        name=entry.text("name"), host=entry.text("host"), platform=entry.text("platform"),
        credentials=entry.text("credentials"), port=int(entry.text("port") or DEFAULT_PORT),
        site=entry.text("site"), role=entry.text("role"),
        tags=tuple(tag.strip() for tag in tag_list if tag.strip()))


def _check_unique(entry: WrittenEntry, names: dict[str, WrittenEntry], addresses: dict[str, WrittenEntry],
                  problems: list[Problem]) -> None:
    """Names are compared without case; addresses as :func:`address_key` writes them."""
    name, host, port = entry.text("name"), entry.text("host"), entry.text("port") or str(DEFAULT_PORT)
    first = names.setdefault(name.casefold(), entry) if name and not name_problem(name) else entry
    if first is not entry:
        problems.append(Problem(entry.at("name"), "name",
                                f"duplicate name {name!r} (first on line {first.at('name')})"))
    if not host or host_problem(host) or port_problem(port):
        return
    address = address_key(host, int(port))
    first = addresses.setdefault(address, entry)
    if first is not entry:
        problems.append(Problem(entry.at("host"), "host", f"duplicate address {address} "
                                f"(also {first.text('name')!r} on line {first.at('host')})"))


def _parse_yaml(text: str, problems: list[Problem]) -> tuple[list[WrittenEntry], dict[str, Credential] | None]:
    """Device entries and, when the file has a ``credentials:`` section, its credential sets."""
    reader = YamlReader(problems)
    parsed = reader.sections(text, ("devices", "credentials"))
    if parsed is None:
        return [], None
    return reader.devices(*parsed), reader.credentials(parsed[1])


def _csv_header(row: list[str], line: int, problems: list[Problem]) -> tuple[list[str], set[str]]:
    """Column names (lower case) and the required columns the header lacks (each reported once)."""
    columns = [cell.strip().lower() for cell in row]
    for index, column in enumerate(columns):
        if column not in FIELDS:
            problems.append(Problem(line, field_name(column) if column else f"column {index + 1}",
                                    unknown_field(column, FIELDS)))
        elif column in columns[:index]:
            problems.append(Problem(line, column, "duplicate column"))
    absent = {name for name in REQUIRED if name not in columns}
    problems.extend(Problem(line, name, "missing required column") for name in sorted(absent))
    return columns, absent


def _csv_rows(reader: Iterator[list[str]], problems: list[Problem]) -> Iterator[list[str]]:
    """The reader's rows; a malformed file (a NUL, a cell over ``csv.field_size_limit()``) is one problem."""
    try:
        yield from reader
    except csv.Error as exc:
        line = getattr(reader, "line_num", 0)
        problems.append(Problem(line or None, "file", f"not valid CSV: {exc}"))


def _parse_csv(text: str, problems: list[Problem]) -> tuple[list[WrittenEntry], set[str]]:
    """Entries (rows) and the required columns missing from the header. Blank and ``#`` rows are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: list[str] | None = None
    absent: set[str] = set()
    entries = []
    start = 1
    for row in _csv_rows(reader, problems):
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns, absent = _csv_header(row, line, problems)
            continue
        if len(row) > len(columns):
            problems.append(Problem(line, "row", f"{len(row)} cells but the header has {len(columns)} columns"))
        entry = WrittenEntry(line=line)
        for column, cell in zip(columns, row, strict=False):
            if column in FIELDS and cell.strip():
                entry.values[column] = cell.strip()
        entries.append(entry)
    if columns is None and not problems:
        problems.append(Problem(None, "file", "the file is empty (expected a header: " + ",".join(FIELDS) + ")"))
    elif columns is not None and not entries:
        problems.append(Problem(None, "devices", "no devices after the header"))
    return entries, absent


def is_credentials_file(path: Path | str, max_bytes: int = MAX_BYTES) -> bool:
    """Whether ``path`` is a YAML file of credential sets only (``credentials:`` and no ``devices:``).

    Read with the same limits as an inventory; any problem answers False (loading reports it).
    """
    path = Path(path)
    if path.suffix.lower() not in YAML_SUFFIXES:
        return False
    try:
        top = compose(read_text(path, max_bytes))
    except (InventoryError, yaml.YAMLError):
        return False
    if not isinstance(top, MappingNode):
        return False
    keys = {key.value for key, _ in top.value if isinstance(key, ScalarNode)}
    return "credentials" in keys and "devices" not in keys


def load_credentials(path: Path | str, *, max_bytes: int = MAX_BYTES) -> dict[str, Credential]:
    """Credential sets from a YAML file holding only ``credentials: {name: {username, password, ...}}``."""
    path, problems = Path(path), _Problems()
    text = read_text(path, max_bytes)
    try:
        reader = YamlReader(problems)
        parsed = reader.sections(text, ("credentials",))
        sets = reader.credentials(parsed[1]) if parsed is not None else {}
        if parsed is not None and sets is None:
            reader.add(parsed[0], "credentials", "missing required field")
    except _TooMany:
        raise _error(path, problems, stopped=True) from None
    if problems:
        raise _error(path, problems)
    return sets or {}


def load_inventory(path: Path | str, credentials_file: Path | str | None = None, *,
                   known_credentials: Collection[str] | None = None, max_bytes: int = MAX_BYTES) -> Inventory:
    """Devices and credential sets from a ``.yaml``/``.yml`` or ``.csv`` inventory.

    Credential references are checked when any credentials are known: the file's own
    ``credentials:`` section, ``credentials_file`` (YAML), or ``known_credentials`` (for example
    the names already in the database). A CSV file with none of these is checked for everything else.
    At most ``max_bytes`` of each file are read (``Settings.inventory_max_bytes``).

    Raises:
        InventoryError: every problem found (the first :data:`MAX_PROBLEMS`), each with its line and field.
    """
    path = Path(path)
    if path.suffix.lower() not in YAML_SUFFIXES | {".csv"}:
        raise _file_error(path, "unknown format: name it .yaml, .yml or .csv")
    extra = load_credentials(credentials_file, max_bytes=max_bytes) if credentials_file is not None else None
    text = read_text(path, max_bytes)
    problems = _Problems()
    try:
        inventory = _inventory(path, text, extra, known_credentials, problems)
    except _TooMany:
        raise _error(path, problems, stopped=True) from None
    if problems:
        raise _error(path, problems)
    return inventory


def _inventory(path: Path, text: str, extra: dict[str, Credential] | None, known_credentials: Collection[str] | None,
               problems: list[Problem]) -> Inventory:
    absent: set[str] = set()
    if path.suffix.lower() == ".csv":
        (entries, absent), own = _parse_csv(text, problems), None
    else:
        entries, own = _parse_yaml(text, problems)
    credentials = _merge_credentials(own, extra, problems)
    known = None
    if own is not None or extra is not None or known_credentials is not None:
        known = set(credentials) | set(known_credentials or ())
    devices = _check_entries(entries, known, problems, absent_columns=absent)
    return Inventory(devices=devices, credentials=credentials or {})


def _error(path: Path, problems: list[Problem], *, stopped: bool = False) -> InventoryError:
    """Problems by line, the first :data:`MAX_PROBLEMS` of them; the rest counted, a stop said."""
    shown = sorted(problems, key=lambda problem: problem.line or 0)[:MAX_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(Problem(None, "file", f"{len(problems) - len(shown)} more problem(s) not shown"))
    if stopped:
        shown.append(Problem(None, "file", f"reading stopped after {len(problems)} problems"))
    return InventoryError(str(path), shown)


def _merge_credentials(own: dict[str, Credential] | None, extra: dict[str, Credential] | None,
                       problems: list[Problem]) -> dict[str, Credential]:
    merged = dict(own or {})
    for name, credential in (extra or {}).items():
        if name in merged:
            problems.append(Problem(None, f"credentials.{name}", "defined in the inventory and the credentials file"))
        merged[name] = credential
    return merged
