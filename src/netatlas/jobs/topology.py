"""The topology use case: build the map from the store, and query it (show, path, where, diff, analysis, export).

:class:`TopologyService` holds no state of its own: every call opens its own read session, reads
the view it needs (the current state, or one job's snapshots: ``TopologyRepo``), turns it into the
pure builder's ``TopologyInput`` and builds. Given a :class:`~netatlas.jobs.current_topology.CurrentView`
(the API keeps one per process), it answers from the kept current state instead (the topology, a
prepared ``Tracer``, the analysis), rebuilt only when the database's stamp changes; a job's view is
still read and built for the call. The CLI (one process per command) and the API are thin layers over it. Bad input
raises :class:`TopologyRequestError` naming the field (``layer``, ``node``, ``a``...); an unknown
job, node or override raises ``NotFound``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from netatlas.domain.errors import NetatlasError, NotFound
from netatlas.domain.names import canonical_interface, is_mac, normalize_hostname, normalize_mac
from netatlas.domain.text import clean
from netatlas.store import Database, DeviceState, Run, StoredInput, StoredOverride, TopologyRepo
from netatlas.topology.analysis import Analysis, analyse
from netatlas.topology.build import build
from netatlas.topology.columns import DeviceColumns
from netatlas.topology.diff import TopologyDiff, diff
from netatlas.topology.export import FORMATS, export
from netatlas.topology.l2 import Ports
from netatlas.topology.model import (
    DEFAULT_VRF,
    L2,
    L3,
    DeviceInput,
    End,
    Node,
    NodeKind,
    Override,
    OverrideAction,
    Topology,
    TopologyInput,
)
from netatlas.topology.paths import PathResult, Tracer
from netatlas.topology.select import UnknownNode, select, summary

if TYPE_CHECKING:
    from netatlas.jobs.current_topology import CurrentView

HISTORY_RUNS = 5  # runs ``where`` looks back over
LAYERS = (L2, L3)
ACTIONS = tuple(a.value for a in OverrideAction)


class TopologyRequestError(NetatlasError):
    """A request the topology cannot answer as asked; ``field`` names the bad input."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


class UnknownReference(NotFound):
    """A job, node or override the request names does not exist; ``field`` names the input."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a host is plugged in: the switch (``node``) and its port; ``port`` is the host's own
    interface when the host is a node of the topology (an unmanaged neighbor, a device)."""

    node: str
    interface: str
    vlan: int | None = None
    mac: str = ""
    ip: str = ""
    port: str = ""

    def describe(self) -> str:
        """
        Examples:
            >>> Place("sw1", "GigabitEthernet1/0/5", 100, "aa:bb:cc:00:00:01").describe()
            'sw1 GigabitEthernet1/0/5 vlan 100'
            >>> Place("sw1", "GigabitEthernet1/0/4", port="GigabitEthernet0").describe()
            'sw1 GigabitEthernet1/0/4 (from its GigabitEthernet0)'
        """
        vlan = f" vlan {self.vlan}" if self.vlan is not None else ""
        own = f" (from its {self.port})" if self.port else ""
        return f"{self.node} {self.interface}{vlan}{own}"

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "interface": self.interface, "vlan": self.vlan, "mac": self.mac or None,
                "ip": self.ip or None, "port": self.port or None}


@dataclass(frozen=True, slots=True)
class Sighting:
    """Where the host was in one run (``places`` empty: not seen in it)."""

    job_id: str
    at: datetime | None
    places: tuple[Place, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "at": self.at.isoformat() if self.at else None,
                "places": [p.as_dict() for p in self.places]}


@dataclass(frozen=True, slots=True)
class Move:
    """The host was somewhere else in the run before: ``before`` (job) -> ``after`` (job, or "current")."""

    before: Sighting
    after: Sighting

    def describe(self) -> str:
        old = ", ".join(p.describe() for p in self.before.places)
        new = ", ".join(p.describe() for p in self.after.places)
        when = f" at {self.after.at:%Y-%m-%d %H:%M:%S}" if self.after.at else ""
        return f"moved from {old} to {new} between run {self.before.job_id} and {self.after.job_id}{when}"

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.before.as_dict(), "to": self.after.as_dict()}


@dataclass(frozen=True, slots=True)
class WhereResult:
    """Where a host (MAC, IP or host name) is plugged in now, and where it was in earlier runs."""

    query: str
    kind: str  # mac | ip | name
    key: str  # the query normalised (MAC colon form, IP, short lower-case name)
    now: tuple[Place, ...]
    nodes: tuple[str, ...] = ()  # topology nodes the query names (a device, an unmanaged neighbor)
    history: tuple[Sighting, ...] = ()  # oldest first
    moves: tuple[Move, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.now or self.nodes or any(s.places for s in self.history))

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "key": self.key, "found": self.found,
                "now": [p.as_dict() for p in self.now], "nodes": list(self.nodes),
                "history": [s.as_dict() for s in self.history], "moves": [m.as_dict() for m in self.moves]}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a view is read and built: millions of records
    that hold no cycles are allocated, and each collection pass would walk all of them again
    (~40 % of a 10,000-device build). Reference counting still frees everything; the collector
    runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class TopologyService:
    """Holds the database, and the kept current view when the caller keeps one; every call opens its own session."""

    __slots__ = ("current", "db")

    def __init__(self, db: Database, current: CurrentView | None = None) -> None:
        self.db = db
        self.current = current

    # ---- building ---------------------------------------------------------------------------------

    def topology_input(self, job: str | None = None, *, field: str = "job") -> TopologyInput:
        """The builder's input: the current state, or one job's snapshots (``UnknownReference`` naming
        ``field`` for an unknown job)."""
        return self._inputs((job, field))[0]

    def _inputs(self, *views: tuple[str | None, str]) -> list[TopologyInput]:
        """The inputs of several views, each a (job or None for the current state, field) pair, read
        in one session by one repository: a device whose records are the same in two views (same
        packed content) is decoded once and its (frozen) records are shared."""
        found: list[TopologyInput] = []
        made: Made = {}
        with self.db.session(readonly=True) as session, collector_paused():
            repo = TopologyRepo(session)
            for job, field in views:
                try:
                    stored = repo.current_input() if job is None else repo.job_input(job)
                except NotFound as exc:
                    raise UnknownReference(field, str(exc)) from exc
                found.append(to_input(stored, made))
        return found

    def topology(self, job: str | None = None, *, field: str = "job") -> Topology:
        """The whole topology of the current state (the kept one, with a current view) or of a job."""
        if job is None and self.current is not None:
            return self.current.get().topology
        inp = self.topology_input(job, field=field)
        with collector_paused():
            return build(inp)

    def runs(self, limit: int = 20) -> list[Run]:
        """Jobs that wrote good snapshots, newest first."""
        with self.db.session(readonly=True) as session:
            return TopologyRepo(session).runs(limit)

    # ---- queries --------------------------------------------------------------------------------

    def show(self, layer: str | None = None, site: str | None = None, role: str | None = None,
             node: str | None = None, depth: int = 1, job: str | None = None) -> Topology:
        """The part of the topology asked for: one layer, a site, a role, a node and its neighbors to ``depth``."""
        layer = _layer(layer, allow_all=True)
        if depth < 0:
            raise TopologyRequestError("depth", f"{depth} must be 0 or more")
        try:
            return select(self.topology(job), layer=layer, site=site or None, role=role or None, node=node,
                          depth=depth)
        except UnknownNode as exc:
            raise UnknownReference("node", str(exc)) from exc

    def path(self, source: str, destination: str, vrf: str = DEFAULT_VRF, job: str | None = None) -> PathResult:
        """The hop-by-hop L3 path(s) from address ``source`` to address ``destination`` in ``vrf``."""
        for name, value in (("source", source), ("destination", destination)):
            try:
                ip_address(value.strip())
            except ValueError:
                raise TopologyRequestError(name, f"{clean(value, 80)!r} is not an IP address") from None
        if job is None and self.current is not None:
            tracer = self.current.get().tracer  # prepared: its indexes made when the view was built
        else:
            inp = self.topology_input(job)
            with collector_paused():
                tracer = Tracer(inp, build(inp))
        try:
            return tracer.trace(source.strip(), destination.strip(), vrf.strip() or DEFAULT_VRF)
        except ValueError as exc:  # the tracer names the argument first: "source: ..."
            name, _, reason = str(exc).partition(": ")
            raise TopologyRequestError(name if reason else "source", reason or str(exc)) from exc

    def analysis(self, job: str | None = None) -> Analysis:
        return self._analysed(job)[1]

    def summary(self, job: str | None = None) -> dict[str, Any]:
        """Counts at a glance: devices, links by kind, endpoints, one-sided links, single points of failure."""
        found: dict[str, Any] = summary(*self._analysed(job))
        return found

    def _analysed(self, job: str | None) -> tuple[Topology, Analysis]:
        if job is None and self.current is not None:
            view = self.current.get()
            return view.topology, view.analysis()
        inp = self.topology_input(job)
        topology = build(inp)
        return topology, analyse(inp, topology)

    def export(self, fmt: str, job: str | None = None) -> str:
        if fmt not in FORMATS:
            raise TopologyRequestError("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
        return export(self.topology(job), fmt)

    def diff(self, from_job: str | None = None, to_job: str | None = None) -> TopologyDiff:
        """What changed from one run to another; by default between the last two runs (``to`` alone:
        from the run before it; ``from`` alone: to the newest run)."""
        old_job, new_job = self._diff_jobs(from_job, to_job)
        old_input, new_input = self._inputs((old_job, "from"), (new_job, "to"))
        names = Ports()  # both runs name (mostly) the same ports: canonicalised once
        with collector_paused():
            old = build(old_input, names)
            del old_input  # the old run's records can go before the new run is built
            return diff(old, build(new_input, names))

    def _diff_jobs(self, from_job: str | None, to_job: str | None) -> tuple[str, str]:
        if from_job is not None and to_job is not None:
            return from_job, to_job
        runs = [r.job_id for r in self.runs(limit=1_000)]
        if to_job is None:
            if not runs:
                raise TopologyRequestError("from", "a diff needs two discovery runs; there is none yet")
            to_job = runs[0]
        if from_job is None:
            if to_job not in runs:
                raise UnknownReference("to", f"no run {to_job} (a job that stored good snapshots)")
            index = runs.index(to_job)
            if index + 1 >= len(runs):
                raise TopologyRequestError("from", f"a diff needs two discovery runs; there is none before {to_job}")
            from_job = runs[index + 1]
        return from_job, to_job

    def where(self, query: str, runs: int = HISTORY_RUNS) -> WhereResult:
        """Where a host is plugged in now and was in the last ``runs`` runs; exact matches only."""
        kind, key = parse_query(query)
        now, nodes = _places(self.topology(), kind, key)
        history = []
        for run in reversed(self.runs(limit=runs)):
            places, _ = _places(self.topology(run.job_id), kind, key)
            history.append(Sighting(run.job_id, run.finished_at or run.created_at, places))
        current = Sighting("current", None, now)
        return WhereResult(query, kind, key, now, nodes, tuple(history), _moves([*history, current]))

    # ---- overrides --------------------------------------------------------------------------------

    def overrides(self) -> list[Override]:
        with self.db.session(readonly=True) as session:
            return [to_override(o) for o in TopologyRepo(session).overrides()]

    def add_override(self, action: str, a: str, b: str, *, layer: str = L2, vrf: str = DEFAULT_VRF,
                     note: str = "", created_by: str = "") -> Override:
        """Validate and store an operator's override. ``a``/``b`` are ``node:interface`` (an L3 end may be
        a bare node); confirm and ignore must name nodes of the current topology, add may name new ones."""
        if action not in ACTIONS:
            raise TopologyRequestError("action", f"{action!r} is not one of {', '.join(ACTIONS)}")
        layer = _layer(layer, allow_all=False) or L2
        vrf = (vrf or DEFAULT_VRF).strip()
        if layer == L2 and vrf != DEFAULT_VRF:
            raise TopologyRequestError("vrf", "an L2 link has no VRF (leave it default)")
        topology = self.topology()
        ends = sorted((_end(topology, name, text, layer, OverrideAction(action)) for name, text in (("a", a),
                                                                                                     ("b", b))))
        if ends[0] == ends[1]:
            raise TopologyRequestError("b", "both ends are the same")
        with self.db.session() as session:
            stored = TopologyRepo(session).add_override(action, ends[0], ends[1], layer=layer, vrf=vrf, note=note,
                                                        created_by=created_by)
        return to_override(stored)

    def remove_override(self, override_id: int) -> None:
        with self.db.session() as session:
            TopologyRepo(session).remove_override(override_id)


# ---- the store's views as the builder's input ------------------------------------------------------


Made = dict[int, tuple[object, DeviceColumns]]  # id of a view's columns -> (them, the builder's DeviceColumns)


def to_input(stored: StoredInput, made: Made | None = None) -> TopologyInput:
    """The builder's input of a view. ``made``: shared by the views one repository read (a diff's
    two runs), so that a device whose columns the store handed both views as one object (its packs
    unchanged) has one ``DeviceColumns`` too."""
    made = {} if made is None else made
    return TopologyInput(tuple(_device(d, made) for d in stored.devices),
                         tuple(to_override(o) for o in stored.overrides), stored.label)


def _device(state: DeviceState, made: Made) -> DeviceInput:
    columns = None
    if state.columns is not None:
        known = made.get(id(state.columns))
        if known is None:  # the view's columns stay referenced in ``made``: their id is never reused
            known = made[id(state.columns)] = (state.columns, DeviceColumns.of_columns(state.columns))
        columns = known[1]
    return DeviceInput(state.name, state.platform, state.mgmt_ip, state.records, state.site, state.role,
                       state.identity, state.collected, state.error_kind, state.error, state.coverage, columns)


def to_override(stored: StoredOverride) -> Override:
    return Override(stored.id, OverrideAction(stored.action), End(stored.a_node, stored.a_interface),
                    End(stored.b_node, stored.b_interface), stored.layer, stored.vrf, stored.note, stored.created_by)


# ---- validation ------------------------------------------------------------------------------------


def _layer(layer: str | None, *, allow_all: bool) -> str | None:
    if layer is None or (allow_all and layer == "all"):
        return None
    if layer not in LAYERS:
        choices = (*LAYERS, "all") if allow_all else LAYERS
        raise TopologyRequestError("layer", f"{layer!r} is not one of {', '.join(choices)}")
    return layer


def _node_key(text: str) -> str:
    """A node id as the topology spells it: a MAC (LLDP chassis id) in colon form, a host name short."""
    return normalize_mac(text) if is_mac(text) else normalize_hostname(text)


def _node_ids(topology: Topology, key: str) -> list[str]:
    if key in topology.nodes:
        return [key]
    return sorted(n.id for n in topology.nodes.values() if key in n.names)


def _end(topology: Topology, field: str, text: str, layer: str, action: OverrideAction) -> End:
    """``node:interface`` (the interface canonical for the node's platform); an L3 end may be a bare node."""
    text = text.strip()
    node_text, interface = _split_end(topology, text)
    if not node_text:
        raise TopologyRequestError(field, f"{text!r} should be node:interface")
    if not interface and layer == L2:
        raise TopologyRequestError(field, f"{text!r} names no interface (node:interface)")
    known = _node_ids(topology, _node_key(node_text))
    if not known and action is not OverrideAction.ADD:
        raise UnknownReference(field, f"no node {node_text!r} in the topology ({action.value} needs a known node)")
    node = known[0] if known else _node_key(node_text)
    platform = topology.nodes[node].platform or "" if node in topology.nodes else ""
    return End(node, canonical_interface(interface, platform) if interface else "")


def _split_end(topology: Topology, text: str) -> tuple[str, str]:
    """Split at the colon after the node; a node named by a MAC (colons inside) is matched first."""
    for node_id in topology.nodes:
        if ":" in node_id and text.lower().startswith(node_id + ":"):
            return node_id, text[len(node_id) + 1:].strip()
    if is_mac(text):
        return text, ""
    node, _, interface = text.partition(":")
    return node.strip(), interface.strip()


def parse_query(query: str) -> tuple[str, str]:
    """What a ``where`` query is: ``("mac", "aa:bb:cc:dd:ee:ff")``, ``("ip", "10.0.0.1")`` or ``("name", "sw1")``.

    Examples:
        >>> parse_query("AABB.CC00.0001"), parse_query("aa-bb-cc-00-00-01")
        (('mac', 'aa:bb:cc:00:00:01'), ('mac', 'aa:bb:cc:00:00:01'))
        >>> parse_query(" 10.1.2.3 "), parse_query("SW1.lab.example")
        (('ip', '10.1.2.3'), ('name', 'sw1'))
    """
    text = query.strip()
    if not text:
        raise TopologyRequestError("query", "empty")
    if is_mac(text):
        return "mac", normalize_mac(text)
    try:
        return "ip", str(ip_address(text))
    except ValueError:
        pass
    return "name", normalize_hostname(text)


# ---- where ---------------------------------------------------------------------------------------


def _places(topology: Topology, kind: str, key: str) -> tuple[tuple[Place, ...], tuple[str, ...]]:
    """Where ``key`` is plugged in (endpoints with that MAC or IP; the L2 links of nodes it names)."""
    places = [Place(e.node, e.interface, e.vlan, e.mac, e.ip or "") for e in topology.endpoints
              if (kind == "mac" and e.mac == key) or (kind == "ip" and e.ip == key)]
    nodes = _named_nodes(topology, kind, key)
    for node in nodes:
        places += _attachments(topology, topology.nodes[node])
    return tuple(sorted(set(places), key=_place_order)), tuple(nodes)


def _named_nodes(topology: Topology, kind: str, key: str) -> list[str]:
    if kind == "ip":
        return sorted(n.id for n in topology.nodes.values() if n.mgmt_ip == key and n.kind is not NodeKind.ENDPOINT)
    return [n for n in _node_ids(topology, key) if topology.nodes[n].kind is not NodeKind.ENDPOINT]


def _attachments(topology: Topology, node: Node) -> Iterable[Place]:
    for link in topology.links_of(L2):
        for mine, other in ((link.a, link.b), (link.b, link.a)):
            if mine.node == node.id:
                yield Place(other.node, other.interface, None, "", node.mgmt_ip or "", mine.interface)


def _place_order(place: Place) -> tuple[str, str, int, str]:
    return place.node, place.interface, place.vlan if place.vlan is not None else -1, place.port


def _moves(sightings: Sequence[Sighting]) -> tuple[Move, ...]:
    """Each time the host was seen somewhere else than where it was last seen."""
    moves, last = [], None
    for sighting in sightings:
        if not sighting.places:
            continue
        if last is not None and _spots(last) != _spots(sighting):
            moves.append(Move(last, sighting))
        last = sighting
    return tuple(moves)


def _spots(sighting: Sighting) -> set[tuple[str, str, int | None]]:
    return {(p.node, p.interface, p.vlan) for p in sighting.places}
