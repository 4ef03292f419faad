"""Regenerate the graph's curated mapping sets from the verified rows of the identifier tables.

Run from the repository root, with mskg importable (``pip install -e .`` or ``PYTHONPATH=src``):
``python tools/mappings_from_reference.py [TSV]`` (default ``../shared/reference/identifiers.tsv``).
It writes two mapping sets, each with its own source (``mapping_provider``):

* ``graph/mappings/mskg.sssom.tsv`` from the reference table (``mskr:reference-identifiers``),
  whose rows name an entity of the seed article (:data:`ENTITIES`);
* ``graph/mappings/mskg-page-evidenced.sssom.tsv`` from every ``tools/identifiers/*.tsv``
  (``mskr:page-evidenced-identifiers``): tables of columns ``node, scheme, id, label_at_source,
  evidence_url, status`` whose ``node`` is the mskr: slug, each row checked against the page (or
  repository file, ``github:owner/repo:path``) its ``evidence_url`` names, which the row's
  ``comment`` keeps. A new table there is read with no change here.

Two files rather than one: SSSOM propagates a set's ``mapping_provider`` to its rows only when no
row gives one, so one set cannot mix the two sources without giving a source on every row.

Only VERIFIED rows are used. The row's scheme decides the relation:

* an ATC code is a classification code, not the same concept as the drug (an ATC level-5 code
  classifies a substance for one therapeutic use; alemtuzumab has had three): ``schema:code``,
  for the current and the replaced codes alike;
* a bare scheme is an exact match (``skos:exactMatch``), except the pairs of :data:`CLOSE`, the
  nearest terms, which are close matches;
* "(broader)", "(parent disease)" or a source label saying "broader" or "broad phenotype
  grouping" is a broad match; "(related)", "(disorder)", "(... salt)" and "(brand)" are related
  matches; obsolete identifiers are skipped.

Each mapping is one row, justified ``semapv:ManualMappingCuration`` (each row of the table is a
curated decision checked against the source its evidence column names, not a matcher's output),
with the table as its source (``mapping_provider``). The files are written atomically, and only
the subjects the graph has are accepted: the subject labels are read from the graph's own files.

In the page-evidenced tables a bare scheme is an exact match, except HGNC: an HGNC identifier
names the gene that encodes a protein, not the protein, so it is a related match. A scheme may
carry a qualifier, ``UniProt (related)``, ``MeSH (broader)``, ``MONDO (narrower)`` or
``HPO (close)``. A row whose scheme, identifier or columns mskg cannot read stops the tool at its
file and line rather than being dropped; so does one node mapped to one identifier twice with two
relations. A mapping the reference table already gives is not repeated.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from mskg.atomic import atomic_write
from mskg.graph.loader import graph_files, load_files
from mskg.graph.sssom import format_mapping_set, is_mapping_file
from mskg.prefixes import PREFIXES, RESOURCE_IRI

#: Where the mapping sets go, in a graph folder.
OUTPUT = Path("mappings") / "mskg.sssom.tsv"
PAGE_OUTPUT = Path("mappings") / "mskg-page-evidenced.sssom.tsv"

SOURCE = RESOURCE_IRI + "reference-identifiers"
PAGE_SOURCE = RESOURCE_IRI + "page-evidenced-identifiers"

#: The tables of identifiers checked against public pages, one per curation task.
IDENTIFIER_TABLES = Path(__file__).resolve().parent / "identifiers"
PAGE_COLUMNS = ("node", "scheme", "id", "label_at_source", "evidence_url", "status")

ENTITIES = {
    "alemtuzumab (Lemtrada)": "alemtuzumab",
    "natalizumab (Tysabri)": "natalizumab",
    "mitoxantrone": "mitoxantrone",
    "ocrelizumab (Ocrevus)": "ocrelizumab",
    "rituximab (Rituxan)": "rituximab",
    "methylprednisolone (Solu-Medrol)": "methylprednisolone",
    "intravenous immunoglobulin (IVIG)": "ivig",
    "plasmapheresis (procedure)": "plasmapheresis",
    "B lymphocyte (B cell)": "b-cell",
    "T lymphocyte (T cell)": "t-cell",
    "white blood cell (leukocyte)": "leukocyte",
    "multiple sclerosis": "multiple-sclerosis",
    "relapsing-remitting multiple sclerosis": "relapsing-remitting-ms",
    "secondary progressive multiple sclerosis": "secondary-progressive-ms",
    "primary progressive multiple sclerosis": "primary-progressive-ms",
    "progressive multifocal leukoencephalopathy (PML)": "pml",
    "Guillain-Barré syndrome": "guillain-barre-syndrome",
    "urinary tract infection": "urinary-tract-infection",
    "headache": "headache",
    "fatigue": "fatigue",
    "nausea": "nausea",
    "vomiting": "vomiting",
    "rash": "rash",
    "fever": "fever",
    "chills": "chills",
    "flushing": "flushing",
    "bone pain": "bone-pain",
    "jaundice": "jaundice",
    "depression": "depression",
    "alopecia (hair loss)": "hair-loss",
    "amenorrhea": "amenorrhea",
    "congestive heart failure": "congestive-heart-failure",
    "kidney failure": "kidney-failure",
    "hepatitis B reactivation": "hepatitis-b-reactivation",
    "herpes zoster (shingles)": "shingles-reactivation",
    "urticaria (hives)": "hives",
    "stomatitis (mouth sores)": "mouth-sores",
    "thyroid disease": "thyroid-disorder",
    "common cold": "common-cold",
    "rheumatoid arthritis": "rheumatoid-arthritis",
    "non-Hodgkin lymphoma": "non-hodgkin-lymphoma",
    "chronic lymphocytic leukemia": "chronic-lymphocytic-leukemia",
    "cancer": "cancer",
    "breast cancer": "breast-cancer",
}

OBO = "http://purl.obolibrary.org/obo/"

#: Scheme of the table -> (CURIE prefix, namespace). The prefixes are Biolink's, as in the KGX
#: export; the namespaces give the IRIs the graph has always used.
SCHEMES: dict[str, tuple[str, str]] = {
    "DrugBank": ("DRUGBANK", "https://go.drugbank.com/drugs/"),
    "MeSH": ("MESH", "http://id.nlm.nih.gov/mesh/"),
    "Wikidata": ("WIKIDATA", "http://www.wikidata.org/entity/"),
    "PubChem CID": ("PUBCHEM.COMPOUND", "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID"),
    "UMLS": ("UMLS", "https://bioregistry.io/umls:"),
    "UNII": ("UNII", "https://bioregistry.io/unii:"),
    "ATC": ("ATC", "https://bioregistry.io/atc:"),
    "RxNorm": ("RXCUI", "https://bioregistry.io/rxnorm:"),
    "ICD-10": ("ICD10", "https://bioregistry.io/icd10:"),
    "ICD-10-CM": ("ICD10CM", "https://bioregistry.io/icd10cm:"),
    "Cell Ontology": ("CL", OBO + "CL_"),
    "DOID": ("DOID", OBO + "DOID_"),
    "MONDO": ("MONDO", OBO + "MONDO_"),
    "HPO": ("HP", OBO + "HP_"),
    "ChEBI": ("CHEBI", OBO + "CHEBI_"),
    "UniProt": ("UniProtKB", "http://purl.uniprot.org/uniprot/"),
    "HGNC": ("HGNC", "https://identifiers.org/hgnc:"),
}

#: What an identifier of a page-evidenced table must look like, by CURIE prefix (after the prefix
#: is taken off): a typo or a label pasted into the id column stops the tool.
ID_PATTERNS = {
    "UniProtKB": r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}",
    "HGNC": r"[1-9][0-9]*",
    "DOID": r"[0-9]+",
    "MONDO": r"[0-9]{7}",
    "HP": r"[0-9]{7}",
    "MESH": r"[CDM][0-9]{6,9}",
    "UMLS": r"C[0-9]{7}",
    "WIKIDATA": r"Q[1-9][0-9]*",
    "ICD10CM": r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?",
    "CL": r"[0-9]{7}",
    "CHEBI": r"[1-9][0-9]*",
}

# Rows that are the nearest term, not the same concept, and why.
CLOSE = {
    ("urinary tract infection", "HP:0000010"): "HPO has only recurrent urinary tract infections.",
    ("depression", "HP:0000716"): "HPO's depressivity is the nearest term to low mood.",
    ("depression", "DOID:1596"): "A diagnosis of depressive disorder; the article means low mood.",
    ("depression", "MONDO:0002050"): (
        "A diagnosis of depressive disorder; the article means low mood."
    ),
    ("cancer", "D009369"): "MeSH Neoplasms names tumours of any behaviour, wider than cancer.",
    ("breast cancer", "D001943"): (
        "MeSH Breast Neoplasms names tumours of any behaviour, wider than breast cancer."
    ),
}
BROAD_BY_LABEL = ("broader", "broad phenotype grouping")

EXACT, CLOSE_MATCH = "skos:exactMatch", "skos:closeMatch"
BROAD, RELATED, CODE = "skos:broadMatch", "skos:relatedMatch", "schema:code"
NARROW = "skos:narrowMatch"

#: Qualifiers a page-evidenced table's scheme may carry: the relation, and the row's comment.
PAGE_QUALIFIERS = {
    "related": (RELATED, "A related term at the source, not the same concept."),
    "broader": (BROAD, "The source's term is broader."),
    "narrower": (NARROW, "The source's term is narrower."),
    "close": (CLOSE_MATCH, "The nearest term at the source, not the same concept."),
}
GENE_NOT_PROTEIN = "HGNC names the gene that encodes the protein, not the protein itself."


@dataclass(frozen=True)
class Selected:
    """A verified row of the table, as the mapping it gives."""

    node: str  # the local name under mskr:
    predicate: str  # a CURIE
    prefix: str
    local: str
    label: str  # the table's label_at_source
    comment: str
    evidence: tuple[str, ...] = ()  # the pages a page-evidenced row was checked against

    @property
    def full_comment(self) -> str:
        """The row's comment, and the evidence addresses of a page-evidenced mapping."""
        shown = f"Evidence: {' | '.join(self.evidence)}" if self.evidence else ""
        return " ".join(part for part in (self.comment, shown) if part)

    @property
    def iri(self) -> str:
        return SCHEMES_BY_PREFIX[self.prefix] + self.local

    @property
    def record(self) -> str:
        """``mskr:xref-<node>-<slug>``, the names the records have always had."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.iri.rsplit("/", 1)[-1]).strip("-").lower()
        return f"mskr:xref-{self.node}-{slug}"


SCHEMES_BY_PREFIX = dict(SCHEMES.values())


def relation(entity: str, scheme: str, ident: str, label: str) -> tuple[str, str] | None:
    """(predicate, comment) for a verified row, or None to leave it out."""
    base, _, qualifier = scheme.partition(" (")
    qualifier = qualifier.rstrip(")")
    if "obsolete" in qualifier:
        return None
    if base == "ATC":
        replaced = "Replaced ATC code, kept for data that still uses it." if qualifier else ""
        return CODE, replaced
    if qualifier in ("broader", "parent disease"):
        return BROAD, f"The reference table gives the {qualifier} of the entity."
    if any(b in label for b in BROAD_BY_LABEL):
        return BROAD, "The reference table gives a broader term."
    if qualifier and qualifier != "WHO":
        return RELATED, f"The reference table gives a {qualifier} term, not the same concept."
    if (entity, ident) in CLOSE:
        return CLOSE_MATCH, CLOSE[(entity, ident)]
    return EXACT, ""


def select(tsv: Path) -> list[Selected]:
    """The mappings the table's VERIFIED rows give, in the order of the file."""
    selected = []
    with tsv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["status"] != "VERIFIED" or row["entity"] not in ENTITIES:
                continue
            base = row["scheme"].split(" (")[0]
            found = relation(row["entity"], row["scheme"], row["id"], row["label_at_source"])
            if found is None or base not in SCHEMES:
                continue
            prefix = SCHEMES[base][0]
            local = row["id"].removeprefix(f"{prefix}:")
            node = ENTITIES[row["entity"]]
            predicate, comment = found
            label = row["label_at_source"]
            selected.append(Selected(node, predicate, prefix, local, label, comment))
    return selected


@dataclass(frozen=True)
class SetDescription:
    """What tells the tool's mapping sets apart: their file, text, source and how to fix a row."""

    output: Path  # in a graph folder
    title: str
    description: str
    provider: str  # the IRI of the source node, the set's mapping_provider
    comment: str
    fix: str  # where a row naming a node the graph lacks is fixed

    @property
    def set_id(self) -> str:
        return f"https://w3id.org/mskg/mappings/{self.output.name}"


REFERENCE_SET = SetDescription(
    output=OUTPUT,
    title="mskg cross-references",
    description=(
        "The nodes of the mskg graph of multiple sclerosis infusion treatments, mapped to "
        "DrugBank, ChEBI, MeSH, Wikidata, Cell Ontology, MONDO, DOID, HPO, UMLS, RxNorm, "
        "UNII, ICD-10 and PubChem, and the ATC codes of its drugs."
    ),
    provider=SOURCE,
    comment=(
        "Generated from the VERIFIED rows of the mskg reference identifier table by "
        "tools/mappings_from_reference.py: edit the table, not this file."
    ),
    fix="fix ENTITIES",
)

PAGE_SET = SetDescription(
    output=PAGE_OUTPUT,
    title="mskg cross-references checked against public pages",
    description=(
        "Nodes the drug-label layer added to the mskg graph of multiple sclerosis infusion "
        "treatments (proteins, diseases, effects), mapped to {schemes}; each identifier was "
        "checked against a public page or repository file that shows it with its name, whose "
        "address the row's comment gives."
    ),
    provider=PAGE_SOURCE,
    comment=(
        "Generated from the VERIFIED rows of tools/identifiers/*.tsv by "
        "tools/mappings_from_reference.py: edit those tables, not this file."
    ),
    fix="fix the node column of tools/identifiers/*.tsv",
)


def mapping_set_text(
    selected: list[Selected], labels: dict[str, str], kind: SetDescription = REFERENCE_SET
) -> str:
    """The SSSOM/TSV text of the mappings; ``labels`` gives each node's rdfs:label."""
    missing = sorted({s.node for s in selected} - labels.keys())
    if missing:
        raise SystemExit(f"not in the graph ({kind.fix}): {', '.join(missing)}")
    used = sorted({s.prefix for s in selected})
    names = [scheme for scheme, (prefix, _) in SCHEMES.items() if prefix in used]
    schemes = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
    code = kind is REFERENCE_SET or any(s.predicate == CODE for s in selected)
    metadata = {
        "curie_map": {
            "mskr": RESOURCE_IRI,
            **({"schema": PREFIXES["schema"]} if code else {}),
            **{prefix: SCHEMES_BY_PREFIX[prefix] for prefix in used},
        },
        "mapping_set_id": kind.set_id,
        "mapping_set_title": kind.title,
        "mapping_set_description": kind.description.format(schemes=schemes),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": kind.provider,
        "mapping_tool": "tools/mappings_from_reference.py",
        "sssom_version": "1.1",
        "comment": kind.comment,
    }
    rows = [
        {
            "record_id": s.record,
            "subject_id": f"mskr:{s.node}",
            "subject_label": labels[s.node],
            "predicate_id": s.predicate,
            "object_id": f"{s.prefix}:{s.local}",
            "object_label": s.label,
            "mapping_justification": "semapv:ManualMappingCuration",
            "comment": s.full_comment,
        }
        for s in sorted(selected, key=lambda s: (s.node, s.predicate, s.iri))
    ]
    return format_mapping_set(metadata, rows)


def page_mapping(row: dict[str, str], place: str) -> Selected:
    """The mapping a VERIFIED row of a page-evidenced table gives; ``place`` is its file:line."""
    scheme = row["scheme"]
    base, _, qualifier = scheme.partition(" (")
    qualifier = qualifier.removesuffix(")")
    if base not in SCHEMES or (qualifier and qualifier not in PAGE_QUALIFIERS):
        raise SystemExit(
            f"{place}: scheme {scheme!r} is not one mskg reads: use one of "
            f"{', '.join(SCHEMES)}, optionally followed by "
            f"{', '.join(f'({q})' for q in PAGE_QUALIFIERS)}"
        )
    prefix = SCHEMES[base][0]
    local = row["id"].removeprefix(f"{prefix}:").removeprefix(f"{base}:")
    pattern = ID_PATTERNS.get(prefix)
    if pattern is not None and not re.fullmatch(pattern, local):
        raise SystemExit(f"{place}: {row['id']!r} is not a {base} identifier")
    node = row["node"].removeprefix("mskr:")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", node):
        raise SystemExit(f"{place}: node {row['node']!r} is not an mskr: slug (crohns-disease)")
    evidence = row["evidence_url"]
    if not re.match(r"(https?://|github:[^/\s]+/[^/\s:]+:)\S+$", evidence):
        raise SystemExit(
            f"{place}: evidence_url {evidence!r} is neither a page address (https://...) nor a "
            "repository file (github:owner/repo:path)"
        )
    if not row["label_at_source"]:
        raise SystemExit(f"{place}: label_at_source is empty: give the name the page shows")
    if base == "ATC":
        predicate, comment = CODE, ""
    elif qualifier:
        predicate, comment = PAGE_QUALIFIERS[qualifier]
    elif base == "HGNC":
        predicate, comment = RELATED, GENE_NOT_PROTEIN
    else:
        predicate, comment = EXACT, ""
    return Selected(node, predicate, prefix, local, row["label_at_source"], comment, (evidence,))


def select_pages(
    folder: Path = IDENTIFIER_TABLES, reference: list[Selected] | tuple[Selected, ...] = ()
) -> list[Selected]:
    """The mappings the VERIFIED rows of every ``*.tsv`` in ``folder`` give, less those the
    reference mappings ``reference`` already give; a node mapped to one identifier in several
    rows is one mapping, with the evidence of each."""
    given = {(s.node, s.iri): s.predicate for s in reference}
    found: dict[tuple[str, str], tuple[Selected, str]] = {}
    for table in sorted(folder.glob("*.tsv")):
        with table.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = [c for c in PAGE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SystemExit(
                    f"{table}:1: the column names lack {', '.join(missing)} (a table of "
                    f"tools/identifiers has {', '.join(PAGE_COLUMNS)})"
                )
            for raw in reader:
                place = f"{table}:{reader.line_num}"
                if any(raw.get(c) is None for c in PAGE_COLUMNS):
                    raise SystemExit(f"{place}: expected {len(reader.fieldnames or [])} columns")
                row = {column: raw[column].strip() for column in PAGE_COLUMNS}
                if row["status"] != "VERIFIED":
                    continue
                mapping = page_mapping(row, place)
                key = (mapping.node, mapping.iri)
                curie = f"{mapping.prefix}:{mapping.local}"
                if key in given:
                    if given[key] != mapping.predicate:
                        raise SystemExit(
                            f"{place}: the reference table maps mskr:{mapping.node} to {curie} "
                            f"with {given[key]}, this row with {mapping.predicate}: settle on one"
                        )
                    continue  # already in the reference set
                if key in found:
                    earlier, first = found[key]
                    if earlier.predicate != mapping.predicate:
                        raise SystemExit(
                            f"{place}: mskr:{mapping.node} to {curie} is {mapping.predicate} "
                            f"here and {earlier.predicate} at {first}: settle on one"
                        )
                    evidence = earlier.evidence + tuple(
                        e for e in mapping.evidence if e not in earlier.evidence
                    )
                    found[key] = (replace(earlier, evidence=evidence), first)
                    continue
                found[key] = (mapping, place)
    return [mapping for mapping, _ in found.values()]


def node_labels(graph_dir: Path) -> dict[str, str]:
    """The English rdfs:label of each mskr: node, read from the graph's RDF files."""
    from rdflib import RDFS, Literal

    graph = load_files(f for f in graph_files(graph_dir) if not is_mapping_file(f))
    labels: dict[str, str] = {}
    for node, label in sorted(graph.subject_objects(RDFS.label)):
        text = str(node)
        english = isinstance(label, Literal) and label.language in ("en", None)
        if text.startswith(RESOURCE_IRI) and english:
            labels.setdefault(text[len(RESOURCE_IRI) :], str(label))
    return labels


def main(
    tsv: Path, graph_dir: Path = Path("graph"), tables: Path = IDENTIFIER_TABLES
) -> list[Path]:
    """Write the mapping set of the reference table ``tsv``, and that of the page-evidenced
    tables in ``tables``, into the graph folder ``graph_dir``; the files written, the reference
    set first. With no VERIFIED page-evidenced row there is no second set (a set without rows is
    not one mskg reads), and a stale one is removed."""
    labels = node_labels(graph_dir)
    reference = select(tsv)
    pages = select_pages(tables, reference)
    texts = {graph_dir / OUTPUT: mapping_set_text(reference, labels)}
    page_out = graph_dir / PAGE_OUTPUT
    if pages:
        texts[page_out] = mapping_set_text(pages, labels, PAGE_SET)
    for out, text in texts.items():
        atomic_write(out, text)
    if not pages:
        page_out.unlink(missing_ok=True)
    return list(texts)


if __name__ == "__main__":
    default = Path("../shared/reference/identifiers.tsv")
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else default):
        print(f"wrote {written}", file=sys.stderr)
