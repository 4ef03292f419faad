"""The one loader, `mskg validate`, `mskg stats` and the refusal of broken input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import GRAPH_DIR, tree_digest, write_extra
from mskg import GraphLoadError, load_graph
from mskg.cli import main
from mskg.graph.loader import graph_files, load_files
from mskg.validate.shacl import validate_graph
from mskg.vocab import MSKG


def test_load_graph_holds_every_file_except_shapes(graph: Graph) -> None:
    expected = Graph()
    for path in sorted(GRAPH_DIR.rglob("*.ttl")):
        if path.name != "shapes.ttl" and "imports" not in path.parts:
            expected.parse(path)
    for path in sorted(GRAPH_DIR.rglob("*.sssom.tsv")):  # mapping sets: tests/test_sssom.py
        if "imports" not in path.parts:
            expected += load_files([path])
    assert len(graph) == len(expected) > 1500
    with_shapes = load_graph(GRAPH_DIR, include_shapes=True)
    assert len(with_shapes) > len(graph)


def test_default_path_is_the_curated_graph(graph: Graph) -> None:
    assert len(load_graph()) == len(graph)


def test_curated_graph_validates(capsys: pytest.CaptureFixture[str]) -> None:
    report = validate_graph(GRAPH_DIR)
    assert report.conforms, "\n".join(map(str, report.problems))
    assert main(["validate", "--graph", str(GRAPH_DIR)]) == 0
    assert "conform" in capsys.readouterr().out


def test_syntax_error_names_file_and_line(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = graph_copy / "data" / "dosing.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[29] = lines[29] + " ;;; ]"
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(GraphLoadError) as info:
        load_graph(graph_copy)
    assert info.value.file == broken and info.value.line == 30
    before = tree_digest(graph_copy)
    assert main(["validate", "--graph", str(graph_copy)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:30:" in err and "Traceback" not in err
    assert tree_digest(graph_copy) == before, "validate must never write to the graph folder"


def test_ntriples_syntax_error_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "extra.nt"
    broken.write_text(
        '# a comment\n<http://x/a> <http://x/b> "c" .\n\n<http://x/a> <http://x/b> .\n',
        encoding="utf-8",
    )
    with pytest.raises(GraphLoadError) as info:
        load_graph(broken)
    assert info.value.file == broken and info.value.line == 4


def test_missing_folder_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--graph", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_typo_in_property_is_an_undefined_term(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    replace_in(target, "mskg:hasMechanism mskr:natalizumab-mechanism", "mskg:hasMechansim mskr:nat")
    assert main(["validate", "--graph", str(graph_copy)]) == 1
    err = capsys.readouterr().err
    line = next(
        n for n, text in enumerate(target.read_text().splitlines(), 1) if "hasMechansim" in text
    )
    assert f"{target}:{line}: mskg:hasMechansim: mskg property is not defined" in err


def test_misspelled_resource_is_reported(graph_copy: Path) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    replace_in(target, "mskg:actsOnCell mskr:b-cell , mskr:t-cell", "mskg:actsOnCell mskr:b-cel")
    problems = validate_graph(graph_copy).problems
    assert any(p.node == "mskr:b-cel" and "never described" in p.message for p in problems)


def test_dose_without_unit_names_node_file_line_and_fix(graph_copy: Path) -> None:
    target = graph_copy / "data" / "dosing.ttl"
    replace_in(
        target,
        '    schema:doseUnit "mg" ;\n    mskg:doseInterval "P14D"',
        '    mskg:doseInterval "P14D"',
    )
    problems = validate_graph(graph_copy).problems
    [problem] = problems
    assert problem.node == "mskr:ocrelizumab-initial"
    assert problem.file == target
    assert problem.line is not None
    assert target.read_text().splitlines()[problem.line - 1].startswith("mskr:ocrelizumab-initial")
    assert "add schema:doseUnit" in problem.message


def test_missing_source_is_reported(graph_copy: Path) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    replace_in(
        target,
        'where some infusions can be given."@en ;\n'
        "    prov:wasDerivedFrom mskr:seed-section-administration .",
        'where some infusions can be given."@en .',
    )
    problems = validate_graph(graph_copy).problems
    assert [(p.node, "add prov:wasDerivedFrom" in p.message) for p in problems] == [
        ("mskr:home", True)
    ]


def test_effect_link_without_seriousness_is_refused(graph_copy: Path) -> None:
    extra = write_extra(
        graph_copy,
        "mskr:rituximab mskg:hasAdverseEffect mskr:headache .\n",
    )
    problems = validate_graph(graph_copy).problems
    [problem] = [p for p in problems if "common or serious" in p.message]
    assert problem.node == "mskr:rituximab"
    # the line of the offending statement, not the first line that mentions the drug
    line = next(n for n, row in enumerate(extra.read_text().splitlines(), 1) if "hasAdverse" in row)
    assert (problem.file, problem.line) == (extra, line)


def test_direct_link_without_association_is_refused(graph_copy: Path) -> None:
    write_extra(
        graph_copy,
        "mskr:rituximab mskg:hasSeriousAdverseEffect mskr:blue-green-urine .\n",
    )
    problems = validate_graph(graph_copy).problems
    assert any(p.node == "mskr:rituximab" and "no association" in p.message for p in problems)


@pytest.mark.parametrize(
    ("written", "typo", "suggestion"),
    [
        ("skos:definition", "skos:definiton", "skos:definition"),
        ("schema:proprietaryName", "schema:proprietaryNam", "schema:proprietaryName"),
        ("prov:wasDerivedFrom", "prov:wasDerivedFom", "prov:wasDerivedFrom"),
    ],
)
def test_typo_in_a_standard_vocabulary_is_an_undefined_term(
    graph_copy: Path, capsys: pytest.CaptureFixture[str], written: str, typo: str, suggestion: str
) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(written, typo, 1), encoding="utf-8")
    line = next(n for n, row in enumerate(target.read_text().splitlines(), 1) if typo in row)
    assert main(["validate", "--graph", str(graph_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{target}:{line}: {typo}: " in err
    assert f"did you mean {suggestion}?" in err


def test_ill_typed_literal_is_a_problem_with_its_line_and_no_traceback(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = graph_copy / "data" / "dosing.ttl"
    replace_in(
        target,
        'mskg:doseInterval "P14D"^^xsd:duration',
        'mskg:doseInterval "2 weeks"^^xsd:duration',
    )
    line = next(n for n, row in enumerate(target.read_text().splitlines(), 1) if "2 weeks" in row)
    assert main(["validate", "--graph", str(graph_copy)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "Failed to convert" not in captured.err + captured.out
    assert (
        f'{target}:{line}: mskr:ocrelizumab-initial: "2 weeks" is not a valid xsd:duration'
        in captured.err
    )


def test_validate_takes_a_folder_not_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--graph", str(GRAPH_DIR / "data" / "dosing.ttl")]) == 2
    assert "--graph takes a graph folder" in capsys.readouterr().err


def test_each_problem_is_reported_once(graph_copy: Path) -> None:
    target = graph_copy / "data" / "treatments.ttl"
    replace_in(target, "mskg:hasMechanism mskr:natalizumab-mechanism", "mskg:hasMechansim mskr:nat")
    problems = validate_graph(graph_copy).problems
    assert len(problems) == len(set(problems))


def test_process_side_effect_needs_an_association(graph_copy: Path) -> None:
    write_extra(
        graph_copy,
        "mskr:intravenous-infusion mskg:hasProcessSideEffect mskr:headache .\n",
    )
    problems = validate_graph(graph_copy).problems
    assert any(
        p.node == "mskr:intravenous-infusion" and "no association" in p.message for p in problems
    ), problems


def test_a_drug_cannot_dodge_seriousness_with_the_process_link(graph_copy: Path) -> None:
    write_extra(
        graph_copy,
        "mskr:rituximab mskg:hasProcessSideEffect mskr:headache .\n"
        "mskr:ae-x a mskg:AdverseEffectAssociation ; rdf:subject mskr:rituximab ;\n"
        "    rdf:predicate mskg:hasProcessSideEffect ; rdf:object mskr:headache ;\n"
        "    prov:wasDerivedFrom mskr:seed-section-relapse-treatments .\n",
    )
    problems = validate_graph(graph_copy).problems
    assert [p.node for p in problems] == ["mskr:ae-x"], problems
    assert "mskg:AdministrationMethod" in problems[0].message


def test_dose_unit_must_be_a_ucum_code(graph_copy: Path) -> None:
    target = graph_copy / "data" / "dosing.ttl"
    replace_in(
        target,
        'schema:doseValue 300 ;\n    schema:doseUnit "mg"',
        'schema:doseValue 300 ;\n    schema:doseUnit "milligrams"',
    )
    [problem] = validate_graph(graph_copy).problems
    assert problem.node == "mskr:ocrelizumab-initial"
    assert "UCUM" in problem.message and "milligrams" in problem.message


def test_broken_shapes_are_a_clear_error(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shapes = graph_copy / "shapes.ttl"
    replace_in(shapes, "FILTER NOT EXISTS { ?s ?p ?o }", "FILTER NOT EXISTS { ?s ?p ?o")
    assert main(["validate", "--graph", str(graph_copy)]) == 2
    err = capsys.readouterr().err
    assert "SHACL shapes cannot be used" in err and "shape:AssociationShape" in err
    assert "Traceback" not in err


def test_shapes_pyshacl_refuses_are_a_clear_error(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shapes = graph_copy / "shapes.ttl"
    replace_in(
        shapes,
        "sh:path mskg:hasPhase ; sh:minCount 1 ;",
        "sh:path mskg:hasPhase ; sh:minCount -1 ;",
    )
    assert main(["validate", "--graph", str(graph_copy)]) == 2
    err = capsys.readouterr().err
    assert "SHACL shapes cannot be used" in err
    assert "Traceback" not in err


def test_sparql_constraints_find_what_pyshacl_finds(graph_copy: Path) -> None:
    """mskg runs the shapes' SPARQL constraints once over the graph; pySHACL runs them per node.
    Both must report the same focus nodes."""
    import pyshacl
    from rdflib.namespace import SH

    from mskg.graph.loader import load_shapes
    from mskg.validate.shacl import (
        focus_nodes,
        oxigraph_copy,
        sparql_check_problems,
        split_sparql_constraints,
    )

    write_extra(
        graph_copy,
        "mskr:rituximab mskg:hasSeriousAdverseEffect mskr:blue-green-urine ;\n"
        "    mskg:hasAdverseEffect mskr:rash .\n"
        "mskr:intravenous-infusion mskg:hasProcessSideEffect mskr:headache .\n"
        "mskr:ae-y a mskg:AdverseEffectAssociation ; rdf:subject mskr:rituximab ;\n"
        "    rdf:predicate mskg:hasCommonAdverseEffect ; rdf:object mskr:fever ;\n"
        "    prov:wasDerivedFrom mskr:seed-section-relapse-treatments .\n",
    )
    data = load_graph(graph_copy)
    shapes = load_shapes(graph_copy)
    _core, checks = split_sparql_constraints(shapes)
    store = oxigraph_copy(data)
    ours = {
        (str(c.shape), str(p.focus)) for c in checks for p in sparql_check_problems(data, c, store)
    }
    # pySHACL per node takes about 20 s over all of the graph's focus nodes; it checks the nodes
    # mskg flags and every fifth other focus node of each shape (sorted: the same ones each run).
    flagged = {node for _shape, node in ours}
    sample: set[str] = set()
    for check in checks:
        targeted = sorted(str(n) for n in focus_nodes(data, shapes, check.shape))
        sample.update(targeted[::5])
    checked = sorted(flagged | sample)
    _ok, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, focus_nodes=checked
    )
    theirs = {
        (str(results.value(r, SH.sourceShape)), str(results.value(r, SH.focusNode)))
        for r in results.subjects(SH.sourceConstraintComponent, SH.SPARQLConstraintComponent)
    }
    assert len(ours) >= 4
    assert len(sample - flagged) > 100
    assert ours == theirs


def test_graph_files_skip_hidden_and_shapes(graph_copy: Path) -> None:
    (graph_copy / ".scratch.ttl").write_text("this is not turtle", encoding="utf-8")
    names = {p.name for p in graph_files(graph_copy)}
    assert "shapes.ttl" not in names and ".scratch.ttl" not in names and "ontology.ttl" in names


def test_stats_counts_classes_and_properties(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    # the article's four, and ublituximab, approved since, from its label
    assert stats["classes"]["mskg:DiseaseModifyingTherapy"] == 5
    assert stats["classes"]["mskg:RelapseTreatment"] == 4
    # Serious effects are triples: one per drug and effect, whichever layers state it. The
    # article's 17 (alemtuzumab 6, natalizumab 2, mitoxantrone 3, ocrelizumab 6), and 22 that
    # only the labels give, most from their boxed warnings: alemtuzumab 7 (stroke, anti-GBM
    # disease, immune thrombocytopenia, infusion reactions, thyroid cancer, melanoma,
    # lymphoproliferative disorders), mitoxantrone 3 (secondary AML, myelosuppression,
    # extravasation), ocrelizumab 4 (infusion reactions, infections, reduced immunoglobulins,
    # liver injury), rituximab 4 (its boxed warning: fatal infusion reactions, severe
    # mucocutaneous reactions, hepatitis B reactivation, PML), IVIG 2 (thrombosis, kidney
    # failure), ublituximab 2 (infusion reactions, infections). Five the labels give the article
    # has too (natalizumab and PML among them): counted once.
    assert stats["properties"]["mskg:hasSeriousAdverseEffect"] == 17 + 22
    serious = MSKG.hasSeriousAdverseEffect
    files = graph_files(GRAPH_DIR, exclude=("imports",))
    labels = set(load_files([f for f in files if "labels" in f.parts]).subject_objects(serious))
    others = set(load_files([f for f in files if "labels" not in f.parts]).subject_objects(serious))
    assert (len(others), len(labels - others), len(labels & others)) == (17, 22, 5)
    assert stats["triples"] == sum(stats["properties"].values())


def test_export_to_file_is_lossless(tmp_path: Path, graph: Graph) -> None:
    from rdflib.compare import isomorphic

    out = tmp_path / "g.nt"
    assert main(["export", "--format", "nt", "-o", str(out)]) == 0
    assert isomorphic(load_graph(out), graph)


# Issue 12, section 5: what the README promises, on a copy of the curated graph, through the CLI.
REFUSED_ADDITIONS = {
    "untyped reification": (
        "mskr:stray-statement rdf:subject mskr:rituximab ; rdf:predicate schema:drugClass ;\n"
        "    rdf:object mskr:monoclonal-antibody ; prov:wasDerivedFrom mskr:atc-classification .\n",
        "mskr:stray-statement",
        "shape:ReifiedStatementShape",
        "is not typed as an association",
    ),
    "indication for a cell type": (
        "mskr:rituximab mskg:indicatedFor mskr:b-cell .\n"
        "mskr:indication-rituximab-b-cell a mskg:IndicationAssociation ;\n"
        "    rdf:subject mskr:rituximab ; rdf:predicate mskg:indicatedFor ;\n"
        "    rdf:object mskr:b-cell ;\n"
        "    prov:wasDerivedFrom mskr:seed-section-relapse-treatments .\n",
        "mskr:indication-rituximab-b-cell",
        "shape:IndicationAssociationShape rdf:object",
        "indicated for a condition",
    ),
    "cross-reference without a source": (
        "mskr:rituximab skos:exactMatch <http://www.wikidata.org/entity/Q0> .\n",
        "mskr:rituximab",
        "shape:CrossReferenceShape",
        "no association gives the source of the mapping",
    ),
}


@pytest.mark.parametrize("case", REFUSED_ADDITIONS)
def test_readme_promise_is_enforced(
    case: str, graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    turtle, node, rule, words = REFUSED_ADDITIONS[case]
    extra = write_extra(graph_copy, turtle)
    assert main(["validate", "--graph", str(graph_copy)]) == 1
    *problems, summary = capsys.readouterr().err.splitlines()
    assert summary == "invalid: 1 problem(s)", problems
    [line] = problems
    # file:line of the statement, the node, the rule in words with its fix, and the shape
    start = next(n for n, row in enumerate(extra.read_text().splitlines(), 1) if node in row)
    where, shown, message = line.split(": ", 2)
    assert where.startswith(f"{extra}:") and int(where.rsplit(":", 1)[1]) >= start, line
    assert shown == node and words in message and message.endswith(f"[{rule}]"), line


def test_counts_typed_as_the_ontology_says_are_accepted(graph_copy: Path) -> None:
    """mskg:numberOfDoses has the range xsd:positiveInteger: a count typed so conforms, as do
    the types between it and xsd:integer; a decimal count does not."""
    target = graph_copy / "data" / "dosing.ttl"
    replace_in(target, "mskg:numberOfDoses 5 ;", 'mskg:numberOfDoses "5"^^xsd:positiveInteger ;')
    replace_in(target, "mskg:numberOfDoses 3 ;", 'mskg:numberOfDoses "3"^^xsd:nonNegativeInteger ;')
    replace_in(target, "mskg:phaseOrder 2 ;", 'mskg:phaseOrder "2"^^xsd:positiveInteger ;')
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))
    replace_in(target, '"5"^^xsd:positiveInteger', "5.0")
    [problem] = validate_graph(graph_copy).problems
    assert problem.node == "mskr:alemtuzumab-first-course"
    assert problem.rule == "shape:DosingPhaseShape mskg:numberOfDoses"
    assert "one whole number from 1" in problem.message
