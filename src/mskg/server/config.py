"""The endpoint's settings and their defaults."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mskg.errors import UsageError

DEFAULT_HOST = "127.0.0.1"


DEFAULT_PORT = 7878


DEFAULT_TIMEOUT = 30.0


DEFAULT_WORKERS = 4


DEFAULT_MAX_ROWS = 10_000


DEFAULT_MAX_REQUEST_BYTES = 1 << 20


#: Bytes of answer bodies kept for repeated requests (:mod:`mskg.server.cache`).
DEFAULT_ANSWER_CACHE_BYTES = 64 << 20


#: Seconds a client has to send a whole request (line, headers, body), from when the server
#: starts waiting for it: a keep-alive connection idles at most this long between requests.
DEFAULT_REQUEST_READ_TIMEOUT = 30.0


#: After refusing a badly framed body, how long (and how many bytes) the server keeps reading
#: and dropping what the client still sends before closing: closing a socket with unread input
#: sends a reset, which can destroy the error answer before the client reads it.
LINGER_SECONDS = 1.0


LINGER_BYTES = 1 << 20


#: The shortest wait for a free worker (``queue_timeout`` defaults to max(timeout, this)).
MIN_QUEUE_TIMEOUT = 10.0


#: Connections the kernel queues before the server accepts them (``listen`` backlog).
LISTEN_BACKLOG = 64


#: A ``sparql:`` store's HTTP timeout, as a share of ``--timeout``: the worker gives up on the
#: endpoint (and closes the connection) just before the pool would kill it.
UPSTREAM_TIMEOUT_SHARE = 0.9


#: A graph page is drawn only for stores up to this many triples.
GRAPH_PAGE_MAX_TRIPLES = 50_000


@dataclass
class ServerConfig:
    store: str = "memory"
    graph_dir: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    workers: int = DEFAULT_WORKERS
    max_rows: int = DEFAULT_MAX_ROWS
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    queue_timeout: float | None = None  # default: max(timeout, MIN_QUEUE_TIMEOUT)
    #: Workers one client (remote address) may hold at once; default: half of them, rounded up.
    per_client: int | None = None
    #: Origins whose web pages may read the answers (CORS): none by default, ``("*",)`` any.
    cors: tuple[str, ...] = ()
    request_read_timeout: float = DEFAULT_REQUEST_READ_TIMEOUT
    #: Bytes of answers kept for repeated requests; 0 turns the answer cache off.
    answer_cache_bytes: int = DEFAULT_ANSWER_CACHE_BYTES


_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/?#@]+")


def cors_origins(values: Sequence[str]) -> tuple[str, ...]:
    """``--cors`` values (each one origin, or several separated by commas) checked and made
    lower case as browsers send them: ``*``, or origins like ``http://localhost:3000``."""
    origins: list[str] = []
    for value in values:
        for item in value.replace(",", " ").split():
            origin = item.lower().rstrip("/")
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise UsageError(
                    f"--cors {item!r} is not an origin: give '*' or scheme://host[:port], "
                    "such as http://localhost:3000 (no path)"
                )
            origins.append(origin)
    return tuple(dict.fromkeys(origins))
