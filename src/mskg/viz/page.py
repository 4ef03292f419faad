"""The graph as one self-contained, interactive HTML page (vis-network, no outside requests).

What is drawn is :func:`mskg.graph.network.to_networkx`'s readable projection (see that module):
things are nodes, relations are edges, association nodes become edge qualifiers (severity,
potentially
fatal, frequency, source), literals such as doses go to the details panel. Dosing regimens and
cumulative dose limits are nodes of class "dosing"; their phases are folded into them, and a
treatment's details panel repeats the dosing of the regimens it points to.

The page:

* colours and shapes nodes by class (:data:`GROUPS`) with a legend, sizes them by degree, draws
  serious adverse effects as solid red edges (thicker when they can be fatal) and common ones
  as dashed amber edges;
* stays readable at any zoom: node labels are never drawn smaller than 11 px (long ones wrap)
  and never over one another: where the whole graph leaves no room for them all, the selected
  node's, the treatments' and the best-connected nodes' come first and the rest are left out
  until a zoom makes room (their tooltips, the search and the details still name them); edge
  labels are shown for the selected or hovered node's relations and, zoomed in, for every edge
  in view, each only where it covers no other label; clicking a node highlights its
  neighbourhood (the rest is dimmed) and zooms to it;
* has a search box (label, other names, brand names, IRI), filters by class and by relation, and
  a details panel (definition, properties, dosing, relations, cross-reference links, sources);
  a ``--focus`` page opens with its node selected and its details shown;
* tells the source layers apart (:mod:`mskg.viz.layers`: the article, the drug labels, any
  other layer the graph declares): facts one non-base layer alone gives are dash-dotted (each
  further layer its own pattern), facts several layers give are drawn on a pale halo, nodes only
  other layers give have a dashed grey outline, and tooltips and details name the layers; one
  labelled checkbox per layer hides the edges only switched-off layers give and the nodes left
  with no edge shown (facts of no layer, "other sources", always stay);
* stabilises with tuned forceAtlas2 physics (stiffer and more damped above 150 nodes, so that
  the curated graph's 260 settle in a few hundred steps) that is switched off once the layout
  has come to rest; above ``physics_threshold`` nodes (where the browser's physics takes
  seconds and may not come to rest) the positions are computed here instead, by
  :func:`layout_positions`, a seeded multilevel force layout in pure Python (5,000 nodes in
  about 2 s; networkx's own layouts, which need numpy and scipy, take 40 s and more), and
  physics is off;
* has two more views as tabs, chosen by the URL's hash (``#matrix``, ``#timeline``; the network
  otherwise): the effect matrix and the dosing timeline of the drawn treatments, whose data
  :func:`mskg.viz.views.view_data` asks of the graph or store (``views`` in the page data), drawn
  by ``viz-views.js`` with ``textContent`` only;
* says "Nothing to draw" when the graph, query or filter selected no nodes;
* gets its vis-network nodes and edges from pyvis: the networkx graph, with each node's label,
  display group, size and position and each edge's relation, severity and fatality, goes
  through ``pyvis.network.Network.from_nx`` (:func:`vis_records`), and the page carries the
  records pyvis makes;
* inlines vis-network's script, read from the installed pyvis package, plus
  mskg's own template (``mskg/viz/templates/viz.*``): no CDN, works offline and from ``file://``;
  a Content-Security-Policy forbids requests to any host;
* treats every label, comment and IRI as text: the graph goes in as JSON inside a
  ``type="application/json"`` script (``<``, ``>``, ``&`` escaped as ``\\u003c``...), headings
  are ``html.escape``-d, and the page script fills the DOM with ``textContent`` only;
* keeps pyvis's globals ``network``, ``nodes`` and ``edges`` (plus ``mskgData`` and
  ``mskgReady``) so scripts and tests can drive it;
* is deterministic: nodes and edges in sorted order, fixed seeds, sorted JSON keys;
* is compact: colours and shapes come from vis-network groups, edges are index arrays, empty
  details are left out (a 5,000-node page is under 2 MB).
"""

from __future__ import annotations

import html
import json
import math
import re
import webbrowser
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mskg.errors import MskgError
from mskg.viz.labels import identifier_label, part_rows, property_label, property_rows
from mskg.viz.layout import DEFAULT_PHYSICS_THRESHOLD, layout_positions
from mskg.viz.select import construct, filter_types, find_node, neighbourhood
from mskg.viz.style import (
    BASE_LAYER,
    DEFAULT_SEED,
    EDGE_STYLE,
    FATAL_EXTRA_WIDTH,
    GROUPS,
    LAYER_DASHES,
    LAYER_ONLY_BORDER,
    SEVERAL_LAYERS_HALO,
    SEVERITIES,
    Group,
    group_of,
)

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from mskg.stores.base import Store


VIS_VERSION = "9.1.2"


_TEMPLATES = "templates"


def build_network(
    source: Graph | Store,
    *,
    focus: str | None = None,
    hops: int = 1,
    query: str | None = None,
    query_name: str | None = None,
    types: Sequence[str] | None = None,
    views: bool = True,
) -> nx.MultiDiGraph:
    """What ``mskg viz`` draws: the whole graph, a CONSTRUCT result, a drug's neighbourhood.

    ``source`` is an rdflib graph or a store. A store that keeps its graph elsewhere (Oxigraph,
    a SPARQL endpoint) is asked for the neighbourhood or runs the query itself, and only what
    is drawn and its labelling context are fetched (:mod:`mskg.viz.fetch`); only drawing the
    whole graph copies it all. Every node and edge gets its source layers
    (:func:`mskg.viz.layers.annotate_layers`). With ``views``, ``network.graph["views"]`` holds
    the effect matrix and dosing timeline of the drawn treatments, asked of ``source``
    (:func:`mskg.viz.views.view_data`), which the page shows as tabs beside the network.
    """
    from rdflib import Graph as RdfGraph

    from mskg.viz.layers import annotate_layers, layer_index
    from mskg.viz.views import view_data

    graph = source if isinstance(source, RdfGraph) else source.local_graph()
    if graph is None:
        assert not isinstance(source, RdfGraph)
        if query is None and focus is None:
            # The whole graph is drawn: every triple is copied, and read as from a file.
            return build_network(source.to_graph(), types=types, views=views)
        network = _store_network(source, focus, hops, query, query_name, types)
    else:
        network = _graph_network(graph, focus, hops, query, query_name, types)
        network = annotate_layers(network, layer_index(graph), drop_sources=query is None)
    if views:
        network.graph["views"] = view_data(graph if graph is not None else source, network)
    return network


def _graph_network(
    graph: Graph,
    focus: str | None,
    hops: int,
    query: str | None,
    query_name: str | None,
    types: Sequence[str] | None,
) -> nx.MultiDiGraph:
    """:func:`build_network` on an rdflib graph, before the source layers are added."""
    from mskg.graph.network import to_networkx

    if query is not None:
        network = to_networkx(construct(graph, query, query_name), context=graph)
    else:
        network = to_networkx(graph)
    if focus is not None:
        center = find_node(network, focus)
        network = neighbourhood(network, center, hops)
        network.graph["focus"] = center  # the page selects it and shows its details
    if types:
        network = filter_types(network, types, graph)
    return network


def _store_network(
    store: Store,
    focus: str | None,
    hops: int,
    query: str | None,
    query_name: str | None,
    types: Sequence[str] | None,
) -> nx.MultiDiGraph:
    """:func:`build_network` on a store whose triples are not in this process."""
    from mskg.viz.fetch import construct_network, focus_network
    from mskg.viz.layers import annotate_layers, network_sources, store_layer_index

    if query is not None:
        network = construct_network(store, query, query_name)
        if focus is not None:
            center = find_node(network, focus)
            network = neighbourhood(network, center, hops)
            network.graph["focus"] = center
    else:
        assert focus is not None
        network = focus_network(store, focus, hops)
    if types:
        # The store's view answers the class look-ups (labels, subclasses) by SPARQL.
        network = filter_types(network, types, store.view())
    index = store_layer_index(store, network_sources(network))
    return annotate_layers(network, index, drop_sources=query is None)


def node_size(degree: int, large: bool) -> int:
    """A node's drawn size from its number of relations: hubs stand out, up to a limit. Whole
    numbers: pyvis's ``from_nx`` casts sizes to ``int``."""
    return round(min(42.0, (6.0 if large else 12.0) + (3.0 if large else 4.0) * math.sqrt(degree)))


def vis_records(
    carrier: nx.MultiDiGraph, isolated_size: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The vis-network node and edge records that pyvis makes of ``carrier``
    (:meth:`pyvis.network.Network.from_nx`), which holds every attribute they need.

    What pyvis 0.3.2 does with attributes, and how they are given so that it keeps them:
    every node and edge attribute is copied into its record as is, except ``size``, which
    ``from_nx`` casts to ``int`` (and passes through ``node_size_transf`` once per edge of the
    node: so sizes are given ready, and the transform is left as the identity); a node without
    ``size`` gets ``default_node_size`` (only isolated nodes here); a node gets
    ``shape="dot"`` unless given one, and a colour unless it has a ``group``; an edge's
    ``weight`` (default 1) becomes its ``width``; ``directed=True`` adds ``arrows="to"``.
    ``title`` is not required. The network is directed: undirected, pyvis would drop the
    second of two edges between the same nodes, checking each edge against all the others.

    pyvis's own page (``Network.generate_html``) is not used: its template loads Bootstrap and
    vis-network from CDNs and has none of mskg's page; mskg's template inlines everything.
    """
    from pyvis.network import Network

    net = Network(directed=True)
    net.from_nx(carrier, default_node_size=isolated_size)
    nodes, edges, *_ = net.get_network_data()
    return nodes, edges


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without its empty values: a large page is mostly empty lists otherwise."""
    return {k: v for k, v in record.items() if v not in ("", [], {}, None, False)}


def page_data(
    network: nx.MultiDiGraph,
    *,
    title: str = "mskg",
    physics_threshold: int = DEFAULT_PHYSICS_THRESHOLD,
    seed: int = DEFAULT_SEED,
    focus: str | None = None,
) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON-ready data, in a stable order.

    Compact, because a graph of thousands of nodes makes a page of megabytes: colours and
    shapes come from the node's display group (vis-network ``groups``), an edge is
    ``[from, to, relation, severity, fatal]`` (indexes into ``nodes``, ``relations`` and
    :data:`SEVERITIES`), details leave out empty fields, and sources are listed once and
    referred to by index.

    Source layers (:func:`page_layers`): ``layers`` lists them, ``layer_sets`` the
    combinations that occur (lists of indexes into ``layers``; the first, ``[]``, is "other
    sources"), and a node's ``layers`` or an edge's sixth item is its combination's index,
    left out when it is 0.
    """
    import networkx as nx

    large = network.number_of_nodes() > physics_threshold
    positions = layout_positions(network, seed) if large else {}
    if focus is None:
        focus = network.graph.get("focus")
    node_ids = sorted(network.nodes)
    node_index = {n: i for i, n in enumerate(node_ids)}
    groups: dict[str, Group] = {n: group_of(network.nodes[n]) for n in node_ids}
    degree = dict(network.degree())
    sources: list[dict[str, str]] = []
    source_index: dict[str, int] = {}

    def source_refs(entries: list[dict[str, str]]) -> list[int]:
        refs = []
        for entry in entries:
            key = json.dumps(entry, sort_keys=True)
            if key not in source_index:
                source_index[key] = len(sources)
                sources.append(dict(sorted(entry.items())))
            refs.append(source_index[key])
        return refs

    layers = page_layers(network)
    layer_index = {layer["iri"]: i for i, layer in enumerate(layers)}
    layer_sets: list[list[int]] = [[]]
    set_index: dict[tuple[int, ...], int] = {(): 0}

    def layer_set(iris: list[str]) -> int:
        key = tuple(sorted(layer_index[iri] for iri in iris if iri in layer_index))
        if key not in set_index:
            set_index[key] = len(layer_sets)
            layer_sets.append(list(key))
        return set_index[key]

    node_sets = {n: layer_set(network.nodes[n].get("layers", [])) for n in node_ids}

    # What vis-network draws goes through pyvis (vis_records): the nodes with their label,
    # display group (its colour and shape), size and position, the edges with mskg's own
    # attributes (relation, severity, fatal), which pyvis keeps as given.
    carrier = nx.MultiDiGraph()
    details: dict[str, dict[str, Any]] = {}
    for n in node_ids:
        attrs = network.nodes[n]
        group = groups[n]
        vis_node: dict[str, Any] = {
            "label": attrs.get("label") or n,
            "group": group.key,
            "shape": group.shape,  # pyvis gives every node a shape, "dot" unless told
        }
        if degree[n]:
            vis_node["size"] = node_size(degree[n], large)
        if n in positions:
            vis_node["x"], vis_node["y"] = positions[n]
        carrier.add_node(n, **vis_node)
        dosing = []
        for _, target, data in sorted(
            network.out_edges(n, data=True), key=lambda e: (e[1], e[2].get("predicate", ""))
        ):
            if groups[target].key == "dosing":
                t_attrs = network.nodes[target]
                dosing.append(
                    _compact(
                        {
                            "id": target,
                            "label": t_attrs.get("label") or target,
                            "relation": data.get("label", ""),
                            "properties": property_rows(t_attrs.get("properties", {})),
                            "parts": [_compact(p) for p in part_rows(t_attrs.get("parts", []))],
                        }
                    )
                )
        iri = attrs.get("iri", n)
        details[n] = _compact(
            {
                "iri": iri if iri != n else "",
                "class": attrs.get("class_label", ""),
                "definition": attrs.get("definition", ""),
                "alt_labels": list(attrs.get("alt_labels", [])),
                "properties": property_rows(attrs.get("properties", {})),
                "parts": [_compact(p) for p in part_rows(attrs.get("parts", []))],
                "dosing": dosing,
                "identifiers": [
                    _compact(
                        {
                            "iri": ident["iri"],
                            "label": identifier_label(ident["iri"]),
                            "relation": ident.get("relation", ""),
                        }
                    )
                    for ident in attrs.get("identifiers", [])
                ],
                "sources": source_refs(list(attrs.get("sources", []))),
            }
        )
    edge_details: dict[str, dict[str, Any]] = {}
    relations: dict[str, dict[str, Any]] = {}
    edge_list = sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    for _, _, key, data in edge_list:
        predicate = data.get("predicate", str(key))
        label = data.get("label") or property_label(str(key))
        relation = relations.setdefault(predicate, {"iri": predicate, "label": label, "count": 0})
        relation["count"] += 1
    ordered_relations = sorted(relations.values(), key=lambda r: (r["label"], r["iri"]))
    relation_index = {r["iri"]: i for i, r in enumerate(ordered_relations)}
    edge_sets = [layer_set(data.get("layers", [])) for *_, data in edge_list]
    for i, (u, v, key, data) in enumerate(edge_list):
        severity = data.get("severity", "")
        carrier.add_edge(
            u,
            v,
            key=i,
            id=i,
            relation=relation_index[data.get("predicate", str(key))],
            severity=SEVERITIES.index(severity) if severity in SEVERITIES else 0,
            fatal=1 if data.get("potentially_fatal") else 0,
        )
        extra = _compact(
            {
                "frequency": data.get("frequency", ""),
                "sources": source_refs(list(data.get("sources", []))),
                "properties": property_rows(data.get("properties", {})),
            }
        )
        if extra:
            edge_details[f"e{i}"] = extra
    vis_nodes, vis_edges = vis_records(carrier, node_size(0, large))
    for layer in layers:
        i = layer_index[layer["iri"]]
        layer["edges"] = sum(1 for k in edge_sets if i in layer_sets[k])
        layer["nodes"] = sum(1 for k in node_sets.values() if i in layer_sets[k])
    layer_data = {
        "layers": layers,
        "layer_sets": layer_sets,
        "several_layers_halo": SEVERAL_LAYERS_HALO,
        "layer_only_border": LAYER_ONLY_BORDER,
    }
    # The page keeps pyvis's records compact: a node as {id, label, cls (its group), size, x,
    # y}, an edge as [from, to, relation, severity, fatal] (indexes), in the sorted order. Left
    # out: each node's shape and each edge's arrow and width (pyvis's default weight), which
    # the page's group and edge options give, by group and by severity.
    by_id = {record["id"]: record for record in vis_nodes}
    nodes: list[dict[str, Any]] = []
    for n in node_ids:
        record = by_id[n]
        item: dict[str, Any] = {
            "id": record["id"],
            "label": record["label"],
            "cls": record["group"],
            "size": record["size"],
        }
        if "x" in record:
            item["x"], item["y"] = record["x"], record["y"]
        if node_sets[n]:
            item["layers"] = node_sets[n]
        nodes.append(item)
    edges = []
    for e in sorted(vis_edges, key=lambda e: int(e["id"])):
        edge = [
            node_index[e["from"]],
            node_index[e["to"]],
            e["relation"],
            e["severity"],
            e["fatal"],
        ]
        if edge_sets[int(e["id"])]:
            edge.append(edge_sets[int(e["id"])])
        edges.append(edge)
    counts: dict[str, int] = {}
    for group in groups.values():
        counts[group.key] = counts.get(group.key, 0) + 1
    return {
        **layer_data,
        # The effect matrix and dosing timeline (mskg.viz.views), when the network has them.
        "views": network.graph.get("views"),
        "title": title,
        "large": large,
        "seed": seed,
        "physics_threshold": physics_threshold,
        "focus": focus if focus in node_index else None,
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "color": g.color,
                "border": g.border,
                "shape": g.shape,
                "count": counts[g.key],
            }
            for g in GROUPS
            if g.key in counts
        ],
        "relations": ordered_relations,
        "severities": list(SEVERITIES),
        "edge_styles": {k or "other": v for k, v in EDGE_STYLE.items()},
        "fatal_extra_width": FATAL_EXTRA_WIDTH,
        "sources": sources,
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "edge_details": edge_details,
    }


def page_layers(network: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The source layers of ``network`` (``network.graph["layers"]``, from
    :func:`mskg.viz.layers.annotate_layers`) as the page draws them: the base layer
    (:data:`BASE_LAYER`, else the first) first, drawn plain; every other one with a dash
    pattern of its own (:data:`LAYER_DASHES`) for the edges it alone gives."""
    records = sorted(network.graph.get("layers", []), key=lambda r: (r["key"], r["iri"]))
    if not records:
        return []
    base = next((r for r in records if r["key"] == BASE_LAYER), records[0])
    out = []
    others = 0
    for record in [base, *(r for r in records if r is not base)]:
        layer = {k: record[k] for k in ("iri", "key", "label", "definition")}
        layer["base"] = record is base
        if record is base:
            layer["dashes"] = False
        else:
            layer["dashes"] = list(LAYER_DASHES[others % len(LAYER_DASHES)])
            others += 1
        out.append(layer)
    return out


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _inline_safe(text: str, tag: str) -> str:
    """Text for inside a raw ``<script>`` or ``<style>``: no closing tag, no comment opener."""
    text = re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)
    return text.replace("<!--", "<\\!--")


def _template(name: str) -> str:
    return resources.files("mskg.viz").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")


def vis_script() -> str:
    """vis-network's minified script, from the installed pyvis package (0.3.2 ships 9.1.2).

    Its 220 kB style sheet is not needed: the page styles the one vis element it shows (the
    tooltip) itself, and uses neither the navigation buttons nor the editor."""
    try:
        lib = resources.files("pyvis").joinpath("templates", "lib", f"vis-{VIS_VERSION}")
        js = lib.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise MskgError(
            f"vis-network {VIS_VERSION} not found in the pyvis package ({exc}); "
            "install mskg's dependencies (pip install 'pyvis==0.3.2')"
        ) from exc
    if f"@version {VIS_VERSION}" not in js[:2000]:
        raise MskgError(f"the pyvis package ships another vis-network than {VIS_VERSION}")
    return js


def render_html(
    network: nx.MultiDiGraph,
    *,
    title: str = "mskg",
    physics_threshold: int = DEFAULT_PHYSICS_THRESHOLD,
    seed: int = DEFAULT_SEED,
    focus: str | None = None,
) -> str:
    """One self-contained HTML page drawing ``network`` (from :func:`mskg.to_networkx`);
    ``focus``, a node id, is selected and its details shown when the page opens."""
    data = page_data(
        network, title=title, physics_threshold=physics_threshold, seed=seed, focus=focus
    )
    values = {
        "TITLE": html.escape(title, quote=True),
        "SUMMARY": html.escape(
            f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges", quote=True
        ),
        "APP_CSS": _inline_safe(_template("viz.css"), "style"),
        "VIS_JS": _inline_safe(vis_script(), "script"),
        "APP_JS": _inline_safe(_template("viz.js"), "script"),
        "VIEWS_JS": _inline_safe(_template("viz-views.js"), "script"),
        "DATA": script_json(data),
    }
    # One pass: text substituted in is never scanned for placeholders again.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], _template("viz.html"))


def write_html(text: str, out: Path | str) -> Path:
    """Write the page atomically (a temporary file beside ``out``, then one rename), readable
    as any new file is (0666 less the umask, as for every file mskg writes)."""
    from mskg.atomic import atomic_write

    path = Path(out)
    atomic_write(path, text)
    return path


def visualize(
    graph: Graph | Store,
    out: Path | str = "mskg.html",
    *,
    focus: str | None = None,
    hops: int = 1,
    query: str | None = None,
    query_name: str | None = None,
    types: Sequence[str] | None = None,
    title: str | None = None,
    physics_threshold: int = DEFAULT_PHYSICS_THRESHOLD,
) -> tuple[Path, nx.MultiDiGraph]:
    """Build the network, render it and write ``out``; returns the path and what was drawn."""
    network = build_network(
        graph, focus=focus, hops=hops, query=query, query_name=query_name, types=types
    )
    if title is None:
        title = page_title(focus=focus, hops=hops, query_name=query_name)
    text = render_html(network, title=title, physics_threshold=physics_threshold)
    return write_html(text, out), network


def page_title(*, focus: str | None = None, hops: int = 1, query_name: str | None = None) -> str:
    """The page's title: "mskg", then the focus and its hops, then the named query drawn."""
    title = "mskg"
    if focus is not None:
        title += f": {focus} ({hops} hop{'s' if hops != 1 else ''})"
    if query_name is not None:
        title += f": {query_name}"
    return title


def open_in_browser(path: Path) -> bool:
    """Open the written page in the default browser; False when Python found none to use."""
    try:
        return webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        return False
