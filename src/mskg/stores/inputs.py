"""Reading RDF files for a load: checks, decompression and progress."""

from __future__ import annotations

import contextlib
import gzip
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from mskg.errors import GraphLoadError
from mskg.graph.files import FileTriples
from mskg.graph.formats import load_format
from mskg.graph.safety import UNSAFE_FORMATS, refuse_unsafe_input
from mskg.graph.sssom import is_mapping_file
from mskg.graph.syntax import oxigraph_syntax_error

#: Files larger than this get a progress bar even when stderr is not a terminal.
PROGRESS_MIN_BYTES = 50 * 1024 * 1024


def check_files(files: Sequence[Path | str]) -> list[Path]:
    """The files as paths, once each exists, has a known type and passes the loader's
    :func:`mskg.graph.safety.refuse_unsafe_input`, before the store is touched. A mapping set
    (``*.sssom.tsv``) is read in full here: a bad row is refused before the store changes."""
    import zlib

    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise GraphLoadError(path, "no such file")
        if is_mapping_file(path):
            mapping_triples(path)
            continue
        fmt, _compressed = load_format(path)
        if fmt not in UNSAFE_FORMATS:
            continue
        try:
            with open_rdf(path, False) as handle:
                refuse_unsafe_input(path, fmt, handle)
        except (OSError, EOFError, zlib.error) as exc:
            raise GraphLoadError(path, f"cannot read: {exc}") from exc
    return paths


def mapping_triples(path: Path) -> list[Any]:
    """The triples of a mapping set (pyoxigraph quads in the default graph), as the loader reads
    them: stores load a graph folder's ``*.sssom.tsv`` through this, not through a parser."""
    return list(FileTriples(path))


def show_progress(paths: Iterable[Path], progress: bool | None) -> bool:
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
def open_rdf(path: Path, progress: bool) -> Iterator[IO[bytes]]:
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


def load_syntax_error(path: Path, exc: SyntaxError) -> GraphLoadError:
    """pyoxigraph's error at file:line:column, placed as the loader places it (which reads the
    file again), so that ``mskg load`` and ``mskg validate`` name the same position."""
    import zlib

    try:
        with open_rdf(path, False) as source:
            return oxigraph_syntax_error(path, exc, source)
    except (OSError, EOFError, zlib.error):  # changed or damaged since: the parser's position
        return oxigraph_syntax_error(path, exc)
