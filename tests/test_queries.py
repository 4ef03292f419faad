"""The named queries in queries/: each one's answer from each source layer, and a walk over the
real folder that parses and runs every file, so a new query cannot land broken.

The graph reads two layers of sources (graph/README.md, "Two source layers"): the patient
article the graph was built from (../shared/seed/ms-infusion-treatments.txt) and the US drug
labels (graph/data/labels/*.ttl, each statement citing a label section). A query with a
``source`` parameter is asked for each layer alone: what it answers with ``source=article`` is
what the article says, checked against its text; with ``source=label`` what the label files
state, checked against the .ttl files and the notes in them; without it, both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from conftest import QUERIES_DIR
from mskg.errors import UnknownNameError
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
    # what the label layer adds
    "molecular-targets",
    "boxed-warnings",
    "risk-programs",
    "required-monitoring",
    "premedication",
    "source-disagreements",
}

#: The queries that answer from one source layer when asked (``--param source=...``).
LAYERED = sorted(
    p.stem for p in QUERY_FILES if any(q.name == "source" for q in read_query(p).header.params)
)


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
# The source parameter
# --------------------------------------------------------------------------------------------


def test_the_layered_queries() -> None:
    """Every query whose rows rest on statements a user may want from one layer takes source."""
    assert set(LAYERED) >= {
        "approvals",
        "common-adverse-effects",
        "compare-drugs",
        "cumulative-dose-limits",
        "dosing-schedules",
        "drugs-by-target-cell",
        "drugs-with-pml-risk",
        "fda-approved-infusion-dmts",
        "indications-by-subtype",
        "mechanisms",
        "other-indications",
        "potentially-fatal-effects",
        "serious-adverse-effects",
        "shared-adverse-effects",
        "usage-restrictions",
    }
    for name in LAYERED:
        params = {p.name: p for p in read_query(QUERIES_DIR / f"{name}.rq").header.params}
        assert params["source"].cls == "mskg:SourceLayer", name
        assert params["source"].default is None, name  # unset: every layer
        assert params["source"].description, name


@pytest.mark.parametrize("name", LAYERED)
@pytest.mark.parametrize("layer", ["article", "label"])
def test_one_layer_answers_from_that_layer_only(graph: Graph, name: str, layer: str) -> None:
    """Each layer answers something, and a column naming the layers names only the one asked
    for; the answer for one layer is part of the answer for all (compared on the columns that
    do not depend on the layers asked for)."""
    one = run(graph, name, source=layer)
    assert one.rows, f"{name}: nothing from the {layer} layer"
    # the column of layer names (fda-approved-infusion-dmts names its documents in ?sources)
    column = next((c for c in ("layers", "layer", "sources") if c in one.variables), None)
    if column is not None:
        assert set(col(one, column)) == {layer}, name
    every = run(graph, name)
    keep = [v for v in one.variables if v not in {"sources", "layers", "layer", "labelIncidence"}]
    if name == "compare-drugs":  # a drug's class of an effect can differ between layers
        keep = ["effect", "effectIri"]
    if name in {"drugs-with-pml-risk", "potentially-fatal-effects"}:  # merged qualifiers
        keep = [v for v in keep if v not in {"frequency", "potentiallyFatal"}]
    if name == "shared-adverse-effects":  # a count over the links of the layers asked for
        keep = ["effect", "effectIri"]
    assert set(cols(one, *keep)) <= set(cols(every, *keep)), name


@pytest.mark.parametrize("name", LAYERED)
def test_an_unknown_layer_is_an_error_naming_the_parameter_class(graph: Graph, name: str) -> None:
    with pytest.raises(UnknownNameError) as err:
        run(graph, name, source="nonsense")
    assert str(err.value).startswith("unknown source layer 'nonsense'")
    # a near miss lists the layers it may have meant, by their short names
    with pytest.raises(UnknownNameError, match=r"did you mean: article\b"):
        run(graph, name, source="articel")


def test_a_layer_is_named_by_its_short_name_label_or_iri(graph: Graph) -> None:
    expected = cols(run(graph, "mechanisms", source="article"), "drug", "mechanism")
    for value in ("article", "Article", "article layer", "mskr:layer-article", "layer-article"):
        assert cols(run(graph, "mechanisms", source=value), "drug", "mechanism") == expected


NO_LAYER_TTL = """@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

mskr:test-page a mskg:InformationSource ; rdfs:label "a page of no layer"@en .
mskr:natalizumab mskg:hasCommonAdverseEffect mskr:nausea ;
    mskg:hasDosingRegimen mskr:test-regimen .
mskr:test-ae a mskg:AdverseEffectAssociation ;
    rdf:subject mskr:natalizumab ; rdf:predicate mskg:hasCommonAdverseEffect ;
    rdf:object mskr:nausea ; prov:wasDerivedFrom mskr:test-page .
mskr:test-regimen a mskg:DosingRegimen ; rdfs:label "test regimen"@en ;
    mskg:hasPhase mskr:test-phase ; prov:wasDerivedFrom mskr:test-page .
mskr:test-phase a mskg:DosingPhase ; rdfs:label "test phase"@en ;
    mskg:phaseType mskg:MaintenancePhase ; mskg:phaseOrder 1 ; prov:wasDerivedFrom mskr:test-page .
"""


def test_a_fact_of_no_layer_is_answered_without_source_only(graph_copy: Path) -> None:
    """A source that names no layer (such as the pages a drug added by hand cites, as in
    docs/EXTENDING.md) still counts when no layer is asked for, with no layer named; a layer
    asked for leaves it out."""
    from mskg.graph.loader import graph_files, load_files

    (graph_copy / "data" / "no-layer.ttl").write_text(NO_LAYER_TTL, encoding="utf-8")
    graph = load_files(graph_files(graph_copy))
    common = run(graph, "common-adverse-effects", drug="natalizumab")
    assert ("nausea", "") in cols(common, "effect", "sources")
    dosing = run(graph, "dosing-schedules", drug="natalizumab")
    assert ("test phase", "") in cols(dosing, "description", "sources")
    compared = run(graph, "compare-drugs")
    assert ("nausea", "only natalizumab", "common") in cols(compared, "effect", "comparison", "inA")
    for layer in ("article", "label"):
        one = run(graph, "common-adverse-effects", drug="natalizumab", source=layer)
        assert "nausea" not in col(one, "effect")
        assert "test phase" not in col(run(graph, "dosing-schedules", source=layer), "description")
        assert "nausea" not in col(run(graph, "compare-drugs", source=layer), "effect")


# --------------------------------------------------------------------------------------------
# One test per named query
# --------------------------------------------------------------------------------------------

ARTICLE = "Infusion treatments for MS (Healthline)"
BRIUMVI_EARLIER = (
    "Briumvi (ublituximab-xiiy) US prescribing information, earlier version on prescriberpoint"
)


def test_fda_approved_infusion_dmts(graph: Graph) -> None:
    # The article: "Four infusible disease-modifying drugs are currently approved by the FDA";
    # mitoxantrone has no brand name in it, and ocrelizumab's approval year is 2017.
    article = run(graph, "fda-approved-infusion-dmts", source="article")
    assert cols(article, "treatment", "brandName", "approvalYear", "sources", "layers") == [
        ("alemtuzumab", "Lemtrada", "", ARTICLE, "article"),
        ("mitoxantrone", "", "", ARTICLE, "article"),
        ("natalizumab", "Tysabri", "", ARTICLE, "article"),
        ("ocrelizumab", "Ocrevus", "2017", ARTICLE, "article"),
    ]
    assert set(col(article, "agency")) == {"US Food and Drug Administration"}
    assert col(article, "treatmentIri")[0] == MSKR + "alemtuzumab"
    # The label layer: ublituximab (Briumvi), approved after the article, for relapsing forms
    # of MS as section 1 of its label (earlier version) states; no year could be read.
    label = run(graph, "fda-approved-infusion-dmts", source="label")
    assert cols(label, "treatment", "brandName", "approvalYear", "sources", "layers") == [
        ("ublituximab", "Briumvi", "", BRIUMVI_EARLIER, "label")
    ]
    # Both: the article's four, and the ninth treatment of the graph, from its label.
    both = run(graph, "fda-approved-infusion-dmts")
    assert col(both, "treatment") == [
        "alemtuzumab",
        "mitoxantrone",
        "natalizumab",
        "ocrelizumab",
        "ublituximab",
    ]


def test_relapse_infusion_treatments(graph: Graph) -> None:
    result = run(graph, "relapse-infusion-treatments")
    assert cols(result, "treatment", "kind", "brandName") == [
        ("intravenous immunoglobulin", "blood product", ""),
        ("methylprednisolone", "drug", "Solu-Medrol"),
        ("plasmapheresis", "procedure", ""),
        ("rituximab", "drug", "Rituxan"),
    ]


def test_drugs_by_target_cell(graph: Graph) -> None:
    result = run(graph, "drugs-by-target-cell", source="article")
    assert set(cols(result, "treatment", "cellType")) == {
        ("alemtuzumab", "B lymphocyte"),
        ("alemtuzumab", "T lymphocyte"),
        ("methylprednisolone", "inflammatory cell"),
        ("natalizumab", "white blood cell"),
        ("ocrelizumab", "B lymphocyte"),
        ("rituximab", "B lymphocyte"),
    }
    b_cells = run(graph, "drugs-by-target-cell", cell="B cell", source="article")
    assert col(b_cells, "treatment") == ["alemtuzumab", "ocrelizumab", "rituximab"]
    # A white blood cell is the broader type: its narrower types count too.
    leukocytes = run(graph, "drugs-by-target-cell", cell="leukocyte", source="article")
    assert sorted(set(col(leukocytes, "treatment"))) == [
        "alemtuzumab",
        "natalizumab",
        "ocrelizumab",
        "rituximab",
    ]
    # The labels' mechanisms (section 12.1, or what 2.1 and the class phrase say): Lemtrada's
    # on T and B cells, mitoxantrone's on B cells, T cells and macrophages (in vitro), Tysabri's
    # on white blood cells, Ocrevus's and Briumvi's on B cells; Rituxan's names only CD20.
    label = run(graph, "drugs-by-target-cell", source="label")
    assert set(cols(label, "treatment", "cellType")) == {
        ("alemtuzumab", "B lymphocyte"),
        ("alemtuzumab", "T lymphocyte"),
        ("mitoxantrone", "B lymphocyte"),
        ("mitoxantrone", "T lymphocyte"),
        ("mitoxantrone", "macrophage"),
        ("natalizumab", "white blood cell"),
        ("ocrelizumab", "B lymphocyte"),
        ("ublituximab", "B lymphocyte"),
    }
    # Both layers: a mechanism of each, each row naming its layer.
    both = run(graph, "drugs-by-target-cell", cell="B cell")
    assert cols(both, "treatment", "sources") == [
        ("alemtuzumab", "label"),
        ("alemtuzumab", "article"),
        ("mitoxantrone", "label"),
        ("ocrelizumab", "label"),
        ("ocrelizumab", "article"),
        ("rituximab", "article"),
        ("ublituximab", "label"),
    ]


def test_mechanisms(graph: Graph) -> None:
    result = run(graph, "mechanisms", source="article")
    assert result.variables[0] == "drug" and result.variables[-1] == "drugIri"
    by_drug = {r[0]: r[1:] for r in cols(result, "drug", "action", "actsOn", "where", "sources")}
    assert len(by_drug) == len(result.rows) == 8
    assert by_drug["alemtuzumab"] == ("depletion", "B lymphocyte, T lymphocyte", "", "article")
    assert by_drug["natalizumab"] == (
        "migration blockade",
        "white blood cell",
        "brain, spinal cord",
        "article",
    )
    assert by_drug["mitoxantrone"] == ("immunosuppression", "", "immune system", "article")
    assert by_drug["ocrelizumab"] == ("targeting", "B lymphocyte", "myelin sheath", "article")
    assert by_drug["plasmapheresis"][0] == "removal from blood"
    assert by_drug["intravenous immunoglobulin"][0] == "immune support"
    one = run(graph, "mechanisms", drug="Tysabri", source="article")
    assert cols(one, "drug", "drugIri") == [("natalizumab", MSKR + "natalizumab")]
    # The labels' mechanisms, with the molecules they bind (targets.ttl): no place of action.
    label = run(graph, "mechanisms", source="label")
    assert cols(label, "drug", "action", "actsOn", "where") == [
        ("alemtuzumab", "depletion", "B lymphocyte, CD52, T lymphocyte", ""),
        (
            "mitoxantrone",
            "immunosuppression",
            "B lymphocyte, DNA topoisomerase II, T lymphocyte, macrophage",
            "",
        ),
        ("natalizumab", "migration blockade", "integrin alpha-4, white blood cell", ""),
        ("ocrelizumab", "depletion", "B lymphocyte, B-lymphocyte antigen CD20", ""),
        ("rituximab", "depletion", "B-lymphocyte antigen CD20", ""),
        ("ublituximab", "depletion", "B lymphocyte", ""),
    ]
    # Unset: both, a row per mechanism; each source describes its own.
    both = run(graph, "mechanisms", drug="Tysabri")
    assert cols(both, "mechanism", "sources") == [
        ("blocks alpha-4 integrin adhesion of white blood cells (label)", "label"),
        ("keeps damaging immune cells out of the brain and spinal cord", "article"),
    ]
    assert len(run(graph, "mechanisms").rows) == 8 + 6


def test_drugs_with_pml_risk(graph: Graph) -> None:
    article = run(graph, "drugs-with-pml-risk", source="article")
    # The seed calls PML deadly where it describes it; ocrelizumab's section names it without
    # a frequency, so that cell stays empty rather than saying anything the source does not.
    assert cols(article, "drug", "seriousness", "frequency", "potentiallyFatal", "sources") == [
        ("natalizumab", "serious", "rare", "true", "article"),
        ("ocrelizumab", "serious", "", "true", "article"),
    ]
    # The labels: Tysabri's and Rituxan's boxed warnings (PML may end in death); neither calls
    # it rare, and the Ocrevus pages read do not name it.
    label = run(graph, "drugs-with-pml-risk", source="label")
    assert cols(label, "drug", "seriousness", "frequency", "potentiallyFatal", "sources") == [
        ("natalizumab", "serious", "", "true", "label"),
        ("rituximab", "serious", "", "true", "label"),
    ]
    # Both: one row per drug, qualified by any source, naming the layers in order.
    both = run(graph, "drugs-with-pml-risk")
    assert cols(both, "drug", "frequency", "potentiallyFatal", "sources") == [
        ("natalizumab", "rare", "true", "article, label"),
        ("ocrelizumab", "", "true", "article"),
        ("rituximab", "", "true", "label"),
    ]


def test_serious_adverse_effects(graph: Graph) -> None:
    result = run(graph, "serious-adverse-effects", drug="natalizumab", source="article")
    # Unstated qualifiers are empty, not "false": the source says nothing about them.
    assert cols(result, "effect", "potentiallyFatal", "frequency", "onlyIfPreExisting") == [
        ("liver problems", "", "", ""),
        ("progressive multifocal leukoencephalopathy", "true", "rare", ""),
    ]
    ocrelizumab = run(graph, "serious-adverse-effects", drug="Ocrevus", source="article")
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
    everyone = run(graph, "serious-adverse-effects", source="article")
    counts = {d: col(everyone, "drug").count(d) for d in set(col(everyone, "drug"))}
    # mitoxantrone: the three the article lists (heart failure, kidney failure, blood problems);
    # the toxicity of too much drug is the reason for its restriction, not a fourth effect
    assert counts == {"alemtuzumab": 6, "natalizumab": 2, "mitoxantrone": 3, "ocrelizumab": 6}
    mitoxantrone = run(graph, "serious-adverse-effects", drug="mitoxantrone", source="article")
    assert set(col(mitoxantrone, "effect")) == {
        "blood disorder",
        "congestive heart failure",
        "kidney failure",
    }
    # The labels: Ocrevus's warnings (serious infections, some fatal; infusion reactions; lower
    # immunoglobulins; malignancies; liver injury, 5.7); the mitoxantrone box (heart failure,
    # potentially fatal; marrow suppression; extravasation) and Medication Guide (AML).
    label = run(graph, "serious-adverse-effects", drug="Ocrevus", source="label")
    assert cols(label, "effect", "potentiallyFatal") == [
        ("cancer", ""),
        ("infection", "true"),
        ("infusion reaction", ""),
        ("liver problems", ""),
        ("reduction in immunoglobulins", ""),
    ]
    label = run(graph, "serious-adverse-effects", drug="mitoxantrone", source="label")
    assert cols(label, "effect", "potentiallyFatal") == [
        ("acute myeloid leukemia", ""),
        ("bone marrow suppression", ""),
        ("congestive heart failure", "true"),
        ("tissue damage from extravasation", ""),
    ]
    # Rituxan's box: hepatitis B reactivation, in people who carry the virus, may be fatal.
    rituximab = run(graph, "serious-adverse-effects", drug="rituximab", source="label")
    assert ("hepatitis B reactivation", "true", "", "true") in cols(
        rituximab, "effect", "potentiallyFatal", "frequency", "onlyIfPreExisting"
    )
    # Both: sources that qualify one link alike share a row, the others have one each.
    both = run(graph, "serious-adverse-effects", drug="natalizumab")
    assert cols(both, "effect", "potentiallyFatal", "frequency", "sources") == [
        ("liver problems", "", "", "article"),
        ("progressive multifocal leukoencephalopathy", "true", "rare", "article"),
        ("progressive multifocal leukoencephalopathy", "true", "", "label"),
    ]
    assert ("cancer", "article, label") in cols(
        run(graph, "serious-adverse-effects", drug="Ocrevus"), "effect", "sources"
    )
    everyone = run(graph, "serious-adverse-effects")
    assert "false" not in set(col(everyone, "potentiallyFatal")) | set(
        col(everyone, "onlyIfPreExisting")
    )


def test_common_adverse_effects(graph: Graph) -> None:
    result = run(graph, "common-adverse-effects", drug="natalizumab", source="article")
    assert col(result, "effect") == [
        "allergic reaction",
        "depression",
        "fatigue",
        "headache",
        "infection",
    ]
    # The incidence is the label's: not shown when only the article is asked for.
    assert set(col(result, "labelIncidence")) == {""}
    mitoxantrone = run(graph, "common-adverse-effects", drug="mskr:mitoxantrone", source="article")
    assert len(mitoxantrone.rows) == 10
    assert "blue-green urine" in col(mitoxantrone, "effect")
    everyone = run(graph, "common-adverse-effects", source="article")
    assert len(everyone.rows) == 7 + 5 + 10 + 2
    assert set(col(everyone, "labelIncidence")) == {""}
    # The label: Tysabri's AFFIRM percentages (6.1), as fractions.
    label = run(graph, "common-adverse-effects", drug="natalizumab", source="label")
    assert cols(label, "effect", "labelIncidence") == [
        ("arthralgia", "0.19"),
        ("depression", "0.19"),
        ("fatigue", "0.27"),
        ("gastroenteritis", "0.11"),
        ("headache", "0.38"),
        ("infusion reaction", "0.24"),
        ("pain in extremity", "0.16"),
        ("rash", "0.12"),
        ("urinary tract infection", "0.21"),
        ("vaginitis", "0.1"),
    ]
    # MS Study 1 of the Novantrone label, 12 mg/m2 arm.
    label = run(graph, "common-adverse-effects", drug="mitoxantrone", source="label")
    assert dict(cols(label, "effect", "labelIncidence")) == {
        "amenorrhea": "0.43",
        "hair loss": "0.61",
        "menstrual disorder": "0.61",
        "nausea": "0.76",
        "upper respiratory tract infection": "0.53",
        "urinary tract infection": "0.32",
    }
    # Both: the layers that name each effect, and the label's incidence where it gives one.
    both = run(graph, "common-adverse-effects", drug="natalizumab")
    rows = {r[0]: r[1:] for r in cols(both, "effect", "sources", "labelIncidence")}
    assert rows["headache"] == ("article, label", "0.38")
    assert rows["allergic reaction"] == ("article", "")
    assert rows["vaginitis"] == ("label", "0.1")
    assert len(rows) == len(both.rows) == 5 + 10 - 3


def test_shared_adverse_effects(graph: Graph) -> None:
    result = run(graph, "shared-adverse-effects", source="article")
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
    # The labels (each effect checked in the label files: 6.1 lists, boxed warnings, the
    # Privigen and Briumvi patient-facing lists).
    label = run(graph, "shared-adverse-effects", source="label")
    assert {r[0]: r[1:] for r in cols(label, "effect", "drugCount", "drugs")} == {
        "infusion reaction": (
            "5",
            "alemtuzumab, natalizumab, ocrelizumab, rituximab, ublituximab",
        ),
        "upper respiratory tract infection": (
            "4",
            "alemtuzumab, mitoxantrone, ocrelizumab, ublituximab",
        ),
        "fatigue": ("3", "alemtuzumab, intravenous immunoglobulin, natalizumab"),
        "headache": ("3", "alemtuzumab, intravenous immunoglobulin, natalizumab"),
        "nausea": ("3", "alemtuzumab, intravenous immunoglobulin, mitoxantrone"),
        "urinary tract infection": ("3", "alemtuzumab, mitoxantrone, natalizumab"),
        "arthralgia": ("2", "alemtuzumab, natalizumab"),
        "cancer": ("2", "alemtuzumab, ocrelizumab"),
        "fever": ("2", "alemtuzumab, intravenous immunoglobulin"),
        "infection": ("2", "ocrelizumab, ublituximab"),
        "pain in extremity": ("2", "alemtuzumab, natalizumab"),
        "progressive multifocal leukoencephalopathy": ("2", "natalizumab, rituximab"),
        "rash": ("2", "alemtuzumab, natalizumab"),
        "vomiting": ("2", "alemtuzumab, intravenous immunoglobulin"),
    }
    # Both: kidney failure is the article's for mitoxantrone and Privigen's label's for IVIG,
    # so it is shared only when both layers count.
    both = {r[0]: r[1:] for r in cols(run(graph, "shared-adverse-effects"), "effect", "drugs")}
    assert both["kidney failure"] == ("intravenous immunoglobulin, mitoxantrone",)
    assert "kidney failure" not in col(result, "effect") + col(label, "effect")


def test_compare_drugs(graph: Graph) -> None:
    # defaults: natalizumab and ocrelizumab
    result = run(graph, "compare-drugs", source="article")
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
    other = run(graph, "compare-drugs", a="Lemtrada", b="mitoxantrone", source="article")
    both = {r[0] for r in cols(other, "effect", "comparison") if r[1] == "both"}
    assert both == {"blood disorder", "nausea", "urinary tract infection", "infusion reaction"}
    # The labels: Tysabri's lists no infection of its own kind and no liver problems; Ocrevus's
    # calls infections serious (some fatal) and infusion reactions both common and serious.
    label = run(graph, "compare-drugs", source="label")
    rows = {r[0]: r[1:] for r in cols(label, "effect", "comparison", "inA", "inB")}
    assert rows["infusion reaction"] == ("both", "common", "serious")
    assert rows["progressive multifocal leukoencephalopathy"] == ("only natalizumab", "serious", "")
    assert rows["infection"] == ("only ocrelizumab", "", "serious")
    assert rows["liver problems"] == ("only ocrelizumab", "", "serious")
    assert {e for e, r in rows.items() if r[0] == "both"} == {"infusion reaction"}
    # Both layers: the article's liver problems of natalizumab meet the label's of ocrelizumab,
    # and ocrelizumab's infection is serious in one source, common in the other.
    every = run(graph, "compare-drugs")
    rows = {r[0]: r[1:] for r in cols(every, "effect", "comparison", "inA", "inB")}
    assert rows["liver problems"] == ("both", "serious", "serious")
    assert rows["infection"] == ("both", "common", "serious")


def test_potentially_fatal_effects(graph: Graph) -> None:
    result = run(graph, "potentially-fatal-effects", source="article")
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
    # The labels: what a box or warning calls fatal or life-threatening.
    label = run(graph, "potentially-fatal-effects", source="label")
    assert set(cols(label, "drug", "effect")) == {
        ("alemtuzumab", "autoimmune reaction"),
        ("intravenous immunoglobulin", "kidney failure"),
        ("mitoxantrone", "congestive heart failure"),
        ("natalizumab", "progressive multifocal leukoencephalopathy"),
        ("ocrelizumab", "infection"),
        ("rituximab", "hepatitis B reactivation"),
        ("rituximab", "infusion reaction"),
        ("rituximab", "progressive multifocal leukoencephalopathy"),
        ("rituximab", "severe mucocutaneous reaction"),
        ("ublituximab", "infection"),
    }
    assert len(label.rows) == 10
    # Both: one row per drug and effect; "rare" is the article's word for natalizumab's PML.
    both = run(graph, "potentially-fatal-effects")
    rows = {r[:2]: r[2:] for r in cols(both, "drug", "effect", "frequency", "sources")}
    assert rows[("natalizumab", "progressive multifocal leukoencephalopathy")] == (
        "rare",
        "article, label",
    )
    assert rows[("alemtuzumab", "autoimmune reaction")] == ("", "article, label")
    assert rows[("alemtuzumab", "cancer")] == ("", "article")  # the label does not say fatal
    assert len(rows) == len(both.rows) == 8 + 10 - 2


INDICATED = "indicated for"
HEDGED = "may be used for"


def test_indications_by_subtype(graph: Graph) -> None:
    result = run(graph, "indications-by-subtype", source="article")
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
    assert set(col(result, "population")) == {""}  # the article names no age group
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
    # The labels' section 1: in adults; Lemtrada names the two relapsing courses one by one,
    # kept as a rule for patients after two or more MS drugs; Solu-Medrol lists acute
    # exacerbations of MS; Privigen's and Rituxan's labels have no MS indication.
    label = run(graph, "indications-by-subtype", source="label")
    after_two = (
        "generally reserved for patients after two or more MS drugs did not work well enough"
    )
    assert cols(label, "treatment", "msForm", "use", "population", "restriction") == [
        ("alemtuzumab", "active secondary progressive MS", INDICATED, "adults", after_two),
        ("alemtuzumab", "relapsing-remitting multiple sclerosis", INDICATED, "adults", after_two),
        ("methylprednisolone", "MS relapse", INDICATED, "", ""),
        ("natalizumab", "relapsing forms of MS", INDICATED, "adults", ""),
        ("ocrelizumab", "primary progressive multiple sclerosis", INDICATED, "adults", ""),
        ("ocrelizumab", "relapsing forms of MS", INDICATED, "adults", ""),
        ("ublituximab", "relapsing forms of MS", INDICATED, "adults", ""),
    ]
    assert {r[0]: r[1] for r in cols(label, "msForm", "formKind")}[
        "active secondary progressive MS"
    ] == "MS clinical course with a modifier"
    # Both: one row per indication; methylprednisolone's is hedged in one, labelled in the other.
    both = run(graph, "indications-by-subtype")
    assert len(both.rows) == 15 + 7
    assert [
        r[1:] for r in cols(both, "treatment", "use", "sources") if r[0] == "methylprednisolone"
    ] == [(INDICATED, "label"), (HEDGED, "article")]


def test_usage_restrictions(graph: Graph) -> None:
    result = run(graph, "usage-restrictions", source="article")
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
    # The labels: Lemtrada reserves the drug for patients after two MS drugs (the article says
    # one: a recorded disagreement); Tysabri's Crohn's disease and Rituxan's rheumatoid
    # arthritis are for patients whom other treatments failed.
    label = run(graph, "usage-restrictions", source="label")
    assert cols(label, "treatment", "indication", "minimumPriorTherapies", "sources") == [
        ("alemtuzumab", "active secondary progressive MS", "2", "label"),
        ("alemtuzumab", "relapsing-remitting multiple sclerosis", "2", "label"),
        ("natalizumab", "Crohn's disease", "", "label"),
        ("rituximab", "rheumatoid arthritis", "", "label"),
    ]
    assert len(run(graph, "usage-restrictions").rows) == 6 + 4


def test_other_indications(graph: Graph) -> None:
    result = run(graph, "other-indications", source="article")
    assert cols(result, "treatment", "condition", "use") == [
        ("mitoxantrone", "cancer", INDICATED),
        ("rituximab", "chronic lymphocytic leukemia", INDICATED),
        ("rituximab", "non-Hodgkin lymphoma", INDICATED),
        ("rituximab", "rheumatoid arthritis", INDICATED),
    ]
    # The labels: Privigen's three indications (CIDP in adults), Tysabri's Crohn's disease (in
    # adults), Rituxan's 2010 Highlights and the doses its recent Highlights give.
    label = run(graph, "other-indications", source="label")
    assert cols(label, "treatment", "condition", "population") == [
        ("intravenous immunoglobulin", "chronic immune thrombocytopenic purpura", ""),
        (
            "intravenous immunoglobulin",
            "chronic inflammatory demyelinating polyneuropathy",
            "adults",
        ),
        ("intravenous immunoglobulin", "primary humoral immunodeficiency", ""),
        ("natalizumab", "Crohn's disease", "adults"),
        ("rituximab", "chronic lymphocytic leukemia", ""),
        ("rituximab", "granulomatosis with polyangiitis", "adults"),
        ("rituximab", "granulomatosis with polyangiitis", "children"),
        ("rituximab", "microscopic polyangiitis", "adults"),
        ("rituximab", "microscopic polyangiitis", "children"),
        ("rituximab", "non-Hodgkin lymphoma", ""),
        ("rituximab", "pemphigus vulgaris", ""),
        ("rituximab", "rheumatoid arthritis", "adults"),
    ]
    assert set(col(label, "use")) == {INDICATED}
    # Both: the uses both name share a row; the label's adults-only RA use is a row of its own.
    both = run(graph, "other-indications")
    rows = cols(both, "treatment", "condition", "population", "sources")
    assert ("rituximab", "non-Hodgkin lymphoma", "", "article, label") in rows
    assert ("rituximab", "rheumatoid arthritis", "", "article") in rows
    assert ("rituximab", "rheumatoid arthritis", "adults", "label") in rows
    assert len(rows) == 4 + 12 - 2


def test_dosing_schedules(graph: Graph) -> None:
    result = run(graph, "dosing-schedules", source="article")
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
    one = run(graph, "dosing-schedules", drug="Ocrevus", source="article")
    assert col(one, "phase") == ["initial phase", "maintenance phase"]
    assert set(col(one, "drugIri")) == {MSKR + "ocrelizumab"}
    # The labels' section 2 gives the amounts: Lemtrada 12 mg a day (and further courses if
    # needed), Tysabri 300 mg every 4 weeks, mitoxantrone in MS 12 mg/m2 every 3 months, Ocrevus
    # as the article, with the first 6-monthly dose 6 months after the first infusion (2.3);
    # Rituxan's read regimen is the one for pemphigus vulgaris.
    label = run(graph, "dosing-schedules", source="label")
    ms_drugs = {"alemtuzumab", "mitoxantrone", "natalizumab", "ocrelizumab", "rituximab"}
    assert [r for r in cols(label, *names, "startsAfter") if r[0] in ms_drugs] == [
        ("alemtuzumab", "1", "12", "mg", "P1D", "5", ""),
        ("alemtuzumab", "2", "12", "mg", "P1D", "3", "P1Y"),
        ("alemtuzumab", "3", "12", "mg", "P1D", "3", ""),
        ("mitoxantrone", "1", "12", "mg/m2", "P3M", "", ""),
        ("natalizumab", "1", "300", "mg", "P28D", "", ""),
        ("ocrelizumab", "1", "300", "mg", "P14D", "2", ""),
        ("ocrelizumab", "2", "600", "mg", "P6M", "", "P6M"),
        ("rituximab", "1", "1000", "mg", "P14D", "2", ""),
        ("rituximab", "2", "500", "mg", "P6M", "", "P1Y"),
    ]
    # Privigen: one regimen per indication (4 phases); Briumvi's 2.3 was not read.
    assert col(label, "drug").count("intravenous immunoglobulin") == 4
    assert "ublituximab" not in col(label, "drug")
    both = run(graph, "dosing-schedules", drug="Ocrevus")
    assert cols(both, "phaseOrder", "sources") == [
        ("1", "label"),
        ("1", "article"),
        ("2", "label"),
        ("2", "article"),
    ]


def test_cumulative_dose_limits(graph: Graph) -> None:
    names = ("drug", "doseValue", "doseUnit", "span", "usuallyReachedAfterMin")
    result = run(graph, "cumulative-dose-limits", source="article")
    assert cols(result, *names, "usuallyReachedAfterMax", "sources") == [
        ("mitoxantrone", "140", "mg/m2", "lifetime", "P2Y", "P3Y", "article")
    ]
    # The Novantrone label's Warnings give the same cap for MS patients, not the time to reach it.
    label = run(graph, "cumulative-dose-limits", source="label")
    assert cols(label, *names, "usuallyReachedAfterMax", "sources") == [
        ("mitoxantrone", "140", "mg/m2", "lifetime", "", "", "label")
    ]
    assert len(run(graph, "cumulative-dose-limits").rows) == 2


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
        # the article's eight treatments, with the brands it names
        "alemtuzumab": "Lemtrada",
        "natalizumab": "Tysabri",
        "mitoxantrone": "",
        "ocrelizumab": "Ocrevus",
        "rituximab": "Rituxan",
        "methylprednisolone": "Solu-Medrol",
        "plasmapheresis": "",
        "intravenous immunoglobulin": "",
        # the ninth, brought in from its label alone (graph/data/labels/ublituximab.ttl)
        "ublituximab": "Briumvi",
    }
    # ublituximab's own statements cite label sections only, none of the article.
    ublituximab = URIRef(MSKR + "ublituximab")
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    part_of = URIRef("http://purl.org/dc/terms/isPartOf")
    documents = {graph.value(s, part_of) for s in graph.objects(ublituximab, prov)}
    assert documents and all((d, RDF.type, URIRef(MSKG + "DrugLabel")) in graph for d in documents)


def test_approvals(graph: Graph) -> None:
    result = run(graph, "approvals", source="article")
    rows = cols(result, "treatment", "agency", "approvedFor", "year", "firstForCondition")
    assert rows == [
        ("alemtuzumab", "FDA", "multiple sclerosis", "", "false"),
        ("mitoxantrone", "FDA", "multiple sclerosis", "", "false"),
        ("natalizumab", "FDA", "multiple sclerosis", "", "false"),
        ("ocrelizumab", "FDA", "multiple sclerosis", "2017", "false"),
        ("ocrelizumab", "FDA", "primary progressive multiple sclerosis", "2017", "true"),
        ("ocrelizumab", "FDA", "relapsing forms of MS", "2017", "false"),
    ]
    # Briumvi's label (section 1, earlier version): relapsing forms of MS; no year was read.
    label = run(graph, "approvals", source="label")
    assert cols(label, "treatment", "agency", "approvedFor", "year", "layer") == [
        ("ublituximab", "FDA", "relapsing forms of MS", "", "label")
    ]
    assert set(col(result, "layer")) == {"article"}
    assert len(run(graph, "approvals").rows) == 6 + 1


# --------------------------------------------------------------------------------------------
# What only the label layer gives
# --------------------------------------------------------------------------------------------


def test_molecular_targets(graph: Graph) -> None:
    result = run(graph, "molecular-targets")
    # Section 12.1 (or the class phrase where 12.1 was not read) of each label; the proteins'
    # UniProt entries from graph/mappings (topoisomerase II is only related to its two forms).
    assert cols(result, "drug", "target", "foundOn", "labelledClass", "uniprotIri") == [
        (
            "alemtuzumab",
            "CD52",
            "B lymphocyte, T lymphocyte, macrophage, monocyte, natural killer cell",
            "CD52-directed cytolytic monoclonal antibody",
            "http://purl.uniprot.org/uniprot/P31358",
        ),
        ("mitoxantrone", "DNA topoisomerase II", "", "topoisomerase II inhibitor", ""),
        (
            "natalizumab",
            "integrin alpha-4",
            "white blood cell",
            "integrin receptor antagonist",
            "http://purl.uniprot.org/uniprot/P13612",
        ),
        (
            "ocrelizumab",
            "B-lymphocyte antigen CD20",
            "",
            "CD20-directed cytolytic antibody",
            "http://purl.uniprot.org/uniprot/P11836",
        ),
        (
            "rituximab",
            "B-lymphocyte antigen CD20",
            "",
            "CD20-directed cytolytic antibody",
            "http://purl.uniprot.org/uniprot/P11836",
        ),
    ]
    assert col(result, "source")[0] == "Lemtrada label, 12.1 mechanism of action"
    # Lemtrada's class was read in the label's first version, its target in the current one.
    assert cols(run(graph, "molecular-targets", drug="Tysabri"), "drug", "source") == [
        ("natalizumab", "Tysabri label, 12.1 mechanism of action")
    ]


def test_boxed_warnings(graph: Graph) -> None:
    result = run(graph, "boxed-warnings")
    counts = {d: col(result, "drug").count(d) for d in set(col(result, "drug"))}
    # Lemtrada: autoimmunity, infusion reactions, stroke, malignancies; Privigen: thrombosis,
    # kidney failure; mitoxantrone: five topics as far as the box was read; Tysabri: PML;
    # Rituxan: four. The Ocrevus Highlights print no box; Briumvi's were not read.
    assert counts == {
        "alemtuzumab": 4,
        "intravenous immunoglobulin": 2,
        "mitoxantrone": 5,
        "natalizumab": 1,
        "rituximab": 4,
    }
    warns = {r[0]: r[1] for r in cols(result, "warning", "warnsOf")}
    assert warns["alemtuzumab boxed warning: autoimmunity"] == (
        "anti-glomerular basement membrane disease, autoimmune reaction, immune thrombocytopenia"
    )
    assert warns["alemtuzumab boxed warning: malignancies"] == (
        "cancer, lymphoproliferative disorder, melanoma, thyroid cancer"
    )
    assert warns["natalizumab boxed warning: progressive multifocal leukoencephalopathy"] == (
        "progressive multifocal leukoencephalopathy"
    )
    # a warning on how the drug is given warns of no effect
    assert warns["boxed warning: never into the spinal fluid"] == ""
    one = run(graph, "boxed-warnings", drug="Rituxan")
    assert set(col(one, "warnsOf")) == {
        "hepatitis B reactivation",
        "infusion reaction",
        "progressive multifocal leukoencephalopathy",
        "severe mucocutaneous reaction",
    }


def test_risk_programs(graph: Graph) -> None:
    result = run(graph, "risk-programs")
    assert cols(result, "drug", "program", "risks") == [
        ("alemtuzumab", "LEMTRADA REMS Program", "autoimmune reaction, cancer, infusion reaction"),
        (
            "natalizumab",
            "TOUCH Prescribing Program",
            "progressive multifocal leukoencephalopathy",
        ),
    ]
    assert col(result, "source") == [
        "Lemtrada label, 5.5 LEMTRADA REMS program",
        "Tysabri label, 5.2 TYSABRI REMS (TOUCH Prescribing Program); "
        "Tysabri label, boxed warning: progressive multifocal leukoencephalopathy",
    ]


def test_required_monitoring(graph: Graph) -> None:
    result = run(graph, "required-monitoring")
    counts = {d: col(result, "drug").count(d) for d in set(col(result, "drug"))}
    assert counts == {
        "alemtuzumab": 5,
        "intravenous immunoglobulin": 4,
        "mitoxantrone": 4,
        "natalizumab": 3,
        "ocrelizumab": 4,
        "rituximab": 2,
        "ublituximab": 5,
    }
    names = ("test", "timing", "repeatInterval", "continuesAfterLastDose", "looksFor")
    rows = {r[0]: r for r in cols(run(graph, "required-monitoring", drug="Lemtrada"), *names)}
    # the box: blood counts monthly from before treatment until 48 months after the last dose
    assert rows["complete blood count with differential"] == (
        "complete blood count with differential",
        "before the first dose, periodically",
        "P1M",
        "P4Y",
        "autoimmune reaction, immune thrombocytopenia",
    )
    assert rows["skin examination"][1:4] == ("before the first dose, periodically", "P1Y", "")
    # Privigen's box asks to watch for thrombosis in patients at risk, at no set time.
    ivig = cols(run(graph, "required-monitoring", drug="IVIG"), "test", "timing", "looksFor")
    assert ("check for signs and symptoms of thrombosis", "", "thrombosis") in ivig
    # Tysabri's box: MRI and, if indicated, a spinal fluid test at signs of PML.
    tysabri = cols(run(graph, "required-monitoring", drug="Tysabri"), "test", "timing")
    assert ("gadolinium-enhanced MRI of the brain", "when signs or symptoms arise") in tysabri


def test_premedication(graph: Graph) -> None:
    result = run(graph, "premedication")
    names = ("drug", "agent", "dose", "unit", "optional", "observeAfterInfusion")
    # One row per premedication, with the observation period of the dosing its label gives
    # (Lemtrada 2 hours, Ocrevus 1 hour; Briumvi's dosing, 2.3, was not read).
    assert cols(result, *names) == [
        ("alemtuzumab", "antihistamine", "", "", "true", "PT2H"),
        ("alemtuzumab", "antipyretic", "", "", "true", "PT2H"),
        ("alemtuzumab", "antiviral drug", "", "", "", "PT2H"),
        ("alemtuzumab", "corticosteroid", "", "", "", "PT2H"),
        ("ocrelizumab", "antihistamine", "", "", "", "PT1H"),
        ("ocrelizumab", "methylprednisolone", "", "", "", "PT1H"),
        ("ublituximab", "methylprednisolone", "100", "mg", "", ""),
    ]
    assert len(set(col(result, "premedicationIri"))) == len(result.rows)
    # read in two versions of the Lemtrada label, both named
    corticosteroid = next(r for r in cols(result, "agent", "source") if r[0] == "corticosteroid")
    assert corticosteroid[1] == (
        "Lemtrada label (2014), 2.3 premedication and herpes prophylaxis; "
        "Lemtrada label, 2 dosage and administration"
    )


def test_source_disagreements(graph: Graph) -> None:
    result = run(graph, "source-disagreements")
    names = ("drug", "statementA", "layerA", "statementB", "layerB")
    rows = cols(result, *names)
    assert [r[0] for r in rows] == ["alemtuzumab", "methylprednisolone"]
    # The article: "at least one other MS medication"; Lemtrada's section 1: two or more.
    assert rows[0] == (
        "alemtuzumab",
        "only after at least one other MS medicine did not work well",
        "article",
        "generally reserved for patients after two or more MS drugs did not work well enough",
        "label",
    )
    assert col(result, "sourceA")[0] == "Seed article, alemtuzumab (Lemtrada)"
    assert col(result, "sourceB")[0] == (
        "Lemtrada label (2014), 1 indications and usage; Lemtrada label, 1 indications and usage"
    )
    # Methylprednisolone: suggested in some cases (article), labelled for MS exacerbations.
    assert rows[1][2::2] == ("article", "label")
    assert "acute exacerbations of multiple sclerosis" in rows[1][3]


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
# queries/README.md: its table of the queries, and the worked examples answer as shown there
# --------------------------------------------------------------------------------------------


def test_readme_lists_every_query_with_its_parameters() -> None:
    import re

    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## The queries", 1)[1].split("\n## ", 1)[0]
    listed = {
        m.group(1): set(re.findall(r"`(\w+)`", m.group(2)))
        for m in re.finditer(r"^\| `([\w-]+)\.rq` \|.*\| ([^|]*)\|$", table, re.M)
    }
    assert sorted(listed) == [p.stem for p in QUERY_FILES]
    for path in QUERY_FILES:
        declared = {p.name for p in read_query(path).header.params}
        assert listed[path.stem] == declared, path.stem


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
    # Example 1: the article's mechanisms on B cells (alemtuzumab, ocrelizumab, rituximab) and
    # the labels' (Lemtrada, mitoxantrone, Ocrevus, Briumvi): one row per mechanism.
    first = run_query(query_from_text(blocks[0][0]), graph)
    assert [str(r[0]) for r in first.rows] == [
        "alemtuzumab",
        "alemtuzumab",
        "mitoxantrone",
        "ocrelizumab",
        "ocrelizumab",
        "rituximab",
        "ublituximab",
    ]
    third = query_from_text(blocks[2][0])
    # The article's infections: a common cold and a UTI (alemtuzumab), a UTI (mitoxantrone),
    # infections and PML (natalizumab), infections, PML, hepatitis B and shingles (ocrelizumab).
    article = run_query(third, graph, params={"source": "article"})
    assert {tuple(map(str, r[:2])) for r in article.rows} == {
        ("alemtuzumab", "common cold"),
        ("alemtuzumab", "urinary tract infection"),
        ("mitoxantrone", "urinary tract infection"),
        ("natalizumab", "infection"),
        ("natalizumab", "progressive multifocal leukoencephalopathy"),
        ("ocrelizumab", "hepatitis B reactivation"),
        ("ocrelizumab", "infection"),
        ("ocrelizumab", "progressive multifocal leukoencephalopathy"),
        ("ocrelizumab", "shingles"),
    }
    everything = run_query(third, graph)
    assert len(everything.rows) == 22
    assert {("alemtuzumab", "sinusitis"), ("rituximab", "hepatitis B reactivation")} <= {
        tuple(map(str, r[:2])) for r in everything.rows
    }
    cancer = run_query(third, graph, params={"kind": "cancer", "source": "article"})
    assert {tuple(map(str, r[:2])) for r in cancer.rows} == {
        ("alemtuzumab", "cancer"),
        ("ocrelizumab", "cancer"),
        ("ocrelizumab", "breast cancer"),
    }
    # the labels add Lemtrada's boxed cancers and mitoxantrone's leukemia
    cancer = run_query(third, graph, params={"kind": "cancer"})
    assert {tuple(map(str, r[:2])) for r in cancer.rows} == {
        ("alemtuzumab", "cancer"),
        ("alemtuzumab", "lymphoproliferative disorder"),
        ("alemtuzumab", "melanoma"),
        ("alemtuzumab", "thyroid cancer"),
        ("mitoxantrone", "acute myeloid leukemia"),
        ("ocrelizumab", "cancer"),
        ("ocrelizumab", "breast cancer"),
    }


# --------------------------------------------------------------------------------------------
# Drugs by effect, care settings, effects shared with the infusion reaction (issue 14)
# --------------------------------------------------------------------------------------------

#: The drugs the article says an infusion reaction may follow ("For all these drugs"): every
#: infused drug it names, not plasmapheresis (a procedure) nor IVIG (a transfusion).
INFUSED_DRUGS = {
    "alemtuzumab",
    "methylprednisolone",
    "mitoxantrone",
    "natalizumab",
    "ocrelizumab",
    "rituximab",
}


def test_drugs_with_effect(graph: Graph) -> None:
    columns = ("drug", "adverseEffect", "classedAs", "potentiallyFatal", "frequency", "sources")
    pml = "progressive multifocal leukoencephalopathy"
    # The article, effect=infection with its narrower kinds: "infections" (common) for
    # natalizumab and ocrelizumab; a common cold and a UTI for alemtuzumab, a UTI for
    # mitoxantrone (common); PML, "a rare and deadly brain infection" for natalizumab, and named
    # for ocrelizumab (deadly in itself: the association's note); the reactivation of hepatitis B
    # or shingles (serious) for ocrelizumab.
    article = run(graph, "drugs-with-effect", effect="infection", source="article")
    assert set(cols(article, *columns)) == {
        ("alemtuzumab", "common cold", "common", "", "", "article"),
        ("alemtuzumab", "urinary tract infection", "common", "", "", "article"),
        ("mitoxantrone", "urinary tract infection", "common", "", "", "article"),
        ("natalizumab", "infection", "common", "", "", "article"),
        ("natalizumab", pml, "serious", "true", "rare", "article"),
        ("ocrelizumab", "hepatitis B reactivation", "serious", "", "", "article"),
        ("ocrelizumab", "infection", "common", "", "", "article"),
        ("ocrelizumab", pml, "serious", "true", "", "article"),
        ("ocrelizumab", "shingles", "serious", "", "", "article"),
    }
    assert len(article.rows) == 9
    # The labels on PML: the boxed warnings of Tysabri and Rituxan, potentially fatal in both
    # (graph/data/labels/natalizumab.ttl, rituximab.ttl); no frequency class.
    label = run(graph, "drugs-with-effect", effect="mskr:pml", source="label")
    assert set(cols(label, *columns)) == {
        ("natalizumab", pml, "serious", "true", "", "label"),
        ("rituximab", pml, "serious", "true", "", "label"),
    }
    # Both layers: a link qualified alike by both is one row naming both; qualified otherwise
    # (the article's "rare" for natalizumab's PML), one row per way.
    both = run(graph, "drugs-with-effect", effect="PML")
    rows = {
        (r[0], r[1], frozenset(r[2].split(", ")))
        for r in cols(both, "drug", "frequency", "sources")
    }
    assert rows == {
        ("natalizumab", "rare", frozenset({"article"})),
        ("natalizumab", "", frozenset({"label"})),
        ("ocrelizumab", "", frozenset({"article"})),
        ("rituximab", "", frozenset({"label"})),
    }
    headache = run(graph, "drugs-with-effect", effect="headache")
    layers = {r[0]: set(r[1].split(", ")) for r in cols(headache, "drug", "sources")}
    assert layers["alemtuzumab"] == {"article", "label"}  # both list it (common)
    # The infusion reaction: an infusion reaction of each infused drug, and common for
    # ocrelizumab ("Common side effects ...: infections, infusion reactions").
    reaction = run(graph, "drugs-with-effect", effect="infusion reaction", source="article")
    assert set(cols(reaction, "drug", "classedAs")) == {
        (drug, "infusion reaction") for drug in INFUSED_DRUGS
    } | {("ocrelizumab", "common")}


def test_care_settings(graph: Graph) -> None:
    # "A healthcare professional will administer infusion treatments in a clinical setting, such
    # as an infusion center, or sometimes in the comfort of your home. ... a healthcare
    # professional will usually monitor you": the eight treatments of the article, and
    # ublituximab, which its label says is infused; the settings come from the article alone.
    result = run(graph, "care-settings")
    rows = cols(result, "treatment", "method", "setting", "usuallyMonitored", "settingSources")
    settings: dict[str, set[str]] = {}
    for treatment, method, setting, monitored, sources in rows:
        assert (method, monitored, sources) == ("intravenous infusion", "true", "article")
        settings.setdefault(treatment, set()).add(setting)
    article = INFUSED_DRUGS | {"intravenous immunoglobulin", "plasmapheresis"}
    assert settings == {t: {"infusion center", "patient's home"} for t in article | {"ublituximab"}}
    assert all("healthcare professional" in how for how in col(result, "how"))


def test_effects_shared_with_infusion_reaction(graph: Graph) -> None:
    columns = ("effect", "drug", "classedAs", "sources")
    # The article: an infusion reaction's symptoms are hives, scaly patches on the skin, warmth
    # or fever, and rash; alemtuzumab lists rash and fever among its common side effects.
    article = run(graph, "effects-shared-with-infusion-reaction", source="article")
    assert cols(article, *columns) == [
        ("fever", "alemtuzumab", "common", "article"),
        ("rash", "alemtuzumab", "common", "article"),
    ]
    # The labels' most common adverse reactions (graph/data/labels): Lemtrada's rash, pyrexia
    # and urticaria (hives), Tysabri's rash, Privigen's (IVIG) raised body temperature.
    label = run(graph, "effects-shared-with-infusion-reaction", source="label")
    assert cols(label, *columns) == [
        ("fever", "alemtuzumab", "common", "label"),
        ("fever", "intravenous immunoglobulin", "common", "label"),
        ("hives", "alemtuzumab", "common", "label"),
        ("rash", "alemtuzumab", "common", "label"),
        ("rash", "natalizumab", "common", "label"),
    ]
    both = run(graph, "effects-shared-with-infusion-reaction")
    assert {(r[0], r[1], frozenset(r[3].split(", "))) for r in cols(both, *columns)} == {
        ("fever", "alemtuzumab", frozenset({"article", "label"})),
        ("fever", "intravenous immunoglobulin", frozenset({"label"})),
        ("hives", "alemtuzumab", frozenset({"label"})),
        ("rash", "alemtuzumab", frozenset({"article", "label"})),
        ("rash", "natalizumab", frozenset({"label"})),
    }
