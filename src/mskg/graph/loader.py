"""The one way in: every command, the viz, the server and the tests load the graph here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from mskg.graph.files import SHAPES_FILE, FileTriples, graph_files
from mskg.graph.terms import from_oxigraph
from mskg.paths import default_graph_dir
from mskg.vocab import bind_prefixes


def parse_file(graph: Graph, file: Path) -> None:
    """Parse one RDF file into ``graph`` (see :class:`FileTriples`): its triples are added as
    rdflib terms, literals as written (:mod:`mskg.graph.terms`), and its prefixes bound."""
    add = graph.add
    triples = FileTriples(file)
    for quad in triples:
        add(
            (from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object))
        )
    for prefix, namespace in triples.prefixes.items():
        graph.bind(prefix, namespace, override=False)


def load_files(files: Iterable[Path]) -> Graph:
    """Parse the given files into one fresh rdflib graph."""
    graph = Graph(bind_namespaces="core")
    for file in files:
        parse_file(graph, file)
    bind_prefixes(graph)
    return graph


def load_graph(path: Path | str | None = None, *, include_shapes: bool = False) -> Graph:
    """Return an rdflib graph with every triple of the RDF files under ``path``.

    ``path`` defaults to the curated graph shipped with mskg (``graph/``). The SHACL shapes file
    is left out unless ``include_shapes`` is true: shapes describe the data, they are not facts.
    Raises :class:`mskg.GraphLoadError` naming the file and line of the first syntax error.
    """
    return load_files(graph_files(path, include_shapes=include_shapes))


def load_shapes(path: Path | str | None = None) -> Graph:
    """The SHACL shapes graph (``shapes.ttl``) of the graph folder at ``path``."""
    root = Path(path) if path is not None else default_graph_dir()
    shapes = root / SHAPES_FILE if root.is_dir() else root
    if not shapes.is_file():
        shapes = default_graph_dir() / SHAPES_FILE
    return load_files([shapes])


__all__ = ["SHAPES_FILE", "graph_files", "load_files", "load_graph", "load_shapes", "parse_file"]
