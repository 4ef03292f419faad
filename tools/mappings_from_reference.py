"""Regenerate graph/data/mappings.ttl from the verified rows of ../shared/reference/identifiers.tsv.

Run from the repository root: ``python tools/mappings_from_reference.py [TSV]``. Only VERIFIED rows
are used. The row's scheme decides the SKOS relation: a bare scheme is an exact match; a row whose
source label says it is the nearest term is a close match; "(broader)" or "(parent disease)" is a
broad match; "(related)", "(historical)", "(disorder)", "(... salt)" and "(brand)" are related
matches; obsolete codes are skipped.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

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

# Rows that are the nearest term, not the same concept: HPO's UTI and depression terms (the
# label_at_source says so), MeSH Neoplasms and Breast Neoplasms (tumours of any behaviour, wider
# than the article's cancer), DOID/MONDO depressive disorder (a diagnosis; the article means mood).
CLOSE = {
    ("urinary tract infection", "HP:0000010"),
    ("depression", "HP:0000716"),
    ("depression", "DOID:1596"),
    ("depression", "MONDO:0002050"),
    ("cancer", "D009369"),
    ("breast cancer", "D001943"),
}
BROAD_BY_LABEL = ("broader", "broad phenotype grouping")


def iri(scheme: str, ident: str) -> str | None:
    base = scheme.split(" (")[0]
    obo = {"Cell Ontology": "CL", "DOID": "DOID", "MONDO": "MONDO", "HPO": "HP", "ChEBI": "CHEBI"}
    if base in obo:
        return f"http://purl.obolibrary.org/obo/{ident.replace(':', '_')}"
    simple = {
        "DrugBank": "https://go.drugbank.com/drugs/{}",
        "MeSH": "http://id.nlm.nih.gov/mesh/{}",
        "Wikidata": "http://www.wikidata.org/entity/{}",
        "PubChem CID": "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID{}",
        "UMLS": "https://bioregistry.io/umls:{}",
        "UNII": "https://bioregistry.io/unii:{}",
        "ATC": "https://bioregistry.io/atc:{}",
        "RxNorm": "https://bioregistry.io/rxnorm:{}",
        "ICD-10": "https://bioregistry.io/icd10:{}",
        "ICD-10-CM": "https://bioregistry.io/icd10cm:{}",
    }
    return simple[base].format(ident) if base in simple else None


def relation(entity: str, scheme: str, ident: str, label: str) -> str | None:
    qualifier = scheme.split(" (", 1)[1].rstrip(")") if " (" in scheme else ""
    if "obsolete" in qualifier:
        return None
    if qualifier in ("broader", "parent disease") or any(b in label for b in BROAD_BY_LABEL):
        return "skos:broadMatch"
    if qualifier and qualifier != "WHO":
        return "skos:relatedMatch"
    if (entity, ident) in CLOSE:
        return "skos:closeMatch"
    return "skos:exactMatch"


def main(tsv: Path, out: Path) -> None:
    by_node: dict[str, list[tuple[str, str, str]]] = {}
    with tsv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["status"] != "VERIFIED" or row["entity"] not in ENTITIES:
                continue
            rel = relation(row["entity"], row["scheme"], row["id"], row["label_at_source"])
            target = iri(row["scheme"], row["id"])
            if rel and target:
                node = ENTITIES[row["entity"]]
                by_node.setdefault(node, []).append((rel, target, row["scheme"]))
    lines = [
        "@prefix mskg: <https://w3id.org/mskg/ontology/> .",
        "@prefix mskr: <https://w3id.org/mskg/resource/> .",
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "",
        "# Cross-references to DrugBank, ChEBI, MeSH, Wikidata, Cell Ontology, MONDO, DOID, HPO,",
        "# UMLS, RxNorm, UNII, ATC, ICD-10 and PubChem, from the VERIFIED rows of the reference",
        "# identifier table only. Generated by tools/mappings_from_reference.py: edit the table,",
        "# not this file. Each mapping is asserted directly and described by an association whose",
        "# source is the table, so a node's own prov:wasDerivedFrom keeps covering only its facts.",
        "",
    ]
    for node in sorted(by_node):
        mappings = sorted(by_node[node])
        lines.append(f"mskr:{node}")
        lines.append(" ;\n".join(f"    {rel} <{target}>" for rel, target, _ in mappings) + " .")
        lines.append("")
        for rel, target, _scheme in mappings:
            slug = re.sub(r"[^A-Za-z0-9]+", "-", target.rsplit("/", 1)[-1]).strip("-").lower()
            lines += [
                f"mskr:xref-{node}-{slug} a mskg:Association ;",
                f"    rdf:subject mskr:{node} ; rdf:predicate {rel} ; rdf:object <{target}> ;",
                "    prov:wasDerivedFrom mskr:reference-identifiers .",
            ]
        lines.append("")
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(out)


if __name__ == "__main__":
    default = Path("../shared/reference/identifiers.tsv")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default, Path("graph/data/mappings.ttl"))
