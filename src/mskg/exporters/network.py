"""Property-graph exports (GraphML, GEXF, node-link JSON) of :func:`mskg.to_networkx`."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph


def write(graph: Graph, fmt: str, out: Path | str | None) -> None:
    """Write ``graph`` as a network in ``fmt`` to ``out`` (atomically) or to standard output."""
    from mskg.graph.network import write_network

    write_network(graph, fmt, out)
