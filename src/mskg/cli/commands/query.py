"""mskg query: run a named query, a .rq file or a SPARQL string, read-only."""

from __future__ import annotations

import argparse
import sys

from mskg.sparql.results import GRAPH_FORMATS, TABLE_FORMATS

FORMATS = TABLE_FORMATS + GRAPH_FORMATS

EPILOG = """examples:
  mskg query fda-approved-infusion-dmts
  mskg query serious-adverse-effects --param drug=natalizumab
  mskg query compare-drugs --param a=Tysabri --param b=mskr:ocrelizumab --format md
  mskg query my-question.rq --graph path/to/graph
  mskg query -e 'SELECT ?l WHERE { ?d a mskg:Drug ; rdfs:label ?l }' --format json

parameters: --param NAME=VALUE binds ?NAMEIri if the query uses that variable, else ?NAME
  (named queries put a drug's label in ?drug and its IRI in ?drugIri). VALUE is a label, brand
  or other name (any case), an IRI, <IRI> or a prefixed name (mskr:natalizumab) of a node in the
  graph, or "text" for a plain literal. Repeat --param to bind several values. A query with a
  header accepts the parameters it declares (see `mskg queries NAME`); a query without a header
  (e.g. -e) accepts any of its variables.

--infer answers over the OWL 2 RL closure of the graph (computed with owlrl, cached):
  subclasses, subproperties, inverse and transitive properties are applied, so
  mskg:hasSeriousAdverseEffect implies mskg:hasAdverseEffect and a subclass of a class counts
  as that class; skos:broaderTransitive is the closure of skos:broader. Off by default.

warnings: a term the ontology or a standard vocabulary does not define
  (mskg:hasCommonAdverseEfect, skos:definiton) is a warning on standard error, with the closest
  defined term, whatever the answer. When the answer is empty (no row, false), also: an mskr:
  resource the graph does not hold, a plain string compared with typed or tagged values
  ("2017" for an xsd:gYear, "natalizumab" for "natalizumab"@en), a class or property that only
  its subclasses or subproperties are used with (mskg:Treatment: use --infer or
  a/rdfs:subClassOf*), or one nothing uses. Warnings never change the answer nor the exit code.

read-only: UPDATE (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE...), SERVICE and FROM / FROM NAMED
  are refused; mskg never fetches a URL while answering.

formats: table (default on a terminal), csv (default in a pipe), tsv, json (W3C SPARQL 1.1
  Query Results JSON), md; CONSTRUCT and DESCRIBE print Turtle, or nt / jsonld.

exit codes:
  0    success (for ASK: the answer is true)
  1    ASK answered false
  2    usage error, unreadable graph, SPARQL syntax error (line and column shown), unknown query,
       parameter or name (closest names listed), refused query
  130  interrupted (Ctrl-C)
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
    from mskg.cli.where import add_graph_argument

    add_graph_argument(parser)
    from mskg.stores.spec import add_store_argument

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
    from mskg.sparql.lint import GraphFacts, answer_warnings
    from mskg.sparql.named import load_query, query_from_text
    from mskg.sparql.native import run_in_memory_with_warnings
    from mskg.sparql.params import parse_param_args
    from mskg.sparql.results import default_format, format_result
    from mskg.stores.spec import parse_store_spec

    spec = parse_store_spec(args.store)
    if spec.kind != "memory":
        from mskg.errors import UsageError

        if args.infer:
            raise UsageError("--infer works on the memory store only")
        if args.graph is not None:
            raise UsageError(
                f"--graph is for the memory store, but the store is {spec} (from --store or "
                "$MSKG_STORE), which answers from the graph already in it (`mskg load` fills "
                "it); give --graph or a non-memory store, not both"
            )
    if args.expression is not None:
        query = query_from_text(args.expression)
    else:
        query = load_query(args.query)
    if spec.kind != "memory":
        # Only now: the backends (mskg.stores) are not imported for the default memory store.
        from mskg.stores import open_store
        from mskg.stores import run_query as run_on_store

        with open_store(spec, read_only=True) as store:
            result = run_on_store(query, store, params=parse_param_args(args.param))
            warnings = answer_warnings(query, result, GraphFacts.from_store(store))
    else:
        from mskg.cli.where import graph_to_read

        params = parse_param_args(args.param)
        result, warnings = run_in_memory_with_warnings(
            query,
            params=params,
            graph_dir=graph_to_read(args.graph),
            infer="owlrl" if args.infer else None,
            use_cache=not args.no_cache,
        )
    if result.truncated:
        print(
            f"warning: the answer was cut by the store at {len(result)} "
            f"{'triples' if result.graph is not None else 'rows'} (its own limit on answers)",
            file=sys.stderr,
        )
    from mskg.terminal import terminal_safe

    where = f"{query.path}: " if query.path is not None else ""
    for warning in warnings:
        print(f"warning: {terminal_safe(where + str(warning))}", file=sys.stderr)
    fmt = args.format or default_format(result, sys.stdout.isatty())
    sys.stdout.write(format_result(result, fmt))
    sys.stdout.flush()
    return 1 if result.boolean is False else 0
