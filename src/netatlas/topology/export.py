"""A :class:`~netatlas.topology.model.Topology` written out as text: JSON, GraphML, GEXF, DOT, Mermaid, CSV.

Every format is pure text built from the topology, deterministic for one topology, and safe for
hostile device text (names, ports and platforms a device advertises):

- ``json``: the ground-truth schema of ``docs/truth-format.md`` (``nodes``, ``links``,
  ``endpoints`` exactly as the lab writes them, so the two compare as sets) plus ``label``,
  ``problems`` and ``link_details`` (state, reporters, port-channels and routing detail per link).
- ``graphml``/``gexf``: :func:`~netatlas.topology.graph.to_graph` with endpoints, written by
  networkx; parallel cables stay parallel edges. Characters XML cannot hold (NUL, ESC, ...) are
  written as visible ``\\x1b`` text; everything else (quotes, ``<``, U+202E) is kept and escaped.
- ``dot``: Graphviz, one cluster per site; every id and label quoted and escaped, control and
  bidi characters shown as ``\\x1b``/``\\u202e`` text. One-sided cables dashed, L3 links bold blue.
- ``mermaid``: ``graph LR`` with synthetic ids (``n0``, ``n1``, ...), labels as entity codes.
- ``csv``: one row per link; a field a spreadsheet would read as a formula is prefixed with ``'``.

The drawings (``dot``, ``mermaid``) hold devices, unmanaged neighbors and links; endpoints are in
the other formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx

from netatlas.domain.text import clean
from netatlas.topology.graph import to_graph
from netatlas.topology.model import L3, End, Link, LinkState, Node, NodeKind, Problem, Topology

FORMATS = ("json", "graphml", "gexf", "dot", "mermaid", "csv")
CSV_COLUMNS = ("layer", "a_node", "a_interface", "b_node", "b_interface", "protocols", "vrf", "state")

_ID_LIMIT = 100_000  # ids are never cut (cutting could merge two nodes); labels are
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_KIND_ORDER = {kind: number for number, kind in enumerate(NodeKind)}
_MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 _.:/()\-]")

# Edge style per link state and per layer (data, not branches).
_DOT_STATE_STYLE = {
    LinkState.REPORTED: "solid",
    LinkState.ONE_SIDED: "dashed",
    LinkState.CONFIRMED: "solid",
    LinkState.ADDED: "dotted",
}
_DOT_LAYER_ATTRS = {"l2": 'color="black"', L3: 'color="blue", penwidth=2, fontcolor="blue"'}
_DOT_KIND_SHAPE = {NodeKind.DEVICE: "box", NodeKind.UNMANAGED: "ellipse", NodeKind.ENDPOINT: "point"}
_MERMAID_KIND_SHAPE = {NodeKind.DEVICE: ('["', '"]'), NodeKind.UNMANAGED: ('("', '")'),
                       NodeKind.ENDPOINT: ('(("', '"))')}
# Mermaid link operators: (layer, one-sided) -> opening and closing of "A <open>|label|<close> B".
_MERMAID_EDGE = {("l2", False): "---", ("l2", True): "-.-", (L3, False): "===", (L3, True): "-.-"}


def export(topology: Topology, fmt: str) -> str:
    """``topology`` as text in ``fmt`` (one of :data:`FORMATS`).

    Examples:
        >>> from netatlas.topology.model import Node, NodeKind, Topology
        >>> one = Topology(nodes={"sw1": Node("sw1", NodeKind.DEVICE)}, links=[], endpoints=[])
        >>> export(one, "csv").splitlines()[0]
        'layer,a_node,a_interface,b_node,b_interface,protocols,vrf,state'
        >>> export(one, "yaml")
        Traceback (most recent call last):
        ...
        ValueError: unknown export format 'yaml': choose one of json, graphml, gexf, dot, mermaid, csv
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {clean(repr(fmt), 80)}: choose one of {', '.join(FORMATS)}")
    return writer(topology)


# --- ordering ---------------------------------------------------------------------------------

def _link_order(link: Link) -> tuple[str, End, End, str]:
    return link.layer, link.a, link.b, link.vrf


def _sorted_links(topology: Topology) -> list[Link]:
    return sorted(topology.links, key=_link_order)


def _drawn_nodes(topology: Topology) -> list[Node]:
    """Devices first, then unmanaged neighbors, each by id; endpoints are not drawn."""
    nodes = (n for n in topology.nodes.values() if n.kind is not NodeKind.ENDPOINT)
    return sorted(nodes, key=lambda n: (n.kind is not NodeKind.DEVICE, n.id))


# --- json -------------------------------------------------------------------------------------

def _plain_json(value: Any) -> Any:
    """``value`` as JSON values with a fixed order (mappings by key, sets sorted)."""
    if isinstance(value, Mapping):
        return {str(k): _plain_json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, set | frozenset):
        return sorted((_plain_json(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _link_detail(link: Link) -> dict[str, Any]:
    return {"a": link.a._asdict(), "b": link.b._asdict(), "layer": link.layer, "vrf": link.vrf,
            "state": link.state.value, "reported_by": sorted(link.reported_by),
            "channel_a": link.channel_a, "channel_b": link.channel_b,
            "detail": _plain_json(link.detail), "override_id": link.override_id}


def _problem_order(problem: Problem) -> tuple[str, str, tuple[str, ...], tuple[End, ...]]:
    return problem.kind.value, problem.message, problem.nodes, problem.ends


def to_json(topology: Topology) -> str:
    """The ground-truth document plus ``label``, ``problems`` and ``link_details`` (in the order of
    ``links``)."""
    document = {"label": topology.label, **topology.as_truth()}
    document["problems"] = [p.as_dict() for p in sorted(topology.problems, key=_problem_order)]
    document["link_details"] = [_link_detail(link) for link in _sorted_links(topology)]
    return json.dumps(document, indent=2, sort_keys=False)


# --- graphml / gexf ---------------------------------------------------------------------------

def _xml_safe(value: Any) -> Any:
    """Strings with the characters XML 1.0 cannot hold shown as ``\\xNN`` text; others unchanged.

    Examples:
        >>> _xml_safe("sw1\\x1b[2J\\u202e<b>")
        'sw1\\\\x1b[2J\\u202e<b>'
    """
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04x}", value)
    return value


def _ordered(topology: Topology) -> Topology:
    """The same topology with nodes (devices, unmanaged, endpoints, each by id), links and endpoints
    in a fixed order, so that graphs built from it iterate the same way whatever the input order."""
    nodes = sorted(topology.nodes.values(), key=lambda n: (_KIND_ORDER[n.kind], n.id))
    return Topology({n.id: n for n in nodes}, _sorted_links(topology), sorted(topology.endpoints, key=lambda e: e.mac),
                    list(topology.problems), topology.label)


def _graph_text(graph: nx.MultiGraph[str]) -> str:
    """Every id, key and attribute of ``graph`` in one string (to look for XML-illegal characters once)."""
    parts: list[str] = [str(graph.graph.get("label", ""))]
    for node, data in graph.nodes(data=True):
        parts.append(node)
        parts += map(str, data.values())
    for _, _, key, data in graph.edges(keys=True, data=True):
        parts.append(str(key))
        parts += map(str, data.values())
    return " ".join(parts)


def _xml_safe_copy(graph: nx.MultiGraph[str]) -> nx.MultiGraph[str]:
    safe: nx.MultiGraph[str] = nx.MultiGraph(**{k: _xml_safe(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        safe.add_node(_xml_safe(node), **{k: _xml_safe(v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        safe.add_edge(_xml_safe(u), _xml_safe(v), key=_xml_safe(key), **{k: _xml_safe(x) for k, x in data.items()})
    return safe


def xml_graph(topology: Topology) -> nx.MultiGraph[str]:
    """:func:`to_graph` with endpoints, in a fixed order (see :func:`_ordered`), the label as graph
    attributes ``name`` and ``label``; copied with every id, key and attribute made XML-safe (see
    :func:`_xml_safe`) only when one needs it (two ids that differ only there would merge)."""
    graph = to_graph(_ordered(topology), endpoints=True)
    graph.graph.update(name=topology.label, label=topology.label)
    return _xml_safe_copy(graph) if _XML_ILLEGAL.search(_graph_text(graph)) else graph


def to_graphml(topology: Topology) -> str:
    return "\n".join(nx.generate_graphml(xml_graph(topology))) + "\n"


def to_gexf(topology: Topology) -> str:
    return "\n".join(nx.generate_gexf(xml_graph(topology))) + "\n"


# --- dot --------------------------------------------------------------------------------------

def dot_quote(text: str, limit: int = _ID_LIMIT) -> str:
    """``text`` as one DOT quoted string: control and bidi characters made visible (``\\x1b``),
    backslashes doubled and quotes escaped, so no device text ends the string, the line or the
    statement, and no ``\\N``/``\\G`` in it is read as a Graphviz escape.

    Examples:
        >>> print(dot_quote('a"b\\\\n<script>'))
        "a\\"b\\\\n<script>"
        >>> print(dot_quote("x\\ny\\u202e"))
        "x\\\\x0ay\\\\u202e"
    """
    visible = clean(text, limit)
    return '"' + visible.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_node(node: Node) -> str:
    lines = [node.id, node.platform or "", node.mgmt_ip or ""]
    label = "\\n".join(dot_quote(part, 200)[1:-1] for part in lines if part)
    shape = _DOT_KIND_SHAPE[node.kind]
    style = ', style="dashed"' if node.status != "ok" else ""
    return f'{dot_quote(node.id)} [label="{label}", shape={shape}{style}];'


def _dot_edge(link: Link) -> str:
    label = f"{link.a.interface} - {link.b.interface}".strip(" -") or link.layer
    if link.layer == L3:
        label = f"{label} [{'/'.join(link.protocols)} {link.vrf}]"
    style = _DOT_STATE_STYLE[link.state]
    layer = _DOT_LAYER_ATTRS.get(link.layer, _DOT_LAYER_ATTRS["l2"])
    return (f"{dot_quote(link.a.node)} -- {dot_quote(link.b.node)} "
            f"[label={dot_quote(label, 300)}, style={style}, {layer}];")


def _by_site(nodes: Iterable[Node]) -> dict[str, list[Node]]:
    sites: dict[str, list[Node]] = {}
    for node in nodes:
        sites.setdefault(node.site, []).append(node)
    return dict(sorted(sites.items()))


def to_dot(topology: Topology) -> str:
    """Graphviz DOT: an undirected graph, one ``cluster_N`` subgraph per site."""
    out = ["graph netatlas {", f"  graph [label={dot_quote(topology.label, 200)}, labelloc=t, fontsize=10];",
           '  node [fontsize=10];', '  edge [fontsize=8];']
    for number, (site, nodes) in enumerate(_by_site(_drawn_nodes(topology)).items()):
        indent = "    " if site else "  "
        if site:
            out += [f'  subgraph "cluster_{number}" {{', f"    label={dot_quote(site, 200)};"]
        out += [indent + _dot_node(node) for node in nodes]
        if site:
            out.append("  }")
    out += ["  " + _dot_edge(link) for link in _sorted_links(topology)]
    out.append("}")
    return "\n".join(out) + "\n"


# --- mermaid ----------------------------------------------------------------------------------

def mermaid_text(text: str, limit: int = 200) -> str:
    """``text`` for inside a quoted Mermaid label: control and bidi characters made visible
    (``\\u202e``), then letters, digits, spaces and ``_.:/()-`` kept and everything else (quotes,
    ``<``, ``#``, ``;``, backslashes) written as an entity code ``#NNN;``.

    Examples:
        >>> mermaid_text('a"b<script>')
        'a#34;b#60;script#62;'
        >>> mermaid_text("Gi1/0/1 x\\u202e")
        'Gi1/0/1 x#92;u202e'
    """
    return "".join(c if _MERMAID_PLAIN.fullmatch(c) else f"#{ord(c)};" for c in clean(text, limit))


def _mermaid_ids(topology: Topology, nodes: list[Node]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for node_id in [n.id for n in nodes] + sorted({e.node for link in topology.links for e in link.ends()}):
        ids.setdefault(node_id, f"n{len(ids)}")
    return ids


def _mermaid_node(node: Node, ids: Mapping[str, str]) -> str:
    opening, closing = _MERMAID_KIND_SHAPE[node.kind]
    label = "<br/>".join(mermaid_text(part) for part in (node.id, node.platform or "") if part)
    return f"{ids[node.id]}{opening}{label}{closing}"


def _mermaid_edge(link: Link, ids: Mapping[str, str]) -> str:
    label = mermaid_text(f"{link.a.interface} - {link.b.interface}".strip(" -") or link.layer)
    if link.layer == L3:
        label += mermaid_text(f" {'/'.join(link.protocols)} {link.vrf}")
    operator = _MERMAID_EDGE.get((link.layer, link.state is LinkState.ONE_SIDED), "---")
    return f'{ids[link.a.node]} {operator}|"{label}"| {ids[link.b.node]}'


def to_mermaid(topology: Topology) -> str:
    """Mermaid flowchart (``graph LR``): one subgraph per site, synthetic node ids."""
    nodes = _drawn_nodes(topology)
    ids = _mermaid_ids(topology, nodes)
    out = ["graph LR"]
    drawn = {n.id for n in nodes}
    for number, (site, members) in enumerate(_by_site(nodes).items()):
        indent = "    " if site else "  "
        if site:
            out.append(f'  subgraph s{number}["{mermaid_text(site)}"]')
        out += [indent + _mermaid_node(node, ids) for node in members]
        if site:
            out.append("  end")
    out += [f'  {ids[n]}["{mermaid_text(n)}"]' for n in ids if n not in drawn]
    out += ["  " + _mermaid_edge(link, ids) for link in _sorted_links(topology)]
    return "\n".join(out) + "\n"


# --- csv --------------------------------------------------------------------------------------

def csv_field(value: str) -> str:
    """``value`` safe to open in a spreadsheet: a leading ``= + - @``, tab or CR gets a ``'``.

    Examples:
        >>> csv_field("=HYPERLINK(1)"), csv_field("Gi1/0/1"), csv_field("-1+1")
        ("'=HYPERLINK(1)", 'Gi1/0/1', "'-1+1")
    """
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _csv_row(link: Link) -> list[str]:
    row = [link.layer, link.a.node, link.a.interface, link.b.node, link.b.interface, ";".join(link.protocols),
           link.vrf, link.state.value]
    return [csv_field(value) for value in row]


def to_csv(topology: Topology) -> str:
    """One row per link (protocols joined with ``;``), after a header row; CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF rows, so a CR or LF inside a field gets it quoted
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(link) for link in _sorted_links(topology))
    return buffer.getvalue()


_WRITERS: dict[str, Callable[[Topology], str]] = {
    "json": to_json, "graphml": to_graphml, "gexf": to_gexf, "dot": to_dot, "mermaid": to_mermaid, "csv": to_csv,
}
