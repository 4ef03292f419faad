"""Validation of a graph folder: Turtle syntax, undefined ontology terms and SHACL shapes.

The library returns a :class:`ValidationReport`; ``mskg validate`` turns it into text and an exit
code. Nothing here writes to the graph folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS, SH

from mskg.loader import graph_files, load_files, load_shapes
from mskg.vocab import MSKG_IRI, PREFIXES, RESOURCE_IRI

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

    def locate(self, term: str) -> tuple[Path | None, int | None]:
        tokens = [f"<{term}>"]
        for prefix, namespace in PREFIXES.items():
            if term.startswith(namespace):
                tokens.append(f"{prefix}:{term[len(namespace) :]}")
        patterns = [re.compile(re.escape(t) + r"(?![\w\-.]*[\w\-])") for t in tokens]
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


SHAPES_IRI = "https://w3id.org/mskg/shapes/"


def _shorten_iris(message: str) -> str:
    """Write the full IRIs pySHACL puts in messages as prefixed names."""
    return re.sub(r"<?(https?://[^\s>,]+)>?", lambda m: _short(URIRef(m.group(1))), message)


def _short(term: object) -> str:
    text = str(term)
    if text.startswith(SHAPES_IRI):
        return f"shape:{text[len(SHAPES_IRI) :]}"
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and prefix in ("mskg", "mskr", "schema", "prov", "skos"):
            return f"{prefix}:{text[len(namespace) :]}"
    if isinstance(term, BNode):
        return "[blank node]"
    return text


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


def shacl_problems(graph: Graph, shapes: Graph) -> list[tuple[str, str, str, object]]:
    """Run pySHACL; return (rule, node, message, focus) for each violation."""
    import pyshacl  # heavy: imported only when validating

    _conforms, results, _text = pyshacl.validate(
        graph, shacl_graph=shapes, advanced=True, allow_warnings=True
    )
    problems = []
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
            message += f" (value: {value.n3() if isinstance(value, Literal) else _short(value)})"
        problems.append((rule, _short(focus), message, focus))
    return problems


def validate_graph(path: Path | str | None = None) -> ValidationReport:
    """Validate the graph folder at ``path`` (default: the curated graph).

    Raises :class:`mskg.GraphLoadError` when a file cannot be parsed (file and line in the message).
    """
    files = graph_files(path)
    graph = load_files(files)
    shapes = load_shapes(path)
    index = SourceIndex(files)
    report = ValidationReport(files=files, triples=len(graph))
    for term, message in undefined_terms(graph):
        file, line = index.locate(str(term))
        report.problems.append(Problem("undefined-term", _short(term), message, file, line))
    for rule, node, message, focus in shacl_problems(graph, shapes):
        file, line = index.locate(str(focus)) if isinstance(focus, URIRef) else (None, None)
        report.problems.append(Problem(rule, node, message, file, line))
    report.problems.sort(key=lambda p: (str(p.file or ""), p.line or 0, p.node, p.message))
    return report
