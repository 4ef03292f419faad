"""mskg.sparql and `mskg query`: headers, parameters, the read-only guard, errors, formats,
inference, the parsed-graph cache and start-up cost."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import QUERIES_DIR, REPO_DIR
from mskg.cli import main
from mskg.errors import QueryError, UnknownNameError, UsageError
from mskg.graph import cache as cache_module
from mskg.graph.loader import load_graph
from mskg.sparql import guard as guard_module
from mskg.sparql.engine import infer_closure, run_query
from mskg.sparql.named import load_query, parse_header, query_from_text
from mskg.sparql.params import resolve_value
from mskg.sparql.results import QueryResult, format_result

MSKR = "https://w3id.org/mskg/resource/"
MSKG = "https://w3id.org/mskg/ontology/"

SMALL_GRAPH = """\
@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex:   <http://example.org/> .

ex:ViralInfection rdfs:subClassOf ex:Infection .
ex:flu a ex:ViralInfection ; rdfs:label "flu"@en .
mskr:drug-x a mskg:Drug ; rdfs:label "drug X"@en ; mskg:hasSeriousAdverseEffect ex:flu .
"""


def rows(result: QueryResult) -> list[tuple[str, ...]]:
    return result.as_strings()


@pytest.fixture
def small_graph(tmp_path: Path) -> Path:
    return graph_folder(tmp_path / "small", SMALL_GRAPH)


def graph_folder(folder: Path, turtle: str) -> Path:
    """A graph folder holding one file, ``data.ttl``, with ``turtle`` in it."""
    folder.mkdir()
    (folder / "data.ttl").write_text(turtle, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


def test_parse_header_reads_title_description_and_params() -> None:
    header = parse_header(
        "# title: Serious effects\n"
        "# description: The serious effects,\n"
        "#   per drug.\n"
        "# param: drug (mskg:Treatment) -- the drug, by label;\n"
        "#   all drugs if unset\n"
        "# param: b (mskg:Treatment) = ocrelizumab -- the second drug\n"
        "# param: plain\n"
        "\n"
        "# param: ignored -- after the blank line this is still header, and read\n"
        "SELECT * WHERE { ?s ?p ?o }\n"
        "# param: late -- not header: after the first line of SPARQL\n"
    )
    assert header.title == "Serious effects"
    assert header.description == "The serious effects, per drug."
    names = [p.name for p in header.params]
    assert names == ["drug", "b", "plain", "ignored"]
    drug, b, plain, _ = header.params
    assert (drug.cls, drug.default, drug.description) == (
        "mskg:Treatment",
        None,
        "the drug, by label; all drugs if unset",
    )
    assert (b.cls, b.default, b.description) == ("mskg:Treatment", "ocrelizumab", "the second drug")
    assert (plain.cls, plain.default, plain.description) == (None, None, "")


def test_malformed_and_repeated_params_name_their_line() -> None:
    with pytest.raises(QueryError) as err:
        parse_header("# title: t\n# param: 9bad = x\nSELECT * {}", name="q.rq")
    assert err.value.line == 2
    assert "q.rq" in str(err.value)
    with pytest.raises(QueryError, match="declared twice") as err:
        parse_header("# param: a\n# param: a\nSELECT * {}")
    assert err.value.line == 2


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "natalizumab",
        "NATALIZUMAB",
        "Tysabri",
        "mskr:natalizumab",
        f"{MSKR}natalizumab",
        f"<{MSKR}natalizumab>",
    ],
)
def test_a_drug_is_bound_by_label_brand_iri_or_prefixed_name(graph: Graph, value: str) -> None:
    assert resolve_value(graph, value, "mskg:Treatment") == [URIRef(MSKR + "natalizumab")]


def test_alt_labels_and_local_names_bind(graph: Graph) -> None:
    assert resolve_value(graph, "IVIG", "mskg:Treatment") == [URIRef(MSKR + "ivig")]
    assert resolve_value(graph, "PML") == [URIRef(MSKR + "pml")]
    assert resolve_value(graph, "b-cell", "mskg:CellType") == [URIRef(MSKR + "b-cell")]
    assert resolve_value(graph, '"natalizumab"') == [Literal("natalizumab")]


def test_a_label_shared_by_two_nodes_binds_both(graph: Graph) -> None:
    found = resolve_value(graph, "targets B lymphocytes")
    assert found == [URIRef(MSKR + "ocrelizumab-mechanism"), URIRef(MSKR + "rituximab-mechanism")]


def test_an_unknown_value_lists_the_closest_names_of_its_class(graph: Graph) -> None:
    with pytest.raises(UnknownNameError) as err:
        resolve_value(graph, "natalizumb", "mskg:Treatment")
    assert "unknown treatment 'natalizumb'" in str(err.value)
    assert "natalizumab" in str(err.value)
    # A drug is not a cell type: the class restricts the match.
    with pytest.raises(UnknownNameError, match="cell type"):
        resolve_value(graph, "natalizumab", "mskg:CellType")


def test_several_values_for_one_parameter(graph: Graph) -> None:
    result = run_query(
        "drugs-with-pml-risk", graph, queries_dir=QUERIES_DIR
    )  # no parameters: every drug (the article's two, and rituximab from its label)
    assert [str(r[0]) for r in result.rows] == ["natalizumab", "ocrelizumab", "rituximab"]
    two = run_query(
        "common-adverse-effects",
        graph,
        params={"drug": ["natalizumab", "Ocrevus"]},
        queries_dir=QUERIES_DIR,
    )
    assert {r[0] for r in rows(two)} == {"natalizumab", "ocrelizumab"}
    # The parameter names the drug, so it binds the IRI column ?drugIri (?drug is the label).
    assert two.bindings == {"drugIri": [URIRef(MSKR + "natalizumab"), URIRef(MSKR + "ocrelizumab")]}


def test_a_parameter_binds_its_iri_variable_when_the_query_has_one(graph: Graph) -> None:
    text = """SELECT ?drug ?brand WHERE {
        ?drugIri rdfs:label ?drug ; schema:proprietaryName ?brand }"""
    result = run_query(text, graph, params={"drug": "natalizumab"})
    assert rows(result) == [("natalizumab", "Tysabri")]
    assert result.bindings == {"drugIri": [URIRef(MSKR + "natalizumab")]}
    # Naming the variable itself works too; naming it twice is an error, not a silent pick.
    assert rows(run_query(text, graph, params={"drugIri": "Ocrevus"})) == [
        ("ocrelizumab", "Ocrevus")
    ]
    with pytest.raises(UsageError, match=r"both bind \?drugIri"):
        run_query(text, graph, params={"drug": "Ocrevus", "drugIri": "Tysabri"})


@pytest.mark.parametrize(
    ("value", "note", "suggestion"),
    [
        ("mskr:natalizumabb", "not in the graph", "mskr:natalizumab"),
        (f"<{MSKR}natalizumabb>", "not in the graph", "mskr:natalizumab"),
        (f"{MSKR}natalizumabb", "not in the graph", "mskr:natalizumab"),
        ("mskr:pml", "in the graph, but not a treatment", "mskr:"),
    ],
)
def test_an_iri_parameter_must_name_a_node_of_its_class(
    graph: Graph, value: str, note: str, suggestion: str
) -> None:
    with pytest.raises(UnknownNameError) as err:
        run_query("serious-adverse-effects", graph, params={"drug": value}, queries_dir=QUERIES_DIR)
    message = str(err.value)
    assert message.startswith(f"unknown treatment {value!r} ({note}); did you mean: ")
    assert suggestion in message.split("did you mean: ")[1]
    # Without a class the IRI must still be somewhere in the graph.
    with pytest.raises(UnknownNameError, match=r"\(not in the graph\)"):
        resolve_value(graph, "mskr:no-such-node")
    assert resolve_value(graph, "rdfs:label") == [
        URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    ]


def test_a_wrong_iri_parameter_exits_2_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["query", "serious-adverse-effects", "-p", "drug=mskr:natalizumabb"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # A line of its own (run in a checkout, a `using graph:` line comes first).
    assert (
        "\nerror: unknown treatment 'mskr:natalizumabb' (not in the graph)" in "\n" + captured.err
    )
    assert "mskr:natalizumab" in captured.err and "Traceback" not in captured.err


def test_unknown_parameter_names_are_errors(graph: Graph) -> None:
    with pytest.raises(UsageError, match=r"unknown parameter 'dru'.*it takes: drug"):
        run_query("serious-adverse-effects", graph, params={"dru": "x"}, queries_dir=QUERIES_DIR)
    with pytest.raises(UsageError, match="takes: none"):
        run_query("brand-names", graph, params={"drug": "x"}, queries_dir=QUERIES_DIR)


def test_a_query_without_declared_params_binds_its_own_variables(graph: Graph) -> None:
    text = "SELECT ?label WHERE { ?drug schema:proprietaryName ?label }"
    result = run_query(text, graph, params={"drug": "natalizumab"})
    assert rows(result) == [("Tysabri",)]
    with pytest.raises(UsageError, match="it takes: drug, label"):
        run_query(text, graph, params={"cell": "B cell"})


def test_binding_reaches_inside_aggregates_and_filters(graph: Graph) -> None:
    text = """SELECT (COUNT(?e) AS ?n) WHERE {
        ?drug mskg:hasCommonAdverseEffect ?e . FILTER(isIRI(?e)) } GROUP BY ?drug"""
    result = run_query(text, graph, params={"drug": "natalizumab"})
    # the article's five common effects and the ten of the label's trials, three of them shared
    expected = {
        e
        for e in graph.objects(
            URIRef(MSKR + "natalizumab"), URIRef(MSKG + "hasCommonAdverseEffect")
        )
    }
    assert rows(result) == [(str(len(expected)),)] and len(expected) > 5


# --------------------------------------------------------------------------------------------
# Read-only: nothing is written, nothing is fetched
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s a mskg:Drug OPTIONAL {{ SERVICE SILENT <{url}/q> {{ ?s ?p ?o }} }}}}",
        "SELECT * WHERE {{ ?s a mskg:Drug FILTER EXISTS {{ SERVICE <{url}/q> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}/q> {{ ?s ?p ?o }} }} }} }}",
        "ASK {{ SERVICE <{url}/q> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_service_and_from_are_refused_without_any_request(
    graph: Graph, http_server: tuple[str, list[str]], template: str
) -> None:
    url, requests = http_server
    with pytest.raises(QueryError, match="is refused: mskg query is read-only"):
        run_query(template.format(url=url), graph)
    time.sleep(0.05)
    assert requests == []


@pytest.mark.parametrize(
    ("update", "operation"),
    [
        ("INSERT DATA {{ <http://e/a> <http://e/b> <http://e/c> }}", "INSERT DATA"),
        ("DELETE WHERE {{ ?s ?p ?o }}", "DELETE WHERE"),
        ("DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} WHERE {{ ?s ?p ?o }}", "MODIFY"),
        ("LOAD <{url}/data.ttl>", "LOAD"),
        ("LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://e/g>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://e/g>", "DROP"),
        ("CREATE GRAPH <http://e/g>", "CREATE"),
    ],
)
def test_updates_are_refused(
    graph: Graph, http_server: tuple[str, list[str]], update: str, operation: str
) -> None:
    url, requests = http_server
    before = len(graph)
    with pytest.raises(QueryError, match=rf"SPARQL UPDATE \({operation}\) is refused"):
        run_query(update.format(url=url), graph)
    assert len(graph) == before
    assert requests == []


def test_service_never_reaches_rdflib_even_past_the_algebra_check(
    graph: Graph, http_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second line of defence: with the algebra check switched off, evaluation refuses."""
    url, requests = http_server
    monkeypatch.setattr(guard_module, "_refuse_remote", lambda *args: None)
    with pytest.raises(QueryError, match="SERVICE is refused"):
        run_query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", graph)
    time.sleep(0.05)
    assert requests == []
    from rdflib.plugins import sparql

    assert "mskg-read-only" not in sparql.CUSTOM_EVALS
    assert sparql.SPARQL_LOAD_GRAPHS is True


def test_refused_on_the_command_line_without_traceback(
    capsys: pytest.CaptureFixture[str], http_server: tuple[str, list[str]]
) -> None:
    url, requests = http_server
    code = main(["query", "-e", f"SELECT * WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"\nerror: <expression>: SERVICE <{url}/x> is refused" in "\n" + err
    assert "Traceback" not in err
    assert requests == []


def test_service_with_a_variable_is_shown_as_written(graph: Graph) -> None:
    with pytest.raises(QueryError, match=r"SERVICE \?u is refused"):
        run_query("SELECT * WHERE { SERVICE ?u { ?s ?p ?o } }", graph)


@pytest.mark.parametrize("graph_term", ["<http://example.org/g>", "?g"])
def test_named_graphs_are_explained_not_leaked(
    graph: Graph, graph_term: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"SELECT * WHERE {{ GRAPH {graph_term} {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError) as err:
        run_query(text, graph)
    message = str(err.value)
    assert f"GRAPH {graph_term}" in message
    assert "named graphs are not supported by the in-memory store" in message
    assert "ConjunctiveGraph" not in message and "dataset" not in message
    assert main(["query", "-e", text]) == 2
    assert "named graphs are not supported" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_syntax_error_shows_line_column_and_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text(
        "# title: broken\nSELECT ?x WHERE {\n  ?x a mskg:Drug\n  ?x rdfs:label ?l }\n",
        encoding="utf-8",
    )
    with pytest.raises(QueryError) as err:
        run_query(load_query(bad), Graph())
    assert (err.value.line, err.value.column) == (4, 3)
    assert err.value.source_line == "  ?x rdfs:label ?l }"

    assert main(["query", str(bad)]) == 2
    message = capsys.readouterr().err
    assert f"error: {bad}: line 4, column 3: SPARQL syntax error" in message
    assert "\n      ?x rdfs:label ?l }\n      ^" in message
    assert "Traceback" not in message


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT WHERE", encoding="utf-8")
    with pytest.raises(QueryError):
        main(["--debug", "query", str(bad)])


def test_unknown_prefix_points_at_its_use(graph: Graph) -> None:
    with pytest.raises(QueryError, match="unknown prefix 'foo'") as err:
        run_query("SELECT ?x WHERE {\n  ?x a foo:Drug }", graph)
    assert (err.value.line, err.value.column) == (2, 8)


def test_unknown_query_name_lists_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "drugs-with-pml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: unknown query 'drugs-with-pml'; did you mean: drugs-with-pml-risk"
    )
    assert err.rstrip().endswith("see `mskg queries`")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pml", "drugs-with-pml-risk"),
        ("fda", "fda-approved-infusion-dmts"),
        ("PML", "drugs-with-pml-risk"),
    ],
)
def test_unknown_query_name_suggests_names_containing_it(
    capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    assert main(["query", name]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: unknown query {name!r}; did you mean: {expected}? Otherwise see `mskg queries`"
    )


def test_an_unknown_query_with_nothing_close_points_at_the_listing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["query", "xyzzy"]) == 2
    assert capsys.readouterr().err.strip() == "error: unknown query 'xyzzy'; see `mskg queries`"
    assert main(["queries", "xyzzy"]) == 2
    assert "see `mskg queries`" in capsys.readouterr().err


def test_unknown_drug_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "serious-adverse-effects", "--param", "drug=natalizumb"]) == 2
    err = capsys.readouterr().err
    assert "unknown treatment 'natalizumb'; did you mean: natalizumab" in err


def test_unknown_source_layer_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A layer that is not in the graph is an error naming the parameter's class, with no
    answer and no traceback (exit code 2); a near miss is told the layer it may have meant."""
    assert main(["query", "mechanisms", "--param", "source=nonsense"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines()[-1] == "error: unknown source layer 'nonsense'"
    assert main(["query", "common-adverse-effects", "-p", "source=labels"]) == 2
    assert "unknown source layer 'labels'; did you mean: label" in capsys.readouterr().err


def test_a_param_without_equals_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "serious-adverse-effects", "--param", "natalizumab"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["query", *args])
    return code, capsys.readouterr().out


def test_json_is_w3c_sparql_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "drugs-with-pml-risk", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == [
        "drug",
        "seriousness",
        "frequency",
        "potentiallyFatal",
        "sources",
        "drugIri",
    ]
    first, second, _third = doc["results"]["bindings"]
    assert first["drug"] == {"type": "literal", "value": "natalizumab", "xml:lang": "en"}
    assert first["drugIri"] == {"type": "uri", "value": MSKR + "natalizumab"}
    assert first["potentiallyFatal"] == {
        "type": "literal",
        "value": "true",
        "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
    }
    assert second["drug"]["value"] == "ocrelizumab"
    assert "frequency" not in second  # unbound variables are left out


def test_csv_tsv_md_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = cli(capsys, "drugs-with-pml-risk", "--format", "csv")
    assert out.startswith("drug,seriousness,frequency,potentiallyFatal,sources,drugIri\r\n")
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed[1] == [
        "natalizumab",
        "serious",
        "rare",
        "true",
        "article, label",
        MSKR + "natalizumab",
    ]

    _, out = cli(capsys, "drugs-with-pml-risk", "--format", "tsv")
    lines = out.splitlines()
    assert lines[0] == "?drug\t?seriousness\t?frequency\t?potentiallyFatal\t?sources\t?drugIri"
    assert lines[2].split("\t")[0] == '"ocrelizumab"@en'
    assert lines[2].split("\t")[2] == ""
    assert lines[2].split("\t")[5] == f"<{MSKR}ocrelizumab>"

    _, out = cli(capsys, "drugs-with-pml-risk", "--format", "md")
    assert out.splitlines()[:2] == [
        "| drug | seriousness | frequency | potentiallyFatal | sources | drugIri |",
        "|---|---|---|---|---|---|",
    ]
    assert "| natalizumab | serious | rare | true | article, label | mskr:natalizumab |" in out

    _, out = cli(capsys, "drugs-with-pml-risk", "--format", "table")
    lines = out.splitlines()
    assert lines[0].split() == [
        "drug",
        "seriousness",
        "frequency",
        "potentiallyFatal",
        "sources",
        "drugIri",
    ]
    assert lines[2].split() == [
        "natalizumab",
        "serious",
        "rare",
        "true",
        "article,",
        "label",
        "mskr:natalizumab",
    ]
    assert lines[-1] == "(3 rows)"


def test_pipes_get_csv_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = cli(capsys, "brand-names")
    assert out.startswith("treatment,brandName,treatmentIri\r\n")


def test_ask_prints_the_answer_and_exits_1_when_false(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "-e", "ASK { mskr:natalizumab mskg:hasSeriousAdverseEffect mskr:pml }") == (
        0,
        "true\n",
    )
    code, out = cli(capsys, "-e", "ASK { mskr:natalizumab mskg:hasSeriousAdverseEffect mskr:rash }")
    assert (code, out) == (1, "false\n")
    code, out = cli(capsys, "-e", "ASK { ?s ?p ?o }", "--format", "json")
    assert json.loads(out) == {"head": {}, "boolean": True}


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_construct_and_describe_print_rdf(capsys: pytest.CaptureFixture[str]) -> None:
    construct = "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d a mskg:Drug ; rdfs:label ?l }"
    code, out = cli(capsys, "-e", construct)
    assert code == 0
    ttl = Graph().parse(data=out, format="turtle")
    assert len(ttl) == 7 and "@prefix mskr:" in out  # the article's six drugs and ublituximab
    _, out = cli(capsys, "-e", construct, "--format", "nt")
    assert len(Graph().parse(data=out, format="nt")) == 7
    _, out = cli(capsys, "-e", construct, "--format", "jsonld")
    assert len(Graph().parse(data=out, format="json-ld")) == 7
    _, out = cli(capsys, "-e", "DESCRIBE mskr:pml", "--format", "nt")
    described = Graph().parse(data=out, format="nt")
    assert (URIRef(MSKR + "pml"), None, None) in described


def test_formats_that_do_not_fit_the_result_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["query", "-e", "CONSTRUCT WHERE { ?s a mskg:Drug }", "--format", "csv"]) == 2
    assert "CONSTRUCT returns a graph: use --format ttl" in capsys.readouterr().err
    assert main(["query", "brand-names", "--format", "nt"]) == 2
    assert "SELECT returns rows: use --format table" in capsys.readouterr().err


def test_format_result_json_for_graphs_is_jsonld(graph: Graph) -> None:
    result = run_query("CONSTRUCT WHERE { mskr:pml rdfs:label ?l }", graph)
    assert json.loads(format_result(result, "json"))


# --------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------


def test_infer_applies_subproperties_and_subclasses(graph: Graph) -> None:
    adverse = "SELECT ?e WHERE { mskr:natalizumab mskg:hasAdverseEffect ?e }"
    assert run_query(adverse, graph).rows == []
    inferred = run_query(adverse, graph, infer="rdfs")
    assert {str(r[0]) for r in inferred.rows} >= {MSKR + "pml", MSKR + "headache"}
    treatments = "SELECT DISTINCT ?t WHERE { ?t a mskg:Treatment }"
    assert run_query(treatments, graph).rows == []
    # The curated graph's OWL 2 RL closure, as `mskg query --infer` computes it (cached).
    both = """SELECT DISTINCT ?t ?e WHERE {
        { ?t a mskg:Treatment } UNION { ?e skos:broaderTransitive mskr:infection } }"""
    closure = run_query(both, infer="owlrl")
    # the article's eight treatments and ublituximab, from its label
    assert len({r[0] for r in closure.rows if r[0] is not None}) == 9
    assert MSKR + "pml" in {str(r[1]) for r in closure.rows}


def test_infer_on_the_command_line_counts_a_subclass_instance(
    small_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "SELECT ?x WHERE { ?x a <http://example.org/Infection> }"
    code, out = cli(capsys, "-e", text, "--graph", str(small_graph))
    assert (code, out) == (0, "x\r\n")
    code, out = cli(capsys, "-e", text, "--graph", str(small_graph), "--infer")
    assert (code, out) == (0, "x\r\nhttp://example.org/flu\r\n")


#: Literals not in canonical form, which must come back as written.
AS_WRITTEN_TTL = """\
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/reaction> <http://example.org/latestOnset> "PT24H"^^xsd:duration ;
    <http://example.org/count> "01"^^xsd:integer .
"""


@pytest.fixture
def as_written_graph(tmp_path: Path) -> Path:
    return graph_folder(tmp_path / "as-written", AS_WRITTEN_TTL)


def test_infer_closure_copies_and_keeps_lexical_forms(as_written_graph: Path) -> None:
    graph = load_graph(as_written_graph)
    size = len(graph)
    closure = infer_closure(graph)
    assert len(graph) == size and len(closure) > size
    onset = closure.value(
        URIRef("http://example.org/reaction"), URIRef("http://example.org/latestOnset")
    )
    assert str(onset) == "PT24H"


# --------------------------------------------------------------------------------------------
# The parsed-graph cache
# --------------------------------------------------------------------------------------------


def test_cache_is_written_reused_and_invalidated(
    small_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    first = cache_module.cached_graph(small_graph)
    entries = list(folder.glob("graph-*.nt"))
    assert len(entries) == 1 and len(first) == 6

    def fail(*args: object) -> Graph:
        raise AssertionError("parsed again although the cache is fresh")

    monkeypatch.setattr(cache_module, "load_files", fail)
    again = cache_module.cached_graph(small_graph)
    assert set(again) == set(first)
    monkeypatch.undo()
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))

    # Any change to a file under the graph folder invalidates the entry.
    data = small_graph / "data.ttl"
    data.write_text(SMALL_GRAPH + "mskr:drug-y a mskg:Drug .\n", encoding="utf-8")
    changed = cache_module.cached_graph(small_graph)
    assert len(changed) == 7
    # So does a new file.
    (small_graph / "more.ttl").write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    assert len(cache_module.cached_graph(small_graph)) == 8
    entries = list(folder.glob("graph-*.nt"))
    assert len(entries) == 1  # the stale entry was removed
    assert not list(folder.glob(".*.tmp"))  # written atomically: no temporary file left


def test_same_size_edit_with_new_mtime_invalidates(
    small_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSKG_CACHE_DIR", str(tmp_path / "cache"))
    data = small_graph / "data.ttl"
    cache_module.cached_graph(small_graph)
    data.write_text(SMALL_GRAPH.replace('"drug X"', '"drug Z"'), encoding="utf-8")
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    labels = {str(o) for o in cache_module.cached_graph(small_graph).objects()}
    assert "drug Z" in labels and "drug X" not in labels


def test_same_size_same_mtime_rewrite_invalidates(
    small_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rewrite that keeps the size, the modification time and the inode (an editor that
    writes in place within the clock's resolution, or `touch -r`) still changes the content
    hash."""
    monkeypatch.setenv("MSKG_CACHE_DIR", str(tmp_path / "cache"))
    data = small_graph / "data.ttl"
    cache_module.cached_graph(small_graph)
    before = data.stat()
    with data.open("r+b") as handle:  # in place: same inode
        handle.write(SMALL_GRAPH.replace('"drug X"', '"drug Z"').encode())
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = data.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    labels = {str(o) for o in cache_module.cached_graph(small_graph).objects()}
    assert "drug Z" in labels and "drug X" not in labels


def test_orphaned_temporary_files_are_pruned(
    small_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    folder.mkdir()
    old = folder / ".graph-0123-asserted-abc.nt.x1y2.tmp"
    fresh = folder / ".graph-0123-asserted-abc.nt.z3w4.tmp"  # perhaps another run's
    for tmp in (old, fresh):
        tmp.write_bytes(b"partial")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))
    cache_module.cached_graph(small_graph)  # a miss: writes an entry and prunes
    assert not old.exists()
    assert fresh.exists()


def test_cache_can_be_disabled_and_survives_corruption(
    small_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    monkeypatch.setenv("MSKG_NO_CACHE", "1")
    assert cache_module.cache_dir() is None
    assert len(cache_module.cached_graph(small_graph)) == 6
    assert not folder.exists()

    monkeypatch.delenv("MSKG_NO_CACHE")
    cache_module.cached_graph(small_graph)
    (entry,) = folder.glob("graph-*.nt")
    entry.write_bytes(b"not an entry")
    assert len(cache_module.cached_graph(small_graph)) == 6
    # An unwritable cache location is no reason to fail.
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MSKG_CACHE_DIR", str(blocker / "cache"))
    assert len(cache_module.cached_graph(small_graph)) == 6


def test_cache_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MSKG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_module.cache_dir() == tmp_path / "mskg"


def test_cached_graph_keeps_lexical_forms(
    as_written_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSKG_CACHE_DIR", str(tmp_path / "cache"))
    import rdflib

    cache_module.cached_graph(as_written_graph)
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", True)
    graph = cache_module.cached_graph(as_written_graph)
    written = {str(o) for o in graph.objects()}
    assert written == {"PT24H", "01"}


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def test_query_a_file_against_another_graph(
    small_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "mine.rq"
    file.write_text(
        "# title: Serious effects in the small graph\n"
        "# param: drug (mskg:Drug) -- the drug\n"
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "SELECT ?effect WHERE { ?drug mskg:hasSeriousAdverseEffect ?effect }\n",
        encoding="utf-8",
    )
    code, out = cli(capsys, str(file), "--graph", str(small_graph), "-p", "drug=drug x")
    assert (code, out) == (0, "effect\r\nhttp://example.org/flu\r\n")


def test_graph_with_a_non_memory_store_is_a_usage_error(
    small_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "kg.oxigraph"
    code = main(
        ["query", "brand-names", "--store", f"oxigraph:{store}", "--graph", str(small_graph)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: --graph is for the memory store, but the store is oxigraph:")
    assert not store.exists()  # refused before anything was opened or created
    # --store memory with --graph is the default case, spelled out.
    text = "SELECT ?l WHERE { ?d a mskg:Drug ; rdfs:label ?l }"
    code, out = cli(capsys, "-e", text, "--store", "memory", "--graph", str(small_graph))
    assert (code, out) == (0, "l\r\ndrug X\r\n")


def test_queries_lists_names_and_titles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
    assert "FDA-approved infusion disease-modifying therapies for MS" in out
    # Parameters with their defaults; (all) where an unset parameter answers for all.
    assert "[a=natalizumab b=ocrelizumab source=(all)]" in out
    assert "[drug=(all)]" in out and "[drug=natalizumab]" in out
    assert "[drug=(all) source=(all)]" in out and "[source=(all)]" in out

    assert main(["queries", "compare-drugs"]) == 0
    out = capsys.readouterr().out
    assert "a [mskg:Treatment] (default: natalizumab)" in out
    assert "SELECT DISTINCT" in out

    assert main(["queries", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    drug_profile = next(q for q in listed if q["name"] == "drug-profile")
    assert drug_profile["params"][0]["name"] == "drug"
    assert drug_profile["params"][0]["default"] == "natalizumab"


def test_query_needs_a_query(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["query"])
    assert exit_info.value.code == 2
    capsys.readouterr()


def test_expression_with_a_header() -> None:
    query = query_from_text("# title: t\n# param: x = 1 -- one\nSELECT ?x WHERE { ?s ?p ?x }")
    assert query.header.params[0].default == "1"


def test_query_does_not_import_heavy_modules(tmp_path: Path) -> None:
    """`mskg query` must not import pyvis, networkx or pyshacl (start-up cost), nor on the
    default memory store the other store backends; and a named query Oxigraph answers
    (mskg.sparql.native) does not import rdflib at all. pyoxigraph is what answers it."""
    script = (
        "import sys\n"
        "from mskg.cli import main\n"
        "code = main(['query', 'relapse-infusion-treatments', '--format', 'csv'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pyvis', 'networkx', 'pyshacl', 'owlrl', 'rdflib') "
        "or m in ('mskg.stores.oxigraph', 'mskg.stores.endpoint'))\n"
        "print('HEAVY', heavy, code, file=sys.stderr)\n"
    )
    env = {**os.environ, "MSKG_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        env=env,
        timeout=120,
        check=False,
    )
    assert "HEAVY [] 0" in done.stderr, done.stderr
    assert "plasmapheresis" in done.stdout


def test_a_label_with_spaces_is_not_tried_as_an_iri(
    graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: "autoimmune reaction" was tried as mskr:autoimmune reaction (invalid IRI)."""
    found = resolve_value(graph, "autoimmune reaction", "mskg:AdverseEffect")
    assert found == [URIRef(MSKR + "autoimmune-reaction")]
    assert "valid URI" not in caplog.text
