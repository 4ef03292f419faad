"""The named queries in queries/: each one's answer as the seed article gives it, and a walk over
the real folder that parses and runs every file, so a new query cannot land broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from conftest import QUERIES_DIR
from mskg.sparql.engine import run_query
from mskg.sparql.guard import prepare_query
from mskg.sparql.named import NamedQuery, list_queries, read_query
from mskg.sparql.params import _query_variables, parameter_variable
from mskg.sparql.results import QueryResult

MSKR = "https://w3id.org/mskg/resource/"
MSKG = "https://w3id.org/mskg/ontology/"


def run(graph: Graph, name: str, **params: str) -> QueryResult:
    return run_query(name, graph, params=params, queries_dir=QUERIES_DIR)


def cols(result: QueryResult, *names: str) -> list[tuple[str, ...]]:
    """The given columns of every row, as strings ("" for unbound), in result order."""
    index = [result.variables.index(n) for n in names]
    return [tuple("" if row[i] is None else str(row[i]) for i in index) for row in result.rows]


def col(result: QueryResult, name: str) -> list[str]:
    return [c[0] for c in cols(result, name)]


# --------------------------------------------------------------------------------------------
# The whole folder
# --------------------------------------------------------------------------------------------

QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))

REQUIRED = {
    "fda-approved-infusion-dmts",
    "relapse-infusion-treatments",
    "drugs-by-target-cell",
    "mechanisms",
    "drugs-with-pml-risk",
    "serious-adverse-effects",
    "common-adverse-effects",
    "shared-adverse-effects",
    "compare-drugs",
    "potentially-fatal-effects",
    "indications-by-subtype",
    "usage-restrictions",
    "other-indications",
    "dosing-schedules",
    "cumulative-dose-limits",
    "infusion-reaction",
    "liver-problem-symptoms",
    "brand-names",
    "approvals",
    "drug-profile",
    "provenance",
}


def test_every_required_query_exists() -> None:
    assert {p.stem for p in QUERY_FILES} >= REQUIRED


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_has_a_header_parses_and_runs(graph: Graph, path: Path) -> None:
    query = read_query(path)
    assert query.header.title, f"{path.name}: '# title:' missing"
    assert query.header.description, f"{path.name}: '# description:' missing"
    prepared = prepare_query(query)
    variables = _query_variables(prepared)
    for param in query.header.params:
        bound = parameter_variable(param.name, variables)
        assert bound in variables, f"{path.name}: ?{param.name} is not used by the query"
        assert param.description, f"{path.name}: parameter {param.name} has no description"
    # Portable SPARQL: every prefix is declared in the file, not only known to mskg.
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    translateQuery(parseQuery(query.text), initNs={})
    result = run_query(query, graph)
    assert result.kind in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
    assert len(result) > 0 or result.boolean is not None, f"{path.name} returned nothing"
    if result.kind == "SELECT":
        # Human-readable: the first column holds labels (literals), never an IRI, a URN or a
        # blank node; and a column that holds IRIs says so in its name (?drugIri).
        first = result.column(result.variables[0])
        not_literals = [v for v in first if v is not None and not isinstance(v, Literal)]
        assert not not_literals, f"{path.name}: first column holds {not_literals[:3]}"
        for name in result.variables:
            holds_iris = any(isinstance(v, URIRef) for v in result.column(name))
            assert holds_iris == name.endswith("Iri"), f"{path.name}: column ?{name}"


def test_listing_matches_the_folder() -> None:
    listed = list_queries(QUERIES_DIR)
    assert [q.name for q in listed] == [p.stem for p in QUERY_FILES]
    assert all(isinstance(q, NamedQuery) and q.title for q in listed)


# --------------------------------------------------------------------------------------------
# One test per named query
# --------------------------------------------------------------------------------------------


def test_fda_approved_infusion_dmts(graph: Graph) -> None:
    result = run(graph, "fda-approved-infusion-dmts")
    assert cols(result, "treatment", "brandName") == [
        ("alemtuzumab", "Lemtrada"),
        ("mitoxantrone", ""),
        ("natalizumab", "Tysabri"),
        ("ocrelizumab", "Ocrevus"),
    ]
    assert set(col(result, "agency")) == {"US Food and Drug Administration"}
    assert col(result, "treatmentIri")[0] == MSKR + "alemtuzumab"


def test_relapse_infusion_treatments(graph: Graph) -> None:
    result = run(graph, "relapse-infusion-treatments")
    assert cols(result, "treatment", "kind", "brandName") == [
        ("intravenous immunoglobulin", "blood product", ""),
        ("methylprednisolone", "drug", "Solu-Medrol"),
        ("plasmapheresis", "procedure", ""),
        ("rituximab", "drug", "Rituxan"),
    ]


def test_drugs_by_target_cell(graph: Graph) -> None:
    result = run(graph, "drugs-by-target-cell")
    assert set(cols(result, "treatment", "cellType")) == {
        ("alemtuzumab", "B lymphocyte"),
        ("alemtuzumab", "T lymphocyte"),
        ("methylprednisolone", "inflammatory cell"),
        ("natalizumab", "white blood cell"),
        ("ocrelizumab", "B lymphocyte"),
        ("rituximab", "B lymphocyte"),
    }
    b_cells = run(graph, "drugs-by-target-cell", cell="B cell")
    assert col(b_cells, "treatment") == ["alemtuzumab", "ocrelizumab", "rituximab"]
    # A white blood cell is the broader type: its narrower types count too.
    leukocytes = run(graph, "drugs-by-target-cell", cell="leukocyte")
    assert sorted(set(col(leukocytes, "treatment"))) == [
        "alemtuzumab",
        "natalizumab",
        "ocrelizumab",
        "rituximab",
    ]


def test_mechanisms(graph: Graph) -> None:
    result = run(graph, "mechanisms")
    assert result.variables[0] == "drug" and result.variables[-1] == "drugIri"
    by_drug = {r[0]: r[1:] for r in cols(result, "drug", "action", "actsOn", "where")}
    assert len(by_drug) == 8
    assert by_drug["alemtuzumab"] == ("depletion", "B lymphocyte, T lymphocyte", "")
    assert by_drug["natalizumab"] == (
        "migration blockade",
        "white blood cell",
        "brain, spinal cord",
    )
    assert by_drug["mitoxantrone"] == ("immunosuppression", "", "immune system")
    assert by_drug["ocrelizumab"] == ("targeting", "B lymphocyte", "myelin sheath")
    assert by_drug["plasmapheresis"][0] == "removal from blood"
    assert by_drug["intravenous immunoglobulin"][0] == "immune support"
    one = run(graph, "mechanisms", drug="Tysabri")
    assert cols(one, "drug", "drugIri") == [("natalizumab", MSKR + "natalizumab")]


def test_drugs_with_pml_risk(graph: Graph) -> None:
    result = run(graph, "drugs-with-pml-risk")
    # The seed calls PML deadly where it describes it; ocrelizumab's section names it without
    # a frequency, so that cell stays empty rather than saying anything the source does not.
    assert cols(result, "drug", "seriousness", "frequency", "potentiallyFatal") == [
        ("natalizumab", "serious", "rare", "true"),
        ("ocrelizumab", "serious", "", "true"),
    ]


def test_serious_adverse_effects(graph: Graph) -> None:
    result = run(graph, "serious-adverse-effects", drug="natalizumab")
    # Unstated qualifiers are empty, not "false": the source says nothing about them.
    assert cols(result, "effect", "potentiallyFatal", "frequency", "onlyIfPreExisting") == [
        ("liver problems", "", "", ""),
        ("progressive multifocal leukoencephalopathy", "true", "rare", ""),
    ]
    ocrelizumab = run(graph, "serious-adverse-effects", drug="Ocrevus")
    assert set(col(ocrelizumab, "effect")) == {
        "progressive multifocal leukoencephalopathy",
        "hepatitis B reactivation",
        "shingles",
        "weakened immune system",
        "cancer",
        "breast cancer",
    }
    pre_existing = {r[0]: r[1] for r in cols(ocrelizumab, "effect", "onlyIfPreExisting")}
    assert {e for e, v in pre_existing.items() if v == "true"} == {
        "hepatitis B reactivation",
        "shingles",
    }
    assert {v for e, v in pre_existing.items() if v != "true"} == {""}
    everyone = run(graph, "serious-adverse-effects")
    assert "false" not in set(col(everyone, "potentiallyFatal")) | set(
        col(everyone, "onlyIfPreExisting")
    )
    counts = {d: col(everyone, "drug").count(d) for d in set(col(everyone, "drug"))}
    # mitoxantrone: the three the article lists (heart failure, kidney failure, blood problems);
    # the toxicity of too much drug is the reason for its restriction, not a fourth effect
    assert counts == {"alemtuzumab": 6, "natalizumab": 2, "mitoxantrone": 3, "ocrelizumab": 6}
    assert set(col(run(graph, "serious-adverse-effects", drug="mitoxantrone"), "effect")) == {
        "blood disorder",
        "congestive heart failure",
        "kidney failure",
    }


def test_common_adverse_effects(graph: Graph) -> None:
    result = run(graph, "common-adverse-effects", drug="natalizumab")
    assert col(result, "effect") == [
        "allergic reaction",
        "depression",
        "fatigue",
        "headache",
        "infection",
    ]
    mitoxantrone = run(graph, "common-adverse-effects", drug="mskr:mitoxantrone")
    assert len(mitoxantrone.rows) == 10
    assert "blue-green urine" in col(mitoxantrone, "effect")
    everyone = run(graph, "common-adverse-effects")
    assert len(everyone.rows) == 7 + 5 + 10 + 2


def test_shared_adverse_effects(graph: Graph) -> None:
    result = run(graph, "shared-adverse-effects")
    assert {r[0]: r[1:] for r in cols(result, "effect", "drugCount", "drugs")} == {
        "blood disorder": ("2", "alemtuzumab, mitoxantrone"),
        "cancer": ("2", "alemtuzumab, ocrelizumab"),
        "depression": ("2", "mitoxantrone, natalizumab"),
        "fatigue": ("2", "alemtuzumab, natalizumab"),
        "headache": ("2", "alemtuzumab, natalizumab"),
        "infection": ("2", "natalizumab, ocrelizumab"),
        "nausea": ("2", "alemtuzumab, mitoxantrone"),
        "progressive multifocal leukoencephalopathy": ("2", "natalizumab, ocrelizumab"),
        "urinary tract infection": ("2", "alemtuzumab, mitoxantrone"),
        # "for all these drugs": every infused drug, not plasmapheresis (a procedure) nor IVIG
        "infusion reaction": (
            "6",
            "alemtuzumab, methylprednisolone, mitoxantrone, natalizumab, ocrelizumab, rituximab",
        ),
    }


def test_compare_drugs(graph: Graph) -> None:
    result = run(graph, "compare-drugs")  # defaults: natalizumab and ocrelizumab
    rows = {r[0]: r[1:] for r in cols(result, "effect", "comparison", "inA", "inB")}
    assert rows["infection"] == ("both", "common", "common")
    assert rows["progressive multifocal leukoencephalopathy"] == ("both", "serious", "serious")
    assert rows["liver problems"] == ("only natalizumab", "serious", "")
    # Both can have an infusion reaction; only ocrelizumab's section classes it (common).
    assert rows["infusion reaction"] == ("both", "not classed", "common")
    assert {e for e, r in rows.items() if r[0] == "only natalizumab"} == {
        "allergic reaction",
        "depression",
        "fatigue",
        "headache",
        "liver problems",
    }
    assert len(rows) == 13
    other = run(graph, "compare-drugs", a="Lemtrada", b="mitoxantrone")
    both = {r[0] for r in cols(other, "effect", "comparison") if r[1] == "both"}
    assert both == {"blood disorder", "nausea", "urinary tract infection", "infusion reaction"}


def test_potentially_fatal_effects(graph: Graph) -> None:
    result = run(graph, "potentially-fatal-effects")
    assert set(cols(result, "drug", "effect")) == {
        ("alemtuzumab", "autoimmune reaction"),
        ("alemtuzumab", "Guillain-Barré syndrome"),
        ("alemtuzumab", "autoimmune organ failure"),
        ("alemtuzumab", "cancer"),
        ("alemtuzumab", "blood disorder"),
        ("alemtuzumab", "thyroid disorder"),
        ("natalizumab", "progressive multifocal leukoencephalopathy"),
        ("ocrelizumab", "progressive multifocal leukoencephalopathy"),
    }
    assert len(result.rows) == 8
    assert set(col(result, "seriousness")) == {"serious"}


INDICATED = "indicated for"
HEDGED = "may be used for"


def test_indications_by_subtype(graph: Graph) -> None:
    result = run(graph, "indications-by-subtype")
    rows = cols(result, "treatment", "msForm", "use", "severity", "restriction")
    severe_only = "severe MS only, as its side effects can be serious"
    after_another = "only after at least one other MS medicine did not work well"
    assert rows == [
        ("alemtuzumab", "multiple sclerosis", INDICATED, "", after_another),
        # the infused DMTs as a group "may be especially helpful" in aggressive or advanced MS:
        # a severity of MS, qualifying the use, not a disease of its own
        ("alemtuzumab", "multiple sclerosis", HEDGED, "aggressive or advanced", after_another),
        # "in some cases, your doctor may suggest" these for MS attacks or relapses
        ("intravenous immunoglobulin", "MS relapse", HEDGED, "", ""),
        ("methylprednisolone", "MS relapse", HEDGED, "", ""),
        # approved by the FDA for MS; recommended only for severe MS, on every MS use
        ("mitoxantrone", "multiple sclerosis", INDICATED, "", severe_only),
        ("mitoxantrone", "multiple sclerosis", HEDGED, "aggressive or advanced", severe_only),
        # "may work best" for SPMS or rapidly worsening MS
        ("mitoxantrone", "multiple sclerosis", HEDGED, "rapidly worsening", severe_only),
        ("mitoxantrone", "secondary progressive multiple sclerosis", HEDGED, "", severe_only),
        ("natalizumab", "multiple sclerosis", INDICATED, "", ""),
        ("natalizumab", "multiple sclerosis", HEDGED, "aggressive or advanced", ""),
        ("ocrelizumab", "multiple sclerosis", HEDGED, "aggressive or advanced", ""),
        ("ocrelizumab", "primary progressive multiple sclerosis", INDICATED, "", ""),
        ("ocrelizumab", "relapsing forms of MS", INDICATED, "", ""),
        ("plasmapheresis", "MS relapse", HEDGED, "", ""),
        ("rituximab", "MS relapse", HEDGED, "", ""),
    ]
    notes = {r[2] for r in cols(result, "treatment", "msForm", "note") if r[0] == "natalizumab"}
    assert any("especially helpful" in n for n in notes)
    kinds = {r[0]: r[1] for r in cols(result, "msForm", "formKind")}
    assert kinds == {
        "multiple sclerosis": "disease",
        "primary progressive multiple sclerosis": "MS clinical course",
        "secondary progressive multiple sclerosis": "MS clinical course",
        "relapsing forms of MS": "grouping of MS courses",
        "MS relapse": "disease episode",
    }


def test_usage_restrictions(graph: Graph) -> None:
    result = run(graph, "usage-restrictions")
    rows = cols(result, "treatment", "indication", "use", "severity", "minimumPriorTherapies")
    # Each drug's restriction is on every indication it qualifies: alemtuzumab's prior-therapy
    # rule on both its MS uses, mitoxantrone's "severe MS only" on all four.
    assert rows == [
        ("alemtuzumab", "multiple sclerosis", INDICATED, "", "1"),
        ("alemtuzumab", "multiple sclerosis", HEDGED, "aggressive or advanced", "1"),
        ("mitoxantrone", "multiple sclerosis", INDICATED, "", ""),
        ("mitoxantrone", "multiple sclerosis", HEDGED, "aggressive or advanced", ""),
        ("mitoxantrone", "multiple sclerosis", HEDGED, "rapidly worsening", ""),
        ("mitoxantrone", "secondary progressive multiple sclerosis", HEDGED, "", ""),
    ]
    only_for = {r[0]: set() for r in rows}
    for treatment, value in cols(result, "treatment", "onlyFor"):
        only_for[treatment].add(value)
    assert only_for == {"alemtuzumab": {""}, "mitoxantrone": {"severe"}}
    # why: the serious effects the article lists for mitoxantrone, not a made-up fourth one
    reasons = {r[1] for r in cols(result, "treatment", "reasons") if r[0] == "mitoxantrone"}
    assert reasons == {"blood disorder, congestive heart failure, kidney failure"}


def test_other_indications(graph: Graph) -> None:
    result = run(graph, "other-indications")
    assert cols(result, "treatment", "condition", "use") == [
        ("mitoxantrone", "cancer", INDICATED),
        ("rituximab", "chronic lymphocytic leukemia", INDICATED),
        ("rituximab", "non-Hodgkin lymphoma", INDICATED),
        ("rituximab", "rheumatoid arthritis", INDICATED),
    ]


def test_dosing_schedules(graph: Graph) -> None:
    result = run(graph, "dosing-schedules")
    assert result.variables[0] == "drug" and result.variables[-1] == "drugIri"
    names = ("drug", "phaseOrder", "doseValue", "doseUnit", "interval", "numberOfDoses")
    assert cols(result, *names, "startsAfter") == [
        ("alemtuzumab", "1", "", "", "P1D", "5", ""),
        ("alemtuzumab", "2", "", "", "P1D", "3", "P1Y"),
        ("mitoxantrone", "1", "", "", "P3M", "", ""),
        ("natalizumab", "1", "", "", "P28D", "", ""),
        ("ocrelizumab", "1", "300", "mg", "P14D", "2", ""),
        ("ocrelizumab", "2", "600", "mg", "P6M", "", ""),
    ]
    assert col(result, "phase")[:2] == ["initial phase", "repeat course"]
    one = run(graph, "dosing-schedules", drug="Ocrevus")
    assert col(one, "phase") == ["initial phase", "maintenance phase"]
    assert set(col(one, "drugIri")) == {MSKR + "ocrelizumab"}


def test_cumulative_dose_limits(graph: Graph) -> None:
    result = run(graph, "cumulative-dose-limits")
    assert cols(
        result,
        "drug",
        "doseValue",
        "doseUnit",
        "span",
        "usuallyReachedAfterMin",
        "usuallyReachedAfterMax",
    ) == [("mitoxantrone", "140", "mg/m2", "lifetime", "P2Y", "P3Y")]


def test_infusion_reaction(graph: Graph) -> None:
    result = run(graph, "infusion-reaction")
    rows = cols(result, "sideEffect", "causedBy", "symptom", "usualOnsetWithin", "latestOnset")
    # A reaction to the drug: every infused drug, not plasmapheresis (a procedure, whatever
    # its route) and not IVIG (a transfusion in the article, not a drug).
    drugs = "alemtuzumab, methylprednisolone, mitoxantrone, natalizumab, ocrelizumab, rituximab"
    # Up to 24 hours later, written in canonical form: P1D.
    assert {r[1:] for r in rows if r[0] == "infusion reaction"} == {
        (drugs, "fever", "PT2H", "P1D"),
        (drugs, "hives", "PT2H", "P1D"),
        (drugs, "rash", "PT2H", "P1D"),
        (drugs, "scaly patches on the skin", "PT2H", "P1D"),
    }
    # The infusion process's own effects stay with the process.
    assert {r[:2] for r in rows if r[0] != "infusion reaction"} == {
        ("bruising or bleeding at the injection site", "intravenous infusion"),
        ("chills", "intravenous infusion"),
        ("flushing", "intravenous infusion"),
        ("nausea", "intravenous infusion"),
    }


def test_liver_problem_symptoms(graph: Graph) -> None:
    result = run(graph, "liver-problem-symptoms")
    assert col(result, "symptom") == [
        "bleeding or bruising more easily than usual",
        "dark urine",
        "fatigue",
        "jaundice",
        "pain in the upper right abdomen",
    ]
    assert set(col(result, "drug")) == {"natalizumab"}


def test_brand_names(graph: Graph) -> None:
    result = run(graph, "brand-names")
    assert {r[0]: r[1] for r in cols(result, "treatment", "brandName")} == {
        "alemtuzumab": "Lemtrada",
        "natalizumab": "Tysabri",
        "mitoxantrone": "",
        "ocrelizumab": "Ocrevus",
        "rituximab": "Rituxan",
        "methylprednisolone": "Solu-Medrol",
        "plasmapheresis": "",
        "intravenous immunoglobulin": "",
    }


def test_approvals(graph: Graph) -> None:
    result = run(graph, "approvals")
    rows = cols(result, "treatment", "agency", "approvedFor", "year", "firstForCondition")
    assert rows == [
        ("alemtuzumab", "FDA", "multiple sclerosis", "", "false"),
        ("mitoxantrone", "FDA", "multiple sclerosis", "", "false"),
        ("natalizumab", "FDA", "multiple sclerosis", "", "false"),
        ("ocrelizumab", "FDA", "multiple sclerosis", "2017", "false"),
        ("ocrelizumab", "FDA", "primary progressive multiple sclerosis", "2017", "true"),
        ("ocrelizumab", "FDA", "relapsing forms of MS", "2017", "false"),
    ]


def test_drug_profile(graph: Graph) -> None:
    result = run(graph, "drug-profile")  # default: natalizumab
    facts = set(cols(result, "aspect", "value"))
    for fact in [
        ("label", "natalizumab"),
        ("brand name", "Tysabri"),
        ("type", "disease-modifying therapy"),
        ("drug class", "monoclonal antibody"),
        ("acts on cell", "white blood cell"),
        ("indicated for", "multiple sclerosis"),
        ("has approval", "FDA approval of natalizumab for MS"),
        ("has phase", "natalizumab: one infusion every 4 weeks"),
        ("has serious adverse effect", "progressive multifocal leukoencephalopathy"),
        ("has common adverse effect", "headache"),
        ("was derived from", "Seed article, natalizumab (Tysabri)"),
    ]:
        assert fact in facts
    assert len(result.rows) == _profile_facts(graph, "natalizumab")
    mitoxantrone_result = run(graph, "drug-profile", drug="mitoxantrone")
    rows = cols(mitoxantrone_result, "aspect", "value", "valueIri")
    # One row per fact: the restriction linked from four indications is listed once.
    assert len(rows) == len(set(rows)) == _profile_facts(graph, "mitoxantrone")
    mitoxantrone = {r[:2] for r in rows}
    assert [r[1] for r in rows if r[0] == "usage restriction"] == [
        "severe MS only, as its side effects can be serious"
    ]
    assert [r[1] for r in rows if r[0] == "for severity"] == [
        "aggressive or advanced",
        "rapidly worsening",
    ]
    assert ("may be used for", "secondary progressive multiple sclerosis") in mitoxantrone
    assert ("has infusion reaction", "infusion reaction") in mitoxantrone
    assert (
        "has cumulative dose limit",
        "mitoxantrone lifetime cumulative limit: 140 mg per square metre",
    ) in mitoxantrone


def _profile_facts(graph: Graph, drug: str) -> int:
    """The facts drug-profile should list, counted with rdflib instead of SPARQL."""
    node = URIRef(MSKR + drug)
    facts = set(graph.predicate_objects(node))
    for mechanism in graph.objects(node, URIRef(MSKG + "hasMechanism")):
        for name in ("actionType", "actsOnCell", "actsOnMolecule", "anatomicalContext"):
            prop = URIRef(MSKG + name)
            facts.update((prop, o) for o in graph.objects(mechanism, prop))
    for regimen in graph.objects(node, URIRef(MSKG + "hasDosingRegimen")):
        phase = URIRef(MSKG + "hasPhase")
        facts.update((phase, o) for o in graph.objects(regimen, phase))
    uses = {URIRef(MSKG + "indicatedFor"), URIRef(MSKG + "mayBeUsedFor")}
    for indication in graph.subjects(RDF.subject, node):
        if graph.value(indication, RDF.predicate) in uses:
            for name in ("usageRestriction", "forSeverity"):
                prop = URIRef(MSKG + name)
                facts.update((prop, o) for o in graph.objects(indication, prop))
    return len(facts)


def test_provenance(graph: Graph) -> None:
    result = run(graph, "provenance")  # default: natalizumab
    rows = set(cols(result, "statement", "source"))
    assert (
        "natalizumab has serious adverse effect progressive multifocal leukoencephalopathy",
        "Seed article, natalizumab (Tysabri)",
    ) in rows
    assert (
        "natalizumab indicated for multiple sclerosis",
        "Seed article, FDA-approved infusion disease-modifying drugs",
    ) in rows
    assert ("natalizumab drug class monoclonal antibody", "WHO ATC classification") in rows
    # each cross-reference is its own statement, sourced from the reference table; the node's
    # own sources are the article sections that describe the drug
    assert (
        "natalizumab exactMatch https://go.drugbank.com/drugs/DB00108",
        "mskg reference identifier table",
    ) in rows
    assert {r[1] for r in rows if r[0] == "natalizumab: names, types, definition"} == {
        "Seed article, FDA-approved infusion disease-modifying drugs",
        "Seed article, natalizumab (Tysabri)",
    }
    assert ("natalizumab dosing", "Seed article, natalizumab (Tysabri)") in rows
    # Every statement about the drug has a source; none is about another drug.
    assert all(r[1] for r in rows)
    assert not any("ocrelizumab" in r[0] for r in rows)


# --------------------------------------------------------------------------------------------
# The worked examples in queries/README.md run and give the answers shown there
# --------------------------------------------------------------------------------------------


def test_readme_worked_examples(graph: Graph) -> None:
    import re

    from mskg.sparql.named import query_from_text
    from mskg.sparql.results import format_result

    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    examples = readme.split("## Three worked examples", 1)[1]
    blocks = re.findall(r"```sparql\n(.*?)```\n(?:\n(\|.*?)\n\n)?", examples, re.S)
    assert len(blocks) == 3
    for text, table in blocks[:2]:
        result = run_query(query_from_text(text), graph)
        assert format_result(result, "md").strip() == table.strip()
    third = query_from_text(blocks[2][0])
    assert len(run_query(third, graph).rows) == 9
    cancer = run_query(third, graph, params={"kind": "cancer"})
    assert {tuple(map(str, r[:2])) for r in cancer.rows} == {
        ("alemtuzumab", "cancer"),
        ("ocrelizumab", "cancer"),
        ("ocrelizumab", "breast cancer"),
    }
