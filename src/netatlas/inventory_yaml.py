"""The YAML half of inventory loading: composing within limits, merge keys, and walking nodes with their lines.

An inventory file is untrusted, so the YAML it holds is bounded before anything is built: the event
stream (fast, C libyaml when present) is read first and at most :data:`MAX_ALIASES` aliases and
:data:`MAX_DEPTH` levels of nesting are allowed. Merge keys (``<<``) are applied here, not by
PyYAML: each inherited key is kept once and each mapping flattened once, so a 675-byte merge-key
bomb (PyYAML: 44 s, 1.75 GB) is refused or stays linear. Nodes, not Python objects, are walked,
so every problem knows its line.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from netatlas.domain.errors import Problem
from netatlas.domain.inventory import (
    CREDENTIAL_FIELDS,
    FIELDS,
    Credential,
    WrittenEntry,
    credential_problem,
    field_name,
    quoted,
    text_problem,
    unknown_field,
)

MAX_ALIASES = 100
MAX_DEPTH = 16  # an inventory needs 4: the top mapping, the devices list, a device, its tags
MAX_MERGED_KEYS = 100_000  # keys copied by merges in one file, all merges together
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml composes 2-3x faster, with the same marks
_Pairs = list[tuple[Node, Node]]


class YamlLimit(yaml.YAMLError):
    """The YAML stream breaks one of this module's limits (found while reading events, before composing)."""


def _refused(event: yaml.Event, what: str) -> YamlLimit:
    where = f" (line {event.start_mark.line + 1})" if event.start_mark is not None else ""
    return YamlLimit(f"refused: {what}{where}")


def _checked_events(text: str) -> None:
    """Walk the event stream (fast, no objects built) and refuse too many aliases or too deep a nesting."""
    aliases = depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _refused(event, f"more than {MAX_ALIASES} aliases (*name)")
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refused(event, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def compose(text: str) -> Node | None:
    """The YAML node tree within this module's limits; ``yaml.YAMLError`` (``YamlLimit`` among them) otherwise."""
    _checked_events(text)
    return yaml.compose(text, Loader=_LOADER)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class YamlReader:
    """Walks the composed node tree (not Python objects) so that each problem knows its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self._merged: dict[int, _Pairs] = {}
        self._merging: set[int] = set()
        self._budget = MAX_MERGED_KEYS

    def add(self, line: int | None, name: str, message: str) -> None:
        self.problems.append(Problem(line, name, message))

    def sections(self, text: str, allowed: tuple[str, ...]) -> tuple[int, dict[str, tuple[int, Node]]] | None:
        """The top mapping's line and keys; a syntax error is reported without quoting the source."""
        try:
            top = compose(text)
        except YamlLimit as exc:
            self.add(None, "file", str(exc))  # one line, which names the line
            return None
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
                self.add(line, field_name(name), unknown_field(name, allowed))
        return _line(top), pairs

    def pairs(self, node: MappingNode, where: str) -> dict[str, tuple[int, Node]]:
        """Key -> (line of the key, value node), merge keys (``<<``) applied, duplicate keys reported."""
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                if key.value in seen:
                    self.add(_line(key), f"{where}.{field_name(key.value)}".lstrip("."), "duplicate key")
                seen.add(key.value)
        pairs: dict[str, tuple[int, Node]] = {}
        for key, value in self.merged(node, where):
            if isinstance(key, ScalarNode):
                pairs.setdefault(key.value, (_line(key), value))
            else:
                self.add(_line(key), where or "file", "keys must be plain text")
        return pairs

    def merged(self, node: MappingNode, where: str) -> _Pairs:
        """The mapping's pairs with merge keys applied, each inherited key once (so no merge can blow up).

        As YAML's merge key says: the mapping's own keys win, then earlier merged mappings over later ones.
        Results are kept per node, so a mapping merged many times is flattened once.
        """
        if id(node) in self._merged:
            return self._merged[id(node)]
        if id(node) in self._merging:
            self.add(_line(node), where or "file", "bad merge: a mapping merges itself")
            return []
        self._merging.add(id(node))
        own: _Pairs = [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.tag == _MERGE_TAG)]
        inherited: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.tag == _MERGE_TAG:
                for source in self._merge_sources(value, where):
                    self._inherit(inherited, self.merged(source, where), _line(key), where)
        explicit = {key.value for key, _ in own if isinstance(key, ScalarNode)}
        result = own + [pair for name, pair in inherited.items() if name not in explicit]
        self._merging.discard(id(node))
        self._merged[id(node)] = result
        return result

    def _inherit(self, inherited: dict[str, tuple[Node, Node]], pairs: _Pairs, line: int, where: str) -> None:
        """Add ``pairs`` not inherited yet, within the file's budget of merged keys."""
        if self._budget < len(pairs):
            if self._budget >= 0:
                self.add(line, where or "file", f"bad merge: merges copy more than {MAX_MERGED_KEYS} keys: refused")
            self._budget = -1
            return
        self._budget -= len(pairs)
        for key, value in pairs:
            if isinstance(key, ScalarNode):
                inherited.setdefault(key.value, (key, value))

    def _merge_sources(self, value: Node, where: str) -> list[MappingNode]:
        items = value.value if isinstance(value, SequenceNode) else [value]
        if all(isinstance(item, MappingNode) for item in items):
            return list(items)
        self.add(_line(value), where or "file", "bad merge: << takes a mapping or a list of mappings")
        return []

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

    def entry(self, node: Node) -> WrittenEntry | None:
        if not isinstance(node, MappingNode):
            self.add(_line(node), "devices", "each device must be a mapping of fields")
            return None
        entry = WrittenEntry(line=_line(node))
        for name, (line, value) in self.pairs(node, "").items():
            if name not in FIELDS:
                self.add(line, field_name(name), unknown_field(name, FIELDS))
                continue
            entry.lines[name] = line
            text = self.tags(value, line) if name == "tags" else self.scalar(value, line, name)
            if text is not None:
                entry.values[name] = text
        return entry

    def devices(self, top_line: int, sections: dict[str, tuple[int, Node]]) -> list[WrittenEntry]:
        line, node = sections.get("devices", (top_line, None))
        if not isinstance(node, SequenceNode) or not node.value:
            self.add(line, "devices", "a non-empty list of devices is required")
            return []
        return [entry for item in node.value if (entry := self.entry(item)) is not None]

    def credential(self, name: str, line: int, node: Node) -> Credential | None:
        if problem := text_problem(name):
            self.add(line, "credentials", f"credential set name {quoted(name)}: {problem}")
            return None
        where = f"credentials.{name}"
        if not isinstance(node, MappingNode):
            self.add(line, where, "must be a mapping with username and password")
            return None
        values: dict[str, str] = {}
        for key, (key_line, value) in self.pairs(node, where).items():
            if key not in CREDENTIAL_FIELDS:  # the key is not quoted: a misplaced secret could be a key
                self.add(key_line, where, f"unknown field; allowed: {', '.join(CREDENTIAL_FIELDS)}")
            elif (text := self.scalar(value, key_line, f"{where}.{key}")) is not None:
                if problem := credential_problem(key, text):
                    self.add(key_line, f"{where}.{key}", problem)
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
