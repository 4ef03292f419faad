"""The ``memory`` store: the graph folder parsed into rdflib in this process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mskg.errors import StoreError
from mskg.stores.base import Store, cap_result

if TYPE_CHECKING:
    from rdflib import Graph

    from mskg.graph.stats import GraphStats
    from mskg.sparql.results import QueryResult


class MemoryStore(Store):
    """The graph in an rdflib ``Graph`` in this process, parsed from a graph folder."""

    kind = "memory"

    @classmethod
    def open(cls, location: str, graph: Path | str | Graph | None, **options: Any) -> MemoryStore:
        return cls(graph, use_cache=options.get("use_cache", True))

    def __init__(self, graph: Path | str | Graph | None = None, *, use_cache: bool = True) -> None:
        from rdflib import Graph as RdfGraph

        self._graph: Graph | None = graph if isinstance(graph, RdfGraph) else None
        self._path = None if isinstance(graph, RdfGraph) else graph
        self._use_cache = use_cache

    @property
    def persistent(self) -> bool:
        return False

    @property
    def path(self) -> Path | str | None:
        return self._path

    @property
    def graph(self) -> Graph:
        """The rdflib graph, parsed (or read from the cache) on first use."""
        if self._graph is None:
            from mskg.graph.cache import cached_graph

            self._graph = cached_graph(self._path, use_cache=self._use_cache)
        return self._graph

    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult:
        from mskg.sparql.engine import run_query
        from mskg.sparql.named import query_from_text

        result = run_query(query_from_text(sparql, label), self.graph)
        return cap_result(result, limit)

    def query(
        self, sparql: str, *, limit: int | None = None, guard: bool = True, name: str | None = None
    ) -> QueryResult:
        # run_query always guards (read-only, no fetching); no second parse needed.
        return self._query(sparql, limit, name or "<query>")

    def count(self) -> int:
        return len(self.graph)

    def to_graph(self) -> Graph:
        return self.graph

    def local_graph(self) -> Graph:
        return self.graph

    def view(self) -> Any:
        return self.graph

    def stats(self) -> GraphStats:
        from mskg.graph.stats import graph_stats

        return graph_stats(self.graph)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        raise StoreError(
            "the memory store is not persistent: give --store oxigraph:PATH or --store sparql:URL"
        )

    def describe(self) -> str:
        return f"memory (rdflib, {self._path or 'the curated graph'})"
