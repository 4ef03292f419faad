"""mskg: a knowledge graph of multiple sclerosis infusion treatments.

Kept cheap to import: heavy modules (pyshacl, networkx, pyvis) load only inside the
functions that need them, so ``mskg query`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mskg.errors import (
    GraphLoadError,
    MskgError,
    QueryError,
    StoreError,
    UnknownNameError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "GraphLoadError",
    "MskgError",
    "QueryError",
    "StoreError",
    "UnknownNameError",
    "UsageError",
    "__version__",
    "load_graph",
    "to_networkx",
]

if TYPE_CHECKING:
    from mskg.graph.loader import load_graph
    from mskg.graph.network import to_networkx


def __getattr__(name: str) -> Any:
    # Lazy re-exports: importing mskg must not pull in rdflib's parsers or networkx.
    if name == "load_graph":
        from mskg.graph.loader import load_graph

        return load_graph
    if name == "to_networkx":
        from mskg.graph.network import to_networkx

        return to_networkx
    raise AttributeError(f"module 'mskg' has no attribute {name!r}")
