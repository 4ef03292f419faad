"""Regenerate graph/mappings/mskg.sssom.tsv from the verified rows of the reference table.

Run from the repository root, with mskg importable (``pip install -e .`` or ``PYTHONPATH=src``):
``python tools/mappings_from_reference.py [TSV]`` (default ``../shared/reference/identifiers.tsv``).
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
with the table as its source (``mapping_provider``). The file is written atomically, and only
the subjects the graph has are accepted: the subject labels are read from the graph's own files.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from mskg.atomic import atomic_write
from mskg.graph.loader import graph_files, load_files
from mskg.graph.sssom import format_mapping_set, is_mapping_file
from mskg.prefixes import PREFIXES, RESOURCE_IRI

#: Where the mapping set goes, in a graph folder.
OUTPUT = Path("mappings") / "mskg.sssom.tsv"

SOURCE = RESOURCE_IRI + "reference-identifiers"

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


@dataclass(frozen=True)
class Selected:
    """A verified row of the table, as the mapping it gives."""

    node: str  # the local name under mskr:
    predicate: str  # a CURIE
    prefix: str
    local: str
    label: str  # the table's label_at_source
    comment: str

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


def mapping_set_text(selected: list[Selected], labels: dict[str, str]) -> str:
    """The SSSOM/TSV text of the mappings; ``labels`` gives each node's rdfs:label."""
    missing = sorted({s.node for s in selected} - labels.keys())
    if missing:
        raise SystemExit(f"not in the graph (fix ENTITIES): {', '.join(missing)}")
    used = sorted({s.prefix for s in selected})
    metadata = {
        "curie_map": {
            "mskr": RESOURCE_IRI,
            "schema": PREFIXES["schema"],
            **{prefix: SCHEMES_BY_PREFIX[prefix] for prefix in used},
        },
        "mapping_set_id": "https://w3id.org/mskg/mappings/mskg.sssom.tsv",
        "mapping_set_title": "mskg cross-references",
        "mapping_set_description": (
            "The nodes of the mskg graph of multiple sclerosis infusion treatments, mapped to "
            "DrugBank, ChEBI, MeSH, Wikidata, Cell Ontology, MONDO, DOID, HPO, UMLS, RxNorm, "
            "UNII, ICD-10 and PubChem, and the ATC codes of its drugs."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": SOURCE,
        "mapping_tool": "tools/mappings_from_reference.py",
        "sssom_version": "1.1",
        "comment": (
            "Generated from the VERIFIED rows of the mskg reference identifier table by "
            "tools/mappings_from_reference.py: edit the table, not this file."
        ),
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
            "comment": s.comment,
        }
        for s in sorted(selected, key=lambda s: (s.node, s.predicate, s.iri))
    ]
    return format_mapping_set(metadata, rows)


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


def main(tsv: Path, graph_dir: Path = Path("graph")) -> Path:
    """Write the mapping set of ``tsv`` into the graph folder ``graph_dir``; the file written."""
    out = graph_dir / OUTPUT
    atomic_write(out, mapping_set_text(select(tsv), node_labels(graph_dir)))
    return out


if __name__ == "__main__":
    default = Path("../shared/reference/identifiers.tsv")
    written = main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    print(f"wrote {written}", file=sys.stderr)
