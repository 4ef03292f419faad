"""Why a query may answer nothing: the hints ``mskg query`` and ``mskg serve`` give with an answer.

A query that names a term the ontology does not define (``mskg:hasCommonAdverseEfect``), that
compares a plain string with values that are typed (``"2017"`` against ``xsd:gYear``) or
tagged (``"natalizumab"`` against ``"natalizumab"@en``), or that asks for a class or property
only its subclasses or subproperties are used with (``?x a mskg:Treatment`` without
``--infer``), is valid SPARQL and answers nothing, with no hint. :func:`lint_query` reads the
query and asks the graph a few small questions (:class:`GraphFacts`, by SPARQL, so that it works
on rdflib, on Oxigraph and on any store) and returns :class:`QueryWarning` values: data, with
the line and column of the term or literal at fault, for the caller to print or send.

:func:`answer_warnings` is the policy the command and the endpoint share: a term the ontology
or a standard vocabulary does not define is reported whatever the answer (a misspelt property in
an ``OPTIONAL`` leaves a column empty without emptying the answer, and it is never right); the
other kinds only when the answer is empty (no row, ``false``, an empty graph), since a literal,
an ``mskr:`` resource or a class with no direct instance may be meant, and an answer with rows
needs no explaining.

Terms and their positions are read from the text itself (:func:`mentions`: prefixed names and
IRIs outside comments and strings, prefixes expanded), so that the check made on every answer
costs one small query and never imports rdflib; the checks made on an empty answer walk rdflib's
algebra of the query, and only the patterns every solution must match (an OPTIONAL that matches
nothing does not empty an answer): the triple patterns and the comparisons of FILTERs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mskg.errors import MskgError, closest_names
from mskg.prefixes import MSKG_IRI, PREFIXES, RESOURCE_IRI, XSD_STRING, compress_iri
from mskg.sparql.guard import (
    code_only,
    engine_text,
    guard_query,
    line_and_column,
    opaque_tokens,
    walk_algebra,
)
from mskg.sparql.named import NamedQuery, query_from_text
from mskg.sparql.results import QueryResult, TermParts, term_parts

if TYPE_CHECKING:
    from rdflib import Graph


#: An ``mskg:`` term the ontology does not define, or a term a standard vocabulary does not have.
UNDEFINED_TERM = "undefined-term"
#: An ``mskr:`` resource the graph does not hold.
UNKNOWN_RESOURCE = "unknown-resource"
#: A literal of another form than the values of the property it is matched or compared with.
LITERAL_FORM = "literal-form"
#: A class with no direct instance but instances of subclasses; a property likewise.
NEEDS_INFERENCE = "needs-inference"
#: A class or property that nothing in the graph uses, directly or through narrower terms.
UNUSED_TERM = "unused-term"

KINDS = frozenset({UNDEFINED_TERM, UNKNOWN_RESOURCE, LITERAL_FORM, NEEDS_INFERENCE, UNUSED_TERM})

#: The kinds reported whatever the answer; the others only when the answer is empty.
ALWAYS = frozenset({UNDEFINED_TERM})


@dataclass(frozen=True)
class QueryWarning:
    """One reason a query may answer less than its author meant.

    ``line`` and ``column`` (from 1) point at the term or literal in the query text where it
    could be found; ``term`` is that term (an IRI, or a literal in Turtle syntax);
    ``suggestions`` are the defined terms closest to an undefined one, as prefixed names.
    """

    kind: str
    message: str
    line: int | None = None
    column: int | None = None
    term: str | None = None
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        return where + self.message


# The graph's side: a few small questions, by SPARQL ------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_SUBPROPERTY_OF = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"

#: An IRI that can be written between ``<`` and ``>`` in a query as it is.
_SAFE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")

Row = tuple[TermParts | None, ...]


class GraphFacts:
    """What the linter asks of a graph, answered by SPARQL ``select`` (a function from a query
    text to its rows of terms, rdflib's or pyoxigraph's), so that it works on every store.

    Build it with :meth:`from_rdflib`, :meth:`from_oxigraph` or :meth:`from_store`. The queries
    are made here from IRIs checked to be safe in ``<...>`` and escaped strings; a store runs
    them without the guard.
    """

    def __init__(self, select: Callable[[str], Iterable[Sequence[Any]]]) -> None:
        self._select = select

    @classmethod
    def from_rdflib(cls, graph: Graph) -> GraphFacts:
        """Facts of an rdflib graph (the memory store's, or its inference closure)."""
        return cls(lambda sparql: [tuple(row) for row in graph.query(sparql)])  # type: ignore[arg-type]

    @classmethod
    def from_oxigraph(cls, store: Any) -> GraphFacts:
        """Facts of a pyoxigraph ``Store`` (:class:`mskg.graph.native.NativeGraph` holds one)."""

        def select(sparql: str) -> list[tuple[Any, ...]]:
            answer = store.query(sparql)
            width = range(len(answer.variables))
            return [tuple(solution[i] for i in width) for solution in answer]

        return cls(select)

    @classmethod
    def from_store(cls, store: Any) -> GraphFacts:
        """Facts of an mskg store (:class:`mskg.stores.base.Store`): its rdflib graph where it
        keeps one in this process, else by SPARQL on the store."""
        local = store.local_graph()
        if local is not None:
            return cls.from_rdflib(local)
        return cls(store.select_values)

    def rows(self, sparql: str) -> list[Row]:
        return [
            tuple(None if term is None else term_parts(term) for term in row)
            for row in self._select(sparql)
        ]

    def values(self, sparql: str) -> list[str]:
        """The first column of the rows, as strings (IRIs, lexical forms)."""
        return [row[0].value for row in self.rows(sparql) if row and row[0] is not None]

    def absent(self, iris: Sequence[str]) -> set[str]:
        """Those of ``iris`` that no triple of the graph holds, in any position."""
        safe = [iri for iri in dict.fromkeys(iris) if _SAFE_IRI.match(iri)]
        present: set[str] = set()
        for start in range(0, len(safe), 100):
            listed = " ".join(f"<{iri}>" for iri in safe[start : start + 100])
            present.update(
                self.values(
                    f"SELECT DISTINCT ?t WHERE {{ VALUES ?t {{ {listed} }} "
                    "{ ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } }"
                )
            )
        return set(safe) - present

    def typed_terms(self, namespace: str) -> list[str]:
        """The IRIs in ``namespace`` that the graph gives a type: the terms it defines."""
        return sorted(
            set(
                self.values(
                    f"SELECT DISTINCT ?t WHERE {{ ?t <{_RDF_TYPE}> ?type "
                    f"FILTER(STRSTARTS(STR(?t), {_string(namespace)})) }}"
                )
            )
        )

    def literal_kinds(self, predicate: str) -> tuple[set[tuple[str, str]], bool]:
        """The kinds of the literal values of ``predicate``, each ``("lang", tag)`` or
        ``("datatype", IRI)``, and whether it has values that are nodes (IRIs, blank nodes)."""
        kinds: set[tuple[str, str]] = set()
        for lang, datatype in self.rows(
            f"SELECT DISTINCT (LANG(?o) AS ?lang) (DATATYPE(?o) AS ?datatype) "
            f"WHERE {{ ?s <{predicate}> ?o FILTER(isLiteral(?o)) }}"
        ):
            if lang is not None and lang.value:
                kinds.add(("lang", lang.value.lower()))
            elif datatype is not None:
                kinds.add(("datatype", datatype.value))
        nodes = self.values(
            f"SELECT ?o WHERE {{ ?s <{predicate}> ?o FILTER(!isLiteral(?o)) }} LIMIT 1"
        )
        return kinds, bool(nodes)

    def in_use(self, iri: str, *, as_class: bool) -> bool:
        """Whether a node is typed ``iri`` (``as_class``), or a triple has it as predicate."""
        pattern = f"?x <{_RDF_TYPE}> <{iri}>" if as_class else f"?x <{iri}> ?o"
        return bool(self.values(f"SELECT ?x WHERE {{ {pattern} }} LIMIT 1"))

    def narrower_in_use(self, iri: str, *, as_class: bool) -> list[str]:
        """The subclasses of ``iri`` that have instances (``as_class``), or its subproperties
        that triples use."""
        if as_class:
            pattern = f"?narrower <{_SUBCLASS_OF}>+ <{iri}> . ?x <{_RDF_TYPE}> ?narrower"
        else:
            pattern = f"?narrower <{_SUBPROPERTY_OF}>+ <{iri}> . ?x ?narrower ?o"
        found = self.values(f"SELECT DISTINCT ?narrower WHERE {{ {pattern} }} LIMIT 50")
        return sorted(set(found) - {iri})


def _string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


# The query's side: its terms, where they are written -----------------------------------------


@dataclass(frozen=True)
class Mention:
    """An IRI written in a query (``<...>`` or a prefixed name), at a character offset."""

    iri: str
    offset: int


_PREFIX_DECLARATION = re.compile(r"\bPREFIX\s+([A-Za-z](?:[\w.-]*[\w-])?)?:\s*$", re.IGNORECASE)
_BASE_DECLARATION = re.compile(r"\bBASE\s*$", re.IGNORECASE)
_LOCAL_CHAR = r"(?:[\w:-]|%[0-9A-Fa-f]{2})"
_PREFIXED_NAME = re.compile(
    rf"(?<![\w?$:.\\-])([A-Za-z](?:[\w.-]*[\w-])?)?:({_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*"
    rf"{_LOCAL_CHAR})?)?"
)


def mentions(text: str) -> list[Mention]:
    """The IRIs ``text`` writes, in order: ``<...>`` and prefixed names outside its comments and
    strings, with the prefixes it declares (and mskg's own, :data:`mskg.prefixes.PREFIXES`,
    which every mskg path accepts undeclared) expanded. The IRIs that ``PREFIX`` and ``BASE``
    declare are not mentions. Read without a parser, so the IRI of a relative ``<...>`` is left
    as written."""
    code = code_only(text)
    declared: dict[str, str] = {}
    found: list[Mention] = []
    for match in opaque_tokens(text):
        token = match.group()
        if not token.startswith("<"):
            continue
        before = code[max(0, match.start() - 200) : match.start()]
        declaration = _PREFIX_DECLARATION.search(before)
        if declaration is not None:
            declared[declaration.group(1) or ""] = token[1:-1]
        elif _BASE_DECLARATION.search(before) is None:
            found.append(Mention(token[1:-1], match.start()))
    namespaces = {**PREFIXES, **declared}
    for match in _PREFIXED_NAME.finditer(code):
        prefix, local = match.group(1) or "", match.group(2)
        if local and prefix in namespaces:
            found.append(Mention(namespaces[prefix] + local, match.start()))
    return sorted(found, key=lambda mention: mention.offset)


def _shown(iri: str) -> str:
    curie = compress_iri(iri)
    return curie if curie is not None and curie.partition(":")[2] else f"<{iri}>"


#: Namespaces whose terms are checked: mskg's and those of the prefixes mskg knows.
_CHECKED_NAMESPACES = (MSKG_IRI, RESOURCE_IRI, *PREFIXES.values(), "https://schema.org/")


# The checks ----------------------------------------------------------------------------------


def lint_query(
    query: NamedQuery | str, facts: GraphFacts, *, kinds: Iterable[str] = KINDS
) -> list[QueryWarning]:
    """The warnings of ``kinds`` (default: all, :data:`KINDS`) for ``query`` over the graph
    ``facts`` describes, in the order of the query text.

    ``query`` is a :class:`NamedQuery` or SPARQL text; it should be one the guard passes (a
    malformed query raises its :class:`mskg.errors.QueryError`, for the kinds that parse it).
    """
    named = query if isinstance(query, NamedQuery) else query_from_text(query)
    wanted = frozenset(kinds)
    text = engine_text(named.text, named.name)
    first: dict[str, int] = {}
    for mention in mentions(text):
        first.setdefault(mention.iri, mention.offset)
    warnings: list[QueryWarning] = []

    def warn(kind: str, message: str, iri: str | None, suggestions: Sequence[str] = ()) -> None:
        offset = first.get(iri) if iri is not None else None
        line, column = line_and_column(text, offset) if offset is not None else (None, None)
        warnings.append(QueryWarning(kind, message, line, column, iri, tuple(suggestions)))

    flagged, unknown_resources = _undefined_terms(first, facts, wanted, warn)
    if wanted & {UNKNOWN_RESOURCE, LITERAL_FORM, NEEDS_INFERENCE, UNUSED_TERM}:
        # Only the patterns every solution must match: an OPTIONAL that matches nothing, or
        # a MINUS, does not empty an answer.
        triples, comparisons = _patterns(guard_query(named).algebra)
        required = {str(term) for triple in triples for term in triple}
        for comparison in comparisons:
            other = comparison.other
            required.update(
                map(str, [comparison.expr, *(other if isinstance(other, list) else [other])])
            )
        for iri, message, suggestions in unknown_resources:
            if UNKNOWN_RESOURCE in wanted and iri in required:
                warn(UNKNOWN_RESOURCE, message, iri, suggestions)
        if LITERAL_FORM in wanted:
            for kind, message, literal, where in _literal_forms(triples, comparisons, facts):
                offset = _literal_offset(text, literal)
                line, column = line_and_column(text, offset) if offset is not None else (None, None)
                warnings.append(QueryWarning(kind, message, line, column, where))
        if wanted & {NEEDS_INFERENCE, UNUSED_TERM}:
            for kind, message, iri in _unmatched_terms(triples, facts, flagged):
                if kind in wanted:
                    warn(kind, message, iri)
    return sorted(warnings, key=lambda w: (w.line or 0, w.column or 0))


def _undefined_terms(
    first: dict[str, int],
    facts: GraphFacts,
    wanted: frozenset[str],
    warn: Callable[[str, str, str | None, Sequence[str]], None],
) -> tuple[set[str], list[tuple[str, str, list[str]]]]:
    """Warn of the ``mskg:`` terms the ontology does not define and the terms standard
    vocabularies do not have; return them with the ``mskr:`` resources the graph does not hold
    (IRI, message, closest names), which only some answers call for."""
    checked = [iri for iri in first if iri.startswith(_CHECKED_NAMESPACES)]
    if not wanted & {UNDEFINED_TERM, UNKNOWN_RESOURCE} or not checked:
        return set(), []
    flagged: set[str] = set()
    resources: list[tuple[str, str, list[str]]] = []
    for iri in sorted(facts.absent(checked), key=lambda i: first[i]):
        for namespace, what in (
            (MSKG_IRI, "is not defined in the ontology"),
            (RESOURCE_IRI, "is not in the graph"),
        ):
            if iri.startswith(namespace):
                flagged.add(iri)
                if (UNDEFINED_TERM if namespace == MSKG_IRI else UNKNOWN_RESOURCE) in wanted:
                    local = iri[len(namespace) :]
                    names = [t[len(namespace) :] for t in facts.typed_terms(namespace)]
                    close = [_shown(namespace + n) for n in closest_names(local, names, 3)]
                    hint = f"; did you mean {close[0]}?" if close else ""
                    message = f"{_shown(iri)} {what}{hint}"
                    if namespace == MSKG_IRI:
                        warn(UNDEFINED_TERM, message, iri, close)
                    else:
                        resources.append((iri, message, close))
                break
        else:
            from mskg.vocab import unknown_standard_term  # rdflib: only for a term not in the graph

            unknown = unknown_standard_term(iri)
            if unknown is not None:
                flagged.add(iri)
                if UNDEFINED_TERM in wanted:
                    warn(UNDEFINED_TERM, unknown[0], iri, unknown[1])
    return flagged, resources


Triple = tuple[Any, Any, Any]


def _patterns(algebra: Any) -> tuple[list[Triple], list[Any]]:
    """The triple patterns and the comparisons (``=``, ``<``, ``IN``...) a solution must match
    in a query's algebra: in UNION branches, sub-queries and FILTER EXISTS too, not in OPTIONAL,
    MINUS and FILTER NOT EXISTS (:func:`mskg.sparql.guard.walk_algebra`, ``required_only``)."""
    triples: list[Triple] = []
    comparisons: list[Any] = []
    for node in walk_algebra(algebra, required_only=True):
        if node.name == "BGP":
            triples.extend(node.triples)
        elif node.name == "TriplesBlock":  # inside EXISTS, rdflib keeps the parsed form
            from rdflib.plugins.sparql.algebra import triples as as_triples

            triples.extend(as_triples(node.triples))
        elif node.name == "RelationalExpression":
            comparisons.append(node)
    return triples, comparisons


_XSD = "http://www.w3.org/2001/XMLSchema#"

#: Datatypes whose values compare with each other as numbers.
_NUMERIC = frozenset(
    _XSD + name
    for name in (
        *("integer", "decimal", "float", "double", "long", "int", "short", "byte"),
        *("nonPositiveInteger", "negativeInteger", "nonNegativeInteger", "positiveInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    )
)


def _kind_of(literal: Any) -> tuple[str, str]:
    if literal.language:
        return ("lang", str(literal.language).lower())
    return ("datatype", str(literal.datatype) if literal.datatype is not None else XSD_STRING)


def _matches(wanted: tuple[str, str], kind: tuple[str, str]) -> bool:
    if wanted[0] == kind[0] == "datatype" and wanted[1] in _NUMERIC:
        return kind[1] in _NUMERIC
    return wanted == kind


def _describe(kind: tuple[str, str]) -> str:
    if kind[0] == "lang":
        return f"strings tagged @{kind[1]}"
    if kind[1] == XSD_STRING:
        return "plain strings"
    return f"{_shown(kind[1])} literals"


def _describe_one(kind: tuple[str, str]) -> str:
    if kind[0] == "lang":
        return f"a string tagged @{kind[1]}"
    if kind[1] == XSD_STRING:
        return "a plain string"
    return _shown(kind[1])


def _written(lexical: str, kind: tuple[str, str]) -> str:
    if kind[0] == "lang":
        return f"{_string(lexical)}@{kind[1]}"
    if kind[1] == XSD_STRING:
        return _string(lexical)
    return f"{_string(lexical)}^^{_shown(kind[1])}"


def _literal_forms(
    triples: list[Triple], comparisons: list[Any], facts: GraphFacts
) -> Iterable[tuple[str, str, Any, str]]:
    """(kind, message, literal, literal in Turtle) for each literal matched against (a triple
    pattern's object) or compared with (``FILTER(?x = "...")``, ``IN``) the values of a
    property that holds no value of its form."""
    from rdflib import Literal, URIRef, Variable

    bound_by: dict[Any, list[str]] = {}
    checks: dict[tuple[str, Any], Any] = {}
    for _s, p, o in triples:
        if isinstance(p, URIRef) and isinstance(o, Variable):
            bound_by.setdefault(o, []).append(str(p))
        elif isinstance(p, URIRef) and isinstance(o, Literal):
            checks.setdefault((str(p), o), None)
    for comparison in comparisons:
        others = comparison.other if isinstance(comparison.other, list) else [comparison.other]
        pairs = [(comparison.expr, other) for other in others]
        if not isinstance(comparison.other, list):
            pairs.append((comparison.other, comparison.expr))
        for variable, literal in pairs:
            if isinstance(variable, Variable) and isinstance(literal, Literal):
                for predicate in bound_by.get(variable, []):
                    checks.setdefault((predicate, literal), variable)
    kinds_of: dict[str, tuple[set[tuple[str, str]], bool]] = {}
    for (predicate, literal), variable in checks.items():
        if not _SAFE_IRI.match(predicate):
            continue
        if predicate not in kinds_of:
            kinds_of[predicate] = facts.literal_kinds(predicate)
        kinds, has_nodes = kinds_of[predicate]
        wanted = _kind_of(literal)
        if any(_matches(wanted, kind) for kind in kinds):
            continue
        shown = str(literal) if wanted[1] in _NUMERIC else _written(str(literal), wanted)
        if not kinds:
            if has_nodes:
                message = (
                    f"{shown} never matches {_shown(predicate)}, whose values are nodes (IRIs), "
                    "not literals: match the node, e.g. by its rdfs:label"
                )
                yield LITERAL_FORM, message, literal, shown
            continue
        ordered = sorted(kinds)[:3]
        forms = " or ".join(_written(str(literal), kind) for kind in ordered)
        also = f", or compare STR(?{variable}) = {_string(str(literal))}" if variable else ""
        described = ", ".join(_describe(kind) for kind in ordered)
        message = (
            f"{shown} ({_describe_one(wanted)}) never matches {_shown(predicate)}, whose values "
            f"are {described}: write {forms}{also}"
        )
        yield LITERAL_FORM, message, literal, shown


def _literal_offset(text: str, literal: Any) -> int | None:
    """Where ``literal`` is written in ``text``: the first string of the same text, or for a
    number the first token of its digits."""
    value = str(literal)
    for match in opaque_tokens(text):
        token = match.group()
        if token[0] in "\"'":
            quote = 3 if token[:3] in ('"""', "'''") else 1
            inner = re.sub(r"\\(.)", r"\1", token[quote:-quote], flags=re.DOTALL)
            if inner == value:
                return match.start()
    number = re.search(rf"(?<![\w.]){re.escape(value)}(?![\w.])", code_only(text))
    return number.start() if number else None


def _unmatched_terms(
    triples: list[Triple], facts: GraphFacts, flagged: set[str]
) -> Iterable[tuple[str, str, str]]:
    """(kind, message, IRI) for each class a pattern asks instances of (``?x a C``), and each
    property it matches, that nothing in the graph uses directly: a hint to ``--infer`` where
    narrower terms are used, else a note that nothing uses it."""
    from rdflib import URIRef, Variable

    seen: set[tuple[str, bool]] = set()
    for s, p, o in triples:
        if not isinstance(p, URIRef):
            continue
        as_class = str(p) == _RDF_TYPE
        if as_class and not isinstance(o, URIRef):
            continue
        iri = str(o) if as_class else str(p)
        if (iri, as_class) in seen or iri in flagged or not _SAFE_IRI.match(iri):
            continue
        seen.add((iri, as_class))
        if facts.in_use(iri, as_class=as_class):
            continue
        narrower = facts.narrower_in_use(iri, as_class=as_class)
        subject = f"?{s}" if isinstance(s, Variable) else "?x"
        shown = _shown(iri)
        if as_class and narrower:
            names = ", ".join(_shown(n) for n in narrower[:6])
            yield (
                NEEDS_INFERENCE,
                f"{shown} has no direct instances, only instances of its subclasses ({names}): "
                f"run with --infer, or write {subject} a/rdfs:subClassOf* {shown}",
                iri,
            )
        elif narrower:
            names = "|".join(_shown(n) for n in narrower[:6])
            yield (
                NEEDS_INFERENCE,
                f"no triple uses {shown} itself, only its subproperties: run with --infer, or "
                f"write {subject} {names} ?o",
                iri,
            )
        elif as_class:
            yield UNUSED_TERM, f"no node in the graph is typed {shown} (nor a subclass)", iri
        else:
            yield UNUSED_TERM, f"no triple in the graph uses {shown} (nor a subproperty)", iri


# The policy ----------------------------------------------------------------------------------


def answer_is_empty(result: QueryResult) -> bool:
    """Whether an answer holds nothing: no row, ``false``, or an empty graph."""
    if result.kind == "ASK":
        return result.boolean is False
    return len(result) == 0


def answer_warnings(
    query: NamedQuery | str, result: QueryResult, facts: GraphFacts
) -> list[QueryWarning]:
    """The warnings to give with ``result``, the answer to ``query``: undefined terms always
    (:data:`ALWAYS`), every kind when the answer is empty. A check that fails (a store that
    cannot answer it) gives no warning rather than an error: the answer stands."""
    kinds = KINDS if answer_is_empty(result) else ALWAYS
    try:
        return lint_query(query, facts, kinds=kinds)
    except (MskgError, ValueError, SyntaxError, OSError, RuntimeError):
        return []
