"""Validation of a graph folder: Turtle syntax, undefined ontology terms and SHACL shapes.

The library returns a :class:`ValidationReport`; ``mskg validate`` turns it into text and an exit
code. Nothing here writes to the graph folder.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS, SH
from rdflib.term import Node

from mskg.errors import QueryError, RefusedQueryError, ShapesError, UsageError
from mskg.graph.hierarchy import instances
from mskg.graph.loader import graph_files, load_files, load_shapes
from mskg.prefixes import MSKG_IRI, RESOURCE_IRI, compress_iri
from mskg.vocab import unknown_standard_term

_DEFINING_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDF.Property,
    RDFS.Class,
}


@dataclass(frozen=True)
class Problem:
    """One reason the graph does not conform."""

    rule: str
    node: str
    message: str
    file: Path | None = None
    line: int | None = None

    def where(self) -> str:
        if self.file is None:
            return "<graph>"
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def __str__(self) -> str:
        return f"{self.where()}: {self.node}: {self.message} [{self.rule}]"


@dataclass
class ValidationReport:
    """What `validate_graph` found. ``conforms`` is true when there are no problems."""

    files: list[Path]
    triples: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems


class SourceIndex:
    """Finds the file and line where a node is defined (or first mentioned) in Turtle files."""

    def __init__(self, files: list[Path]) -> None:
        self._lines: list[tuple[Path, int, str]] = []
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                self._lines.append((file, number, line))

    @staticmethod
    def _patterns(term: str) -> list[re.Pattern[str]]:
        tokens = [f"<{term}>"]
        curie = compress_iri(term)
        if curie is not None:
            tokens.append(curie)
        return [re.compile(re.escape(t) + r"(?![\w\-.]*[\w\-])") for t in tokens]

    def locate_statement(self, subject: str, predicate: str) -> tuple[Path | None, int | None]:
        """The line where ``subject`` is given ``predicate``, in any block that describes the
        subject; else where the subject is defined."""
        subject_patterns = self._patterns(subject)
        predicate_patterns = self._patterns(predicate)
        in_block = False
        for file, number, line in self._lines:
            if line[:1] not in ("", " ", "\t"):
                in_block = any(p.match(line) for p in subject_patterns)
            if in_block and any(p.search(line) for p in predicate_patterns):
                return file, number
        return self.locate(subject)

    def locate(self, term: str) -> tuple[Path | None, int | None]:
        patterns = self._patterns(term)
        first: tuple[Path | None, int | None] = (None, None)
        for file, number, line in self._lines:
            for pattern in patterns:
                match = pattern.search(line)
                if not match:
                    continue
                if match.start() == 0:
                    return file, number  # a subject at the start of a line: its definition
                if first == (None, None):
                    first = (file, number)
        return first

    def locate_literal(self, subject: str, lexical: str) -> tuple[Path | None, int | None]:
        """The line holding ``"lexical"`` at or after the subject's definition."""
        file, line = self.locate(subject)
        quoted = f'"{lexical}"'
        candidates = [(f, n) for f, n, text in self._lines if quoted in text]
        after = [(f, n) for f, n in candidates if f == file and line is not None and n >= line]
        if after:
            return after[0]
        return candidates[0] if candidates else (file, line)


SHAPES_IRI = "https://w3id.org/mskg/shapes/"


_SHORT_PREFIXES = ("mskg", "mskr", "schema", "prov", "skos", "rdfs", "rdf", "owl", "xsd", "dcterms")


def _shorten_iris(message: str) -> str:
    """Write the full IRIs pySHACL puts in messages as prefixed names."""
    return re.sub(r"<?(https?://[^\s>,]+)>?", lambda m: _short(URIRef(m.group(1))), message)


def _short(term: object) -> str:
    text = str(term)
    if text.startswith(SHAPES_IRI):
        return f"shape:{text[len(SHAPES_IRI) :]}"
    curie = compress_iri(text)
    if curie is not None and curie.partition(":")[0] in _SHORT_PREFIXES:
        return curie
    if isinstance(term, BNode):
        return "[blank node]"
    return text


def _show_value(value: object) -> str:
    if isinstance(value, Literal):
        if value.datatype is not None:
            return f'"{value}"^^{_short(value.datatype)}'
        return value.n3()
    return _short(value)


def undefined_terms(graph: Graph) -> list[tuple[URIRef, str]]:
    """mskg: terms used but not defined in the ontology, and mskr: resources used but never
    described. A typo'd property or class shows up here instead of silently minting a new IRI."""
    defined = {
        s
        for s, _, t in graph.triples((None, RDF.type, None))
        if isinstance(s, URIRef) and (t in _DEFINING_TYPES or str(s).startswith(MSKG_IRI))
    }
    # An mskg: term is defined when the ontology types it as a class/property or concept.
    defined_mskg = {
        s
        for s in defined
        if str(s).startswith(MSKG_IRI)
        and (
            set(graph.objects(s, RDF.type)) & _DEFINING_TYPES
            or any(str(t).startswith(MSKG_IRI) for t in graph.objects(s, RDF.type))
        )
    }
    described = {s for s in graph.subjects() if isinstance(s, URIRef)}
    # Version IRIs share the namespace but name the ontology document, not a term.
    defined_mskg |= {o for o in graph.objects(None, OWL.versionIRI) if isinstance(o, URIRef)}
    found: dict[URIRef, str] = {}
    for s, p, o in graph:
        for position, term in (("predicate", p), ("class or value", o), ("subject", s)):
            if not isinstance(term, URIRef):
                continue
            text = str(term)
            if text.startswith(MSKG_IRI) and len(text) > len(MSKG_IRI) and term not in defined_mskg:
                kind = "property" if position == "predicate" else "term"
                found.setdefault(term, f"mskg {kind} is not defined in graph/ontology.ttl")
            elif text.startswith(RESOURCE_IRI) and term not in described:
                found.setdefault(term, "resource is used but never described (a typo?)")
    return sorted(found.items(), key=lambda item: str(item[0]))


def unknown_standard_terms(graph: Graph) -> list[tuple[URIRef, str]]:
    """Properties and classes used from SKOS, schema.org, PROV-O, RDFS, OWL, Dublin Core... that
    those vocabularies do not have (``skos:definiton``), unless the ontology declares them."""
    used = {p for p in graph.predicates() if isinstance(p, URIRef)}
    used |= {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    declared = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    found: list[tuple[URIRef, str]] = []
    for term in sorted(used - declared, key=str):
        unknown = unknown_standard_term(str(term))
        if unknown is not None:
            found.append((term, unknown[0]))
    return found


def ill_typed_literals(graph: Graph) -> list[tuple[URIRef | BNode, Literal, str]]:
    """Literals whose text does not fit their datatype: ``"five"^^xsd:integer``."""
    found = []
    for subject, _p, value in graph:
        if (
            isinstance(value, Literal)
            and value.ill_typed
            and value.datatype is not None
            and isinstance(subject, URIRef | BNode)
        ):
            message = f'"{value}" is not a valid {_short(value.datatype)}'
            found.append((subject, value, message))
    return sorted(found, key=lambda item: (str(item[0]), str(item[1])))


@dataclass(frozen=True)
class SparqlCheck:
    """One ``sh:sparql`` constraint of a node shape, run once over the whole graph."""

    shape: URIRef
    query: str
    message: str
    targets: tuple[tuple[URIRef, URIRef], ...]


_TARGET_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def split_sparql_constraints(shapes: Graph) -> tuple[Graph, list[SparqlCheck]]:
    """Take the SPARQL constraints of IRI-named node shapes out of ``shapes``.

    pySHACL re-parses a constraint's query for every focus node: a few hundred nodes cost a
    minute once a SIDER import is loaded. mskg runs each such query once with ``$this`` free and
    keeps the rows whose ``$this`` is a target, which for these ``$this``-anchored queries gives
    the same results as the per-node evaluation SHACL defines.
    """
    remaining = Graph()
    remaining += shapes
    checks: list[SparqlCheck] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        if not isinstance(shape, URIRef) or select is None:
            continue  # left to pySHACL
        prefixes = _prefix_lines(shapes, constraint)
        targets = _targets(shapes, shape)
        message = str(shapes.value(constraint, SH.message) or "violates a SPARQL constraint")
        query = prefixes + re.sub(r"\$this\b", "?this", str(select))
        checks.append(SparqlCheck(shape, query, message, targets))
        remaining.remove((shape, SH.sparql, constraint))
        for triple in shapes.triples((constraint, None, None)):
            remaining.remove(triple)
    return remaining, checks


#: The shapes-graph properties whose value is a SPARQL text that pySHACL (constraints, validators
#: of constraint components, targets, functions, rules) or :func:`sparql_check_problems` runs.
_SPARQL_TEXTS = {SH.select: "sh:select", SH.ask: "sh:ask", SH.construct: "sh:construct"}


def _prefix_lines(shapes: Graph, node: Node) -> str:
    """The PREFIX lines pySHACL puts before the SPARQL text of ``node``: none without
    ``sh:prefixes``; else the ``sh:declare`` of its ``sh:prefixes`` and of the ontologies."""
    declaring = set(shapes.objects(node, SH.prefixes))
    if not declaring:
        return ""
    declaring |= set(shapes.subjects(RDF.type, OWL.Ontology))
    return "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for owner in sorted(declaring, key=str)
        for d in shapes.objects(owner, SH.declare)
    )


def _owning_shape(shapes: Graph, node: Node) -> Node:
    """The nearest IRI-named node above ``node`` (a shape, constraint component or function):
    constraints and targets are usually blank nodes."""
    seen = {node}
    frontier = [node]
    while frontier:
        current = frontier.pop(0)
        if isinstance(current, URIRef):
            return current
        for parent in shapes.subjects(None, current):
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    return node


def check_shapes_sparql(shapes: Graph, data: Graph | None = None) -> None:
    """Put every SPARQL text of the shapes graph through the read-only guard of ``mskg query``
    (:func:`mskg.sparql.guard.check_read_only`) before any of them runs: a shape must not fetch
    (SERVICE, FROM) nor write. Raises :class:`ShapesError` naming the shape and the reason.

    Each text is checked as it will run: after the PREFIX lines pySHACL adds, and with the
    prefixes bound in the ``data`` graph, which rdflib also lets a query use undeclared.
    """
    from mskg.sparql.guard import check_read_only

    bound = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in data.namespaces()) if data else ""
    for predicate, label in _SPARQL_TEXTS.items():
        for node, text in shapes.subject_objects(predicate):
            prefixes = bound + _prefix_lines(shapes, node)
            owner = _short(_owning_shape(shapes, node))
            try:
                check_read_only(prefixes + str(text), f"the {label} of {owner}")
            except QueryError as exc:
                where = ""
                line = (exc.line or 0) - prefixes.count("\n")  # the guard counts the PREFIX lines
                if line > 0:
                    where = f" (line {line}, column {exc.column} of the query"
                    where += f": {exc.source_line.strip()!r})" if exc.source_line else ")"
                verdict = "is refused" if isinstance(exc, RefusedQueryError) else "cannot be read"
                raise ShapesError(
                    f"the SHACL shapes cannot be used: the SPARQL {label} of {owner} "
                    f"{verdict}{where}: {exc.reason}"
                ) from exc


def _targets(shapes: Graph, shape: Node) -> tuple[tuple[URIRef, URIRef], ...]:
    """(target predicate, target) of a shape: ``(sh:targetClass, mskg:Treatment)``..."""
    return tuple(
        (predicate, target)
        for predicate in _TARGET_PREDICATES
        for target in shapes.objects(shape, predicate)
        if isinstance(target, URIRef)
    )


def focus_nodes(graph: Graph, shapes: Graph, shape: Node) -> set[object]:
    """The nodes of ``graph`` that ``shape`` of ``shapes`` targets, as SHACL selects them."""
    return _focus_nodes(graph, _targets(shapes, shape))


def _focus_nodes(graph: Graph, targets: Iterable[tuple[URIRef, URIRef]]) -> set[object]:
    nodes: set[object] = set()
    for predicate, target in targets:
        if predicate == SH.targetClass:
            nodes.update(instances(graph, target))
        elif predicate == SH.targetSubjectsOf:
            nodes.update(graph.subjects(target, None))
        elif predicate == SH.targetObjectsOf:
            nodes.update(graph.objects(None, target))
        else:
            nodes.add(target)
    return nodes


class Finding(NamedTuple):
    """One violation: what ``mskg validate`` prints (rule, node, message), and the validation
    result it comes from, in SHACL's terms, for tests and tools."""

    rule: str
    node: str
    message: str
    focus: object
    """sh:focusNode"""
    predicate: object
    """the property at fault, to find the line: sh:resultPath, or a SPARQL row's ?p; or None"""
    path: object
    """sh:resultPath (SPARQL constraints: their ?path), or None"""
    shape: object
    """sh:sourceShape: a node shape, or the (usually blank) property shape inside one"""
    component: object
    """sh:sourceConstraintComponent, such as sh:MinCountConstraintComponent"""


@functools.lru_cache(maxsize=64)
def _prepared(query: str, namespaces: tuple[tuple[str, str], ...]) -> Any:
    """A constraint's query, parsed once per text and set of prefixes: rdflib takes longer to
    parse one than to run it on the curated graph. The prefixes are the data graph's, which
    rdflib lets a query use undeclared."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query, initNs=dict(namespaces))


def oxigraph_copy(graph: Graph) -> Any:
    """``graph`` in an in-memory Oxigraph store, for :func:`sparql_check_problems`: Oxigraph
    runs the constraints' queries tens of times faster than rdflib (``mskg validate`` on the
    curated graph with both layers: about 0.1 s against 3 s)."""
    import pyoxigraph

    from mskg.graph.terms import to_oxigraph

    store = pyoxigraph.Store()
    default = pyoxigraph.DefaultGraph()
    store.bulk_extend(
        pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), default)
        for s, p, o in graph
    )
    return store


def sparql_check_problems(
    graph: Graph, check: SparqlCheck, store: Any | None = None
) -> list[Finding]:
    """The violations of one SPARQL constraint: its query's rows whose ``$this`` is a focus node
    of the shape. ``store`` is :func:`oxigraph_copy` of ``graph`` to answer with Oxigraph;
    without it rdflib answers."""
    focus = _focus_nodes(graph, check.targets)
    problems: list[Finding] = []
    namespaces = tuple(sorted((prefix, str(iri)) for prefix, iri in graph.namespaces()))
    for bindings in _check_rows(graph, check, namespaces, store):
        this = bindings.get("this")
        if this not in focus:
            continue
        path = bindings.get("path")
        problems.append(
            Finding(
                rule=_short(check.shape),
                node=_short(this),
                message=_fill(check.message, bindings),
                focus=this,
                predicate=path if path is not None else bindings.get("p"),
                path=path,
                shape=check.shape,
                component=SH.SPARQLConstraintComponent,
            )
        )
    return problems


def _check_rows(
    graph: Graph, check: SparqlCheck, namespaces: tuple[tuple[str, str], ...], store: Any | None
) -> Iterable[dict[str, object]]:
    if store is None:
        for row in graph.query(_prepared(check.query, namespaces)):
            yield dict(row.asdict())  # type: ignore[union-attr]
        return
    from mskg.graph.terms import solution_term

    # rdflib lets a query use the data graph's prefixes undeclared; Oxigraph needs them written.
    declared = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in namespaces)
    solutions = store.query(declared + check.query.replace("$this", "?this"))
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        terms = {name: solution_term(solution[name]) for name in names}
        yield {name: term for name, term in terms.items() if term is not None}


def _fill(message: str, bindings: dict[str, object]) -> str:
    """Put the values of a result row into a SHACL message's ``{?var}`` placeholders."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return _short(bindings[name]) if name in bindings else match.group(0)

    return re.sub(r"\{[?$](\w+)\}", value, message)


def shacl_problems(graph: Graph, shapes: Graph) -> list[Finding]:
    """Run the shapes over the data graph ``graph`` (the ontology and the data, as
    :func:`validate_graph` loads them); return one :class:`Finding` per validation result."""
    import pyshacl  # heavy: imported only when validating

    check_shapes_sparql(shapes, graph)
    core_shapes, sparql_checks = split_sparql_constraints(shapes)
    # pySHACL logs to stderr through a handler of its own, with tracebacks; mskg reports instead.
    logging.getLogger("pyshacl-validate").disabled = True
    # inplace: no copy of the data graph (a sixth of the run); safe because mskg's shapes have no
    # sh:rule and no inference is asked for, so pySHACL only reads it (tests/test_shapes.py).
    try:
        _conforms, results, text = pyshacl.validate(
            graph, shacl_graph=core_shapes, advanced=True, allow_warnings=True, inplace=True
        )
    except pyshacl.errors.ReportableRuntimeError as exc:
        raise ShapesError(f"the SHACL shapes cannot be used: {exc.message}") from exc
    if not isinstance(results, Graph):  # pySHACL's ValidationFailure: the shapes are broken
        raise ShapesError(f"the SHACL shapes cannot be used: {text}")
    problems: list[Finding] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        value = results.value(result, SH.value)
        rule = _short(shape) if isinstance(shape, URIRef) else _short(component)
        if isinstance(shape, BNode):
            parent = next(iter(shapes.subjects(SH.property, shape)), None)
            rule = (_short(parent) if parent is not None else "shape") + (
                f" {_short(path)}" if path is not None else ""
            )
        message = messages[0] if messages else f"violates {_short(component)}"
        message = _shorten_iris(message)
        if value is not None and value != focus and not isinstance(value, BNode):
            message += f" (value: {_show_value(value)})"
        problems.append(
            Finding(
                rule=rule,
                node=_short(focus),
                message=message,
                focus=focus,
                predicate=path,
                path=path,
                shape=shape,
                component=component,
            )
        )
    store = oxigraph_copy(graph)
    for check in sparql_checks:
        try:
            problems.extend(sparql_check_problems(graph, check, store))
        except Exception as exc:  # rdflib raises bare Exceptions for bad SPARQL
            raise ShapesError(
                f"the SHACL shapes cannot be used: the SPARQL constraint of {_short(check.shape)} "
                f"fails: {exc}"
            ) from exc
    return problems


def validate_graph(path: Path | str | None = None) -> ValidationReport:
    """Validate the graph folder at ``path`` (default: the curated graph).

    Raises :class:`mskg.GraphLoadError` when a file cannot be parsed (file and line in the message).
    """
    if path is not None and Path(path).is_file():
        raise UsageError(
            f"{path}: --graph takes a graph folder (with ontology.ttl and shapes.ttl), not one "
            "file; to check a new file, copy graph/ and add it there (docs/EXTENDING.md)"
        )
    files = graph_files(path)
    graph = load_files(files)
    shapes = load_shapes(path)
    index = SourceIndex(files)
    report = ValidationReport(files=files, triples=len(graph))
    for term, message in undefined_terms(graph):
        file, line = index.locate(str(term))
        report.problems.append(Problem("undefined-term", _short(term), message, file, line))
    for term, message in unknown_standard_terms(graph):
        file, line = index.locate(str(term))
        report.problems.append(Problem("undefined-term", _short(term), message, file, line))
    for subject, value, message in ill_typed_literals(graph):
        file, line = index.locate_literal(str(subject), str(value))
        report.problems.append(
            Problem("ill-typed-literal", _short(subject), message + "; fix the value", file, line)
        )
    for finding in shacl_problems(graph, shapes):
        focus, predicate = finding.focus, finding.predicate
        if not isinstance(focus, URIRef):
            file, line = None, None
        elif isinstance(predicate, URIRef):
            file, line = index.locate_statement(str(focus), str(predicate))
        else:
            file, line = index.locate(str(focus))
        report.problems.append(Problem(finding.rule, finding.node, finding.message, file, line))
    # A node can break one rule through several paths; one line per distinct problem is enough.
    report.problems = sorted(
        set(report.problems), key=lambda p: (str(p.file or ""), p.line or 0, p.node, p.message)
    )
    return report
