"""RDF exports: lossless to the letter, as Turtle, N-Triples (sorted lines) or JSON-LD.

Every literal is written as it was read: ``"PT24H"^^xsd:duration`` stays ``PT24H``, ``"01"`` stays
``01``, ``"1.0E0"^^xsd:double`` stays ``1.0E0``. rdflib's own serializers do not promise that:
its Turtle writer shortens typed literals into its own number syntax (``"1.0E0"`` comes out
``1e+00``, ``"1"^^xsd:boolean`` comes out ``1``, an integer), and its JSON-LD writer turns
integers, doubles and booleans into JSON numbers (``"01"`` comes out ``1``) whatever it is told
(rdflib 7.6). So the triples are handed, lexical forms and all, to pyoxigraph's writers, which
shorten a literal only when the short form reads back as the same text.

Language tags come out in lower case, as the loader reads them (pyoxigraph's parser lowers them;
RDF compares them without regard to case).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from mskg.atomic import atomic_write
from mskg.errors import UsageError
from mskg.graph.formats import OUTPUT_FORMATS, oxigraph_format
from mskg.graph.terms import to_oxigraph


def serialize_rdf(graph: Graph, fmt: str) -> str:
    """The graph as text in one of :data:`mskg.graph.formats.OUTPUT_FORMATS`, every literal as
    written. The triples are sorted, so the same graph always gives the same file (but for the
    names of blank nodes) and the diffs of its versions stay small."""
    if fmt not in OUTPUT_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    import pyoxigraph

    try:
        triples = sorted(
            (
                pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                for s, p, o in graph
            ),
            key=str,
        )
    except ValueError as exc:
        raise UsageError(f"cannot write the graph as {fmt}: {exc}") from exc
    written = pyoxigraph.serialize(
        triples, format=oxigraph_format(OUTPUT_FORMATS[fmt]), prefixes=_used_prefixes(graph)
    )
    text = written.decode("utf-8") if written is not None else ""
    if fmt == "nt":
        # Sorted lines: pyoxigraph's N-Triples of sorted triples, sorted again by their text.
        return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    if fmt == "jsonld":
        # Every value is a JSON string (the lexical form), so indenting changes no literal.
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    return text


def _used_prefixes(graph: Graph) -> dict[str, str]:
    """The graph's prefixes that name the namespace of at least one of its IRIs (datatypes
    included)."""
    iris: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, Literal) and term.datatype is not None:
                iris.add(str(term.datatype))
    bound = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return {
        prefix: namespace
        for prefix, namespace in sorted(bound.items())
        if any(iri.startswith(namespace) for iri in iris)
    }


def write(graph: Graph, fmt: str, out: Path | str | None) -> None:
    """Write ``graph`` as ``fmt`` to ``out`` (atomically) or to standard output."""
    text = serialize_rdf(graph, fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write(out, text)
