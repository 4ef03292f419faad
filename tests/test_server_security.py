"""Attacks on the HTTP layer of ``mskg serve``, each against a real server on 127.0.0.1: they
must fail safely, and the legitimate use next to each must still work.

Requests that a client library would normalise or refuse (``..``, backslashes, two
Content-Length headers) go over raw sockets, byte for byte.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import re
import socket
import struct
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

import mskg.server.http
import mskg.server.pool
from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import UsageError
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer, make_server
from mskg.server.jobs import Job, answer
from mskg.stores import open_store
from test_server import DRUGS, TIMEOUT, fetch, q, running_mskg

#: The request-read time limit of the test server: short, so that trickling clients are cut
#: off within a test, and still long for a client on loopback sending a whole request.
READ_TIMEOUT = 2.0
#: A generous bound for anything the server should do "within READ_TIMEOUT".
PATIENCE = 15.0
PML = "/queries/drugs-with-pml-risk"


@pytest.fixture(scope="module")
def server() -> Iterator[MskgHTTPServer]:
    config = ServerConfig(timeout=TIMEOUT, workers=2, request_read_timeout=READ_TIMEOUT)
    with running_mskg(config) as running:
        yield running


def address(server: MskgHTTPServer) -> tuple[str, int]:
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    return "127.0.0.1", int(port)


def exchange(server: MskgHTTPServer, data: bytes) -> tuple[bytes, bool]:
    """Send ``data`` on a fresh connection and read until the server closes it: (everything
    received, whether the connection was closed within PATIENCE)."""
    received = b""
    with socket.create_connection(address(server), timeout=PATIENCE) as sock:
        sock.sendall(data)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(1 << 16)
            except TimeoutError:
                break
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
    return received, False


def responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The HTTP responses in ``data``, in order; nothing may be left over."""
    found = []
    while data:
        head, separator, rest = data.partition(b"\r\n\r\n")
        assert separator, f"not an HTTP response: {data[:200]!r}"
        status_line, *lines = head.decode("latin-1").split("\r\n")
        assert re.fullmatch(r"HTTP/1\.[01] \d{3} .*", status_line), status_line
        headers = {}
        for line in lines:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        found.append((int(status_line.split()[1]), headers, rest[:length]))
        data = rest[length:]
    return found


def get(target: str, *headers: str) -> bytes:
    """A raw GET request for ``target`` exactly as written (no normalisation); closes."""
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def assert_pml_query_works(server: MskgHTTPServer) -> None:
    status, _headers, body = fetch(server.url + PML)
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"]


# 1. /queries/NAME is a name, never a path ------------------------------------------------------


def file_lines(path: str) -> list[str]:
    """The lines of ``path`` (NUL-separated too, as in /proc/self/environ) long enough not to
    turn up in an error message by chance; none if unreadable."""
    try:
        if not Path(path).is_file():  # /dev/zero would never end
            return []
        with open(path, "rb") as file:
            text = file.read(1 << 20).decode("utf-8", "replace")
    except (OSError, ValueError):
        return []
    return [line for line in re.split(r"[\n\x00]", text) if len(line.strip()) >= 8]


HOSTILE_NAMES = [
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "%2Fetc%2Fshadow",
    "../../../../../../../etc/passwd",
    "..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "..\\..\\..\\..\\..\\..\\..\\etc\\passwd",
    "..%5C..%5C..%5Cetc%5Cpasswd",
    "/proc/self/environ",
    "/dev/zero",
    "%2Fdev%2Fzero",
    "drugs-with-pml-risk%00",
    "drugs-with-pml-risk%00.rq",
    "%2Fetc%2Fpasswd%00",
    "drugs-with-pml-risk.rq",
    "../queries/drugs-with-pml-risk",
    "./drugs-with-pml-risk",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_named_query_is_never_a_path(server: MskgHTTPServer, name: str) -> None:
    received, closed = exchange(server, get("/queries/" + name))
    [(status, _headers, body)] = responses(received)
    assert closed and status == 404, body
    text = body.decode("utf-8", "replace")
    assert text.startswith("unknown query") and "Traceback" not in text
    leaked = [line for line in file_lines(urllib.parse.unquote(name)) if line in text]
    assert leaked == []
    assert_pml_query_works(server)


def test_query_file_outside_the_folder_never_runs(server: MskgHTTPServer, tmp_path: Path) -> None:
    """A .rq file anywhere on the machine, holding a query that would succeed: not run."""
    planted = tmp_path / "planted.rq"
    planted.write_text('SELECT ?x WHERE { BIND("planted-answer" AS ?x) }\n', encoding="utf-8")
    status, _headers, _body = fetch(
        f"{server.url}/sparql?" + q(planted.read_text(encoding="utf-8"))
    )
    assert status == 200  # the query itself is fine...
    for target in (str(planted), urllib.parse.quote(str(planted), safe="")):
        received, _closed = exchange(server, get("/queries/" + target))
        [(status, _headers, body)] = responses(received)
        assert status == 404 and b"planted-answer" not in body  # ... but never as a name
    assert_pml_query_works(server)


def test_worker_also_takes_only_names() -> None:
    """The worker does its own lookup: a job naming a file does not open it."""
    store = open_store("memory", GRAPH_DIR)
    for name in ("/etc/passwd", "../../../../etc/passwd", "/proc/self/environ"):
        reply = answer(store, Job("named", name))
        assert reply.status == 404 and b"root:" not in reply.body, reply.body
    reply = answer(store, Job("named", "drugs-with-pml-risk", fmt="json"))
    assert reply.status == 200 and json.loads(reply.body)["results"]["bindings"]


def test_unknown_name_gets_closest_names(server: MskgHTTPServer) -> None:
    status, _headers, body = fetch(server.url + "/queries/drugs-with-pml")
    assert status == 404 and b"did you mean: drugs-with-pml-risk" in body
    status, _headers, body = fetch(server.url + "/queries/" + "x" * 5000)
    assert status == 404 and len(body) < 1000


# 2. CORS: off unless asked for -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 421),
        ("evil.example:7878", 421),
        ("127.0.0.1.evil.example", 421),
        ("localhost.evil.example", 421),
        ("", 421),
        ("localhost", 200),
        ("LOCALHOST:7878", 200),
        ("app.localhost:7878", 200),
        ("127.0.0.1:7878", 200),
        ("127.0.0.2", 200),
        ("[::1]:7878", 200),
    ],
)
def test_a_page_rebound_to_loopback_cannot_read_answers(
    server: MskgHTTPServer, host: str, status: int
) -> None:
    """DNS rebinding: a page whose domain now points at 127.0.0.1 sends its own Host."""
    request = f"GET {PML} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    received, _closed = exchange(server, request.encode())
    [(got, _headers, body)] = responses(received)
    assert got == status, body
    if status == 421:
        assert b"natalizumab" not in body


def test_a_request_without_host_is_answered(server: MskgHTTPServer) -> None:
    received, _closed = exchange(server, f"GET {PML} HTTP/1.0\r\n\r\n".encode())
    [(status, _headers, body)] = responses(received)
    assert status == 200 and b"natalizumab" in body


def preflight(server: MskgHTTPServer, origin: str) -> tuple[int, dict[str, str]]:
    received, _closed = exchange(
        server,
        (
            "OPTIONS /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Origin: {origin}\r\nAccess-Control-Request-Method: POST\r\n"
            "Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n"
        ).encode(),
    )
    [(status, headers, _body)] = responses(received)
    return status, headers


def test_no_cors_headers_by_default(server: MskgHTTPServer) -> None:
    for path in ("/sparql?" + q(DRUGS), PML, "/queries", "/", "/no-such-page"):
        _status, headers, _body = fetch(
            server.url + path, headers={"Origin": "https://evil.example"}
        )
        assert not [key for key in headers if key.lower().startswith("access-control-")], path
    status, headers = preflight(server, "https://evil.example")
    assert status == 204
    assert not [key for key in headers if key.startswith("access-control-")]
    status, _headers, body = fetch(f"{server.url}/sparql?" + q(DRUGS))  # same-origin use works
    assert status == 200 and json.loads(body)["results"]["bindings"]


def test_cors_for_named_origins() -> None:
    allowed = "http://localhost:3000"
    config = ServerConfig(workers=1, cors=(allowed, "HTTPS://App.Example/"))
    with running_mskg(config) as cors_server:
        url = f"{cors_server.url}/sparql?" + q(DRUGS)
        for origin in (allowed, "https://app.example"):
            status, headers, _body = fetch(url, headers={"Origin": origin})
            assert status == 200
            assert headers["Access-Control-Allow-Origin"] == origin
            assert (
                "Origin" in headers["Vary"]
                and "X-MSKG-Truncated" in (headers["Access-Control-Expose-Headers"])
            )
            status, headers = preflight(cors_server, origin)
            assert status == 204 and headers["access-control-allow-origin"] == origin
            assert "POST" in headers["access-control-allow-methods"]
        for origin in ("https://evil.example", "http://localhost:3001", "null"):
            status, headers, _body = fetch(url, headers={"Origin": origin})
            assert status == 200 and "Access-Control-Allow-Origin" not in headers
            assert "Origin" in headers["Vary"]
            status, headers = preflight(cors_server, origin)
            assert "access-control-allow-origin" not in headers


def test_cors_for_every_origin_only_when_asked() -> None:
    with running_mskg(ServerConfig(workers=1, cors=("*",))) as cors_server:
        status, headers, _body = fetch(
            f"{cors_server.url}/sparql?" + q(DRUGS), headers={"Origin": "https://any.example"}
        )
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        assert preflight(cors_server, "https://any.example")[1]["access-control-allow-origin"] == (
            "*"
        )


@pytest.mark.parametrize("origin", ["null", "localhost:3000", "http://host/path", "*.example"])
def test_cors_refuses_what_is_not_an_origin(origin: str) -> None:
    with pytest.raises(UsageError, match="not an origin"):
        make_server("127.0.0.1", 0, ServerConfig(workers=1, cors=(origin,))).server_close()


def test_serve_command_passes_cors_and_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[ServerConfig] = []
    monkeypatch.setattr(mskg.server.http, "serve", lambda _host, _port, config: seen.append(config))
    argv = ["serve", "--cors", "http://localhost:3000", "--cors", "https://a.example"]
    assert main([*argv, "--request-read-timeout", "5"]) == 0
    assert seen[0].cors == ("http://localhost:3000", "https://a.example")
    assert seen[0].request_read_timeout == 5
    assert main(["serve"]) == 0 and seen[1].cors == ()
    assert main(["serve", "--request-read-timeout", "0"]) != 0 and len(seen) == 2


# 3. Clients hanging up: no tracebacks ----------------------------------------------------------


def hang_up(server: MskgHTTPServer, data: bytes, reset: bool) -> None:
    """Send ``data`` and leave at once: with ``reset``, with an RST (SO_LINGER 0)."""
    sock = socket.create_connection(address(server), timeout=5)
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    try:
        sock.sendall(data)
    finally:
        sock.close()


def wait_for_threads(baseline: int) -> None:
    deadline = time.monotonic() + PATIENCE
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)


def test_clients_hanging_up_leave_no_traceback(
    server: MskgHTTPServer, capfd: pytest.CaptureFixture[str]
) -> None:
    assert fetch(server.url + "/graph")[0] == 200  # a large answer, drawn once and kept
    baseline = threading.active_count()
    whole = get("/graph")
    half = b"GET /sparql?" + q(DRUGS).encode() + b" HTTP/1.1\r\nHost: 12"
    attacks = [(data, reset) for data in (whole, get(PML), half) for reset in (True, False)]
    with concurrent.futures.ThreadPoolExecutor(10) as executor:
        list(executor.map(lambda i: hang_up(server, *attacks[i % len(attacks)]), range(60)))
    wait_for_threads(baseline)
    assert_pml_query_works(server)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "error handling request" not in err


def test_unexpected_error_is_one_line(
    server: MskgHTTPServer, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RuntimeError("drawing failed\n  on two lines")

    monkeypatch.setattr(server, "graph_page", broken)
    exchange(server, get("/graph"))
    monkeypatch.undo()
    assert_pml_query_works(server)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "error handling request" in line]
    assert len(lines) == 1
    assert re.fullmatch(
        r"mskg serve: error handling request from 127\.0\.0\.1:\d+: "
        r"RuntimeError: drawing failed on two lines",
        lines[0],
    )


def test_worker_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker (here in a thread of this process) answers 500 and logs one line."""

    def broken(_store: object, _job: Job) -> None:
        raise KeyError("no such thing")

    monkeypatch.setattr(mskg.server.pool, "answer", broken)
    parent, child = multiprocessing.Pipe()
    worker = threading.Thread(
        target=mskg.server.pool._worker_main, args=(child, "memory", str(GRAPH_DIR), 10.0)
    )
    worker.start()
    try:
        assert parent.poll(60) and parent.recv()[0] == "ready"
        parent.send(Job("sparql", DRUGS))
        assert parent.poll(30)
        reply = parent.recv()
    finally:
        parent.close()
        worker.join(10)
    assert reply.status == 500 and b"KeyError" in reply.body
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err.strip() == "mskg serve: query worker: internal error: KeyError: 'no such thing'"


# 4. No request smuggled after a framing error --------------------------------------------------

SMUGGLED = b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
ASK = b"ASK { ?s ?p ?o }"


def post(*headers: str) -> bytes:
    lines = ["POST /sparql HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/sparql-query"]
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (post("Transfer-Encoding: chunked") + SMUGGLED, 411),
        (
            post("Transfer-Encoding: chunked")
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED)
            + SMUGGLED,
            411,
        ),
        (post("Transfer-Encoding: gzip, chunked") + SMUGGLED, 411),
        (post(f"Content-Length: {len(ASK)}", "Content-Length: 0") + ASK + SMUGGLED, 400),
        (post("Content-Length: 0", f"Content-Length: {len(ASK)}") + ASK + SMUGGLED, 400),
        (post(f"Content-Length: {len(ASK)}", f"Content-Length: {len(ASK)}") + ASK + SMUGGLED, 400),
        (post(f"Content-Length: {len(ASK)}", "Transfer-Encoding: chunked") + ASK + SMUGGLED, 400),
        (post(f"Content-Length: +{len(ASK)}") + ASK + SMUGGLED, 400),
        (post("Content-Length: 1_6") + ASK + SMUGGLED, 400),
        # A body where none is read: answered, then closed before the body could be a request.
        (
            get("/sparql?" + q(DRUGS)).replace(
                b"Connection: close", f"Content-Length: {len(SMUGGLED)}".encode()
            )
            + SMUGGLED,
            200,
        ),
        (post(f"Content-Length: {len(SMUGGLED)}").replace(b"/sparql", b"/queries") + SMUGGLED, 405),
    ],
)
def test_no_second_request_after_a_framing_error(
    server: MskgHTTPServer, data: bytes, status: int
) -> None:
    received, closed = exchange(server, data)
    found = responses(received)
    assert [got for got, _headers, _body in found] == [status], received[:500]
    assert closed and found[0][1].get("connection") == "close"


def test_well_framed_requests_keep_the_connection(server: MskgHTTPServer) -> None:
    keep = get("/queries").replace(b"Connection: close", b"Connection: keep-alive")
    data = post(f"Content-Length: {len(ASK)}") + ASK + keep + get(PML)
    received, closed = exchange(server, data)
    found = responses(received)
    assert closed and [status for status, _headers, _body in found] == [200, 200, 200]
    assert json.loads(found[0][2]) == {"head": {}, "boolean": True}


# 5. A request must arrive whole within its time ------------------------------------------------


def trickle(server: MskgHTTPServer, head: bytes, drip: bytes) -> float | None:
    """Send ``head``, then ``drip`` every 0.5 s: seconds until the server closes the
    connection, or None if it still holds it after PATIENCE."""
    started = time.monotonic()
    with socket.create_connection(address(server), timeout=0.5) as sock:
        sock.sendall(head)
        while time.monotonic() - started < PATIENCE:
            try:
                if drip:
                    sock.sendall(drip)
                if sock.recv(1 << 16) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                continue
            except OSError:  # reset: closed too
                return time.monotonic() - started
    return None


SLOW_CLIENTS = {
    "request line": (b"GET /queries?", b"a"),
    "headers": (b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ", b"a"),
    "body": (post("Content-Length: 100000"), b"a"),
    "idle keep-alive": (get("/queries").replace(b"close", b"keep-alive"), b""),
}


def test_slow_clients_are_cut_off_while_others_are_served(server: MskgHTTPServer) -> None:
    with concurrent.futures.ThreadPoolExecutor(len(SLOW_CLIENTS)) as executor:
        futures = {
            name: executor.submit(trickle, server, head, drip)
            for name, (head, drip) in SLOW_CLIENTS.items()
        }
        time.sleep(0.5)
        assert_pml_query_works(server)  # served while the slow ones hold their connections
        held = {name: future.result() for name, future in futures.items()}
    assert all(seconds is not None and seconds < PATIENCE for seconds in held.values()), held
    assert_pml_query_works(server)


# 6. XML results stay well-formed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value", "in_xml"),
    [
        ("a\x01b", "a\x01b", "a\ufffdb"),  # a real control character in the query text
        ("a\\u0001b\\u000Bc", "a\x01b\x0bc", "a\ufffdb\ufffdc"),  # SPARQL escapes
        ("a\\uFFFEb\\uFFFFc", "a\ufffeb\uffffc", "a\ufffdb\ufffdc"),
        ("t\\tl\\nc\\r<&>", "t\tl\nc\r<&>", "t\tl\nc\r<&>"),  # allowed: kept as they are
    ],
)
def test_xml_results_are_well_formed(
    server: MskgHTTPServer, literal: str, value: str, in_xml: str
) -> None:
    text = f'SELECT ?x WHERE {{ BIND("{literal}" AS ?x) }}'
    status, headers, body = fetch(f"{server.url}/sparql?" + q(text) + "&format=xml")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    assert [node.text for node in ET.fromstring(body).iter(f"{namespace}literal")] == [in_xml]
    status, _headers, body = fetch(f"{server.url}/sparql?" + q(text) + "&format=json")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == value
