"""The graph as one self-contained, interactive HTML page (vis-network, no outside requests).

What is drawn is :func:`mskg.netx.to_networkx`'s readable projection (see that module): things
are nodes, relations are edges, association nodes become edge qualifiers (severity, potentially
fatal, frequency, source), literals such as doses go to the details panel. Dosing regimens and
cumulative dose limits are nodes of class "dosing"; their phases are folded into them, and a
treatment's details panel repeats the dosing of the regimens it points to.

The page:

* colours and shapes nodes by class (:data:`GROUPS`) with a legend, sizes them by degree, draws
  serious adverse effects as solid red edges (thicker when they can be fatal) and common ones
  as dashed amber edges;
* stays readable at any zoom: node labels are never drawn smaller than 11 px (long ones wrap),
  edge labels are shown for the selected or hovered node's relations and, zoomed in, for every
  edge in view, each only where it covers no other label; clicking a node highlights its
  neighbourhood (the rest is dimmed) and zooms to it;
* has a search box (label, other names, brand names, IRI), filters by class and by relation, and
  a details panel (definition, properties, dosing, relations, cross-reference links, sources);
  a ``--focus`` page opens with its node selected and its details shown;
* stabilises with tuned forceAtlas2 physics that is switched off once the layout has come to
  rest; above ``physics_threshold`` nodes (where the browser's physics takes seconds and may not
  come to rest) the positions are computed here instead, by :func:`layout_positions`, a seeded
  multilevel force layout in pure Python (5,000 nodes in about 2 s; networkx's own layouts,
  which need numpy and scipy, take 40 s and more), and physics is off;
* says "Nothing to draw" when the graph, query or filter selected no nodes;
* inlines vis-network's script, read from the installed pyvis package, plus
  mskg's own template (``mskg/templates/viz.*``): no CDN, works offline and from ``file://``;
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
DEFAULT_PHYSICS_THRESHOLD = 250
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

    @property
    def border(self) -> str:
        """The fill colour, darkened: outlines that read on white and on the fill."""
        r, g, b = (int(self.color[i : i + 2], 16) for i in (1, 3, 5))
        return "#{:02x}{:02x}{:02x}".format(*(round(c * 0.6) for c in (r, g, b)))


#: Display classes in priority order: a node takes the first group one of its types is in.
#: Colours: the three kinds of treatment are blues and a teal, told apart from the blue-grey of
#: administration; adverse effects are a light coral, so the saturated red of serious-effect
#: edges stands out against them; shapes tell classes apart where colours are close.
GROUPS: tuple[Group, ...] = (
    Group(
        "dmt", "disease-modifying therapy", "#1f4e9c", "diamond", (_M + "DiseaseModifyingTherapy",)
    ),
    Group("relapse", "relapse treatment", "#0f9d68", "diamond", (_M + "RelapseTreatment",)),
    Group(
        "treatment",
        "drug or other treatment",
        "#5b9bd5",
        "diamond",
        tuple(
            _M + c for c in ("Drug", "BloodProduct", "Procedure", "InfusionTreatment", "Treatment")
        ),
    ),
    Group("mechanism", "mechanism of action", "#7b4fb8", "hexagon", (_M + "MechanismOfAction",)),
    Group("action", "type of action", "#c3b1e1", "hexagon", (_M + "ActionType",)),
    Group("cell", "cell type", "#2e9e4f", "triangle", (_M + "CellType",)),
    Group("molecule", "molecule", "#9ccc65", "triangle", (_M + "MolecularEntity",)),
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
        "#8c510a",
        "square",
        (_M + "Disease", _M + "DiseaseEpisode"),
    ),
    Group("adverse", "adverse effect", "#ffa39a", "dot", (_M + "AdverseEffect",)),
    Group("symptom", "symptom", "#d99ee0", "triangleDown", (_M + "Symptom",)),
    Group(
        "dosing",
        "dosing",
        "#e6c200",
        "star",
        (
            _M + "DosingRegimen",
            _M + "CumulativeDoseLimit",
            _M + "DosingPhase",
            _M + "DosingPhaseType",
        ),
    ),
    Group("drugclass", "drug class", "#455a64", "dot", (_M + "DrugClass",)),
    Group(
        "administration",
        "administration or setting",
        "#90a4ae",
        "triangleDown",
        (_M + "AdministrationMethod", _M + "CareSetting"),
    ),
    Group(
        "approval",
        "regulatory approval or agency",
        "#9e9d24",
        "square",
        (_M + "RegulatoryApproval", _M + "RegulatoryAgency"),
    ),
    Group("anatomy", "anatomy", "#d7b98e", "hexagon", (_M + "AnatomicalStructure",)),
    Group("restriction", "usage restriction", "#6d6d6d", "star", (_M + "UsageRestriction",)),
    Group("other", "other", "#bdbdbd", "dot", ()),
)
_GROUP_BY_CLASS = {cls: group for group in reversed(GROUPS) for cls in group.classes}
_GROUPS_BY_KEY = {group.key: group for group in GROUPS}

#: How adverse-effect edges are drawn: serious solid red (thicker when it can be fatal),
#: common dashed amber, every other relation thin grey.
EDGE_STYLE: dict[str, dict[str, Any]] = {
    "serious": {"color": "#c62828", "width": 2.4, "dashes": False},
    "common": {"color": "#ee9a1a", "width": 1.6, "dashes": [6, 4]},
    "": {"color": "#9aa5b4", "width": 1.1, "dashes": False},
}
#: Extra width of a serious edge whose effect can be fatal.
FATAL_EXTRA_WIDTH = 1.8

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
    """The graph a SPARQL CONSTRUCT query returns; any other query form is refused.

    The query goes through the one read-only guard (:func:`mskg.query.prepare_query`).
    """
    from mskg.query import prepare_query, query_from_text, run_query

    query = query_from_text(query_text, name or "<query>")
    form = prepare_query(query).algebra.name
    if form != "ConstructQuery":
        kind = form.replace("Query", "").upper() or form
        raise QueryError(
            f"mskg viz --query needs a CONSTRUCT query (it draws the triples it returns); "
            f"this is a {kind} query",
            name=name,
        )
    result = run_query(query, graph)
    assert result.graph is not None  # a CONSTRUCT query always returns a graph
    return result.graph


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
    # Suggest treatments only: a near miss of "rituximab" should not offer "chemotherapy drug".
    candidates = sorted(
        {
            c
            for _, attrs in network.nodes(data=True)
            if group_of(attrs).key in _TREATMENT_GROUPS
            for c in _names(attrs)
        }
    )
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
        center = find_node(network, focus)
        network = neighbourhood(network, center, hops)
        network.graph["focus"] = center  # the page selects it and shows its details
    if types:
        network = filter_types(network, types, graph)
    return network


# --------------------------------------------------------------------------------------------
# Layout for large graphs
# --------------------------------------------------------------------------------------------


def layout_positions(
    network: nx.MultiDiGraph, seed: int = DEFAULT_SEED, spacing: float = 80.0
) -> dict[str, tuple[float, float]]:
    """Deterministic positions (pixels) for every node, for graphs too large for the browser's
    physics: a multilevel force layout per connected component, components packed in rows,
    largest first.

    Pure Python (numpy is not a dependency): each component is coarsened by merging every node
    into a neighbouring hub (a maximal independent set, highest degree first) until about 40
    clusters are left; the clusters are laid out with Fruchterman-Reingold, then each finer level
    starts from its cluster's position and is refined with a few cheap iterations (repulsion only
    between nodes in neighbouring grid cells). 5,000 nodes take about a second.
    """
    nodes = sorted(network.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    neighbours: list[set[int]] = [set() for _ in nodes]
    for u, v in network.edges():
        i, j = index[u], index[v]
        if i != j:
            neighbours[i].add(j)
            neighbours[j].add(i)
    seen = [False] * len(nodes)
    components: list[list[int]] = []
    for start in range(len(nodes)):
        if seen[start]:
            continue
        seen[start] = True
        comp, frontier = [start], [start]
        while frontier:
            nxt = []
            for i in frontier:
                for j in neighbours[i]:
                    if not seen[j]:
                        seen[j] = True
                        nxt.append(j)
            comp.extend(nxt)
            frontier = sorted(nxt)
        components.append(sorted(comp))
    components.sort(key=lambda c: (-len(c), c[0]))
    rng = random.Random(seed)
    boxes: list[tuple[list[int], list[tuple[float, float]], float, float]] = []
    for comp in components:
        local = {g: i for i, g in enumerate(comp)}
        adjacency = [dict.fromkeys(sorted(local[j] for j in neighbours[g]), 1.0) for g in comp]
        coords = _multilevel_layout(adjacency, rng)
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
        for i, (x, y) in zip(comp, coords, strict=True):
            positions[nodes[i]] = (round((x0 + x) * spacing), round((y0 + y) * spacing))
        x0 += w + 2
        row_height = max(row_height, h)
    return positions


_COARSEST = 40
#: Repulsion is this much stronger than in textbook Fruchterman-Reingold: limited to near pairs,
#: it has no pressure (inside a crowd the pushes cancel out), and the springs would otherwise
#: pack a large graph several times denser than the node sizes ask for.
_REPULSION = 30.0


def _coarsen(
    adjacency: list[dict[int, float]], mass: list[float]
) -> tuple[list[int], list[dict[int, float]]] | None:
    """Merge nodes into clusters: (cluster of each node, the clusters' adjacency), or None when
    that would not shrink the graph enough to be worth a level.

    Seeds are a maximal independent set, highest degree first; every other node joins the
    lightest neighbouring seed that has room (a cluster holds at most four times the mean
    mass, so one hub cannot swallow the graph level after level), or else seeds its own
    cluster. Leaves always join their only neighbour: a drug's private effects go with it."""
    n = len(adjacency)
    order = sorted(range(n), key=lambda i: (-len(adjacency[i]), i))
    hub = [False] * n
    for i in order:
        if len(adjacency[i]) > 1 and not any(hub[j] for j in adjacency[i]):
            hub[i] = True
    cap = 4.0 * sum(mass) / n
    cluster = [-1] * n
    weight: list[float] = []
    for i in range(n):
        if hub[i]:
            cluster[i] = len(weight)
            weight.append(mass[i])
    for i in order:
        if hub[i]:
            continue
        seeds = [j for j in adjacency[i] if hub[j]]
        if len(adjacency[i]) == 1 and seeds:
            best = seeds[0]
        else:
            roomy = [j for j in seeds if weight[cluster[j]] + mass[i] <= cap]
            if not roomy:
                continue
            best = min(roomy, key=lambda j: (weight[cluster[j]], -len(adjacency[j]), j))
        cluster[i] = cluster[best]
        weight[cluster[best]] += mass[i]
    for i in range(n):
        if cluster[i] < 0:
            cluster[i] = len(weight)
            weight.append(mass[i])
    count = len(weight)
    if count > 0.8 * n or count < 8 <= n:
        return None  # barely shrinks, or would leave too few clusters to lay out
    # A coarse edge weighs as many fine edges as it stands for.
    coarse: list[dict[int, float]] = [{} for _ in range(count)]
    for i in range(n):
        for j, w in adjacency[i].items():
            a, b = cluster[i], cluster[j]
            if a != b:
                coarse[a][b] = coarse[a].get(b, 0.0) + w
    return cluster, coarse


def _multilevel_layout(
    adjacency: list[dict[int, float]], rng: random.Random
) -> list[tuple[float, float]]:
    n = len(adjacency)
    if n == 1:
        return [(0.0, 0.0)]
    # How many original nodes each cluster holds, at every level: a cluster takes the room of
    # its members (its radius grows as the square root of their number).
    levels = [adjacency]
    masses = [[1.0] * n]
    clusters: list[list[int]] = []
    while len(levels[-1]) > _COARSEST:
        step = _coarsen(levels[-1], masses[-1])
        if step is None:
            break
        parent, coarse = step
        mass = [0.0] * len(coarse)
        for i, c in enumerate(parent):
            mass[c] += masses[-1][i]
        clusters.append(parent)
        levels.append(coarse)
        masses.append(mass)
    top = levels[-1]
    radius = [math.sqrt(m) for m in masses[-1]]
    side = math.sqrt(n) * 1.2
    xs = [rng.uniform(0, side) for _ in top]
    ys = [rng.uniform(0, side) for _ in top]
    # Repulsion between all pairs here (the graph is small), so the overall shape is right.
    reach = 1e6 if len(top) <= 200 else 2.0
    _fruchterman_reingold(xs, ys, top, radius, 100 if len(top) <= 500 else 50, side / 5, rng, reach)
    for level in range(len(levels) - 2, -1, -1):
        fine = levels[level]
        parent = clusters[level]
        mass = masses[level]
        # Each cluster's members start on a sunflower spiral around it, spaced by their size,
        # so the refinement begins near the right density and needs few iterations.
        fx = [0.0] * len(fine)
        fy = [0.0] * len(fine)
        filled = [0.0] * len(top)
        turn = [rng.uniform(0, 2 * math.pi) for _ in top]
        count = [0] * len(top)
        for i, c in enumerate(parent):
            r = 0.75 * math.sqrt(filled[c] + (mass[i] / 2 if count[c] else 0.0))
            angle = turn[c] + count[c] * _GOLDEN_ANGLE
            fx[i] = xs[c] + r * math.cos(angle)
            fy[i] = ys[c] + r * math.sin(angle)
            filled[c] += mass[i]
            count[c] += 1
        xs, ys, top = fx, fy, fine
        radius = [math.sqrt(m) for m in mass]
        iterations = 30 if len(fine) <= 500 else 12 if len(fine) <= 2000 else 8
        lengths = sorted(
            math.hypot(xs[i] - xs[j], ys[i] - ys[j]) for i in range(len(fine)) for j in fine[i]
        )
        # Steps up to a typical edge's length: enough to untangle, not to scatter.
        temperature = lengths[len(lengths) // 2]
        _fruchterman_reingold(xs, ys, fine, radius, iterations, temperature, rng)
    _spread(xs, ys, radius)
    return list(zip(xs, ys, strict=True))


def _spread(xs: list[float], ys: list[float], radius: list[float]) -> None:
    """Scale the layout so that a typical node's nearest neighbour is about one size away."""
    n = len(xs)
    if n < 3:
        return
    cell = 2.0 * sorted(radius)[n // 2]
    grid: dict[tuple[int, int], list[int]] = {}
    for i in range(n):
        grid.setdefault((math.floor(xs[i] / cell), math.floor(ys[i] / cell)), []).append(i)
    ratios = []
    for (cx, cy), members in grid.items():
        near = [
            j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((cx + ox, cy + oy), ())
        ]
        for i in members:
            best = math.inf
            for j in near:
                if j != i:
                    d = math.hypot(xs[i] - xs[j], ys[i] - ys[j]) / ((radius[i] + radius[j]) * 0.5)
                    best = min(best, d)
            if best < math.inf:
                ratios.append(best)
    if len(ratios) < n // 2:
        return  # already sparse: most nodes have nobody close
    ratios.sort()
    typical = ratios[len(ratios) // 2]
    if typical <= 0:
        return
    scale = 1.0 / typical
    mid_x = sum(xs) / n
    mid_y = sum(ys) / n
    for i in range(n):
        xs[i] = mid_x + (xs[i] - mid_x) * scale
        ys[i] = mid_y + (ys[i] - mid_y) * scale


_HALF_NEIGHBOURHOOD = ((1, -1), (1, 0), (1, 1), (0, 1))
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _fruchterman_reingold(
    xs: list[float],
    ys: list[float],
    adjacency: list[dict[int, float]],
    radius: list[float],
    iterations: int,
    temperature: float,
    rng: random.Random,
    reach: float = 2.0,
) -> None:
    """Move ``xs``, ``ys`` in place, with Fruchterman-Reingold forces scaled to each pair's size
    ``s`` (the mean of their radii, 1 for single nodes): repulsion s²/d between nodes closer
    than 2s, attraction d²/s along edges. A grid finds the close pairs, each pair once; the few
    clusters much larger than the rest repel every node directly. Springs to hubs are weakened
    (as in ForceAtlas2's hub dissuasion), so a drug with hundreds of effects does not pull them
    all into one clump. The step is capped by a temperature that falls linearly to zero."""
    n = len(xs)
    ordered = sorted(radius)
    normal = ordered[min(n - 1, int(n * 0.98))]
    big = [i for i in range(n) if radius[i] > normal]
    is_big = set(big)
    edges = [
        (
            i,
            j,
            2.0
            * w
            / (radius[i] + radius[j])
            / math.sqrt(max(len(adjacency[i]), len(adjacency[j]))),
        )
        for i in range(n)
        for j, w in adjacency[i].items()
        if i < j
    ]
    cell = reach * normal
    near2 = reach * reach
    cool = temperature / (iterations + 1)
    floor = math.floor
    sqrt = math.sqrt
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            if i in is_big:
                continue
            key = (floor(xs[i] / cell), floor(ys[i] / cell))
            members = grid.get(key)
            if members is None:
                grid[key] = [i]
            else:
                members.append(i)
        for (cx, cy), members in grid.items():
            others = [members]
            for ox, oy in _HALF_NEIGHBOURHOOD:
                near = grid.get((cx + ox, cy + oy))
                if near is not None:
                    others.append(near)
            for a, i in enumerate(members):
                xi, yi, ri = xs[i], ys[i], radius[i]
                fx = fy = 0.0
                for o, group in enumerate(others):
                    for j in group[a + 1 :] if o == 0 else group:
                        ddx = xi - xs[j]
                        ddy = yi - ys[j]
                        d2 = ddx * ddx + ddy * ddy
                        size = (ri + radius[j]) * 0.5
                        s2 = size * size
                        if d2 >= near2 * s2:
                            continue
                        if d2 < 1e-9:
                            ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                        f = _REPULSION * s2 / d2
                        fx += ddx * f
                        fy += ddy * f
                        dx[j] -= ddx * f
                        dy[j] -= ddy * f
                dx[i] += fx
                dy[i] += fy
        for b in big:
            xb, yb, rb = xs[b], ys[b], radius[b]
            for j in range(n):
                if j == b or (j in is_big and j < b):
                    continue
                ddx = xb - xs[j]
                ddy = yb - ys[j]
                d2 = ddx * ddx + ddy * ddy
                size = (rb + radius[j]) * 0.5
                s2 = size * size
                if d2 >= near2 * s2:
                    continue
                if d2 < 1e-9:
                    ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                f = _REPULSION * s2 / d2
                dx[b] += ddx * f
                dy[b] += ddy * f
                dx[j] -= ddx * f
                dy[j] -= ddy * f
        for i, j, weight in edges:
            ddx = xs[i] - xs[j]
            ddy = ys[i] - ys[j]
            f = weight * sqrt(ddx * ddx + ddy * ddy)
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            d = sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > temperature:
                xs[i] += dx[i] * temperature / d
                ys[i] += dy[i] * temperature / d
            else:
                xs[i] += dx[i]
                ys[i] += dy[i]
        temperature -= cool


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


#: Edge severities, in the order of the codes used in the page data.
SEVERITIES = ("", "serious", "common")


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
    """
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

    nodes: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    for n in node_ids:
        attrs = network.nodes[n]
        group = groups[n]
        size = min(42.0, (6.0 if large else 12.0) + (3.0 if large else 4.0) * math.sqrt(degree[n]))
        item: dict[str, Any] = {
            "id": n,
            "label": attrs.get("label") or n,
            "cls": group.key,
            "size": round(size, 1),
        }
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
                    _compact(
                        {
                            "id": target,
                            "label": t_attrs.get("label") or target,
                            "relation": data.get("label", ""),
                            "properties": _props(t_attrs.get("properties", {})),
                            "parts": [_compact(p) for p in _parts(t_attrs.get("parts", []))],
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
                "properties": _props(attrs.get("properties", {})),
                "parts": [_compact(p) for p in _parts(attrs.get("parts", []))],
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
    edges: list[list[Any]] = []
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
    for i, (u, v, key, data) in enumerate(edge_list):
        severity = data.get("severity", "")
        edges.append(
            [
                node_index[u],
                node_index[v],
                relation_index[data.get("predicate", str(key))],
                SEVERITIES.index(severity) if severity in SEVERITIES else 0,
                1 if data.get("potentially_fatal") else 0,
            ]
        )
        extra = _compact(
            {
                "frequency": data.get("frequency", ""),
                "sources": source_refs(list(data.get("sources", []))),
                "properties": _props(data.get("properties", {})),
            }
        )
        if extra:
            edge_details[f"e{i}"] = extra
    counts: dict[str, int] = {}
    for group in groups.values():
        counts[group.key] = counts.get(group.key, 0) + 1
    return {
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
    """Open the written page in the default browser; False when Python found none to use."""
    try:
        return webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        return False
