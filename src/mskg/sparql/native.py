"""``mskg query`` on Oxigraph in memory: rdflib's answers, without rdflib's start-up and parser.

:func:`run_in_memory` is the memory store's query for the command line: Oxigraph where it gives
the rdflib engine's answer, the rdflib engine otherwise. :func:`answer_in_memory` parses the
graph folder with pyoxigraph into an in-memory store and runs the query there, in a fraction of
the time rdflib needs to import its SPARQL engine. It answers only where its answer is the rdflib
engine's (:func:`mskg.sparql.engine.run_query`), cell for cell, and returns None otherwise:

- the query is a SELECT or an ASK (rdflib writes CONSTRUCT and DESCRIBE graphs);
- no parameter is bound (labels are resolved through the rdflib graph);
- it has no ``GRAPH`` pattern (the in-memory rdflib store refuses one with its own message);
- every literal of the graph is in canonical form, so Oxigraph gives it back as written
  (:attr:`mskg.graph.native.NativeGraph.as_written`);
- it computes no number that may not be an integer (arithmetic, ``AVG``, ``SUM``, casts):
  Oxigraph writes 18 decimal places where rdflib writes 28, ``"3"`` where rdflib writes
  ``"3.0"``; as a second wall, an answer holding a number or a time the graph does not hold
  is left to rdflib too;
- the guard passes it and Oxigraph reads and runs it: every refusal, syntax error or failure is
  left to the rdflib path, which words it as it always has.

The guard is the same wall as on every path: :func:`mskg.sparql.guard.lexical_guard` refuses a
query that would write or fetch before Oxigraph sees it, and Oxigraph runs the text it judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mskg.errors import QueryError
from mskg.graph.native import NativeGraph, load_native_graph
from mskg.prefixes import RDF_LANG_STRING, XSD_STRING
from mskg.sparql.guard import code_only, keywords, lexical_guard
from mskg.sparql.lint import GraphFacts, QueryWarning, answer_warnings
from mskg.sparql.named import NamedQuery
from mskg.sparql.params import with_prefixes
from mskg.sparql.results import QueryResult

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

#: Functions whose numbers the two engines may write differently.
_NUMERIC_FUNCTIONS = frozenset({"AVG", "SUM", "ABS", "ROUND", "CEIL", "FLOOR", "RAND", "STRDT"})

#: An arithmetic operator between operands (a variable, a number or a bracket), read in a text
#: without its prefixed names: not a property path, whose ``/ * + -`` follow an IRI or a name.
_ARITHMETIC = re.compile(
    r"(?:[?$]\w+|\d\.?|\))\s*[-+*/]\s*(?:[?$\d(.+-]|[A-Za-z]+\s*\()|[(,]\s*-\s*[?$(]"
)

#: A cast to a number type: ``xsd:decimal(?x)``, ``<...XMLSchema#double>(?x)``.
_CAST = re.compile(r"(?:xsd:|XMLSchema#)(?:decimal|double|float|integer)>?\s*\(")

#: A prefixed name (``mskr:sider-4-1``, ``xsd:integer``), whose dashes are not minus signs.
_PREFIXED_NAME = re.compile(r"(?<![\w?$])[A-Za-z_]?[\w.-]*:[\w.%-]*")


_GROUP_CONCAT = re.compile(r"\bGROUP_CONCAT\s*\(", re.IGNORECASE)


def _computes_numbers(text: str, words: list[str]) -> bool:
    """Whether ``text`` may compute a number that is not an integer."""
    code = code_only(text)
    if _NUMERIC_FUNCTIONS.intersection(words) or _CAST.search(code):
        return True
    return bool(_ARITHMETIC.search(_PREFIXED_NAME.sub(lambda m: "_" * len(m.group()), code)))


#: Datatypes whose values an engine may write in its own way when it computes them.
_WRITTEN_AS_IS = frozenset(
    {
        XSD_STRING,
        RDF_LANG_STRING,
        "http://www.w3.org/2001/XMLSchema#integer",
        "http://www.w3.org/2001/XMLSchema#boolean",
    }
)


def answer_in_memory(
    query: NamedQuery,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    graph_dir: Path | str | None = None,
    graph: NativeGraph | None = None,
) -> QueryResult | None:
    """The answer to ``query`` over the graph at ``graph_dir`` (default: the curated graph) from
    Oxigraph in memory, or None where only the rdflib engine gives the answer mskg promises.
    ``graph`` is that graph already loaded (:func:`mskg.graph.native.load_native_graph`), to
    answer several queries from one parse."""
    if params or any(p.default for p in query.header.params):
        return None
    label = str(query.path) if query.path is not None else query.name
    try:
        text = lexical_guard(query.text, label)
    except QueryError:
        return None
    words = keywords(text)
    form = next((word for word in words if word in _FORMS), None)
    if form not in ("SELECT", "ASK") or "GRAPH" in words:
        return None
    if _computes_numbers(text, words):
        return None
    if _GROUP_CONCAT.search(code_only(text)):
        # SPARQL leaves the order of GROUP_CONCAT's items open, and Oxigraph keeps a language
        # tag the items share where rdflib drops it: the two engines write different cells.
        return None
    if graph is None:
        graph = load_native_graph(graph_dir)
    if not graph.as_written:
        return None
    try:
        answer = graph.store.query(with_prefixes(text))
        if form == "ASK":
            return QueryResult("ASK", boolean=bool(answer))
        variables = [variable.value for variable in answer.variables]
        width = range(len(variables))
        rows = [tuple(solution[i] for i in width) for solution in answer]
    except (SyntaxError, OSError, ValueError, TypeError, RuntimeError):
        return None  # Oxigraph cannot read or run it: rdflib gives its answer or its error
    if _computes_values(rows, graph.typed_literals):
        return None
    return QueryResult("SELECT", variables=variables, native_rows=rows)


def _computes_values(rows: list[tuple[Any, ...]], in_graph: frozenset[Any]) -> bool:
    """Whether a row holds a number, time or other typed value that the graph does not hold:
    computed by the query, so written the engine's way."""
    for row in rows:
        for term in row:
            if (
                type(term).__name__ == "Literal"
                and term.datatype.value not in _WRITTEN_AS_IS
                and term not in in_graph
            ):
                return True
    return False


def run_in_memory(
    query: NamedQuery,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    graph_dir: Path | str | None = None,
    infer: str | None = None,
    use_cache: bool = True,
) -> QueryResult:
    """The answer of :func:`mskg.sparql.engine.run_query` (same arguments): from Oxigraph in
    memory where :func:`answer_in_memory` gives it, else from rdflib (imported only then); the
    answer of :func:`run_in_memory_with_warnings`, which the command line calls."""
    answer, _warnings = run_in_memory_with_warnings(
        query, params=params, graph_dir=graph_dir, infer=infer, use_cache=use_cache
    )
    return answer


def run_in_memory_with_warnings(
    query: NamedQuery,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    graph_dir: Path | str | None = None,
    infer: str | None = None,
    use_cache: bool = True,
) -> tuple[QueryResult, list[QueryWarning]]:
    """:func:`run_in_memory`, and the warnings to give with its answer
    (:func:`mskg.sparql.lint.answer_warnings`), asked of the graph that answered: Oxigraph's
    copy (whichever engine answered: they hold the same triples), or with ``infer`` the rdflib
    closure the query ran on."""
    if infer is None:
        native = load_native_graph(graph_dir)
        answer = answer_in_memory(query, params=params, graph=native)
        if answer is None:
            from mskg.sparql.engine import run_query

            answer = run_query(query, params=params, graph_dir=graph_dir, use_cache=use_cache)
        return answer, answer_warnings(query, answer, GraphFacts.from_oxigraph(native.store))
    from mskg.sparql.engine import load_query_graph, run_query

    graph = load_query_graph(graph_dir, infer=infer, use_cache=use_cache)
    answer = run_query(query, graph, params=params)
    return answer, answer_warnings(query, answer, GraphFacts.from_rdflib(graph))
