"""Exporters: one module per family of formats, chosen by format name (as kgx's sinks are).

Each module under ``mskg.exporters`` has ``write(graph, fmt, out)``; :data:`EXPORTERS` names the
module of each format, imported only when that format is asked for.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from mskg.atomic import atomic_open
from mskg.errors import UsageError
from mskg.graph.formats import OUTPUT_FORMATS

if TYPE_CHECKING:
    from mskg.stores.base import Store

#: Format name -> module under ``mskg.exporters``.
EXPORTERS: dict[str, str] = {
    **dict.fromkeys(OUTPUT_FORMATS, "rdf"),
    "graphml": "network",
    "gexf": "network",
    "json": "network",
    "kgx": "kgx",
}
FORMATS = tuple(EXPORTERS)


def export_store(store: Store, fmt: str, out: Path | str | None = None) -> None:
    """Write a store's triples as ``fmt``: by the store itself where it can (Oxigraph writes
    Turtle and N-Triples without copying into rdflib), else through :func:`export_graph`."""
    if fmt not in store.dump_formats:
        export_graph(store.to_graph(), fmt, out)
        return
    if out is None:
        store.dump(fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    with atomic_open(out, "wb") as handle:
        store.dump(fmt, handle)


def export_graph(graph: Graph, fmt: str, out: Path | str | None = None) -> None:
    """Write ``graph`` as ``fmt`` to ``out`` (atomically) or to standard output."""
    if fmt not in EXPORTERS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"mskg.exporters.{EXPORTERS[fmt]}")
    module.write(graph, fmt, out)
