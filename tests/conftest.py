"""Shared fixtures: the real curated graph, loaded once, and paths built from this file."""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from rdflib import Graph

from mskg.graph.loader import graph_files, load_files
from mskg.prefixes import turtle_prefix_block
from mskg.stores import open_store
from mskg.stores.memory import MemoryStore

TESTS_DIR = Path(__file__).resolve().parent
REPO_DIR = TESTS_DIR.parent
GRAPH_DIR = REPO_DIR / "graph"
QUERIES_DIR = REPO_DIR / "queries"
SHARED_DIR = REPO_DIR.parent / "shared"


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The curated graph, loaded once per test session. Tests must not modify it.

    Files a developer imported locally (graph/imports/, ignored by git) are left out, so the
    suite tests the curated graph whatever has been imported on this machine.
    """
    return load_files(graph_files(GRAPH_DIR, exclude=("imports",)))


@pytest.fixture(scope="session")
def memory() -> MemoryStore:
    """The memory store on the curated graph, opened once. Tests must not modify it."""
    store = open_store("memory", GRAPH_DIR)
    assert isinstance(store, MemoryStore)
    return store


@pytest.fixture
def graph_copy(tmp_path: Path) -> Path:
    """A private copy of graph/ that a test may edit."""
    target = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, target, ignore=shutil.ignore_patterns("imports"))
    return target


@pytest.fixture(scope="session", autouse=True)
def _private_query_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point mskg's parsed-graph cache (mskg.graph.cache) at a session temp folder, never
    ~/.cache; and leave out a graph or queries folder the developer's environment names, so the
    suite reads the repository's (mskg.paths)."""
    folder = tmp_path_factory.mktemp("mskg-cache")
    names = ("MSKG_CACHE_DIR", "MSKG_NO_CACHE", "MSKG_GRAPH", "MSKG_QUERIES")
    saved = {key: os.environ.get(key) for key in names}
    os.environ["MSKG_CACHE_DIR"] = str(folder)
    for key in names[1:]:
        os.environ.pop(key, None)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def tree_digest(root: Path) -> str:
    """A hash of every file's path and bytes under ``root``: equal digests, untouched tree."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def write_extra(graph_dir: Path, body: str, name: str = "extra.ttl") -> Path:
    """Add a Turtle file to a graph copy's data folder, with mskg's usual prefixes declared."""
    path = graph_dir / "data" / name
    path.write_text(turtle_prefix_block() + body, encoding="utf-8")
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .")

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it receives."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
