"""`mskg query` on Oxigraph in memory gives the rdflib engine's answers, to the letter.

mskg.sparql.native answers a query from an in-memory Oxigraph store when its answer is the one
the rdflib engine gives, and hands the query to rdflib otherwise. These tests run both engines
on the same queries and compare every output format, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GRAPH_DIR
from mskg.graph.native import NativeGraph, load_native_graph
from mskg.sparql.engine import run_query
from mskg.sparql.named import NamedQuery, list_queries, query_from_text
from mskg.sparql.native import answer_in_memory, run_in_memory
from mskg.sparql.results import TABLE_FORMATS, QueryResult, format_result

NAMED = {query.name: query for query in list_queries()}

#: Named queries whose parameters have defaults: they bind labels, which rdflib resolves.
WITH_DEFAULTS = {name for name, q in NAMED.items() if any(p.default for p in q.header.params)}

#: Named queries that GROUP_CONCAT: left to rdflib (test_group_concat_is_left_to_rdflib).
CONCATENATING = {name for name, q in NAMED.items() if "GROUP_CONCAT(" in q.text.upper()}

#: Queries beyond the named ones, on what engines are known to differ in: projections,
#: aggregates, numbers, languages, unbound values, paths, sub-selects, functions.
EDGE_QUERIES = {
    "select-star": "SELECT * WHERE { ?d a mskg:Drug ; rdfs:label ?l } ORDER BY ?d",
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "count-distinct": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "group": (
        "SELECT ?d (COUNT(?e) AS ?n) WHERE { ?d mskg:hasAdverseEffect ?e } GROUP BY ?d ORDER BY ?d"
    ),
    "numbers": "SELECT ?d ?v WHERE { ?d schema:doseValue ?v } ORDER BY ?d ?v",
    "integers": (
        "SELECT ?d (COUNT(?e) AS ?n) (MAX(?v) AS ?top) WHERE { ?d mskg:hasAdverseEffect ?e "
        "OPTIONAL { ?d mskg:hasCumulativeDoseLimit/schema:doseValue ?v } } GROUP BY ?d ORDER BY ?d"
    ),
    "paths": (
        "SELECT ?c WHERE { ?c rdfs:subClassOf*/rdfs:subClassOf+ mskg:Treatment ; "
        "^rdf:type/rdfs:label ?l } ORDER BY ?c ?l"
    ),
    "years": "SELECT ?a ?y WHERE { ?a mskg:approvalYear ?y } ORDER BY ?a",
    "language": "SELECT ?l (LANG(?l) AS ?lang) WHERE { mskr:natalizumab rdfs:label ?l }",
    "strings": (
        "SELECT (STR(?l) AS ?s) (UCASE(?l) AS ?u) (STRLEN(?l) AS ?n) (CONCAT(?l, '!') AS ?c) "
        "WHERE { ?d a mskg:Drug ; rdfs:label ?l } ORDER BY ?s"
    ),
    "optional": (
        "SELECT ?d ?brand WHERE { ?d a mskg:Drug OPTIONAL { ?d schema:proprietaryName ?brand } } "
        "ORDER BY ?d ?brand"
    ),
    "path": ("SELECT DISTINCT ?e ?top WHERE { ?e skos:broader+ ?top } ORDER BY ?e ?top"),
    "filter-regex": (
        "SELECT ?l WHERE { ?x rdfs:label ?l FILTER(REGEX(?l, '^m', 'i')) } ORDER BY ?l"
    ),
    "values-bind": (
        "SELECT ?x ?y WHERE { VALUES ?x { 1 2 } BIND(CONCAT(STR(?x), 'a') AS ?y) } ORDER BY ?x"
    ),
    "datatype": (
        "SELECT DISTINCT (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?t"
    ),
    "ask-true": "ASK { mskr:natalizumab a mskg:Drug }",
    "ask-false": "ASK { mskr:natalizumab a mskg:Disease }",
    "empty": "SELECT ?x WHERE { ?x a <http://example.org/Nothing> }",
}


@pytest.fixture(scope="module")
def curated() -> NativeGraph:
    """The curated graph in Oxigraph, parsed once for the module."""
    return load_native_graph(GRAPH_DIR)


def both(query: NamedQuery, graph: NativeGraph) -> tuple[QueryResult, QueryResult]:
    native = answer_in_memory(query, graph=graph)
    assert native is not None, f"{query.name}: Oxigraph should answer it"
    return native, run_query(query, graph_dir=GRAPH_DIR)


def assert_same_output(name: str, native: QueryResult, rdflib_answer: QueryResult) -> None:
    if native.variables != rdflib_answer.variables:
        # SELECT *: rdflib orders the columns differently from run to run (a set's order),
        # Oxigraph in order of appearance; the columns must be the same ones.
        assert sorted(native.variables) == sorted(rdflib_answer.variables), name
        order = [rdflib_answer.variables.index(v) for v in native.variables]
        rdflib_answer = QueryResult(
            rdflib_answer.kind,
            variables=native.variables,
            rows=[tuple(row[i] for i in order) for row in rdflib_answer.rows],
        )
    for fmt in TABLE_FORMATS:
        assert format_result(native, fmt) == format_result(rdflib_answer, fmt), (name, fmt)


@pytest.mark.parametrize("name", sorted(set(NAMED) - WITH_DEFAULTS - CONCATENATING))
def test_every_named_query_gets_rdflibs_answer(name: str, curated: NativeGraph) -> None:
    native, expected = both(NAMED[name], curated)
    assert expected.rows or expected.boolean is not None, f"{name} should have an answer"
    assert_same_output(name, native, expected)


@pytest.mark.parametrize("name", sorted(EDGE_QUERIES))
def test_edge_queries_get_rdflibs_answer(name: str, curated: NativeGraph) -> None:
    native, expected = both(query_from_text(EDGE_QUERIES[name], name), curated)
    assert_same_output(name, native, expected)


def test_group_concat_is_left_to_rdflib(curated: NativeGraph) -> None:
    """GROUP_CONCAT's item order is open in SPARQL, and Oxigraph keeps a shared language tag
    that rdflib drops (a drug with one alternative name): such queries are rdflib's."""
    query = query_from_text(
        "SELECT ?d (GROUP_CONCAT(?l; separator='|') AS ?all) WHERE { "
        "?d a mskg:Drug ; skos:altLabel ?l } GROUP BY ?d ORDER BY ?d",
        "group-concat",
    )
    assert answer_in_memory(query, graph=curated) is None
    answer = run_in_memory(query, graph_dir=GRAPH_DIR)
    assert answer.rows
    assert CONCATENATING and all(
        answer_in_memory(NAMED[name], graph=curated) is None for name in CONCATENATING
    )


def test_the_answers_are_real(curated: NativeGraph) -> None:
    """The comparison is not empty on both sides: the FDA approvals (the article's four
    infusion DMTs, and ublituximab from its label)."""
    native, _ = both(NAMED["approvals"], curated)
    assert "rdflib" not in type(native.terms()[0][0]).__module__  # pyoxigraph's own terms
    assert sorted({row[0] for row in native.as_strings()}) == [
        "alemtuzumab",
        "mitoxantrone",
        "natalizumab",
        "ocrelizumab",
        "ublituximab",
    ]


def test_rows_are_rdflib_terms_whichever_engine_answered(curated: NativeGraph) -> None:
    """The Python API does not change with the engine: ``rows`` gives rdflib terms."""
    from rdflib import Literal, URIRef

    native, expected = both(NAMED["approvals"], curated)
    assert native.rows == expected.rows
    assert isinstance(native.rows[0][0], Literal) and isinstance(native.rows[0][-1], URIRef)


def test_a_literal_not_in_canonical_form_is_left_to_rdflib(tmp_path: Path) -> None:
    """Oxigraph would answer "P1D" for "PT24H" and "1" for "01": rdflib answers instead."""
    folder = tmp_path / "graph"
    folder.mkdir()
    (folder / "data.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/r> <http://example.org/onset> "PT24H"^^xsd:duration ;\n'
        '    <http://example.org/n> "01"^^xsd:integer .\n',
        encoding="utf-8",
    )
    assert load_native_graph(folder).as_written is False
    query = query_from_text("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert answer_in_memory(query, graph_dir=folder) is None
    answer = run_in_memory(query, graph_dir=folder)
    assert sorted(answer.as_strings()) == [("01",), ("PT24H",)]


def test_the_curated_graph_is_written_in_canonical_form() -> None:
    """Else Oxigraph and Virtuoso stores would print some of its literals differently."""
    assert load_native_graph(GRAPH_DIR).as_written


@pytest.mark.parametrize(
    "text",
    [
        "CONSTRUCT { ?d a mskg:Drug } WHERE { ?d a mskg:Drug }",
        "DESCRIBE mskr:natalizumab",
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?o ",
        "SELECT ?s WHERE { ?s nosuchprefix:p ?o }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    ],
    ids=["construct", "describe", "graph", "service", "from", "syntax", "prefix", "update"],
)
def test_what_oxigraph_would_word_or_answer_differently_goes_to_rdflib(
    text: str, curated: NativeGraph
) -> None:
    assert answer_in_memory(query_from_text(text), graph=curated) is None


#: Queries that compute numbers: Oxigraph writes 18 decimal places where rdflib writes 28, and
#: "3" where rdflib writes "3.0" for a double.
COMPUTED_NUMBERS = {
    "avg": "SELECT (AVG(?v) AS ?a) WHERE { ?d schema:doseValue ?v }",
    "division": "SELECT (?v / 7 AS ?a) WHERE { ?d schema:doseValue ?v }",
    "product": "SELECT ?d WHERE { ?d schema:doseValue ?v FILTER(?v*1.5 > 300) }",
    "negation": "SELECT (-?v AS ?a) WHERE { ?d schema:doseValue ?v }",
    "cast": "SELECT (xsd:double(?v) AS ?a) WHERE { ?d schema:doseValue ?v }",
    "cast-iri": (
        "SELECT (<http://www.w3.org/2001/XMLSchema#float>(?v) AS ?a) "
        "WHERE { ?d schema:doseValue ?v }"
    ),
    "strdt": "SELECT (STRDT('1.50', xsd:decimal) AS ?a) WHERE {}",
}


@pytest.mark.parametrize("name", sorted(COMPUTED_NUMBERS))
def test_computed_numbers_go_to_rdflib(name: str, curated: NativeGraph) -> None:
    query = query_from_text(COMPUTED_NUMBERS[name], name)
    assert answer_in_memory(query, graph=curated) is None
    assert run_in_memory(query).rows == run_query(query).rows


def test_a_dash_in_a_name_or_a_path_is_no_arithmetic(curated: NativeGraph) -> None:
    text = (
        "SELECT ?x WHERE { ?x skos:broader* mskr:infection ; ^mskg:hasAdverseEffect/rdfs:label "
        "?d . FILTER(?x != mskr:sider-4-1) }"
    )
    assert answer_in_memory(query_from_text(text), graph=curated) is not None


def test_parameters_go_to_rdflib() -> None:
    query = NAMED["serious-adverse-effects"]
    assert answer_in_memory(query, params={"drug": ["natalizumab"]}) is None
    answer = run_in_memory(query, params={"drug": ["natalizumab"]})
    assert answer.rows and {str(v) for v in answer.column("drug")} == {"natalizumab"}


def test_infer_goes_to_rdflib(tmp_path: Path) -> None:
    (tmp_path / "data.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<http://example.org/Flu> rdfs:subClassOf <http://example.org/Infection> .\n"
        "<http://example.org/flu> a <http://example.org/Flu> .\n",
        encoding="utf-8",
    )
    query = query_from_text("SELECT ?x WHERE { ?x a <http://example.org/Infection> }")
    assert run_in_memory(query, graph_dir=tmp_path).rows == []
    inferred = run_in_memory(query, graph_dir=tmp_path, infer="owlrl")
    assert inferred.as_strings() == [("http://example.org/flu",)]
