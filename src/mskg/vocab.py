"""Typo-proof names for the mskg ontology and the prefixes the project binds.

``MSKG`` is a closed :class:`rdflib.namespace.DefinedNamespace`: ``MSKG.hasSeriousAdverseEfect``
raises ``AttributeError`` instead of minting a new IRI. ``tests/test_vocab.py`` keeps it in step
with ``graph/ontology.ttl``.

The prefixes themselves, and the way between an IRI and a prefixed name, are in
:mod:`mskg.prefixes` (free of rdflib).
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from mskg.prefixes import MSKG_IRI, PREFIXES, RESOURCE_IRI

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
    Association: URIRef
    BloodProduct: URIRef
    CareSetting: URIRef
    CellType: URIRef
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
    NotActive: URIRef
    Procedure: URIRef
    QualifiedMSCourse: URIRef
    Rare: URIRef
    RegulatoryAgency: URIRef
    RegulatoryApproval: URIRef
    RelapseTreatment: URIRef
    Removal: URIRef
    RepeatCoursePhase: URIRef
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
    curable: URIRef
    damages: URIRef
    doseInterval: URIRef
    episodeOf: URIRef
    firstApprovedFor: URIRef
    forSeverity: URIRef
    frequency: URIRef
    frequencyLowerBound: URIRef
    frequencyUpperBound: URIRef
    hasAdverseEffect: URIRef
    hasApproval: URIRef
    hasCommonAdverseEffect: URIRef
    hasCumulativeDoseLimit: URIRef
    hasDosingRegimen: URIRef
    hasInfusionReaction: URIRef
    hasLabelledSideEffect: URIRef
    hasMechanism: URIRef
    hasModifier: URIRef
    hasPhase: URIRef
    hasProcessSideEffect: URIRef
    hasSeriousAdverseEffect: URIRef
    hasSymptom: URIRef
    immuneMediated: URIRef
    includesCourse: URIRef
    increasesRiskOf: URIRef
    indicatedFor: URIRef
    latestOnset: URIRef
    limitSpan: URIRef
    mayBeUsedFor: URIRef
    minimumPriorTherapies: URIRef
    numberOfDoses: URIRef
    onlyIfPreExisting: URIRef
    phaseOrder: URIRef
    phaseType: URIRef
    potentiallyFatal: URIRef
    requiresCloseMonitoring: URIRef
    requiresCondition: URIRef
    requiresSeverity: URIRef
    restrictionReason: URIRef
    sectionOrder: URIRef
    startsAfter: URIRef
    usageRestriction: URIRef
    usedFor: URIRef
    usualOnsetWithin: URIRef
    usuallyReachedAfterMax: URIRef
    usuallyReachedAfterMin: URIRef
    usuallyMonitored: URIRef


def bind_prefixes(graph: Graph) -> None:
    """Bind mskg's prefixes on ``graph``, over any the graph had, so serialisations use them."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
