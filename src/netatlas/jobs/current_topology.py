"""The current topology kept in memory, one state of the database at a time: what the API answers "now" from.

Reading and building the current topology of a 10,000-device network takes seconds; a path query
over a built one takes milliseconds. :class:`CurrentView` keeps, for the database's current stamp
(``netatlas.store.stamp``: devices, snapshots, overrides), the builder's input, the topology and a
:class:`~netatlas.topology.paths.Tracer` with its indexes made (and the analysis, the first time
one is asked for), and hands the same :class:`KeptView` to every query until the stamp changes.

Never a stale answer: every :meth:`CurrentView.get` reads the stamp first (a few milliseconds),
and a view is built from data read *after* the stamp it is kept under, so a change landing during
a build makes the next stamp differ (one rebuild more, never an older answer). One build at a time:
a thread that finds the view out of date builds it while the others wait for it and share it.

A kept view is millions of objects that live until the next change, and Python's cyclic collector
would walk all of them again in whichever request happens to trigger a collection (built with the
collector paused, they are all in its youngest generation: the next passes of each generation
would each walk them). They are moved out of its sight once made
(``gc.freeze``), and given back to it (``gc.unfreeze``, then one collection) before the next build,
so the view they replace does not stay frozen.

Job views (``?job=``) are not kept: a second 10,000-device view would double the process's memory,
and they are asked for rarely (history, a diff).
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field

from netatlas.domain.records import JobStatus
from netatlas.jobs.topology import TopologyService, collector_paused
from netatlas.store import Database
from netatlas.store.jobs import JobRepo
from netatlas.store.stamp import current_stamp
from netatlas.topology.analysis import Analysis, analyse
from netatlas.topology.build import build
from netatlas.topology.model import Topology, TopologyInput
from netatlas.topology.paths import Tracer

Stamp = tuple[object, ...]
BUSY = frozenset({JobStatus.RUNNING, JobStatus.CANCELLING})  # a pending job may wait for a worker for long


@dataclass(frozen=True, slots=True, eq=False)
class KeptView:
    """One state of the current topology: shared by every query while the stamp stays the same.
    Read-only for its users (the topology, the input, the tracer's answers)."""

    stamp: Stamp
    input: TopologyInput
    topology: Topology
    tracer: Tracer
    _analysis: list[Analysis] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def analysis(self) -> Analysis:
        """The analysis of this state, made the first time it is asked for (it reads the interfaces
        of every cabled device: seconds at 10,000 devices), then kept."""
        with self._lock:
            if not self._analysis:
                with collector_paused():
                    self._analysis.append(analyse(self.input, self.topology))
                    gc.freeze()  # with the records it decoded: kept as long as the view
            return self._analysis[0]


class CurrentView:
    """The current topology, built once per state of the database (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._view: KeptView | None = None
        self.builds = 0  # how many views this process built (tests, metrics)

    def stamp(self) -> Stamp:
        with self.db.session(readonly=True) as session:
            return current_stamp(session)

    def get(self) -> KeptView:
        """The view of the database's current state: the kept one while the stamp is the same."""
        stamp = self.stamp()
        view = self._view
        if view is not None and view.stamp == stamp:
            return view
        with self._lock:
            view = self._view
            if view is not None and view.stamp != stamp:
                stamp = self.stamp()  # built by another thread meanwhile, maybe for a newer state
            if view is None or view.stamp != stamp:
                self._view = None  # the old one can go before the new one is built
                view = self._view = self._build(stamp)
            return view

    def _build(self, stamp: Stamp) -> KeptView:
        gc.unfreeze()  # the view being replaced (frozen when built) is the collector's again
        gc.collect()
        inp = TopologyService(self.db).topology_input()  # read after ``stamp``: never older than it
        with collector_paused():
            topology = build(inp)
            tracer = Tracer(inp, topology).prepare()
            gc.freeze()  # out of the collector's passes (see the module docstring)
        self.builds += 1
        return KeptView(stamp, inp, topology, tracer)

    @property
    def built(self) -> bool:
        return self._view is not None

    def warm(self) -> bool:
        """Build the view ahead of any query when the database changed and no job is running (a
        running discovery changes it with every device it saves; the build waits for its end).
        True: built."""
        with self.db.session(readonly=True) as session:
            view = self._view
            if view is not None and current_stamp(session) == view.stamp:
                return False
            if any(job.status in BUSY for job in JobRepo(session).unfinished()):
                return False
        self.get()
        return True
