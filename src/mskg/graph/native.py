"""The graph in an in-memory Oxigraph store: the fast engine's copy of a graph folder.

Oxigraph stores numbers, booleans, dates and durations as values, and answers with their
canonical lexical form: ``"PT24H"^^xsd:duration`` comes back ``"P1D"``, ``"01"^^xsd:integer``
``"1"``. mskg promises literals as written, so :func:`load_native_graph` also says whether every
literal of the graph is already canonical (:attr:`NativeGraph.as_written`); only then can
Oxigraph's answers stand for rdflib's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mskg.graph.files import FileTriples, graph_files
from mskg.prefixes import RDF_LANG_STRING, XSD_STRING

#: Datatypes whose literals keep their text in Oxigraph as in rdflib: strings, language strings.
_TEXT_DATATYPES = frozenset({XSD_STRING, RDF_LANG_STRING})


@dataclass(frozen=True)
class NativeGraph:
    """An in-memory pyoxigraph ``Store`` holding a graph folder's triples (default graph)."""

    store: Any
    #: Whether Oxigraph gives back every literal of the graph exactly as written.
    as_written: bool
    files: tuple[Path, ...]
    #: The graph's literals other than strings (numbers, dates, durations...), as parsed.
    typed_literals: frozenset[Any]


def load_native_graph(path: Path | str | None = None) -> NativeGraph:
    """Parse the graph at ``path`` (default: the curated graph) into an in-memory Oxigraph store,
    through the same files, checks and parser as :func:`mskg.graph.loader.load_graph`."""
    import pyoxigraph

    files = tuple(graph_files(path))
    store = pyoxigraph.Store()
    typed: set[Any] = set()
    for file in files:
        quads = list(FileTriples(file))
        store.extend(quads)
        typed.update(
            quad.object
            for quad in quads
            if isinstance(quad.object, pyoxigraph.Literal)
            and quad.object.datatype.value not in _TEXT_DATATYPES
        )
    return NativeGraph(store, _stored_as_written(typed), files, frozenset(typed))


def _stored_as_written(literals: set[Any]) -> bool:
    """Whether an Oxigraph store gives back each of ``literals`` with the text it was given."""
    import pyoxigraph

    if not literals:
        return True
    probe = pyoxigraph.Store()
    subject = pyoxigraph.NamedNode("urn:mskg:probe")
    probe.extend(pyoxigraph.Quad(subject, subject, literal) for literal in literals)
    return {quad.object for quad in probe} == literals
