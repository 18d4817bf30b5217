"""What the topology is built from, read in bulk: every device's records of one view, and the overrides.

Two views. *Current*: per inventory device and data type, the records of its latest good snapshot
that collected that type (a failed newer run hides nothing, and marks the device's error), plus the
attached (connected/local) routes of its newest good snapshot that collected any route type. *One
job*: the snapshots that job wrote, for the devices of that job. Either view is read with a fixed
number of Core selects per data type (ids in chunks), never one query per device, so 10,000
devices and 600,000 MAC rows read in seconds. ``netatlas.store`` may not import the pure
``netatlas.topology`` package: the views here (:class:`StoredInput`, :class:`DeviceState`,
:class:`StoredOverride`) carry the same fields as its ``TopologyInput`` for ``netatlas.jobs`` to
hand over. Operator text of an override is cleaned on the way in like device text.
"""

from __future__ import annotations

import builtins
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Integer,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from netatlas.domain.datatypes import spec_of
from netatlas.domain.errors import NotFound
from netatlas.domain.records import (
    ROUTE_TYPES,
    Coverage,
    DataType,
    DeviceRecords,
    Facts,
    JobStatus,
    NextHop,
)
from netatlas.domain.text import clean
from netatlas.store import rowmap
from netatlas.store.snapshots import PACK_HEAD, PACK_VERSIONS, Packed, pack_tail, unpack
from netatlas.store.tables import (
    DeviceRow,
    JobDeviceRow,
    JobRow,
    RouteRow,
    SnapshotDataTypeRow,
    SnapshotPackRow,
    SnapshotRow,
    TopologyOverrideRow,
    utcnow,
)

CHUNK = 500  # snapshot ids per IN (...) list
ARRAY_CHUNK = 20_000  # snapshot ids per PostgreSQL array (= ANY(...)): one bound value, read in one pass
CURRENT = "current"
_SNAPSHOT = SnapshotRow.__table__
_HELD = SnapshotDataTypeRow.__table__
_PACK = SnapshotPackRow.__table__
_KINDS = {t.value: t for t in DataType}
_KIND_ORDER = {t: i for i, t in enumerate(DataType)}
_COVERAGES = {c.value: c for c in Coverage}
_ROUTE_TYPES = frozenset(k.value for k in ROUTE_TYPES)
_Held = dict[DataType, dict[int, tuple[str, Coverage]]]  # per data type: snapshot -> (device, coverage)


@dataclass(frozen=True, slots=True)
class DeviceState:
    """One device as a view holds it: the fields of the topology's ``DeviceInput``."""

    name: str
    platform: str
    mgmt_ip: str
    records: DeviceRecords
    site: str = ""
    role: str = ""
    identity: str = ""  # the normalised host name its newest good snapshot reported
    collected: bool = False  # a good snapshot in this view
    error_kind: str = ""  # its latest attempt in this view failed: how
    error: str = ""
    coverage: Mapping[DataType, Coverage] = field(default_factory=dict)  # the data types held, how completely
    # The builder's fields of ``records`` as packed: attribute -> the values of each field of
    # ``snapshots.PACK_HEAD[attribute]`` in that order, the same records in the same order; None when
    # some of them were read otherwise.
    columns: Mapping[str, Sequence[Sequence[Any]]] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StoredOverride:
    """An operator's word on a link (``action``: confirm | ignore | add)."""

    id: int
    action: str
    a_node: str
    a_interface: str
    b_node: str
    b_interface: str
    layer: str = "l2"
    vrf: str = "default"
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredInput:
    """A whole view: its devices by name, the overrides, and ``label`` ("current" or the job id)."""

    devices: tuple[DeviceState, ...]
    overrides: tuple[StoredOverride, ...]
    label: str = CURRENT


@dataclass(frozen=True, slots=True)
class Run:
    """A job that wrote good snapshots: a point in the topology's history."""

    job_id: str
    status: JobStatus
    created_at: datetime
    finished_at: datetime | None
    devices: int  # good snapshots it wrote


@dataclass(slots=True)
class _Read:
    """What the queries found per device, before it becomes a :class:`DeviceState`."""

    records: dict[str, DeviceRecords] = field(default_factory=lambda: defaultdict(DeviceRecords))
    coverage: dict[str, dict[DataType, Coverage]] = field(default_factory=lambda: defaultdict(dict))
    identity: dict[str, str] = field(default_factory=dict)
    failure: dict[str, tuple[str, str]] = field(default_factory=dict)  # the latest attempt failed: kind, error
    # Devices whose records all come from version 2 packs: where, in view order (read lazily).
    sources: dict[str, list[_Source]] = field(default_factory=dict)


def _group(kind: DataType, spec: rowmap.RecordSpec) -> str:
    """The pack group holding ``kind``'s records of ``spec``'s table (``snapshots.pack_group``): the
    protocol of its neighbors, the data type of its routes, "" for a table of one data type."""
    if spec is rowmap.NEIGHBORS:
        return spec_of(kind).protocol
    if spec is rowmap.ROUTES:
        return kind.value
    return ""


class _Pack:
    """One snapshot's pack. Version 1 (rows of column values): decoded when a view first asks for its
    groups, every group asked for at once, the JSON dropped right away (a view's 10,000 decoded packs
    would double its memory). Version 2: the head (the builder's columns) decoded once and kept, the
    tail only when whole records are asked for. Records, once made, are kept: a second view with the
    same pack (a diff's other run) shares them (frozen), and its columns."""

    __slots__ = ("_content", "_decoded", "_head", "version")

    def __init__(self, content: bytes, version: int) -> None:
        self._content = content
        self.version = version
        self._decoded: dict[tuple[str, str], list[Any]] = {}
        self._head: Packed | None = None

    def records(self, wanted: Sequence[tuple[rowmap.RecordSpec, str]]) -> list[list[Any]]:
        """The records of each (table, group) in ``wanted``, in that order."""
        missing = [(spec, group) for spec, group in wanted if (spec.attribute, group) not in self._decoded]
        if missing:
            if self.version == 1:
                raw = json.loads(zlib.decompress(self._content))
                for spec, group in missing:
                    rows = raw.get(spec.attribute, {}).get(group)
                    self._decoded[(spec.attribute, group)] = _decoder(spec)(rows) if rows else []
            else:
                head, tail = unpack(self._content)
                for spec, group in missing:
                    self._decoded[(spec.attribute, group)] = _decoder(spec)(_rows_of(spec, group, head, tail))
        return [self._decoded[(spec.attribute, group)] for spec, group in wanted]

    def columns(self, attribute: str, group: str) -> list[list[Any]]:
        """A version 2 pack's head columns of (table, group) (``PACK_HEAD[attribute]``; [] when none)."""
        if self._head is None:
            self._head, _ = unpack(self._content, tail=False)
        found: list[list[Any]] = self._head.get(attribute, {}).get(group, [])
        return found


_Source = tuple[_Pack, rowmap.RecordSpec, str]  # a pack, and the table and group a view takes from it


def _rows_of(spec: rowmap.RecordSpec, group: str, head: Packed, tail: Packed) -> list[list[Any]]:
    """A version 2 group's records as rows of column values in field order (what ``_decoder`` takes)."""
    first, second = head.get(spec.attribute, {}).get(group), tail.get(spec.attribute, {}).get(group)
    if not first:
        return []
    by_name = dict(zip(PACK_HEAD[spec.attribute], first, strict=True))
    if second:
        by_name.update(zip(pack_tail(spec.attribute), second, strict=True))
    return [list(row) for row in zip(*(by_name[name] for name in spec.field_names), strict=True)]


class _PackedRecords(DeviceRecords):
    """A device's records, made from its version 2 packs the first time any list of them is read:
    a build reads only the packs' columns, and most views are only built."""

    __slots__ = ("_sources",)
    _sources: list[_Source]

    @classmethod
    def lazy(cls, facts: Facts | None, sources: list[_Source]) -> _PackedRecords:
        made = cls.__new__(cls)
        made.facts = facts
        made._sources = sources
        return made

    def __getattr__(self, name: str) -> Any:  # only for a list not made yet (a slot never set)
        if name not in _LISTS:
            raise AttributeError(name)
        lists: dict[str, list[Any]] = {attribute: [] for attribute in _LISTS}
        by_pack: dict[int, tuple[_Pack, list[tuple[rowmap.RecordSpec, str]]]] = {}
        for pack, spec, group in self._sources:
            by_pack.setdefault(id(pack), (pack, []))[1].append((spec, group))
        made = {id(pack): dict(zip(wanted, pack.records(wanted), strict=True)) for pack, wanted in by_pack.values()}
        for pack, spec, group in self._sources:
            lists[spec.attribute].extend(made[id(pack)][(spec, group)])
        for attribute, found in lists.items():
            setattr(self, attribute, found)
        return lists[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceRecords):
            return NotImplemented
        return all(getattr(self, one) == getattr(other, one) for one in ("facts", *_LISTS))

    __hash__ = None  # type: ignore[assignment]  # mutable, as DeviceRecords


_LISTS = tuple(f.name for f in fields(DeviceRecords) if f.name != "facts")


def _columns(sources: list[_Source]) -> dict[str, list[list[Any]]]:
    """A device's head columns across its sources (view order): attribute -> the values of each
    field of ``PACK_HEAD[attribute]``, in that order."""
    found: dict[str, list[list[Any]]] = {}
    for pack, spec, group in sources:
        columns = pack.columns(spec.attribute, group)
        if not columns:
            continue
        known = found.get(spec.attribute)
        found[spec.attribute] = columns if known is None else [a + b for a, b in zip(known, columns, strict=True)]
    return found


def _decode(wanted: Sequence[tuple[rowmap.RecordSpec, str, Any, dict[int, str]]], packs: Mapping[int, _Pack],
            eager: set[str]) -> None:
    """Decode each pack the ``eager`` devices take records from once, for every group they take from it
    (one pack's JSON alive at a time)."""
    takes: dict[int, list[tuple[rowmap.RecordSpec, str]]] = defaultdict(list)
    for spec, group, _, owners in wanted:
        for sid, device in owners.items():
            if sid in packs and device in eager:
                takes[sid].append((spec, group))
    for sid, groups in takes.items():
        packs[sid].records(groups)


@cache
def _decoder(spec: rowmap.RecordSpec) -> Callable[[list[list[Any]]], list[Any]]:
    """Packed rows (column values in field order) to records, the same records ``_reader`` makes
    from the record rows: JSON lists become tuples (an interface's addresses), next hops become
    ``NextHop`` tuples (a route's); a table without JSON columns is one constructor call per row."""
    columns = spec.columns()[1:]
    as_json = [i for i, column in enumerate(columns) if isinstance(column.type, JSON)]
    make = spec.record
    if not as_json:
        return lambda rows: [make(*row) for row in rows]
    if spec is rowmap.ROUTES:
        (hops,) = as_json

        def routes(rows: list[list[Any]]) -> list[Any]:
            for row in rows:
                row[hops] = tuple([NextHop(address, interface) for address, interface in row[hops]])
            return [make(*row) for row in rows]

        return routes
    if spec is not rowmap.INTERFACES:  # a table this module does not know: through the spec's own decoder
        names, decode = spec.field_names, spec.decode
        return lambda rows: [make(**decode(dict(zip(names, row, strict=True)))) for row in rows]

    def lists_as_tuples(rows: list[list[Any]]) -> list[Any]:
        for row in rows:
            for i in as_json:
                row[i] = tuple(row[i])
        return [make(*row) for row in rows]

    return lists_as_tuples


class TopologyRepo:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[bytes, _Pack] = {}  # packs read so far, by content (see ``_packs``)
        # A device's head columns by where they come from (packs read so far, tables, groups): a
        # device packed identically in two views gets the same columns object in both.
        self._merged: dict[tuple[tuple[int, str, str], ...], dict[str, list[list[Any]]]] = {}

    def _columns_of(self, sources: list[_Source]) -> dict[str, list[list[Any]]]:
        key = tuple([(id(pack), spec.attribute, group) for pack, spec, group in sources])  # packs live in _seen
        found = self._merged.get(key)
        if found is None:
            found = self._merged[key] = _columns(sources)
        return found

    def current_input(self) -> StoredInput:
        """Every inventory device with its current records (see the module docstring)."""
        read = self._read(true())
        devices = self._session.execute(select(DeviceRow.name, DeviceRow.platform, DeviceRow.host, DeviceRow.site,
                                               DeviceRow.role).order_by(DeviceRow.name)).all()
        states = [_state(name, platform, host, site, role, read, self._columns_of)
                  for name, platform, host, site, role in devices]
        return StoredInput(tuple(states), tuple(self.overrides()), CURRENT)

    def job_input(self, job_id: str) -> StoredInput:
        """The devices of one job with the records of its snapshots only; a device that failed in it
        (or never ended with a snapshot) is not collected and carries its error."""
        if self._session.get(JobRow, job_id) is None:
            raise NotFound(f"no job {job_id}")
        read = self._read(SnapshotRow.job_id == job_id)
        query = (select(JobDeviceRow.device_name, JobDeviceRow.platform, JobDeviceRow.host, DeviceRow.site,
                        DeviceRow.role, JobDeviceRow.error_kind, JobDeviceRow.error)
                 .outerjoin(DeviceRow, DeviceRow.name == JobDeviceRow.device_name)
                 .where(JobDeviceRow.job_id == job_id).order_by(JobDeviceRow.device_name))
        states = []
        for name, platform, host, site, role, error_kind, error in self._session.execute(query):
            if name not in read.identity and name not in read.failure and error_kind:
                read.failure[name] = (error_kind, error)  # no snapshot: the job's own word on the device
            states.append(_state(name, platform, host, site or "", role or "", read, self._columns_of))
        return StoredInput(tuple(states), tuple(self.overrides()), job_id)

    def runs(self, limit: int = 20) -> builtins.list[Run]:
        """Jobs that wrote at least one good snapshot, newest first."""
        query = (select(JobRow.id, JobRow.status, JobRow.created_at, JobRow.finished_at, func.count(SnapshotRow.id))
                 .join(SnapshotRow, SnapshotRow.job_id == JobRow.id).where(SnapshotRow.ok.is_(True))
                 .group_by(JobRow.id, JobRow.status, JobRow.created_at, JobRow.finished_at)
                 .order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit))
        return [Run(job_id, JobStatus(status), created, finished, count)
                for job_id, status, created, finished, count in self._session.execute(query)]

    # ---- overrides ------------------------------------------------------------------------------

    def add_override(self, action: str, a: tuple[str, str], b: tuple[str, str], *, layer: str = "l2",
                     vrf: str = "default", note: str = "", created_by: str = "") -> StoredOverride:
        """Store an override; ``a`` and ``b`` are (node, interface). Every string is cleaned."""
        row = TopologyOverrideRow(action=clean(action), layer=clean(layer), a_node=clean(a[0]),
                                  a_interface=clean(a[1]), b_node=clean(b[0]), b_interface=clean(b[1]),
                                  vrf=clean(vrf), note=clean(note), created_by=clean(created_by, 128),
                                  created_at=utcnow())
        self._session.add(row)
        self._session.flush()
        return _override(row)

    def overrides(self) -> builtins.list[StoredOverride]:
        rows = self._session.scalars(select(TopologyOverrideRow).order_by(TopologyOverrideRow.id))
        return [_override(row) for row in rows]

    def remove_override(self, override_id: int) -> None:
        done = self._session.execute(delete(TopologyOverrideRow).where(TopologyOverrideRow.id == override_id))
        if not getattr(done, "rowcount", 0):
            raise NotFound(f"no override {override_id}")

    # ---- bulk reads ------------------------------------------------------------------------------

    def _read(self, scope: ColumnElement[bool]) -> _Read:
        """Every device's records of the view: from each snapshot's pack where it has one (one value
        per snapshot, decoded once for all the groups the view takes from it), from the record rows
        of the snapshots stored before packs existed."""
        read = _Read()
        held, attached = self._held(scope)
        wanted: list[tuple[rowmap.RecordSpec, str, ColumnElement[bool], dict[int, str]]] = []
        for kind in sorted(held, key=_KIND_ORDER.__getitem__):  # declaration order: the same every read
            snapshots = held[kind]
            for device, coverage in snapshots.values():
                read.coverage[device][kind] = coverage
            owners = {sid: device for sid, (device, _) in snapshots.items()}
            if kind is DataType.FACTS:
                for device, facts in self._facts(owners).items():
                    read.records[device].facts = facts
                continue
            wanted += [(q.spec, _group(kind, q.spec), q.where, owners) for q in rowmap.kind_queries(kind)]
        wanted.append((rowmap.ROUTES, "", RouteRow.data_type == "", attached))
        packs = self._packs({sid for *_, owners in wanted for sid in owners})
        eager = {device for *_, owners in wanted for sid, device in owners.items()
                 if sid not in packs or packs[sid].version == 1}  # records read now: rows, old packs
        _decode(wanted, packs, eager)
        for spec, group, where, owners in wanted:  # in kind order, packed or not: the same records, same order
            unpacked = {}
            for sid, device in owners.items():
                pack = packs.get(sid)
                if pack is None:
                    unpacked[sid] = device
                elif device not in eager:
                    read.sources.setdefault(device, []).append((pack, spec, group))
                else:
                    (records,) = pack.records([(spec, group)])  # decoded already
                    if records:
                        getattr(read.records[device], spec.attribute).extend(records)
            if unpacked:
                self._rows(spec, unpacked, where, read.records)
        self._snapshot_facts(scope, read)
        return read

    def _packs(self, snapshot_ids: set[int]) -> dict[int, _Pack]:
        """The packs of ``snapshot_ids`` that have one in a format this code reads (not decoded yet).
        A pack this repository has already seen (the same device unchanged between the two runs a
        diff reads) is the same ``_Pack``: decoded once."""
        found: dict[int, _Pack] = {}
        for ids in self._chunks(dict.fromkeys(snapshot_ids, "")):
            query = select(_PACK.c.snapshot_id, _PACK.c.version, _PACK.c.content).where(
                self._among(_PACK.c.snapshot_id, ids), _PACK.c.version.in_(PACK_VERSIONS))
            for sid, version, value in self._fetch(query):
                content = bytes(value)  # PostgreSQL's driver may give a memoryview
                pack = self._seen.get(content)
                if pack is None:
                    pack = self._seen[content] = _Pack(content, version)
                found[sid] = pack
        return found

    def _fetch(self, query: Select[Any]) -> Sequence[Any]:
        """The driver's row tuples (no per-row work by SQLAlchemy)."""
        result = self._session.connection().execute(query)  # Core: a CursorResult
        try:
            return result.cursor.fetchall() if result.cursor is not None else []
        finally:
            result.close()

    def _held(self, scope: ColumnElement[bool]) -> tuple[_Held, dict[int, str]]:
        """Per data type: the snapshot holding each device's records of it -> (device, coverage): its
        newest good snapshot (by collection time, then id) that collected the type. And each device's
        newest good snapshot that collected any route type (snapshot -> device): where its connected
        and local routes come from. Picked here from one plain select rather than by window queries:
        sorting every (snapshot, type) row by device and type cost SQLite three times as much (10,000
        devices, two runs: 220,000 rows)."""
        query = (select(_SNAPSHOT.c.device_name, _HELD.c.data_type, _SNAPSHOT.c.collected_at, _SNAPSHOT.c.id,
                        _HELD.c.status)
                 .select_from(_SNAPSHOT.join(_HELD, _HELD.c.snapshot_id == _SNAPSHOT.c.id))
                 .where(_SNAPSHOT.c.ok.is_(True), scope))
        newest: dict[tuple[str, str], tuple[Any, int, str]] = {}
        routed: dict[str, tuple[Any, int]] = {}
        for device, data_type, at, snapshot_id, status in self._fetch(query):
            key = (device, data_type)
            known = newest.get(key)
            if known is None or (at, snapshot_id) > known[:2]:
                newest[key] = (at, snapshot_id, status)
            if data_type in _ROUTE_TYPES and (device not in routed or (at, snapshot_id) > routed[device]):
                routed[device] = (at, snapshot_id)
        found: _Held = defaultdict(dict)
        # In the rows' order: a device's records are taken in data type order whatever the order of
        # devices here (``_read``), so no sort of every (device, type) pair is needed.
        for (device, data_type), (_, snapshot_id, status) in newest.items():
            kind = _KINDS.get(data_type)
            if kind is not None:
                found[kind][snapshot_id] = (device, _COVERAGES.get(status) or Coverage(status))
        return found, {snapshot_id: device for device, (_, snapshot_id) in routed.items()}

    def _rows(self, spec: rowmap.RecordSpec, owners: Mapping[int, str], where: ColumnElement[bool],
              into: dict[str, DeviceRecords]) -> None:
        """Append the records of ``spec``'s table held by the ``owners`` snapshots (see :func:`_reader`)."""
        table = spec.table.__table__
        columns, record_of = _reader(spec)
        for ids in self._chunks(owners):
            query = (select(*columns).where(self._among(table.c.snapshot_id, ids), where)
                     .order_by(table.c.snapshot_id, table.c.id))  # index order: no sort on SQLite
            rows = self._fetch(query)
            lists: dict[str, list[Any]] = {}
            for row in rows:
                device = owners[row[0]]
                found = lists.get(device)
                if found is None:
                    found = lists[device] = getattr(into[device], spec.attribute)
                found.append(record_of(row))

    def _chunks(self, owners: Mapping[int, str]) -> Iterator[list[int]]:
        """The snapshot ids in sorted chunks: IN lists of 500 (SQLite's bound-parameter limit), or
        PostgreSQL arrays of 20,000 (one parameter; three times faster to read than IN lists)."""
        ids, size = sorted(owners), ARRAY_CHUNK if self._postgresql else CHUNK
        for start in range(0, len(ids), size):
            yield ids[start:start + size]

    def _among(self, column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
        if self._postgresql:
            return column == any_(bindparam("snapshot_ids", ids, type_=postgresql.ARRAY(Integer)))
        return column.in_(ids)

    @property
    def _postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def _facts(self, owners: Mapping[int, str]) -> dict[str, Facts]:
        """Each device's facts, read as the driver's tuples (members as JSON text: ``[]``, the common
        value, without a parser)."""
        columns = (_SNAPSHOT.c.id, _SNAPSHOT.c.hostname, _SNAPSHOT.c.model, _SNAPSHOT.c.serial,
                   _SNAPSHOT.c.os_version, _SNAPSHOT.c.vendor, _SNAPSHOT.c.uptime, cast(_SNAPSHOT.c.members, Text))
        found = {}
        for ids in self._chunks(owners):
            for sid, hostname, model, serial, version, vendor, uptime, members in self._fetch(
                    select(*columns).where(self._among(_SNAPSHOT.c.id, ids))):
                if hostname is not None:
                    held = () if members in (None, "[]", "null") else tuple(json.loads(members) or ())
                    found[owners[sid]] = Facts(hostname, model or "", serial or "", version or "", vendor or "",
                                               uptime or "", held)
        return found

    def _snapshot_facts(self, scope: ColumnElement[bool], read: _Read) -> None:
        """Identity from each device's newest good snapshot; the error of its newest one when that failed."""
        for device, ok, error_kind, error in self._session.execute(_newest(
                (_SNAPSHOT.c.ok, _SNAPSHOT.c.error_kind, _SNAPSHOT.c.error), scope)):
            if not ok:
                read.failure[device] = (error_kind or "", error or "")
        for device, identity in self._session.execute(_newest((_SNAPSHOT.c.identity,),
                                                              scope & _SNAPSHOT.c.ok.is_(True))):
            read.identity[device] = identity or ""


def _newest(columns: Sequence[Any], scope: ColumnElement[bool]) -> Select[Any]:
    """``columns`` of each device's newest snapshot within ``scope``."""
    rank = func.row_number().over(partition_by=_SNAPSHOT.c.device_name,
                                  order_by=(_SNAPSHOT.c.collected_at.desc(), _SNAPSHOT.c.id.desc())).label("rank")
    ranked = select(_SNAPSHOT.c.device_name, *columns, rank).where(scope).subquery()
    return select(*(c for c in ranked.c if c.name != "rank")).where(ranked.c.rank == 1)


def _reader(spec: rowmap.RecordSpec) -> tuple[list[Any], Callable[[Sequence[Any]], Any]]:
    """The columns to select for ``spec`` and a function from the driver's row tuple to a record, built
    for speed (a million rows in seconds: no per-value processing by SQLAlchemy). Booleans are made
    ``bool`` here (SQLite returns 0/1); JSON columns are read as their text and decoded here, ``[]``
    (the common value) without a parser. A record is made from the values in field order, unless a
    JSON value is not empty: then ``spec.decode`` turns the values into its fields (``rowmap``'s
    decoders only turn JSON lists into tuples and records, and an empty list into an empty tuple)."""
    columns = spec.columns()
    as_json = [i - 1 for i, column in enumerate(columns) if isinstance(column.type, JSON)]
    as_bool = [i - 1 for i, column in enumerate(columns) if isinstance(column.type, Boolean)]
    selected = [cast(c, Text) if isinstance(c.type, JSON) else c for c in columns]
    make, names, decode = spec.record, spec.field_names, spec.decode

    def record_of(row: Sequence[Any]) -> Any:
        values = list(row[1:])
        for i in as_bool:
            if values[i] is not None:
                values[i] = bool(values[i])
        plain = True
        for i in as_json:
            text = values[i]
            if text == "[]" or text is None:
                values[i] = ()
            else:
                values[i], plain = json.loads(text), False
        return make(*values) if plain else make(**decode(dict(zip(names, values, strict=True))))

    return selected, record_of


def _state(name: str, platform: str, host: str, site: str, role: str, read: _Read,
           columns_of: Callable[[list[_Source]], dict[str, list[list[Any]]]] = _columns) -> DeviceState:
    error_kind, error = read.failure.get(name, ("", ""))
    eager = read.records.get(name)
    sources = read.sources.get(name)
    columns: dict[str, list[list[Any]]] | None = None
    if sources is not None:  # every record from version 2 packs
        records: DeviceRecords = _PackedRecords.lazy(eager.facts if eager else None, sources)
        columns = columns_of(sources)
    else:
        records = eager or DeviceRecords()
    return DeviceState(name, platform, host, records, site, role, read.identity.get(name, ""),
                       name in read.identity, error_kind, error, dict(read.coverage.get(name, {})), columns)


def _override(row: TopologyOverrideRow) -> StoredOverride:
    return StoredOverride(row.id, row.action, row.a_node, row.a_interface, row.b_node, row.b_interface, row.layer,
                          row.vrf, row.note, row.created_by, row.created_at)


