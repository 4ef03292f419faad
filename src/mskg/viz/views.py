"""The graph page's two other views, as data: the effect matrix and the dosing timeline.

Both cover the treatments of the drawing (the nodes of a treatment group, :mod:`mskg.viz.style`)
and are read from the graph by SPARQL, through one path for an rdflib graph (wrapped in the
memory store) and for any other store (Oxigraph, a SPARQL endpoint): no file is read, and a
store is asked only about those treatments.

**The effect matrix** has a cell for each treatment and adverse effect it is linked to by
``mskg:hasCommonAdverseEffect``, ``mskg:hasSeriousAdverseEffect`` or ``mskg:hasInfusionReaction``.
A cell says, for each of "common", "serious", "infusion" (reaction), "fatal" (a statement says
``mskg:potentiallyFatal true``) and "rare" (``mskg:frequency mskg:Rare``), which source layers
say so: the layer keys of the statement nodes' sources (``prov:wasDerivedFrom``, then
``dcterms:isPartOf`` once, as the named queries walk it), ``""`` for a link asserted with no
statement in a layer ("other sources"). Each effect has the labels of its ``mskg:hasSymptom``
objects.

**The dosing timeline** places each regimen's doses over the first :data:`WINDOW_DAYS` from the
structured data alone (durations in days, :func:`mskg.viz.labels.duration_days`):

* a regimen's first phase starts at day 0; a phase with ``mskg:startsAfter`` starts that long
  after the regimen's first dose; a maintenance phase without it follows the phase before, one
  of its own intervals after that phase's last dose;
* a phase gives ``mskg:numberOfDoses`` doses ``mskg:doseInterval`` apart, or, without a number,
  repeats at its interval to the end of the window; a phase with neither gives one dose (a
  course the data does not split into days), and one that only has ``mskg:minimumDoseInterval``
  one dose marked as repeated no sooner than that;
* any other phase (a repeat course "when needed", with no start) is listed as not placed, with
  the reason, never guessed;
* a cumulative dose limit (``mskg:hasCumulativeDoseLimit``) in the unit of a regimen's doses
  ends that regimen at the last dose that keeps the total within the limit; its "usually reached
  after" span is given in days.

Treatments with no regimen are listed by name, as having no structured schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from mskg.graph.network import best_literal
from mskg.viz.labels import duration_days, humanize_duration
from mskg.viz.style import TREATMENT_GROUPS, group_of

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from mskg.stores.base import Store


#: The span the timeline shows: the first three years of treatment, in days.
WINDOW_DAYS = 3 * 365.25

_M = "https://w3id.org/mskg/ontology/"

#: The links a matrix cell shows, by the key the page uses.
EFFECT_LINKS = {
    "common": _M + "hasCommonAdverseEffect",
    "serious": _M + "hasSeriousAdverseEffect",
    "infusion": _M + "hasInfusionReaction",
}

_PREFIXES = """PREFIX mskg: <https://w3id.org/mskg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
"""

# The layers of a statement, regimen, phase or limit: its sources, or the documents they are
# part of, as the named queries (dosing-schedules.rq, drugs-with-effect.rq) walk them. Two
# spellings of one walk, each where it is fast on both rdflib and Oxigraph: inside the effect
# query's OPTIONAL, Oxigraph evaluates the path over every derived node of the store (40 s on a
# store with 30,000 unrelated triples; 0.3 s as the UNION), while in the dosing query rdflib
# takes twice as long over the UNION as over the path. Same rows either way.
_LAYER_OF_PATH = "prov:wasDerivedFrom/dcterms:isPartOf? ?doc . ?doc mskg:sourceLayer ?layer ."
_LAYER_OF_UNION = (
    "prov:wasDerivedFrom ?source . { ?source mskg:sourceLayer ?layer } "
    "UNION { ?source dcterms:isPartOf ?doc . ?doc mskg:sourceLayer ?layer }"
)

# One branch per link, each with its property written out: rdflib evaluates a pattern with a
# variable predicate over the whole graph before it reads the VALUES.
_EFFECTS = (
    _PREFIXES
    + """SELECT ?drug ?property ?effect ?effectLabel ?statement ?fatal ?frequency ?layer
WHERE {
  VALUES ?drug { %(drugs)s }
  %(links)s
  OPTIONAL { ?effect rdfs:label ?effectLabel }
  OPTIONAL {
    ?statement rdf:subject ?drug ; rdf:predicate ?property ; rdf:object ?effect .
    OPTIONAL { ?statement mskg:potentiallyFatal ?fatal }
    OPTIONAL { ?statement mskg:frequency ?frequency }
    OPTIONAL { ?statement %(layer_of)s }
  }
}"""
)

_SYMPTOMS = (
    _PREFIXES
    + """SELECT ?effect ?symptom ?symptomLabel
WHERE {
  VALUES ?effect { %s }
  ?effect mskg:hasSymptom ?symptom .
  OPTIONAL { ?symptom rdfs:label ?symptomLabel }
}"""
)

# The regimens or the limits (one query each) with their values, one row per value.
_DOSING = (
    _PREFIXES
    + """SELECT ?drug ?item ?p ?o
WHERE {
  VALUES ?drug { %s }
  ?drug <%s> ?item .
  ?item ?p ?o .
}"""
)

_PHASES = (
    _PREFIXES
    + """SELECT ?regimen ?phase ?p ?o
WHERE {
  VALUES ?drug { %s }
  ?drug mskg:hasDosingRegimen ?regimen .
  ?regimen mskg:hasPhase ?phase .
  ?phase ?p ?o .
}"""
)

_DOSING_LAYERS = (
    _PREFIXES
    + """SELECT DISTINCT ?item ?layer
WHERE {
  VALUES ?drug { %s }
  { ?drug mskg:hasDosingRegimen ?item }
  UNION { ?drug mskg:hasCumulativeDoseLimit ?item }
  UNION { ?drug mskg:hasDosingRegimen ?regimen . ?regimen mskg:hasPhase ?item }
  ?item %s
}"""
)


def _select(source: Graph | Store, sparql: str) -> list[tuple[Node | None, ...]]:
    """Rows of an internal SELECT (built here from the drawing's IRIs), on a graph or a store."""
    from rdflib import Graph as RdfGraph

    from mskg.stores.memory import MemoryStore

    store = MemoryStore(source) if isinstance(source, RdfGraph) else source
    return store.query(sparql, guard=False, name="mskg viz views").rows


def _values(iris: Iterable[str]) -> str:
    from mskg.viz.fetch import nameable

    return " ".join(f"<{iri}>" for iri in sorted(set(iris)) if nameable(URIRef(iri)))


def drawn_treatments(network: nx.MultiDiGraph) -> list[dict[str, str]]:
    """The treatments of ``network``, as ``{"id", "label"}``, by label."""
    found = [
        {"id": str(n), "label": str(attrs.get("label") or n)}
        for n, attrs in network.nodes(data=True)
        if group_of(attrs).key in TREATMENT_GROUPS
    ]
    return sorted(found, key=lambda t: (t["label"].lower(), t["id"]))


def _layer_key(layer: Node | None, keys: dict[str, str]) -> str:
    """The page's key of a layer (its ``skos:notation``, from the drawing's layer records)."""
    if layer is None:
        return ""
    iri = str(layer)
    return keys.get(iri) or iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def view_data(source: Graph | Store, network: nx.MultiDiGraph) -> dict[str, Any]:
    """The data of both views for the treatments ``network`` draws (see the module)."""
    treatments = drawn_treatments(network)
    keys = {r["iri"]: r["key"] for r in network.graph.get("layers", [])}
    return {
        "matrix": effect_matrix(source, treatments, keys),
        "timeline": dosing_timeline(source, treatments, keys),
    }


def effect_matrix(
    source: Graph | Store, treatments: list[dict[str, str]], layer_keys: dict[str, str]
) -> dict[str, Any]:
    """Treatments by adverse effect: ``treatments``, ``effects`` (``id``, ``label``,
    ``symptoms``), and ``cells`` as ``[treatment index, effect index, marks]``, where ``marks``
    maps "common", "serious", "infusion", "fatal", "rare" to the sorted layer keys saying so."""
    values = _values(t["id"] for t in treatments)
    if not values:
        return {"treatments": [], "effects": [], "cells": []}
    links = {v: k for k, v in EFFECT_LINKS.items()}
    branches = " UNION ".join(
        f"{{ ?drug <{p}> ?effect . BIND(<{p}> AS ?property) }}" for p in EFFECT_LINKS.values()
    )
    rows = _select(
        source, _EFFECTS % {"drugs": values, "links": branches, "layer_of": _LAYER_OF_UNION}
    )
    labels: dict[str, list[Node]] = {}
    marks: dict[tuple[str, str], dict[str, set[str]]] = {}
    for drug, prop, effect, effect_label, statement, fatal, frequency, layer in rows:
        if drug is None or effect is None or isinstance(effect, Literal):
            continue
        e = str(effect)
        labels.setdefault(e, [])
        if effect_label is not None:
            labels[e].append(effect_label)
        cell = marks.setdefault((str(drug), e), {})
        kind = links[str(prop)]
        key = _layer_key(layer, layer_keys) if statement is not None else ""
        cell.setdefault(kind, set()).add(key)
        if isinstance(fatal, Literal) and fatal.toPython() is True:
            cell.setdefault("fatal", set()).add(key)
        if frequency is not None and str(frequency) == _M + "Rare":
            cell.setdefault("rare", set()).add(key)
    # A layer named beside "" (a statement with no layered source) is what says so.
    for cell in marks.values():
        for found in cell.values():
            if len(found) > 1:
                found.discard("")
    effect_ids = sorted(labels, key=lambda e: (best_literal(labels[e]).lower() or e, e))
    symptoms: dict[str, dict[str, list[Node]]] = {}
    if effect_ids:
        for effect, symptom, symptom_label in _select(source, _SYMPTOMS % _values(effect_ids)):
            names = symptoms.setdefault(str(effect), {}).setdefault(str(symptom), [])
            if symptom_label is not None:
                names.append(symptom_label)
    effects = [
        {
            "id": e,
            "label": best_literal(labels[e]) or e,
            "symptoms": sorted(
                (best_literal(names) or s for s, names in symptoms.get(e, {}).items()),
                key=str.lower,
            ),
        }
        for e in effect_ids
    ]
    t_index = {t["id"]: i for i, t in enumerate(treatments)}
    e_index = {e: i for i, e in enumerate(effect_ids)}
    cells = [
        [t_index[d], e_index[e], {k: sorted(v) for k, v in sorted(cell.items())}]
        for (d, e), cell in marks.items()
        if d in t_index
    ]
    cells.sort(key=lambda c: (c[0], c[1]))
    return {"treatments": treatments, "effects": effects, "cells": cells}


def _number(value: Node | None) -> float | None:
    if not isinstance(value, Literal):
        return None
    try:
        return float(value.toPython())
    except (TypeError, ValueError):
        return None


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    number = f"{value:g}"
    return f"{number} {unit}".strip()


def dosing_timeline(
    source: Graph | Store, treatments: list[dict[str, str]], layer_keys: dict[str, str]
) -> dict[str, Any]:
    """Each treatment's schedule over the first :data:`WINDOW_DAYS` (see the module):
    ``window_days``, ``lanes`` (one per treatment with a regimen: ``id``, ``label``,
    ``regimens``, ``limits``) and ``unscheduled`` (the other treatments, ``id`` and ``label``)."""
    values = _values(t["id"] for t in treatments)
    lanes: list[dict[str, Any]] = []
    if not values:
        return {"window_days": WINDOW_DAYS, "lanes": [], "unscheduled": []}
    items: dict[str, dict[str, Any]] = {}
    for link in (_M + "hasDosingRegimen", _M + "hasCumulativeDoseLimit"):
        for drug, item, p, o in _select(source, _DOSING % (values, link)):
            record = items.setdefault(str(item), {"drug": str(drug), "link": link, "values": {}})
            record["values"].setdefault(str(p), []).append(o)
    phases: dict[str, dict[str, list[Node]]] = {}
    phase_of: dict[str, list[str]] = {}
    for regimen, phase, p, o in _select(source, _PHASES % values):
        if o is None:
            continue
        phases.setdefault(str(phase), {}).setdefault(str(p), []).append(o)
        owned = phase_of.setdefault(str(regimen), [])
        if str(phase) not in owned:
            owned.append(str(phase))
    layers: dict[str, set[str]] = {}
    for item, layer in _select(source, _DOSING_LAYERS % (values, _LAYER_OF_PATH)):
        layers.setdefault(str(item), set()).add(_layer_key(layer, layer_keys))

    def one(vals: dict[str, list[Node]], local: str, ns: str = _M) -> Node | None:
        found = sorted(vals.get(ns + local, []), key=str)
        return found[0] if found else None

    def text(vals: dict[str, list[Node]], local: str, ns: str = _M) -> str:
        value = one(vals, local, ns)
        return "" if value is None else str(value)

    def label(iri: str, vals: dict[str, list[Node]]) -> str:
        return best_literal(vals.get("http://www.w3.org/2000/01/rdf-schema#label", [])) or iri

    schema = "http://schema.org/"
    for treatment in treatments:
        mine = {i: r for i, r in items.items() if r["drug"] == treatment["id"]}
        limits = []
        for iri, record in sorted(mine.items()):
            if record["link"] != _M + "hasCumulativeDoseLimit":
                continue
            vals = record["values"]
            reached = [
                duration_days(text(vals, "usuallyReachedAfter" + end)) for end in ("Min", "Max")
            ]
            limits.append(
                {
                    "id": iri,
                    "label": label(iri, vals),
                    "dose_value": _number(one(vals, "doseValue", schema)),
                    "dose_unit": text(vals, "doseUnit", schema),
                    "span": text(vals, "limitSpan"),
                    "reached_after_days": reached if any(d is not None for d in reached) else None,
                    "layers": sorted(layers.get(iri, set())),
                }
            )
        regimens = []
        for iri, record in sorted(mine.items()):
            if record["link"] != _M + "hasDosingRegimen":
                continue
            vals = record["values"]
            regimen_phases = [
                _phase(p, phases.get(p, {}), sorted(layers.get(p, set())))
                for p in phase_of.get(iri, [])
            ]
            regimen_phases.sort(key=lambda ph: (ph["order"] is None, ph["order"] or 0, ph["id"]))
            _place(regimen_phases)
            regimens.append(
                {
                    "id": iri,
                    "label": label(iri, vals),
                    "layers": sorted(layers.get(iri, set())),
                    "phases": regimen_phases,
                    "cap": _cap(regimen_phases, limits),
                }
            )
        if regimens:
            lanes.append({**treatment, "regimens": regimens, "limits": limits})
    scheduled = {lane["id"] for lane in lanes}
    return {
        "window_days": WINDOW_DAYS,
        "lanes": lanes,
        "unscheduled": [t for t in treatments if t["id"] not in scheduled],
    }


def _phase(iri: str, vals: dict[str, list[Node]], layers: list[str]) -> dict[str, Any]:
    """One phase's structured values (placed later by :func:`_place`)."""

    def first(local: str, ns: str = _M) -> Node | None:
        found = sorted(vals.get(ns + local, []), key=str)
        return found[0] if found else None

    def days(local: str) -> float | None:
        value = first(local)
        return None if value is None else duration_days(str(value))

    def shown(local: str) -> str:
        value = first(local)
        return "" if value is None else humanize_duration(str(value))

    phase_type = first("phaseType")
    type_key = str(phase_type).rsplit("/", 1)[-1] if phase_type is not None else ""
    order = _number(first("phaseOrder"))
    count = _number(first("numberOfDoses"))
    unit = first("doseUnit", "http://schema.org/")
    return {
        "id": iri,
        "label": best_literal(vals.get("http://www.w3.org/2000/01/rdf-schema#label", [])) or iri,
        "type": {
            "InitialPhase": "initial",
            "RepeatCoursePhase": "repeat",
            "MaintenancePhase": "maintenance",
        }.get(type_key, type_key),
        "order": int(order) if order is not None else None,
        "dose_value": _number(first("doseValue", "http://schema.org/")),
        "dose_unit": "" if unit is None else str(unit),
        "interval_days": days("doseInterval"),
        "interval": shown("doseInterval"),
        "minimum_interval": shown("minimumDoseInterval"),
        "number_of_doses": int(count) if count is not None else None,
        "starts_after_days": days("startsAfter"),
        "layers": layers,
    }


def _place(phases: list[dict[str, Any]]) -> None:
    """Give each phase its ``start`` and dose ``times`` (days), ``continues`` (repeats beyond
    its last mark), or ``unplaced`` (why it has no place); see the module."""
    last: float | None = None
    for i, phase in enumerate(phases):
        interval = phase["interval_days"]
        start = phase["starts_after_days"]
        if start is None and i == 0:
            start = 0.0
        if start is None and phase["type"] == "maintenance" and last is not None and interval:
            start = last + interval
        phase["start"] = start
        phase["times"] = []
        phase["continues"] = False
        phase["unplaced"] = ""
        if start is None:
            phase["unplaced"] = "the data gives no time for it to start"
            last = None
            continue
        count = phase["number_of_doses"]
        if count is not None and (count == 1 or interval):
            times = [start + k * (interval or 0.0) for k in range(count)]
        elif count is None and interval:
            times = []
            t = start
            while t <= WINDOW_DAYS:
                times.append(t)
                t += interval
            phase["continues"] = True
        else:
            # One dose or course the data does not split; repeated no sooner than the
            # minimum interval where one is given.
            times = [start]
            phase["continues"] = bool(phase["minimum_interval"])
        phase["times"] = [round(t, 3) for t in times if t <= WINDOW_DAYS]
        last = times[-1] if times else None


def _cap(phases: list[dict[str, Any]], limits: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Where a cumulative limit ends the regimen: the last dose whose running total stays
    within the smallest limit in the unit of its doses; the later doses are removed."""
    doses = sorted(
        (t, i, phase["dose_value"], phase["dose_unit"])
        for i, phase in enumerate(phases)
        for t in phase["times"]
    )
    if not doses or any(value is None for _, _, value, _ in doses):
        return None
    units = {unit for *_, unit in doses}
    fitting = [
        (limit["dose_value"], n)
        for n, limit in enumerate(limits)
        if limit["dose_value"] is not None and units == {limit["dose_unit"]}
    ]
    if not fitting:
        return None
    cap, limit_index = min(fitting)
    total = 0.0
    for k, (t, _, value, _) in enumerate(doses):
        if total + value > cap:
            kept = doses[:k]
            for phase in phases:
                phase["times"] = [x for x in phase["times"] if x < t]
                phase["continues"] = False
            return {
                "limit": limit_index,
                "day": kept[-1][0] if kept else 0.0,
                "doses": len(kept),
                "total": total,
                "cap": cap,
                "unit": doses[0][3],
            }
        total += value
    return None
