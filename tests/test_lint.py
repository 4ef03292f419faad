"""Queries that do not fail silently (mskg.sparql.lint): each kind of warning, given where it
applies and not where it does not, on rdflib and on Oxigraph; the command prints them on standard
error and the endpoint sends them in a header, beside standard answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import GRAPH_DIR, REPO_DIR
from mskg.cli import main
from mskg.graph.native import load_native_graph
from mskg.prefixes import MSKG_IRI, PREFIXES
from mskg.server.config import ServerConfig
from mskg.server.jobs import WARNING_HEADER, Job, answer, header_list
from mskg.sparql.engine import infer_closure, run_query
from mskg.sparql.guard import guard_query, walk_algebra
from mskg.sparql.lint import (
    ALWAYS,
    KINDS,
    LITERAL_FORM,
    NEEDS_INFERENCE,
    UNDEFINED_TERM,
    UNKNOWN_RESOURCE,
    UNUSED_TERM,
    GraphFacts,
    QueryWarning,
    answer_warnings,
    lint_query,
    mentions,
)
from mskg.sparql.named import NamedQuery, list_queries, query_from_text
from mskg.stores.memory import MemoryStore

MSKR = "https://w3id.org/mskg/resource/"


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def facts(request: pytest.FixtureRequest, graph: Graph) -> GraphFacts:
    """The curated graph's facts, asked of rdflib and of Oxigraph: the same warnings from both."""
    if request.param == "rdflib":
        return GraphFacts.from_rdflib(graph)
    return GraphFacts.from_oxigraph(load_native_graph(GRAPH_DIR).store)


def lint(text: str, facts: GraphFacts) -> list[QueryWarning]:
    return lint_query(text, facts)


def kinds(warnings: list[QueryWarning]) -> list[str]:
    return [w.kind for w in warnings]


# Where terms are written ----------------------------------------------------------------------


def test_mentions_expand_prefixes_and_skip_strings_comments_and_declarations() -> None:
    text = (
        "PREFIX ex: <http://example.org/>\n"
        "BASE <http://example.org/base/>\n"
        "# mskg:inAComment\n"
        'SELECT ?x WHERE { ?x ex:p "mskg:inAString" ; <http://example.org/q> mskr:pml ;\n'
        '  mskg:approvalYear "2017"^^xsd:gYear . }'
    )
    found = [(m.iri, m.offset) for m in mentions(text)]
    iris = [iri for iri, _ in found]
    assert iris == [
        "http://example.org/p",
        "http://example.org/q",
        MSKR + "pml",
        MSKG_IRI + "approvalYear",
        PREFIXES["xsd"] + "gYear",
    ]
    # each at the offset it is written at
    for iri, offset in found:
        written = text[offset:]
        assert written.startswith(("<" + iri, "ex:", "mskr:", "mskg:", "xsd:"))
    # a declared prefix wins over mskg's own
    (mention,) = mentions("PREFIX mskg: <http://other/>\nSELECT * WHERE { ?s mskg:x ?o }")
    assert mention.iri == "http://other/x"


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_mentions_find_every_iri_of_the_algebra(query: NamedQuery) -> None:
    """The text scan finds every IRI the parser finds in triple patterns (paths and the ``a``
    keyword aside), so the check that runs on every answer sees what the engine runs."""
    found = {m.iri for m in mentions(query.text)}
    parsed: set[str] = set()
    for node in walk_algebra(guard_query(query).algebra):
        if node.name == "BGP":
            for triple in node.triples:
                parsed |= {str(t) for t in triple if isinstance(t, URIRef)}
    parsed.discard(PREFIXES["rdf"] + "type")
    assert parsed <= found, parsed - found


# Undefined terms: always ----------------------------------------------------------------------


def test_undefined_ontology_term_names_the_closest(facts: GraphFacts) -> None:
    (warning,) = lint("SELECT ?d ?e WHERE {\n  ?d mskg:hasCommonAdverseEfect ?e }", facts)
    assert warning.kind == UNDEFINED_TERM
    assert (warning.line, warning.column) == (2, 6)
    assert warning.term == MSKG_IRI + "hasCommonAdverseEfect"
    assert warning.suggestions[0] == "mskg:hasCommonAdverseEffect"
    assert str(warning) == (
        "line 2, column 6: mskg:hasCommonAdverseEfect is not defined in the ontology; "
        "did you mean mskg:hasCommonAdverseEffect?"
    )
    # written as a full IRI, the same
    (full,) = lint(f"SELECT ?d WHERE {{ ?d <{MSKG_IRI}hasCommonAdverseEfect> ?e }}", facts)
    assert full.kind == UNDEFINED_TERM and full.column == 22


def test_defined_terms_and_terms_in_strings_give_no_warning(facts: GraphFacts) -> None:
    assert lint("SELECT ?d ?e WHERE { ?d mskg:hasCommonAdverseEffect ?e }", facts) == []
    text = 'SELECT ?d WHERE { ?d rdfs:label "mskg:hasCommonAdverseEfect"@en } # mskg:nope'
    assert UNDEFINED_TERM not in kinds(lint(text, facts))


def test_standard_vocabulary_typo_names_the_term(facts: GraphFacts) -> None:
    (warning,) = lint("SELECT ?x WHERE { ?x skos:definiton ?d }", facts)
    assert warning.kind == UNDEFINED_TERM
    assert "skos:definiton is not a term of skos; did you mean skos:definition?" in str(warning)
    assert lint("SELECT ?x WHERE { ?x skos:definition ?d }", facts) == []


def test_an_unknown_resource_names_the_closest(facts: GraphFacts) -> None:
    (warning,) = lint("SELECT ?e WHERE { mskr:natalizumb mskg:hasSeriousAdverseEffect ?e }", facts)
    assert warning.kind == UNKNOWN_RESOURCE
    assert warning.suggestions[0] == "mskr:natalizumab"
    assert lint("SELECT ?e WHERE { mskr:natalizumab mskg:hasSeriousAdverseEffect ?e }", facts) == []


# Literals of the wrong form: on an empty answer -----------------------------------------------


def test_plain_year_against_gyear(facts: GraphFacts) -> None:
    (pattern,) = lint('SELECT ?a WHERE { ?a mskg:approvalYear "2017" }', facts)
    assert pattern.kind == LITERAL_FORM and pattern.column == 40
    assert 'write "2017"^^xsd:gYear' in pattern.message
    assert "xsd:gYear literals" in pattern.message
    (compared,) = lint('SELECT ?a WHERE { ?a mskg:approvalYear ?y FILTER(?y = "2017") }', facts)
    assert 'write "2017"^^xsd:gYear, or compare STR(?y) = "2017"' in compared.message
    (number,) = lint("SELECT ?a WHERE { ?a mskg:approvalYear ?y FILTER(?y = 2017) }", facts)
    assert number.message.startswith("2017 (xsd:integer) never matches mskg:approvalYear")
    for right in (
        'SELECT ?a WHERE { ?a mskg:approvalYear "2017"^^xsd:gYear }',
        'SELECT ?a WHERE { ?a mskg:approvalYear ?y FILTER(STR(?y) = "2017") }',
    ):
        assert lint(right, facts) == []


def test_untagged_label(facts: GraphFacts) -> None:
    (warning,) = lint('SELECT ?d WHERE { ?d rdfs:label "natalizumab" }', facts)
    assert warning.kind == LITERAL_FORM
    assert "strings tagged @en" in warning.message
    assert 'write "natalizumab"@en' in warning.message
    (listed,) = lint('SELECT ?d WHERE { ?d rdfs:label ?l FILTER(?l IN ("natalizumab")) }', facts)
    assert 'or compare STR(?l) = "natalizumab"' in listed.message
    for right in (
        'SELECT ?d WHERE { ?d rdfs:label "natalizumab"@en }',
        'SELECT ?d WHERE { ?d rdfs:label ?l FILTER(STR(?l) = "natalizumab") }',
        # brand names are plain strings: a plain string is their form
        'SELECT ?d WHERE { ?d schema:proprietaryName "Tysabri" }',
    ):
        assert lint(right, facts) == []


def test_text_against_a_property_of_nodes(facts: GraphFacts) -> None:
    (warning,) = lint('SELECT ?a WHERE { ?a mskg:frequency "rare" }', facts)
    assert warning.kind == LITERAL_FORM and "values are nodes (IRIs)" in warning.message
    assert lint("SELECT ?a WHERE { ?a mskg:frequency mskg:Rare }", facts) == []


# Classes and properties used only through narrower ones: on an empty answer -------------------


def test_class_with_instances_of_subclasses_only(facts: GraphFacts, graph: Graph) -> None:
    (warning,) = lint("SELECT ?t WHERE { ?t a mskg:Treatment }", facts)
    assert warning.kind == NEEDS_INFERENCE and warning.column == 24
    assert "mskg:Drug" in warning.message and "mskg:Procedure" in warning.message
    assert (
        "--infer" in warning.message and "?t a/rdfs:subClassOf* mskg:Treatment" in warning.message
    )
    for right in (
        "SELECT ?t WHERE { ?t a mskg:Drug }",
        "SELECT ?t WHERE { ?t a/rdfs:subClassOf* mskg:Treatment }",
    ):
        assert lint(right, facts) == []
    # over the closure (--infer) every drug is a treatment: nothing to say
    closure = GraphFacts.from_rdflib(infer_closure(graph, "rdfs"))
    assert lint("SELECT ?t WHERE { ?t a mskg:Treatment }", closure) == []


def test_property_used_through_subproperties_only(facts: GraphFacts) -> None:
    (warning,) = lint("SELECT ?d ?e WHERE { ?d mskg:hasAdverseEffect ?e }", facts)
    assert warning.kind == NEEDS_INFERENCE
    assert "mskg:hasCommonAdverseEffect|" in warning.message and "--infer" in warning.message
    assert lint("SELECT ?d ?e WHERE { ?d mskg:hasSeriousAdverseEffect ?e }", facts) == []


def test_a_term_nothing_uses(facts: GraphFacts) -> None:
    (warning,) = lint("SELECT ?x WHERE { ?x skos:prefLabel ?l }", facts)
    assert warning.kind == UNUSED_TERM and "skos:prefLabel" in warning.message
    assert lint("SELECT ?x WHERE { ?x skos:altLabel ?l }", facts) == []


def test_only_what_every_solution_must_match(facts: GraphFacts) -> None:
    """An OPTIONAL that matches nothing, or a MINUS or NOT EXISTS, does not empty an answer:
    the checks made for an empty answer leave them out; the same patterns required are said."""
    patterns = '?x skos:prefLabel ?l . ?x rdfs:label "x" ; a mskg:Treatment . mskr:natalizumb ?p ?x'
    required = f"SELECT ?x WHERE {{ ?x a mskg:Drug . {patterns} }}"
    assert sorted(kinds(lint(required, facts))) == sorted(
        [UNUSED_TERM, LITERAL_FORM, NEEDS_INFERENCE, UNKNOWN_RESOURCE]
    )
    for aside in (
        f"SELECT ?x WHERE {{ ?x a mskg:Drug OPTIONAL {{ {patterns} }} }}",
        f"SELECT ?x WHERE {{ ?x a mskg:Drug MINUS {{ {patterns} }} }}",
        f"SELECT ?x WHERE {{ ?x a mskg:Drug FILTER NOT EXISTS {{ {patterns} }} }}",
    ):
        assert lint(aside, facts) == [], aside
    within = f"SELECT ?x WHERE {{ ?x a mskg:Drug FILTER EXISTS {{ {patterns} }} }}"
    assert len(lint(within, facts)) == 4


# The policy: what is said with which answer ---------------------------------------------------


def test_named_queries_are_clean(graph: Graph) -> None:
    """No named query names a term the graph does not define (the warning every run gives)."""
    facts = GraphFacts.from_rdflib(graph)
    for query in list_queries():
        assert lint_query(query, facts, kinds=ALWAYS) == [], query.name


def test_undefined_terms_always_the_rest_on_an_empty_answer(graph: Graph) -> None:
    facts = GraphFacts.from_rdflib(graph)
    # rows, through the other branch: the typo is still said, the class hint is not
    text = (
        "SELECT ?x WHERE { { ?x a mskg:Treatment } UNION { ?x a mskg:Drug } "
        "OPTIONAL { ?x mskg:potentialyFatal ?f } }"
    )
    result = run_query(query_from_text(text), graph)
    assert result.rows
    assert kinds(answer_warnings(text, result, facts)) == [UNDEFINED_TERM]
    empty = run_query(query_from_text("SELECT ?x WHERE { ?x a mskg:Treatment }"), graph)
    assert not empty.rows
    assert kinds(answer_warnings("SELECT ?x WHERE { ?x a mskg:Treatment }", empty, facts)) == [
        NEEDS_INFERENCE
    ]
    ask = 'ASK { ?a mskg:approvalYear "2017" }'
    assert kinds(answer_warnings(ask, run_query(ask, graph), facts)) == [LITERAL_FORM]
    assert KINDS > ALWAYS


def test_facts_of_every_store(graph: Graph, memory: MemoryStore) -> None:
    """A store keeping an rdflib graph is asked through it; any other through SPARQL."""

    class Remote:
        def local_graph(self) -> None:
            return None

        def select_values(self, sparql: str) -> list:  # type: ignore[type-arg]
            return memory.select_values(sparql)

    text = 'SELECT ?d WHERE { ?d rdfs:label "natalizumab" ; a mskg:Treatment }'
    expected = lint(text, GraphFacts.from_rdflib(graph))
    assert kinds(expected) == [LITERAL_FORM, NEEDS_INFERENCE]
    assert lint(text, GraphFacts.from_store(memory)) == expected
    assert lint(text, GraphFacts.from_store(Remote())) == expected


def test_a_check_that_fails_gives_no_warning(graph: Graph) -> None:
    def broken(sparql: str) -> list[tuple[object, ...]]:
        raise ValueError("the store cannot answer")

    result = run_query(query_from_text("SELECT ?x WHERE { ?x a mskg:Treatment }"), graph)
    assert (
        answer_warnings("SELECT ?x WHERE { ?x a mskg:Treatment }", result, GraphFacts(broken)) == []
    )


# The command ---------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["query", *args, "--graph", str(GRAPH_DIR)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_command_prints_warnings_on_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "-e", "SELECT ?d ?e WHERE { ?d mskg:hasCommonAdverseEfect ?e }", "-f", "csv"
    )
    assert code == 0 and out.strip() == "d,e"
    assert (
        "warning: line 1, column 25: mskg:hasCommonAdverseEfect is not defined in the ontology; "
        "did you mean mskg:hasCommonAdverseEffect?\n"
    ) in err
    assert "warning" not in out
    code, out, err = cli(capsys, "-e", 'ASK { ?a mskg:approvalYear "2017" }')
    assert code == 1 and out.strip() == "false"
    assert 'warning: line 1, column 28: "2017" (a plain string)' in err
    code, out, err = cli(capsys, "-e", "SELECT ?t WHERE { ?t a mskg:Treatment }", "-f", "csv")
    assert "run with --infer" in err
    code, out, err = cli(
        capsys, "-e", "SELECT ?t WHERE { ?t a mskg:Treatment }", "-f", "csv", "--infer"
    )
    assert "warning" not in err and MSKR + "natalizumab" in out


def test_command_is_silent_on_a_clean_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "serious-adverse-effects", "--param", "drug=Tysabri")
    assert code == 0 and "warning" not in err and "natalizumab" in out


def test_a_named_query_warning_names_its_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "typo.rq"
    query.write_text("# title: t\n# description: d\nSELECT ?x WHERE { ?x a mskg:Treatmnt }\n")
    code, _out, err = cli(capsys, str(query))
    assert code == 0
    assert f"warning: {query}: line 3, column 24: mskg:Treatmnt is not defined" in err
    assert "did you mean mskg:Treatment?" in err


def test_warnings_are_made_safe_for_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    _code, _out, err = cli(capsys, "-e", 'SELECT ?d WHERE { ?d rdfs:label "\x1b]0;owned\x07" }')
    assert "\x1b" not in err and "\\x1b]0;owned" in err


def test_command_warns_on_an_oxigraph_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = f"oxigraph:{tmp_path / 'kg'}"
    assert main(["load", "--store", store, "--graph", str(GRAPH_DIR)]) == 0
    capsys.readouterr()
    code = main(
        ["query", "-e", "SELECT ?d WHERE { ?d mskg:hasAdverseEffect ?e }", "--store", store]
    )
    assert code == 0
    assert "no triple uses mskg:hasAdverseEffect itself" in capsys.readouterr().err


def test_the_warning_on_every_run_needs_no_rdflib(tmp_path: Path) -> None:
    """On the path Oxigraph answers, the check for undefined terms, made on every answer, does
    not import rdflib (an answer with rows: the other checks are for empty answers)."""
    text = "SELECT ?d WHERE { ?d a mskg:Drug OPTIONAL { ?d mskg:hasSeriusAdverseEffect ?e } }"
    script = (
        "import sys\n"
        "from mskg.cli import main\n"
        f"code = main(['query', '-e', {text!r}])\n"
        "print('RDFLIB', 'rdflib' in sys.modules, code, file=sys.stderr)\n"
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
    assert "RDFLIB False 0" in done.stderr, done.stderr
    assert "did you mean mskg:hasSeriousAdverseEffect?" in done.stderr


# The endpoint --------------------------------------------------------------------------------


def test_header_list_round_trips() -> None:
    values = ['line 1, column 2: "natalizumab" never matches', "100% ü\r\nX-Injected: 1"]
    header = header_list(values)
    assert all(32 <= ord(c) < 127 for c in header)
    assert [urllib.parse.unquote(item.strip()) for item in header.split(",")] == values
    assert len(header_list(["x" * 3000, "y" * 3000])) < 4000  # whole items, within the limit


def test_endpoint_sends_warnings_in_a_header_beside_a_standard_answer(memory: MemoryStore) -> None:
    reply = answer(
        memory,
        Job(
            "sparql",
            "SELECT ?d WHERE { ?d mskg:hasCommonAdverseEfect ?e }",
            accept="application/sparql-results+json",
        ),
    )
    assert reply.status == 200
    assert json.loads(reply.body) == {"head": {"vars": ["d"]}, "results": {"bindings": []}}
    (item,) = reply.headers[WARNING_HEADER].split(",")
    assert urllib.parse.unquote(item.strip()).endswith(
        "mskg:hasCommonAdverseEfect is not defined in the ontology; "
        "did you mean mskg:hasCommonAdverseEffect?"
    )
    clean = answer(memory, Job("named", "serious-adverse-effects", params={"drug": ["Tysabri"]}))
    assert clean.status == 200 and WARNING_HEADER not in clean.headers


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    from test_server import running_mskg

    with running_mskg(ServerConfig(timeout=30, workers=1)) as server:
        yield server.url


def test_served_answer_carries_the_warnings_in_a_header(served: str) -> None:
    from test_server import fetch

    query = urllib.parse.urlencode({"query": "SELECT ?t WHERE { ?t a mskg:Treatment }"})
    status, headers, body = fetch(f"{served}/sparql?{query}")
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert "a%2Frdfs%3AsubClassOf" not in headers[WARNING_HEADER]  # only what needs it is encoded
    assert (
        "run with --infer%2C or write ?t a/rdfs:subClassOf* mskg:Treatment"
        in (headers[WARNING_HEADER])
    )
    # the query page shows them, as text: tests/test_workbench_browser.py
