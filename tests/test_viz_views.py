"""The effect matrix and the dosing timeline of the graph page (mskg.viz.views), checked against
what the graph's sources say (graph/data/adverse-effects.ttl, dosing.ttl, data/labels/*.ttl),
read back from the graph's own triples, on an rdflib graph and on an Oxigraph store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDFS, Graph, Literal, URIRef

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.stores import open_store
from mskg.stores.base import Store
from mskg.viz.labels import duration_days
from mskg.viz.page import build_network, render_html
from mskg.viz.views import EFFECT_LINKS, WINDOW_DAYS, view_data
from test_viz import embedded_data

R = "https://w3id.org/mskg/resource/"
M = "https://w3id.org/mskg/ontology/"
YEAR = 365.25
MONTH = YEAR / 12


@pytest.fixture(scope="module")
def views(graph: Graph) -> dict[str, Any]:
    return build_network(graph).graph["views"]


def cell(views: dict[str, Any], drug: str, effect: str) -> dict[str, list[str]] | None:
    matrix = views["matrix"]
    t = [x["id"] for x in matrix["treatments"]].index(R + drug)
    e = [x["id"] for x in matrix["effects"]].index(R + effect)
    found = [c[2] for c in matrix["cells"] if c[0] == t and c[1] == e]
    return found[0] if found else None


def lane(views: dict[str, Any], drug: str) -> dict[str, Any]:
    (found,) = [x for x in views["timeline"]["lanes"] if x["id"] == R + drug]
    return found


def regimen(views: dict[str, Any], drug: str, layer: str) -> dict[str, Any]:
    (found,) = [r for r in lane(views, drug)["regimens"] if r["layers"] == [layer]]
    return found


def test_duration_days() -> None:
    assert duration_days("P28D") == 28
    assert duration_days("P6M") == pytest.approx(YEAR / 2)
    assert duration_days("P1Y") == YEAR
    assert duration_days("PT2H") == pytest.approx(1 / 12)
    assert duration_days("P1Y6M") == pytest.approx(1.5 * YEAR)
    assert duration_days("6 months") is None
    assert duration_days("P") is None


# --- the effect matrix ---------------------------------------------------------------------


def test_natalizumab_pml_is_serious_and_potentially_fatal_in_both_layers(
    views: dict[str, Any],
) -> None:
    # adverse-effects.ttl (ae-natalizumab-pml, the article's natalizumab section: serious, rare,
    # potentially fatal) and labels/natalizumab.ttl (label-ae-natalizumab-pml, the boxed
    # warning: serious, potentially fatal).
    assert cell(views, "natalizumab", "pml") == {
        "fatal": ["article", "label"],
        "rare": ["article"],
        "serious": ["article", "label"],
    }
    # ocrelizumab's PML: the article only; natalizumab's headache: common, in both layers.
    assert cell(views, "ocrelizumab", "pml") == {"fatal": ["article"], "serious": ["article"]}
    assert cell(views, "natalizumab", "headache") == {"common": ["article", "label"]}
    assert cell(views, "plasmapheresis", "pml") is None


def test_every_link_of_the_graph_is_a_cell_and_nothing_else(
    graph: Graph, views: dict[str, Any]
) -> None:
    matrix = views["matrix"]
    treatments = {t["id"] for t in matrix["treatments"]}
    expected: dict[tuple[str, str], set[str]] = {}
    for kind, predicate in EFFECT_LINKS.items():
        for s, o in graph.subject_objects(URIRef(predicate)):
            if str(s) in treatments:
                expected.setdefault((str(s), str(o)), set()).add(kind)
    found = {
        (matrix["treatments"][t]["id"], matrix["effects"][e]["id"]): {
            k for k in marks if k in EFFECT_LINKS
        }
        for t, e, marks in matrix["cells"]
    }
    assert found == expected
    # The rows are the effects of those links, each once, named by its label.
    assert sorted(e["id"] for e in matrix["effects"]) == sorted({e for _, e in expected})
    pml = next(e for e in matrix["effects"] if e["id"] == R + "pml")
    assert pml["label"] == str(graph.value(URIRef(R + "pml"), RDFS.label))
    # A potentially fatal mark is on a cell only where a statement says so.
    fatal = {
        (
            str(graph.value(a, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"))),
            str(graph.value(a, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"))),
        )
        for a in graph.subjects(URIRef(M + "potentiallyFatal"), Literal(True))
    }
    marked = {pair for pair, _ in found.items() if "fatal" in _marks(matrix, pair)}
    assert marked == {pair for pair in fatal if pair in found}


def _marks(matrix: dict[str, Any], pair: tuple[str, str]) -> dict[str, list[str]]:
    t = [x["id"] for x in matrix["treatments"]].index(pair[0])
    e = [x["id"] for x in matrix["effects"]].index(pair[1])
    return next(c[2] for c in matrix["cells"] if c[0] == t and c[1] == e)


def test_effects_carry_their_symptoms(graph: Graph, views: dict[str, Any]) -> None:
    effects = {e["id"]: e for e in views["matrix"]["effects"]}
    liver = effects[R + "liver-problems"]["symptoms"]
    expected = sorted(
        (
            str(graph.value(s, RDFS.label))
            for s in graph.objects(URIRef(R + "liver-problems"), URIRef(M + "hasSymptom"))
        ),
        key=str.lower,
    )
    assert liver == expected
    assert "jaundice" in liver and "dark urine" in liver
    assert effects[R + "pml"]["symptoms"] == []


# --- the dosing timeline -------------------------------------------------------------------


def test_alemtuzumab_two_courses_a_year_apart(views: dict[str, Any]) -> None:
    # dosing.ttl: 5 daily doses, then 3 daily doses one year (P1Y) after the first.
    first, second = regimen(views, "alemtuzumab", "article")["phases"]
    assert first["times"] == [0, 1, 2, 3, 4]
    assert second["type"] == "repeat"
    assert second["times"] == [YEAR, YEAR + 1, YEAR + 2]
    # The label's further courses "if needed" have no start in the data: named, not placed.
    label_phases = regimen(views, "alemtuzumab", "label")["phases"]
    assert [p["times"][:1] for p in label_phases] == [[0], [YEAR], []]
    assert label_phases[2]["unplaced"]


def test_ocrelizumab_split_first_dose_then_every_six_months(views: dict[str, Any]) -> None:
    for layer in ("article", "label"):
        start, maintenance = regimen(views, "ocrelizumab", layer)["phases"]
        assert (start["dose_value"], start["dose_unit"]) == (300, "mg")
        assert start["times"] == [0, 14]
        assert (maintenance["dose_value"], maintenance["dose_unit"]) == (600, "mg")
        gaps = {
            round(b - a, 3)
            for a, b in zip(maintenance["times"][:-1], maintenance["times"][1:], strict=True)
        }
        assert gaps == {round(6 * MONTH, 3)}
        assert maintenance["times"][-1] <= WINDOW_DAYS and maintenance["continues"]
    # The label (2.3) starts the 6-monthly doses 6 months after the first infusion; the article
    # gives no start, so they follow the last starting dose by one interval.
    label_start = regimen(views, "ocrelizumab", "label")["phases"][1]["times"][0]
    assert label_start == pytest.approx(6 * MONTH)
    article_start = regimen(views, "ocrelizumab", "article")["phases"][1]["times"][0]
    assert article_start == pytest.approx(14 + 6 * MONTH)


def test_mitoxantrone_cumulative_cap(views: dict[str, Any]) -> None:
    mito = lane(views, "mitoxantrone")
    caps = {(limit["dose_value"], limit["dose_unit"]) for limit in mito["limits"]}
    assert caps == {(140, "mg/m2")}
    # The label's 12 mg/m2 every 3 months: 11 doses (132 mg/m2) fit under 140, the 12th not.
    label = regimen(views, "mitoxantrone", "label")
    (phase,) = label["phases"]
    assert len(phase["times"]) == 11 and phase["times"][-1] == pytest.approx(30 * MONTH, abs=0.01)
    assert label["cap"]["doses"] == 11 and label["cap"]["total"] == 132
    assert not phase["continues"]
    # The article gives no amount: no computed cap, but the 2 to 3 years it says it takes.
    article = regimen(views, "mitoxantrone", "article")
    assert article["cap"] is None
    (article_limit,) = [limit for limit in mito["limits"] if limit["layers"] == ["article"]]
    assert article_limit["reached_after_days"] == [2 * YEAR, 3 * YEAR]


def test_treatments_without_a_regimen_are_listed_not_guessed(
    graph: Graph, views: dict[str, Any]
) -> None:
    treatments = {t["id"] for t in views["matrix"]["treatments"]}
    dosed = {str(s) for s in graph.subjects(URIRef(M + "hasDosingRegimen"), None)}
    assert {t["id"] for t in views["timeline"]["unscheduled"]} == treatments - dosed
    assert {x["id"] for x in views["timeline"]["lanes"]} == treatments & dosed
    assert R + "ublituximab" in treatments - dosed


def test_a_changed_schedule_moves_on_the_timeline(graph: Graph) -> None:
    changed = Graph()
    changed += graph
    phase = URIRef(R + "ocrelizumab-maintenance")
    interval = URIRef(M + "doseInterval")
    changed.set(
        (
            phase,
            interval,
            Literal("P4M", datatype=URIRef("http://www.w3.org/2001/XMLSchema#duration")),
        )
    )
    changed.add(
        (
            phase,
            URIRef(M + "startsAfter"),
            Literal("P1Y", datatype=URIRef("http://www.w3.org/2001/XMLSchema#duration")),
        )
    )
    views = build_network(changed, focus="ocrelizumab").graph["views"]
    _, maintenance = regimen(views, "ocrelizumab", "article")["phases"]
    assert maintenance["times"][:2] == [YEAR, pytest.approx(YEAR + 4 * MONTH, abs=0.001)]
    # The label's regimen, unchanged, stays where it was.
    _, label = regimen(views, "ocrelizumab", "label")["phases"]
    assert label["times"][0] == pytest.approx(6 * MONTH)


# --- the page and the stores ---------------------------------------------------------------


def test_focus_page_covers_its_treatments_only(graph: Graph) -> None:
    views = build_network(graph, focus="natalizumab", hops=1).graph["views"]
    assert [t["label"] for t in views["matrix"]["treatments"]] == ["natalizumab"]
    assert [x["label"] for x in views["timeline"]["lanes"]] == ["natalizumab"]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("views-oxi") / "store"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        yield store


def test_a_store_gives_what_the_graph_gives(graph: Graph, oxigraph: Store) -> None:
    on_graph = build_network(graph, focus="mitoxantrone", hops=1)
    on_store = build_network(oxigraph, focus="mitoxantrone", hops=1)
    assert json.dumps(on_store.graph["views"], sort_keys=True) == json.dumps(
        on_graph.graph["views"], sort_keys=True
    )
    assert view_data(oxigraph, on_graph) == on_graph.graph["views"]


def test_hostile_effect_names_reach_the_page_as_escaped_json(graph: Graph) -> None:
    hostile = "</script><img src=x onerror=alert(1)>"
    changed = Graph()
    changed += graph
    pml = URIRef(R + "pml")
    changed.set((pml, RDFS.label, Literal(hostile, lang="en")))
    changed.add((pml, URIRef(M + "hasSymptom"), URIRef(R + "jaundice")))
    page = render_html(build_network(changed, focus="natalizumab"))
    assert hostile not in page
    data = embedded_data(page)
    effects = {e["id"]: e for e in data["views"]["matrix"]["effects"]}
    assert effects[R + "pml"]["label"] == hostile
    assert effects[R + "pml"]["symptoms"] == [str(graph.value(URIRef(R + "jaundice"), RDFS.label))]
