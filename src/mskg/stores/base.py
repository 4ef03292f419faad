"""The interface every store answers, and what the backends share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mskg.errors import QueryError, StoreError
from mskg.prefixes import PREFIXES
from mskg.sparql.guard import explain_engine_error, read_only_text
from mskg.sparql.params import check_parameters, inject_values, with_prefixes

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mskg.graph.stats import GraphStats
    from mskg.sparql.named import NamedQuery
    from mskg.sparql.results import QueryResult


class Store(ABC):
    """A place that answers SPARQL. Subclasses: memory, Oxigraph, SPARQL endpoint."""

    kind: str = ""

    @classmethod
    @abstractmethod
    def open(cls, location: str, graph: Path | str | Graph | None, **options: Any) -> Store:
        """The store a ``--store`` descriptor names (``location`` is what follows the scheme);
        the registry :func:`mskg.stores.open_store` calls this. ``options``: ``read_only``,
        ``create``, ``use_cache``, ``timeout``, each used by the backends it concerns."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections; the store is unusable afterwards."""

    @property
    def persistent(self) -> bool:
        """Whether :meth:`load` writes somewhere that outlives this process."""
        return True

    # Queries ---------------------------------------------------------------------------------

    def query(
        self, sparql: str, *, limit: int | None = None, guard: bool = True, name: str | None = None
    ) -> QueryResult:
        """Run SPARQL text read-only and return a :class:`mskg.sparql.results.QueryResult`.

        With ``guard`` (the default) the query is first checked by the read-only guard
        (:func:`mskg.sparql.guard.read_only_text`): UPDATE, LOAD, SERVICE and FROM are refused,
        since the stores would otherwise fetch URLs; a syntax error is reported with line and
        column. ``limit`` caps the rows of a SELECT (``truncated`` then says whether rows were
        dropped).
        """
        if not guard:
            return self._query(with_prefixes(sparql), limit, name or "<query>")
        from mskg.sparql.named import query_from_text

        return self.run_guarded(query_from_text(sparql, name or "<query>"), limit=limit)

    def run_guarded(
        self,
        query: NamedQuery,
        *,
        limit: int | None = None,
        bound: Mapping[str, Sequence[Node]] | None = None,
    ) -> QueryResult:
        """Run ``query`` through the read-only guard, with the ``bound`` parameter values
        written in as a VALUES table (:func:`mskg.sparql.params.inject_values`)."""
        label = str(query.path) if query.path is not None else query.name
        text = inject_values(read_only_text(query), bound or {})
        try:
            return self._query(with_prefixes(text), limit, label)
        except QueryError:
            explain_engine_error(query)  # rdflib's line and column, if it cannot read it either
            raise

    @abstractmethod
    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult: ...

    def construct(self, sparql: str) -> Graph:
        """The graph a CONSTRUCT or DESCRIBE query returns."""
        result = self.query(sparql)
        if result.graph is None:
            raise QueryError(f"{result.kind} query returns no graph: use CONSTRUCT or DESCRIBE")
        return result.graph

    def select_values(self, sparql: str) -> list[tuple[Node | None, ...]]:
        """Rows of a trusted, internal SELECT (no guard)."""
        return self.query(sparql, guard=False).rows

    def count(self) -> int:
        """The number of triples in the (default) graph."""
        rows = self.select_values("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return _as_int(rows[0][0]) if rows else 0

    def __len__(self) -> int:
        return self.count()

    def to_graph(self) -> Graph:
        """Every triple, copied into an rdflib graph (for viz and network exports)."""
        graph = self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        from mskg.vocab import bind_prefixes  # rdflib: only to build a graph

        bind_prefixes(graph)
        return graph

    def local_graph(self) -> Graph | None:
        """The rdflib graph this store already keeps in this process, or None when its triples
        live elsewhere (on disk, on a server) and reading them all means copying them
        (:meth:`to_graph`); callers then ask the store for what they need instead."""
        return None

    def view(self) -> Any:
        """An object with the few rdflib ``Graph`` methods :func:`mskg.sparql.params.resolve_value`
        uses (label look-up for query parameters), answered by SPARQL on this store."""
        return _GraphView(self)

    def stats(self) -> GraphStats:
        """Counts of instances per class and triples per property, as ``mskg stats`` prints."""
        from mskg.graph.stats import GraphStats, largest_first, stats_name

        def counts(sparql: str) -> list[tuple[str, int]]:
            out: dict[str, int] = {}
            for key, number in self.select_values(sparql):
                name = stats_name(str(key))
                out[name] = out.get(name, 0) + _as_int(number)
            return largest_first(out)

        subjects = self.select_values("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
        return GraphStats(
            triples=self.count(),
            subjects=_as_int(subjects[0][0]) if subjects else 0,
            by_class=counts(
                "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
            ),
            by_property=counts("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"),
        )

    # Writing ---------------------------------------------------------------------------------

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        """Replace the store's content with the triples of ``files`` (or add them, ``append``).

        Atomic: if any file fails to parse or the write fails, the store keeps its previous
        content. Returns the number of triples in the store afterwards. ``progress`` shows a
        progress bar on stderr (default: for files over 50 MB or when stderr is a terminal).
        """
        raise StoreError(f"the {self.kind} store cannot be loaded")

    #: Export formats the store writes itself, faster than through :meth:`to_graph`.
    dump_formats: tuple[str, ...] = ()

    def dump(self, fmt: str, handle: IO[bytes]) -> None:
        """Write every triple as ``fmt`` (one of :attr:`dump_formats`) to ``handle``."""
        raise StoreError(f"the {self.kind} store cannot write {fmt} itself")

    def describe(self) -> str:
        """A short human description, e.g. for the server's start-up line."""
        return self.kind


def cap_result(result: QueryResult, limit: int | None) -> QueryResult:
    """Keep at most ``limit`` rows, or ``limit`` triples of a CONSTRUCT / DESCRIBE graph."""
    truncated = result.truncated
    if limit is not None and len(result.rows) > limit:
        result.rows = result.rows[:limit]
        truncated = True
    if limit is not None and result.graph is not None and len(result.graph) > limit:
        import itertools

        from rdflib import Graph as RdfGraph

        kept = RdfGraph()
        for prefix, namespace in result.graph.namespaces():
            kept.bind(prefix, namespace, override=True)
        for triple in itertools.islice(result.graph, limit):
            kept.add(triple)
        result.graph = kept
        truncated = True
    result.truncated = truncated
    return result


def _as_int(term: Node | None) -> int:
    return int(str(term)) if term is not None else 0


class _GraphView:
    """The rdflib ``Graph`` methods that parameter resolution needs, by SPARQL on a store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _rows(self, sparql: str) -> list[tuple[Node | None, ...]]:
        return self._store.select_values(sparql)

    @staticmethod
    def _n3(term: Node) -> str:
        check_parameters({"value": [term]})
        return term.n3()

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        for s, o in self._rows(f"SELECT ?s ?o WHERE {{ ?s {self._n3(predicate)} ?o }}"):
            if s is not None and o is not None:
                yield s, o

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        for (s,) in self._rows(
            f"SELECT DISTINCT ?s WHERE {{ ?s {self._n3(predicate)} {self._n3(obj)} }}"
        ):
            if s is not None:
                yield s

    def value(self, subject: Node, predicate: Node) -> Node | None:
        rows = self._rows(
            f"SELECT ?o WHERE {{ {self._n3(subject)} {self._n3(predicate)} ?o }} LIMIT 1"
        )
        return rows[0][0] if rows else None

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        pattern = " ".join(
            f"?x{i}" if term is None else self._n3(term) for i, term in enumerate(triple)
        )
        result = self._store.query(f"ASK {{ {pattern} }}", guard=False)
        return bool(result.boolean)

    def namespaces(self) -> Iterator[tuple[str, str]]:
        yield from PREFIXES.items()
