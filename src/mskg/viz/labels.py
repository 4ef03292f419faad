"""Text shown for nodes and values: durations, properties, identifiers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


def humanize_duration(value: str) -> str:
    """``"P28D"`` -> ``"28 days"``; anything that is not an ISO 8601 duration is returned as is."""
    match = _DURATION.match(value)
    if not match or value in ("P", "PT"):
        return value
    parts = []
    for amount, unit in zip(match.groups(), _DURATION_UNITS, strict=True):
        if amount is None:
            continue
        number = amount.rstrip("0").rstrip(".") if "." in amount else amount
        parts.append(f"{number} {unit}{'' if number == '1' else 's'}")
    return ", ".join(parts) if parts else value


#: Days in the units of an ISO 8601 duration, for placing doses on a time axis: a month is the
#: mean Gregorian month, so "P6M" twice is "P1Y".
_DAYS_PER_UNIT = (365.25, 365.25 / 12, 7.0, 1.0, 1 / 24, 1 / 1440, 1 / 86400)


def duration_days(value: str) -> float | None:
    """``"P6M"`` -> ``182.625``; None for anything that is not an ISO 8601 duration."""
    match = _DURATION.match(value)
    if not match or value in ("P", "PT"):
        return None
    amounts = [(float(a), d) for a, d in zip(match.groups(), _DAYS_PER_UNIT, strict=True) if a]
    return sum(a * d for a, d in amounts) if amounts else None


def _display_value(value: str) -> str:
    human = humanize_duration(value)
    return value if human == value else f"{human} ({value})"


def property_label(curie: str) -> str:
    """``"schema:doseValue"`` -> ``"dose value"``."""
    local = re.split(r"[:/#]", curie)[-1] or curie
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").lower()


_ID_PREFIXES = {
    "atc": "ATC",
    "rxnorm": "RxNorm",
    "unii": "UNII",
    "umls": "UMLS",
    "icd10": "ICD-10",
    "pubchem.compound": "PubChem",
    "mesh": "MeSH",
    "chebi": "ChEBI",
    "drugbank": "DrugBank",
    "doid": "DOID",
}


def identifier_label(iri: str) -> str:
    """A short readable name for a cross-reference IRI: ``DrugBank DB00108``, ``CL:0000236``."""
    patterns = (
        (r"drugbank\.(?:com|ca)/drugs/(\w+)", "DrugBank {}"),
        (r"id\.nlm\.nih\.gov/mesh/(\w+)", "MeSH {}"),
        (r"wikidata\.org/(?:entity|wiki)/(Q\d+)", "Wikidata {}"),
        (r"purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)", "{}:{}"),
        (r"pubchem\.ncbi\.nlm\.nih\.gov/compound/(\d+)", "PubChem {}"),
    )
    for pattern, fmt in patterns:
        match = re.search(pattern, iri)
        if match:
            return fmt.format(*match.groups())
    match = re.search(r"(?:bioregistry\.io|identifiers\.org)/([\w.]+)[:/](.+)$", iri)
    if match:
        prefix = match.group(1).lower()
        return f"{_ID_PREFIXES.get(prefix, prefix.upper())} {match.group(2)}"
    return iri


def property_rows(properties: dict[str, list[str]]) -> list[list[Any]]:
    return [
        [property_label(curie), curie, [_display_value(v) for v in values]]
        for curie, values in sorted(properties.items())
    ]


def part_rows(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": part["label"],
            "class": part.get("class_label", ""),
            "definition": part.get("definition", ""),
            "properties": property_rows(part.get("properties", {})),
        }
        for part in parts
    ]
