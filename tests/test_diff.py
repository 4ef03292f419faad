"""`mskg diff OLD NEW`: statements added and removed between two versions of the graph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.graph.diff import diff_graphs, diff_paths, format_diff
from mskg.vocab import MSKG, MSKR

LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def test_same_graph_has_no_difference(graph_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = diff_paths(GRAPH_DIR, graph_copy)
    assert result.same and result.unchanged > 1500
    assert main(["diff", str(GRAPH_DIR), str(graph_copy)]) == 0
    assert "0 added, 0 removed" in capsys.readouterr().out


def test_edit_shows_as_removed_and_added(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    text = target.read_text(encoding="utf-8")
    text = text.replace('rdfs:label "plasmapheresis"@en', 'rdfs:label "plasma exchange"@en')
    text += "\nmskr:natalizumab mskg:requiresCloseMonitoring true .\n"
    target.write_text(text, encoding="utf-8")

    result = diff_paths(GRAPH_DIR, graph_copy)
    assert result.removed == [(MSKR.plasmapheresis, LABEL, Literal("plasmapheresis", lang="en"))]
    assert set(result.added) == {
        (MSKR.natalizumab, MSKG.requiresCloseMonitoring, Literal(True)),
        (MSKR.plasmapheresis, LABEL, Literal("plasma exchange", lang="en")),
    }
    assert main(["diff", str(GRAPH_DIR), str(graph_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == '- mskr:plasmapheresis rdfs:label "plasmapheresis"@en .'
    assert '+ mskr:plasmapheresis rdfs:label "plasma exchange"@en .' in out
    assert out[-1].startswith("# 2 added, 1 removed")

    assert main(["diff", str(GRAPH_DIR), str(graph_copy), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["added"]) == 2 and len(data["removed"]) == 1
    assert data["removed"][0][0] == "<https://w3id.org/mskg/resource/plasmapheresis>"

    assert main(["diff", str(GRAPH_DIR), str(graph_copy), "--format", "nt"]) == 1
    nt = capsys.readouterr().out
    assert Graph().parse(data=nt.replace("- ", "", 1).split("\n")[0], format="nt")


def test_blank_nodes_compare_by_structure() -> None:
    old = Graph().parse(data='<urn:a> <urn:p> [ <urn:q> "x" ] .', format="turtle")
    new = Graph().parse(data='<urn:a> <urn:p> [ <urn:q> "x" ] .', format="turtle")
    assert diff_graphs(old, new).same
    changed = Graph().parse(data='<urn:a> <urn:p> [ <urn:q> "y" ] .', format="turtle")
    result = diff_graphs(old, changed)
    # A blank node is known by what it says: the changed one is a different node.
    assert sorted(str(o) for _, p, o in result.added if p == URIRef("urn:q")) == ["y"]
    assert sorted(str(o) for _, p, o in result.removed if p == URIRef("urn:q")) == ["x"]
    assert len(result.added) == len(result.removed) == 2
    assert result.unchanged == 0


PHASES = """
@prefix mskg:   <https://w3id.org/mskg/ontology/> .
@prefix mskr:   <https://w3id.org/mskg/resource/> .
@prefix schema: <http://schema.org/> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

mskr:example-regimen mskg:hasPhase
    [ mskg:phaseOrder 1 ; <urn:example:dose> [ schema:doseValue 450 ; schema:doseUnit "mg" ] ] ,
    [ mskg:phaseOrder 2 ; <urn:example:dose> [ schema:doseValue 450 ; schema:doseUnit "mg" ] ;
      mskg:doseInterval "P168D"^^xsd:duration ] .
"""


def test_changed_blank_node_phase_is_reported_alone(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dosing phases written as blank nodes, each with a blank-node dose: when the second phase's
    dose changes, the first phase (with a dose just like the old one) is not reported, and
    neither is the rest of the graph. (rdflib's canonical labels reported all 11 statements.)"""
    old = graph_copy.parent / "old"
    shutil.copytree(graph_copy, old)
    (old / "data" / "phases.ttl").write_text(PHASES, encoding="utf-8")
    changed = PHASES.replace(
        "mskg:phaseOrder 2 ; <urn:example:dose> [ schema:doseValue 450",
        "mskg:phaseOrder 2 ; <urn:example:dose> [ schema:doseValue 600",
    )
    assert changed.count("600") == 1
    (graph_copy / "data" / "phases.ttl").write_text(changed, encoding="utf-8")
    treatments = graph_copy / "data" / "treatments.ttl"
    treatments.write_text(
        treatments.read_text(encoding="utf-8")
        + "\nmskr:natalizumab mskg:requiresCloseMonitoring true .\n",
        encoding="utf-8",
    )
    assert diff_paths(old, old).same

    result = diff_paths(old, graph_copy)
    order, dose = MSKG.phaseOrder, URIRef("http://schema.org/doseValue")
    regimen = MSKR["example-regimen"]
    # The second phase is a different blank node now: its statements go, the new ones come.
    removed_phase = {s for s, p, o in result.removed if p == order}
    added_phase = {s for s, p, o in result.added if p == order}
    assert len(removed_phase) == len(added_phase) == 1 and removed_phase != added_phase
    assert (regimen, MSKG.hasPhase, *removed_phase) in result.removed
    assert (regimen, MSKG.hasPhase, *added_phase) in result.added
    assert [o for _, p, o in result.added if p == dose] == [Literal(600)]
    assert len(result.removed) == 4  # the link, the phase's order, interval and dose
    assert len(result.added) == 7  # the same four, the new dose's value and unit, natalizumab
    # The first phase, and the 450 mg dose just like it, are not reported at all.
    assert not any(o == Literal(1) for _, p, o in result.added + result.removed if p == order)
    assert not any(o == Literal(450) for _, _, o in result.added + result.removed)
    assert (MSKR.natalizumab, MSKG.requiresCloseMonitoring, Literal(True)) in result.added

    assert main(["diff", str(old), str(graph_copy)]) == 1
    out = capsys.readouterr().out
    assert 'schema:doseValue "600"^^xsd:integer .' in out
    assert out.splitlines()[-1].startswith("# 7 added, 4 removed")


def test_lexical_forms_count(tmp_path: Path) -> None:
    old = tmp_path / "old.ttl"
    new = tmp_path / "new.ttl"
    prefix = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    old.write_text(prefix + '<urn:a> <urn:p> "PT24H"^^xsd:duration .\n')
    new.write_text(prefix + '<urn:a> <urn:p> "P1D"^^xsd:duration .\n')
    result = diff_paths(old, new)
    assert len(result.added) == len(result.removed) == 1
    assert "P1D" in format_diff(result)


def test_unreadable_side_is_a_load_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(GRAPH_DIR), str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err
