"""``netatlas topology show|path|where|diff|analysis|summary|export|override``.

Every command builds the topology from the database (the current state, or one job's snapshots
with ``--job``) through ``TopologyService``. Names, ports and messages come from devices: they are
printed only through ``cli.common`` (``say``/``print_table``/``text``), never as markup. Bad input
exits 1 with a message naming the option or argument.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from netatlas.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    DbOption,
    JsonOption,
    database,
    fail,
    print_json,
    print_table,
    say,
    settings,
    text,
)
from netatlas.domain.errors import NetatlasError
from netatlas.domain.jsonable import to_jsonable

if TYPE_CHECKING:  # the service (SQLAlchemy, networkx) is imported when a command runs, not for its help
    from netatlas.jobs.topology import TopologyService, WhereResult
    from netatlas.topology.diff import TopologyDiff
    from netatlas.topology.model import Endpoint, Link, Node, Override, Topology

app = typer.Typer(help="The discovered topology: links, paths, where hosts are, changes, exports, overrides.",
                  no_args_is_help=True)
override_app = typer.Typer(help="The operator's word on links: confirm, ignore or add one.", no_args_is_help=True)
app.add_typer(override_app, name="override")

T = TypeVar("T")
# Shown in the options' help, so written here (importing their modules would load the service for --help);
# a unit test checks they equal netatlas.jobs.topology.HISTORY_RUNS and netatlas.topology.export.FORMATS.
HISTORY_RUNS = 5
FORMATS = ("json", "graphml", "gexf", "dot", "mermaid", "csv")
LINK_COLUMNS = ("a node", "a interface", "b node", "b interface", "layer", "protocols", "vrf", "state")
# The service names bad input by field; the user knows it by its option or argument.
SPELLING = {"layer": "--layer", "depth": "--depth", "node": "--node", "job": "--job", "from": "--from", "to": "--to",
            "format": "--format", "vrf": "--vrf", "source": "SRC", "destination": "DST", "query": "QUERY",
            "action": "ACTION", "a": "A", "b": "B", "id": "ID", "runs": "--runs"}

SUMMARY_COUNTS = (("one_sided", "one-sided links"), ("conflicts", "conflicts"), ("isolated", "isolated devices"),
                  ("mismatches", "speed/duplex mismatches"),
                  ("hidden_links", "links of failed devices known from their neighbors only"))

JobOption = Annotated[str | None, typer.Option("--job", help="Build from this job's snapshots instead of the "
                                                             "current state.")]


@contextmanager
def _service(db: str | None) -> Iterator[TopologyService]:
    from netatlas.jobs.topology import TopologyService

    with database(settings(db)) as database_:
        yield TopologyService(database_)


def _call(run: Callable[[], T], *, not_found: str = "") -> T:
    """Run a service call; its errors exit 1 naming the option (``not_found``: the option a bare
    ``NotFound`` is about)."""
    from netatlas.jobs.topology import TopologyRequestError, UnknownReference

    try:
        return run()
    except (TopologyRequestError, UnknownReference) as exc:
        _fail_field(exc.field, exc.reason)
    except NetatlasError as exc:
        fail(f"{not_found}: {exc}" if not_found else str(exc))


def _fail_field(field: str, reason: str) -> NoReturn:
    fail(f"{SPELLING.get(field, field)}: {reason}")


# ---- show ----------------------------------------------------------------------------------------


@app.command("show")
def show(layer: Annotated[str, typer.Option("--layer", help="l2, l3 or all.")] = "all",
         site: Annotated[str | None, typer.Option("--site", help="Only nodes of this site (exact).")] = None,
         role: Annotated[str | None, typer.Option("--role", help="Only nodes of this role (exact).")] = None,
         node: Annotated[str | None, typer.Option("--node", help="Only this node and its neighbors.")] = None,
         depth: Annotated[int, typer.Option("--depth", help="Hops from --node.")] = 1,
         job: JobOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """The links (and counts) of the topology, or of a part of it."""
    with _service(db) as service:
        part = _call(lambda: service.show(layer, site, role, node, depth, job))
    if json_output:
        print_json(topology_document(part))
        return
    say(_headline(part))
    links = sorted(part.links, key=_link_order)
    if links:
        print_table(LINK_COLUMNS, (_link_row(link) for link in links), title=f"{len(links)} link(s)")
    failed = [n for n in part.nodes.values() if n.status != "ok"]
    if failed:
        say(f"{len(failed)} device(s) not collected in this view: ",
            ", ".join(f"{n.id} ({n.error_kind or n.status})" for n in sorted(failed, key=lambda n: n.id)))
    for problem in part.problems:
        say(text(f"{problem.kind.value}:", "yellow"), " ", problem.message)
    if node is not None and part.endpoints:
        print_table(("mac", "ip", "vlan", "node", "interface"), (_endpoint_row(e) for e in _endpoints(part)),
                    title=f"{len(part.endpoints)} endpoint(s)")


def topology_document(topology: Topology) -> dict[str, Any]:
    """``show --json``: every node, link and endpoint with everything the topology knows of it."""
    return {
        "label": topology.label,
        "counts": _counts(topology),
        "nodes": [_node_json(n) for n in sorted(topology.nodes.values(), key=lambda n: (n.kind.value, n.id))],
        "links": [_link_json(link) for link in sorted(topology.links, key=_link_order)],
        "endpoints": [e.as_dict() for e in _endpoints(topology)],
        "problems": [p.as_dict() for p in topology.problems],
    }


def _counts(topology: Topology) -> dict[str, int]:
    kinds = [n.kind.value for n in topology.nodes.values()]
    return {"devices": kinds.count("device"), "unmanaged": kinds.count("unmanaged"),
            "links": len(topology.links), "l2": len(topology.links_of("l2")), "l3": len(topology.links_of("l3")),
            "endpoints": len(topology.endpoints), "problems": len(topology.problems)}


def _headline(topology: Topology) -> str:
    c = _counts(topology)
    return (f"topology {topology.label}: {c['devices']} device(s), {c['unmanaged']} unmanaged neighbor(s), "
            f"{c['links']} link(s) ({c['l2']} l2, {c['l3']} l3), {c['endpoints']} endpoint(s)")


def _node_json(node: Node) -> dict[str, Any]:
    return {**node.as_dict(), "status": node.status, "error_kind": node.error_kind or None, "names": list(node.names)}


def _link_json(link: Link) -> dict[str, Any]:
    return {**link.as_dict(), "state": link.state.value, "reported_by": list(link.reported_by),
            "channel_a": link.channel_a, "channel_b": link.channel_b, "detail": to_jsonable(dict(link.detail)),
            "override_id": link.override_id}


def _link_order(link: Link) -> tuple[str, str, str, str, str, str]:
    return link.layer, link.a.node, link.a.interface, link.b.node, link.b.interface, link.vrf


def _link_row(link: Link) -> tuple[object, ...]:
    return (link.a.node, link.a.interface, link.b.node, link.b.interface, link.layer, ",".join(link.protocols),
            link.vrf, link.state.value)


def _endpoints(topology: Topology) -> list[Endpoint]:
    return sorted(topology.endpoints, key=lambda e: (e.node, e.interface, e.mac))


def _endpoint_row(endpoint: Endpoint) -> tuple[object, ...]:
    return endpoint.mac, endpoint.ip, endpoint.vlan, endpoint.node, endpoint.interface


# ---- path ----------------------------------------------------------------------------------------


@app.command("path")
def path(source: Annotated[str, typer.Argument(metavar="SRC", help="Source IP address.")],
         destination: Annotated[str, typer.Argument(metavar="DST", help="Destination IP address.")],
         vrf: Annotated[str, typer.Option("--vrf", help="The VRF to route in.")] = "default",
         job: JobOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """The hop-by-hop L3 path from SRC to DST, as the routing tables forward (exit 2 when incomplete).

    Each call reads and builds the topology first (seconds at 10,000 devices); the API answers from a kept one."""
    with _service(db) as service:
        found = _call(lambda: service.path(source, destination, vrf, job))
    if json_output:
        print_json(found.as_dict())
    else:
        for shown in found.lines():
            say(shown)
    raise typer.Exit(EXIT_OK if found.complete else EXIT_PARTIAL)


# ---- where ---------------------------------------------------------------------------------------


@app.command("where")
def where(query: Annotated[str, typer.Argument(metavar="QUERY", help="A MAC (any notation), an IP address or a "
                                                                      "host name: exact matches only.")],
          runs: Annotated[int, typer.Option("--runs", help="Earlier runs to look back over.")] = HISTORY_RUNS,
          db: DbOption = None, json_output: JsonOption = False) -> None:
    """Where a host is plugged in now (switch, port, VLAN), and where it was in the last runs."""
    if runs < 0:
        _fail_field("runs", f"{runs} must be 0 or more")
    with _service(db) as service:
        found = _call(lambda: service.where(query, runs))
    if json_output:
        print_json(found.as_dict())
        return
    _print_where(found)


def _print_where(found: WhereResult) -> None:
    say(f"{found.kind} ", found.key, ":")
    if found.nodes:
        say("  node(s) of the topology: ", ", ".join(found.nodes))
    if found.now:
        for place in found.now:
            extra = ", ".join(part for part in (place.mac, place.ip) if part)
            say("  cabled to " if place.port else "  now at ", place.describe(), f" [{extra}]" if extra else "")
    else:
        say("  not in the current topology")
    if any(s.places for s in found.history):
        print_table(("time", "node", "interface", "vlan", "run"), _history_rows(found),
                    title=f"last {len(found.history)} run(s), oldest first")
    elif found.history:
        say(f"  not seen in the last {len(found.history)} run(s)")
    for move in found.moves:
        say(text("moved:", "yellow"), " ", move.describe().removeprefix("moved "))
    if found.history and not found.moves and found.found:
        say("  it has not moved in these runs")


def _history_rows(found: WhereResult) -> Iterable[tuple[object, ...]]:
    for sighting in found.history:
        when = f"{sighting.at:%Y-%m-%d %H:%M:%S}" if sighting.at else ""
        if not sighting.places:
            yield when, "(not seen)", "", "", sighting.job_id
        for place in sighting.places:
            yield when, place.node, place.interface, place.vlan, sighting.job_id


# ---- diff ----------------------------------------------------------------------------------------


@app.command("diff")
def diff(from_job: Annotated[str | None, typer.Option("--from", help="The older job (default: the run before "
                                                                     "--to).")] = None,
         to_job: Annotated[str | None, typer.Option("--to", help="The newer job (default: the newest run).")] = None,
         db: DbOption = None, json_output: JsonOption = False) -> None:
    """What changed between two runs: links, nodes, endpoints (moves), neighbors."""
    with _service(db) as service:
        change = _call(lambda: service.diff(from_job, to_job))
    if json_output:
        print_json({**change.as_dict(), "counts": change.counts(), "empty": change.empty})
        return
    _print_diff(change)


def _print_diff(change: TopologyDiff) -> None:
    counts = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in change.counts().items() if count)
    say(f"diff {change.old} -> {change.new}: ", counts or "no change")
    for title, links in (("links added", change.links_added), ("links removed", change.links_removed)):
        if links:
            print_table(LINK_COLUMNS, (_link_row(link) for link in links), title=f"{len(links)} {title}")
    for link_change in change.links_changed:
        say("link changed: ", _link_text(link_change.after), f" ({', '.join(link_change.fields)})")
    for title, nodes in (("node added", change.nodes_added), ("node removed", change.nodes_removed)):
        for node in nodes:
            say(f"{title}: ", node.id, f" ({node.kind.value})")
    for node_change in change.nodes_changed:
        say("node changed: ", node_change.after.id, f" ({', '.join(node_change.fields)})")
    for moved in change.endpoints_moved:
        b, a = moved.before, moved.after
        say("endpoint moved: ", moved.mac, " from ", f"{b.node} {b.interface} vlan {b.vlan}", " to ",
            f"{a.node} {a.interface} vlan {a.vlan}")
    for title, endpoints in (("endpoint added", change.endpoints_added),
                             ("endpoint removed", change.endpoints_removed)):
        for endpoint in endpoints:
            say(f"{title}: ", endpoint.mac, " at ", f"{endpoint.node} {endpoint.interface}")
    for neighbor in change.neighbors_changed:
        say("neighbors of ", neighbor.node, ": +", ", ".join(neighbor.added) or "-", " -",
            ", ".join(neighbor.removed) or "-")


def _link_text(link: Link) -> str:
    return f"{link.a.node} {link.a.interface} - {link.b.node} {link.b.interface} [{link.layer} {link.vrf}]"


# ---- analysis, summary, export -------------------------------------------------------------------


@app.command("analysis")
def analysis(job: JobOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """Single points of failure, isolated devices, one-sided links, conflicts, mismatches, failed devices."""
    with _service(db) as service:
        found = _call(lambda: service.analysis(job))
    if json_output:
        print_json(found.as_dict())
        return
    for shown in found.lines():
        say(shown)


@app.command("summary")
def summary(job: JobOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """Counts at a glance: devices, links by kind, endpoints, one-sided links, single points of failure."""
    with _service(db) as service:
        found = _call(lambda: service.summary(job))
    if json_output:
        print_json(found)
        return
    for shown in summary_lines(found):
        say(shown)


def summary_lines(found: dict[str, Any]) -> list[str]:
    """The summary as lines, most useful first.

    Examples:
        >>> summary_lines({"label": "current", "devices": {"total": 2, "ok": 1, "failed": 1},
        ...                "links": {"total": 1, "l2": 1}, "protocols": {"l2": {"cdp": 1}}})[:2]
        ['topology current', 'devices: 2 (ok 1, failed 1)']
    """
    devices = found.get("devices", {})
    links = found.get("links", {})
    out = [f"topology {found.get('label', '')}",
           f"devices: {devices.get('total', 0)} ({_pairs(devices, skip='total')})"]
    if "unmanaged" in found:
        out.append(f"unmanaged neighbors: {found['unmanaged']}")
    if "endpoints" in found:
        out.append(f"endpoints: {found['endpoints']}")
    out.append(f"links: {links.get('total', 0)}")
    for layer, count in links.items():
        if layer != "total":
            protocols = found.get("protocols", {}).get(layer, {})
            out.append(f"  {layer}: {count}" + (f" ({_pairs(protocols)})" if protocols else ""))
    for key, title in SUMMARY_COUNTS:
        if key in found:
            out.append(f"{title}: {found[key]}")
    spof = found.get("single_points_of_failure")
    if spof:
        out.append(f"single points of failure: {spof.get('devices', 0)} device(s), {spof.get('cables', 0)} "
                   f"cable(s) (basis: {spof.get('basis', '')})")
    if found.get("problems"):
        out.append(f"problems: {_pairs(found['problems'])}")
    return out


def _pairs(counts: dict[str, Any], skip: str = "") -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items() if key != skip)


@app.command("export")
def export(fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")],
           out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
           job: JobOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """The topology as JSON (the ground-truth schema), GraphML, GEXF, DOT, Mermaid or CSV."""
    if fmt not in FORMATS:
        _fail_field("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    with _service(db) as service:
        document = _call(lambda: service.export(fmt, job))
    if out is not None:
        try:
            out.write_text(document, encoding="utf-8")
        except OSError as exc:
            _fail_field("out", f"cannot write {out}: {exc.strerror}")
    if json_output:
        print_json({"format": fmt, "out": str(out), "bytes": len(document.encode())} if out is not None
                   else {"format": fmt, "content": document})
    elif out is not None:
        say(f"wrote {fmt} ({len(document.encode())} bytes) to ", str(out))
    else:
        sys.stdout.write(document if document.endswith("\n") else document + "\n")


# ---- overrides -----------------------------------------------------------------------------------


@override_app.command("add")
def override_add(action: Annotated[str, typer.Argument(metavar="ACTION", help="confirm, ignore or add.")],
                 a: Annotated[str, typer.Argument(metavar="A", help="One end: node:interface.")],
                 b: Annotated[str, typer.Argument(metavar="B", help="The other end: node:interface.")],
                 layer: Annotated[str, typer.Option("--layer", help="l2 (a cable) or l3.")] = "l2",
                 vrf: Annotated[str, typer.Option("--vrf", help="The VRF of an l3 link.")] = "default",
                 note: Annotated[str, typer.Option("--note", help="Why (shown with the override).")] = "",
                 db: DbOption = None, json_output: JsonOption = False) -> None:
    """Confirm a discovered link, ignore a wrong one, or add one discovery cannot see."""
    with _service(db) as service:
        added = _call(lambda: service.add_override(action, a, b, layer=layer, vrf=vrf, note=note,
                                                   created_by=_user()))
    if json_output:
        print_json(_override_json(added))
        return
    say(f"override {added.id} added: ", *_override_row(added)[1:4])


@override_app.command("list")
def override_list(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Every override, oldest first."""
    with _service(db) as service:
        found = _call(service.overrides)
    if json_output:
        print_json([_override_json(o) for o in found])
        return
    print_table(("id", "action", "a", "b", "layer", "vrf", "note", "by"), (_override_row(o) for o in found),
                title=f"{len(found)} override(s)")


@override_app.command("remove")
def override_remove(override_id: Annotated[int, typer.Argument(metavar="ID", help="The override's id.")],
                    db: DbOption = None, json_output: JsonOption = False) -> None:
    """Remove an override: the link is shown as discovered again."""
    with _service(db) as service:
        _call(lambda: service.remove_override(override_id), not_found="ID")
    if json_output:
        print_json({"removed": override_id})
        return
    say(f"override {override_id} removed")


def _override_json(override: Override) -> dict[str, Any]:
    return {"id": override.id, "action": override.action.value, "a": override.a._asdict(), "b": override.b._asdict(),
            "layer": override.layer, "vrf": override.vrf, "note": override.note, "created_by": override.created_by}


def _override_row(override: Override) -> tuple[object, ...]:
    return (override.id, override.action.value, ":".join(override.a).rstrip(":"), ":".join(override.b).rstrip(":"),
            override.layer, override.vrf, override.note, override.created_by)


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return ""
