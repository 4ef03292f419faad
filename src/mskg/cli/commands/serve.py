"""mskg serve: a read-only SPARQL 1.1 Protocol endpoint with a query page."""

from __future__ import annotations

import argparse

EPILOG = """routes:
  /             a page to type a query or pick a named one, and see a table
  /sparql       SPARQL 1.1 Protocol (GET ?query=, POST application/sparql-query or form)
  /queries      the named queries (JSON); /queries/NAME?param=value runs one
  /graph        the interactive HTML graph

results: JSON (W3C SPARQL 1.1 Query Results JSON, default), XML, CSV, TSV by Accept or
  format=json|xml|csv|tsv; CONSTRUCT/DESCRIBE: Turtle (default), N-Triples, JSON-LD.

CORS: off. No web page from another origin may read the answers unless --cors names its origin
  (--cors http://localhost:3000, repeatable) or --cors '*' allows every page the user opens.

safety: read-only (UPDATE refused with 403; SERVICE, FROM, LOAD refused: no outbound request);
  each query runs in a worker process that is killed when it passes --timeout (503); a request
  waits at most --queue-timeout for a free worker (503); at most --max-rows rows or triples;
  request bodies over --max-request-bytes refused (413); a request must arrive whole within
  --request-read-timeout (idle connections too); a chunked or doubly framed body is refused
  and its connection closed; /queries/NAME takes only a name from /queries, never a path.
  Bound to 127.0.0.1 unless --host says otherwise.

workers: a client (one remote address) holds at most --per-client workers at once, its other
  requests wait; a worker that comes free goes to the waiting request whose client holds the
  fewest, the longest waiting first. After `mskg load` into the served store the workers reopen
  it together: once an answer comes from the new data, none comes from the old.

sparql:URL stores: --timeout stops this server's side only (the connection to the endpoint is
  closed, 504); the query goes on running on the endpoint. Give the endpoint its own limit
  (oxigraph serve --timeout-s N, Fuseki arq:queryTimeout), or put its per-request parameter in
  the URL: --store "sparql:http://host/sparql?timeout=10000" (Virtuoso, milliseconds).

examples:
  mskg serve
  mskg serve --store oxigraph:./big.oxigraph --timeout 10 --port 8000
"""


def register(parser: argparse.ArgumentParser) -> None:
    from mskg.cli.where import add_graph_argument
    from mskg.server.config import (
        DEFAULT_ANSWER_CACHE_BYTES,
        DEFAULT_HOST,
        DEFAULT_MAX_REQUEST_BYTES,
        DEFAULT_MAX_ROWS,
        DEFAULT_PORT,
        DEFAULT_REQUEST_READ_TIMEOUT,
        DEFAULT_TIMEOUT,
        DEFAULT_WORKERS,
        MIN_QUEUE_TIMEOUT,
    )
    from mskg.stores.spec import add_store_argument

    parser.epilog = EPILOG
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: 7878)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a query after this long (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--queue-timeout",
        type=float,
        metavar="SECONDS",
        help="how long a request waits for a free worker before 503 "
        f"(default: the larger of --timeout and {MIN_QUEUE_TIMEOUT:g})",
    )
    add_store_argument(parser)
    add_graph_argument(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        metavar="N",
        help=f"query worker processes (default: {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--per-client",
        type=int,
        metavar="N",
        help="workers one client (remote address) may hold at once "
        "(default: half of --workers, rounded up)",
    )
    parser.add_argument(
        "--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N", help="row cap per answer"
    )
    parser.add_argument(
        "--max-request-bytes",
        type=int,
        default=DEFAULT_MAX_REQUEST_BYTES,
        metavar="N",
        help="largest request body or query accepted",
    )
    parser.add_argument(
        "--request-read-timeout",
        type=float,
        default=DEFAULT_REQUEST_READ_TIMEOUT,
        metavar="SECONDS",
        help="time a client has to send a whole request, and to stay idle between requests "
        f"(default: {DEFAULT_REQUEST_READ_TIMEOUT:g})",
    )
    parser.add_argument(
        "--answer-cache",
        type=float,
        default=DEFAULT_ANSWER_CACHE_BYTES / (1 << 20),
        metavar="MB",
        help="megabytes of answers kept for repeated requests, per version of the store's data "
        f"(default: {DEFAULT_ANSWER_CACHE_BYTES >> 20}; 0 turns it off)",
    )
    parser.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages from ORIGIN (scheme://host[:port]; repeatable, or '*' for any) "
        "read the answers; default: no CORS headers",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.cli.where import graph_of_store
    from mskg.errors import UsageError
    from mskg.server.config import ServerConfig
    from mskg.server.http import serve

    if args.timeout <= 0 or args.workers < 1 or args.max_rows < 1:
        raise UsageError("--timeout, --workers and --max-rows must be positive")
    if args.queue_timeout is not None and args.queue_timeout <= 0:
        raise UsageError("--queue-timeout must be positive")
    if args.per_client is not None and args.per_client < 1:
        raise UsageError("--per-client must be positive")
    if args.request_read_timeout <= 0:
        raise UsageError("--request-read-timeout must be positive")
    if args.answer_cache < 0:
        raise UsageError("--answer-cache must be 0 (off) or more")
    # Chosen once, here: the workers are given the folder, so they never choose (or say) again.
    graph = graph_of_store(args.store, args.graph)
    serve(
        args.host,
        args.port,
        ServerConfig(
            store=args.store,
            graph_dir=None if graph is None else str(graph.path),
            timeout=args.timeout,
            workers=args.workers,
            per_client=args.per_client,
            max_rows=args.max_rows,
            max_request_bytes=args.max_request_bytes,
            queue_timeout=args.queue_timeout,
            cors=tuple(args.cors),
            request_read_timeout=args.request_read_timeout,
            answer_cache_bytes=int(args.answer_cache * (1 << 20)),
        ),
    )
    return 0
