"""The graph as one self-contained, interactive HTML page (vis-network, no outside requests).

What is drawn is :func:`mskg.netx.to_networkx`'s readable projection (see that module): things
are nodes, relations are edges, association nodes become edge qualifiers (severity, potentially
fatal, frequency, source), literals such as doses go to the details panel. Dosing regimens and
cumulative dose limits are nodes of class "dosing"; their phases are folded into them, and a
treatment's details panel repeats the dosing of the regimens it points to.

The page:

* colours and shapes nodes by class (:data:`GROUPS`) with a legend, sizes them by degree, draws
  serious adverse effects as solid red edges and common ones as dashed amber edges;
* has a search box (label, other names, brand names, IRI), filters by class and by relation, and
  a details panel (definition, properties, dosing, relations, cross-reference links, sources);
* stabilises with tuned forceAtlas2 physics that is switched off once the layout has settled;
  above ``physics_threshold`` nodes the positions are computed here instead (networkx for the
  components, a seeded pure-Python force layout: numpy is not a dependency) and physics is off,
  so a graph of thousands of nodes still opens;
* inlines vis-network's script and style, read from the installed pyvis package, plus
  mskg's own template (``mskg/templates/viz.*``): no CDN, works offline and from ``file://``;
  a Content-Security-Policy forbids requests to any host;
* treats every label, comment and IRI as text: the graph goes in as JSON inside a
  ``type="application/json"`` script (``<``, ``>``, ``&`` escaped as ``\\u003c``...), headings
  are ``html.escape``-d, and the page script fills the DOM with ``textContent`` only;
* keeps pyvis's globals ``network``, ``nodes`` and ``edges`` (plus ``mskgData`` and
  ``mskgReady``) so scripts and tests can drive it;
* is deterministic: nodes and edges in sorted order, fixed seeds, sorted JSON keys.
"""

from __future__ import annotations

import html
import json
import math
import os
import random
import re
import webbrowser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mskg.errors import MskgError, QueryError, UnknownNameError, UsageError
from mskg.vocab import MSKG_IRI

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

#: Above this many nodes, positions are precomputed and physics is off.
DEFAULT_PHYSICS_THRESHOLD = 400
DEFAULT_SEED = 7
VIS_VERSION = "9.1.2"

_M = MSKG_IRI


@dataclass(frozen=True)
class Group:
    """A display class: which rdf:types it covers and how its nodes look."""

    key: str
    label: str
    color: str
    shape: str
    classes: tuple[str, ...]


#: Display classes in priority order: a node takes the first group one of its types is in.
GROUPS: tuple[Group, ...] = (
    Group(
        "dmt", "disease-modifying therapy", "#1f4e9c", "diamond", (_M + "DiseaseModifyingTherapy",)
    ),
    Group("relapse", "relapse treatment", "#1c8c9c", "diamond", (_M + "RelapseTreatment",)),
    Group(
        "treatment",
        "drug or other treatment",
        "#4a7fd6",
        "diamond",
        tuple(
            _M + c for c in ("Drug", "BloodProduct", "Procedure", "InfusionTreatment", "Treatment")
        ),
    ),
    Group("mechanism", "mechanism of action", "#7b4fb8", "hexagon", (_M + "MechanismOfAction",)),
    Group("action", "type of action", "#b39ddb", "hexagon", (_M + "ActionType",)),
    Group("cell", "cell type", "#2e9e4f", "triangle", (_M + "CellType",)),
    Group("molecule", "molecule", "#7cc68d", "triangle", (_M + "MolecularEntity",)),
    Group(
        "ms",
        "MS subtype or severity",
        "#e8740c",
        "square",
        (_M + "MSSubtype", _M + "MSSeverity", _M + "MSForm"),
    ),
    Group(
        "disease",
        "disease or episode",
        "#a05a2c",
        "square",
        (_M + "Disease", _M + "DiseaseEpisode"),
    ),
    Group("adverse", "adverse effect", "#d62728", "dot", (_M + "AdverseEffect",)),
    Group("symptom", "symptom", "#e377c2", "triangleDown", (_M + "Symptom",)),
    Group(
        "dosing",
        "dosing",
        "#c9a400",
        "star",
        (
            _M + "DosingRegimen",
            _M + "CumulativeDoseLimit",
            _M + "DosingPhase",
            _M + "DosingPhaseType",
        ),
    ),
    Group("drugclass", "drug class", "#5b6b7f", "dot", (_M + "DrugClass",)),
    Group(
        "administration",
        "administration or setting",
        "#17becf",
        "triangleDown",
        (_M + "AdministrationMethod", _M + "CareSetting"),
    ),
    Group(
        "approval",
        "regulatory approval or agency",
        "#8c8c3a",
        "square",
        (_M + "RegulatoryApproval", _M + "RegulatoryAgency"),
    ),
    Group("anatomy", "anatomy", "#c49c7a", "hexagon", (_M + "AnatomicalStructure",)),
    Group("restriction", "usage restriction", "#6d6d6d", "star", (_M + "UsageRestriction",)),
    Group("other", "other", "#9e9e9e", "dot", ()),
)
_GROUP_BY_CLASS = {cls: group for group in reversed(GROUPS) for cls in group.classes}
_GROUPS_BY_KEY = {group.key: group for group in GROUPS}

EDGE_STYLE: dict[str, dict[str, Any]] = {
    "serious": {"color": "#d62728", "width": 2.6, "dashes": False},
    "common": {"color": "#f0a020", "width": 1.6, "dashes": [6, 4]},
    "": {"color": "#8e9aab", "width": 1.1, "dashes": False},
}

_TEMPLATES = "templates"
_TREATMENT_GROUPS = frozenset({"dmt", "relapse", "treatment"})


def group_of(attrs: dict[str, Any]) -> Group:
    """The display group of a node, from its primary class, then its other types."""
    primary = attrs.get("class", "")
    if primary in _GROUP_BY_CLASS:
        return _GROUP_BY_CLASS[primary]
    best = None
    for cls in attrs.get("types", []):
        group = _GROUP_BY_CLASS.get(cls)
        if group is not None and (best is None or GROUPS.index(group) < GROUPS.index(best)):
            best = group
    return best or _GROUPS_BY_KEY["other"]


# --------------------------------------------------------------------------------------------
# Choosing what to draw
# --------------------------------------------------------------------------------------------


def construct(graph: Graph, query_text: str, name: str | None = None) -> Graph:
    """The graph a SPARQL CONSTRUCT query returns; any other query form is refused."""
    from rdflib import Graph as RdfGraph
    from rdflib.plugins.sparql import prepareQuery

    from mskg.vocab import PREFIXES

    try:
        query = prepareQuery(query_text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing and rdflib raise several types
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "col", None)
        reason = getattr(exc, "msg", None) or str(exc).splitlines()[0]
        raise QueryError(f"cannot parse SPARQL: {reason}", line, column, name=name) from exc
    form = query.algebra.name
    if form != "ConstructQuery":
        kind = form.replace("Query", "").upper() or form
        raise QueryError(
            f"mskg viz --query needs a CONSTRUCT query (it draws the triples it returns); "
            f"this is a {kind} query",
            name=name,
        )
    if query.algebra.get("datasetClause"):
        raise QueryError("FROM / FROM NAMED would fetch other graphs; remove them", name=name)
    if _has_service(query.algebra):
        raise QueryError("SERVICE would query another endpoint; remove it", name=name)
    try:
        result = graph.query(query)
    except Exception as exc:
        raise QueryError(f"query failed: {exc}", name=name) from exc
    out = RdfGraph()
    for triple in result:
        out.add(triple)  # type: ignore[arg-type]
    return out


def _has_service(node: Any) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_has_service(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_has_service(v) for v in node)
    return False


def _names(attrs: dict[str, Any]) -> list[str]:
    props = attrs.get("properties", {})
    names = [attrs.get("label", ""), *attrs.get("alt_labels", [])]
    for key in ("schema:proprietaryName", "schema:nonProprietaryName", "schema:name"):
        names.extend(props.get(key, []))
    return [n for n in names if n]


def find_node(network: nx.MultiDiGraph, name: str) -> str:
    """The node called ``name``: its IRI, CURIE, label, other label or brand name (any case).

    When several nodes share the name, treatments win, then the first in sorted order. Raises
    :class:`UnknownNameError` listing the closest names.
    """
    from mskg.vocab import PREFIXES

    wanted = name.strip()
    if wanted in network:
        return wanted
    if ":" in wanted and not wanted.startswith(("http:", "https:")):
        prefix, _, local = wanted.partition(":")
        if prefix in PREFIXES and PREFIXES[prefix] + local in network:
            return PREFIXES[prefix] + local
    folded = wanted.casefold()
    hits = [
        n
        for n, attrs in network.nodes(data=True)
        if any(folded == candidate.casefold() for candidate in _names(attrs))
    ]
    if hits:
        hits.sort(key=lambda n: (group_of(network.nodes[n]).key not in _TREATMENT_GROUPS, n))
        return str(hits[0])
    candidates = sorted({c for _, attrs in network.nodes(data=True) for c in _names(attrs)})
    raise UnknownNameError("focus node", name, candidates)


def neighbourhood(network: nx.MultiDiGraph, center: str, hops: int) -> nx.MultiDiGraph:
    """The nodes within ``hops`` relations of ``center`` (either direction) and their edges."""
    import networkx as nx

    if hops < 0:
        raise UsageError(f"--hops must be 0 or more, not {hops}")
    keep = nx.single_source_shortest_path_length(network.to_undirected(as_view=True), center, hops)
    sub: nx.MultiDiGraph = network.subgraph(sorted(keep)).copy()
    return sub


def filter_types(
    network: nx.MultiDiGraph, names: Sequence[str], graph: Graph | None = None
) -> nx.MultiDiGraph:
    """Only the nodes having one of the classes ``names`` (or a subclass), and their edges.

    A name is a class IRI, CURIE (``mskg:Drug``), local name (``AdverseEffect``), class label
    (``adverse effect``) or display group (``dmt``, ``adverse``...).
    """
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    from mskg.vocab import PREFIXES

    known: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}

    def remember(key: str, iris: Iterable[str]) -> None:
        known.setdefault(key.casefold(), set()).update(iris)
        spelled.setdefault(key.casefold(), key)

    for group in GROUPS:
        remember(group.key, group.classes)
        remember(group.label, group.classes)
    labels: dict[str, str] = {}
    for _, attrs in network.nodes(data=True):
        if attrs.get("class") and attrs.get("class_label"):
            labels[attrs["class"]] = attrs["class_label"]
        for iri in attrs.get("types", []):
            labels.setdefault(iri, "")
    if graph is not None:
        from rdflib.namespace import OWL, RDF

        for cls_type in (OWL.Class, RDFS.Class):
            for cls in graph.subjects(RDF.type, cls_type):
                if isinstance(cls, URIRef):
                    cls_label = graph.value(cls, RDFS.label)
                    labels.setdefault(str(cls), "" if cls_label is None else str(cls_label))
    for iri, text in labels.items():
        remember(iri, [iri])
        remember(re.split(r"[/#]", iri)[-1], [iri])
        if text:
            remember(text, [iri])
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns):
                remember(f"{prefix}:{iri[len(ns) :]}", [iri])
    wanted: set[str] = set()
    for name in names:
        for part in (p.strip() for p in name.split(",")):
            if not part:
                continue
            iris = known.get(part.casefold())
            if iris is None:
                names_ = sorted(spelled[k] for k in known if "/" not in k and "#" not in k)
                raise UnknownNameError("class", part, names_)
            wanted |= iris
    if graph is not None:
        for iri in list(wanted):
            for sub in graph.transitive_subjects(RDFS.subClassOf, URIRef(iri)):
                wanted.add(str(sub))
    keep = [n for n, attrs in network.nodes(data=True) if wanted & set(attrs.get("types", []))]
    result: nx.MultiDiGraph = network.subgraph(sorted(keep)).copy()
    return result


def build_network(
    graph: Graph,
    *,
    focus: str | None = None,
    hops: int = 1,
    query: str | None = None,
    query_name: str | None = None,
    types: Sequence[str] | None = None,
) -> nx.MultiDiGraph:
    """What ``mskg viz`` draws: the whole graph, a CONSTRUCT result, a drug's neighbourhood."""
    from mskg.netx import to_networkx

    if query is not None:
        network = to_networkx(construct(graph, query, query_name), context=graph)
    else:
        network = to_networkx(graph)
    if focus is not None:
        network = neighbourhood(network, find_node(network, focus), hops)
    if types:
        network = filter_types(network, types, graph)
    return network


# --------------------------------------------------------------------------------------------
# Layout for large graphs
# --------------------------------------------------------------------------------------------


def layout_positions(
    network: nx.MultiDiGraph, seed: int = DEFAULT_SEED, spacing: float = 70.0
) -> dict[str, tuple[float, float]]:
    """Deterministic positions (pixels) for every node: a force layout per connected component
    (Fruchterman-Reingold with a grid for repulsion), components packed in rows, largest first."""
    import networkx as nx

    undirected = nx.Graph()
    undirected.add_nodes_from(sorted(network.nodes))
    undirected.add_edges_from(sorted((u, v) for u, v in network.edges() if u != v))
    components = sorted(
        (sorted(c) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c[0])
    )
    rng = random.Random(seed)
    boxes: list[tuple[list[str], list[tuple[float, float]], float, float]] = []
    for comp in components:
        coords = _force_layout(undirected, comp, rng)
        xs = [x for x, _ in coords]
        ys = [y for _, y in coords]
        minx, miny = min(xs), min(ys)
        coords = [(x - minx, y - miny) for x, y in coords]
        boxes.append((comp, coords, max(xs) - minx, max(ys) - miny))
    total_area = sum((w + 2) * (h + 2) for _, _, w, h in boxes)
    row_width = max(math.sqrt(total_area) * 1.3, max((w for *_, w, _ in boxes), default=1))
    positions: dict[str, tuple[float, float]] = {}
    x0 = y0 = row_height = 0.0
    for comp, coords, w, h in boxes:
        if x0 > 0 and x0 + w > row_width:
            x0 = 0.0
            y0 += row_height + 2
            row_height = 0.0
        for node, (x, y) in zip(comp, coords, strict=True):
            positions[node] = (round((x0 + x) * spacing, 1), round((y0 + y) * spacing, 1))
        x0 += w + 2
        row_height = max(row_height, h)
    return positions


def _force_layout(
    graph: nx.Graph, nodes: list[str], rng: random.Random
) -> list[tuple[float, float]]:
    n = len(nodes)
    if n == 1:
        return [(0.0, 0.0)]
    index = {node: i for i, node in enumerate(nodes)}
    sub = graph.subgraph(nodes)
    # Springs to hubs are weakened (as in ForceAtlas2's hub dissuasion), so a drug with hundreds
    # of effects does not pull them all into one dense clump.
    edges = [
        (index[u], index[v], 1.0 / math.sqrt(max(sub.degree(u), sub.degree(v))))
        for u, v in sub.edges()
    ]
    side = math.sqrt(n)
    xs = [rng.uniform(0, side) for _ in range(n)]
    ys = [rng.uniform(0, side) for _ in range(n)]
    k = 1.0
    cell = 2.0 * k
    cutoff = cell * cell
    iterations = 60 if n <= 1000 else 40 if n <= 2500 else 30
    temperature = side / 8
    cool = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[tuple[float, float, int]]] = {}
        for i in range(n):
            key = (int(xs[i] // cell), int(ys[i] // cell))
            grid.setdefault(key, []).append((xs[i], ys[i], i))
        for (cx, cy), members in grid.items():
            near = [
                point
                for ox in (-1, 0, 1)
                for oy in (-1, 0, 1)
                for point in grid.get((cx + ox, cy + oy), ())
            ]
            for xi, yi, i in members:
                fx = fy = 0.0
                for xj, yj, j in near:
                    ddx = xi - xj
                    ddy = yi - yj
                    d2 = ddx * ddx + ddy * ddy
                    if d2 >= cutoff or j == i:
                        continue
                    if d2 < 1e-9:
                        ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                    f = k * k / d2
                    fx += ddx * f
                    fy += ddy * f
                dx[i] = fx
                dy[i] = fy
        for i, j, weight in edges:
            ddx = xs[i] - xs[j]
            ddy = ys[i] - ys[j]
            d = math.sqrt(ddx * ddx + ddy * ddy) or 1e-6
            f = weight * d / k
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > 0:
                step = min(d, temperature) / d
                xs[i] += dx[i] * step
                ys[i] += dy[i] * step
        temperature -= cool
    return list(zip(xs, ys, strict=True))


# --------------------------------------------------------------------------------------------
# The page data
# --------------------------------------------------------------------------------------------

_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


def humanize_duration(value: str) -> str:
    """``"P28D"`` -> ``"28 days"``; anything that is not an ISO 8601 duration is returned as is."""
    match = _DURATION.match(value)
    if not match or value in ("P", "PT"):
        return value
    parts = []
    for amount, unit in zip(match.groups(), _DURATION_UNITS, strict=True):
        if amount is None:
            continue
        number = amount.rstrip("0").rstrip(".") if "." in amount else amount
        parts.append(f"{number} {unit}{'' if number == '1' else 's'}")
    return ", ".join(parts) if parts else value


def _display_value(value: str) -> str:
    human = humanize_duration(value)
    return value if human == value else f"{human} ({value})"


def property_label(curie: str) -> str:
    """``"schema:doseValue"`` -> ``"dose value"``."""
    local = re.split(r"[:/#]", curie)[-1] or curie
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").lower()


_ID_PREFIXES = {
    "atc": "ATC",
    "rxnorm": "RxNorm",
    "unii": "UNII",
    "umls": "UMLS",
    "icd10": "ICD-10",
    "pubchem.compound": "PubChem",
    "mesh": "MeSH",
    "chebi": "ChEBI",
    "drugbank": "DrugBank",
    "doid": "DOID",
}


def identifier_label(iri: str) -> str:
    """A short readable name for a cross-reference IRI: ``DrugBank DB00108``, ``CL:0000236``."""
    patterns = (
        (r"drugbank\.(?:com|ca)/drugs/(\w+)", "DrugBank {}"),
        (r"id\.nlm\.nih\.gov/mesh/(\w+)", "MeSH {}"),
        (r"wikidata\.org/(?:entity|wiki)/(Q\d+)", "Wikidata {}"),
        (r"purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)", "{}:{}"),
        (r"pubchem\.ncbi\.nlm\.nih\.gov/compound/(\d+)", "PubChem {}"),
    )
    for pattern, fmt in patterns:
        match = re.search(pattern, iri)
        if match:
            return fmt.format(*match.groups())
    match = re.search(r"(?:bioregistry\.io|identifiers\.org)/([\w.]+)[:/](.+)$", iri)
    if match:
        prefix = match.group(1).lower()
        return f"{_ID_PREFIXES.get(prefix, prefix.upper())} {match.group(2)}"
    return iri


def _props(properties: dict[str, list[str]]) -> list[list[Any]]:
    return [
        [property_label(curie), curie, [_display_value(v) for v in values]]
        for curie, values in sorted(properties.items())
    ]


def _parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": part["label"],
            "class": part.get("class_label", ""),
            "definition": part.get("definition", ""),
            "properties": _props(part.get("properties", {})),
        }
        for part in parts
    ]


def _search_text(attrs: dict[str, Any], node: str) -> str:
    words = [*_names(attrs), node.rsplit("/", 1)[-1], node]
    return " | ".join(w.casefold() for w in words)


def page_data(
    network: nx.MultiDiGraph,
    *,
    title: str = "mskg",
    physics_threshold: int = DEFAULT_PHYSICS_THRESHOLD,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON-ready data, in a stable order."""
    large = network.number_of_nodes() > physics_threshold
    positions = layout_positions(network, seed) if large else {}
    node_ids = sorted(network.nodes)
    groups: dict[str, Group] = {n: group_of(network.nodes[n]) for n in node_ids}
    degree = dict(network.degree())
    nodes: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    for n in node_ids:
        attrs = network.nodes[n]
        group = groups[n]
        size = min(42.0, (6.0 if large else 10.0) + (3.0 if large else 4.5) * math.sqrt(degree[n]))
        item: dict[str, Any] = {
            "id": n,
            "label": attrs.get("label") or n,
            "cls": group.key,
            "shape": group.shape,
            "size": round(size, 1),
            "color": {
                "background": group.color,
                "border": "#2b2b2b",
                "highlight": {"background": group.color, "border": "#000000"},
                "hover": {"background": group.color, "border": "#000000"},
            },
        }
        if group.key in _TREATMENT_GROUPS:
            item["font"] = {"size": 15 if large else 22, "color": "#0b2a5b"}
        if n in positions:
            item["x"], item["y"] = positions[n]
        nodes.append(item)
        dosing = []
        for _, target, data in sorted(
            network.out_edges(n, data=True), key=lambda e: (e[1], e[2].get("predicate", ""))
        ):
            if groups[target].key == "dosing":
                t_attrs = network.nodes[target]
                dosing.append(
                    {
                        "id": target,
                        "label": t_attrs.get("label") or target,
                        "relation": data.get("label", ""),
                        "properties": _props(t_attrs.get("properties", {})),
                        "parts": _parts(t_attrs.get("parts", [])),
                    }
                )
        details[n] = {
            "iri": attrs.get("iri", n),
            "class": attrs.get("class_label", ""),
            "types": list(attrs.get("types", [])),
            "definition": attrs.get("definition", ""),
            "alt_labels": list(attrs.get("alt_labels", [])),
            "properties": _props(attrs.get("properties", {})),
            "parts": _parts(attrs.get("parts", [])),
            "dosing": dosing,
            "identifiers": [
                {
                    "iri": ident["iri"],
                    "label": identifier_label(ident["iri"]),
                    "relation": ident.get("relation", ""),
                }
                for ident in attrs.get("identifiers", [])
            ],
            "sources": list(attrs.get("sources", [])),
            "search": _search_text(attrs, n),
        }
    edges: list[dict[str, Any]] = []
    edge_details: dict[str, dict[str, Any]] = {}
    relations: dict[str, dict[str, Any]] = {}
    edge_list = sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    for i, (u, v, key, data) in enumerate(edge_list):
        eid = f"e{i}"
        severity = data.get("severity", "") if data.get("severity", "") in EDGE_STYLE else ""
        style = EDGE_STYLE[severity]
        label = data.get("label") or property_label(str(key))
        predicate = data.get("predicate", str(key))
        width = style["width"] + (1.0 if data.get("potentially_fatal") else 0.0)
        edge: dict[str, Any] = {
            "id": eid,
            "from": u,
            "to": v,
            "rel": predicate,
            "severity": severity,
            "width": width,
            "dashes": style["dashes"],
            "color": {"color": style["color"], "highlight": style["color"], "opacity": 0.9},
        }
        if not large:
            edge["label"] = label
        edges.append(edge)
        relation = relations.setdefault(predicate, {"iri": predicate, "label": label, "count": 0})
        relation["count"] += 1
        edge_details[eid] = {
            "label": label,
            "predicate": predicate,
            "severity": data.get("severity", ""),
            "potentially_fatal": bool(data.get("potentially_fatal", False)),
            "frequency": data.get("frequency", ""),
            "sources": list(data.get("sources", [])),
            "associations": list(data.get("associations", [])),
            "properties": _props(data.get("properties", {})),
        }
    counts: dict[str, int] = {}
    for group in groups.values():
        counts[group.key] = counts.get(group.key, 0) + 1
    return {
        "title": title,
        "large": large,
        "seed": seed,
        "physics_threshold": physics_threshold,
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "color": g.color,
                "shape": g.shape,
                "count": counts[g.key],
            }
            for g in GROUPS
            if g.key in counts
        ],
        "relations": sorted(relations.values(), key=lambda r: (r["label"], r["iri"])),
        "edge_styles": {k or "other": v for k, v in EDGE_STYLE.items()},
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "edge_details": edge_details,
    }


# --------------------------------------------------------------------------------------------
# The HTML
# --------------------------------------------------------------------------------------------


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
    return resources.files("mskg").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")


def vis_assets() -> tuple[str, str]:
    """vis-network's minified script and its style sheet, from the installed pyvis package."""
    try:
        lib = resources.files("pyvis").joinpath("templates", "lib", f"vis-{VIS_VERSION}")
        js = lib.joinpath("vis-network.min.js").read_text(encoding="utf-8")
        css = lib.joinpath("vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise MskgError(
            f"vis-network {VIS_VERSION} not found in the pyvis package ({exc}); "
            "install mskg's dependencies (pip install pyvis)"
        ) from exc
    return js, css


def render_html(
    network: nx.MultiDiGraph,
    *,
    title: str = "mskg",
    physics_threshold: int = DEFAULT_PHYSICS_THRESHOLD,
    seed: int = DEFAULT_SEED,
) -> str:
    """One self-contained HTML page drawing ``network`` (from :func:`mskg.to_networkx`)."""
    data = page_data(network, title=title, physics_threshold=physics_threshold, seed=seed)
    vis_js, vis_css = vis_assets()
    values = {
        "TITLE": html.escape(title, quote=True),
        "SUMMARY": html.escape(
            f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges", quote=True
        ),
        "VIS_CSS": _inline_safe(vis_css, "style"),
        "APP_CSS": _inline_safe(_template("viz.css"), "style"),
        "VIS_JS": _inline_safe(vis_js, "script"),
        "APP_JS": _inline_safe(_template("viz.js"), "script"),
        "DATA": script_json(data),
    }
    # One pass: text substituted in is never scanned for placeholders again.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], _template("viz.html"))


def write_html(text: str, out: Path | str) -> Path:
    """Write the page atomically (a temporary file beside ``out``, then one rename)."""
    from mskg.atomic import atomic_write

    path = Path(out)
    atomic_write(path, text)
    # The temporary file was private (0600); a page is for reading: rw-r--r-- less the umask.
    mask = os.umask(0)
    os.umask(mask)
    path.chmod(0o666 & ~mask)
    return path


def visualize(
    graph: Graph,
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
        title = "mskg"
        if focus is not None:
            title += f": {focus} ({hops} hop{'s' if hops != 1 else ''})"
        if query_name is not None:
            title += f": {query_name}"
    text = render_html(network, title=title, physics_threshold=physics_threshold)
    return write_html(text, out), network


def open_in_browser(path: Path) -> bool:
    """Open the written page in the default browser."""
    return webbrowser.open(path.resolve().as_uri())
