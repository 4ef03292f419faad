"""mskg load: write the curated graph plus extra RDF files into a persistent store."""

from __future__ import annotations

import argparse
import sys

EPILOG = """examples:
  mskg load --store oxigraph:./mskg.oxigraph
  mskg load sider.nt.gz hetionet.nt --store oxigraph:./big.oxigraph
  mskg load --store sparql:http://127.0.0.1:7878/query      # an Oxigraph server
  export MSKG_GSP_USER=dba MSKG_GSP_PASSWORD=...              # Virtuoso's login
  mskg load --store "sparql:http://127.0.0.1:8890/sparql?default-graph-uri=urn:x-mskg:graph"
  mskg load extra.ttl --append --store oxigraph:./mskg.oxigraph

The store's content is replaced by the curated graph (or --graph DIR) plus FILES; with
--append, FILES alone are added to what is there.
Files: .ttl .nt .jsonld .rdf .owl .n3, optionally .gz.

atomic: a failed load (bad syntax, full disk, interrupted) leaves the store as it was.
  oxigraph:PATH  the new store is bulk-loaded into a directory beside PATH, then swapped in
                 by renaming; a running `mskg serve` switches to it before its next query. One
                 load at a time: a second load into PATH fails while one runs (lock file
                 .NAME.lock beside PATH, removed when the load ends). PATH must be new, an
                 empty folder or a store mskg made (it holds mskg-store.json): a file, a
                 folder of other files or an Oxigraph store made otherwise is refused, never
                 replaced. A crash between the two renames is put right by the next command
                 that opens PATH (the store is renamed back from .NAME.old); folders beside
                 PATH that mskg did not make are left alone.
  sparql:URL     one SPARQL 1.1 Graph Store Protocol request (PUT, or POST with --append) on
                 the default graph, or on the graph IRI that URL names as default-graph-uri=IRI
                 (which the queries then read), to --gsp URL or $MSKG_GSP_URL (default:
                 .../query -> .../store for an Oxigraph server, /sparql ->
                 /sparql-graph-crud-auth for Virtuoso, .../sparql -> .../data for Fuseki).
                 Credentials, if the server asks (Basic or Digest): $MSKG_GSP_USER and
                 $MSKG_GSP_PASSWORD. Oxigraph and Fuseki apply the request as one
                 transaction; Virtuoso 7.2 does not (a failure on the server part way leaves
                 the graph partly replaced: load again).

exit codes:
  0  loaded
  2  usage error, unreadable or unparsable file (file and line shown), store error
"""


def register(parser: argparse.ArgumentParser) -> None:
    from mskg.stores.spec import STORE_HELP

    parser.epilog = EPILOG
    parser.add_argument("files", nargs="*", metavar="FILE", help="extra RDF files to load")
    parser.add_argument("--store", metavar="SPEC", required=True, help=STORE_HELP)
    from mskg.cli.where import add_graph_argument

    add_graph_argument(parser)
    parser.add_argument(
        "--no-graph", action="store_true", help="load only FILES, not the graph folder"
    )
    parser.add_argument(
        "--append", action="store_true", help="add to the store instead of replacing its content"
    )
    parser.add_argument("--gsp", metavar="URL", help="Graph Store Protocol URL of a sparql: store")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always show it"
    )
    progress.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never show a progress bar"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from mskg.cli.where import graph_to_read
    from mskg.errors import UsageError
    from mskg.graph.loader import graph_files
    from mskg.stores import open_store
    from mskg.stores.base import Store
    from mskg.stores.endpoint import SparqlStore
    from mskg.stores.spec import parse_store_spec

    # --append adds FILES only: the graph folder is already in the store.
    files: list[Path] = (
        [] if args.no_graph or args.append else graph_files(graph_to_read(args.graph))
    )
    files += [Path(f) for f in args.files]
    if not files:
        raise UsageError("nothing to load: give FILES (or drop --no-graph / --append)")
    spec = parse_store_spec(args.store)
    started = time.perf_counter()
    store: Store
    if spec.kind == "sparql":
        store = SparqlStore(spec.location, gsp_url=args.gsp)
    else:
        store = open_store(spec, create=True)
    with store:
        total = store.load(files, append=args.append, progress=args.progress)
    print(
        f"loaded {len(files)} file{'s' if len(files) != 1 else ''} into {spec}: "
        f"{total} triples in the store ({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return 0
