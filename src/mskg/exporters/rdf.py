"""RDF exports: lossless, as Turtle, N-Triples (sorted lines) or JSON-LD."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from mskg.atomic import atomic_write
from mskg.errors import UsageError
from mskg.graph.formats import OUTPUT_FORMATS


def serialize_rdf(graph: Graph, fmt: str) -> str:
    """The graph as text in one of :data:`mskg.graph.formats.OUTPUT_FORMATS`."""
    if fmt not in OUTPUT_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    if fmt == "nt":
        # Sorted lines: the same graph always gives the same file, so diffs stay small.
        text = graph.serialize(format="nt")
        return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return graph.serialize(format=OUTPUT_FORMATS[fmt])


def write(graph: Graph, fmt: str, out: Path | str | None) -> None:
    """Write ``graph`` as ``fmt`` to ``out`` (atomically) or to standard output."""
    text = serialize_rdf(graph, fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write(out, text)
