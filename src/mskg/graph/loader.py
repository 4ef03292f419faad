"""The one way in: every command, the viz, the server and the tests load the graph here."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from mskg.errors import GraphLoadError
from mskg.graph.formats import RDF_FORMATS, oxigraph_format
from mskg.graph.safety import refuse_unsafe_input
from mskg.graph.syntax import oxigraph_syntax_error
from mskg.graph.terms import from_oxigraph
from mskg.paths import default_graph_dir
from mskg.vocab import bind_prefixes

#: The SHACL shapes are the graph's schema, not knowledge: kept out of the data graph.
SHAPES_FILE = "shapes.ttl"


def graph_files(
    path: Path | str | None = None, *, include_shapes: bool = False, exclude: Iterable[str] = ()
) -> list[Path]:
    """The RDF files that make up the graph at ``path`` (a folder or one file), sorted.

    ``exclude`` names sub-folders to leave out (e.g. ``("imports",)``).
    """
    skipped = set(exclude)
    root = Path(path) if path is not None else default_graph_dir()
    if not root.exists():
        raise GraphLoadError(root, "no such file or directory")
    if root.is_file():
        return [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in RDF_FORMATS
        and not any(
            part.startswith(".") or part in skipped for part in p.relative_to(root).parent.parts
        )
        and not p.name.startswith(".")
        and (include_shapes or p.name != SHAPES_FILE)
    )
    if not files:
        raise GraphLoadError(root, "no RDF files (*.ttl, *.nt, *.jsonld, *.rdf, *.owl) found")
    return files


def parse_file(graph: Graph, file: Path) -> None:
    """Parse one RDF file into ``graph``, turning parser failures into a file:line error.

    :func:`refuse_unsafe_input` first refuses what would make a parser fetch a URL, read another
    file or expand entities without bound. Then pyoxigraph's strict parser reads the file (the
    one ``mskg load`` uses, so validate, query and load accept and refuse the same files, with
    the same file:line:column) and its triples are added as rdflib terms, literals as written
    (:mod:`mskg.graph.terms`). Blank nodes are renamed, so that ``_:b`` in two files are two
    nodes; triples in named graphs (JSON-LD) are left out: a graph folder is one graph.
    """
    import pyoxigraph

    fmt = RDF_FORMATS.get(file.suffix, "turtle")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise GraphLoadError(file, f"cannot read: {exc.strerror}") from exc
    refuse_unsafe_input(file, fmt, io.BytesIO(data))
    parser = pyoxigraph.parse(
        data, format=oxigraph_format(fmt), base_iri=file.resolve().as_uri(), rename_blank_nodes=True
    )
    add = graph.add
    try:
        for quad in parser:
            if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
                add(
                    (
                        from_oxigraph(quad.subject),
                        from_oxigraph(quad.predicate),
                        from_oxigraph(quad.object),
                    )
                )
    except SyntaxError as exc:
        raise oxigraph_syntax_error(file, exc, io.BytesIO(data)) from exc
    except TypeError as exc:
        raise GraphLoadError(file, f"cannot load: {exc}") from exc
    for prefix, namespace in parser.prefixes.items():
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
