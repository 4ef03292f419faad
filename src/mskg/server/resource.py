"""Resource pages of ``mskg serve``: each IRI of the graph dereferences.

``/resource/<name>`` answers for ``https://w3id.org/mskg/resource/<name>``, ``/ontology/<term>``
for ``https://w3id.org/mskg/ontology/<term>`` and ``/ontology`` for the ontology itself, by
content negotiation: an HTML page for a browser, Turtle, N-Triples or JSON-LD for an RDF client.

Everything comes from the store through SPARQL (two CONSTRUCT queries at most, whatever the
backend): :data:`DESCRIPTION` is the RDF answer (the resource's own triples, the reified
statements about it with their qualifiers and sources, the labels of what it links to), and the
HTML page adds :data:`CONTEXT` (what points at the resource, the statements about those facts,
the labels of the relations, the types of the neighbours).

A name is checked before any query is written: only the characters the graph's IRIs use, so
nothing in it can leave the path or the ``<...>`` of an IRI in SPARQL. Graph text is untrusted:
every piece of it on the page goes through :func:`html.escape`, only ``http``/``https`` IRIs
become outside links, and the page runs no script at all (its CSP allows none).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mskg.graph.network import preferred_literal, term_sort_key
from mskg.prefixes import MSKG_IRI, RESOURCE_IRI, curie_or_iri
from mskg.server.jobs import WARNING_HEADER, Answer, error_answer, header_list

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mskg.stores.base import Store


#: The ontology's own IRI (the namespace without its slash), answered at ``/ontology``.
ONTOLOGY_IRI = MSKG_IRI.rstrip("/")

#: The characters of the graph's resource names and ontology terms (``natalizumab``,
#: ``ae-natalizumab-pml``, ``hasSeriousAdverseEffect``): none of ``<>"{}|\\^`%/?#`` or space,
#: so a checked name can neither leave its path nor the ``<...>`` of an IRI in a query.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")

#: Format name -> media type of the answers.
MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}

#: Other names a client may use for them, in ``Accept`` or ``?format=``.
_ALIASES = {
    "application/xhtml+xml": "html",
    "turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "n-triples": "nt",
    "ntriples": "nt",
    "text/plain": "nt",
    "json-ld": "jsonld",
    "json": "jsonld",
    "application/json": "jsonld",
}

_FORMAT_NAMES = ", ".join(MEDIA_TYPES)

#: Facts shown per relation on a page; the rest are counted ("and 12 more").
MAX_FACTS_SHOWN = 100

#: Neighbours drawn around the resource in the small graph.
MAX_DRAWN_NEIGHBOURS = 20


@dataclass(frozen=True)
class ResourceRequest:
    """A checked request: the IRI to describe and the format to answer in."""

    iri: str
    fmt: str


def resource_request(path: str, accept: str, fmt: str | None) -> ResourceRequest | Answer:
    """The IRI ``path`` (``/resource/NAME``, ``/ontology/TERM`` or ``/ontology``, still
    percent-encoded) names and the answer format, or the error answer: 404 for a name no IRI
    of the graph can have, 400 for an unknown ``?format=``, 406 when ``Accept`` names none of
    the formats offered."""
    iri = iri_of_path(path)
    if iri is None:
        shown = urllib.parse.unquote(path)[:200].encode("unicode_escape").decode("ascii")
        return error_answer(
            404,
            f"no resource at {shown}: names are letters, digits and . _ ~ - "
            "(/resource/NAME, /ontology/TERM or /ontology)",
        )
    chosen = choose_format(accept, fmt)
    if chosen is None:
        if fmt:
            return error_answer(400, f"unknown format {fmt[:40]!r}: use one of {_FORMAT_NAMES}")
        return error_answer(
            406,
            f"none of the types in Accept ({accept[:200]}) is offered here: ask for "
            + ", ".join(MEDIA_TYPES.values())
            + " (or add ?format= with one of "
            + _FORMAT_NAMES
            + ")",
        )
    return ResourceRequest(iri, chosen)


#: The server paths that answer for the graph's two namespaces (:func:`iri_of_path` and back).
_SERVED_NAMESPACES = (("/resource/", RESOURCE_IRI), ("/ontology/", MSKG_IRI))


def iri_of_path(path: str) -> str | None:
    """The graph IRI a server path stands for, or None when the path names none."""
    if path.rstrip("/") == "/ontology":
        return ONTOLOGY_IRI
    for prefix, namespace in _SERVED_NAMESPACES:
        if path.startswith(prefix):
            # Undecodable bytes become U+FFFD, which no name has.
            name = urllib.parse.unquote(path[len(prefix) :], errors="replace")
            return namespace + name if _NAME.fullmatch(name) else None
    return None


def path_of_iri(iri: str) -> str | None:
    """The server path that answers for ``iri``, or None for an IRI outside the graph's
    namespaces (or one whose name no path can carry)."""
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    for prefix, namespace in _SERVED_NAMESPACES:
        if iri.startswith(namespace):
            name = iri[len(namespace) :]
            return prefix + name if _NAME.fullmatch(name) else None
    return None


def choose_format(accept: str, fmt: str | None) -> str | None:
    """The format to answer in: ``fmt`` (``?format=``) when given, else the best of ``Accept``
    by quality and order; HTML for no ``Accept`` or a wildcard. None when nothing fits."""
    if fmt:
        name = fmt.strip().lower()
        name = _ALIASES.get(name, name)
        for key, mime in MEDIA_TYPES.items():
            if name in (key, mime):
                return key
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        mime = pieces[0].lower()
        quality = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            if key.strip().lower() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        if mime and quality > 0:
            ranked.append((-quality, index, mime))
    if not accept.strip():
        return "html"
    for _quality, _index, mime in sorted(ranked):
        if mime in ("*/*", "text/*"):
            return "html"
        if mime == "application/*":
            return "jsonld"
        name = _ALIASES.get(mime, mime)
        for key, media in MEDIA_TYPES.items():
            if name in (key, media):
                return key
    return None


# Queries -------------------------------------------------------------------------------------

#: The resource's description (the RDF answer, with :data:`LABELS` of what it names): its own
#: triples, its reified statements (``rdf:subject``) with every qualifier, and the documents
#: of the sections those statements and the resource come from.
DESCRIPTION = """
CONSTRUCT {
  $R ?p ?o . ?st ?sp ?so . ?src dcterms:isPartOf ?doc .
} WHERE {
  { $R ?p ?o }
  UNION { ?st rdf:subject $R ; ?sp ?so }
  UNION { ?st rdf:subject $R ; prov:wasDerivedFrom ?src . ?src dcterms:isPartOf ?doc }
  UNION { $R prov:wasDerivedFrom ?src . ?src dcterms:isPartOf ?doc }
}
"""

#: What the HTML page needs beyond :data:`DESCRIPTION`: the triples that point at the resource
#: (not from the statement nodes that name it: those come with the facts they describe), and
#: the statements whose object it is with their qualifiers and the documents of their sources.
CONTEXT = """
CONSTRUCT {
  ?s ?p $R . ?in ?ip ?iv . ?src dcterms:isPartOf ?doc .
} WHERE {
  { ?s ?p $R FILTER(?p NOT IN (rdf:subject, rdf:predicate, rdf:object)) }
  UNION { ?in rdf:object $R ; ?ip ?iv }
  UNION { ?in rdf:object $R ; prov:wasDerivedFrom ?src . ?src dcterms:isPartOf ?doc }
}
"""

#: The names (and, for the page, the types) of the IRIs in ``$NODES``: one query for all the
#: nodes and relations the answers above name, rather than an OPTIONAL per row (rdflib pays
#: for each of those).
LABELS = """
CONSTRUCT { ?n ?p ?l } WHERE {
  VALUES ?n { $NODES }
  ?n ?p ?l FILTER(?p IN (rdfs:label, skos:prefLabel, schema:name $TYPES))
}
"""

#: The triples that use an ontology property, for its page: at most :data:`MAX_USES_SHOWN`.
USES = """
CONSTRUCT { ?s $R ?o } WHERE { ?s $R ?o } LIMIT $LIMIT
"""

#: Triples shown on a property's page.
MAX_USES_SHOWN = 100

#: The types that make an ontology term a property (its page then lists its uses).
PROPERTY_TYPES = (
    "http://www.w3.org/2002/07/owl#ObjectProperty",
    "http://www.w3.org/2002/07/owl#DatatypeProperty",
    "http://www.w3.org/2002/07/owl#AnnotationProperty",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
)

#: IRIs per ``VALUES`` table of :data:`LABELS`.
LABELS_CHUNK = 400

#: The ontology page's list of terms: every class and property in the ontology's namespace.
TERMS = f"""
CONSTRUCT {{ ?t a ?kind ; rdfs:label ?tl . }} WHERE {{
  ?t a ?kind FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                               owl:AnnotationProperty)
                    && STRSTARTS(STR(?t), "{MSKG_IRI}"))
  OPTIONAL {{ ?t rdfs:label ?tl }}
}}
"""


def _bound(template: str, iri: str) -> str:
    if not iri_is_checked(iri):  # a second check: only a name from iri_of_path gets here
        raise ValueError(f"not an IRI of the graph: {iri!r}")
    return template.replace("$R", f"<{iri}>")


def iri_is_checked(iri: str) -> bool:
    return iri == ONTOLOGY_IRI or path_of_iri(iri) is not None


def _construct(store: Store, sparql: str) -> Graph:
    from mskg.errors import QueryError

    result = store.query(sparql, guard=False, name="<resource page>")
    if result.graph is None:
        raise QueryError("the resource query returned no graph")
    return result.graph


def _writable(node: Node) -> bool:
    """Whether ``node`` is an IRI that can be written into a query as ``<...>``: graph IRIs
    are untrusted (one with ``>`` or a space would end the IRI there). Stricter than
    :func:`mskg.viz.fetch.nameable` by refusing any Unicode space too, as these pages always
    have."""
    from mskg.viz.fetch import nameable

    return nameable(node) and not any(c.isspace() for c in str(node))


def labels(store: Store, graphs: Iterable[Graph], types: bool = False) -> Graph:
    """The labels (and with ``types`` the rdf:types) of every IRI in ``graphs``."""
    from rdflib import Graph

    nodes = sorted({str(n) for g in graphs for t in g for n in t if _writable(n)})
    found = Graph()
    for start in range(0, len(nodes), LABELS_CHUNK):
        values = " ".join(f"<{iri}>" for iri in nodes[start : start + LABELS_CHUNK])
        text = LABELS.replace("$TYPES", ", rdf:type" if types else "")
        # NODES last: the IRIs are checked, and never read again as a placeholder
        text = text.replace("$NODES", values)
        found += _construct(store, text)
    return found


def describe(store: Store, iri: str) -> Graph:
    """The resource's description (:data:`DESCRIPTION` and the labels of what it names) from
    ``store``, prefixes bound."""
    from mskg.vocab import bind_prefixes

    graph = _construct(store, _bound(DESCRIPTION, iri))
    graph += labels(store, [graph])
    bind_prefixes(graph)
    return graph


def _known(store: Store, iri: str) -> bool:
    """Whether anything in the store points at ``iri`` (asked only when it has no triples)."""
    result = store.query(f"ASK {{ ?s ?p <{iri}> }}", guard=False, name="<resource page>")
    return bool(result.boolean)


def resource_answer(store: Store, iri: str, fmt: str) -> Answer:
    """The answer for ``iri`` in ``fmt`` (inside a worker): 404 when the graph holds nothing
    about it. RDF: two queries (description, labels); the page: three (and a property's uses
    on its page, the ontology's terms on the ontology's page)."""
    if not iri_is_checked(iri) or fmt not in MEDIA_TYPES:
        return error_answer(404, "no such resource")
    if fmt != "html":
        description = describe(store, iri)
        if not len(description) and not _known(store, iri):
            return _not_found(iri)
        dropped = drop_unwritable(description)
        headers = {}
        if dropped:
            headers[WARNING_HEADER] = header_list(
                [f"{dropped} triples left out: they hold an IRI that {fmt} cannot write"]
            )
        body = serialize(description, fmt)
        return Answer(200, f"{MEDIA_TYPES[fmt]}; charset=utf-8", body, headers)
    description = _construct(store, _bound(DESCRIPTION, iri))
    context = _construct(store, _bound(CONTEXT, iri))
    if not len(description) and not len(context):
        return _not_found(iri)
    from rdflib import RDF, URIRef

    uses = None
    if any(str(t) in PROPERTY_TYPES for t in description.objects(URIRef(iri), RDF.type)):
        limit = str(MAX_USES_SHOWN + 1)  # one more: whether there are more than are shown
        uses = _construct(store, _bound(USES, iri).replace("$LIMIT", limit))
    names = labels(store, [description, context, *([uses] if uses is not None else [])], True)
    terms = _construct(store, TERMS) if iri == ONTOLOGY_IRI else None
    queries = queries_using(iri) if iri.startswith(MSKG_IRI) else []
    text = render_page(iri, [description, context, names], terms, queries, uses)
    return Answer(200, "text/html; charset=utf-8", text.encode("utf-8"), page_headers(text))


def drop_unwritable(graph: Graph) -> int:
    """Remove from ``graph`` the triples with an IRI no RDF syntax can write (a space, ``>``):
    a graph built in code may hold one, and rdflib's writers fail on it. How many went."""
    from rdflib import URIRef

    bad = [t for t in graph if any(isinstance(n, URIRef) and not _writable(n) for n in t)]
    for triple in bad:
        graph.remove(triple)
    return len(bad)


def _not_found(iri: str) -> Answer:
    return error_answer(
        404, f"the graph holds nothing about {curie_or_iri(iri)}: see /queries or /graph"
    )


def serialize(graph: Graph, fmt: str) -> bytes:
    """``graph`` as Turtle, N-Triples or JSON-LD (compacted with the project's prefixes)."""
    from mskg.graph.formats import OUTPUT_FORMATS
    from mskg.prefixes import PREFIXES

    if fmt == "jsonld":
        text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    else:
        text = graph.serialize(format=OUTPUT_FORMATS[fmt])
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def queries_using(iri: str) -> list[tuple[str, str]]:
    """(name, title) of the named queries whose text uses the ontology term ``iri``."""
    from mskg.sparql.named import list_queries

    local = iri[len(MSKG_IRI) :]
    pattern = re.compile(rf"(?:\bmskg:{re.escape(local)}|<{re.escape(iri)}>)(?![\w-])")
    found = []
    for query in list_queries():
        if pattern.search(query.text):
            found.append((query.name, query.title))
    return found


# The page ------------------------------------------------------------------------------------


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem; }
header { padding-top: 1rem; }
nav { font-size: 13px; color: #555; }
h1 { margin: .3rem 0 .1rem; font-size: 1.8rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 1.6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; color: #333; }
.iri { font: 13px monospace; color: #555; word-break: break-all; }
.types a, .tag { display: inline-block; background: #e8eef7; border-radius: 3px;
  padding: 0 .4rem; margin: 0 .25rem .2rem 0; font-size: 13px; }
.definition { font-size: 1.05rem; max-width: 50rem; }
.columns { display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; }
.columns > div { flex: 1 1 28rem; min-width: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { border: 1px solid #ddd; padding: .3rem .5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; width: 14rem; font-weight: 600; }
ul.facts { list-style: none; margin: 0; padding: 0; }
ul.facts > li { padding: .35rem .5rem; background: #fff; border: 1px solid #e4e4e4;
  border-top: none; }
ul.facts > li:first-child { border-top: 1px solid #e4e4e4; }
.statement { font-size: 13px; color: #444; margin: .15rem 0 0 1rem; }
.flag { background: #fde2e1; color: #8c1b13; border-radius: 3px; padding: 0 .35rem; }
.qual { background: #eef3e8; border-radius: 3px; padding: 0 .35rem; }
.source { color: #555; }
.more { color: #777; font-style: italic; }
svg { background: #fff; border: 1px solid #e4e4e4; max-width: 100%; height: auto; }
svg a:hover text { text-decoration: underline; }
footer { max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; font-size: 13px; color: #666; }
"""


def page_headers(_text: str) -> dict[str, str]:
    """The page's CSP: no script at all, its one style block by hash, links and nothing else."""
    digest = base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode("ascii")
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
    }


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class _View:
    """The merged answers of the page's queries, read as the page needs them."""

    def __init__(self, iri: str, graphs: Iterable[Graph]) -> None:
        from rdflib import URIRef

        self.iri = URIRef(iri)
        self.out: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        seen: set[tuple[Node, Node, Node]] = set()
        for graph in graphs:
            for triple in graph:
                if triple in seen:
                    continue
                seen.add(triple)
                s, p, o = triple
                self.out[s][p].append(o)
                self.into[o][p].append(s)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return sorted(set(self.out.get(subject, {}).get(predicate, [])), key=term_sort_key)

    def text(self, subject: Node, predicates: Iterable[Node]) -> str:
        for predicate in predicates:
            value = _best_literal(self.objects(subject, predicate))
            if value:
                return value
        return ""

    def label(self, node: Node) -> str:
        from rdflib import Literal

        from mskg.graph.network import LABEL_PREDICATES

        if isinstance(node, Literal):
            return _literal_text(node)
        return self.text(node, LABEL_PREDICATES) or curie_or_iri(str(node))

    def predicate_label(self, predicate: Node) -> str:
        from rdflib import RDF, RDFS, URIRef

        from mskg.graph.network import PREDICATE_LABELS
        from mskg.viz.labels import property_label

        if predicate in PREDICATE_LABELS:
            return PREDICATE_LABELS[URIRef(str(predicate))]
        if predicate == RDF.type:
            return "instance of"
        found = _best_literal(self.objects(predicate, RDFS.label))
        return found or property_label(curie_or_iri(str(predicate)))

    def statements(self, role: Node, node: Node, predicate: Node, other: Node) -> list[Node]:
        """The statement nodes whose ``role`` (rdf:subject or rdf:object) is ``node``, about
        ``predicate`` and the ``other`` end."""
        from rdflib import RDF

        other_role = RDF.object if role == RDF.subject else RDF.subject
        found = []
        for statement in self.into.get(node, {}).get(role, []):
            if predicate in self.objects(statement, RDF.predicate) and other in self.objects(
                statement, other_role
            ):
                found.append(statement)
        return sorted(set(found), key=term_sort_key)

    def described(self, role: Node) -> set[tuple[Node, Node]]:
        """(predicate, other end) of the statements whose ``role`` is the resource: facts that
        a statement describes even where the triple itself is not in the answer."""
        from rdflib import RDF

        other_role = RDF.object if role == RDF.subject else RDF.subject
        found = set()
        for statement in self.into.get(self.iri, {}).get(role, []):
            for predicate in self.objects(statement, RDF.predicate):
                for other in self.objects(statement, other_role):
                    found.add((predicate, other))
        return found


def _best_literal(values: Iterable[Node]) -> str:
    """The text shown for a node's preferred literal (durations in words as well)."""
    literal = preferred_literal(values)
    return "" if literal is None else _literal_text(literal)


def _literal_text(literal: Node) -> str:
    from mskg.viz.labels import humanize_duration

    text = str(literal)
    human = humanize_duration(text)
    return text if human == text else f"{human} ({text})"


def outside_link(iri: str) -> str | None:
    """``iri`` as an ``href`` when it is an ``http``/``https`` IRI, else None (no
    ``javascript:``, ``data:`` or other scheme ever becomes a link)."""
    try:
        parts = urllib.parse.urlsplit(iri)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return iri


def _node_html(view: _View, node: Node, label: str | None = None) -> str:
    """A node as page text: a link to its own page, an outside link for an http(s) IRI, or
    plain text (literals, other schemes)."""
    from rdflib import Literal

    if isinstance(node, Literal):
        return _e(_literal_text(node))
    shown = _e(label if label is not None else view.label(node))
    path = path_of_iri(str(node))
    if path is not None:
        return f'<a href="{_e(urllib.parse.quote(path))}">{shown}</a>'
    href = outside_link(str(node))
    if href is not None:
        return f'<a href="{_e(href)}" rel="noopener noreferrer">{shown}</a>'
    return shown


def _statement_html(view: _View, statement: Node) -> str:
    """One reified statement: its qualifiers (``potentially fatal``, ``frequency: rare``...) and
    its sources (section, document), each linked to its page."""
    from rdflib import RDF, XSD, Literal

    from mskg.graph.network import SOURCE_PREDICATES

    skipped = {RDF.type, RDF.subject, RDF.predicate, RDF.object, *SOURCE_PREDICATES}
    qualifiers = []
    for predicate in sorted(view.out.get(statement, {}), key=lambda p: view.predicate_label(p)):
        if predicate in skipped:
            continue
        name = view.predicate_label(predicate)
        for value in view.objects(statement, predicate):
            if isinstance(value, Literal) and value.datatype == XSD.boolean:
                flag = name if value.toPython() is True else f"not {name}"
                qualifiers.append(f'<span class="flag">{_e(flag)}</span>')
            else:
                qualifiers.append(
                    f'<span class="qual">{_e(name)}: {_node_html(view, value)}</span>'
                )
    sources = []
    for predicate in SOURCE_PREDICATES:
        for source in view.objects(statement, predicate):
            sources.append(_source_html(view, source))
    parts = [" ".join(qualifiers)] if qualifiers else []
    if sources:
        parts.append('<span class="source">source: ' + "; ".join(sources) + "</span>")
    link = _node_html(view, statement, "statement")
    return f'<div class="statement">{" ".join(parts) or "(no qualifiers)"} [{link}]</div>'


def _source_html(view: _View, source: Node) -> str:
    from rdflib import DCTERMS

    text = _node_html(view, source)
    documents = view.objects(source, DCTERMS.isPartOf)
    if documents:
        text += " (" + ", ".join(_node_html(view, doc) for doc in documents) + ")"
    return text


def _fact_groups(view: _View, role: str) -> list[tuple[str, Node, list[tuple[Node, list[Node]]]]]:
    """(relation label, relation, [(other end, its statements)]) for the facts going out
    (``role`` "out") or coming in, in the order of their relations' labels."""
    from rdflib import RDF, URIRef

    from mskg.graph.network import (
        ALT_LABEL_PREDICATES,
        DEFINITION_PREDICATES,
        IDENTIFIER_PREDICATES,
        LABEL_PREDICATES,
        SOURCE_PREDICATES,
    )

    groups: dict[Node, set[Node]] = defaultdict(set)
    if role == "out":
        header = {
            RDF.type,
            *LABEL_PREDICATES,
            *ALT_LABEL_PREDICATES,
            *DEFINITION_PREDICATES,
            *IDENTIFIER_PREDICATES,
            *SOURCE_PREDICATES,
            *(URIRef(name) for name in BRAND_NAMES + OTHER_NAMES),
        }
        for predicate, objects in view.out.get(view.iri, {}).items():
            if predicate not in header:
                groups[predicate].update(objects)
        for predicate, other in view.described(RDF.subject):
            if predicate not in header:  # a mapping's statement: shown with the identifiers
                groups[predicate].add(other)
        statement_role = RDF.subject
    else:
        for predicate, subjects in view.into.get(view.iri, {}).items():
            if predicate not in (RDF.subject, RDF.predicate, RDF.object):
                groups[predicate].update(subjects)
        for predicate, other in view.described(RDF.object):
            groups[predicate].add(other)
        statement_role = RDF.object
    result = []
    for predicate, others in groups.items():
        rows = [
            (other, view.statements(statement_role, view.iri, predicate, other))
            for other in sorted(others, key=lambda n: (view.label(n).lower(), str(n)))
        ]
        result.append((view.predicate_label(predicate), predicate, rows))
    return sorted(result, key=lambda group: (group[0].lower(), str(group[1])))


#: schema.org names shown in the page's header: brand names, and the other names.
BRAND_NAMES = ("http://schema.org/proprietaryName",)
OTHER_NAMES = ("http://schema.org/nonProprietaryName", "http://schema.org/alternateName")


#: Headings of what points at a resource, where the relation's own label reads backwards.
INCOMING_TITLES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "instances",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclasses",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "subproperties",
    "http://www.w3.org/2000/01/rdf-schema#domain": "properties with this domain",
    "http://www.w3.org/2000/01/rdf-schema#range": "properties with this range",
    "http://www.w3.org/2004/02/skos/core#broader": "narrower: kinds of it",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "what it is the source of",
    "http://purl.org/dc/terms/isPartOf": "parts",
}


def _incoming_title(predicate: Node, label: str) -> str:
    return INCOMING_TITLES.get(str(predicate), f"{label} (pointing here)")


def _facts_html(view: _View, role: str) -> str:
    out = []
    for label, predicate, rows in _fact_groups(view, role):
        title = _e(label) if role == "out" else _e(_incoming_title(predicate, label))
        relation = _node_html(view, predicate, curie_or_iri(str(predicate)))
        out.append(f'<h3 title="{_e(str(predicate))}">{title} <span class="iri">{relation}</span>')
        out.append("</h3>")
        out.append('<ul class="facts">')
        for other, statements in rows[:MAX_FACTS_SHOWN]:
            out.append(f"<li>{_node_html(view, other)}")
            out.extend(_statement_html(view, statement) for statement in statements)
            out.append("</li>")
        if len(rows) > MAX_FACTS_SHOWN:
            out.append(f'<li class="more">and {len(rows) - MAX_FACTS_SHOWN} more</li>')
        out.append("</ul>")
    return "\n".join(out)


def _header_html(view: _View) -> str:
    from rdflib import RDF, Literal, URIRef

    from mskg.graph.network import (
        ALT_LABEL_PREDICATES,
        DEFINITION_PREDICATES,
        IDENTIFIER_PREDICATES,
        SOURCE_PREDICATES,
    )

    title = view.label(view.iri).lower()
    rows: list[tuple[str, str]] = []
    brands = [
        _literal_text(v) for name in BRAND_NAMES for v in view.objects(view.iri, URIRef(name))
    ]
    if brands:
        rows.append(("brand names", ", ".join(_e(b) for b in dict.fromkeys(brands))))
    others = [
        _literal_text(v)
        for predicate in (*ALT_LABEL_PREDICATES, *(URIRef(name) for name in OTHER_NAMES))
        for v in view.objects(view.iri, predicate)
        if isinstance(v, Literal) and str(v).lower() != title
    ]
    if others:
        rows.append(("also called", ", ".join(_e(o) for o in dict.fromkeys(others))))
    identifiers = [
        f'{_identifier_html(view, value)} <span class="source">'
        f"({_e(view.predicate_label(predicate))})</span>"
        for predicate in IDENTIFIER_PREDICATES
        for value in view.objects(view.iri, predicate)
    ]
    if identifiers:
        rows.append(("identifiers and mappings", "<br>".join(identifiers)))
    sources = [
        _source_html(view, source)
        for predicate in SOURCE_PREDICATES
        for source in view.objects(view.iri, predicate)
    ]
    if sources:
        rows.append(("sources", "<br>".join(sources)))
    types = " ".join(_node_html(view, t) for t in view.objects(view.iri, RDF.type))
    definition = view.text(view.iri, DEFINITION_PREDICATES)
    parts = [f'<div class="types">{types}</div>' if types else ""]
    if definition:
        parts.append(f'<p class="definition">{_e(definition)}</p>')
    if rows:
        parts.append('<table class="about">')
        parts.extend(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
        parts.append("</table>")
    return "\n".join(p for p in parts if p)


def _identifier_html(view: _View, value: Node) -> str:
    """A cross-reference: its page here, an outside link (http/https only) named as its
    registry has it (``DrugBank DB00108``), or text."""
    from rdflib import Literal

    from mskg.viz.labels import identifier_label

    if isinstance(value, Literal) or path_of_iri(str(value)) is not None:
        return _node_html(view, value)
    text = _e(identifier_label(str(value)))
    href = outside_link(str(value))
    return f'<a href="{_e(href)}" rel="noopener noreferrer">{text}</a>' if href else text


def _neighbours(view: _View) -> list[tuple[Node, str, bool]]:
    """(node, relation label, outgoing) of the nodes drawn around the resource: one of each
    relation in turn (its own relations first, then what points at it), so that a relation
    with many objects does not crowd out the others; at most :data:`MAX_DRAWN_NEIGHBOURS`."""
    from rdflib import URIRef

    queues = [
        (label, role == "out", [other for other, _statements in rows])
        for role in ("out", "in")
        for label, _predicate, rows in _fact_groups(view, role)
    ]
    found: dict[Node, tuple[str, bool]] = {}
    depth = 0
    while len(found) < MAX_DRAWN_NEIGHBOURS and any(len(q[2]) > depth for q in queues):
        for label, outgoing, others in queues:
            if depth < len(others) and len(found) < MAX_DRAWN_NEIGHBOURS:
                other = others[depth]
                if isinstance(other, URIRef) and other != view.iri and other not in found:
                    found[other] = (label, outgoing)
        depth += 1
    return [(node, *found[node]) for node in found]


def _colour(view: _View, node: Node) -> str:
    from rdflib import RDF

    from mskg.graph.network import CLASS_PRIORITY
    from mskg.viz.style import group_of

    types = [str(t) for t in view.objects(node, RDF.type)]
    primary = next((str(c) for c in CLASS_PRIORITY if str(c) in types), "")
    return group_of({"class": primary, "types": types}).color


def _short(text: str, size: int = 26) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "\u2026"


def focus_svg(view: _View) -> str:
    """The resource in the centre, what it points at in a column on its right and what points
    at it (dashed) on its left, drawn on the server as SVG (no script), labels pointing
    outwards so that none overlaps another; each neighbour links to its own page, and its
    tooltip names the relation."""
    neighbours = _neighbours(view)
    right = [n for n in neighbours if n[2]]
    left = [n for n in neighbours if not n[2]]
    if not left or not right:  # one direction only: both sides share it
        right, left = neighbours[::2], neighbours[1::2]
    step = 30
    width, height = 640, max(200, max(len(left), len(right)) * step + 40)
    cx, cy = width / 2, height / 2
    lines, nodes = [], []
    for side, column in ((1, right), (-1, left)):
        for row, (node, relation, outgoing) in enumerate(column):
            x = cx + side * 120
            y = cy + (row - (len(column) - 1) / 2) * step
            dash = "" if outgoing else ' stroke-dasharray="4 3"'
            label = view.label(node)
            tip = f"{relation}: {label}" if outgoing else f"{label} \u2192 {relation}"
            lines.append(
                f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#9aa4b1"'
                f' stroke-width="1.4"{dash}><title>{_e(tip)}</title></line>'
            )
            tx, anchor = (x + 12, "start") if side > 0 else (x - 12, "end")
            shape = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{_e(_colour(view, node))}"'
                ' stroke="#333" stroke-width=".8"/>'
                f'<text x="{tx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="12"'
                f' fill="#222">{_e(_short(label))}</text><title>{_e(tip)}</title>'
            )
            path = path_of_iri(str(node))
            if path is not None:
                shape = f'<a href="{_e(urllib.parse.quote(path))}">{shape}</a>'
            nodes.append(f"<g>{shape}</g>")
    centre = (
        f'<circle cx="{cx}" cy="{cy}" r="14" fill="{_e(_colour(view, view.iri))}"'
        ' stroke="#111" stroke-width="1.5"/>'
        f'<text x="{cx}" y="{cy + 30}" text-anchor="middle" font-size="13" font-weight="600"'
        ' fill="#111" stroke="#fff" stroke-width="4" paint-order="stroke">'
        f"{_e(_short(view.label(view.iri), 22))}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label="'
        f'{_e(view.label(view.iri))} and its neighbours">'
        + "".join(lines)
        + centre
        + "".join(nodes)
        + "</svg>"
    )


def _uses_html(view: _View, uses: Graph) -> str:
    """The triples that use a property, subject and object linked."""
    pairs = sorted(
        ((s, o) for s, _p, o in uses),
        key=lambda so: (view.label(so[0]).lower(), view.label(so[1]).lower(), str(so)),
    )
    out = ['<ul class="facts">']
    for subject, obj in pairs[:MAX_USES_SHOWN]:
        out.append(f"<li>{_node_html(view, subject)} \u2192 {_node_html(view, obj)}</li>")
    if len(pairs) > MAX_USES_SHOWN:
        out.append(f'<li class="more">the first {MAX_USES_SHOWN} shown</li>')
    out.append("</ul>")
    return "\n".join(out)


def _terms_html(view: _View, terms: Graph) -> str:
    from rdflib import OWL, RDF

    kinds = (
        (OWL.Class, "classes"),
        (OWL.ObjectProperty, "object properties"),
        (OWL.DatatypeProperty, "datatype properties"),
        (OWL.AnnotationProperty, "annotation properties"),
    )
    term_view = _View(str(view.iri), [terms])
    out = []
    for kind, title in kinds:
        members = sorted(
            terms.subjects(RDF.type, kind), key=lambda t: (term_view.label(t).lower(), str(t))
        )
        if not members:
            continue
        out.append(f"<h3>{_e(title)} ({len(members)})</h3><p>")
        out.append(", ".join(_node_html(term_view, term) for term in members))
        out.append("</p>")
    return "\n".join(out)


def render_page(
    iri: str,
    graphs: list[Graph],
    terms: Graph | None = None,
    queries: list[tuple[str, str]] | None = None,
    uses: Graph | None = None,
) -> str:
    """The HTML page of ``iri`` from the answers of its queries."""
    view = _View(iri, graphs)
    path = path_of_iri(iri) or "/"
    quoted = urllib.parse.quote(path)
    title = view.label(view.iri)
    rdf_links = " | ".join(
        f'<a href="{_e(quoted)}?format={key}">{_e(name)}</a>'
        for key, name in (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"))
    )
    alternates = "\n".join(
        f'<link rel="alternate" type="{MEDIA_TYPES[key]}" href="{_e(quoted)}?format={key}">'
        for key in ("ttl", "nt", "jsonld")
    )
    graph_link = "/graph?" + urllib.parse.urlencode({"focus": iri})
    outgoing = _facts_html(view, "out")
    incoming = _facts_html(view, "in")
    sections = [
        "<header>",
        '<nav><a href="/">query</a> \u00b7 <a href="/graph">graph</a> \u00b7 '
        '<a href="/ontology">ontology</a></nav>',
        f"<h1>{_e(title)}</h1>",
        f'<div class="iri">{_e(iri)}</div>',
        "</header><main>",
        _header_html(view),
        '<div class="columns"><div>',
        "<h2>Facts</h2>",
        outgoing or "<p>No relations of its own.</p>",
        "</div><div>",
        "<h2>Graph</h2>",
        focus_svg(view),
        f'<p><a id="open-graph" href="{_e(graph_link)}">open in the graph</a></p>',
        "</div></div>",
    ]
    if incoming:
        sections += ["<h2>Pointing here</h2>", incoming]
    if uses is not None and len(uses):
        sections += ["<h2>Used in the graph</h2>", _uses_html(view, uses)]
    if terms is not None:
        sections += ["<h2>Terms</h2>", _terms_html(view, terms)]
    if queries:
        items = "".join(
            f'<li><a href="/#query={_e(urllib.parse.quote(name))}">{_e(name)}</a>: {_e(title)}</li>'
            for name, title in queries
        )
        sections += ["<h2>Named queries that use it</h2>", f"<ul>{items}</ul>"]
    sections += ["</main>", f"<footer>This page as RDF: {rdf_links}</footer>"]
    body = "\n".join(sections)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} \u2014 mskg</title>\n{alternates}\n"
        # no favicon request (the server has none: a 404 in every browser console)
        '<link rel="icon" href="data:,">\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
