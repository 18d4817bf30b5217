"""Load an inventory file (YAML or CSV) into devices and credential sets, checking every entry.

Every problem in the file is reported at once, each with its line and field, in one
:class:`InventoryError`. Messages name fields and non-secret values only: a password never
appears in a message, whatever is wrong with it. The formats are described in docs/inventory.md.
"""

from __future__ import annotations

import csv
import difflib
import io
import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from netatlas.domain.errors import InventoryError, Problem
from netatlas.domain.inventory import SUPPORTED_PLATFORMS, Credential, InventoryDevice

FIELDS = ("name", "host", "port", "platform", "credentials", "site", "role", "tags")
REQUIRED = ("name", "host", "platform", "credentials")
CREDENTIAL_FIELDS = ("username", "password", "enable_secret")
DEFAULT_PORT = 22
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml composes 2-3x faster, with the same marks


@dataclass(frozen=True, slots=True)
class Inventory:
    devices: list[InventoryDevice]
    credentials: dict[str, Credential]  # by name; Credential's repr hides the secrets


@dataclass(slots=True)
class _Entry:
    """One device as written: text per field, and the line of each field."""

    line: int
    values: dict[str, str | list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def at(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return ";".join(value) if isinstance(value, list) else value


def host_problem(host: str) -> str | None:
    """Why ``host`` is neither an IP address nor a host name, or None when it is fine.

    Examples:
        >>> [host_problem(h) for h in ("10.0.0.1", "fe80::1", "core1.example.net", "sw_1")]
        [None, None, None, None]
        >>> host_problem("10.0.0.300")
        'not a valid IP address'
        >>> host_problem("core 1")
        'not an IP address or host name'
    """
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "not an IP address or host name"
    if labels[-1].isdigit():
        return "not a valid IP address"
    return None


def port_problem(port: str) -> str | None:
    """Why ``port`` is not a TCP port number, or None.

    Examples:
        >>> [port_problem(p) for p in ("22", "65535", "0", "22a")]
        [None, None, 'must be between 1 and 65535, got 0', "must be a number, got '22a'"]
    """
    if not port.isascii() or not port.isdigit():
        return f"must be a number, got {port!r}"
    if not 1 <= int(port) <= 65535:
        return f"must be between 1 and 65535, got {int(port)}"
    return None


def platform_problem(platform: str) -> str | None:
    """Why ``platform`` is not supported (with the closest supported name), or None.

    Examples:
        >>> print(platform_problem("cisco_iso"))  # doctest: +ELLIPSIS
        unknown platform 'cisco_iso' (did you mean 'cisco_ios'?); supported: arista_eos, cisco_ios, cisco_nxos, ...
    """
    if platform in SUPPORTED_PLATFORMS:
        return None
    return f"unknown platform {platform!r}{_suggest(platform, SUPPORTED_PLATFORMS)}; supported: " + ", ".join(
        sorted(SUPPORTED_PLATFORMS))


def name_problem(name: str) -> str | None:
    """Names are identities: no spaces or control characters.

    Examples:
        >>> name_problem("sw1"), name_problem("sw 1")
        (None, "must not contain spaces, got 'sw 1'")
    """
    if name.isprintable() and not any(char.isspace() for char in name):
        return None
    return f"must not contain spaces, got {name!r}"


def address_key(host: str, port: int) -> str:
    """The address two entries must not share: IPs in canonical form, host names in lower case.

    Examples:
        >>> address_key("2001:DB8:0::1", 22), address_key("Core1.Example.NET.", 2222)
        ('[2001:db8::1]:22', 'core1.example.net:2222')
    """
    try:
        ip = ipaddress.ip_address(host)
        return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    except ValueError:
        return f"{host.lower().removesuffix('.')}:{port}"


def _suggest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_field(name: str, allowed: tuple[str, ...]) -> str:
    hint = _suggest(name, allowed) or f" (allowed: {', '.join(allowed)})"
    return f"unknown field {name!r}{hint}"


_FIELD_CHECKS: dict[str, Callable[[str], str | None]] = {
    "name": name_problem, "host": host_problem, "port": port_problem, "platform": platform_problem,
}


def _check_entries(entries: list[_Entry], known: Collection[str] | None, problems: list[Problem],
                   *, absent_columns: Collection[str] = ()) -> list[InventoryDevice]:
    """Every entry's problems go to ``problems``; the devices are returned when there are none."""
    names: dict[str, _Entry] = {}
    addresses: dict[str, _Entry] = {}
    devices = []
    for entry in entries:
        before = len(problems)
        _check_fields(entry, known, problems, absent_columns)
        if len(problems) == before:
            devices.append(_device(entry))
        _check_unique(entry, names, addresses, problems)
    return devices if not problems else []


def _check_fields(entry: _Entry, known: Collection[str] | None, problems: list[Problem],
                  absent_columns: Collection[str]) -> None:
    for name in REQUIRED:
        if not entry.text(name) and name not in absent_columns:
            problems.append(Problem(entry.at(name), name, "missing required field"))
    for name, check in _FIELD_CHECKS.items():
        message = check(entry.text(name)) if entry.text(name) else None
        if message:
            problems.append(Problem(entry.at(name), name, message))
    reference = entry.text("credentials")
    if known is not None and reference and reference not in known:
        defined = ", ".join(sorted(known)) or "none"
        problems.append(Problem(entry.at("credentials"), "credentials",
                                f"undefined credential set {reference!r}{_suggest(reference, known)}; "
                                f"defined: {defined}"))


def _device(entry: _Entry) -> InventoryDevice:
    tags = entry.values.get("tags", [])
    tag_list = tags if isinstance(tags, list) else tags.split(";")
    return InventoryDevice(
        name=entry.text("name"), host=entry.text("host"), platform=entry.text("platform"),
        credentials=entry.text("credentials"), port=int(entry.text("port") or DEFAULT_PORT),
        site=entry.text("site"), role=entry.text("role"),
        tags=tuple(tag.strip() for tag in tag_list if tag.strip()))


def _check_unique(entry: _Entry, names: dict[str, _Entry], addresses: dict[str, _Entry],
                  problems: list[Problem]) -> None:
    """Names are compared without case; addresses as :func:`address_key` writes them."""
    name, host, port = entry.text("name"), entry.text("host"), entry.text("port") or str(DEFAULT_PORT)
    first = names.setdefault(name.casefold(), entry) if name else entry
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


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class _YamlReader:
    """Walks the composed node tree (not Python objects) so that each problem knows its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def add(self, line: int | None, name: str, message: str) -> None:
        self.problems.append(Problem(line, name, message))

    def sections(self, text: str, allowed: tuple[str, ...]) -> tuple[int, dict[str, tuple[int, Node]]] | None:
        """The top mapping's line and keys; a syntax error is reported without quoting the source."""
        try:
            top = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            self.add(line, "file", "not valid YAML: " + ", ".join(p for p in (exc.context, exc.problem) if p))
            return None
        except yaml.YAMLError as exc:
            self.add(None, "file", f"not valid YAML: {type(exc).__name__}")
            return None
        if not isinstance(top, MappingNode):
            self.add(None if top is None else _line(top), "file",
                     "the file is empty" if top is None else f"the top level must be a mapping ({', '.join(allowed)})")
            return None
        pairs = self.pairs(top, "")
        for name, (line, _) in pairs.items():
            if name not in allowed:
                self.add(line, name, _unknown_field(name, allowed))
        return _line(top), pairs

    def pairs(self, node: MappingNode, where: str) -> dict[str, tuple[int, Node]]:
        """Key -> (line of the key, value node), merge keys (``<<``) applied, duplicate keys reported."""
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                if key.value in seen:
                    self.add(_line(key), f"{where}.{key.value}".lstrip("."), "duplicate key")
                seen.add(key.value)
        try:
            yaml.constructor.SafeConstructor().flatten_mapping(node)
        except yaml.MarkedYAMLError as exc:
            self.add(_line(node), where or "file", f"bad merge: {exc.problem}")
        pairs: dict[str, tuple[int, Node]] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                pairs[key.value] = (_line(key), value)
            else:
                self.add(_line(key), where or "file", "keys must be plain text")
        return pairs

    def scalar(self, node: Node, line: int, name: str) -> str | None:
        """The text exactly as written (``no`` stays ``no``, ``010`` stays ``010``); None for null."""
        if isinstance(node, ScalarNode):
            return None if node.tag == _NULL_TAG else str(node.value).strip()
        self.add(line, name, "must be a single value, not a list or mapping")
        return None

    def tags(self, node: Node, line: int) -> list[str] | None:
        if not isinstance(node, SequenceNode):
            text = self.scalar(node, line, "tags")
            return None if text is None else text.split(";")
        return [tag for item in node.value if (tag := self.scalar(item, _line(item), "tags"))]

    def entry(self, node: Node) -> _Entry | None:
        if not isinstance(node, MappingNode):
            self.add(_line(node), "devices", "each device must be a mapping of fields")
            return None
        entry = _Entry(line=_line(node))
        for name, (line, value) in self.pairs(node, "").items():
            if name not in FIELDS:
                self.add(line, name, _unknown_field(name, FIELDS))
                continue
            entry.lines[name] = line
            text = self.tags(value, line) if name == "tags" else self.scalar(value, line, name)
            if text is not None:
                entry.values[name] = text
        return entry

    def devices(self, top_line: int, sections: dict[str, tuple[int, Node]]) -> list[_Entry]:
        line, node = sections.get("devices", (top_line, None))
        if not isinstance(node, SequenceNode) or not node.value:
            self.add(line, "devices", "a non-empty list of devices is required")
            return []
        return [entry for item in node.value if (entry := self.entry(item)) is not None]

    def credential(self, name: str, line: int, node: Node) -> Credential | None:
        where = f"credentials.{name}"
        if not isinstance(node, MappingNode):
            self.add(line, where, "must be a mapping with username and password")
            return None
        values: dict[str, str] = {}
        for key, (key_line, value) in self.pairs(node, where).items():
            if key not in CREDENTIAL_FIELDS:  # the key is not quoted: a misplaced secret could be a key
                self.add(key_line, where, f"unknown field; allowed: {', '.join(CREDENTIAL_FIELDS)}")
            elif (text := self.scalar(value, key_line, f"{where}.{key}")) is not None:
                values[key] = text
        missing = [key for key in ("username", "password") if not values.get(key)]
        for key in missing:
            self.add(line, f"{where}.{key}", "missing required field")
        if missing:
            return None
        return Credential(name, values["username"], values["password"], values.get("enable_secret") or None)

    def credentials(self, sections: dict[str, tuple[int, Node]]) -> dict[str, Credential] | None:
        """The credential sets by name, or None when there is no ``credentials:`` section."""
        if "credentials" not in sections:
            return None
        line, node = sections["credentials"]
        if not isinstance(node, MappingNode):
            self.add(line, "credentials", "must be a mapping of credential sets by name")
            return {}
        pairs = self.pairs(node, "credentials")
        found = {name: self.credential(name, key_line, value) for name, (key_line, value) in pairs.items()}
        return {name: credential for name, credential in found.items() if credential is not None}


def _parse_yaml(text: str, problems: list[Problem]) -> tuple[list[_Entry], dict[str, Credential] | None]:
    """Device entries and, when the file has a ``credentials:`` section, its credential sets."""
    reader = _YamlReader(problems)
    parsed = reader.sections(text, ("devices", "credentials"))
    if parsed is None:
        return [], None
    return reader.devices(*parsed), reader.credentials(parsed[1])


def _csv_header(row: list[str], line: int, problems: list[Problem]) -> tuple[list[str], set[str]]:
    """Column names (lower case) and the required columns the header lacks (each reported once)."""
    columns = [cell.strip().lower() for cell in row]
    for index, column in enumerate(columns):
        if column not in FIELDS:
            problems.append(Problem(line, column or f"column {index + 1}", _unknown_field(column, FIELDS)))
        elif column in columns[:index]:
            problems.append(Problem(line, column, "duplicate column"))
    absent = {name for name in REQUIRED if name not in columns}
    problems.extend(Problem(line, name, "missing required column") for name in sorted(absent))
    return columns, absent


def _parse_csv(text: str, problems: list[Problem]) -> tuple[list[_Entry], set[str]]:
    """Entries (rows) and the required columns missing from the header. Blank and ``#`` rows are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: list[str] | None = None
    absent: set[str] = set()
    entries = []
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns, absent = _csv_header(row, line, problems)
            continue
        if len(row) > len(columns):
            problems.append(Problem(line, "row", f"{len(row)} cells but the header has {len(columns)} columns"))
        entry = _Entry(line=line)
        for column, cell in zip(columns, row, strict=False):
            if column in FIELDS and cell.strip():
                entry.values[column] = cell.strip()
        entries.append(entry)
    if columns is None:
        problems.append(Problem(None, "file", "the file is empty (expected a header: " + ",".join(FIELDS) + ")"))
    elif not entries:
        problems.append(Problem(None, "devices", "no devices after the header"))
    return entries, absent


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InventoryError(str(path), [Problem(None, "file", f"cannot read: {reason}")]) from exc


def load_credentials(path: Path | str) -> dict[str, Credential]:
    """Credential sets from a YAML file holding only ``credentials: {name: {username, password, ...}}``."""
    path, problems = Path(path), list[Problem]()
    reader = _YamlReader(problems)
    parsed = reader.sections(_read(path), ("credentials",))
    sets = reader.credentials(parsed[1]) if parsed is not None else {}
    if parsed is not None and sets is None:
        reader.add(parsed[0], "credentials", "missing required field")
    if problems:
        raise InventoryError(str(path), sorted(problems, key=lambda problem: problem.line or 0))
    return sets or {}


def load_inventory(path: Path | str, credentials_file: Path | str | None = None, *,
                   known_credentials: Collection[str] | None = None) -> Inventory:
    """Devices and credential sets from a ``.yaml``/``.yml`` or ``.csv`` inventory.

    Credential references are checked when any credentials are known: the file's own
    ``credentials:`` section, ``credentials_file`` (YAML), or ``known_credentials`` (for example
    the names already in the database). A CSV file with none of these is checked for everything else.

    Raises:
        InventoryError: every problem found, each with its line and field.
    """
    path = Path(path)
    problems: list[Problem] = []
    if path.suffix.lower() not in YAML_SUFFIXES | {".csv"}:
        raise InventoryError(str(path), [Problem(None, "file", "unknown format: name it .yaml, .yml or .csv")])
    extra = load_credentials(credentials_file) if credentials_file is not None else None
    text = _read(path)
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
    if problems:
        raise InventoryError(str(path), sorted(problems, key=lambda problem: problem.line or 0))
    return Inventory(devices=devices, credentials=credentials or {})


def _merge_credentials(own: dict[str, Credential] | None, extra: dict[str, Credential] | None,
                       problems: list[Problem]) -> dict[str, Credential]:
    merged = dict(own or {})
    for name, credential in (extra or {}).items():
        if name in merged:
            problems.append(Problem(None, f"credentials.{name}", "defined in the inventory and the credentials file"))
        merged[name] = credential
    return merged
