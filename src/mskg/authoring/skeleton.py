"""Skeleton Turtle files for ``mskg new``: a new drug, ready to fill in.

The skeleton is valid Turtle in which every value to supply is a placeholder beginning ``TODO-``:
text (``"TODO-brand-name"``, which the placeholder shape in ``graph/shapes.ttl`` reports),
numbers, years and durations (``"TODO-dose-number"``, which SHACL also rejects as the wrong
datatype), and nodes (``mskr:TODO-condition``, which ``mskg validate`` reports as never described
until it names a node of the graph). Once every placeholder is replaced, the file validates.
:func:`placeholders` lists the ones left, with their lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from mskg.atomic import atomic_write
from mskg.errors import UsageError
from mskg.paths import refuse_package_data
from mskg.prefixes import turtle_prefix_block

PLACEHOLDER = re.compile(r"TODO-[A-Za-z0-9-]*[A-Za-z0-9]")


KINDS = ("drug",)


DRUG_TEMPLATE = Template("""\
$prefixes
# $label: a new drug for the mskg graph, written by `mskg new drug`.
# Replace every TODO-... placeholder, delete what does not apply, then run `mskg validate`.
# docs/EXTENDING.md walks through a finished example (examples/ofatumumab.ttl).
# Nodes you can point at: mskr:relapsing-ms, mskr:primary-progressive-ms, mskr:b-cell,
# mskr:t-cell, mskr:infection, mskr:pml ... (`mskg query drug-profile`, graph/data/*.ttl).

#################################################################
# Source: where the facts below come from (one node per page or document you used)
#################################################################

mskr:$slug-source a mskg:InformationSource ;
    rdfs:label "TODO-short-title-of-the-source"@en ;
    schema:url "TODO-https-address-of-the-source"^^xsd:anyURI ;
    skos:note "Used for: TODO-which-facts-you-took-from-it"@en .

#################################################################
# The drug
#################################################################

# Roles: keep mskg:DiseaseModifyingTherapy or use mskg:RelapseTreatment; keep mskg:InfusionTreatment
# if it is given by infusion.
mskr:$slug a mskg:Drug , mskg:DiseaseModifyingTherapy , mskg:InfusionTreatment ;
    rdfs:label "$label"@en ;
    schema:nonProprietaryName "$label" ;
    schema:proprietaryName "TODO-brand-name" ;
    skos:definition "TODO-one-sentence-in-your-own-words"@en ;
    schema:drugClass mskr:TODO-drug-class ;
    mskg:hasMechanism mskr:$slug-mechanism ;
    mskg:administeredBy mskr:intravenous-infusion ;
    mskg:hasApproval mskr:$slug-fda-approval ;
    mskg:hasDosingRegimen mskr:$slug-regimen ;
    prov:wasDerivedFrom mskr:$slug-source .

mskr:$slug-mechanism a mskg:MechanismOfAction ;
    rdfs:label "TODO-how-it-works-in-a-few-words"@en ;
    skos:definition "TODO-how-it-works-in-a-sentence"@en ;
    # mskg:Depletion, mskg:Targeting, mskg:MigrationBlockade, mskg:Immunosuppression ...
    mskg:actionType mskg:TODO-action-type ;
    mskg:actsOnCell mskr:TODO-cell-type ;
    prov:wasDerivedFrom mskr:$slug-source .

mskr:$slug-fda-approval a mskg:RegulatoryApproval ;
    rdfs:label "FDA approval of $label"@en ;
    mskg:approvingAgency mskr:fda ;
    mskg:approvedFor mskr:TODO-condition ;
    # a year as xsd:gYear: "2022"^^xsd:gYear
    mskg:approvalYear "TODO-year" ;
    prov:wasDerivedFrom mskr:$slug-source .

#################################################################
# Identifiers: only ids marked VERIFIED in the project's reference identifier table
#################################################################

# Never guess an identifier or take one from memory: look it up in the reference table
# (mskr:reference-identifiers, ../shared/reference/identifiers.tsv) and copy only the rows whose
# status is VERIFIED. Leave this block commented out if none is. A PubChem CID or a DrugBank id
# also lets `mskg import sider` find the drug in SIDER. For example (uncomment and edit):
#
# mskr:$slug
#     skos:exactMatch <http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CIDnnnn> ;
#     skos:exactMatch <https://go.drugbank.com/drugs/DBnnnnn> .
#
# # one association per mapping, naming the table as its source:
# mskr:xref-$slug-dbnnnnn a mskg:Association ;
#     rdf:subject mskr:$slug ; rdf:predicate skos:exactMatch ;
#     rdf:object <https://go.drugbank.com/drugs/DBnnnnn> ;
#     prov:wasDerivedFrom mskr:reference-identifiers .

#################################################################
# What it is used for: the direct triple and its association
#################################################################

mskr:$slug mskg:indicatedFor mskr:TODO-condition .

mskr:indication-$slug a mskg:IndicationAssociation ;
    rdf:subject mskr:$slug ;
    rdf:predicate mskg:indicatedFor ;
    rdf:object mskr:TODO-condition ;
    prov:wasDerivedFrom mskr:$slug-source .

#################################################################
# Dosing: one phase per step; amounts need a unit (UCUM: "mg", "mg/m2")
#################################################################

mskr:$slug-regimen a mskg:DosingRegimen ;
    rdfs:label "$label dosing"@en ;
    mskg:hasPhase mskr:$slug-first-phase ;
    prov:wasDerivedFrom mskr:$slug-source .

mskr:$slug-first-phase a mskg:DosingPhase ;
    rdfs:label "TODO-phase-in-words"@en ;
    # mskg:InitialPhase, mskg:RepeatCoursePhase or mskg:MaintenancePhase
    mskg:phaseType mskg:TODO-phase-type ;
    mskg:phaseOrder 1 ;
    schema:doseValue "TODO-dose-number" ;
    schema:doseUnit "mg" ;
    # an xsd:duration: "P14D"^^xsd:duration (14 days), "P6M"^^xsd:duration (6 months);
    # weeks are written as days ("P168D" for 24 weeks)
    mskg:doseInterval "TODO-interval" ;
    prov:wasDerivedFrom mskr:$slug-source .

#################################################################
# Adverse effects: say common or serious; each link asserted and described
#################################################################

mskr:$slug mskg:hasCommonAdverseEffect mskr:TODO-common-effect .

mskr:ae-$slug-common-effect a mskg:AdverseEffectAssociation ;
    rdf:subject mskr:$slug ;
    rdf:predicate mskg:hasCommonAdverseEffect ;
    rdf:object mskr:TODO-common-effect ;
    prov:wasDerivedFrom mskr:$slug-source .

mskr:$slug mskg:hasSeriousAdverseEffect mskr:TODO-serious-effect .

mskr:ae-$slug-serious-effect a mskg:AdverseEffectAssociation ;
    rdf:subject mskr:$slug ;
    rdf:predicate mskg:hasSeriousAdverseEffect ;
    rdf:object mskr:TODO-serious-effect ;
    # optional qualifiers: mskg:potentiallyFatal true ; mskg:frequency mskg:Rare ;
    # mskg:onlyIfPreExisting true ;
    prov:wasDerivedFrom mskr:$slug-source .
""")


def slugify(name: str) -> str:
    """``"Ublituximab (Briumvi)"`` -> ``"ublituximab-briumvi"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    if not slug:
        raise UsageError(f"cannot make a node name from {name!r}: use letters or digits")
    return slug


def drug_skeleton(name: str) -> str:
    """The skeleton Turtle text for a drug called ``name``."""
    label = " ".join(name.split()).replace("\\", "").replace('"', "")
    return DRUG_TEMPLATE.substitute(prefixes=turtle_prefix_block(), slug=slugify(name), label=label)


def placeholders(text: str) -> list[tuple[int, str]]:
    """(line, placeholder) for every ``TODO-...`` left in ``text``."""
    return [
        (number, match.group(0))
        for number, line in enumerate(text.splitlines(), start=1)
        for match in PLACEHOLDER.finditer(line)
    ]


def write_skeleton(kind: str, name: str, out: Path, *, force: bool = False) -> Path:
    """Write the ``kind`` skeleton for ``name`` to ``out``; refuse to overwrite unless ``force``.

    Without ``force`` the file is created in one exclusive step (a complete temporary file is
    hard-linked to ``out``, which fails if ``out`` exists), so two runs racing for the same name
    never overwrite each other and a reader never sees half a file. Never writes inside the
    installed mskg package.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    refuse_package_data(out)
    text = drug_skeleton(name)
    if force:
        atomic_write(out, text)
    else:
        create_exclusive(out, text)
    return out


def create_exclusive(out: Path, text: str) -> None:
    """Create ``out`` holding ``text``, atomically, failing with :class:`UsageError` if it exists.

    The file gets the permissions a new file normally has (0666 less the umask).
    """
    # Made here, outside the try: a file in the folder's way is not ``out`` existing.
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic_write(out, text, exclusive=True)
    except FileExistsError:
        raise UsageError(f"{out} already exists: choose another name or pass --force") from None
