"""Where the graph lives: one descriptor string, one factory, three backends.

``--store`` on every command takes one of:

``memory`` (default)
    rdflib, in this process: the curated graph (or ``--graph DIR``) is parsed through
    :mod:`mskg.loader` (via the parsed-graph cache of :mod:`mskg.cache`). Nothing to start.
``oxigraph:PATH``
    an on-disk Oxigraph store opened with pyoxigraph; persistent between runs, filled by
    ``mskg load``, which replaces only a store it made (see :class:`OxigraphStore`). 30-100x
    faster than rdflib from about 10^5 triples.
``sparql:URL``
    any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, QLever, Virtuoso, GraphDB), spoken
    to over HTTP with the standard library. ``mskg load`` writes to it with the SPARQL 1.1 Graph
    Store Protocol (see :class:`SparqlStore`).

:func:`open_store` reads the descriptor and returns a :class:`Store`. Every store answers
:meth:`Store.query` with the same :class:`mskg.query.QueryResult` (rdflib terms), so formatting,
tests and the server never care which backend answered; :func:`run_query` runs a named query
(header parameters bound) on any store.

pyoxigraph is imported inside the Oxigraph code only: ``mskg query`` on the memory store never
loads it (nor networkx, pyvis or pyshacl).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import glob
import gzip
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mskg.errors import GraphLoadError, QueryError, StoreError, UsageError
from mskg.loader import (
    RDF_FORMATS,
    UNSAFE_FORMATS,
    oxigraph_format,
    oxigraph_syntax_error,
    refuse_unsafe_input,
)

# The --store descriptor lives in mskg.storespec, so that option parsers need not import the
# backends; re-exported here so that `from mskg.store import parse_store_spec` keeps working.
from mskg.storespec import STORE_HELP as STORE_HELP
from mskg.storespec import STORE_KINDS as STORE_KINDS
from mskg.storespec import StoreSpec as StoreSpec
from mskg.storespec import add_store_argument as add_store_argument
from mskg.storespec import parse_store_spec as parse_store_spec
from mskg.vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mskg.query import NamedQuery, QueryResult
    from mskg.stats import GraphStats


#: RDF syntaxes a store can load, by file suffix (a further ``.gz`` is decompressed on the fly):
#: those of a graph folder, and N3.
LOAD_FORMATS: dict[str, str] = {**RDF_FORMATS, ".n3": "n3"}

#: Files larger than this get a progress bar even when stderr is not a terminal.
PROGRESS_MIN_BYTES = 50 * 1024 * 1024

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def open_store(
    spec: str | StoreSpec | None = None,
    graph: Path | str | Graph | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
    use_cache: bool = True,
    timeout: float | None = None,
) -> Store:
    """The one factory: open the store that ``spec`` describes.

    ``graph`` is the graph folder the memory store reads (default: the curated graph) or an
    rdflib graph to wrap; the other stores hold their own data and ignore it. ``read_only`` opens
    an Oxigraph store so that several processes may read it at once; ``create`` lets an Oxigraph
    store that does not exist yet be created (``mskg load``), otherwise a missing store is an
    error; with ``create`` an existing path must be an empty folder or a store mskg made.
    ``timeout`` is the HTTP timeout, in seconds, of a SPARQL endpoint.
    """
    parsed = parse_store_spec(spec)
    if parsed.kind == "memory":
        return MemoryStore(graph, use_cache=use_cache)
    if parsed.kind == "oxigraph":
        return OxigraphStore(parsed.location, read_only=read_only, create=create)
    return SparqlStore(parsed.location, timeout=timeout)


# --------------------------------------------------------------------------------------------
# The common interface
# --------------------------------------------------------------------------------------------


class Store(ABC):
    """A place that answers SPARQL. Subclasses: memory, Oxigraph, SPARQL endpoint."""

    kind: str = ""

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
        """Run SPARQL text read-only and return a :class:`mskg.query.QueryResult`.

        With ``guard`` (the default) the query is first checked by
        :func:`mskg.query.prepare_query`: UPDATE, LOAD, SERVICE and FROM are refused, since the
        stores would otherwise fetch URLs. ``limit`` caps the rows of a SELECT (the result's
        ``truncated`` attribute then says whether rows were dropped).
        """
        if guard:
            sparql = check_read_only(sparql, name)
        return self._query(with_prefixes(sparql), limit, name or "<query>")

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
        _bind(graph)
        return graph

    def view(self) -> Any:
        """An object with the few rdflib ``Graph`` methods :func:`mskg.query.resolve_value` uses
        (label look-up for query parameters), answered by SPARQL on this store."""
        return _GraphView(self)

    def stats(self) -> GraphStats:
        """Counts of instances per class and triples per property, as ``mskg stats`` prints."""
        from rdflib import Graph as RdfGraph

        from mskg.stats import GraphStats

        names = RdfGraph(bind_namespaces="core")
        _bind(names)
        normalize = names.namespace_manager.normalizeUri

        def counts(sparql: str) -> list[tuple[str, int]]:
            out: dict[str, int] = {}
            for key, number in self.select_values(sparql):
                name = normalize(str(key))
                out[name] = out.get(name, 0) + _as_int(number)
            return sorted(out.items(), key=lambda item: (-item[1], item[0]))

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

    def export(self, fmt: str, out: Path | str | None = None) -> None:
        """Write the store's triples as ``fmt`` (see :data:`mskg.export.FORMATS`)."""
        from mskg.export import export_graph

        export_graph(self.to_graph(), fmt, out)

    def describe(self) -> str:
        """A short human description, e.g. for the server's start-up line."""
        return self.kind


# --------------------------------------------------------------------------------------------
# memory: rdflib
# --------------------------------------------------------------------------------------------


class MemoryStore(Store):
    """The graph in an rdflib ``Graph`` in this process, parsed from a graph folder."""

    kind = "memory"

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
            from mskg.cache import cached_graph

            self._graph = cached_graph(self._path, use_cache=self._use_cache)
        return self._graph

    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult:
        from mskg.query import query_from_text, run_query

        result = run_query(query_from_text(sparql, label), self.graph)
        return _cap(result, limit)

    def query(
        self, sparql: str, *, limit: int | None = None, guard: bool = True, name: str | None = None
    ) -> QueryResult:
        # run_query always guards (read-only, no fetching); no second parse needed.
        return self._query(sparql, limit, name or "<query>")

    def count(self) -> int:
        return len(self.graph)

    def to_graph(self) -> Graph:
        return self.graph

    def view(self) -> Any:
        return self.graph

    def stats(self) -> GraphStats:
        from mskg.stats import graph_stats

        return graph_stats(self.graph)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        raise StoreError(
            "the memory store is not persistent: give --store oxigraph:PATH or --store sparql:URL"
        )

    def describe(self) -> str:
        return f"memory (rdflib, {self._path or 'the curated graph'})"


# --------------------------------------------------------------------------------------------
# oxigraph:PATH
# --------------------------------------------------------------------------------------------


class OxigraphStore(Store):
    """An on-disk Oxigraph store, through pyoxigraph (imported here only).

    Loads are atomic: :meth:`load` builds the new store in a fresh staging folder beside
    ``PATH`` (a hard-linked backup of the current one for ``append``), bulk-loads into it, and
    only then swaps the directories by renaming. A failed load deletes the staging folder and
    leaves the store as it was. Readers that opened the old store keep reading it until they
    reopen.

    mskg only ever replaces or deletes folders it provably made: a store it made holds
    ``mskg-store.json`` (:data:`STORE_MARKER`), a staging folder holds ``mskg-staging.json``
    (:data:`STAGING_MARKER`) from the moment it exists. A load refuses a ``PATH`` that exists
    and is anything but an empty folder or an mskg store (a file, a folder of other files, an
    Oxigraph store made by another tool or an earlier mskg); reading any Oxigraph store
    (``read_only``) stays allowed.

    Writers (:meth:`load`, and opening with ``read_only=False``) hold an exclusive lock on
    ``.NAME.lock`` beside ``PATH`` (``fcntl.flock``; the file is removed again on release).
    Whoever opens the store, reader or writer, repairs what a crashed load left
    (:func:`_recover_swap`: a store left parked by a crash between the two renames is put back)
    only if it gets that lock at once: a load in the middle of its swap holds it, and finishes
    the swap itself while the others wait for it.
    """

    kind = "oxigraph"

    def __init__(self, path: Path | str, *, read_only: bool = False, create: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.read_only = read_only
        self._store: Any = None
        if read_only:
            if _swap_interrupted(self.path):
                _repair(self.path, read_only=True)
        elif self.path.parent.is_dir():
            _repair(self.path, read_only=False)
            if create:
                _check_replaceable(self.path)
        if not create and not _is_oxigraph_dir(self.path):
            raise StoreError(_missing_store_message(self.path, path))

    @property
    def store(self) -> Any:
        """The pyoxigraph ``Store``, opened on first use."""
        if self._store is None:
            self._store = self._open()
        return self._store

    def _open(self) -> Any:
        import pyoxigraph

        try:
            if self.read_only:
                return pyoxigraph.Store.read_only(str(self.path))
            fresh = _absent_or_empty(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            store = pyoxigraph.Store(str(self.path))
            if fresh:  # an empty store made here is mskg's: later loads may replace it
                _write_marker(self.path, STORE_MARKER, "loaded")
            return store
        except OSError as exc:
            hint = ""
            if "lock" in str(exc).lower():
                hint = " (another process has it open for writing; stop it or open read-only)"
            raise StoreError(f"{self.path}: cannot open Oxigraph store: {exc}{hint}") from exc

    def close(self) -> None:
        if self._store is not None:
            self._store = None  # pyoxigraph closes the database when the object is dropped
            gc.collect()

    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult:
        try:
            answer = self.store.query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}", name=label) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}", name=label) from exc
        return _oxigraph_result(answer, limit)

    def count(self) -> int:
        return len(self.store)

    def export(self, fmt: str, out: Path | str | None = None) -> None:
        import pyoxigraph

        native = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES}
        if fmt not in native:
            super().export(fmt, out)
            return
        kwargs: dict[str, Any] = {
            "format": native[fmt],
            "from_graph": pyoxigraph.DefaultGraph(),
        }
        if fmt == "ttl":
            kwargs["prefixes"] = dict(PREFIXES)
        if out is None:
            self.store.dump(sys.stdout.buffer, **kwargs)
            sys.stdout.flush()
            return
        from mskg.atomic import atomic_open

        with atomic_open(out, "wb") as handle:
            self.store.dump(handle, **kwargs)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        paths = _check_files(files)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path.parent}: cannot create the folder: {exc}") from exc
        with _write_lock(self.path, wait=False) as locked:
            if not locked:
                raise StoreError(
                    f"{self.path}: another `mskg load` is writing this store; wait for it to end"
                )
            foreign = _recover_swap(self.path)
            if foreign:
                names = ", ".join(str(p) for p in foreign)
                print(f"warning: left alone, not made by mskg: {names}", file=sys.stderr)
            _check_replaceable(self.path)
            return self._load_locked(paths, append, progress)

    def _load_locked(self, paths: Sequence[Path], append: bool, progress: bool | None) -> int:
        import pyoxigraph

        staging = _make_staging(self.path)
        # The store is built one level down: backup() must create its directory itself, and the
        # staging folder has to carry its marker from the first moment to be cleaned up safely.
        built = staging / "store"
        new: Any = None
        try:
            if append and _is_oxigraph_dir(self.path):
                self.store.backup(str(built))  # hard links: cheap on one file system
            new = pyoxigraph.Store(str(built))
            for path in paths:
                _bulk_load(new, path, progress)
            new.flush()
            total = len(new)
            new = None  # close both databases before the rename
            self.close()
            _write_marker(built, STORE_MARKER, "loaded")  # backup() does not copy the old one
            _swap_dirs(built, self.path)
        except BaseException as exc:
            # The staging store must be closed before its folder is deleted: RocksDB writes its
            # files back when it closes, and would re-create the folder. It is referenced here and
            # by the frames of the traceback (``_bulk_load``'s ``store``), so drop all of them.
            new = None
            self.close()
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise StoreError(f"{self.path}: load failed: {exc}") from None
            raise
        shutil.rmtree(staging, ignore_errors=True)  # only its marker is left in it
        return total

    def describe(self) -> str:
        return f"oxigraph:{self.path}" + (" (read-only)" if self.read_only else "")


#: Marks a folder as an Oxigraph store mskg made, which a later load may replace. RocksDB ignores
#: foreign files in its folder, and ``Store.backup()`` does not copy them.
STORE_MARKER = "mskg-store.json"
#: Marks a staging folder of ``mskg load``: only folders that carry it are ever cleaned up.
STAGING_MARKER = "mskg-staging.json"


def _is_oxigraph_dir(path: Path) -> bool:
    return path.is_dir() and ((path / "CURRENT").is_file() or any(path.glob("*.sst")))


def _marker(folder: Path, name: str) -> dict[str, Any] | None:
    """mskg's marker file ``name`` in ``folder`` (a real folder, not a link), or None."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("made_by") == "mskg" else None


def _write_marker(folder: Path, name: str, stamp: str) -> None:
    """Write marker ``name`` into ``folder``: ``{"made_by": "mskg", "version", stamp: now}``."""
    from datetime import UTC, datetime

    from mskg import __version__
    from mskg.atomic import atomic_write

    now = datetime.now(UTC).isoformat(timespec="seconds")
    atomic_write(folder / name, json.dumps({"made_by": "mskg", "version": __version__, stamp: now}))


def _absent_or_empty(path: Path) -> bool:
    if not os.path.lexists(path):
        return True
    try:
        return path.is_dir() and not path.is_symlink() and next(path.iterdir(), None) is None
    except OSError:
        return False


def _remove_if_empty(folder: Path) -> bool:
    """Remove ``folder`` if it is an empty directory, where nothing can be lost; True if gone."""
    if folder.is_symlink():
        return False
    try:
        folder.rmdir()  # refuses a folder that is not empty, even one filled meanwhile
    except OSError:
        return False
    return True


def _check_replaceable(path: Path) -> None:
    """Refuse to load into ``path`` unless it is absent, an empty folder or a store mskg made:
    a load replaces the whole folder."""
    if _absent_or_empty(path) or _marker(path, STORE_MARKER) is not None:
        return
    if path.is_symlink():
        raise StoreError(
            f"{path}: is a symbolic link; mskg load replaces the store folder by renaming and "
            f"will not replace a link: give the folder it points to ({os.path.realpath(path)}) "
            "or a new path"
        )
    if not path.is_dir():
        raise StoreError(
            f"{path}: is a file, not a store folder; mskg load will not replace it: choose a new "
            "path, or an empty folder"
        )
    if _is_oxigraph_dir(path):
        raise StoreError(
            f"{path}: is an Oxigraph store that mskg did not make (no {STORE_MARKER}: another "
            "tool or an earlier mskg made it); mskg load will not replace it: load into a new "
            "path or, if it is yours to replace, delete it yourself first"
        )
    raise StoreError(
        f"{path}: is a folder that is not an mskg store; mskg load will not replace what is in "
        "it: choose a new path, or an empty folder"
    )


def _make_staging(target: Path) -> Path:
    """A new staging folder beside ``target``, marked as mskg's before anything goes into it."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.loading-", dir=target.parent))
        _write_marker(staging, STAGING_MARKER, "started")
    except OSError as exc:
        raise StoreError(f"{target.parent}: cannot create a staging folder: {exc}") from exc
    return staging


def _swap_dirs(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``; the old ``target``, a store mskg made, is renamed
    away, then deleted.

    An absent or empty ``target`` is replaced by one rename. Otherwise there are two: between
    them ``target`` is briefly absent; if the second fails the first is undone, and
    :func:`_recover_swap` undoes a swap a crash interrupted. The old store is parked at
    ``.NAME.old``, or at a fresh ``.NAME.old-XXXXXXXX`` if a folder mskg did not make is there.
    """
    if _absent_or_empty(target):
        os.replace(new, target)  # rename(2) replaces an empty directory in one step
        return
    if _marker(target, STORE_MARKER) is None:  # load() checked; this guards any other caller
        raise StoreError(f"{target}: not a store mskg made; left as it is")
    old = _old_dir(target)
    if os.path.lexists(old):  # not mskg's: _recover_swap deleted that one
        old = Path(tempfile.mkdtemp(prefix=f"{old.name}-", dir=target.parent))
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _old_dir(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _old_dirs(target: Path) -> list[Path]:
    """``.NAME.old`` and ``.NAME.old-*`` beside ``target``, whoever made them."""
    spares = sorted(target.parent.glob(f".{glob.escape(target.name)}.old-*"))
    return [p for p in (_old_dir(target), *spares) if os.path.lexists(p)]


def _parked_stores(target: Path) -> list[Path]:
    """Stores mskg made that a swap renamed away from ``target``, the most recently loaded
    first (that one was in place last)."""
    marked = [(m, p) for p in _old_dirs(target) if (m := _marker(p, STORE_MARKER)) is not None]
    return [p for m, p in sorted(marked, key=lambda mp: str(mp[0].get("loaded", "")), reverse=True)]


def _swap_interrupted(target: Path) -> bool:
    # An empty folder at ``target`` counts as absent: someone may have made it after a crash.
    return _absent_or_empty(target) and bool(_parked_stores(target))


def _restore_hint(old: Path, target: Path) -> str:
    import shlex

    move = f"mv {shlex.quote(str(old))} {shlex.quote(str(target))}"
    return f"the data is in {old}: restore it with `{move}`"


def _missing_store_message(target: Path, given: Path | str) -> str:
    """No store at ``target``: say how to restore a parked one by hand rather than advise a
    load, which would replace the data it holds."""
    create = f"create one with `mskg load --store oxigraph:{given}`"
    if not _absent_or_empty(target):
        return f"{target}: no Oxigraph store here; {create}"
    parked = _parked_stores(target)
    if parked:
        return (
            f"{target}: no Oxigraph store here: an `mskg load` was interrupted mid-swap and, "
            f"unless one is still running, {_restore_hint(parked[0], target)}"
        )
    for old in _old_dirs(target):
        if _is_oxigraph_dir(old):
            return (
                f"{target}: no Oxigraph store here; an Oxigraph store that mskg did not mark as "
                f"its own is beside it: if it is this store, {_restore_hint(old, target)}; "
                f"else {create}"
            )
    return f"{target}: no Oxigraph store here; {create}"


def _recover_swap(target: Path) -> list[Path]:
    """Repair what a crashed load left beside ``target``; call only under :func:`_write_lock`.

    Crashed between the two renames of :func:`_swap_dirs` (``target`` absent, or an empty
    folder): the store parked by the swap is put back. Stores mskg parked after a finished swap
    (an mskg store is in place), mskg's staging folders of crashed loads, and empty
    ``.NAME.loading-*`` / ``.NAME.old-*`` folders are deleted. Folders with these names that mskg
    did not mark are left alone, and returned for a warning.
    """
    parked = _parked_stores(target)
    if parked and _absent_or_empty(target):
        try:
            os.replace(parked[0], target)
        except OSError as exc:
            raise StoreError(
                f"{target}: cannot put back the store an interrupted load left: {exc}; "
                f"{_restore_hint(parked[0], target)}"
            ) from exc
        parked.pop(0)
    if _marker(target, STORE_MARKER) is not None:  # else a parked store may be the only copy
        for old in parked:
            shutil.rmtree(old, ignore_errors=True)
    foreign: list[Path] = []
    for stale in sorted(target.parent.glob(f".{glob.escape(target.name)}.loading-*")):
        if _marker(stale, STAGING_MARKER) is not None:
            shutil.rmtree(stale, ignore_errors=True)
        elif not _remove_if_empty(stale):
            foreign.append(stale)
    for old in _old_dirs(target):
        if old in parked:
            continue
        if old == _old_dir(target) or not _remove_if_empty(old):
            foreign.append(old)
    return foreign


def _repair(target: Path, *, read_only: bool) -> None:
    """Run :func:`_recover_swap` if the write lock is free at once; if a load holds it, wait for
    that load to finish its own swap (it is never undone from outside)."""
    with contextlib.ExitStack() as stack:
        try:
            locked = stack.enter_context(_write_lock(target, wait=False))
        except StoreError:
            if not read_only:
                raise
            # A reader without the right to write the folder cannot repair: it still opens the
            # store if it is there, or says where the data is and how to restore it.
            locked = False
        if locked:
            _recover_swap(target)
            return
    _wait_for_swap(target)


def _wait_for_swap(target: Path, seconds: float = 2.0) -> None:
    """An opener that arrives between the two renames of a load's swap waits for the second."""
    deadline = time.monotonic() + seconds
    while _swap_interrupted(target) and time.monotonic() < deadline:
        time.sleep(0.02)


@contextlib.contextmanager
def _write_lock(target: Path, *, wait: bool = False) -> Iterator[bool]:
    """Hold the exclusive writer lock of the store at ``target``; yields False if another process
    holds it (with ``wait``, block until it is free instead).

    The lock is ``flock`` on ``.NAME.lock`` beside ``target``. The file is deleted on release so
    that no lock file is left behind; a process that locked a file which was deleted meanwhile
    sees a different inode at the path and tries again. Without ``fcntl`` (Windows) there is no
    lock and this always yields True.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        yield True
        return
    lock = target.with_name(f".{target.name}.lock")
    fd = -1
    try:
        for _attempt in range(100):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                fd = -1
                break
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
            fd = -1
    except OSError as exc:
        if fd >= 0:
            os.close(fd)
        raise StoreError(f"{lock}: cannot take the store's write lock: {exc}") from exc
    if fd < 0:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _rdf_format(path: Path) -> tuple[str, bool]:
    """(rdflib format name, gzip-compressed) of a file, from its suffixes."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if compressed and len(suffixes) >= 2 else (suffixes or [""])[-1]
    if suffix not in LOAD_FORMATS:
        known = ", ".join(f"*{s}" for s in LOAD_FORMATS)
        raise UsageError(f"{path}: unknown RDF file type; expected {known} (optionally .gz)")
    return LOAD_FORMATS[suffix], compressed


def _check_files(files: Sequence[Path | str]) -> list[Path]:
    """The files as paths, once each exists, has a known type and passes the loader's
    :func:`mskg.loader.refuse_unsafe_input`, before the store is touched."""
    import zlib

    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise GraphLoadError(path, "no such file")
        fmt, _compressed = _rdf_format(path)
        if fmt not in UNSAFE_FORMATS:
            continue
        try:
            with _open_rdf(path, False) as handle:
                refuse_unsafe_input(path, fmt, handle)
        except (OSError, EOFError, zlib.error) as exc:
            raise GraphLoadError(path, f"cannot read: {exc}") from exc
    return paths


def _show_progress(paths: Iterable[Path], progress: bool | None) -> bool:
    if progress is not None:
        return progress
    if sys.stderr.isatty():
        return True
    return sum(p.stat().st_size for p in paths) >= PROGRESS_MIN_BYTES


class _ProgressReader(io.RawIOBase):
    """A binary file wrapper that advances a tqdm bar by the compressed bytes read."""

    def __init__(self, raw: IO[bytes], bar: Any) -> None:
        self._raw = raw
        self._bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if self._bar is not None:
            self._bar.update(size)
        return size


@contextlib.contextmanager
def _open_rdf(path: Path, progress: bool) -> Iterator[IO[bytes]]:
    """Open an RDF file for reading (decompressing ``.gz``), with a progress bar if asked."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=path.name,
            file=sys.stderr,
            leave=False,
        )
    try:
        with path.open("rb") as raw:
            counted: IO[bytes] = io.BufferedReader(_ProgressReader(raw, bar), 1 << 20)
            if path.suffix.lower() == ".gz":
                with gzip.open(counted, "rb") as unzipped:
                    yield unzipped  # type: ignore[misc]
            else:
                yield counted
    finally:
        if bar is not None:
            bar.close()


def _bulk_load(store: Any, path: Path, progress: bool | None) -> None:
    fmt, _compressed = _rdf_format(path)
    with _open_rdf(path, _show_progress([path], progress)) as handle:
        try:
            store.bulk_load(
                input=handle, format=oxigraph_format(fmt), base_iri=path.resolve().as_uri()
            )
        except SyntaxError as exc:
            raise _syntax_error(path, exc) from exc
        except (OSError, ValueError) as exc:
            raise GraphLoadError(path, f"cannot load: {exc}") from exc


def _syntax_error(path: Path, exc: SyntaxError) -> GraphLoadError:
    """pyoxigraph's error at file:line:column, placed as the loader places it (which reads the
    file again), so that ``mskg load`` and ``mskg validate`` name the same position."""
    import zlib

    try:
        with _open_rdf(path, False) as source:
            return oxigraph_syntax_error(path, exc, source)
    except (OSError, EOFError, zlib.error):  # changed or damaged since: the parser's position
        return oxigraph_syntax_error(path, exc)


def _oxigraph_result(answer: Any, limit: int | None) -> QueryResult:
    import pyoxigraph
    from rdflib import Graph as RdfGraph

    from mskg.query import QueryResult

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows: list[tuple[Node | None, ...]] = []
        truncated = False
        for solution in answer:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(_from_oxigraph(term) for term in solution))
        result = QueryResult("SELECT", variables=variables, rows=rows)
        result.truncated = truncated  # type: ignore[attr-defined]
        return result
    graph = RdfGraph()
    _bind(graph)
    truncated = False
    for triple in answer:  # a stream: stop reading (and Oxigraph computing) after the cap
        node = (
            _from_oxigraph(triple.subject),
            _from_oxigraph(triple.predicate),
            _from_oxigraph(triple.object),
        )
        if limit is not None and len(graph) >= limit:
            if node not in graph:
                truncated = True
                break
            continue
        graph.add(node)  # type: ignore[arg-type]
    result = QueryResult("CONSTRUCT", graph=graph)
    result.truncated = truncated  # type: ignore[attr-defined]
    return result


def _from_oxigraph(term: Any) -> Node | None:
    """A pyoxigraph term as the rdflib term the memory store would give."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    return Literal(str(term))  # an RDF-star triple term: shown as text


# --------------------------------------------------------------------------------------------
# sparql:URL
# --------------------------------------------------------------------------------------------

_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)


class EndpointTimeout(StoreError):
    """A SPARQL endpoint sent nothing for longer than the store's HTTP timeout."""


class SparqlStore(Store):
    """A SPARQL 1.1 Protocol endpoint over HTTP (urllib; results read as SPARQL JSON).

    Queries are POSTed form-encoded to ``URL``. :meth:`load` uses the SPARQL 1.1 Graph Store
    Protocol on the default graph: ``PUT URL?default`` replaces it, ``POST`` (append) adds to it.
    The whole upload is one HTTP request (the files are converted to one N-Triples body first),
    so "atomic" here means what the server makes of one request: Oxigraph and Fuseki apply a
    Graph Store request in one transaction, so a failed upload leaves the graph as it was. The
    Graph Store URL is ``gsp_url`` if given, else guessed from the query URL: ``.../query`` ->
    ``.../store`` (Oxigraph server), ``.../sparql`` -> ``.../data`` (Fuseki).

    Time limits: ``timeout`` is the HTTP timeout (seconds without a byte from the endpoint); when
    it passes the connection is closed and :class:`EndpointTimeout` raised. Closing the
    connection does not stop the query on the endpoint (an Oxigraph server keeps computing), and
    the SPARQL 1.1 Protocol has no time-limit parameter: the endpoint must enforce its own limit
    (``oxigraph serve --timeout-s N``; Fuseki ``arq:queryTimeout``). Parameters in ``URL`` are
    kept on every query request, so an endpoint's own per-request limit can be asked for there:
    ``sparql:http://host/sparql?timeout=10000`` (Virtuoso: milliseconds; units differ).
    """

    kind = "sparql"

    def __init__(
        self, url: str, *, gsp_url: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url
        self.gsp_url = gsp_url or os.environ.get("MSKG_GSP_URL") or _guess_gsp_url(url)
        self.timeout = timeout if timeout is not None else 300.0

    def _request(
        self,
        url: str,
        *,
        data: bytes | IO[bytes] | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[str, bytes]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            message = f"{method} {url}: HTTP {exc.code} {exc.reason}" + (
                f": {body[:500]}" if body else ""
            )
            if 400 <= exc.code < 500 and exc.code not in (401, 403, 404):
                raise QueryError(message) from exc
            raise StoreError(message) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise EndpointTimeout(
                    f"{method} {url}: no answer from the SPARQL endpoint within "
                    f"{self.timeout:g} s; the connection was closed (the endpoint may still be "
                    "computing: give it its own time limit)"
                ) from exc
            raise StoreError(f"{method} {url}: cannot reach the SPARQL endpoint: {reason}") from exc

    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult:
        body = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        content_type, data = self._request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": _RESULTS_ACCEPT,
            },
        )
        return parse_results(data, content_type, limit)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        paths = _check_files(files)
        show = _show_progress(paths, progress)
        with tempfile.TemporaryFile() as body:
            _to_ntriples(paths, body, show)
            size = body.tell()
            body.seek(0)
            separator = "&" if "?" in self.gsp_url else "?"
            self._request(
                f"{self.gsp_url}{separator}default",
                data=body,
                method="POST" if append else "PUT",
                headers={
                    "Content-Type": "application/n-triples",
                    "Content-Length": str(size),
                },
            )
        return self.count()

    def describe(self) -> str:
        return f"sparql:{self.url}"


def _guess_gsp_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    for suffix, replacement in (("/query", "/store"), ("/sparql", "/data")):
        if path.endswith(suffix):
            path = path[: -len(suffix)] + replacement
            break
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _to_ntriples(paths: Sequence[Path], out: IO[bytes], progress: bool) -> None:
    """Convert ``paths`` to one N-Triples stream (pyoxigraph's parsers; blank nodes kept apart)."""
    import pyoxigraph

    for path in paths:
        fmt, _compressed = _rdf_format(path)
        with _open_rdf(path, progress) as handle:
            try:
                quads = pyoxigraph.parse(
                    handle, format=oxigraph_format(fmt), base_iri=path.resolve().as_uri()
                )
                pyoxigraph.serialize(
                    (q.triple for q in quads), out, format=pyoxigraph.RdfFormat.N_TRIPLES
                )
            except SyntaxError as exc:
                raise _syntax_error(path, exc) from exc


def parse_results(data: bytes, content_type: str, limit: int | None = None) -> QueryResult:
    """A SPARQL JSON results document, or an RDF graph, as a :class:`QueryResult`."""
    from rdflib import Graph as RdfGraph

    from mskg.query import QueryResult

    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("application/sparql-results+json", "application/json"):
        try:
            document = json.loads(data)
        except ValueError as exc:
            _raise_if_cancelled(data)
            raise StoreError(f"the endpoint sent invalid SPARQL JSON: {exc}") from exc
        if "boolean" in document:
            return QueryResult("ASK", boolean=bool(document["boolean"]))
        variables = list(document.get("head", {}).get("vars", []))
        rows: list[tuple[Node | None, ...]] = []
        truncated = False
        for binding in document.get("results", {}).get("bindings", []):
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(_from_json(binding.get(v)) for v in variables))
        result = QueryResult("SELECT", variables=variables, rows=rows)
        result.truncated = truncated  # type: ignore[attr-defined]
        return result
    rdf_formats = {
        "application/n-triples": "nt",
        "text/plain": "nt",
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
    }
    if mime in rdf_formats:
        fmt = rdf_formats[mime]
        truncated = False
        if fmt == "nt" and limit is not None:
            # One triple per line: parse no more than the cap (and one line to know if cut).
            lines: dict[bytes, None] = {}
            for line in data.splitlines():
                line = line.strip()
                if line and not line.startswith(b"#"):
                    if len(lines) >= limit and line not in lines:
                        truncated = True
                        break
                    lines[line] = None
            data = b"\n".join(lines) + b"\n"
        if fmt in UNSAFE_FORMATS:
            # An endpoint's JSON-LD could name a remote @context, its RDF/XML declare entities:
            # the same refusal as for a graph file, so that answering never fetches or blows up.
            try:
                refuse_unsafe_input(Path("<endpoint answer>"), fmt, io.BytesIO(data))
            except GraphLoadError as exc:
                raise StoreError(f"the endpoint's {mime} answer is refused: {exc.reason}") from exc
        graph = RdfGraph()
        try:
            graph.parse(data=data, format=fmt)
        except Exception as exc:  # rdflib's parsers raise assorted exception types
            _raise_if_cancelled(data)
            raise StoreError(f"the endpoint sent an unreadable {mime} graph: {exc}") from exc
        _bind(graph)
        result = _cap(QueryResult("CONSTRUCT", graph=graph), limit)
        result.truncated = truncated or result.truncated  # type: ignore[attr-defined]
        return result
    raise StoreError(f"the endpoint answered with an unsupported content type {content_type!r}")


def _raise_if_cancelled(data: bytes) -> None:
    """Oxigraph's server sends 200 and then, when its ``--timeout-s`` stops the query, an error
    text in the middle of the stream; say so instead of "invalid JSON"."""
    tail = data[-300:].decode("utf-8", "replace")
    if re.search(r"cancel|timed? ?out|timeout", tail, re.IGNORECASE):
        raise EndpointTimeout(f"the SPARQL endpoint stopped the query (its time limit?): {tail}")


def _from_json(term: Mapping[str, str] | None) -> Node | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = term.get("xml:lang")
    if lang:
        return Literal(value, lang=lang)
    datatype = term.get("datatype")
    if datatype and datatype not in (_XSD_STRING, _RDF_LANG_STRING):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


# --------------------------------------------------------------------------------------------
# Read-only guard, prefixes and parameters
# --------------------------------------------------------------------------------------------


def check_read_only(sparql: str, name: str | None = None) -> str:
    """Refuse anything but a read-only query over the store (UPDATE, LOAD, SERVICE, FROM), and
    return the text to give the engine: the text the guard judged (:func:`mskg.query.engine_text`).

    The guard is :func:`mskg.query.prepare_query` (one guard for every path), which raises
    :class:`QueryError` naming line and column of a syntax error.
    """
    from mskg.query import engine_text, query_from_text

    label = name or "<query>"
    _prepare(query_from_text(sparql, label))
    return engine_text(sparql, label)


#: Query texts up to this size have their parse cached (:func:`_prepare`).
_CACHED_TEXT_MAX = 20_000


def _prepare(query: NamedQuery) -> Any:
    """:func:`mskg.query.prepare_query` (the guard), parsed once per distinct query text.

    rdflib's parser takes 5-15 ms per query, more than Oxigraph needs to answer most of them, so
    the translated query of a text that passed the guard is kept (the last 256 texts under 20 kB).
    It is shared: callers must not change it. A refused or malformed text is parsed again, so
    that its error names this query; errors are never cached.
    """
    from mskg.query import prepare_query

    if len(query.text) > _CACHED_TEXT_MAX:
        return prepare_query(query)
    try:
        return _prepare_text(query.text)
    except QueryError:
        return prepare_query(query)  # raises again, with the right name


@functools.lru_cache(maxsize=256)
def _prepare_text(text: str) -> Any:
    from mskg.query import prepare_query, query_from_text

    return prepare_query(query_from_text(text, "<query>"))


_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)


def with_prefixes(sparql: str) -> str:
    """``sparql`` with ``PREFIX`` lines for mskg's prefixes it uses but does not declare.

    The named queries may rely on mskg's standard prefixes (as the memory store allows); other
    engines need them declared.
    """
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql)}
    missing = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in PREFIXES.items()
        if prefix not in declared and re.search(rf"(?<![\w<?$:]){re.escape(prefix)}:", sparql)
    ]
    return "\n".join([*missing, sparql]) if missing else sparql


def run_query(
    query: NamedQuery | str,
    store: Store,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    queries_dir: Path | str | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run a named query (``NAME``, a ``.rq`` path, SPARQL text or a :class:`NamedQuery`) on
    ``store``, with its header parameters bound, read-only.

    On the memory store this is :func:`mskg.query.run_query`. On the others the query is guarded
    and its parameters resolved (labels looked up by SPARQL on the store) exactly as there, then
    a ``VALUES`` table of the bound parameters is written at the start of the WHERE clause and
    the text is evaluated by the store's own engine.
    """
    from mskg import query as q

    if isinstance(query, str):
        is_text = "{" in query or any(c.isspace() for c in query.strip())
        query = q.query_from_text(query) if is_text else q.load_query(query, queries_dir)
    check_parameter_values(params)
    if isinstance(store, MemoryStore):
        result = q.run_query(query, store.graph, params=params)
        check_parameters(result.bindings)  # the same refusal as on the other stores
        return _cap(result, limit)
    prepared = _prepare(query)  # the guard; cached: bind_parameters only reads it
    bound = q.bind_parameters(store.view(), query, prepared, params)
    label = str(query.path) if query.path is not None else query.name
    text = inject_values(q.engine_text(query.text, label), bound)
    result = store.query(text, limit=limit, guard=False, name=label)
    result.bindings = bound
    return result


def inject_values(sparql: str, bound: Mapping[str, Sequence[Node]]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { ... }`` written just inside its WHERE clause's brace.

    The same place :func:`mskg.query.run_query` puts the table in the algebra: under the
    solution modifiers and grouping, joined with the pattern.
    """
    if not bound:
        return sparql
    import itertools

    check_parameters(bound)
    names = sorted(bound)
    rows = itertools.product(*(bound[n] for n in names))
    table = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ {table} }} "
    at = _where_brace(sparql)
    if at is None:
        raise UsageError("the query has no WHERE clause to bind parameters in")
    return sparql[: at + 1] + values + sparql[at + 1 :]


#: Characters an IRI may not hold (RFC 3987 and the SPARQL IRIREF production).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


_IRI_SCHEME = re.compile(r"(?:https?|urn|file|mailto|ftp):", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")


def _bad_iri(name: str, iri: str) -> UsageError:
    return UsageError(
        f"parameter {name}: {iri!r} is not a valid IRI (it may not hold spaces, quotes, "
        "<>{}|^` or backslashes)"
    )


def check_parameter_values(params: Mapping[str, str | Sequence[str]] | None) -> None:
    """Refuse, before anything runs, a parameter value meant as an IRI (``<...>``, ``http...``,
    ``mskr:...``) that is not a valid one, e.g. ``drug=http://x/a> } SERVICE <...> #``: the same
    :class:`UsageError` on every store (the HTTP server answers 400)."""
    for name, raw in (params or {}).items():
        for value in [raw] if isinstance(raw, str) else raw:
            text = value.strip()
            iri: str | None = None
            if text.startswith("<") and text.endswith(">"):
                iri = text[1:-1]
            elif _IRI_SCHEME.match(text):
                iri = text
            else:
                prefixed = _PREFIXED_NAME.fullmatch(text)
                if prefixed and (prefixed.group(1) or "") in PREFIXES:
                    iri = text
            if iri is not None and (not iri or _BAD_IRI.search(iri)):
                raise _bad_iri(name, iri)


def check_parameters(bound: Mapping[str, Sequence[Node]]) -> None:
    """Refuse a bound IRI that is not valid (:class:`UsageError`): it would not survive being
    written into the query text (rdflib's ``n3()`` raises a bare Exception)."""
    from rdflib import URIRef

    for name, nodes in bound.items():
        for node in nodes:
            if isinstance(node, URIRef) and (not str(node) or _BAD_IRI.search(str(node))):
                raise _bad_iri(name, str(node))


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<var>[?$][\w]+)
      | (?P<word>[A-Za-z_][\w.-]*:?[\w.-]*)
      | (?P<brace>\{)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _where_brace(sparql: str) -> int | None:
    """Offset of the ``{`` opening the outermost WHERE clause (skipping strings, IRIs, comments)."""
    first: int | None = None
    form = ""
    after_where = False
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind in ("comment", "string", "iri", "var"):
            continue
        if kind == "word":
            word = match.group().upper()
            if not form and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            after_where = word == "WHERE"
            continue
        if kind == "brace":
            if after_where:
                return match.start()
            if first is None:
                first = match.start()
            continue
        if not match.group().isspace():
            after_where = False
    # No WHERE keyword: SELECT * { ... } or ASK { ... } open the pattern with their first brace.
    return first if form in ("SELECT", "ASK") else None


def _cap(result: QueryResult, limit: int | None) -> QueryResult:
    """Keep at most ``limit`` rows, or ``limit`` triples of a CONSTRUCT / DESCRIBE graph."""
    truncated = bool(getattr(result, "truncated", False))
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
    result.truncated = truncated  # type: ignore[attr-defined]
    return result


def _as_int(term: Node | None) -> int:
    return int(str(term)) if term is not None else 0


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


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


def wait_for_endpoint(url: str, timeout: float = 20.0) -> None:
    """Poll a SPARQL endpoint with ``ASK {}`` until it answers (for tests and scripts)."""
    deadline = time.monotonic() + timeout
    store = SparqlStore(url, timeout=2.0)
    while True:
        try:
            store.query("ASK {}", guard=False)
            return
        except (StoreError, QueryError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
