"""A cache of the parsed graph, so that ``mskg query`` does not re-parse Turtle on every run.

The cache holds the graph that :func:`mskg.graph.loader.load_graph` built (or its inference
closure) as N-Triples, one file per graph folder and variant: a format that is only ever parsed,
never executed, so a planted entry cannot run code. Its first line is a comment with the entry's
format, the SHA-256 of the rest and the prefix bindings; an entry whose digest does not match
(truncated, edited) is a miss. The file name carries a fingerprint of every file the loader reads:
resolved path, size, modification time, inode and the SHA-256 of its bytes, plus the versions of
mskg, rdflib and Python. Editing, adding or removing any of those files changes the fingerprint,
so a stale entry is never read; the next run rebuilds it and deletes the old one.

Where: ``$MSKG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mskg``, else ``~/.cache/mskg``.
``MSKG_NO_CACHE=1`` turns the cache off. The folder is created private to the user (mode 0700),
and a folder or entry that is not owned by the user, or that others may write, is never read nor
written (one warning line on stderr): anyone who can write there could change the answers.
Entries are written atomically (temporary file, then ``os.replace``), so concurrent runs see a
whole entry or none. An entry that cannot be read for any reason is ignored and rebuilt; a cache
folder that cannot be written is ignored too. Temporary files left by a run that was killed
mid-write are deleted once they are an hour old.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import rdflib
from rdflib import Graph

from mskg import __version__
from mskg.graph.loader import graph_files, load_files
from mskg.graph.terms import from_oxigraph
from mskg.paths import default_graph_dir

#: Bumped whenever the layout of a cache entry or of its fingerprint changes.
CACHE_FORMAT = 3


#: Suffix of a cache entry.
ENTRY_SUFFIX = ".nt"


_HEADER = b"# mskg-cache "


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
    entry = folder / f"{prefix}{fingerprint(files, variant)[:32]}{ENTRY_SUFFIX}"
    trusted = _trusted(folder)
    graph = _read(entry) if trusted else None
    if graph is not None:
        return graph
    graph = build()
    if trusted is not False:  # None: the folder does not exist yet, _write makes it private
        _write(entry, graph, prefix)
    return graph


def _trusted(path: Path) -> bool | None:
    """Whether ``path`` may be read as the user's own: owned by the user, writable by nobody
    else. None if it does not exist. Warns once on stderr when it may not."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError:
        return False
    getuid = getattr(os, "getuid", None)
    foreign = getuid is not None and info.st_uid != getuid()
    if foreign or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        who = "another user owns it" if foreign else "others may write to it"
        print(f"mskg: not using the cache at {path}: {who}", file=sys.stderr)
        return False
    return True


def _read(entry: Path) -> Graph | None:
    """The graph of a cache entry, or None if it is missing, not the user's own, or damaged.

    Read by pyoxigraph's N-Triples parser into rdflib terms, literals as written, as the loader
    reads graph files (:mod:`mskg.graph.terms`).
    """
    try:
        with entry.open("rb") as handle:
            if not _trusted_handle(handle.fileno()):
                return None
            header = handle.readline()
            body = handle.read()
    except OSError:
        return None
    if not header.startswith(_HEADER):
        return None
    import pyoxigraph

    try:
        meta = json.loads(header[len(_HEADER) :])
        if meta["format"] != CACHE_FORMAT or meta["sha256"] != hashlib.sha256(body).hexdigest():
            return None
        graph = Graph(bind_namespaces="core")
        add = graph.add
        for triple in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES):
            add(
                (
                    from_oxigraph(triple.subject),
                    from_oxigraph(triple.predicate),
                    from_oxigraph(triple.object),
                )
            )
        for name, namespace in meta["prefixes"].items():
            graph.bind(name, namespace, override=True, replace=True)
    except Exception:  # a foreign or incompatible entry: rebuild it
        return None
    return graph


def _trusted_handle(fd: int) -> bool:
    """An open entry is read only if the user owns it and nobody else may write to it (checked
    on the open file, so that it cannot be swapped between the check and the read)."""
    info = os.fstat(fd)
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(entry: Path, graph: Graph, prefix: str) -> None:
    # Atomic but not fsync'ed: after a crash an entry may be missing or truncated, and _read
    # treats both as a miss (the digest does not match). Private to the user, as its folder.
    from mskg.atomic import atomic_open

    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(entry.parent):
            return
        body = graph.serialize(format="nt", encoding="utf-8")
        meta = {
            "format": CACHE_FORMAT,
            "sha256": hashlib.sha256(body).hexdigest(),
            "prefixes": {name: str(namespace) for name, namespace in graph.namespaces()},
        }
        with atomic_open(entry, "wb", permissions=0o600, durable=False) as handle:
            handle.write(_HEADER + json.dumps(meta, sort_keys=True).encode() + b"\n" + body)
    except (OSError, ValueError):
        return  # an unwritable cache is no reason to fail a query
    _prune(entry, prefix)


def _prune(entry: Path, prefix: str) -> None:
    """Delete the stale entries of ``entry``'s folder and variant, and orphaned temporary files."""
    import time

    for old in entry.parent.glob(f"{prefix}*{ENTRY_SUFFIX}"):
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
    for entry in folder.glob(f"graph-*{ENTRY_SUFFIX}"):
        entry.unlink(missing_ok=True)
        removed += 1
    return removed
