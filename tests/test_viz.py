"""mskg.viz without a browser: escaping, determinism, the size threshold, choosing what to draw,
and the ``mskg viz`` command run in-process."""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import QueryError, UnknownNameError
from mskg.graph.loader import load_graph
from mskg.graph.network import to_networkx
from mskg.viz.labels import humanize_duration, identifier_label
from mskg.viz.layout import DEFAULT_PHYSICS_THRESHOLD, layout_positions
from mskg.viz.page import (
    build_network,
    page_data,
    render_html,
    script_json,
    vis_records,
    vis_script,
    write_html,
)
from mskg.viz.select import construct, filter_types, find_node
from mskg.viz.style import EDGE_STYLE, GROUPS, SEVERITIES

R = "https://w3id.org/mskg/resource/"
M = "https://w3id.org/mskg/ontology/"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>window.pwned=1</script><!--"

HOSTILE_TTL = f"""
@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .

mskr:evil a mskg:Drug ;
    rdfs:label "{HOSTILE}"@en ;
    skos:altLabel "{HOSTILE_SCRIPT}"@en ;
    skos:definition "Ends the script: {HOSTILE_SCRIPT} & more"@en ;
    skos:exactMatch <javascript:alert(1)> ;
    mskg:hasSeriousAdverseEffect <https://example.org/it's> ;
    prov:wasDerivedFrom mskr:bad-source .
mskr:bad-source rdfs:label "source \\"quoted\\" </style>"@en ; schema:url "javascript:alert(2)" .
<https://example.org/it's> a mskg:AdverseEffect ; rdfs:label "it's \\u2028 odd"@en .
"""


def hostile_graph() -> Graph:
    return Graph().parse(data=HOSTILE_TTL, format="turtle")


def embedded_data(page: str) -> dict:
    match = re.search(r'<script id="mskg-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


# --- escaping ----------------------------------------------------------------------------------


def test_hostile_text_never_leaves_its_json() -> None:
    network = to_networkx(hostile_graph())
    page = render_html(network, title=f"Title {HOSTILE}")
    # Exactly our four script elements end: the data, vis-network, the page script, the views'
    # script. (An opening "<script" inside a script is inert; only "</script" and "<!--" could
    # break out.)
    assert len(re.findall(r"</script", page, re.I)) == 4
    vis_js = vis_script()
    assert len(re.findall(r"<script", page, re.I)) == 4 + len(re.findall("<script", vis_js, re.I))
    assert "<img" not in page
    assert "<!--" not in page
    assert "\u2028" not in page
    assert "<title>Title &lt;img src=x onerror=alert(1)&gt;</title>" in page
    data = embedded_data(page)
    assert data["details"][R + "evil"]["alt_labels"] == [HOSTILE_SCRIPT]
    assert [n["label"] for n in data["nodes"] if n["id"] == R + "evil"] == [HOSTILE]
    assert "https://example.org/it's" in data["details"]


def test_hostile_node_ids_from_any_networkx_graph() -> None:
    network = nx.MultiDiGraph()
    network.add_node(HOSTILE_SCRIPT, label=HOSTILE, definition=HOSTILE_SCRIPT)
    network.add_node("'\"`${x}", label="</style><style>body{display:none}</style>")
    network.add_edge(HOSTILE_SCRIPT, "'\"`${x}", key="x", label=HOSTILE)
    page = render_html(network, title=HOSTILE_SCRIPT)
    assert len(re.findall(r"</script", page, re.I)) == 4
    assert len(re.findall(r"</style", page, re.I)) == 1  # the page's own style sheet
    assert "<img" not in page
    data = embedded_data(page)
    assert {n["id"] for n in data["nodes"]} == {HOSTILE_SCRIPT, "'\"`${x}"}


def test_script_json_escapes_markup() -> None:
    text = script_json({"a": "</script>&<!--\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script>&<!--\u2028"}


def test_page_is_self_contained(graph: Graph) -> None:
    page = render_html(to_networkx(graph))
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    for host in ("cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrap.min"):
        assert host not in page
    assert "Content-Security-Policy" in page
    assert "vis.Network" in page or "Network" in page
    assert "var network" in page and "var nodes" in page and "var edges" in page


# --- determinism ---------------------------------------------------------------------------------


def test_same_graph_same_html(graph: Graph) -> None:
    assert render_html(to_networkx(graph)) == render_html(to_networkx(load_graph(GRAPH_DIR)))


def test_large_layout_is_deterministic() -> None:
    network = synthetic(300)
    first = render_html(network, physics_threshold=100)
    assert first == render_html(synthetic(300), physics_threshold=100)


# --- size threshold ------------------------------------------------------------------------------


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    import random

    rng = random.Random(seed)
    network = nx.MultiDiGraph()
    for i in range(n):
        network.add_node(f"n{i}", label=f"node {i}", types=[M + "AdverseEffect"])
    for i in range(1, n):
        network.add_edge(f"n{rng.randrange(i)}", f"n{i}", key="p", label="p")
    return network


def test_small_graphs_use_physics() -> None:
    data = page_data(synthetic(50), physics_threshold=100)
    assert data["large"] is False
    assert all("x" not in node for node in data["nodes"])
    assert [r["label"] for r in data["relations"]] == ["p"]


def test_large_graphs_get_positions_and_no_physics() -> None:
    data = page_data(synthetic(150), physics_threshold=100)
    assert data["large"] is True
    assert all(math.isfinite(node["x"]) and math.isfinite(node["y"]) for node in data["nodes"])
    assert len({(node["x"], node["y"]) for node in data["nodes"]}) == 150


def test_layout_spreads_components() -> None:
    network = synthetic(40)
    network.add_node("alone", label="alone")
    positions = layout_positions(network)
    assert set(positions) == set(network.nodes)
    xs = [x for x, _ in positions.values()]
    assert max(xs) - min(xs) > 100


def test_large_layout_has_no_stragglers() -> None:
    """Nodes spread evenly: none far out on a limb, no two on the same spot, and edges about
    as long as each other (a hub's leaves near the hub)."""
    network = synthetic(1200)
    positions = layout_positions(network)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    radii = sorted(math.hypot(x - cx, y - cy) for x, y in positions.values())
    assert radii[-1] < 3 * radii[len(radii) // 2]
    assert len(set(positions.values())) == len(positions)
    lengths = sorted(math.dist(positions[u], positions[v]) for u, v in network.edges())
    assert lengths[int(0.95 * len(lengths))] < 4 * lengths[len(lengths) // 2]


def test_large_page_is_compact() -> None:
    """Colours come from vis groups and edges are index arrays, not one object per item."""
    data = page_data(synthetic(150), physics_threshold=100)
    assert all(set(node) == {"id", "label", "cls", "size", "x", "y"} for node in data["nodes"])
    assert all(len(edge) == 5 for edge in data["edges"])
    nodes = data["nodes"]
    first = data["edges"][0]
    assert (nodes[first[0]]["id"], nodes[first[1]]["id"]) == ("n0", "n1")
    assert data["relations"][first[2]]["label"] == "p"
    assert SEVERITIES[first[3]] == ""
    assert all(not value for value in data["details"]["n0"].values())  # nothing empty kept


def test_pyvis_makes_the_nodes_and_edges(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """The network goes through pyvis's Network.from_nx once; the page carries its records."""
    from pyvis.network import Network

    given: list[nx.MultiDiGraph] = []
    from_nx = Network.from_nx

    def spy(self: Network, nx_graph: nx.MultiDiGraph, **options: object) -> None:
        given.append(nx_graph.copy())
        from_nx(self, nx_graph, **options)

    monkeypatch.setattr(Network, "from_nx", spy)
    network = to_networkx(graph)
    data = page_data(network)
    assert len(given) == 1
    assert sorted(given[0].nodes) == sorted(network.nodes) == [n["id"] for n in data["nodes"]]
    assert given[0].number_of_edges() == len(data["edges"]) == network.number_of_edges()
    natalizumab = dict(given[0].nodes[R + "natalizumab"])
    assert natalizumab["group"] == "dmt" and natalizumab["label"] == "natalizumab"
    severities = {SEVERITIES[d["severity"]] for *_, d in given[0].edges(data=True)}
    assert {"serious", "common"} <= severities


def test_vis_records_keep_mskg_attributes() -> None:
    carrier = nx.MultiDiGraph()
    carrier.add_node("a", label="A", group="dmt", shape="diamond", size=20, x=1.5, y=-2.0)
    carrier.add_node("b", label="", group="adverse", shape="dot", size=14)
    carrier.add_node("alone", label="alone", group="other", shape="dot")
    carrier.add_edge("a", "b", key=0, id=0, relation=3, severity=1, fatal=1)
    carrier.add_edge("a", "b", key=1, id=1, relation=4, severity=0, fatal=0)
    nodes, edges = vis_records(carrier, isolated_size=12)
    by_id = {n["id"]: n for n in nodes}
    # Given sizes are kept (pyvis's transform is applied once per edge, so none is passed),
    # isolated nodes get the default, groups and shapes are kept and no colour is added.
    assert {n: r["size"] for n, r in by_id.items()} == {"a": 20, "b": 14, "alone": 12}
    assert by_id["a"]["group"] == "dmt" and by_id["a"]["shape"] == "diamond"
    assert (by_id["a"]["x"], by_id["a"]["y"]) == (1.5, -2.0)
    assert by_id["b"]["label"] == "b"  # an empty label shows the id, as mskg's page did
    assert not any("color" in r for r in nodes)
    # Both relations between the same two nodes are kept, with mskg's attributes.
    kept = sorted((e["from"], e["to"], e["relation"], e["severity"], e["fatal"]) for e in edges)
    assert kept == [("a", "b", 3, 1, 1), ("a", "b", 4, 0, 0)]


def test_degree_sets_size(graph: Graph) -> None:
    data = page_data(to_networkx(graph))
    sizes = {node["id"]: node["size"] for node in data["nodes"]}
    assert sizes[R + "natalizumab"] > sizes[R + "pml"]


# --- what is drawn -------------------------------------------------------------------------------


def test_page_counts_match_the_network(graph: Graph) -> None:
    network = to_networkx(graph)
    data = page_data(network)
    assert len(data["nodes"]) == network.number_of_nodes()
    assert len(data["edges"]) == network.number_of_edges()
    assert sum(r["count"] for r in data["relations"]) == network.number_of_edges()
    severities = {SEVERITIES[e[3]] for e in data["edges"]}
    assert {"serious", "common"} <= severities
    assert any(e[4] for e in data["edges"])  # some serious effects can be fatal
    natalizumab = data["details"][R + "natalizumab"]
    assert ["proprietary name", "schema:proprietaryName", ["Tysabri"]] in natalizumab["properties"]
    assert natalizumab["dosing"][0]["parts"][0]["properties"][0][0] == "dose interval"
    assert any(i["label"].startswith("DrugBank") for i in natalizumab["identifiers"])
    sources = [data["sources"][i] for i in natalizumab["sources"]]
    assert sources and all(s["label"] for s in sources)


def test_relations_read_as_sentences(graph: Graph) -> None:
    labels = {r["iri"]: r["label"] for r in page_data(to_networkx(graph))["relations"]}
    assert labels["http://www.w3.org/2004/02/skos/core#broader"] == "is a kind of"


def _rgb(color: str) -> tuple[int, ...]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def _distance(a: str, b: str) -> float:
    return math.dist(_rgb(a), _rgb(b))


def test_colours_tell_things_apart() -> None:
    colours = {g.key: g.color for g in GROUPS}
    # Adverse-effect nodes are not the red of serious-effect edges, so those edges stand out.
    assert _distance(colours["adverse"], EDGE_STYLE["serious"]["color"]) > 100
    assert _distance(colours["relapse"], colours["administration"]) > 100
    assert _distance(colours["dmt"], colours["relapse"]) > 90
    assert EDGE_STYLE["serious"]["dashes"] != EDGE_STYLE["common"]["dashes"]
    assert len(set(colours.values())) == len(colours)


def test_find_node_by_label_brand_curie_and_iri(graph: Graph) -> None:
    network = to_networkx(graph)
    assert find_node(network, "Natalizumab") == R + "natalizumab"
    assert find_node(network, "TYSABRI") == R + "natalizumab"
    assert find_node(network, "mskr:natalizumab") == R + "natalizumab"
    assert find_node(network, R + "natalizumab") == R + "natalizumab"
    with pytest.raises(UnknownNameError, match="natalizumab"):
        find_node(network, "natalizumb")
    # Only treatments are suggested: a drug class such as "chemotherapy drug" is not.
    for name in ("chemotherapy drugs", "nosuchdrug"):
        with pytest.raises(UnknownNameError) as info:
            find_node(network, name)
        suggested = str(info.value).partition("did you mean:")[2]
        assert "chemotherapy drug" not in suggested


def test_focus_and_hops(graph: Graph) -> None:
    one = build_network(graph, focus="natalizumab", hops=1)
    two = build_network(graph, focus="natalizumab", hops=2)
    assert R + "pml" in one
    assert R + "alemtuzumab" not in one
    assert one.number_of_nodes() < two.number_of_nodes()
    zero = build_network(graph, focus="natalizumab", hops=0)
    assert list(zero) == [R + "natalizumab"]


def test_types_filter_with_subclasses(graph: Graph) -> None:
    network = to_networkx(graph)
    effects = filter_types(network, ["AdverseEffect"], graph)
    assert R + "pml" in effects and R + "natalizumab" not in effects
    drugs = filter_types(network, ["mskg:Treatment"], graph)
    assert {R + "natalizumab", R + "plasmapheresis"} <= set(drugs)
    assert filter_types(network, ["adverse effect"]).number_of_nodes() == len(effects)
    with pytest.raises(UnknownNameError):
        filter_types(network, ["AdverseEfect"])


def test_construct_query(graph: Graph) -> None:
    network = build_network(
        graph,
        query="""CONSTRUCT { ?d mskg:hasSeriousAdverseEffect ?e }
                 WHERE { ?d mskg:hasSeriousAdverseEffect ?e }""",
    )
    severities = {attrs["severity"] for *_, attrs in network.edges(data=True)}
    assert severities == {"serious"}
    assert network.nodes[R + "natalizumab"]["label"] == "natalizumab"  # from the full graph
    pml = network.get_edge_data(R + "natalizumab", R + "pml")
    assert pml[M + "hasSeriousAdverseEffect"]["potentially_fatal"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("ASK { ?s ?p ?o }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ", "SPARQL syntax error"),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "SERVICE",
        ),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_construct_refuses(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        construct(Graph(), query, "q.rq")


def test_humanize_and_identifier_labels() -> None:
    assert humanize_duration("P28D") == "28 days"
    assert humanize_duration("P1Y") == "1 year"
    assert humanize_duration("PT2H") == "2 hours"
    assert humanize_duration("P1Y2M") == "1 year, 2 months"
    assert humanize_duration("lifetime") == "lifetime"
    assert identifier_label("https://go.drugbank.com/drugs/DB00108") == "DrugBank DB00108"
    assert identifier_label("http://purl.obolibrary.org/obo/CL_0000236") == "CL:0000236"
    assert identifier_label("https://bioregistry.io/atc:L04AG03") == "ATC L04AG03"
    assert identifier_label("http://www.wikidata.org/entity/Q386119") == "Wikidata Q386119"


# --- the command ---------------------------------------------------------------------------------


def test_cli_writes_the_page_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "page.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--focus", "Tysabri"]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "wrote" in capsys.readouterr().err
    assert [p.name for p in out.parent.iterdir()] == ["page.html"]


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--focus", "nothing"]) == 2
    assert "unknown focus node 'nothing'" in capsys.readouterr().err
    select = tmp_path / "select.rq"
    select.write_text("SELECT * WHERE { ?s ?p ?o }")
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--query", str(select)]) == 2
    assert "select.rq" in capsys.readouterr().err
    assert main(["viz", "-o", str(out), "--query", str(tmp_path / "missing.rq")]) == 2
    assert not out.exists()


def test_cli_query_file(tmp_path: Path) -> None:
    rq = tmp_path / "serious.rq"
    rq.write_text(
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "CONSTRUCT { ?d mskg:hasSeriousAdverseEffect ?e } "
        "WHERE { ?d mskg:hasSeriousAdverseEffect ?e }\n"
    )
    out = tmp_path / "serious.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--query", str(rq)]) == 0
    data = embedded_data(out.read_text())
    assert {SEVERITIES[e[3]] for e in data["edges"]} == {"serious"}
    assert data["title"] == "mskg: serious.rq"


def test_cli_focus_page_opens_on_the_focus_node(tmp_path: Path) -> None:
    out = tmp_path / "tysabri.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--focus", "Tysabri"]) == 0
    data = embedded_data(out.read_text())
    assert data["focus"] == R + "natalizumab"
    assert data["title"] == "mskg: Tysabri (1 hop)"


def test_cli_warns_when_nothing_is_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rq = tmp_path / "nothing.rq"
    rq.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://example.org/Nothing> ; ?p ?o }")
    out = tmp_path / "nothing.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--query", str(rq)]) == 0
    err = capsys.readouterr().err
    assert "0 nodes" in err and "warning: nothing to draw" in err
    assert embedded_data(out.read_text())["nodes"] == []
    # A treatment's neighbourhood filtered down to nothing (plasmapheresis, a procedure, has no
    # adverse effect of its own): the same warning, no traceback.
    args = ["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--focus", "plasmapheresis"]
    assert main([*args, "--types", "adverse"]) == 0
    err = capsys.readouterr().err
    assert "warning: nothing to draw" in err and "Traceback" not in err
    # and a page with something on it says nothing of the kind
    assert main(args) == 0
    assert "warning" not in capsys.readouterr().err


def test_cli_open_without_a_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []

    def no_browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return False

    monkeypatch.setattr(webbrowser, "open", no_browser)
    out = tmp_path / "page.html"
    args = ["viz", "--graph", str(GRAPH_DIR), "-o", str(out), "--focus", "rituximab", "--open"]
    assert main(args) == 0
    assert opened == [out.resolve().as_uri()]
    assert f"no browser found; open {out.resolve().as_uri()}" in capsys.readouterr().err

    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    assert main(args) == 0
    assert "no browser" not in capsys.readouterr().err


def test_pages_are_readable_by_others_as_umask_allows(tmp_path: Path) -> None:
    network = synthetic(5)
    old = os.umask(0o022)
    try:
        path = write_html(render_html(network), tmp_path / "a.html")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o077)
        path = write_html(render_html(network), tmp_path / "b.html")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_threshold_in_the_help_is_the_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["viz", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {DEFAULT_PHYSICS_THRESHOLD})" in help_text
