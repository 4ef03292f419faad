"""The label layer's facts: what the US prescribing information says, as graph/data/labels/*.ttl
records it, each checked with the label section it cites (graph/data/sources.ttl).

Facts are read in the label layer's view (mskg.graph.layers.layer_view), each with a statement
citing the label section named here; where the article says otherwise, both stand side by side
with a mskg:SourceDisagreement (the article's side is in tests/test_graph_facts.py).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from mskg.graph.layers import layer_view
from mskg.vocab import MSKG, MSKR, SCHEMA


@pytest.fixture(scope="module")
def label(graph: Graph) -> Graph:
    """The graph as the drug labels say it."""
    return layer_view(graph, "label")


@pytest.fixture(scope="module")
def article(graph: Graph) -> Graph:
    return layer_view(graph, "article")


def statements(graph: Graph, s: URIRef, p: URIRef, o: URIRef) -> list[URIRef]:
    return sorted(
        st  # type: ignore[misc]
        for st in graph.subjects(RDF.subject, s)
        if (st, RDF.predicate, p) in graph and (st, RDF.object, o) in graph
    )


def cited(graph: Graph, s: URIRef, p: URIRef, o: URIRef, section: str) -> URIRef:
    """The one statement of (s, p, o) in ``graph``, which must cite the label ``section``; the
    section must be a numbered section of a label of the layer that is a label of ``s``."""
    [statement] = statements(graph, s, p, o)
    assert MSKR[section] in set(graph.objects(statement, PROV.wasDerivedFrom)), statement
    document = graph.value(MSKR[section], DCTERMS.isPartOf)
    assert (document, RDF.type, MSKG.DrugLabel) in graph
    assert graph.value(document, MSKG.sourceLayer) == MSKR["layer-label"]
    assert graph.value(document, MSKG.labelOf) == s
    assert graph.value(MSKR[section], MSKG.sectionNumber) is not None
    return statement


def test_alemtuzumab_indication_and_its_two_prior_drugs(
    graph: Graph, label: Graph, article: Graph
) -> None:
    """Lemtrada section 1: relapsing-remitting and active secondary progressive MS, in adults,
    as a rule after an inadequate response to two or more MS drugs (since the 2014 label); the
    article says after one (seed text: "at least one other MS medication")."""
    alemtuzumab = MSKR.alemtuzumab
    uses = set(label.objects(alemtuzumab, MSKG.indicatedFor))
    assert uses == {MSKR["relapsing-remitting-ms"], MSKR["active-secondary-progressive-ms"]}
    two = MSKR["label-restriction-alemtuzumab-two-prior-ms-drugs"]
    for course in uses:
        st = cited(label, alemtuzumab, MSKG.indicatedFor, course, "label-lemtrada-s1")
        assert label.value(st, MSKG.forPopulation) == MSKR.adults
        assert label.value(st, MSKG.usageRestriction) == two
    assert label.value(two, MSKG.minimumPriorTherapies) == Literal(2)
    assert set(label.objects(two, PROV.wasDerivedFrom)) == {
        MSKR["label-lemtrada-s1"],
        MSKR["label-lemtrada-2014-s1"],
    }
    # the article's own indication, restricted after one prior drug, is not the label's
    one = MSKR["restriction-after-prior-ms-drug"]
    assert (alemtuzumab, MSKG.indicatedFor, MSKR["multiple-sclerosis"]) not in label
    assert article.value(one, MSKG.minimumPriorTherapies) == Literal(1)
    assert not set(label.subjects(MSKG.usageRestriction, one))
    # both stand, with the disagreement that names them and both sources
    disagreement = MSKR["disagreement-alemtuzumab-prior-therapies"]
    assert (disagreement, RDF.type, MSKG.SourceDisagreement) in graph
    assert graph.value(disagreement, MSKG.concernsTreatment) == alemtuzumab
    assert set(graph.objects(disagreement, MSKG.disagreeingStatement)) == {one, two}
    assert {MSKR["seed-section-alemtuzumab"], MSKR["label-lemtrada-s1"]} <= set(
        graph.objects(disagreement, PROV.wasDerivedFrom)
    )


def test_methylprednisolone_is_labelled_for_ms_exacerbations(
    graph: Graph, label: Graph, article: Graph
) -> None:
    """The earlier Solu-Medrol label's Indications and Usage lists acute exacerbations of MS; the
    article only says a doctor may suggest it in some cases (a hedged use)."""
    drug, relapse = MSKR.methylprednisolone, MSKR["ms-relapse"]
    labelled = cited(
        label, drug, MSKG.indicatedFor, relapse, "label-solu-medrol-earlier-indications"
    )
    assert (drug, MSKG.mayBeUsedFor, relapse) not in label
    [hedged] = statements(article, drug, MSKG.mayBeUsedFor, relapse)
    assert (drug, MSKG.indicatedFor, relapse) not in article
    assert set(article.objects(hedged, PROV.wasDerivedFrom)) == {
        MSKR["seed-section-relapse-treatments"]
    }
    # the whole graph keeps both, and says they disagree
    assert {(drug, MSKG.indicatedFor, relapse), (drug, MSKG.mayBeUsedFor, relapse)} <= set(graph)
    [disagreement] = graph.subjects(MSKG.disagreeingStatement, labelled)
    assert (disagreement, RDF.type, MSKG.SourceDisagreement) in graph
    assert set(graph.objects(disagreement, MSKG.disagreeingStatement)) == {hedged, labelled}
    assert graph.value(disagreement, MSKG.concernsTreatment) == drug
    assert graph.value(disagreement, SKOS.note) is not None


# The molecule each label names as what the drug binds or blocks, and the section read for it:
# 12.1 (mechanism of action) where it could be read, else the class phrase of the Highlights.
TARGETS = {
    "alemtuzumab": ("cd52", "label-lemtrada-s12-1"),
    "natalizumab": ("integrin-alpha-4", "label-tysabri-s12-1"),
    "ocrelizumab": ("cd20", "label-ocrevus-2024-highlights"),
    "rituximab": ("cd20", "label-rituxan-vdocuments-highlights"),
    "mitoxantrone": ("topoisomerase-ii", "label-mitoxantrone-drugs-com-clinical-pharmacology"),
}


def test_molecular_targets_come_from_the_labels(label: Graph, article: Graph) -> None:
    found = {
        (str(s).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1])
        for s, o in label.subject_objects(MSKG.hasMolecularTarget)
    }
    assert found == {(drug, target) for drug, (target, _) in TARGETS.items()}
    for drug, (target, section) in TARGETS.items():
        cited(label, MSKR[drug], MSKG.hasMolecularTarget, MSKR[target], section)
    # ublituximab's 12.1 was not read (graph/data/labels/ublituximab.ttl): no target is stated
    assert (MSKR.ublituximab, MSKG.hasMolecularTarget, None) not in label
    # the article names cells, never a molecule a drug binds
    assert (None, MSKG.hasMolecularTarget, None) not in article
    # CD52 and CD20 are proteins, mapped to UniProt
    uniprot = {"cd52": "P31358", "cd20": "P11836"}
    for protein, accession in uniprot.items():
        assert (MSKR[protein], RDF.type, MSKG.Protein) in label
        assert (
            MSKR[protein],
            SKOS.exactMatch,
            URIRef(f"http://purl.uniprot.org/uniprot/{accession}"),
        ) in label


def test_ublituximab_comes_from_its_label_alone(graph: Graph, label: Graph, article: Graph) -> None:
    """Briumvi, approved after the article was written: section 1 of the (earlier) label gives
    relapsing forms of MS in adults."""
    drug = MSKR.ublituximab
    for cls in (MSKG.Drug, MSKG.DiseaseModifyingTherapy, MSKG.InfusionTreatment):
        assert (drug, RDF.type, cls) in label
    assert label.value(drug, SCHEMA.proprietaryName) == Literal("Briumvi")
    assert set(label.objects(drug, MSKG.indicatedFor)) == {MSKR["relapsing-ms"]}
    assert (drug, MSKG.mayBeUsedFor, None) not in label
    st = cited(label, drug, MSKG.indicatedFor, MSKR["relapsing-ms"], "label-briumvi-earlier-s1")
    assert label.value(st, MSKG.forPopulation) == MSKR.adults
    approval = label.value(drug, MSKG.hasApproval)
    assert label.value(approval, MSKG.approvingAgency) == MSKR.fda
    assert label.value(approval, MSKG.approvedFor) == MSKR["relapsing-ms"]
    # the Highlights, with the year of approval, could not be read
    assert label.value(approval, MSKG.approvalYear) is None
    # every statement about it cites a label of the drug; the article does not know it
    about = list(graph.subjects(RDF.subject, drug))
    assert about
    for statement in about:
        for source in graph.objects(statement, PROV.wasDerivedFrom):
            document = graph.value(source, DCTERMS.isPartOf)
            assert graph.value(document, MSKG.labelOf) == drug, (statement, source)
    assert (drug, None, None) not in article and (None, None, drug) not in article


def test_ocrelizumab_maintenance_starts_six_months_after_the_first_infusion(
    label: Graph,
) -> None:
    """2.3 (as the maker's dosing page restates the label): 300 mg, 300 mg two weeks later, then
    600 mg every 6 months, the first of them 6 months after the first infusion of the start."""
    regimen = label.value(MSKR.ocrelizumab, MSKG.hasDosingRegimen)
    phases = {label.value(p, MSKG.phaseType): p for p in label.objects(regimen, MSKG.hasPhase)}
    start, maintenance = phases[MSKG.InitialPhase], phases[MSKG.MaintenancePhase]
    assert (label.value(start, SCHEMA.doseValue), label.value(start, MSKG.numberOfDoses)) == (
        Literal(300),
        Literal(2),
    )
    assert str(label.value(start, MSKG.doseInterval)) == "P14D"
    assert label.value(maintenance, SCHEMA.doseValue) == Literal(600)
    assert str(label.value(maintenance, MSKG.doseInterval)) == "P6M"
    assert str(label.value(maintenance, MSKG.startsAfter)) == "P6M"
    section = MSKR["label-ocrevus-s2-3"]
    assert section in set(label.objects(maintenance, PROV.wasDerivedFrom))
    assert label.value(section, MSKG.sectionNumber) == Literal("2.3")
    document = label.value(section, DCTERMS.isPartOf)
    assert label.value(document, MSKG.labelOf) == MSKR.ocrelizumab
    urls = {str(url) for url in label.objects(document, SCHEMA.url)}
    assert "https://www.ocrevus.com/hcp/dosing/administration.html" in urls
