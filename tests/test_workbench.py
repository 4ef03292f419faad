"""The query page of ``mskg serve`` over HTTP: its static files (the vendored YASQE, checked
against its recorded sha256), refusals of every path that is not on the allow-list (``..``,
encoded dots, absolute paths, symlinks), ``/graph`` on the nodes of an answer or around a
focus, and the ``# group:`` header of the named queries."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO_DIR
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer
from mskg.server.static import STATIC_DIR, STATIC_FILES, StaticRefused, static_file
from mskg.sparql.named import QUERY_GROUPS, list_queries, parse_header
from test_server import fetch, running_mskg

R = "https://w3id.org/mskg/resource/"
VENDOR = STATIC_DIR / "vendor" / "yasqe"


@pytest.fixture(scope="module")
def server() -> Iterator[MskgHTTPServer]:
    with running_mskg(ServerConfig(timeout=60, workers=2, max_rows=500)) as running:
        yield running


def raw_get(server: MskgHTTPServer, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as written (no client-side normalisation)."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def embedded_data(page: bytes) -> dict:
    match = re.search(rb'<script [^>]*id="mskg-data"[^>]*>(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


# The page and its files -----------------------------------------------------------------------


def test_page_loads_the_vendored_editor_from_this_server(server: MskgHTTPServer) -> None:
    for path in ("/", "/sparql"):
        status, headers, body = fetch(server.url + path)
        assert status == 200
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "connect-src 'self'" in policy
        assert "unsafe-eval" not in policy and "script-src 'unsafe-inline'" not in policy
        sources = re.findall(rb'(?:src|href)="([^"]+)"', body)
        scripts = re.findall(rb'<script src="([^"]+)"', body)
        assert scripts == [b"/static/yasqe-4.6.2/yasqe.min.js", b"/static/workbench.js"]
        # every file the page names is this server's, or an empty data: icon
        assert all(s.startswith(b"/") or s == b"data:," for s in sources), sources
        # no inline script to run: only the JSON data block
        assert len(re.findall(rb"<script", body)) == 3
    data = embedded_data(body)
    assert data["prefixes"]["mskr"] == R
    assert data["groups"] == list(QUERY_GROUPS)


def test_vendored_files_match_their_recorded_sha256() -> None:
    recorded = dict(
        reversed(line.split())
        for line in (VENDOR / "VERSION").read_text().splitlines()
        if re.fullmatch(r"[0-9a-f]{64}  \S+", line)
    )
    assert set(recorded) == {"yasqe.min.js", "yasqe.min.css", "LICENSE", "LICENSE.codemirror"}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    script = (REPO_DIR / "tools" / "vendor-yasqe.sh").read_text()
    assert recorded["yasqe.min.js"] in script and recorded["yasqe.min.css"] in script
    assert "@zazuko/yasqe@4.6.2" in script
    assert "MIT License" in (VENDOR / "LICENSE").read_text()


def test_static_files_served_with_their_cache_rules(server: MskgHTTPServer) -> None:
    status, headers, body = fetch(server.url + "/static/yasqe-4.6.2/yasqe.min.js")
    assert status == 200 and body == (VENDOR / "yasqe.min.js").read_bytes()
    assert headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in headers["Cache-Control"]  # versioned URL
    status, headers, body = fetch(server.url + "/static/workbench.js")
    assert status == 200 and body == (STATIC_DIR / "workbench.js").read_bytes()
    assert headers["Cache-Control"] == "no-cache"  # same URL across versions: revalidated
    status, headers, body = fetch(
        server.url + "/static/workbench.js", headers={"If-None-Match": headers["ETag"]}
    )
    assert status == 304 and body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/static/../page.py",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/page.py",
        "/static/%2E%2E%2Fpage.py",
        "/static/yasqe-4.6.2/..%2f..%2fpage.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/vendor/yasqe/yasqe.min.js",  # a real file, but not a name on the list
        "/static/workbench.js%00.py",
        "/static/",
        "/static/.",
        "/static/yasqe-4.6.2/",
    ],
)
def test_paths_off_the_allow_list_are_refused(server: MskgHTTPServer, path: str) -> None:
    status, body = raw_get(server, path)
    assert status == 404
    assert b"import" not in body and b"root:" not in body


def test_a_symlink_on_the_allow_list_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    root = tmp_path / "static"
    (root / "vendor").mkdir(parents=True)
    (root / "workbench.js").symlink_to(secret)
    with pytest.raises(StaticRefused):
        static_file("workbench.js", root)
    # a symlinked folder leads out as well
    (root / "vendor" / "yasqe").symlink_to(tmp_path)
    (tmp_path / "yasqe.min.js").write_text("secret")
    with pytest.raises(StaticRefused):
        static_file("yasqe-4.6.2/yasqe.min.js", root)
    # and the real file, once it is one, is served
    (root / "workbench.js").unlink()
    (root / "workbench.js").write_text("ok")
    assert static_file("workbench.js", root).body == b"ok"
    assert "workbench.js" in STATIC_FILES


def test_the_wheel_ships_every_static_file() -> None:
    """hatchling builds the wheel from ``src/mskg`` minus what git ignores: every listed file
    must be in the checkout's package folder and ignored by no rule (checked by git itself), and
    in the package these tests import (the built wheel, where it is installed, as in CI)."""
    import shutil
    import subprocess

    pyproject = (REPO_DIR / "pyproject.toml").read_text()
    assert 'packages = ["src/mskg"]' in pyproject
    paths = [entry.path for entry in STATIC_FILES.values()]
    assert all((STATIC_DIR / path).is_file() for path in paths)
    checkout = REPO_DIR / "src" / "mskg" / "server" / "static"
    files = [checkout / path for path in paths]
    assert all(f.is_file() for f in files)
    if shutil.which("git") is None or not (REPO_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *map(str, files)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored.stdout == "", ignored.stdout


# /graph on the nodes of an answer ------------------------------------------------------------


def graph_nodes(body: bytes) -> set[str]:
    return {node["id"] for node in embedded_data(body)["nodes"]}


def test_graph_on_exactly_the_nodes_asked_for(server: MskgHTTPServer) -> None:
    query = urllib.parse.urlencode(
        [("node", R + "natalizumab"), ("node", "mskr:pml"), ("node", R + "ocrelizumab")]
    )
    status, headers, body = fetch(f"{server.url}/graph?{query}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert graph_nodes(body) == {R + "natalizumab", R + "pml", R + "ocrelizumab"}
    edges = embedded_data(body)["edges"]
    assert edges  # natalizumab -> PML is drawn between them
    # a focus with hops draws a neighbourhood: more than the node
    status, _, body = fetch(f"{server.url}/graph?focus=mskr:natalizumab&hops=1")
    assert status == 200
    around = graph_nodes(body)
    assert {R + "natalizumab", R + "pml"} <= around and len(around) > 10


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("node=javascript:alert(1)", b"is not an IRI"),
        ("node=https://example.org/a%20b", b"is not an IRI"),
        ("node=%3Chttps://example.org/%3E%22x", b"is not an IRI"),
        ("node=mskr:natalizumab&focus=mskr:pml", b"not both"),
        ("focus=natalizumab&hops=9", b"hops must be"),
        ("focus=natalizumab&hops=-1", b"hops must be"),
        ("hops=2", b"hops needs a focus"),
        ("colour=red", b"not colour"),
        ("&".join(f"node=mskr:n{i}" for i in range(501)), b"at most 500"),
    ],
)
def test_bad_graph_parameters_are_400(server: MskgHTTPServer, query: str, message: bytes) -> None:
    status, _, body = fetch(f"{server.url}/graph?{query}")
    assert status == 400 and message in body and b"Traceback" not in body


def test_graph_of_nodes_not_in_the_graph(server: MskgHTTPServer) -> None:
    status, _, body = fetch(f"{server.url}/graph?node=https://example.org/nothing")
    assert status == 404 and b"none of the nodes" in body
    status, _, body = fetch(f"{server.url}/graph?focus=natalizumb")
    assert status == 404 and b"natalizumab" in body  # the closest name


# # group: headers --------------------------------------------------------------------------


def test_every_named_query_has_a_known_group(server: MskgHTTPServer) -> None:
    queries = list_queries()
    assert queries
    for query in queries:
        assert query.header.group in QUERY_GROUPS, (query.name, query.header.group)
    # each group holds a query, so the picker has no empty heading
    assert {q.header.group for q in queries} == set(QUERY_GROUPS)
    _, _, body = fetch(server.url + "/queries")
    listed = {item["name"]: item["group"] for item in json.loads(body)}
    assert listed == {q.name: q.header.group for q in queries}
    assert listed["drugs-with-effect"] == "adverse effects"
    assert listed["dosing-schedules"] == "dosing and monitoring"


def test_group_header_parse() -> None:
    header = parse_header(
        "# title: T\n# group:  Adverse   Effects\n# description: D\n#   more\nSELECT * {}"
    )
    assert (header.title, header.group, header.description) == ("T", "adverse effects", "D more")
    assert parse_header("# title: T\nSELECT * {}").group == ""


def test_queries_readme_documents_the_groups() -> None:
    readme = (REPO_DIR / "queries" / "README.md").read_text()
    assert "# group:" in readme
    for group in QUERY_GROUPS:
        assert f"`{group}`" in readme
