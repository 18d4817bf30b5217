"""API routes: topology (see docs/api.md): a thin layer over ``TopologyService``, as ``netatlas topology``
is. Every answer is the document the CLI prints with ``--json``.

The current state is answered from the process's kept view (``netatlas.jobs.current_topology``:
the input, the topology, a prepared path tracer and the analysis, kept while the database's stamp,
``netatlas.store.stamp``, stays the same; built in the background by :func:`keep_warm`): the map,
``/attached``, ``/path``, ``/summary``, ``/analysis``, ``/export`` and the "now" of ``/endpoints``.
A job's view (``job``) is built for the request. The handlers are sync ``def``, so FastAPI runs
builds in its threadpool and the event loop keeps serving. The map's large documents go out as
JSON encoded once by pydantic-core, described by their response models but not validated against
them again; the web map's layout
(``/api/topology/layout``) is read and stored through ``netatlas.store.layout``.

The service names a bad input by its own field (``source``, ``from``...); the answer names the
parameter (``src``, ``from_job``...): 422 for a value that cannot be answered (shaped like
FastAPI's validation errors: ``query.src: ...``), 404 for a job, node or override that does not
exist (``from_job: no run ...``). Both have the API's ``detail`` and ``message``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic_core import to_json

from netatlas.api.context import ApiContext, Ctx
from netatlas.api.schemas.jobs import PLAIN, errors
from netatlas.api.schemas.topology import (
    AnalysisOut,
    AttachedOut,
    DiffOut,
    EndpointsMode,
    LayoutIn,
    LayoutOut,
    OverrideIn,
    OverrideOut,
    PathOut,
    SummaryOut,
    TopologyOut,
    WhereOut,
    endpoint_list,
    topology_document,
)
from netatlas.api.security import Operator, Viewer
from netatlas.jobs.current_topology import CurrentView
from netatlas.jobs.topology import (
    HISTORY_RUNS,
    TopologyRequestError,
    TopologyService,
    UnknownReference,
    collector_paused,
)
from netatlas.store.layout import LayoutError, LayoutRepo, StoredLayout
from netatlas.topology.model import Override, Topology

router = APIRouter(tags=["topology"])
T = TypeVar("T")
Job = Annotated[str | None, Query(max_length=64, pattern=PLAIN,
                                  description="Build from this job's snapshots instead of the current state.")]
Site = Annotated[str | None, Query(max_length=128, pattern=PLAIN, description="Only nodes of this site (exact).")]
Role = Annotated[str | None, Query(max_length=128, pattern=PLAIN, description="Only nodes of this role (exact).")]
NodeName = Annotated[str | None, Query(max_length=253, pattern=PLAIN, description="Only this node and its neighbors.")]
NodeId = Annotated[str, Query(min_length=1, max_length=253, pattern=PLAIN)]
MAX_ATTACHED = 200  # switches per request (the query string stays well under the server's line limit)
Host = Annotated[str, Query(min_length=1, max_length=253, pattern=PLAIN,
                            description="A MAC (any notation), an IP address or a host name.")]
# The service's field -> the query parameter a caller wrote.
PARAMETERS = {"source": "src", "destination": "dst", "from": "from_job", "to": "to_job", "query": "q",
              "note": "reason"}
# Export format -> media type (GraphML and GEXF are XML; DOT as Graphviz registers it).
MEDIA_TYPES = {"json": "application/json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
               "dot": "text/vnd.graphviz", "mermaid": "text/plain", "csv": "text/csv"}
# JSON is the ground-truth document (an object, docs/truth-format.md); the other formats are text.
_EXPORT_CONTENT = {media: {"schema": {"type": "object"} if fmt == "json" else {"type": "string"}}
                   for fmt, media in MEDIA_TYPES.items()}
_BAD = errors(404, 422, e404="The job or node named does not exist (the message names the parameter).")


def _call(run: Callable[[], T], where: str = "query") -> T:
    """Run a service call; its refusals name the parameter the caller wrote (``where``: query or body):
    a bad value is a 422 shaped like FastAPI's own validation errors, an unknown reference a 404."""
    try:
        return run()
    except UnknownReference as exc:
        raise UnknownReference(_parameter(exc.field), exc.reason) from None
    except TopologyRequestError as exc:
        problem = {"loc": (where, _parameter(exc.field)), "msg": exc.reason, "type": "value_error"}
        raise RequestValidationError([problem]) from None


def _parameter(field: str) -> str:
    return PARAMETERS.get(field, field)


def _service(ctx: ApiContext) -> TopologyService:
    """The service over the process's kept current view: every query of the current state shares it."""
    return TopologyService(ctx.db, current_view(ctx))


def current_view(ctx: ApiContext) -> CurrentView:
    """The process's kept current topology (``netatlas.jobs.current_topology``), in ``ctx.extras``."""
    found = ctx.extras.get(CURRENT_KEY)
    if not isinstance(found, CurrentView):
        found = ctx.extras.setdefault(CURRENT_KEY, CurrentView(ctx.db))
    return found


CURRENT_KEY = "topology.current"
WARM_EVERY_S = 10.0
_log = logging.getLogger(__name__)


async def keep_warm(ctx: ApiContext, every: float = WARM_EVERY_S) -> None:
    """The app's background task: the current view (topology, prepared tracer) built when the server
    starts and again after each change once no job runs, so the first map or path after ``serve``
    starts or after a discovery does not wait for a build (a request still checks the database's
    stamp itself: never a stale answer)."""
    kept = current_view(ctx)
    while True:
        try:
            await asyncio.to_thread(kept.warm)
        except Exception as exc:  # a failed build is retried here; a request reports its own
            _log.warning("building the current topology ahead of requests failed: %s", type(exc).__name__)
        await asyncio.sleep(every)


def _whole(ctx: ApiContext, job: str | None) -> Topology:
    """The whole topology: the current one kept between requests (see ``current_view``), a job's built."""
    service = _service(ctx)
    return _call(lambda: service.topology(job))


@router.get("/api/topology", response_model=TopologyOut, summary="The topology, or a part of it", responses=_BAD)
def show(ctx: Ctx, _: Viewer,
         layer: Annotated[Literal["l2", "l3", "all"], Query(description="One layer, or both.")] = "all",
         site: Site = None, role: Role = None, node: NodeName = None,
         depth: Annotated[int, Query(ge=0, le=64, description="Hops from `node`.")] = 1,
         job: Job = None,
         endpoints: Annotated[EndpointsMode, Query(
             description="`all`: every endpoint listed (the CLI's document); `count`: none listed, "
                         "`endpoint_counts` per switch instead; `none`: none listed. `counts` is the same in all "
                         "three. The web map asks `count` and loads endpoints with `/api/topology/attached`.")] = "all",
         ) -> Response:
    service = _service(ctx)
    with collector_paused():  # the document allocates ~100k objects next to the topology's millions
        if layer == "all" and site is None and role is None and node is None:
            topology = _whole(ctx, job)  # what select() would keep: everything
        else:
            topology = _call(lambda: service.show(layer, site, role, node, depth, job))
        return _json(topology_document(topology, endpoints))


@router.get("/api/topology/attached", response_model=AttachedOut, responses=_BAD,
            summary="The endpoints plugged into some switches (or every endpoint)")
def attached(ctx: Ctx, _: Viewer,
             node: Annotated[list[NodeId] | None, Query(
                 max_length=MAX_ATTACHED, description=f"A switch (repeat, at most {MAX_ATTACHED}); none: every "
                                                      "endpoint.")] = None,
             job: Job = None) -> Response:
    wanted = None if not node else frozenset(node)
    with collector_paused():
        topology = _whole(ctx, job)
        return _json({"label": topology.label, "nodes": None if wanted is None else sorted(wanted),
                      "endpoints": endpoint_list(topology.endpoints, wanted)})


@router.get("/api/topology/summary", response_model=SummaryOut, summary="Counts at a glance", responses=_BAD)
def summary(ctx: Ctx, _: Viewer, job: Job = None) -> dict[str, Any]:
    service = _service(ctx)
    return _call(lambda: service.summary(job))


@router.get("/api/topology/path", response_model=PathOut, summary="The hop-by-hop L3 path from src to dst",
            responses=_BAD)
def path(ctx: Ctx, _: Viewer,
         src: Annotated[str, Query(min_length=1, max_length=64, pattern=PLAIN, description="Source IP address.")],
         dst: Annotated[str, Query(min_length=1, max_length=64, pattern=PLAIN, description="Destination IP address.")],
         vrf: Annotated[str, Query(max_length=128, pattern=PLAIN, description="The VRF to route in.")] = "default",
         job: Job = None) -> dict[str, Any]:
    service = _service(ctx)
    found: dict[str, Any] = _call(lambda: service.path(src, dst, vrf, job)).as_dict()
    return found


@router.get("/api/topology/endpoints", response_model=WhereOut, summary="Where a host is plugged in, now and before",
            responses=_BAD)
def endpoints(ctx: Ctx, _: Viewer,
              q: Host,
              runs: Annotated[int, Query(ge=0, le=50, description="Earlier runs to look back over.")] = HISTORY_RUNS,
              ) -> dict[str, Any]:
    service = _service(ctx)
    found: dict[str, Any] = _call(lambda: service.where(q, runs)).as_dict()
    return found


@router.get("/api/topology/diff", response_model=DiffOut, summary="What changed between two runs",
            description="By default between the last two runs; `to_job` alone: from the run before it; "
                        "`from_job` alone: to the newest run.", responses=_BAD)
def diff(ctx: Ctx, _: Viewer,
         from_job: Annotated[str | None, Query(max_length=64, pattern=PLAIN, description="The older job.")] = None,
         to_job: Annotated[str | None, Query(max_length=64, pattern=PLAIN, description="The newer job.")] = None,
         ) -> dict[str, Any]:
    service = _service(ctx)
    change = _call(lambda: service.diff(from_job, to_job))
    return {**change.as_dict(), "counts": change.counts(), "empty": change.empty}


@router.get("/api/topology/analysis", response_model=AnalysisOut, responses=_BAD,
            summary="Single points of failure, isolated devices, one-sided links, conflicts, mismatches")
def analysis(ctx: Ctx, _: Viewer, job: Job = None) -> dict[str, Any]:
    service = _service(ctx)
    found: dict[str, Any] = _call(lambda: service.analysis(job)).as_dict()
    return found


@router.get("/api/topology/export", summary="The topology as a file", response_class=Response,
            responses={200: {"description": "The document, in the format's media type.",
                             "content": _EXPORT_CONTENT},
                       **_BAD})
def export(ctx: Ctx, _: Viewer,
           format: Annotated[Literal["json", "graphml", "gexf", "dot", "mermaid", "csv"],
                             Query(description="JSON (the ground-truth schema), GraphML, GEXF, DOT, Mermaid or CSV.")],
           job: Job = None) -> Response:
    service = _service(ctx)
    document = _call(lambda: service.export(format, job))
    extension = "mmd" if format == "mermaid" else format
    return Response(document, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="topology.{extension}"'})


@router.get("/api/topology/overrides", response_model=list[OverrideOut], summary="Every override, oldest first",
            responses=errors())
def list_overrides(ctx: Ctx, _: Viewer) -> list[dict[str, Any]]:
    return [_override(o) for o in _call(_service(ctx).overrides)]


@router.post("/api/topology/overrides", response_model=OverrideOut, status_code=status.HTTP_201_CREATED,
             summary="Confirm or ignore a link, or add one discovery cannot see",
             responses=errors(400, 404, 422, e404="A confirm or ignore names a node the topology does not have."))
def add_override(ctx: Ctx, principal: Operator, body: OverrideIn) -> dict[str, Any]:
    service = _service(ctx)
    added = _call(lambda: service.add_override(body.action, body.a, body.b, layer=body.layer, vrf=body.vrf,
                                               note=body.reason, created_by=principal.label), "body")
    return _override(added)


@router.delete("/api/topology/overrides/{override_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Remove an override",
               responses=errors(404, 422, e404="No such override."))
def remove_override(ctx: Ctx, _: Operator,
                    override_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The override's id.")],
                    ) -> Response:
    _service(ctx).remove_override(override_id)  # NotFound -> 404
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _override(override: Override) -> dict[str, Any]:
    """As ``topology override list --json`` shows it."""
    return {"id": override.id, "action": override.action.value, "a": override.a._asdict(),
            "b": override.b._asdict(), "layer": override.layer, "vrf": override.vrf, "note": override.note,
            "created_by": override.created_by}


# ---- the map's layout ---------------------------------------------------------------------------


@router.get("/api/topology/layout", response_model=LayoutOut, responses=errors(),
            summary="The web map's stored positions (what operators dragged)")
def layout(ctx: Ctx, _: Viewer) -> dict[str, Any]:
    with ctx.db.session(readonly=True) as session:
        return _layout(LayoutRepo(session).read())


@router.put("/api/topology/layout", response_model=LayoutOut, responses=errors(422),
            summary="Store positions: merged into the layout (null forgets one), or replacing it")
def put_layout(ctx: Ctx, principal: Operator, body: LayoutIn) -> dict[str, Any]:
    changes = {node: None if p is None else (p.x, p.y) for node, p in body.positions.items()}
    try:
        with ctx.db.session() as session:
            repo = LayoutRepo(session)
            repo.change(changes, replace=body.replace, by=principal.label)
            return _layout(repo.read())
    except LayoutError as exc:  # the schema checked every value: here only the size of the whole
        loc = ("body", "positions", exc.node) if exc.node else ("body", "positions")
        raise RequestValidationError([{"loc": loc, "msg": exc.reason, "type": "value_error"}]) from None


def _layout(stored: StoredLayout) -> dict[str, Any]:
    return {"positions": {node: {"x": x, "y": y} for node, (x, y) in stored.positions.items()},
            "count": len(stored.positions), "updated_at": stored.updated_at.isoformat() if stored.updated_at else None,
            "updated_by": stored.updated_by}


def _json(document: dict[str, Any]) -> Response:
    """A large document as JSON without FastAPI re-validating it against its response model (the
    schema describes it for clients; the document is built by our own code): pydantic-core's encoder."""
    return Response(to_json(document), media_type="application/json")
