"""Serialise the graph to RDF formats (lossless) and, through mskg.netx, to network formats."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from mskg.atomic import atomic_write
from mskg.errors import UsageError

#: RDF formats: name -> rdflib serializer.
RDF_EXPORTS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
#: Property-graph formats, through mskg.to_networkx.
NETWORK_EXPORTS = ("graphml", "gexf", "json")
FORMATS = (*RDF_EXPORTS, *NETWORK_EXPORTS, "kgx")


def serialize_rdf(graph: Graph, fmt: str) -> str:
    """The graph as text in one of :data:`RDF_EXPORTS`."""
    if fmt not in RDF_EXPORTS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_EXPORTS)}")
    if fmt == "nt":
        # Sorted lines: the same graph always gives the same file, so diffs stay small.
        text = graph.serialize(format="nt")
        return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return graph.serialize(format=RDF_EXPORTS[fmt])


def export_graph(graph: Graph, fmt: str, out: Path | str | None = None) -> None:
    """Write ``graph`` as ``fmt`` to ``out`` (atomically) or to standard output."""
    if fmt in RDF_EXPORTS:
        text = serialize_rdf(graph, fmt)
        if out is None:
            sys.stdout.write(text)
        else:
            atomic_write(out, text)
        return
    if fmt in NETWORK_EXPORTS:
        from mskg.netx import write_network

        write_network(graph, fmt, out)
        return
    if fmt == "kgx":
        from mskg.kgx import write_kgx

        if out is None:
            raise UsageError("kgx writes nodes.tsv and edges.tsv: give a folder with -o")
        write_kgx(graph, Path(out))
        return
    raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
