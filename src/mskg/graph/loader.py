"""The one way in: every command, the viz, the server and the tests load the graph here."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib import Graph

from mskg.errors import GraphLoadError
from mskg.graph.formats import RDF_FORMATS
from mskg.graph.safety import refuse_unsafe_input
from mskg.graph.syntax import check_syntax, first_bad_ntriples_line, rdflib_syntax_error
from mskg.paths import default_graph_dir
from mskg.vocab import bind_prefixes

# Keep literals as written: rdflib would otherwise rewrite "PT24H"^^xsd:duration as "P1D", and
# researchers query, diff and export the lexical forms they wrote.
rdflib.NORMALIZE_LITERALS = False


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

    Before rdflib sees the file, :func:`refuse_unsafe_input` refuses what would make a parser
    fetch a URL, read another file or expand entities without bound, and :func:`check_syntax`
    runs pyoxigraph's strict parser: the one ``mskg load`` uses, so that validate, query and load
    accept and refuse the same files, with the same file:line:column.
    """
    fmt = RDF_FORMATS.get(file.suffix, "turtle")
    try:
        # Bytes, not a path: rdflib then never resolves the location as a URL.
        data = file.read_bytes()
    except OSError as exc:
        raise GraphLoadError(file, f"cannot read: {exc.strerror}") from exc
    base = file.resolve().as_uri()
    refuse_unsafe_input(file, fmt, io.BytesIO(data))
    check_syntax(file, fmt, data, base)
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        error = rdflib_syntax_error(file, exc)
        if error.line is None and fmt == "nt":
            error = GraphLoadError(file, error.reason, line=first_bad_ntriples_line(data))
        raise error from exc


class _QuietIllTypedLiterals(logging.Filter):
    """Drop rdflib's traceback for a literal that does not fit its datatype ("five"^^xsd:integer).

    The literal is still loaded (``Literal.ill_typed`` is true) and ``mskg validate`` reports it
    with its file and line, so the traceback is noise on a user's terminal.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


_RDFLIB_TERM_LOGGER = logging.getLogger("rdflib.term")


_RDFLIB_TERM_LOGGER.addFilter(_QuietIllTypedLiterals())


def load_files(files: Iterable[Path]) -> Graph:
    """Parse the given files into one fresh rdflib graph."""
    # Set on every load, not once: pySHACL's validate() resets this global when it finishes.
    rdflib.NORMALIZE_LITERALS = False
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
