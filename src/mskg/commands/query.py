"""mskg query: run a named query, a .rq file or a SPARQL string, read-only."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("table", "csv", "tsv", "json", "md", "ttl", "nt", "jsonld")

EPILOG = """examples:
  mskg query fda-approved-infusion-dmts
  mskg query serious-adverse-effects --param drug=natalizumab
  mskg query compare-drugs --param a=Tysabri --param b=mskr:ocrelizumab --format md
  mskg query my-question.rq --graph path/to/graph
  mskg query -e 'SELECT ?l WHERE { ?d a mskg:Drug ; rdfs:label ?l }' --format json

parameters: --param NAME=VALUE binds ?NAME. VALUE is a label, brand or other name (any case),
  an IRI, <IRI> or a prefixed name (mskr:natalizumab), or "text" for a plain literal. Repeat
  --param to bind several values. A query with a header accepts the parameters it declares
  (see `mskg queries NAME`); a query without a header (e.g. -e) accepts any of its variables.

--infer answers over the OWL 2 RL closure of the graph (computed with owlrl, cached):
  subclasses, subproperties, inverse and transitive properties are applied, so
  mskg:hasSeriousAdverseEffect implies mskg:hasAdverseEffect and a subclass of a class counts
  as that class; skos:broaderTransitive is the closure of skos:broader. Off by default.

read-only: UPDATE (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE...), SERVICE and FROM / FROM NAMED
  are refused; mskg never fetches a URL while answering.

formats: table (default on a terminal), csv (default in a pipe), tsv, json (W3C SPARQL 1.1
  Query Results JSON), md; CONSTRUCT and DESCRIBE print Turtle, or nt / jsonld.

exit codes:
  0  success (for ASK: the answer is true)
  1  ASK answered false
  2  usage error, unreadable graph, SPARQL syntax error (line and column shown), unknown query,
     parameter or name (closest names listed), refused query
"""


def register(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "query",
        nargs="?",
        metavar="NAME|FILE.rq",
        help="a named query (see `mskg queries`) or a file",
    )
    source.add_argument("-e", "--expression", metavar="SPARQL", help="the query text itself")
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    from mskg.store import add_store_argument

    add_store_argument(parser)
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind parameter ?NAME (label, IRI or prefixed name); repeatable",
    )
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: table on a terminal, else csv; ttl for graphs)",
    )
    parser.add_argument(
        "--infer", action="store_true", help="answer over the OWL 2 RL closure (see below)"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="parse the graph afresh, ignoring the cache"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.query import (
        default_format,
        format_result,
        load_query,
        parse_param_args,
        query_from_text,
        run_query,
    )

    if args.expression is not None:
        query = query_from_text(args.expression)
    else:
        query = load_query(args.query)
    from mskg.store import parse_store_spec

    if parse_store_spec(args.store).kind != "memory":
        from mskg.errors import UsageError
        from mskg.store import open_store
        from mskg.store import run_query as run_on_store

        if args.infer:
            raise UsageError("--infer works on the memory store only")
        with open_store(args.store, read_only=True) as store:
            result = run_on_store(query, store, params=parse_param_args(args.param))
    else:
        result = run_query(
            query,
            params=parse_param_args(args.param),
            graph_dir=args.graph,
            infer="owlrl" if args.infer else None,
            use_cache=not args.no_cache,
        )
    fmt = args.format or default_format(result, sys.stdout.isatty())
    sys.stdout.write(format_result(result, fmt))
    sys.stdout.flush()
    return 1 if result.boolean is False else 0
