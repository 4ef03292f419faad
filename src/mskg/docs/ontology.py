"""HTML documentation of the ontology: one self-contained page, in the manner of pyLODE.

:func:`write_docs` reads ``ontology.ttl`` (and ``shapes.ttl``) of a graph folder, plus the instance
data for examples, and writes ``index.html`` into a folder (``out/docs`` by default): the ontology's
metadata, then every class, object property, datatype property and concept with its label, IRI,
definition, hierarchy, domain and range, alignments to schema.org, Biolink and other vocabularies,
example instances or statements from the data, and the SHACL rules that apply. Everything taken
from the graph is HTML-escaped; the page has no scripts and loads nothing from the network.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SH, SKOS
from rdflib.term import Node

from mskg.atomic import atomic_write
from mskg.prefixes import MSKG_IRI, curie_or_iri

DEFAULT_OUT = Path("out") / "docs"


ALIGNMENTS = (
    (OWL.equivalentClass, "equivalent class"),
    (OWL.equivalentProperty, "equivalent property"),
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broad match"),
    (SKOS.narrowMatch, "narrow match"),
    (SKOS.relatedMatch, "related match"),
)


SECTIONS = (
    ("classes", "Classes", OWL.Class),
    ("object-properties", "Object properties", OWL.ObjectProperty),
    ("datatype-properties", "Datatype properties", OWL.DatatypeProperty),
)


MAX_EXAMPLES = 5


_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem 2rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #3a6ea5; padding-bottom: .2rem;
       margin-top: 2.5rem; }
nav ul { columns: 3; list-style: none; padding-left: 0; font-size: .9rem; }
section.term { border: 1px solid #d6dde5; border-radius: 6px; padding: .4rem 1rem;
       margin: 1rem 0; }
section.term h3 { margin: .4rem 0; } .iri { font-family: monospace; font-size: .85rem;
       color: #555; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th { text-align: left; vertical-align: top; width: 11rem; color: #3a3a3a; font-weight: 600; }
td, th { padding: .2rem .4rem; border-top: 1px solid #eef1f4; }
code, pre { background: #f4f6f8; border-radius: 3px; } pre { padding: .5rem; overflow-x: auto; }
.meta th { width: 9rem; } .rule { color: #7a2e00; }
"""


@dataclass(frozen=True)
class Docs:
    """Where the documentation was written and how many terms it covers."""

    index: Path
    terms: int


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Page:
    def __init__(self, ontology: Graph, data: Graph, shapes: Graph) -> None:
        self.o = ontology
        self.data = data
        self.shapes = shapes
        self.local_terms = {
            s
            for s in ontology.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(MSKG_IRI) and str(s) != MSKG_IRI
        }

    # ---------------------------------------------------------------- naming and links

    def label(self, term: Node, graph: Graph | None = None) -> str:
        for g in (graph, self.o, self.data):
            if g is None:
                continue
            labels = sorted(
                (v for v in g.objects(term, RDFS.label) if isinstance(v, Literal)),
                key=lambda v: (v.language not in ("en", None), str(v)),
            )
            if labels:
                return str(labels[0])
        return curie_or_iri(str(term))

    def link(self, term: Node) -> str:
        if isinstance(term, URIRef) and term in self.local_terms:
            anchor = str(term)[len(MSKG_IRI) :]
            return f'<a href="#{_e(anchor)}"><code>{_e(curie_or_iri(str(term)))}</code></a>'
        if isinstance(term, URIRef) and str(term).startswith(("http://", "https://")):
            return f'<a href="{_e(term)}"><code>{_e(curie_or_iri(str(term)))}</code></a>'
        if isinstance(term, Literal):
            return _e(term)
        return f"<code>{_e(curie_or_iri(str(term)))}</code>"

    def links(self, terms: Iterable[Node]) -> str:
        return ", ".join(self.link(t) for t in sorted(set(terms), key=str))

    def value(self, subject: Node, prop: URIRef) -> str:
        values = sorted(
            self.o.objects(subject, prop),
            key=lambda v: (getattr(v, "language", None) not in ("en", None), str(v)),
        )
        return str(values[0]) if values else ""

    # ---------------------------------------------------------------- sections

    def header(self) -> str:
        [ontology] = list(self.o.subjects(RDF.type, OWL.Ontology))[:1] or [URIRef(MSKG_IRI)]
        title = self.value(ontology, DCTERMS.title) or self.label(ontology)
        rows = [
            ("IRI", self.link(ontology)),
            ("Namespace", f"<code>{_e(MSKG_IRI)}</code> (prefix <code>mskg:</code>)"),
            ("Version", _e(self.value(ontology, OWL.versionInfo))),
            ("Version IRI", self.links(self.o.objects(ontology, OWL.versionIRI))),
            ("Created", _e(self.value(ontology, DCTERMS.created))),
            ("License", self.links(self.o.objects(ontology, DCTERMS.license))),
            ("Description", _e(self.value(ontology, DCTERMS.description))),
            ("Note", _e(self.value(ontology, RDFS.comment))),
        ]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v)
        return f"<h1>{_e(title)}</h1>\n<table class='meta'>{table}</table>\n"

    def terms_of(self, kind: URIRef) -> list[URIRef]:
        return sorted(
            (t for t in self.local_terms if (t, RDF.type, kind) in self.o),
            key=lambda t: self.label(t).casefold(),
        )

    def concepts(self) -> list[URIRef]:
        declared = {t for _, _, kind in SECTIONS for t in self.terms_of(kind)}
        return sorted(self.local_terms - declared, key=lambda t: self.label(t).casefold())

    def term(self, term: URIRef, kind: URIRef | None) -> str:
        anchor = str(term)[len(MSKG_IRI) :]
        rows: list[tuple[str, str]] = [
            ("Definition", _e(self.value(term, SKOS.definition) or self.value(term, RDFS.comment))),
            (
                "Also called",
                _e(", ".join(sorted(str(v) for v in self.o.objects(term, SKOS.altLabel)))),
            ),
        ]
        if kind == OWL.Class:
            rows += [
                ("Subclass of", self.links(self.o.objects(term, RDFS.subClassOf))),
                ("Subclasses", self.links(self.o.subjects(RDFS.subClassOf, term))),
                ("Properties", self.links(self.o.subjects(RDFS.domain, term))),
                ("Used as range of", self.links(self.o.subjects(RDFS.range, term))),
            ]
        elif kind is not None:
            rows += [
                ("Domain", self.links(self.o.objects(term, RDFS.domain))),
                ("Range", self.links(self.o.objects(term, RDFS.range))),
                ("Sub-property of", self.links(self.o.objects(term, RDFS.subPropertyOf))),
                ("Sub-properties", self.links(self.o.subjects(RDFS.subPropertyOf, term))),
            ]
        else:
            rows.append(("Type", self.links(self.o.objects(term, RDF.type))))
        for prop, name in ALIGNMENTS:
            rows.append((name.capitalize(), self.links(self.o.objects(term, prop))))
        rows.append(("Examples", self.examples(term, kind)))
        rows.append(("Validation", self.rules(term, kind)))
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v)
        return (
            f'<section class="term" id="{_e(anchor)}">\n<h3>{_e(self.label(term))}</h3>\n'
            f'<div class="iri">{_e(term)}</div>\n<table>{table}</table>\n</section>\n'
        )

    def examples(self, term: URIRef, kind: URIRef | None) -> str:
        if kind == OWL.Class:
            instances = sorted(
                {s for s in self.data.subjects(RDF.type, term) if isinstance(s, URIRef)}, key=str
            )
            if not instances:
                return ""
            shown = ", ".join(
                f"{_e(self.label(i, self.data))} ({self.link(i)})" for i in instances[:MAX_EXAMPLES]
            )
            more = len(instances) - MAX_EXAMPLES
            return shown + (f" and {more} more" if more > 0 else "")
        if kind is not None:
            uses = sorted(self.data.subject_objects(term), key=lambda so: (str(so[0]), str(so[1])))
            if not uses:
                return ""
            items = [
                f"<li>{_e(self.label(s, self.data))} → "
                f"{_e(o) if isinstance(o, Literal) else _e(self.label(o, self.data))}</li>"
                for s, o in uses[:MAX_EXAMPLES]
            ]
            more = len(uses) - MAX_EXAMPLES
            tail = f"<li>… {more} more</li>" if more > 0 else ""
            return f"<ul>{''.join(items)}{tail}</ul>"
        users = sorted(set(self.data.subjects(None, term)), key=str)
        return ", ".join(_e(self.label(s, self.data)) for s in users[:MAX_EXAMPLES])

    def rules(self, term: URIRef, kind: URIRef | None) -> str:
        messages: set[str] = set()
        if kind == OWL.Class:
            shapes = set(self.shapes.subjects(SH.targetClass, term))
        else:
            shapes = set(self.shapes.subjects(SH.targetSubjectsOf, term))
            for prop_shape in self.shapes.subjects(SH.path, term):
                messages.update(str(m) for m in self.shapes.objects(prop_shape, SH.message))
        for shape in shapes:
            for prop_shape in self.shapes.objects(shape, SH.property):
                messages.update(str(m) for m in self.shapes.objects(prop_shape, SH.message))
            for constraint in self.shapes.objects(shape, SH.sparql):
                messages.update(str(m) for m in self.shapes.objects(constraint, SH.message))
        if not messages:
            return ""
        items = "".join(f'<li class="rule">{_e(m)}</li>' for m in sorted(messages))
        return f"<ul>{items}</ul>"

    def render(self) -> tuple[str, int]:
        parts = [self.header()]
        nav = []
        body = []
        count = 0
        sections: list[tuple[str, str, list[URIRef], URIRef | None]] = [
            (anchor, title, self.terms_of(kind), kind) for anchor, title, kind in SECTIONS
        ]
        sections.append(("concepts", "Concepts", self.concepts(), None))
        for anchor, title, terms, kind in sections:
            if not terms:
                continue
            count += len(terms)
            nav.append(
                f'<li><a href="#{anchor}"><strong>{_e(title)}</strong></a></li>'
                + "".join(
                    f'<li><a href="#{_e(str(t)[len(MSKG_IRI) :])}">{_e(self.label(t))}</a></li>'
                    for t in terms
                )
            )
            body.append(f'<h2 id="{anchor}">{_e(title)}</h2>\n')
            body.extend(self.term(t, kind) for t in terms)
        parts.append(f"<nav><h2>Contents</h2><ul>{''.join(nav)}</ul></nav>\n")
        parts.extend(body)
        header = next(iter(self.o.subjects(RDF.type, OWL.Ontology)), URIRef(MSKG_IRI))
        title = _e(self.label(header))
        page = (
            "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
            f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "".join(parts)
            + "<footer><p>Generated by <code>mskg docs</code> from graph/ontology.ttl, "
            "graph/shapes.ttl and the instance data.</p></footer>\n</body>\n</html>\n"
        )
        return page, count


def render_docs(graph_dir: Path | str | None = None) -> tuple[str, int]:
    """The documentation page as HTML text, and the number of terms documented."""
    from mskg.graph.loader import graph_files, load_files, load_shapes
    from mskg.paths import default_graph_dir

    root = Path(graph_dir) if graph_dir is not None else default_graph_dir()
    files = graph_files(root)
    ontology_files = [f for f in files if f.name == "ontology.ttl"] or files
    ontology = load_files(ontology_files)
    data = load_files(files)
    shapes = load_shapes(root)
    return _Page(ontology, data, shapes).render()


def write_docs(out_dir: Path | str = DEFAULT_OUT, graph_dir: Path | str | None = None) -> Docs:
    """Write ``index.html`` into ``out_dir`` (created if needed), atomically."""
    page, count = render_docs(graph_dir)
    index = Path(out_dir) / "index.html"
    atomic_write(index, page)
    return Docs(index=index, terms=count)
