"""The seed article's facts, asserted through the public API (load_graph + SPARQL)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from mskg.vocab import MSKG, MSKR, SCHEMA

DMTS = {"alemtuzumab", "natalizumab", "mitoxantrone", "ocrelizumab"}
RELAPSE = {"plasmapheresis", "ivig", "rituximab", "methylprednisolone"}


def name(node: object) -> str:
    return str(node).rsplit("/", 1)[-1]


def names(nodes: object) -> set[str]:
    return {name(n) for n in nodes}  # type: ignore[attr-defined]


def effects(graph: Graph, drug: str, prop: URIRef) -> set[str]:
    return names(graph.objects(MSKR[drug], prop))


def association(graph: Graph, s: URIRef, p: URIRef, o: URIRef) -> URIRef:
    found = [
        a
        for a in graph.subjects(RDF.subject, s)
        if (a, RDF.predicate, p) in graph and (a, RDF.object, o) in graph
    ]
    assert len(found) == 1, f"expected one association for {s} {p} {o}, got {found}"
    return found[0]  # type: ignore[return-value]


def test_four_fda_approved_infusion_dmts_with_brands(graph: Graph) -> None:
    dmts = names(graph.subjects(RDF.type, MSKG.DiseaseModifyingTherapy))
    assert dmts == DMTS
    for drug in DMTS:
        assert (MSKR[drug], RDF.type, MSKG.InfusionTreatment) in graph
        approval = graph.value(MSKR[drug], MSKG.hasApproval)
        assert graph.value(approval, MSKG.approvingAgency) == MSKR.fda
    brands = {str(graph.value(MSKR[d], SCHEMA.proprietaryName)) for d in DMTS - {"mitoxantrone"}}
    assert brands == {"Lemtrada", "Tysabri", "Ocrevus"}
    assert graph.value(MSKR.mitoxantrone, SCHEMA.proprietaryName) is None


def test_four_relapse_treatments_are_not_dmts(graph: Graph) -> None:
    relapse = names(graph.subjects(RDF.type, MSKG.RelapseTreatment))
    assert relapse == RELAPSE
    for t in relapse:
        assert (MSKR[t], RDF.type, MSKG.DiseaseModifyingTherapy) not in graph
        assert (MSKR[t], MSKG.indicatedFor, MSKR["ms-relapse"]) in graph
    assert (MSKR.plasmapheresis, RDF.type, MSKG.Procedure) in graph
    assert (MSKR.ivig, RDF.type, MSKG.BloodProduct) in graph
    assert str(graph.value(MSKR.rituximab, SCHEMA.proprietaryName)) == "Rituxan"
    assert str(graph.value(MSKR.methylprednisolone, SCHEMA.proprietaryName)) == "Solu-Medrol"


def test_mechanisms_and_target_cells(graph: Graph) -> None:
    def cells(t: str) -> set[str]:
        mechanism = graph.value(MSKR[t], MSKG.hasMechanism)
        return names(graph.objects(mechanism, MSKG.actsOnCell))

    assert cells("alemtuzumab") == {"b-cell", "t-cell"}
    assert cells("ocrelizumab") == {"b-cell"}
    assert cells("rituximab") == {"b-cell"}
    assert cells("natalizumab") == {"leukocyte"}
    assert cells("methylprednisolone") == {"inflammatory-cell"}
    natalizumab = graph.value(MSKR.natalizumab, MSKG.hasMechanism)
    assert names(graph.objects(natalizumab, MSKG.anatomicalContext)) == {"brain", "spinal-cord"}
    plasmapheresis = graph.value(MSKR.plasmapheresis, MSKG.hasMechanism)
    assert names(graph.objects(plasmapheresis, MSKG.actsOnMolecule)) == {"autoantibody"}
    assert (MSKR["b-cell"], MSKR["b-cell"], None) not in graph
    assert graph.value(MSKR["b-cell"], URIRef("http://www.w3.org/2004/02/skos/core#broader")) == (
        MSKR.leukocyte
    )


def test_ocrelizumab_approval_and_indications(graph: Graph) -> None:
    approval = graph.value(MSKR.ocrelizumab, MSKG.hasApproval)
    assert graph.value(approval, MSKG.approvalYear) == Literal(
        "2017", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")
    )
    assert graph.value(approval, MSKG.firstApprovedFor) == MSKR["primary-progressive-ms"]
    assert effects(graph, "ocrelizumab", MSKG.indicatedFor) == {
        "relapsing-ms",
        "primary-progressive-ms",
        "aggressive-or-advanced-ms",
    }


def test_usage_restrictions(graph: Graph) -> None:
    alem = association(graph, MSKR.alemtuzumab, MSKG.indicatedFor, MSKR["multiple-sclerosis"])
    restriction = graph.value(alem, MSKG.usageRestriction)
    assert graph.value(restriction, MSKG.minimumPriorTherapies).toPython() == 1
    for subtype in ("secondary-progressive-ms", "rapidly-worsening-ms"):
        mito = association(graph, MSKR.mitoxantrone, MSKG.indicatedFor, MSKR[subtype])
        restriction = graph.value(mito, MSKG.usageRestriction)
        assert graph.value(restriction, MSKG.requiresCondition) == MSKR["severe-ms"]
    assert graph.value(MSKR.mitoxantrone, MSKG.requiresCloseMonitoring).toPython() is True


def test_non_ms_uses(graph: Graph) -> None:
    assert "cancer" in effects(graph, "mitoxantrone", MSKG.indicatedFor)
    assert {"rheumatoid-arthritis", "non-hodgkin-lymphoma", "chronic-lymphocytic-leukemia"} <= (
        effects(graph, "rituximab", MSKG.indicatedFor)
    )


def phases(graph: Graph, drug: str) -> list[dict[str, object]]:
    regimen = graph.value(MSKR[drug], MSKG.hasDosingRegimen)
    rows = []
    for phase in graph.objects(regimen, MSKG.hasPhase):
        row = {}
        for p, o in graph.predicate_objects(phase):
            is_duration = "duration" in str(getattr(o, "datatype", ""))
            row[str(p).rsplit("/", 1)[-1]] = str(o) if is_duration else o.toPython()
        rows.append(row)
    return sorted(rows, key=lambda r: r["phaseOrder"])  # type: ignore[arg-type, return-value]


def test_structured_dosing(graph: Graph) -> None:
    alem = phases(graph, "alemtuzumab")
    assert [(p["numberOfDoses"], p["doseInterval"]) for p in alem] == [
        (5, "P1D"),
        (3, "P1D"),
    ]
    assert str(alem[1]["startsAfter"]) == "P1Y"
    oc = phases(graph, "ocrelizumab")
    assert [(p["doseValue"], p["doseUnit"], p.get("numberOfDoses")) for p in oc] == [
        (300, "mg", 2),
        (600, "mg", None),
    ]
    assert oc[0]["doseInterval"] == "P14D"
    assert str(oc[1]["doseInterval"]) == "P6M"
    assert phases(graph, "natalizumab")[0]["doseInterval"] == "P28D"
    assert str(phases(graph, "mitoxantrone")[0]["doseInterval"]) == "P3M"


def test_mitoxantrone_cumulative_limit(graph: Graph) -> None:
    limit = graph.value(MSKR.mitoxantrone, MSKG.hasCumulativeDoseLimit)
    assert graph.value(limit, SCHEMA.doseValue).toPython() == 140
    assert str(graph.value(limit, SCHEMA.doseUnit)) == "mg/m2"
    assert str(graph.value(limit, MSKG.limitSpan)) == "lifetime"
    assert str(graph.value(limit, MSKG.usuallyReachedAfterMin)) == "P2Y"
    assert str(graph.value(limit, MSKG.usuallyReachedAfterMax)) == "P3Y"


SEED_EFFECTS = {
    "alemtuzumab": (
        {"rash", "headache", "fever", "common-cold", "nausea", "urinary-tract-infection"}
        | {"fatigue"},
        {
            "autoimmune-reaction",
            "guillain-barre-syndrome",
            "organ-failure",
            "cancer",
            "blood-disorder",
            "thyroid-disorder",
        },
    ),
    "natalizumab": (
        {"infection", "allergic-reaction", "headache", "fatigue", "depression"},
        {"pml", "liver-problems"},
    ),
    "mitoxantrone": (
        {
            "low-white-blood-cell-count",
            "depression",
            "bone-pain",
            "nausea",
            "vomiting",
            "hair-loss",
            "urinary-tract-infection",
            "amenorrhea",
            "blue-green-urine",
            "mouth-sores",
        },
        {"congestive-heart-failure", "kidney-failure", "blood-disorder", "serious-toxicity"},
    ),
    "ocrelizumab": (
        {"infection", "infusion-reaction"},
        {
            "pml",
            "hepatitis-b-reactivation",
            "shingles-reactivation",
            "weakened-immune-system",
            "cancer",
            "breast-cancer",
        },
    ),
}


def test_every_common_and_serious_effect_per_drug(graph: Graph) -> None:
    for drug, (common, serious) in SEED_EFFECTS.items():
        assert effects(graph, drug, MSKG.hasCommonAdverseEffect) == common, drug
        assert effects(graph, drug, MSKG.hasSeriousAdverseEffect) == serious, drug


def test_seriousness_is_per_drug_and_sourced(graph: Graph) -> None:
    for drug, (common, serious) in SEED_EFFECTS.items():
        pairs = ((common, MSKG.hasCommonAdverseEffect), (serious, MSKG.hasSeriousAdverseEffect))
        for effect_set, prop in pairs:
            for effect in effect_set:
                a = association(graph, MSKR[drug], prop, MSKR[effect])
                sources = set(graph.objects(a, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
                assert MSKR[f"seed-section-{drug}"] in sources
    # Infection: common for natalizumab; PML: serious for natalizumab, rare and deadly.
    pml = association(graph, MSKR.natalizumab, MSKG.hasSeriousAdverseEffect, MSKR.pml)
    assert graph.value(pml, MSKG.frequency) == MSKG.Rare
    assert graph.value(pml, MSKG.potentiallyFatal).toPython() is True
    oc_pml = association(graph, MSKR.ocrelizumab, MSKG.hasSeriousAdverseEffect, MSKR.pml)
    # The ocrelizumab section names PML bare; the article calls PML itself deadly where it first
    # describes it, so the link is fatal too, sourced from both sections, but not marked rare.
    assert graph.value(oc_pml, MSKG.potentiallyFatal).toPython() is True
    assert graph.value(oc_pml, MSKG.frequency) is None
    assert MSKR["seed-section-natalizumab"] in set(
        graph.objects(oc_pml, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    )


def test_potentially_fatal_and_preexisting(graph: Graph) -> None:
    fatal = {
        (name(graph.value(a, RDF.subject)), name(graph.value(a, RDF.object)))
        for a in graph.subjects(MSKG.potentiallyFatal, Literal(True))
    }
    assert {e for d, e in fatal if d == "alemtuzumab"} == SEED_EFFECTS["alemtuzumab"][1]
    assert {(d, e) for d, e in fatal if d != "alemtuzumab"} == {
        ("natalizumab", "pml"),
        ("ocrelizumab", "pml"),
    }
    for effect in ("hepatitis-b-reactivation", "shingles-reactivation"):
        a = association(graph, MSKR.ocrelizumab, MSKG.hasSeriousAdverseEffect, MSKR[effect])
        assert graph.value(a, MSKG.onlyIfPreExisting).toPython() is True


def test_liver_problem_symptoms(graph: Graph) -> None:
    assert names(graph.objects(MSKR["liver-problems"], MSKG.hasSymptom)) == {
        "jaundice",
        "dark-urine",
        "right-upper-abdominal-pain",
        "easy-bleeding-or-bruising",
        "fatigue",
    }


def test_infusion_process_and_reaction(graph: Graph) -> None:
    method = MSKR["intravenous-infusion"]
    assert names(graph.objects(method, MSKG.hasProcessSideEffect)) == {
        "injection-site-bruising-or-bleeding",
        "flushing",
        "chills",
        "nausea",
        "infusion-reaction",
    }
    assert names(graph.objects(method, MSKG.administrationSetting)) == {"infusion-center", "home"}
    assert graph.value(method, MSKG.usuallyMonitored).toPython() is True
    assert graph.value(method, MSKG.requiresCloseMonitoring) is None  # only for mitoxantrone
    reaction = MSKR["infusion-reaction"]
    assert str(graph.value(reaction, MSKG.usualOnsetWithin)) == "PT2H"
    # 24 hours, written in canonical form ("P1D", not "PT24H") so every store returns it alike.
    assert str(graph.value(reaction, MSKG.latestOnset)) == "P1D"
    symptoms = names(graph.objects(reaction, MSKG.hasSymptom))
    assert symptoms == {"hives", "scaly-skin-patches", "fever", "rash"}
    for treatment in DMTS | RELAPSE:
        assert (MSKR[treatment], MSKG.administeredBy, method) in graph


def test_low_wbc_raises_infection_risk(graph: Graph) -> None:
    assert (MSKR["low-white-blood-cell-count"], MSKG.increasesRiskOf, MSKR.infection) in graph


def test_the_disease(graph: Graph) -> None:
    ms = MSKR["multiple-sclerosis"]
    assert graph.value(ms, MSKG.immuneMediated).toPython() is True
    assert graph.value(ms, MSKG.curable).toPython() is False
    assert (ms, MSKG.damages, MSKR["myelin-sheath"]) in graph
    assert graph.value(ms, SCHEMA.associatedAnatomy) == MSKR["central-nervous-system"]


def test_every_labelled_entity_is_english_and_unique(graph: Graph) -> None:
    seen: dict[str, URIRef] = {}
    for s, label in graph.subject_objects(RDFS.label):
        if not str(s).startswith(str(MSKR)):
            continue
        assert isinstance(label, Literal) and label.language == "en", s
        key = str(label).lower()
        # Two mechanisms may share a short label ("targets B lymphocytes"); nothing else may.
        if "mechanism" not in str(s):
            assert key not in seen, f"{s} and {seen[key]} share the label {label!r}"
        seen[key] = s  # type: ignore[assignment]


def test_no_seed_sentence_is_copied(graph: Graph) -> None:
    """Labels and notes are written in mskg's own words: no 8-word run from the seed article."""
    from conftest import SHARED_DIR

    seed_file = SHARED_DIR / "seed" / "ms-infusion-treatments.txt"
    if not seed_file.is_file():
        import pytest

        pytest.skip("seed article not present beside the project")
    import re

    words = re.findall(r"[a-z0-9]+", seed_file.read_text(encoding="utf-8").lower())
    shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    copied = []
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is None:
            text = re.findall(r"[a-z0-9]+", str(o).lower())
            runs = [" ".join(text[i : i + 8]) for i in range(len(text) - 7)]
            copied += [f"{s} {p}: {run!r}" for run in runs if run in shingles]
    assert not copied, "\n".join(copied)
