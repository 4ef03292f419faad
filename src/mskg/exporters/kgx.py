"""KGX TSV export: ``nodes.tsv`` and ``edges.tsv`` with Biolink categories and predicates.

KGX (https://github.com/biolink/kgx) is the exchange format of Biolink knowledge graphs. To merge
with them, a node's ``id`` is its preferred external identifier where the graph has one
(``skos:exactMatch`` to PubChem, DrugBank, MONDO, HPO, Cell Ontology...), as a Biolink CURIE
(``DRUGBANK:DB00108``); other nodes keep their mskg CURIE (``mskr:natalizumab``). All the node's
other identifiers go to ``xref``.

Categories and predicates come from the ontology's own alignments (``skos:closeMatch``, or
``skos:broadMatch`` where the nearest Biolink term is wider; ``rdfs:subClassOf`` /
``rdfs:subPropertyOf``), following the mskg class or property hierarchy up to the first aligned
term; ``skos:relatedMatch`` and ``rdfs:seeAlso`` name related terms, not equivalents, and are not
followed. Properties with no Biolink predicate become ``biolink:related_to`` with the mskg
property in ``original_predicate``. An edge's category is the Biolink association class of its
predicate where Biolink has one (side effects, treatments), else ``biolink:Association``. A
triple described by association nodes gives one edge per association, as Biolink keeps one
association per statement of a source: each edge has its association's id, qualifiers
(frequency, potentially fatal, frequency bounds) and sources, so a fact that the article and a
drug label both state is two edges, the article's qualifiers and source on one, the label's on
the other. Other edges take the sources of their subject node. ``tests/test_biolink.py`` checks
every category and predicate against the Biolink model the ``biolink-model`` package ships.

The export is not lossless: datatype values (doses, durations) and the source documents stay in
the RDF exports. It is deterministic: the same graph gives the same files.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS
from rdflib.term import Node

from mskg.atomic import atomic_write
from mskg.errors import UsageError
from mskg.graph.hierarchy import subclasses
from mskg.graph.network import IDENTIFIER_PREDICATES, SOURCE_PREDICATES
from mskg.prefixes import MSKG_IRI, RESOURCE_IRI, curie_converter
from mskg.vocab import BIOLINK, MSKG, SCHEMA

if TYPE_CHECKING:
    from curies import Converter

SIDER_SOURCE = URIRef(RESOURCE_IRI + "sider-4-1")


#: The Biolink association class of every ``biolink:has_side_effect`` edge: a chemical, drug or
#: treatment (plasmapheresis is a procedure) to a disease or phenotypic feature that is its side
#: effect. ChemicalToDiseaseOrPhenotypicFeatureAssociation would claim a chemical subject.
SIDE_EFFECT_ASSOCIATION = "biolink:ChemicalOrDrugOrTreatmentSideEffectAssociation"


#: Edge category by predicate: the Biolink association class whose predicate it is (Biolink's
#: ``slot_usage``: treats, applied_to_treat... descend from treats_or_applied_or_studied_to_treat).
EDGE_CATEGORIES = {
    "biolink:has_side_effect": SIDE_EFFECT_ASSOCIATION,
    "biolink:treats": "biolink:ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation",
    "biolink:applied_to_treat": (
        "biolink:ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation"
    ),
}


NODE_COLUMNS = (
    "id",
    "category",
    "name",
    "description",
    "synonym",
    "xref",
    "iri",
    "provided_by",
    "mskg_sources",
)


EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "original_predicate",
    "primary_knowledge_source",
    "aggregator_knowledge_source",
    "knowledge_level",
    "agent_type",
    "frequency_qualifier",
    "frequency_lower_bound",
    "frequency_upper_bound",
    "potentially_fatal",
    "only_if_pre_existing",
    "mskg_association",
    "mskg_sources",
)


#: Biolink CURIE prefix -> namespace, for the cross-references mskg uses (beside mskg's own
#: prefixes, which KGX ids use too: ``mskr:natalizumab``, ``biolink:Drug``).
KGX_PREFIXES: dict[str, str] = {
    "PUBCHEM.COMPOUND": "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID",
    "DRUGBANK": "https://go.drugbank.com/drugs/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "WIKIDATA": "http://www.wikidata.org/entity/",
    "UMLS": "https://bioregistry.io/umls:",
    "RXCUI": "https://bioregistry.io/rxnorm:",
    "UNII": "https://bioregistry.io/unii:",
    "ATC": "https://bioregistry.io/atc:",
    "ICD10": "https://bioregistry.io/icd10:",
}


OBO = "http://purl.obolibrary.org/obo/"


#: Which identifier becomes the node id, by Biolink category (first prefix found wins).
PREFERRED_IDS: dict[str, tuple[str, ...]] = {
    "biolink:Drug": ("PUBCHEM.COMPOUND", "CHEBI", "UNII", "DRUGBANK", "MESH", "RXCUI"),
    "biolink:Disease": ("MONDO", "DOID", "MESH", "UMLS"),
    "biolink:DiseaseOrPhenotypicFeature": ("MONDO", "HP", "DOID", "MESH", "UMLS"),
    "biolink:PhenotypicFeature": ("HP", "UMLS", "MESH"),
    "biolink:Cell": ("CL",),
    "biolink:AnatomicalEntity": ("UBERON", "MESH"),
}


#: Categories for mskg classes with no Biolink class among their alignments.
FALLBACK_CATEGORIES = {str(MSKG.RegulatoryAgency): "biolink:Agent"}


#: Predicates for properties outside the mskg namespace.
EXTERNAL_PREDICATES = {
    str(SKOS.broader): "biolink:subclass_of",
    str(SCHEMA.drugClass): "biolink:member_of",
}


#: Properties that are not edges: labels, mappings, provenance, reification.
NOT_EDGES = {
    RDF.type,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    RDFS.label,
    RDFS.comment,
    *SOURCE_PREDICATES,
    *IDENTIFIER_PREDICATES,
    SKOS.altLabel,
    SKOS.definition,
    SKOS.note,
}


_ALIGNMENTS = (SKOS.exactMatch, OWL.equivalentClass, OWL.equivalentProperty, SKOS.closeMatch)


_PARENTS = (RDFS.subClassOf, RDFS.subPropertyOf)


#: Wider Biolink terms, used when a term has no nearer one at its level of the hierarchy: a
#: broader category or predicate is still true of the node or edge.
_WIDER = (SKOS.broadMatch,)


#: A node with the general category and a specific one keeps the specific one only. A procedure
#: used as a treatment (plasmapheresis) keeps both: biolink:Procedure is no treatment in Biolink,
#: and the domain of biolink:treats is a chemical, drug or treatment.
_SPECIFIC = {
    "biolink:Treatment": ("biolink:Drug",),
    "biolink:DiseaseOrPhenotypicFeature": ("biolink:Disease", "biolink:PhenotypicFeature"),
}


@functools.cache
def _converter() -> Converter:
    return curie_converter(KGX_PREFIXES)


def curie(iri: str) -> str:
    """The Biolink-style CURIE of an IRI (the IRI itself when no prefix is known)."""
    if iri.startswith(OBO):
        # OBO IRIs spell the prefix in the local name (MONDO_0005301), so no prefix map holds them.
        local = iri[len(OBO) :]
        if "_" in local:
            prefix, _, rest = local.partition("_")
            return f"{prefix}:{rest}"
    return _converter().compress(iri) or iri


def _biolink(graph: Graph, term: URIRef, want_class: bool) -> str | None:
    """The Biolink term ``term`` (an mskg class or property) aligns to, up its hierarchy."""
    seen: set[Node] = set()
    frontier: list[Node] = [term]
    while frontier:
        current = frontier.pop(0)
        if current in seen or not isinstance(current, URIRef):
            continue
        seen.add(current)
        for prop in (*_ALIGNMENTS, *_PARENTS, *_WIDER):
            for target in sorted(graph.objects(current, prop), key=str):
                text = str(target)
                if not text.startswith(str(BIOLINK)):
                    continue
                local = text[len(str(BIOLINK)) :]
                if want_class and local[:1].isupper():
                    return f"biolink:{local}"
                if not want_class and local[:1].islower() and not local.endswith("qualifier"):
                    return f"biolink:{local}"
        for prop in _PARENTS:
            frontier.extend(
                p
                for p in sorted(graph.objects(current, prop), key=str)
                if str(p).startswith(MSKG_IRI)
            )
    return None


def _text(values: Iterable[Node]) -> list[str]:
    """Literal values, English first, then in order; without tabs or line breaks."""
    items = sorted(
        (v for v in values if isinstance(v, Literal)),
        key=lambda v: (v.language not in ("en", None), str(v)),
    )
    return [" ".join(str(v).split()) for v in items]


def _join(values: Iterable[str]) -> str:
    return "|".join(dict.fromkeys(v for v in values if v))


def _is_association(graph: Graph, node: Node, association_classes: set[Node]) -> bool:
    return any(t in association_classes for t in graph.objects(node, RDF.type))


def kgx_tables(graph: Graph) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The node and edge rows of the KGX export, sorted."""
    association_classes = subclasses(graph, MSKG.Association) | {RDF.Statement}
    source_classes = subclasses(graph, MSKG.InformationSource) | subclasses(
        graph, MSKG.SourceSection
    )
    category_of: dict[Node, str | None] = {}

    def class_category(cls: Node) -> str | None:
        if cls not in category_of:
            found = _biolink(graph, cls, want_class=True) if isinstance(cls, URIRef) else None
            category_of[cls] = found or FALLBACK_CATEGORIES.get(str(cls))
        return category_of[cls]

    # Nodes: instances of mskg classes, other than associations, sources and ontology terms.
    nodes: dict[URIRef, list[str]] = {}
    for subject, cls in graph.subject_objects(RDF.type):
        if not isinstance(subject, URIRef) or not str(cls).startswith(MSKG_IRI):
            continue
        if str(subject).startswith(MSKG_IRI) and (subject, RDF.type, OWL.Class) in graph:
            continue
        if cls in association_classes or cls in source_classes:
            continue
        if _is_association(graph, subject, association_classes):
            continue
        category = class_category(cls) or "biolink:NamedThing"
        nodes.setdefault(subject, []).append(category)

    ids: dict[URIRef, str] = {}
    claimed: dict[str, list[URIRef]] = {}
    xrefs: dict[URIRef, list[str]] = {}
    for node, categories in nodes.items():
        cats = set(categories)
        for general, specific in _SPECIFIC.items():
            if general in cats and cats & set(specific):
                cats.discard(general)
        if len(cats) > 1:
            cats.discard("biolink:NamedThing")
        nodes[node] = sorted(cats)
        refs = sorted(curie(str(o)) for o in graph.objects(node, SKOS.exactMatch))
        xrefs[node] = refs
        chosen = curie(str(node))
        for category in nodes[node]:
            for prefix in PREFERRED_IDS.get(category, ()):
                match = next((r for r in refs if r.startswith(prefix + ":")), None)
                if match:
                    chosen = match
                    break
            else:
                continue
            break
        ids[node] = chosen
        claimed.setdefault(chosen, []).append(node)
    for owners in claimed.values():
        if len(owners) > 1:  # two mskg nodes share an identifier: keep them apart
            for owner in owners:
                ids[owner] = curie(str(owner))

    def sources(node: Node) -> list[str]:
        # prov:wasDerivedFrom for entities and associations, dcterms:source for agents
        found = {s for p in SOURCE_PREDICATES for s in graph.objects(node, p)}
        return sorted(curie(str(s)) for s in found)

    node_rows = []
    for node in nodes:
        own = curie(str(node))
        synonyms = _text(graph.objects(node, SKOS.altLabel))
        synonyms += _text(graph.objects(node, SCHEMA.proprietaryName))
        node_sources = sources(node)
        node_rows.append(
            {
                "id": ids[node],
                "category": _join(nodes[node]),
                "name": next(iter(_text(graph.objects(node, RDFS.label))), ""),
                "description": next(iter(_text(graph.objects(node, SKOS.definition))), ""),
                "synonym": _join(synonyms),
                "xref": _join(r for r in [own, *xrefs[node]] if r != ids[node]),
                "iri": str(node),
                "provided_by": _knowledge_source(node_sources),
                "mskg_sources": _join(node_sources),
            }
        )
    node_rows.sort(key=lambda row: row["id"])

    # Associations by the triple they reify: all of them, one per source that states it.
    reified: dict[tuple[Node, Node, Node], list[Node]] = {}
    for statement in graph.subjects(RDF.subject, None):
        if not _is_association(graph, statement, association_classes):
            continue
        about = graph.value(statement, RDF.subject)
        verb = graph.value(statement, RDF.predicate)
        target = graph.value(statement, RDF.object)
        if about is not None and verb is not None and target is not None:
            reified.setdefault((about, verb, target), []).append(statement)

    predicate_of: dict[Node, str] = {}

    def predicate(prop: URIRef) -> str:
        if prop not in predicate_of:
            if str(prop) in EXTERNAL_PREDICATES:
                predicate_of[prop] = EXTERNAL_PREDICATES[str(prop)]
            else:
                predicate_of[prop] = _biolink(graph, prop, want_class=False) or "biolink:related_to"
        return predicate_of[prop]

    def edges() -> Iterator[tuple[URIRef, URIRef, URIRef, Node | None]]:
        """Each edge: a triple between nodes with one of its associations, or with None."""
        for s, p, o in graph:
            if p in NOT_EDGES or s not in nodes or o not in nodes:
                continue
            assert isinstance(s, URIRef) and isinstance(o, URIRef) and isinstance(p, URIRef)
            described = sorted(reified.get((s, p, o), []), key=str)
            if not described:
                yield s, p, o, None
            for association in described:
                yield s, p, o, association

    edge_rows = []
    for s, p, o, association in edges():
        edge_sources = sources(association) if association is not None else sources(s)
        knowledge_source = _knowledge_source(edge_sources)
        row = dict.fromkeys(EDGE_COLUMNS, "")
        row.update(
            {
                "subject": ids[s],
                "predicate": predicate(p),
                "object": ids[o],
                "category": "biolink:Association",
                "original_predicate": curie(str(p)),
                "primary_knowledge_source": knowledge_source,
                "aggregator_knowledge_source": (
                    "infores:mskg" if knowledge_source != "infores:mskg" else ""
                ),
                "knowledge_level": "knowledge_assertion",
                "agent_type": (
                    "text_mining_agent" if knowledge_source == "infores:sider" else "manual_agent"
                ),
                "mskg_sources": _join(edge_sources),
            }
        )
        row["category"] = EDGE_CATEGORIES.get(row["predicate"], "biolink:Association")
        if association is not None:
            row["id"] = curie(str(association))
            row["mskg_association"] = str(association)
            frequency = graph.value(association, MSKG.frequency)
            row["frequency_qualifier"] = curie(str(frequency)) if frequency is not None else ""
            for column, prop in (
                ("frequency_lower_bound", MSKG.frequencyLowerBound),
                ("frequency_upper_bound", MSKG.frequencyUpperBound),
                ("potentially_fatal", MSKG.potentiallyFatal),
                ("only_if_pre_existing", MSKG.onlyIfPreExisting),
            ):
                value = graph.value(association, prop)
                row[column] = str(value) if value is not None else ""
        else:
            digest = hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:16]
            row["id"] = f"mskr:edge-{digest}"
        edge_rows.append(row)
    edge_rows.sort(key=lambda r: (r["subject"], r["predicate"], r["object"], r["id"]))
    return node_rows, edge_rows


def _knowledge_source(sources: list[str]) -> str:
    """``infores:sider`` when every source is SIDER 4.1 or one of its files, else mskg."""
    sider = curie(str(SIDER_SOURCE))
    if sources and all(s == sider or s.startswith(sider + "-") for s in sources):
        return "infores:sider"
    return "infores:mskg"


def _tsv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=columns,
        delimiter="\t",
        lineterminator="\n",
        quoting=csv.QUOTE_NONE,
        escapechar="\\",
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_kgx(graph: Graph, out_dir: Path) -> tuple[Path, Path]:
    """Write ``nodes.tsv`` and ``edges.tsv`` (KGX TSV) into ``out_dir``, atomically each."""
    node_rows, edge_rows = kgx_tables(graph)
    nodes_path, edges_path = out_dir / "nodes.tsv", out_dir / "edges.tsv"
    atomic_write(nodes_path, _tsv(node_rows, NODE_COLUMNS))
    atomic_write(edges_path, _tsv(edge_rows, EDGE_COLUMNS))
    return nodes_path, edges_path


def write(graph: Graph, fmt: str, out: Path | str | None) -> None:
    """Write ``nodes.tsv`` and ``edges.tsv`` into the folder ``out``."""
    if out is None:
        raise UsageError("kgx writes nodes.tsv and edges.tsv: give a folder with -o")
    write_kgx(graph, Path(out))
