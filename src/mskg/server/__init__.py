"""``mskg serve``: a read-only SPARQL 1.1 Protocol endpoint, safe to leave running.

Routes::

    GET  /                  a page to type a query (or pick a named one) and see a table
    GET  /sparql?query=...  SPARQL 1.1 Protocol query via GET
    POST /sparql            query via POST (application/sparql-query, or form-encoded query=)
    GET  /queries           the named queries (JSON: name, title, description, params, text)
    GET  /queries/NAME      run a named query; other URL parameters bind its header parameters
    GET  /graph             the interactive HTML graph (as ``mskg viz`` draws it)

Results are content-negotiated (``Accept``, or ``format=json|xml|csv|tsv|ttl|nt|jsonld``):
W3C SPARQL 1.1 Query Results JSON (default), XML, CSV and TSV for SELECT and ASK; Turtle
(default), N-Triples or JSON-LD for CONSTRUCT and DESCRIBE. In XML, a character XML 1.0 does not
allow (a C0 control other than tab, LF and CR; U+FFFE, U+FFFF; a lone surrogate) is written as
U+FFFD, so the document stays well-formed.

No CORS headers are sent unless ``--cors`` names the origins whose web pages may read the answers
(``ServerConfig.cors``): the endpoint is local by default, and ``Access-Control-Allow-Origin: *``
would let any page the user opens query it. ``--cors '*'`` allows every origin; otherwise the
request's ``Origin`` is echoed when it is one of those named (with ``Vary: Origin``).

Safety:

* read-only: SPARQL UPDATE (``update=`` or ``application/sparql-update``) is refused with 403, as
  is a query that would fetch anything: SERVICE, FROM / FROM NAMED, LOAD (the one guard,
  :func:`mskg.sparql.guard.prepare_query`). ``default-graph-uri`` and ``named-graph-uri`` are
  refused (400). The server itself makes no outbound request, except to the endpoint of a
  ``sparql:``
  store it was told to serve.
* every query runs in a worker process from a fixed pool. A query that exceeds ``--timeout``
  has its worker process killed (the only way to really stop rdflib, which cannot be
  interrupted, and pyoxigraph, whose Python API has no cancellation) and a fresh worker started;
  the client gets 503. The other workers keep answering meanwhile, and the HTTP threads
  (``ThreadingHTTPServer``) never run a query themselves, so one long query blocks nobody.
  A request waits at most ``queue_timeout`` (default: ``max(timeout, 10 s)``) for a free worker
  before it gets 503; the listen backlog is 64 connections.
* fair share: a client, known by its remote address, holds at most ``per_client`` workers at
  once (``--per-client``; default: half the pool, rounded up); its further requests wait, within
  ``queue_timeout`` like any other. A worker that comes free goes to the waiting request whose
  client holds the fewest workers, the one waiting longest among those, so a client sending
  many runaway queries slows down itself, not the others. Behind a reverse proxy every client
  has the proxy's address: they share one client's workers.
* with a ``sparql:`` store the query runs on the upstream endpoint, and ``--timeout`` stops
  only the local side: the worker's HTTP request gives up (504) and its connection is closed,
  or the worker is killed, which closes it too. **Closing the connection does not stop the
  query upstream** (an Oxigraph server computes to the end), and the SPARQL 1.1 Protocol has no
  time-limit parameter. The upstream endpoint must enforce its own limit: ``oxigraph serve
  --timeout-s N``, Fuseki's ``arq:queryTimeout``, Virtuoso's ``MaxQueryExecutionTime``; a
  per-request limit the endpoint accepts can be written into the store URL, as every query
  request keeps it (``sparql:http://host/sparql?timeout=10000`` for Virtuoso, milliseconds).
  See "Stores: what differs" in ``bench/README.md``.
  ``mskg serve`` prints this warning when it starts on a ``sparql:`` store.
* at most ``max_rows`` rows, or triples of a CONSTRUCT / DESCRIBE, are returned (header
  ``X-MSKG-Truncated: true`` when cut);
  request bodies over ``max_request_bytes`` get 413.
* a named query is a name from the list of ``/queries``, never a path: any other name gets 404
  before a worker sees it, and the worker looks it up again.
* a request (line, headers and body) must arrive within ``request_read_timeout`` seconds of the
  server starting to wait for it, idle keep-alive time included; a client sending a byte now
  and then is cut off then. A body framed in any way but one ``Content-Length`` (chunked,
  duplicate or invalid lengths) is refused and its connection closed, so the rest of it is
  never read as another request.
* a client hanging up early is normal traffic: no traceback in the log, and any other error in
  a connection is one line.
* bound to 127.0.0.1 unless ``--host`` says otherwise; on a loopback address a request whose
  ``Host`` header names another host (``localhost``, ``*.localhost`` and loopback addresses are
  this server) gets 421, so a web page that re-points its own domain at 127.0.0.1 (DNS
  rebinding) cannot read the answers either.

The workers open the store read-only (Oxigraph) or each parse the graph (memory), and each
reports the generation of the data it opened (:func:`store_generation`). A ``mskg load`` into
the served store is noticed before the next query (the pool looks at most every 0.5 s): one
worker is started on the new data and, once it is ready, the idle workers of the old data are
replaced, the busy ones when their query ends. Once one answer has come from the new data, no
later request is answered from the old (a query already running when the switch happens still
finishes on the old data). A load that fails changes nothing on disk, and a store no worker can
open leaves the old workers answering (one line on stderr).
"""
