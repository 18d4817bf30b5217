"""Snapshots: one per device per job, written once with its raw outputs and records; never updated.

A device's current state of a data type is the records of its latest *successful* snapshot that
*collected* that type without error, so a neighbor, route or MAC missing from the newest run is
gone, while a failed run (or a type that failed to parse) hides nothing. Retention keeps the
newest N snapshots per device and never deletes one that still holds a current state. Device
text (facts, error messages, commands' notes and unparsed lines) is cleaned before it is stored;
the raw output itself is kept byte for byte (compressed) for audit and re-parsing.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from netatlas.domain.errors import NotFound
from netatlas.domain.names import normalize_hostname
from netatlas.domain.records import (
    ROUTE_TYPES,
    CommandOutput,
    Coverage,
    DataType,
    DeviceRecords,
    DeviceResult,
    ErrorKind,
    Facts,
)
from netatlas.domain.text import clean
from netatlas.store import rowmap
from netatlas.store.tables import (
    RawOutputRow,
    RouteRow,
    SnapshotDataTypeRow,
    SnapshotPackRow,
    SnapshotRow,
    utcnow,
)
from netatlas.store.views import Latest, SnapshotView, TypeCoverage

CHUNK = 500  # ids per IN (...) list
_FACTS = ("hostname", "model", "serial", "os_version", "vendor", "uptime")
NOTE_MAX = 2_000  # characters of notes kept per data type
UNPARSED_MAX = 200  # unparsed lines kept per command (the raw output keeps everything)


def collected_types(result: DeviceResult) -> frozenset[DataType]:
    """The data types a result holds complete: those its commands served (an ok result: also those
    it was asked for that no command served), minus those a command failed for.

    Examples:
        >>> ok = CommandOutput("show cdp neighbors detail", DataType.CDP, "")
        >>> bad = CommandOutput("show mac address-table", DataType.MAC, "junk", error_kind=ErrorKind.PARSE_ERROR)
        >>> sorted(k.value for k in collected_types(DeviceResult("sw1", True, outputs=[ok, bad])))
        ['cdp']
        >>> rib = CommandOutput("show ip route vrf *", DataType.STATIC_ROUTES, "",
        ...                     data_types=frozenset({DataType.STATIC_ROUTES, DataType.BGP_ROUTES}))
        >>> sorted(k.value for k in collected_types(DeviceResult("eos1", True, outputs=[rib],
        ...                                                      asked=frozenset({DataType.LLDP}))))
        ['bgp_routes', 'lldp', 'static_routes']
    """
    seen = {t for o in result.outputs for t in o.served}
    if result.ok:
        seen |= result.asked
    if result.records.facts is not None:
        seen.add(DataType.FACTS)
    failed = {t for o in result.outputs if o.error_kind is not None for t in o.served}
    return frozenset(seen - failed)


class SnapshotRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, job_id: str, device_name: str, result: DeviceResult, *,
             collected_at: datetime | None = None) -> int:
        """Write the snapshot, its compressed raw outputs and every record; returns the snapshot id.

        The data types it holds are those its commands served (``CommandOutput.data_types``: one
        whole-RIB command serves every route type asked) -- see :func:`collected_types`.
        """
        types = collected_types(result)
        row = _snapshot_row(job_id, device_name, result, types, collected_at or utcnow())
        self._session.add(row)
        self._session.flush()
        coverage = type_coverage(result, types)
        self._bulk(SnapshotDataTypeRow, [{"snapshot_id": row.id, "data_type": k.value,
                                          "status": coverage[k].status.value, "note": coverage[k].note}
                                         for k in sorted(types)])
        self._bulk(RawOutputRow, [_raw_row(row.id, seq, out) for seq, out in enumerate(result.outputs)])
        rows = {spec.attribute: spec.rows(row.id, getattr(result.records, spec.attribute)) for spec in rowmap.SPECS}
        for spec in rowmap.SPECS:
            self._bulk(spec.table, rows[spec.attribute])
        self._bulk(SnapshotPackRow, [{"snapshot_id": row.id, "version": PACK_VERSION, "content": pack(rows)}])
        return row.id

    def saved(self, job_id: str, device_name: str) -> bool:
        """Whether the job already holds the device's snapshot (one per device and job)."""
        query = select(SnapshotRow.id).where(SnapshotRow.job_id == job_id, SnapshotRow.device_name == device_name)
        return self._session.scalar(query.limit(1)) is not None

    def latest(self, device_name: str, kind: DataType) -> Latest | None:
        """The device's current records of ``kind``, or None if no good snapshot collected it."""
        row = self._session.scalar(_latest_query(kind).where(SnapshotRow.device_name == device_name).limit(1))
        if row is None:
            return None
        return Latest(_view(row), self._records({row.id}, kind)[row.id])

    def latest_for_all(self, kind: DataType) -> dict[str, Latest]:
        """``latest`` for every device at once (a window query and one read per record table)."""
        ranked = _latest_query(kind).add_columns(func.row_number().over(
            partition_by=SnapshotRow.device_name,
            order_by=(SnapshotRow.collected_at.desc(), SnapshotRow.id.desc())).label("rank")).subquery()
        rows = self._session.scalars(select(SnapshotRow).join(ranked, ranked.c.id == SnapshotRow.id)
                                     .where(ranked.c.rank == 1))
        snapshots = {row.id: _view(row) for row in rows}
        records = self._records(set(snapshots), kind)
        return {view.device_name: Latest(view, records[sid]) for sid, view in snapshots.items()}

    def current(self, device_name: str) -> DeviceRecords:
        """Every data type's current records merged; connected and local routes come from the
        newest good snapshot that collected any route type."""
        merged = DeviceRecords()
        for kind in DataType:
            latest = self.latest(device_name, kind)
            if latest is not None:
                merged.merge(latest.records)
        merged.routes.extend(self._other_routes(device_name))
        return merged

    def get(self, snapshot_id: int) -> SnapshotView:
        row = self._session.get(SnapshotRow, snapshot_id)
        if row is None:
            raise NotFound(f"no snapshot {snapshot_id}")
        return _view(row)

    def records(self, snapshot_id: int) -> DeviceRecords:
        """Everything one snapshot holds (every kind, every route), e.g. to diff two runs."""
        merged = DeviceRecords(facts=self.get(snapshot_id).facts)
        for spec in rowmap.SPECS:
            rowmap.add_records(merged, spec, self._read(spec, {snapshot_id}, None)[snapshot_id])
        return merged

    def history(self, device_name: str, limit: int | None = None) -> list[SnapshotView]:
        """The device's snapshots, newest first, failed ones included."""
        query = (select(SnapshotRow).where(SnapshotRow.device_name == device_name)
                 .order_by(SnapshotRow.collected_at.desc(), SnapshotRow.id.desc()).limit(limit))
        return [_view(row) for row in self._session.scalars(query)]

    def of_job(self, job_id: str) -> list[SnapshotView]:
        """The snapshots one job wrote (one per device), by device name."""
        query = select(SnapshotRow).where(SnapshotRow.job_id == job_id).order_by(SnapshotRow.device_name)
        return [_view(row) for row in self._session.scalars(query)]

    def raw(self, snapshot_id: int) -> list[CommandOutput]:
        """The snapshot's commands in the order they ran, decompressed."""
        rows = self._session.scalars(select(RawOutputRow).where(RawOutputRow.snapshot_id == snapshot_id)
                                     .order_by(RawOutputRow.seq))
        return [CommandOutput(r.command, DataType(r.data_type), zlib.decompress(r.content).decode(), r.duration_s,
                              ErrorKind(r.error_kind) if r.error_kind else None, r.error,
                              frozenset(DataType(t) for t in r.data_types), Coverage(r.coverage),
                              tuple(r.unparsed.splitlines()), r.note) for r in rows]

    def coverage(self, snapshot_ids: Collection[int]) -> dict[int, dict[DataType, TypeCoverage]]:
        """Per snapshot, how completely each collected data type is held (partial, feature off)."""
        found: dict[int, dict[DataType, TypeCoverage]] = defaultdict(dict)
        for chunk in _chunks(sorted(snapshot_ids)):
            for r in self._session.scalars(select(SnapshotDataTypeRow)
                                           .where(SnapshotDataTypeRow.snapshot_id.in_(chunk))):
                found[r.snapshot_id][DataType(r.data_type)] = TypeCoverage(Coverage(r.status), r.note)
        return found

    def incomplete_of_job(self, job_id: str) -> dict[str, dict[DataType, TypeCoverage]]:
        """Per device of the job, by name, the data types its snapshot does not hold completely (partial,
        feature off...): one query returning only those rows."""
        query = (select(SnapshotRow.device_name, SnapshotDataTypeRow.data_type, SnapshotDataTypeRow.status,
                        SnapshotDataTypeRow.note)
                 .join(SnapshotDataTypeRow, SnapshotDataTypeRow.snapshot_id == SnapshotRow.id)
                 .where(SnapshotRow.job_id == job_id, SnapshotDataTypeRow.status != Coverage.COMPLETE.value))
        found: dict[str, dict[DataType, TypeCoverage]] = {}
        for name, data_type, status, note in self._session.execute(query):
            found.setdefault(name, {})[DataType(data_type)] = TypeCoverage(Coverage(status), note)
        # sorted here: Python's order, not the database collation's
        return {name: dict(sorted(types.items())) for name, types in sorted(found.items())}

    def prune(self, keep: int) -> int:
        """Keep the newest ``keep`` snapshots per device (and any still current); returns how many went."""
        if keep < 1:
            raise ValueError("retention keeps at least one snapshot per device")
        ranked = select(SnapshotRow.id, func.row_number().over(
            partition_by=SnapshotRow.device_name,
            order_by=(SnapshotRow.collected_at.desc(), SnapshotRow.id.desc())).label("rank")).subquery()
        old = set(self._session.scalars(select(ranked.c.id).where(ranked.c.rank > keep)))
        doomed = sorted(old - self._current_ids())
        for chunk in _chunks(doomed):
            self._session.execute(delete(SnapshotRow).where(SnapshotRow.id.in_(chunk)))  # rows cascade
        return len(doomed)

    def _current_ids(self) -> set[int]:
        ranked = (select(SnapshotRow.id, func.row_number().over(
            partition_by=(SnapshotRow.device_name, SnapshotDataTypeRow.data_type),
            order_by=(SnapshotRow.collected_at.desc(), SnapshotRow.id.desc())).label("rank"))
            .join(SnapshotDataTypeRow, SnapshotDataTypeRow.snapshot_id == SnapshotRow.id)
            .where(SnapshotRow.ok.is_(True)).subquery())
        return set(self._session.scalars(select(ranked.c.id).where(ranked.c.rank == 1)))

    def _other_routes(self, device_name: str) -> list[Any]:
        query = _latest_query(None).where(SnapshotRow.device_name == device_name,
                                          SnapshotDataTypeRow.data_type.in_([k.value for k in ROUTE_TYPES]))
        snapshot_id = self._session.scalar(query.with_only_columns(SnapshotRow.id).limit(1))
        if snapshot_id is None:
            return []
        return self._read(rowmap.ROUTES, {snapshot_id}, RouteRow.data_type == "")[snapshot_id]

    def _records(self, snapshot_ids: set[int], kind: DataType) -> dict[int, DeviceRecords]:
        facts = self._facts(snapshot_ids) if kind is DataType.FACTS else {}
        found = {sid: DeviceRecords(facts=facts.get(sid)) for sid in snapshot_ids}
        for query in rowmap.kind_queries(kind):
            for sid, records in self._read(query.spec, snapshot_ids, query.where).items():
                rowmap.add_records(found[sid], query.spec, records)
        return found

    def _facts(self, snapshot_ids: set[int]) -> dict[int, Facts | None]:
        rows: dict[int, Facts | None] = {}
        for chunk in _chunks(sorted(snapshot_ids)):
            rows.update((r.id, _view(r).facts) for r in self._session.scalars(
                select(SnapshotRow).where(SnapshotRow.id.in_(chunk))))
        return rows

    def _read(self, spec: rowmap.RecordSpec, snapshot_ids: set[int], where: Any) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = defaultdict(list)
        table = spec.table.__table__
        for chunk in _chunks(sorted(snapshot_ids)):
            query = select(*spec.columns()).where(table.c.snapshot_id.in_(chunk)).order_by(table.c.id)
            for row in self._session.execute(query if where is None else query.where(where)).mappings():
                found[row["snapshot_id"]].append(spec.record_of(row))
        return found

    def _bulk(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._session.execute(insert(table.__table__), rows)


def _latest_query(kind: DataType | None) -> Select[SnapshotRow]:
    query = (select(SnapshotRow).join(SnapshotDataTypeRow, SnapshotDataTypeRow.snapshot_id == SnapshotRow.id)
             .where(SnapshotRow.ok.is_(True))
             .order_by(SnapshotRow.collected_at.desc(), SnapshotRow.id.desc()))
    return query if kind is None else query.where(SnapshotDataTypeRow.data_type == kind.value)


def _snapshot_row(job_id: str, device_name: str, result: DeviceResult, types: frozenset[DataType],
                  collected_at: datetime) -> SnapshotRow:
    facts = result.records.facts
    return SnapshotRow(
        job_id=job_id, device_name=device_name, collected_at=collected_at, ok=result.ok,
        error_kind=result.error_kind.value if result.error_kind else None, error=clean(result.error),
        duration_s=result.duration_s, data_types=sorted(k.value for k in types),
        members=[clean(m) for m in facts.members] if facts else [],
        identity=clean(normalize_hostname(facts.hostname)) if facts and facts.hostname else "",
        **{name: clean(getattr(facts, name)) if facts else None for name in _FACTS})


def type_coverage(result: DeviceResult, types: frozenset[DataType]) -> dict[DataType, TypeCoverage]:
    """Per collected type, how completely it is held, with the notes of the commands that served it:
    ``partial`` when any of them was read in part, ``feature_off`` only when every one of them found
    its feature off (OSPF neighbors read while BGP is off are complete, with a note), else ``complete``.

    Examples:
        >>> off = CommandOutput("show ip bgp summary", DataType.ROUTING_NEIGHBORS, "% BGP not active",
        ...                     coverage=Coverage.FEATURE_OFF, note="% BGP not active")
        >>> ospf = CommandOutput("show ip ospf neighbor", DataType.ROUTING_NEIGHBORS, "")
        >>> kind = frozenset({DataType.ROUTING_NEIGHBORS})
        >>> only_bgp = type_coverage(DeviceResult("sw1", True, outputs=[off]), kind)[DataType.ROUTING_NEIGHBORS]
        >>> only_bgp.status.value, only_bgp.note
        ('feature_off', 'show ip bgp summary: % BGP not active')
        >>> both = type_coverage(DeviceResult("sw1", True, outputs=[ospf, off]), kind)[DataType.ROUTING_NEIGHBORS]
        >>> both.status.value, both.note
        ('complete', 'show ip bgp summary: % BGP not active')
    """
    seen: dict[DataType, set[Coverage]] = defaultdict(set)
    notes: dict[DataType, list[str]] = defaultdict(list)
    for output in result.outputs:
        for kind in output.served & types:
            if not output.aside:  # a VRF list or feature probe read by the collector holds no records
                seen[kind].add(output.coverage)
            if output.note:
                notes[kind].append(f"{output.command}: {output.note}")
            if output.unparsed:
                notes[kind].append(f"{output.command}: {len(output.unparsed)} line(s) not understood")
    return {k: TypeCoverage(_overall(seen[k]), clean("; ".join(notes[k]), NOTE_MAX)) for k in types}


def _overall(coverages: set[Coverage]) -> Coverage:
    if Coverage.PARTIAL in coverages:
        return Coverage.PARTIAL
    return Coverage.FEATURE_OFF if coverages == {Coverage.FEATURE_OFF} else Coverage.COMPLETE


def _raw_row(snapshot_id: int, seq: int, output: CommandOutput) -> dict[str, Any]:
    """The output's row: its text zlib-compressed as the collector already holds it (``packed``: no second
    compression of a long output), read back with ``zlib.decompress`` whatever the level."""
    return {"snapshot_id": snapshot_id, "seq": seq, "command": clean(output.command),
            "data_type": output.data_type.value, "content": output.packed, "size": output.size,
            "duration_s": output.duration_s, "error_kind": output.error_kind.value if output.error_kind else None,
            "error": clean(output.error), "data_types": sorted(t.value for t in output.data_types),
            "coverage": output.coverage.value, "note": clean(output.note),
            "unparsed": "\n".join(clean(line) for line in output.unparsed[:UNPARSED_MAX])}


def _view(row: SnapshotRow) -> SnapshotView:
    return SnapshotView(row.id, row.job_id, row.device_name, row.collected_at, row.ok,
                        frozenset(DataType(k) for k in row.data_types),
                        ErrorKind(row.error_kind) if row.error_kind else None, row.error, row.duration_s,
                        _facts(row), identity=row.identity)


def _facts(row: SnapshotRow) -> Facts | None:
    if row.hostname is None:
        return None
    return Facts(hostname=row.hostname, model=row.model or "", serial=row.serial or "",
                 os_version=row.os_version or "", vendor=row.vendor or "", uptime=row.uptime or "",
                 members=tuple(row.members or ()))


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


# ---- the topology's packed copy of a snapshot's records (``snapshot_pack``) -----------------------

PACK_VERSION = 2  # written now; version 1 packs (rows of column values, one JSON document) are still read
PACK_VERSIONS = (1, 2)
PACK_LEVEL = 1  # zlib: the pack is read far more often than written, and level 1 inflates fastest
# The fields the topology builder reads, per ``DeviceRecords`` attribute: a version 2 pack holds
# them in its head, decoded for every build; the rest of each record (descriptions, speeds, route
# metrics...) is in its tail, decoded only when someone asks for whole records (paths, analysis).
PACK_HEAD: dict[str, tuple[str, ...]] = {
    "interfaces": ("name", "oper_up", "vrf", "channel", "mac", "ipv4", "ipv6"),
    "neighbors": ("protocol", "local_interface", "remote_name", "remote_interface", "remote_name_raw", "mgmt_ip",
                  "remote_platform", "capabilities"),
    "routes": ("vrf", "prefix", "protocol", "next_hops"),
    "ospf_neighbors": ("address", "vrf"),
    "bgp_sessions": ("peer", "remote_as", "state", "vrf"),
    "mac_table": ("mac", "vlan", "interface"),
    "arp": ("ip", "mac", "vrf"),
}


def pack_group(attribute: str, row: dict[str, Any]) -> str:
    """The group a record row is packed under: the value the "latest" queries filter its table by
    (a neighbor's protocol, a route's data type, "" for an attached route), "" elsewhere."""
    if attribute == "neighbors":
        return str(row["protocol"])
    if attribute == "routes":
        return str(row["data_type"])
    return ""


def pack_tail(attribute: str) -> tuple[str, ...]:
    """The fields of ``attribute``'s records a version 2 pack keeps in its tail, in field order."""
    head = PACK_HEAD[attribute]
    return tuple(n for n in rowmap.BY_ATTRIBUTE[attribute].field_names if n not in head)


def pack(rows: dict[str, list[dict[str, Any]]]) -> bytes:
    """The rows just written, packed (version 2): per ``DeviceRecords`` attribute and group, the
    column values of each field, row order kept -- the builder's fields (``PACK_HEAD``) in a head,
    the others in a tail: ``zlib(b"<head length>\\n" + head JSON + tail JSON)``.

    Examples:
        >>> from netatlas.domain.records import MacEntry
        >>> rows = {"mac_table": rowmap.MAC_TABLE.rows(1, [MacEntry("aa:bb:cc:00:00:01", 10, "Gi1/0/1"),
        ...                                                MacEntry("aa:bb:cc:00:00:02", 20, "Gi1/0/2")])}
        >>> head, tail = unpack(pack(rows))
        >>> head["mac_table"]
        {'': [['aa:bb:cc:00:00:01', 'aa:bb:cc:00:00:02'], [10, 20], ['Gi1/0/1', 'Gi1/0/2']]}
        >>> tail["mac_table"]
        {'': [[True, True]]}
    """
    head: dict[str, dict[str, list[list[Any]]]] = {}
    tail: dict[str, dict[str, list[list[Any]]]] = {}
    for attribute, found in rows.items():
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in found:
            groups[pack_group(attribute, row)].append(row)
        for part, names in ((head, PACK_HEAD[attribute]), (tail, pack_tail(attribute))):
            if groups and names:
                part[attribute] = {group: [[row[n] for row in members] for n in names]
                                   for group, members in groups.items()}
    first = json.dumps(head, separators=(",", ":")).encode()
    second = json.dumps(tail, separators=(",", ":")).encode()
    return zlib.compress(b"%d\n" % len(first) + first + second, PACK_LEVEL)


Packed = dict[str, dict[str, list[list[Any]]]]  # attribute -> group -> one list of values per field


def unpack(content: bytes, *, tail: bool = True) -> tuple[Packed, Packed]:
    """A version 2 pack's head and (unless ``tail`` is False: empty) tail."""
    data = zlib.decompress(content)
    mark = data.index(b"\n")
    end = mark + 1 + int(data[:mark])
    return json.loads(data[mark + 1:end]), (json.loads(data[end:]) if tail else {})
