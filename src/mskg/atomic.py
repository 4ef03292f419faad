"""Atomic file writes: readers see the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(
    path: Path | str,
    mode: str = "w",
    encoding: str | None = "utf-8",
    *,
    permissions: int | None = None,
    durable: bool = True,
    exclusive: bool = False,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` in one step.

    The file gets ``permissions``, by default those a plain ``open()`` would give a new file
    (0666 less the umask, usually rw-r--r--), not the private 0600 of the temporary file.
    ``durable=False`` skips the fsync, for a file whose loss in a crash costs nothing but a
    rebuild. ``exclusive=True`` never replaces ``path``: it raises :class:`FileExistsError` if
    ``path`` exists, also when it appeared while the file was being written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            if hasattr(os, "fchmod"):  # not on Windows, where the mode bits mean little
                os.fchmod(
                    handle.fileno(), 0o666 & ~_umask() if permissions is None else permissions
                )
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if exclusive:
            _link_exclusive(tmp, target)
            tmp.unlink()
        else:
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _link_exclusive(tmp: Path, target: Path) -> None:
    """Give the complete file ``tmp`` the name ``target`` too, unless ``target`` exists: a hard
    link is the one step that both checks and creates (``os.replace`` would overwrite)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        # No hard links on this file system: an exclusive create, still never overwriting.
        with tmp.open("rb") as source, target.open("xb") as copy:
            shutil.copyfileobj(source, copy)
        shutil.copymode(tmp, target)


def atomic_write(path: Path | str, data: str | bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; with ``exclusive``, only if ``path`` does not exist
    (else :class:`FileExistsError`)."""
    mode = "wb" if isinstance(data, bytes) else "w"
    with atomic_open(path, mode, exclusive=exclusive) as handle:
        handle.write(data)
