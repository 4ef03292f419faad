"""Typo-proof names for the mskg ontology and the prefixes the project binds.

``MSKG`` is a closed :class:`rdflib.namespace.DefinedNamespace`: ``MSKG.hasSeriousAdverseEfect``
raises ``AttributeError`` instead of minting a new IRI. ``tests/test_vocab.py`` keeps it in step
with ``graph/ontology.ttl``.

The prefixes themselves, and the way between an IRI and a prefixed name, are in
:mod:`mskg.prefixes` (free of rdflib).
"""

from __future__ import annotations

import difflib
import functools

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VANN,
    XSD,
    DefinedNamespace,
)

from mskg.prefixes import MSKG_IRI, PREFIXES, RESOURCE_IRI, compress_iri

MSKR = Namespace(RESOURCE_IRI)
SCHEMA = Namespace("http://schema.org/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
QUDT = Namespace("http://qudt.org/schema/qudt/")


class MSKG(DefinedNamespace):
    """Classes, properties and concepts defined in graph/ontology.ttl."""

    _fail = True
    _NS = Namespace(MSKG_IRI)

    ActionType: URIRef
    Active: URIRef
    AdministrationMethod: URIRef
    AdverseEffect: URIRef
    AdverseEffectAssociation: URIRef
    AnatomicalStructure: URIRef
    AntiInflammatory: URIRef
    AsClinicallyIndicated: URIRef
    Association: URIRef
    BeforeEachDose: URIRef
    BeforeFirstDose: URIRef
    BloodProduct: URIRef
    BoxedWarning: URIRef
    CareSetting: URIRef
    CellType: URIRef
    ClinicalTest: URIRef
    CumulativeDoseLimit: URIRef
    Depletion: URIRef
    Disease: URIRef
    DiseaseEpisode: URIRef
    DiseaseModifyingTherapy: URIRef
    DosingPhase: URIRef
    DosingPhaseType: URIRef
    DosingRegimen: URIRef
    Drug: URIRef
    DrugClass: URIRef
    DrugLabel: URIRef
    DuringInfusion: URIRef
    FrequencyCategory: URIRef
    ImmuneSupport: URIRef
    Immunosuppression: URIRef
    IndicationAssociation: URIRef
    InformationSource: URIRef
    InfusionTreatment: URIRef
    InitialPhase: URIRef
    LabelSideEffectAssociation: URIRef
    MSCourseGroup: URIRef
    MSCourseModifier: URIRef
    MSForm: URIRef
    MSSeverity: URIRef
    MSSubtype: URIRef
    MaintenancePhase: URIRef
    MechanismOfAction: URIRef
    MigrationBlockade: URIRef
    MolecularEntity: URIRef
    MonitoringRequirement: URIRef
    MonitoringTiming: URIRef
    NotActive: URIRef
    Periodically: URIRef
    PopulationGroup: URIRef
    Premedication: URIRef
    Procedure: URIRef
    Protein: URIRef
    QualifiedMSCourse: URIRef
    Rare: URIRef
    RegulatoryAgency: URIRef
    RegulatoryApproval: URIRef
    RelapseTreatment: URIRef
    Removal: URIRef
    RepeatCoursePhase: URIRef
    RiskManagementProgram: URIRef
    SourceDisagreement: URIRef
    SourceLayer: URIRef
    SourceSection: URIRef
    Symptom: URIRef
    Targeting: URIRef
    Treatment: URIRef
    UsageRestriction: URIRef
    WithProgression: URIRef
    WithoutProgression: URIRef
    actionType: URIRef
    actsOnCell: URIRef
    actsOnMolecule: URIRef
    administeredBy: URIRef
    administrationSetting: URIRef
    anatomicalContext: URIRef
    approvalYear: URIRef
    approvedFor: URIRef
    approvingAgency: URIRef
    causeKnown: URIRef
    concernsTreatment: URIRef
    continuesAfterLastDose: URIRef
    curable: URIRef
    damages: URIRef
    disagreeingStatement: URIRef
    doseInterval: URIRef
    episodeOf: URIRef
    expressedOn: URIRef
    firstApprovedFor: URIRef
    forPopulation: URIRef
    forSeverity: URIRef
    frequency: URIRef
    frequencyLowerBound: URIRef
    frequencyUpperBound: URIRef
    givenBeforeMax: URIRef
    givenBeforeMin: URIRef
    hasAdverseEffect: URIRef
    hasApproval: URIRef
    hasBoxedWarning: URIRef
    hasCommonAdverseEffect: URIRef
    hasCumulativeDoseLimit: URIRef
    hasDosingRegimen: URIRef
    hasInfusionReaction: URIRef
    hasLabelledSideEffect: URIRef
    hasMechanism: URIRef
    hasModifier: URIRef
    hasMolecularTarget: URIRef
    hasPhase: URIRef
    hasProcessSideEffect: URIRef
    hasRiskProgram: URIRef
    hasSeriousAdverseEffect: URIRef
    hasSymptom: URIRef
    immuneMediated: URIRef
    includesCourse: URIRef
    increasesRiskOf: URIRef
    indicatedFor: URIRef
    infusionDuration: URIRef
    labelOf: URIRef
    latestOnset: URIRef
    limitSpan: URIRef
    mayBeUsedFor: URIRef
    minimumDoseInterval: URIRef
    minimumPriorTherapies: URIRef
    monitoringTest: URIRef
    monitoringTiming: URIRef
    numberOfDoses: URIRef
    observationPeriod: URIRef
    onlyIfPreExisting: URIRef
    optionalPremedication: URIRef
    phaseOrder: URIRef
    phaseType: URIRef
    potentiallyFatal: URIRef
    premedicationAgent: URIRef
    repeatInterval: URIRef
    reportedIncidence: URIRef
    requiresCloseMonitoring: URIRef
    requiresCondition: URIRef
    requiresMonitoring: URIRef
    requiresPremedication: URIRef
    requiresSeverity: URIRef
    restrictionReason: URIRef
    sectionNumber: URIRef
    sectionOrder: URIRef
    setId: URIRef
    sourceLayer: URIRef
    startsAfter: URIRef
    usageRestriction: URIRef
    usedFor: URIRef
    usualOnsetWithin: URIRef
    usuallyMonitored: URIRef
    usuallyReachedAfterMax: URIRef
    usuallyReachedAfterMin: URIRef
    warnsOf: URIRef


#: Standard vocabularies whose terms rdflib knows; a term of theirs that does not exist is a typo.
#: schema.org is written http://schema.org/ in mskg (the form its health-lifesci terms use) and
#: https://schema.org/ in rdflib's SDO: the local names are the same.
_STANDARD_VOCABULARIES: dict[str, type[DefinedNamespace]] = {
    str(RDF._NS): RDF,
    str(RDFS._NS): RDFS,
    str(OWL._NS): OWL,
    str(XSD._NS): XSD,
    str(SKOS._NS): SKOS,
    str(PROV._NS): PROV,
    str(DCTERMS._NS): DCTERMS,
    str(VANN._NS): VANN,
    str(SH._NS): SH,
    "http://schema.org/": SDO,
    str(SDO._NS): SDO,
}


def _vocabulary_terms(vocabulary: type[DefinedNamespace]) -> frozenset[str]:
    names: set[str] = set()
    for cls in vocabulary.__mro__:
        names |= set(getattr(cls, "__annotations__", {}))
        names |= set(getattr(cls, "_extras", []))
    return frozenset(names)


@functools.cache
def standard_vocabulary_terms() -> dict[str, frozenset[str]]:
    """The local names of each standard vocabulary rdflib knows (RDF, RDFS, OWL, XSD, SKOS,
    PROV-O, Dublin Core terms, VANN, SHACL, schema.org), by namespace IRI."""
    return {ns: _vocabulary_terms(vocab) for ns, vocab in _STANDARD_VOCABULARIES.items()}


def standard_namespace(iri: str) -> str | None:
    """The namespace of the standard vocabulary ``iri`` is in (:func:`standard_vocabulary_terms`),
    or None when it is in none of them."""
    return next((ns for ns in standard_vocabulary_terms() if iri.startswith(ns)), None)


def unknown_standard_term(iri: str) -> tuple[str, list[str]] | None:
    """Why ``iri`` is a typo, if it is in a standard vocabulary's namespace but not one of its
    terms (``skos:definiton``): the message and the closest terms of that vocabulary
    (``skos:definition``), as prefixed names. None for a term of the vocabulary, or an IRI in
    no standard vocabulary's namespace."""
    namespace = standard_namespace(iri)
    if namespace is None:
        return None
    name = iri[len(namespace) :]
    known = standard_vocabulary_terms()[namespace]
    if not name or name in known:
        return None
    # https://schema.org/ is not among mskg's prefixes: its terms are named as schema: ones.
    prefix = (compress_iri(namespace) or "schema:").removesuffix(":")
    close = [f"{prefix}:{term}" for term in difflib.get_close_matches(name, sorted(known), n=3)]
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{prefix}:{name} is not a term of {prefix}{hint}", close


def bind_prefixes(graph: Graph) -> None:
    """Bind mskg's prefixes on ``graph``, over any the graph had, so serialisations use them."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
