"""Topology exports: the truth-schema JSON, GraphML/GEXF round trips, DOT and Mermaid that hostile
device names cannot break, CSV that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import networkx as nx
import pytest

from netatlas.domain.text import clean
from netatlas.topology.export import CSV_COLUMNS, FORMATS, export
from netatlas.topology.graph import to_graph
from netatlas.topology.model import (
    End,
    Endpoint,
    Link,
    LinkState,
    Node,
    NodeKind,
    Problem,
    ProblemKind,
    Topology,
)

HOSTILE = 'a"b\\n<script>'  # a quote, a backslash before "n", markup
NEWLINE = "x\ny\r\nz"
BIDI = "ev\u202elive"
TRAILING = "ends\\"  # a backslash right before the closing quote
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_NAMES = (HOSTILE, NEWLINE, BIDI, TRAILING, FORMULA)


def _l2(a: End, b: End, *protocols: str, **extra: object) -> Link:
    a, b = sorted((a, b))
    return Link(a, b, "l2", tuple(sorted(protocols)), **extra)  # type: ignore[arg-type]


def sample() -> Topology:
    nodes = {
        "sw1": Node("sw1", NodeKind.DEVICE, "cisco_ios", "127.0.0.1", site="hq", role="access"),
        "sw2": Node("sw2", NodeKind.DEVICE, "cisco_ios", "127.0.0.2", site="hq", role="access"),
        "core1": Node("core1", NodeKind.DEVICE, "arista_eos", "127.0.0.3", site="dc1", role="core"),
        "down1": Node("down1", NodeKind.DEVICE, "cisco_nxos", "127.0.0.4", site="dc1", status="failed",
                      error_kind="auth"),
    }
    for number, name in enumerate(HOSTILE_NAMES):
        nodes[name] = Node(name, NodeKind.UNMANAGED, f"plat{name}", None, site=BIDI if number == 0 else "")
    links = [
        _l2(End("sw1", "Gi1/0/1"), End("sw2", "Gi1/0/1"), "cdp", "lldp", channel_a="Po1", channel_b="Po1",
            reported_by=("sw2", "sw1")),
        _l2(End("sw1", "Gi1/0/2"), End("sw2", "Gi1/0/2"), "cdp", "lldp", channel_a="Po1", channel_b="Po1"),
        _l2(End("sw2", "Gi1/0/3"), End("core1", "Ethernet1"), "lldp", state=LinkState.ONE_SIDED),
        Link(End("core1", "Vlan10"), End("sw1", "Vlan10"), "l3", ("bgp", "ospf"), vrf="blue",
             detail={"ospf_area": "0.0.0.0", "bgp": {"b_as": 65002, "a_as": 65001, "state": "Established"}}),
        Link(End("core1", ""), End("sw2", ""), "l3", ("static",), detail={"static": ("10.0.0.0/8",)}),
    ]
    links += [_l2(End("sw1", f"Gi1/0/{10 + n}"), End(name, f"Port {name}"), "lldp")
              for n, name in enumerate(HOSTILE_NAMES)]
    endpoints = [Endpoint("00:00:00:00:00:02", "10.0.0.2", 10, "sw2", "Gi1/0/8"),
                 Endpoint("00:00:00:00:00:01", None, None, "sw1", "Gi1/0/9")]
    problems = [Problem(ProblemKind.CONFLICT, "sw1 Gi1/0/5 and core1 disagree", ("sw1", "core1"),
                        (End("sw1", "Gi1/0/5"),)),
                Problem(ProblemKind.AMBIGUOUS_ENDPOINT, f"mac on {HOSTILE}", (HOSTILE,))]
    return Topology(nodes=nodes, links=links, endpoints=endpoints, problems=problems, label="job-7")


def shuffled(topology: Topology) -> Topology:
    rng = random.Random(3)
    nodes = list(topology.nodes.items())
    links, endpoints, problems = list(topology.links), list(topology.endpoints), list(topology.problems)
    for items in (nodes, links, endpoints, problems):
        rng.shuffle(items)
    return Topology(dict(nodes), links, endpoints, problems, topology.label)


# --- the format list ----------------------------------------------------------------------------

def test_unknown_format_names_it_and_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"'svg'.*json, graphml, gexf, dot, mermaid, csv"):
        export(sample(), "svg")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic_whatever_the_input_order(fmt: str) -> None:
    first = export(sample(), fmt)
    assert first == export(shuffled(sample()), fmt)
    assert first.endswith("\n") or fmt == "json"
    assert first != export(replace(sample(), label="other"), fmt) or fmt in ("csv", "mermaid")


# --- json -----------------------------------------------------------------------------------------

def test_json_is_the_truth_schema_plus_label_problems_and_link_details() -> None:
    topology = sample()
    document = json.loads(export(topology, "json"))
    assert list(document) == ["label", "nodes", "links", "endpoints", "problems", "link_details"]
    truth = topology.as_truth()
    for part in ("nodes", "links", "endpoints"):
        assert document[part] == truth[part]
    assert all(set(link) == {"a", "b", "layer", "protocols", "vrf"} for link in document["links"])
    assert {n["id"] for n in document["nodes"]} >= set(HOSTILE_NAMES)
    assert document["label"] == "job-7"
    assert [p["kind"] for p in document["problems"]] == ["ambiguous_endpoint", "conflict"]


def test_json_link_details_run_parallel_to_links() -> None:
    document = json.loads(export(sample(), "json"))
    details = document["link_details"]
    assert len(details) == len(document["links"])
    for link, detail in zip(document["links"], details, strict=True):
        assert (detail["a"], detail["b"], detail["layer"], detail["vrf"]) == (
            link["a"], link["b"], link["layer"], link["vrf"])
    by_key = {(d["layer"], d["a"]["node"], d["a"]["interface"]): d for d in details}
    bgp = by_key[("l3", "core1", "Vlan10")]
    assert bgp["detail"] == {"bgp": {"a_as": 65001, "b_as": 65002, "state": "Established"}, "ospf_area": "0.0.0.0"}
    assert list(bgp["detail"]["bgp"]) == ["a_as", "b_as", "state"]  # mapping keys sorted
    assert by_key[("l3", "core1", "")]["detail"] == {"static": ["10.0.0.0/8"]}
    cable = by_key[("l2", "sw1", "Gi1/0/1")]
    assert (cable["channel_a"], cable["channel_b"], cable["reported_by"]) == ("Po1", "Po1", ["sw1", "sw2"])
    assert by_key[("l2", "core1", "Ethernet1")]["state"] == "one_sided"


def test_json_text_holds_no_raw_control_or_bidi_characters() -> None:
    text = export(sample(), "json")
    assert "\u202e" not in text and "\r" not in text
    assert json.loads(text)["nodes"][-1]  # still valid JSON with the hostile ids inside


# --- graphml / gexf -------------------------------------------------------------------------------

READERS: dict[str, Callable[[io.BytesIO], Any]] = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_formats_load_back_with_the_same_nodes_and_parallel_edges(fmt: str) -> None:
    topology = sample()
    expected = to_graph(topology, endpoints=True)
    loaded = READERS[fmt](io.BytesIO(export(topology, fmt).encode()))
    assert set(loaded.nodes) == set(expected.nodes)
    assert loaded.number_of_edges() == expected.number_of_edges()
    assert loaded.is_multigraph()
    assert loaded.number_of_edges("sw1", "sw2") == 2  # the two port-channel members stay two cables
    assert {data["a_interface"] for _, _, data in loaded.edges("sw1", data=True) if data["layer"] == "l2"} >= {
        "Gi1/0/1", "Gi1/0/2"}
    assert loaded.nodes[HOSTILE]["platform"] == f"plat{HOSTILE}"
    assert loaded.nodes["down1"]["status"] == "failed"
    assert loaded.nodes["00:00:00:00:00:02"]["kind"] == "endpoint"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_formats_show_characters_xml_cannot_hold(fmt: str) -> None:
    topology = sample()
    bad = "bad\x1b]0;t\x07\x00"
    topology.nodes[bad] = Node(bad, NodeKind.UNMANAGED, platform="p\x0bq")
    topology.links.append(_l2(End("sw2", "Gi1/0/30"), End(bad, "Port\x1b1"), "cdp"))
    loaded = READERS[fmt](io.BytesIO(export(topology, fmt).encode()))
    shown = "bad\\x1b]0;t\\x07\\x00"
    assert shown in loaded.nodes and bad not in loaded.nodes
    assert loaded.nodes[shown]["platform"] == "p\\x0bq"
    assert len(loaded.nodes) == len(to_graph(topology, endpoints=True).nodes)


# --- dot ------------------------------------------------------------------------------------------

_DOT_QUOTED = re.compile(r'"((?:\\\\|\\"|[^"\\\n]|\\(?![\\"]))*)"')  # Graphviz's scanner, no raw newline
_DOT_VALUE = rf'(?:{_DOT_QUOTED.pattern}|[A-Za-z0-9_.]+)'
_DOT_ATTRS = rf'\[(?:[a-z]+={_DOT_VALUE})(?:, [a-z]+={_DOT_VALUE})*\]'
_DOT_STATEMENTS = [
    re.compile(r"graph netatlas \{"),
    re.compile(rf"(?:graph|node|edge) {_DOT_ATTRS};"),
    re.compile(r'subgraph "cluster_\d+" \{'),
    re.compile(rf"label={_DOT_QUOTED.pattern};"),
    re.compile(rf"{_DOT_QUOTED.pattern} {_DOT_ATTRS};"),
    re.compile(rf"{_DOT_QUOTED.pattern} -- {_DOT_QUOTED.pattern} {_DOT_ATTRS};"),
    re.compile(r"\}"),
]


def dot_unquote(quoted: str) -> str:
    """What Graphviz reads from a quoted string's inside: ``\\"`` is a quote, ``\\\\`` stays two."""
    return re.sub(r'\\(["\\])', lambda m: m.group() if m.group(1) == "\\" else '"', quoted)


def parse_dot(text: str) -> list[str]:
    """Every line one whole statement of the shapes netatlas writes; braces balanced. Returns the lines."""
    depth = 0
    lines = text.splitlines()
    for line in lines:
        statement = line.strip()
        assert any(p.fullmatch(statement) for p in _DOT_STATEMENTS), f"not a DOT statement: {statement!r}"
        outside = _DOT_QUOTED.sub("", statement)
        assert '"' not in outside, statement
        depth += outside.count("{") - outside.count("}")
        assert depth >= 0
    assert depth == 0
    return lines


def dot_ids(text: str) -> set[str]:
    ids = set()
    for line in parse_dot(text):
        if match := re.fullmatch(rf"\s*{_DOT_QUOTED.pattern} \[label=.*", line):
            ids.add(dot_unquote(match.group(1)))
    return ids


def test_dot_parses_strictly_with_hostile_names() -> None:
    text = export(sample(), "dot")
    parse_dot(text)
    for char in ("\u202e", "\r", "\x1b"):
        assert char not in text
    assert "<script>" not in _DOT_QUOTED.sub("", text)


def test_dot_ids_read_back_as_the_visible_node_names() -> None:
    topology = sample()
    ids = dot_ids(export(topology, "dot"))
    # escaped so that Graphviz reads each id back as its doubled-backslash form: one name, one id
    assert ids == {clean(n, 10**6).replace("\\", "\\\\") for n in topology.nodes}
    assert len(ids) == len(topology.nodes)
    assert 'a"b\\\\n<script>' in ids
    assert "ends\\\\" in ids
    assert "ev\\\\u202elive" in ids


def test_dot_draws_sites_as_clusters_and_styles_links() -> None:
    lines = parse_dot(export(sample(), "dot"))
    clusters: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if match := re.fullmatch(r'    label="(.*)";', line):
            current = match.group(1)
            clusters[current] = []
        elif line.startswith("    ") and current is not None:
            clusters[current].append(line)
        elif line == "  }":
            current = None
    assert sorted(clusters) == ["dc1", "\\\\u202e".join(["ev", "live"]), "hq"]
    assert [line.split('"')[1] for line in clusters["hq"]] == ["sw1", "sw2"]
    assert [line.split('"')[1] for line in clusters["dc1"]] == ["core1", "down1"]
    edges = [line for line in lines if " -- " in line]
    assert len(edges) == len(sample().links)
    assert sum('"sw1" -- "sw2"' in line for line in edges) == 2
    one_sided = [line for line in edges if "Ethernet1 - Gi1/0/3" in line]
    assert len(one_sided) == 1 and "style=dashed" in one_sided[0]
    l3 = [line for line in edges if "ospf" in line or "static" in line]
    assert len(l3) == 2 and all('color="blue"' in line for line in l3)
    assert all('color="blue"' not in line for line in edges if line not in l3)
    assert "00:00:00:00:00:01" not in "\n".join(lines)  # endpoints are not drawn


# --- mermaid --------------------------------------------------------------------------------------

_MERMAID_LABEL = r'[A-Za-z0-9 _.:/()\-#;]*(?:<br/>[A-Za-z0-9 _.:/()\-#;]*)*'
_MERMAID_STATEMENTS = [
    re.compile(r"graph LR"),
    re.compile(rf'subgraph s\d+\["{_MERMAID_LABEL}"\]'),
    re.compile(r"end"),
    re.compile(rf'n\d+(?:\["{_MERMAID_LABEL}"\]|\("{_MERMAID_LABEL}"\)|\(\("{_MERMAID_LABEL}"\)\))'),
    re.compile(rf'n\d+ (?:---|-\.-|===)\|"{_MERMAID_LABEL}"\| n\d+'),
]


def mermaid_unescape(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def test_mermaid_is_line_per_statement_with_safe_ids_and_entity_labels() -> None:
    topology = sample()
    lines = export(topology, "mermaid").splitlines()
    assert lines[0] == "graph LR"
    for line in lines:
        assert any(p.fullmatch(line.strip()) for p in _MERMAID_STATEMENTS), f"not a Mermaid statement: {line!r}"
    labels = {}
    for line in lines:
        if match := re.fullmatch(r'\s*(n\d+)[\[(]+"(.*?)(?:<br/>.*)?"[\])]+', line):
            labels[match.group(1)] = mermaid_unescape(match.group(2))
    assert sorted(labels.values()) == sorted(clean(n) for n in topology.nodes)  # shown, never acted on
    assert "\u202e" not in "".join(labels.values()) and "ev\\u202elive" in labels.values()
    assert len(labels) == len(topology.nodes)
    assert sum(line.strip().startswith("subgraph") for line in lines) == 3
    assert sum(line.strip() == "end" for line in lines) == 3
    edges = [line for line in lines if "|" in line]
    assert len(edges) == len(topology.links)
    assert sum("-.-" in line for line in edges) == 1
    assert sum("===" in line for line in edges) == 2
    names = {v: k for k, v in labels.items()}
    assert sum(line.strip().startswith(f"{names['sw1']} ---") and line.endswith(names["sw2"]) for line in edges) == 2


# --- csv ------------------------------------------------------------------------------------------

def test_csv_has_one_row_per_link_and_reads_back() -> None:
    topology = sample()
    rows = list(csv.reader(io.StringIO(export(topology, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(topology.links) + 1
    assert ["l2", "sw1", "Gi1/0/1", "sw2", "Gi1/0/1", "cdp;lldp", "default", "reported"] in rows
    assert ["l3", "core1", "Vlan10", "sw1", "Vlan10", "bgp;ospf", "blue", "reported"] in rows
    newline_row = next(row for row in rows if row[3] == NEWLINE)
    assert newline_row[4] == f"Port {NEWLINE}"  # quoted by the csv module, read back whole


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_defuses_spreadsheet_formulas(start: str) -> None:
    name = f"{start}HYPERLINK(\"x\")"
    topology = Topology({"sw1": Node("sw1", NodeKind.DEVICE), name: Node(name, NodeKind.UNMANAGED)},
                        [_l2(End("sw1", "Gi1/0/1"), End(name, f"{start}1+1"), "lldp")], [])
    rows = list(csv.reader(io.StringIO(export(topology, "csv"))))
    cells = [cell for cell in rows[1] if start in cell]
    assert cells == [f"'{name}", f"'{start}1+1"] or cells == [f"'{start}1+1", f"'{name}"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_csv_keeps_ordinary_fields_as_they_are() -> None:
    topology = sample()
    link = replace(topology.links[0], vrf="vrf-a")
    rows = list(csv.reader(io.StringIO(export(Topology(topology.nodes, [link], []), "csv"))))
    assert rows[1][6] == "vrf-a"
