"""The ``oxigraph:PATH`` store: an on-disk Oxigraph store, loaded atomically and only where mskg
made it."""

from __future__ import annotations

import contextlib
import gc
import glob
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mskg.errors import GraphLoadError, QueryError, StoreError
from mskg.graph.formats import OUTPUT_FORMATS, load_format, oxigraph_format
from mskg.graph.sssom import is_mapping_file
from mskg.prefixes import PREFIXES
from mskg.stores.base import Store
from mskg.stores.inputs import (
    check_files,
    load_syntax_error,
    mapping_triples,
    open_rdf,
    show_progress,
)

if TYPE_CHECKING:
    from rdflib import Graph

    from mskg.sparql.results import QueryResult


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

    @classmethod
    def open(cls, location: str, graph: Path | str | Graph | None, **options: Any) -> OxigraphStore:
        return cls(
            location,
            read_only=options.get("read_only", False),
            create=options.get("create", False),
        )

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

    dump_formats = ("ttl", "nt")

    def dump(self, fmt: str, handle: IO[bytes]) -> None:
        import pyoxigraph

        kwargs: dict[str, Any] = {
            "format": oxigraph_format(OUTPUT_FORMATS[fmt]),
            "from_graph": pyoxigraph.DefaultGraph(),
        }
        if fmt == "ttl":
            kwargs["prefixes"] = dict(PREFIXES)
        self.store.dump(handle, **kwargs)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        paths = check_files(files)
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


def _bulk_load(store: Any, path: Path, progress: bool | None) -> None:
    if is_mapping_file(path):
        store.bulk_extend(mapping_triples(path))
        return
    fmt, compressed = load_format(path)
    options = {"format": oxigraph_format(fmt), "base_iri": path.resolve().as_uri()}
    show = show_progress([path], progress)
    try:
        if not compressed and not show:
            # Oxigraph reads the file itself: no Python in the read loop.
            store.bulk_load(path=str(path), **options)
            return
        with open_rdf(path, show) as handle:
            store.bulk_load(input=handle, **options)
    except SyntaxError as exc:
        raise load_syntax_error(path, exc) from exc
    except (OSError, ValueError) as exc:
        raise GraphLoadError(path, f"cannot load: {exc}") from exc


def _oxigraph_result(answer: Any, limit: int | None) -> QueryResult:
    import pyoxigraph

    from mskg.sparql.results import QueryResult

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        width = range(len(variables))
        rows = [tuple(solution[i] for i in width) for solution in itertools.islice(answer, limit)]
        # One more solution past the cap says the answer was cut (Oxigraph stops there).
        truncated = limit is not None and next(iter(answer), None) is not None
        return QueryResult("SELECT", variables=variables, native_rows=rows, truncated=truncated)
    from rdflib import Graph as RdfGraph

    from mskg.graph.terms import solution_term

    graph = RdfGraph()
    from mskg.vocab import bind_prefixes  # rdflib: only to build a graph

    bind_prefixes(graph)
    truncated = False
    for triple in answer:  # a stream: stop reading (and Oxigraph computing) after the cap
        node = (
            solution_term(triple.subject),
            solution_term(triple.predicate),
            solution_term(triple.object),
        )
        if limit is not None and len(graph) >= limit:
            if node not in graph:
                truncated = True
                break
            continue
        graph.add(node)  # type: ignore[arg-type]
    return QueryResult("CONSTRUCT", graph=graph, truncated=truncated)
