"""The files the query page loads: a fixed allow-list under ``static/``, never a path from a URL.

``/static/<name>`` answers only the names of :data:`STATIC_FILES`; the name is looked up, never
joined to a directory, so ``..``, encoded dots, absolute paths or a symlink planted in the folder
cannot reach another file (the server had a file-disclosure hole once). The vendored editor sits
under a versioned name (``yasqe-4.6.2/...``) and may be cached for a year; the page's own files
change with the package and are revalidated.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

#: Where the files are, inside the package (shipped in the wheel with the package's modules).
STATIC_DIR = Path(__file__).parent / "static"

#: The vendored YASQE (see static/vendor/yasqe/VERSION and tools/vendor-yasqe.sh).
YASQE_VERSION = "4.6.2"
_YASQE_URL = f"yasqe-{YASQE_VERSION}"

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class StaticFile:
    path: str  # relative to STATIC_DIR
    content_type: str
    versioned: bool  # whether its URL changes with its content (then cached for long)


#: URL name (after ``/static/``) -> the file. Nothing else is ever served.
STATIC_FILES: dict[str, StaticFile] = {
    f"{_YASQE_URL}/yasqe.min.js": StaticFile("vendor/yasqe/yasqe.min.js", _JS, True),
    f"{_YASQE_URL}/yasqe.min.css": StaticFile("vendor/yasqe/yasqe.min.css", _CSS, True),
    f"{_YASQE_URL}/LICENSE": StaticFile("vendor/yasqe/LICENSE", _TEXT, True),
    f"{_YASQE_URL}/LICENSE.codemirror": StaticFile("vendor/yasqe/LICENSE.codemirror", _TEXT, True),
    f"{_YASQE_URL}/VERSION": StaticFile("vendor/yasqe/VERSION", _TEXT, True),
    "workbench.js": StaticFile("workbench.js", _JS, False),
    "workbench.css": StaticFile("workbench.css", _CSS, False),
}

_LONG_CACHE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


class StaticRefused(LookupError):
    """A name that is not on the allow-list, or a listed file that is not a plain file inside
    :data:`STATIC_DIR` (a symlink, a folder, missing)."""


@dataclass(frozen=True)
class StaticAnswer:
    body: bytes
    content_type: str
    headers: dict[str, str]


def static_file(name: str, root: Path = STATIC_DIR) -> StaticAnswer:
    """The file listed as ``name`` in :data:`STATIC_FILES`, read from ``root``; raises
    :class:`StaticRefused` for any other name, and for a listed file that is a symlink or lies
    outside ``root`` once resolved."""
    entry = STATIC_FILES.get(name)
    if entry is None:
        raise StaticRefused(name)
    body, etag = _read(root, entry.path)
    headers = {"Cache-Control": _LONG_CACHE if entry.versioned else _REVALIDATE, "ETag": etag}
    return StaticAnswer(body, entry.content_type, headers)


@functools.lru_cache(maxsize=32)
def _read(root: Path, relative: str) -> tuple[bytes, str]:
    """The file's bytes and its ETag, read and hashed once per process."""
    base = root.resolve()
    file = base / relative
    # Every component is checked: a symlinked folder would lead out as well as a symlinked file.
    walked = base
    for part in Path(relative).parts:
        walked = walked / part
        if walked.is_symlink():
            raise StaticRefused(relative)
    if not file.resolve().is_relative_to(base) or not file.is_file():
        raise StaticRefused(relative)
    body = file.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def static_url(name: str) -> str:
    """The URL path of a listed file, for the page."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return f"/static/{name}"


YASQE_JS = static_url(f"{_YASQE_URL}/yasqe.min.js")
YASQE_CSS = static_url(f"{_YASQE_URL}/yasqe.min.css")
