"""Which files make up a graph, and their triples as pyoxigraph reads them (no rdflib).

The one parsing step under both engines: :mod:`mskg.graph.loader` turns these triples into an
rdflib graph, :mod:`mskg.graph.native` puts them in an in-memory Oxigraph store. A graph file is
an RDF file or an SSSOM mapping set (``*.sssom.tsv``, :mod:`mskg.graph.sssom`), whose rows are
read as the cross-reference triples they stand for.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mskg.errors import GraphLoadError
from mskg.graph.formats import RDF_FORMATS, oxigraph_format
from mskg.graph.safety import refuse_unsafe_input
from mskg.graph.sssom import is_mapping_file, mapping_quads, read_mapping_set
from mskg.graph.syntax import oxigraph_syntax_error
from mskg.paths import default_graph_dir

#: The SHACL shapes are the graph's schema, not knowledge: kept out of the data graph.
SHAPES_FILE = "shapes.ttl"


def graph_files(
    path: Path | str | None = None, *, include_shapes: bool = False, exclude: Iterable[str] = ()
) -> list[Path]:
    """The graph files (RDF files and ``*.sssom.tsv`` mapping sets) that make up the graph at
    ``path`` (a folder or one file), sorted.

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
        and (p.suffix in RDF_FORMATS or is_mapping_file(p))
        and not any(
            part.startswith(".") or part in skipped for part in p.relative_to(root).parent.parts
        )
        and not p.name.startswith(".")
        and (include_shapes or p.name != SHAPES_FILE)
    )
    if not files:
        raise GraphLoadError(
            root, "no RDF files (*.ttl, *.nt, *.jsonld, *.rdf, *.owl, *.sssom.tsv) found"
        )
    return files


class FileTriples:
    """The triples of one graph file, as pyoxigraph quads in the default graph, read once.

    An SSSOM mapping set gives the triples of its rows (:func:`mskg.graph.sssom.mapping_quads`);
    a bad row is a :class:`GraphLoadError` at file:line. For an RDF file:

    :func:`refuse_unsafe_input` first refuses what would make a parser fetch a URL, read another
    file or expand entities without bound. Then pyoxigraph's strict parser reads the file (the
    one ``mskg load`` uses, so validate, query and load accept and refuse the same files, with
    the same file:line:column). Blank nodes are renamed, so that ``_:b`` in two files are two
    nodes; triples in named graphs (JSON-LD) are left out: a graph folder is one graph. Literals
    are as written. Parser failures are raised as :class:`GraphLoadError` at file:line.
    """

    def __init__(self, file: Path) -> None:
        import pyoxigraph

        self.file = file
        fmt = RDF_FORMATS.get(file.suffix, "turtle")
        try:
            self._data = file.read_bytes()
        except OSError as exc:
            raise GraphLoadError(file, f"cannot read: {exc.strerror}") from exc
        self._parser: Any = None
        if is_mapping_file(file):
            return
        refuse_unsafe_input(file, fmt, io.BytesIO(self._data))
        self._parser = pyoxigraph.parse(
            self._data,
            format=oxigraph_format(fmt),
            base_iri=file.resolve().as_uri(),
            rename_blank_nodes=True,
        )

    def __iter__(self) -> Iterator[Any]:
        import pyoxigraph

        if self._parser is None:
            yield from mapping_quads(read_mapping_set(self.file, self._data))
            return
        default_graph = pyoxigraph.DefaultGraph
        try:
            for quad in self._parser:
                if isinstance(quad.graph_name, default_graph):
                    yield quad
        except SyntaxError as exc:
            raise oxigraph_syntax_error(self.file, exc, io.BytesIO(self._data)) from exc
        except TypeError as exc:
            raise GraphLoadError(self.file, f"cannot load: {exc}") from exc

    @property
    def prefixes(self) -> dict[str, str]:
        """The prefixes the file declares (known once it has been read); none for a mapping set:
        its curie_map names external identifiers, not prefixes to write the graph with."""
        return dict(self._parser.prefixes) if self._parser is not None else {}
