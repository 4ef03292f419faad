"""The seed article's facts, asserted through the public API (load_graph + SPARQL)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from mskg.graph.hierarchy import instances
from mskg.vocab import BIOLINK, MSKG, MSKR, SCHEMA

DMTS = {"alemtuzumab", "natalizumab", "mitoxantrone", "ocrelizumab"}
RELAPSE = {"plasmapheresis", "ivig", "rituximab", "methylprednisolone"}


def name(node: object) -> str:
    return str(node).rsplit("/", 1)[-1]


def names(nodes: object) -> set[str]:
    return {name(n) for n in nodes}  # type: ignore[attr-defined]


def effects(graph: Graph, drug: str, prop: URIRef) -> set[str]:
    return names(graph.objects(MSKR[drug], prop))


def associations(graph: Graph, s: URIRef, p: URIRef, o: URIRef) -> list[URIRef]:
    """The association nodes describing the triple (s, p, o)."""
    return sorted(
        a  # type: ignore[misc]
        for a in graph.subjects(RDF.subject, s)
        if (a, RDF.predicate, p) in graph and (a, RDF.object, o) in graph
    )


def association(graph: Graph, s: URIRef, p: URIRef, o: URIRef) -> URIRef:
    found = associations(graph, s, p, o)
    assert len(found) == 1, f"expected one association for {s} {p} {o}, got {found}"
    return found[0]


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
        # "In some cases, your doctor may suggest": a hedged use, not an approved one
        assert (MSKR[t], MSKG.mayBeUsedFor, MSKR["ms-relapse"]) in graph
        assert (MSKR[t], MSKG.indicatedFor, MSKR["ms-relapse"]) not in graph
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
    }
    assert effects(graph, "ocrelizumab", MSKG.mayBeUsedFor) == {"multiple-sclerosis"}


# What each drug is used for, as the article words it: approved or established
# (mskg:indicatedFor, Biolink treats) or hedged (mskg:mayBeUsedFor: "may work best", "may be
# especially helpful", "in some cases, your doctor may suggest").
USES = {
    "alemtuzumab": ({"multiple-sclerosis"}, {"multiple-sclerosis"}),
    "natalizumab": ({"multiple-sclerosis"}, {"multiple-sclerosis"}),
    "mitoxantrone": (
        {"multiple-sclerosis", "cancer"},
        {"multiple-sclerosis", "secondary-progressive-ms"},
    ),
    "ocrelizumab": ({"relapsing-ms", "primary-progressive-ms"}, {"multiple-sclerosis"}),
    "rituximab": (
        {"rheumatoid-arthritis", "non-hodgkin-lymphoma", "chronic-lymphocytic-leukemia"},
        {"ms-relapse"},
    ),
    "methylprednisolone": (set(), {"ms-relapse"}),
    "plasmapheresis": (set(), {"ms-relapse"}),
    "ivig": (set(), {"ms-relapse"}),
}


def test_established_and_hedged_uses(graph: Graph) -> None:
    for drug, (established, hedged) in USES.items():
        assert effects(graph, drug, MSKG.indicatedFor) == established, drug
        assert effects(graph, drug, MSKG.mayBeUsedFor) == hedged, drug
    # both are uses; only the established one is Biolink's treats
    for prop in (MSKG.indicatedFor, MSKG.mayBeUsedFor):
        assert (prop, RDFS.subPropertyOf, MSKG.usedFor) in graph
    assert (MSKG.indicatedFor, SKOS.closeMatch, BIOLINK.treats) in graph
    assert (MSKG.mayBeUsedFor, SKOS.closeMatch, BIOLINK.applied_to_treat) in graph
    assert (MSKG.mayBeUsedFor, SKOS.closeMatch, BIOLINK.treats) not in graph


def test_severity_qualifies_the_indication_and_is_not_a_disease(graph: Graph) -> None:
    severities = set(graph.subjects(RDF.type, MSKG.MSSeverity))
    assert names(severities) == {"severe-ms", "rapidly-worsening-ms", "aggressive-or-advanced-ms"}
    diseases = instances(graph, MSKG.Disease)
    assert not severities & diseases
    assert not any((s, SKOS.broader, None) in graph for s in severities)
    # nothing is used for a severity; the severity is on the use of the drug for MS
    uses = set(graph.objects(None, MSKG.indicatedFor)) | set(graph.objects(None, MSKG.mayBeUsedFor))
    assert not severities & uses
    mito = associations(graph, MSKR.mitoxantrone, MSKG.mayBeUsedFor, MSKR["multiple-sclerosis"])
    assert {name(graph.value(a, MSKG.forSeverity)) for a in mito} == {
        "rapidly-worsening-ms",
        "aggressive-or-advanced-ms",
    }
    # the infused DMTs as a group "may be especially helpful" in aggressive or advanced MS
    for drug in DMTS:
        [group] = [
            a
            for a in associations(graph, MSKR[drug], MSKG.mayBeUsedFor, MSKR["multiple-sclerosis"])
            if graph.value(a, MSKG.forSeverity) == MSKR["aggressive-or-advanced-ms"]
        ]
        assert MSKR["seed-section-overview"] in set(graph.objects(group, PROV.wasDerivedFrom))


def test_usage_restrictions_on_every_indication_they_qualify(graph: Graph) -> None:
    prior = MSKR["restriction-after-prior-ms-drug"]
    severe = MSKR["restriction-severe-ms-only"]
    assert graph.value(prior, MSKG.minimumPriorTherapies).toPython() == 1
    assert graph.value(severe, MSKG.requiresSeverity) == MSKR["severe-ms"]
    # the reasons are the serious effects the article lists for mitoxantrone
    assert names(graph.objects(severe, MSKG.restrictionReason)) == SEED_EFFECTS["mitoxantrone"][1]
    for drug, restriction in (("alemtuzumab", prior), ("mitoxantrone", severe)):
        ms_uses = [
            a
            for p in (MSKG.indicatedFor, MSKG.mayBeUsedFor)
            for o in graph.objects(MSKR[drug], p)
            if (o, SKOS.broader, MSKR["multiple-sclerosis"]) in graph
            or o == MSKR["multiple-sclerosis"]
            for a in associations(graph, MSKR[drug], p, o)
        ]
        assert len(ms_uses) == {"alemtuzumab": 2, "mitoxantrone": 4}[drug]
        for a in ms_uses:
            assert graph.value(a, MSKG.usageRestriction) == restriction, a
    # the cancer use is not restricted to severe MS
    cancer = association(graph, MSKR.mitoxantrone, MSKG.indicatedFor, MSKR.cancer)
    assert graph.value(cancer, MSKG.usageRestriction) is None
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
        {"congestive-heart-failure", "kidney-failure", "blood-disorder"},
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
    # The process's own effects stay with the process; the infusion reaction is not one of them.
    assert names(graph.objects(method, MSKG.hasProcessSideEffect)) == {
        "injection-site-bruising-or-bleeding",
        "flushing",
        "chills",
        "nausea",
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


def test_infusion_reaction_is_a_reaction_to_each_drug(graph: Graph) -> None:
    reaction = MSKR["infusion-reaction"]
    # "For all these drugs": every drug given by infusion, each with its own sourced link.
    with_reaction = names(graph.subjects(MSKG.hasInfusionReaction, reaction))
    drugs = names(graph.subjects(RDF.type, MSKG.Drug))
    assert with_reaction == drugs == (DMTS | RELAPSE) - {"plasmapheresis", "ivig"}
    for drug in with_reaction:
        a = association(graph, MSKR[drug], MSKG.hasInfusionReaction, reaction)
        assert (a, RDF.type, MSKG.AdverseEffectAssociation) in graph
        sources = set(graph.objects(a, PROV.wasDerivedFrom))
        assert sources == {MSKR["seed-section-infusion-side-effects"]}
    # Plasmapheresis is a procedure: it is infused through a vein but is not a drug, so no
    # reaction to a drug reaches it, directly or through its route.
    assert (MSKR.plasmapheresis, MSKG.hasInfusionReaction, None) not in graph
    routes = set(graph.objects(MSKR.plasmapheresis, MSKG.administeredBy))
    assert not any((r, MSKG.hasProcessSideEffect, reaction) in graph for r in routes)
    # ocrelizumab's own section classes it as common, so that link stays too
    assert (MSKR.ocrelizumab, MSKG.hasCommonAdverseEffect, reaction) in graph


def test_low_wbc_raises_infection_risk(graph: Graph) -> None:
    assert (MSKR["low-white-blood-cell-count"], MSKG.increasesRiskOf, MSKR.infection) in graph


COURSES = {
    "clinically-isolated-syndrome",
    "relapsing-remitting-ms",
    "secondary-progressive-ms",
    "primary-progressive-ms",
}


def test_ms_courses_after_lublin_2014(graph: Graph) -> None:
    ms = MSKR["multiple-sclerosis"]
    courses = set(graph.subjects(RDF.type, MSKG.MSSubtype))
    assert names(courses) == COURSES  # progressive-relapsing MS was retired
    for course in courses:
        assert set(graph.objects(course, SKOS.broader)) == {ms}
        assert set(graph.objects(course, PROV.wasDerivedFrom)) == {MSKR["lublin-2014"]}
    # activity and progression are modifiers of a course, not courses
    modifiers = set(graph.subjects(RDF.type, MSKG.MSCourseModifier))
    assert names(modifiers) == {"Active", "NotActive", "WithProgression", "WithoutProgression"}
    assert not modifiers & instances(graph, MSKG.Disease)
    active_spms = MSKR["active-secondary-progressive-ms"]
    assert (active_spms, RDF.type, MSKG.QualifiedMSCourse) in graph
    assert (active_spms, RDF.type, MSKG.MSSubtype) not in graph
    assert graph.value(active_spms, SKOS.broader) == MSKR["secondary-progressive-ms"]
    assert graph.value(active_spms, MSKG.hasModifier) == MSKG.Active


def test_relapsing_forms_are_a_grouping_not_a_course(graph: Graph) -> None:
    relapsing = MSKR["relapsing-ms"]
    assert (relapsing, RDF.type, MSKG.MSCourseGroup) in graph
    assert (relapsing, RDF.type, MSKG.MSSubtype) not in graph
    assert names(graph.objects(relapsing, MSKG.includesCourse)) == {
        "clinically-isolated-syndrome",
        "relapsing-remitting-ms",
        "active-secondary-progressive-ms",
    }
    # the grouping is no course's skos:broader parent
    assert not list(graph.subjects(SKOS.broader, relapsing))
    # the membership comes from drug labelling, not from the article or Lublin 2014
    assert MSKR["general-knowledge"] in set(graph.objects(relapsing, PROV.wasDerivedFrom))
    progressive = MSKR["progressive-ms"]
    assert names(graph.objects(progressive, MSKG.includesCourse)) == {
        "secondary-progressive-ms",
        "primary-progressive-ms",
    }
    assert not list(graph.subjects(SKOS.broader, progressive))


def test_a_relapse_is_an_episode_of_ms_not_a_form(graph: Graph) -> None:
    relapse = MSKR["ms-relapse"]
    assert (relapse, RDF.type, MSKG.DiseaseEpisode) in graph
    assert graph.value(relapse, SKOS.broader) is None
    assert graph.value(relapse, MSKG.episodeOf) == MSKR["multiple-sclerosis"]
    assert relapse not in instances(graph, MSKG.MSForm)


def test_provenance_is_on_statements(graph: Graph) -> None:
    atc = MSKR["atc-classification"]
    # The WHO ATC classification is a source of its own, not derived from the reference table.
    assert graph.value(atc, PROV.wasDerivedFrom) is None
    # No treatment node claims ATC as its own source: its drug class from ATC is a statement
    # of its own, with the ATC as source; drug classes the article gives stay on the node.
    for treatment in instances(graph, MSKG.Treatment):
        assert (treatment, PROV.wasDerivedFrom, atc) not in graph, treatment
        for drug_class in graph.objects(treatment, SCHEMA.drugClass):
            described = associations(graph, treatment, SCHEMA.drugClass, drug_class)
            if described:
                sources = {s for a in described for s in graph.objects(a, PROV.wasDerivedFrom)}
                assert sources == {atc}, (treatment, drug_class)
            else:
                own = set(graph.objects(treatment, PROV.wasDerivedFrom))
                assert all(str(s).startswith(str(MSKR["seed-section-"])) for s in own)
    # General knowledge is declared as a source, and the corrected glosses say they come from it.
    assert (MSKR["general-knowledge"], RDF.type, MSKG.InformationSource) in graph
    for node in ("ivig", "shingles-reactivation", "multiple-sclerosis", "donor-immunoglobulin"):
        assert (MSKR[node], PROV.wasDerivedFrom, MSKR["general-knowledge"]) in graph, node
    assert not list(graph.subjects(None, MSKR["serious-toxicity"]))
    assert not list(graph.predicate_objects(MSKR["serious-toxicity"]))


def test_corrected_definitions(graph: Graph) -> None:
    def gloss(node: str) -> str:
        return str(graph.value(MSKR[node], SKOS.definition)).lower()

    # IVIG is purified immunoglobulin G pooled from donors' plasma, not a plasma transfusion
    assert "immunoglobulin g" in gloss("ivig") and "pooled plasma" in gloss("ivig")
    # MS damages nerve fibres (myelin and axons) of the central nervous system
    for part in ("central nervous system", "nerve fibres", "myelin", "axons"):
        assert part in gloss("multiple-sclerosis"), part
    assert str(graph.value(MSKR.nerve, RDFS.label)) == "nerve fibre"
    # shingles is itself the reactivation of varicella-zoster virus
    assert str(graph.value(MSKR["shingles-reactivation"], RDFS.label)) == "shingles"
    assert "varicella-zoster virus" in gloss("shingles-reactivation")


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
