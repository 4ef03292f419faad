"""A cache of the parsed graph, so that ``mskg query`` does not re-parse Turtle on every run.

The cache holds a pickle of the rdflib graph that :func:`mskg.loader.load_graph` built (or of its
inference closure), one file per graph folder and variant. Its name carries a fingerprint of every
file the loader reads: resolved path, size, modification time, inode and the SHA-256 of its bytes,
plus the versions of mskg, rdflib and Python. Editing, adding or removing any of those files
changes the fingerprint, so a stale entry is never read (even after a rewrite that keeps the size
and the modification time); the next run rebuilds it and deletes the old one. Hashing costs about
a millisecond for the curated graph (~150 KB), against ~100 ms to parse it.

Where: ``$MSKG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mskg``, else ``~/.cache/mskg``.
``MSKG_NO_CACHE=1`` turns the cache off. Entries are written atomically (temporary file, then
``os.replace``), so concurrent runs see a whole entry or none. A cache file that cannot be read
for any reason is ignored and rebuilt; a cache folder that cannot be written is ignored too.
Temporary files left by a run that was killed mid-write are deleted once they are an hour old.

The cache folder is created private to the user (mode 0700): pickles are only ever read from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import rdflib
from rdflib import Graph

from mskg import __version__
from mskg.loader import graph_files, load_files
from mskg.paths import default_graph_dir

#: Bumped whenever the layout of a cache entry or of its fingerprint changes.
CACHE_FORMAT = 2

#: A temporary file older than this (seconds) is left over from a killed run, and deleted.
ORPHAN_AGE = 3600.0

_TRUE = {"1", "true", "yes", "on"}


def cache_dir() -> Path | None:
    """The folder cache entries live in, or ``None`` if caching is turned off."""
    if os.environ.get("MSKG_NO_CACHE", "").strip().lower() in _TRUE:
        return None
    explicit = os.environ.get("MSKG_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "mskg"


def fingerprint(files: list[Path], variant: str) -> str:
    """A digest that changes whenever any of ``files`` (or the software reading them) changes."""
    entries = []
    for file in files:
        st = file.stat()
        digest = _file_digest(file)
        entries.append([str(file.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, digest])
    payload = {
        "format": CACHE_FORMAT,
        "mskg": __version__,
        "rdflib": rdflib.__version__,
        "python": list(sys.version_info[:2]),
        "variant": variant,
        "files": entries,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _file_digest(file: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry_prefix(root: Path, variant: str) -> str:
    folder = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return f"graph-{folder}-{variant}-"


def cached_graph(
    path: Path | str | None = None,
    *,
    variant: str = "asserted",
    transform: Callable[[Graph], Graph] | None = None,
    use_cache: bool = True,
) -> Graph:
    """The graph at ``path`` (default: the curated graph), from the cache when it is fresh.

    ``transform`` turns the loaded graph into the variant (for example its OWL-RL closure);
    ``variant`` names it in the cache. With ``use_cache=False`` or ``MSKG_NO_CACHE=1`` this is
    ``transform(load_graph(path))``.
    """
    root = Path(path) if path is not None else default_graph_dir()
    files = graph_files(root)
    folder = cache_dir() if use_cache else None

    def build() -> Graph:
        graph = load_files(files)
        return transform(graph) if transform is not None else graph

    if folder is None:
        return build()

    prefix = _entry_prefix(root, variant)
    entry = folder / f"{prefix}{fingerprint(files, variant)[:32]}.pickle"
    graph = _read(entry)
    if graph is not None:
        return graph
    graph = build()
    _write(entry, graph, prefix)
    return graph


def _keep_lexical_forms() -> None:
    """The loader's policy, applied on a cache hit as on a parse, so that either way the process
    ends up in the same state: rdflib keeps literals as written ("PT24H" stays "PT24H").

    :func:`mskg.loader.load_files` sets this global on every load, and leaves it set, on purpose
    (pySHACL resets it; literals built while answering a query must not be rewritten either).
    Unpickling rebuilds each literal through ``Literal()``, so it must be set before reading.
    """
    rdflib.NORMALIZE_LITERALS = False


def _read(entry: Path) -> Graph | None:
    _keep_lexical_forms()
    try:
        with entry.open("rb") as handle:
            graph = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated, foreign or incompatible entry: rebuild it
        return None
    return graph if isinstance(graph, Graph) else None


def _write(entry: Path, graph: Graph, prefix: str) -> None:
    # Atomic (temporary file, then os.replace) but not fsync'ed: after a crash an entry may be
    # missing or truncated, and _read treats both as a miss. Durability is not worth the time.
    import tempfile

    tmp: Path | None = None
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)
        fd, name = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=entry.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, entry)
        tmp = None
    except (OSError, pickle.PicklingError, RecursionError):
        return  # an unwritable cache is no reason to fail a query
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    _prune(entry, prefix)


def _prune(entry: Path, prefix: str) -> None:
    """Delete the stale entries of ``entry``'s folder and variant, and orphaned temporary files."""
    import time

    for old in entry.parent.glob(f"{prefix}*.pickle"):
        if old != entry:
            old.unlink(missing_ok=True)
    cutoff = time.time() - ORPHAN_AGE
    for tmp in entry.parent.glob(".graph-*.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            continue  # gone already, or not ours to delete


def clear_cache() -> int:
    """Delete every cache entry; return how many were removed."""
    folder = cache_dir()
    if folder is None or not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.glob("graph-*.pickle"):
        entry.unlink(missing_ok=True)
        removed += 1
    return removed
