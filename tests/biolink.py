"""The Biolink model as the installed ``biolink-model`` package ships it, read offline.

One reader for every test that checks mskg's Biolink terms: the ontology's alignments
(``tests/test_biolink.py``) and the categories and predicates of the KGX export. The package's
``biolink_model/schema/biolink_model.yaml`` (and the schemas it imports beside it) is the model;
nothing is fetched.

Biolink names its elements in words (``has side effect``); their IRIs are the words in CamelCase
for classes (``biolink:ChemicalOrDrugOrTreatmentSideEffectAssociation``) and joined by underscores
for slots (``biolink:has_side_effect``), which is how LinkML mints them.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

BIOLINK_IRI = "https://w3id.org/biolink/vocab/"

#: The root of Biolink's predicates: a predicate is a slot below it.
RELATED_TO = "related to"

#: LinkML's built-in types whose values are identifiers, not literals.
IDENTIFIER_TYPES = {"uriorcurie", "uri", "curie", "ncname", "objectidentifier", "nodeidentifier"}


def _loader() -> type[yaml.SafeLoader]:
    # libyaml reads the 10,000-line model about six times faster than the pure-Python loader.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _class_iri_name(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in name.split(" "))


def _slot_iri_name(name: str) -> str:
    return name.replace(" ", "_")


@dataclass(frozen=True)
class Element:
    """One element of the model: its name in words, its kind and its YAML definition."""

    name: str
    kind: str  # "class", "slot", "type" or "enum"
    definition: dict[str, Any] = field(hash=False, compare=False)

    @property
    def deprecated(self) -> bool:
        return bool(self.definition.get("deprecated"))

    @property
    def mixin(self) -> bool:
        return bool(self.definition.get("mixin"))

    @property
    def abstract(self) -> bool:
        return bool(self.definition.get("abstract"))


class BiolinkModel:
    """Classes, slots, types and enums of one Biolink release, looked up by IRI or name."""

    def __init__(self, schemas: list[dict[str, Any]]) -> None:
        main = schemas[0]
        self.version = str(main.get("version", ""))
        self.default_range = str(main.get("default_range", "string"))
        self.classes: dict[str, dict[str, Any]] = {}
        self.slots: dict[str, dict[str, Any]] = {}
        self.types: dict[str, dict[str, Any]] = {}
        self.enums: dict[str, dict[str, Any]] = {}
        for schema in schemas:
            self.classes.update(schema.get("classes") or {})
            self.slots.update(schema.get("slots") or {})
            self.types.update(schema.get("types") or {})
            self.enums.update(schema.get("enums") or {})
        self._by_iri: dict[str, Element] = {}
        for kind, table, mint in (
            ("type", self.types, _class_iri_name),
            ("enum", self.enums, _class_iri_name),
            ("slot", self.slots, _slot_iri_name),
            ("class", self.classes, _class_iri_name),
        ):
            for name, definition in table.items():
                self._by_iri[BIOLINK_IRI + mint(name)] = Element(name, kind, definition or {})

    def element(self, iri: str) -> Element | None:
        """The element an IRI (``https://w3id.org/biolink/vocab/...``) or CURIE names."""
        if iri.startswith("biolink:"):
            iri = BIOLINK_IRI + iri[len("biolink:") :]
        return self._by_iri.get(iri)

    def class_ancestors(self, name: str) -> list[str]:
        """``name`` and every class above it, by ``is_a`` and by mixin."""
        return list(self._ancestors(name, self.classes))

    def slot_ancestors(self, name: str) -> list[str]:
        """``name`` and every slot above it, by ``is_a`` and by mixin."""
        return list(self._ancestors(name, self.slots))

    def is_predicate(self, name: str) -> bool:
        """A predicate is a slot whose ``is_a`` chain reaches ``related to``."""
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current in self.slots and current not in seen:
            if current == RELATED_TO:
                return True
            seen.add(current)
            current = self.slots[current].get("is_a")
        return False

    def inherited(self, slot: str, key: str) -> str | None:
        """A slot's ``domain`` or ``range``, or the nearest one up its ``is_a`` chain."""
        seen: set[str] = set()
        current: str | None = slot
        while current is not None and current in self.slots and current not in seen:
            value = self.slots[current].get(key)
            if value:
                return str(value)
            seen.add(current)
            current = self.slots[current].get("is_a")
        return None

    def value_kind(self, slot: str) -> str:
        """What a slot's values are: ``"node"`` (its range is a class), ``"literal"`` (a type
        that is not an identifier) or ``"any"`` (no range, an enum, or an identifier type)."""
        declared = self.slots.get(slot, {}).get("range")
        if not declared:
            return "any"
        if declared in self.classes:
            return "node"
        if declared in self.enums:
            return "any"
        base = str(declared)
        seen: set[str] = set()
        while base in self.types and base not in seen:
            seen.add(base)
            base = str(self.types[base].get("typeof", base))
        return "any" if base in IDENTIFIER_TYPES else "literal"

    def predicate_of_association(self, association: str) -> str | None:
        """The predicate an association class's ``slot_usage`` requires its edges to descend
        from, up its ``is_a`` chain and mixins."""
        for name in self.class_ancestors(association):
            usage = (self.classes[name].get("slot_usage") or {}).get("predicate") or {}
            if usage.get("subproperty_of"):
                return str(usage["subproperty_of"])
        return None

    @staticmethod
    def _ancestors(name: str, table: dict[str, dict[str, Any]]) -> Iterator[str]:
        seen: set[str] = set()
        frontier = [name]
        while frontier:
            current = frontier.pop(0)
            if current in seen or current not in table:
                continue
            seen.add(current)
            yield current
            definition = table[current] or {}
            if definition.get("is_a"):
                frontier.append(str(definition["is_a"]))
            frontier.extend(str(m) for m in definition.get("mixins") or [])


@functools.cache
def biolink_model() -> BiolinkModel:
    """The model of the installed ``biolink-model`` package, read once per test process."""
    folder = importlib.resources.files("biolink_model") / "schema"
    main = yaml.load((folder / "biolink_model.yaml").read_text(encoding="utf-8"), _loader())
    schemas = [main]
    for imported in main.get("imports") or []:
        # linkml:types are LinkML's built-in types (string, uriorcurie...), not Biolink elements.
        local = folder / f"{imported}.yaml"
        if ":" not in str(imported) and local.is_file():
            schemas.append(yaml.load(local.read_text(encoding="utf-8"), _loader()))
    return BiolinkModel(schemas)
