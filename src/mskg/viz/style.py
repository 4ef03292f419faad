"""How the graph looks: node groups and colours, edge styles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mskg.prefixes import MSKG_IRI

if TYPE_CHECKING:
    pass


DEFAULT_SEED = 7


_M = MSKG_IRI


@dataclass(frozen=True)
class Group:
    """A display class: which rdf:types it covers and how its nodes look."""

    key: str
    label: str
    color: str
    shape: str
    classes: tuple[str, ...]
    #: The key of a wider group this one narrows: a node of both groups' classes (a protein is
    #: also a molecular entity, which mskg.graph.network may pick as its primary class) is
    #: drawn in this one.
    narrows: str = ""

    @property
    def border(self) -> str:
        """The fill colour, darkened: outlines that read on white and on the fill."""
        r, g, b = (int(self.color[i : i + 2], 16) for i in (1, 3, 5))
        return "#{:02x}{:02x}{:02x}".format(*(round(c * 0.6) for c in (r, g, b)))


#: Display classes in priority order: a node takes the first group one of its types is in.
#: Colours: the three kinds of treatment are blues and a teal, told apart from the blue-grey of
#: administration; adverse effects are a light coral, so the saturated red of serious-effect
#: edges stands out against them; shapes tell classes apart where colours are close.
GROUPS: tuple[Group, ...] = (
    Group(
        "dmt", "disease-modifying therapy", "#1f4e9c", "diamond", (_M + "DiseaseModifyingTherapy",)
    ),
    Group("relapse", "relapse treatment", "#0f9d68", "diamond", (_M + "RelapseTreatment",)),
    Group(
        "treatment",
        "drug or other treatment",
        "#5b9bd5",
        "diamond",
        tuple(
            _M + c for c in ("Drug", "BloodProduct", "Procedure", "InfusionTreatment", "Treatment")
        ),
    ),
    Group("mechanism", "mechanism of action", "#7b4fb8", "hexagon", (_M + "MechanismOfAction",)),
    Group("action", "type of action", "#c3b1e1", "hexagon", (_M + "ActionType",)),
    Group("cell", "cell type", "#2e9e4f", "triangle", (_M + "CellType",)),
    Group(
        "protein",
        "protein (molecular target)",
        "#00acc1",
        "triangle",
        (_M + "Protein",),
        narrows="molecule",
    ),
    Group("molecule", "molecule", "#9ccc65", "triangle", (_M + "MolecularEntity",)),
    Group(
        "ms",
        "MS course, grouping or severity",
        "#e8740c",
        "square",
        (
            _M + "MSSubtype",
            _M + "QualifiedMSCourse",
            _M + "MSCourseGroup",
            _M + "MSSeverity",
            _M + "MSForm",
        ),
    ),
    Group(
        "disease",
        "disease or episode",
        "#8c510a",
        "square",
        (_M + "Disease", _M + "DiseaseEpisode"),
    ),
    Group("adverse", "adverse effect", "#ffa39a", "dot", (_M + "AdverseEffect",)),
    Group("symptom", "symptom", "#d99ee0", "triangleDown", (_M + "Symptom",)),
    Group(
        "dosing",
        "dosing",
        "#e6c200",
        "star",
        (
            _M + "DosingRegimen",
            _M + "CumulativeDoseLimit",
            _M + "DosingPhase",
            _M + "DosingPhaseType",
        ),
    ),
    Group("drugclass", "drug class", "#455a64", "dot", (_M + "DrugClass",)),
    Group(
        "administration",
        "administration or setting",
        "#90a4ae",
        "triangleDown",
        (_M + "AdministrationMethod", _M + "CareSetting"),
    ),
    Group(
        "approval",
        "regulatory approval or agency",
        "#9e9d24",
        "square",
        (_M + "RegulatoryApproval", _M + "RegulatoryAgency"),
    ),
    Group("anatomy", "anatomy", "#d7b98e", "hexagon", (_M + "AnatomicalStructure",)),
    Group("restriction", "usage restriction", "#6d6d6d", "star", (_M + "UsageRestriction",)),
    # The label layer's kinds of statement: warnings and programs in strong reds, monitoring
    # near-black with its tests in a pale cyan, premedication pink, populations taupe.
    Group("boxedwarning", "boxed warning", "#8e0000", "square", (_M + "BoxedWarning",)),
    Group(
        "riskprogram",
        "risk management program (REMS)",
        "#d81b60",
        "star",
        (_M + "RiskManagementProgram",),
    ),
    Group(
        "monitoring",
        "monitoring requirement or timing",
        "#212121",
        "triangleDown",
        (_M + "MonitoringRequirement", _M + "MonitoringTiming"),
    ),
    Group("clinicaltest", "clinical test", "#80deea", "dot", (_M + "ClinicalTest",)),
    Group("premedication", "premedication", "#f06292", "hexagon", (_M + "Premedication",)),
    Group("population", "population group", "#a1887f", "dot", (_M + "PopulationGroup",)),
    Group("disagreement", "source disagreement", "#6200ea", "square", (_M + "SourceDisagreement",)),
    Group("other", "other", "#bdbdbd", "dot", ()),
)


_GROUP_BY_CLASS = {cls: group for group in reversed(GROUPS) for cls in group.classes}


_GROUPS_BY_KEY = {group.key: group for group in GROUPS}


#: How adverse-effect edges are drawn: serious solid red (thicker when it can be fatal),
#: common dashed amber, every other relation thin grey.
EDGE_STYLE: dict[str, dict[str, Any]] = {
    "serious": {"color": "#c62828", "width": 2.4, "dashes": False},
    "common": {"color": "#ee9a1a", "width": 1.6, "dashes": [6, 4]},
    "": {"color": "#9aa5b4", "width": 1.1, "dashes": False},
}


#: Extra width of a serious edge whose effect can be fatal.
FATAL_EXTRA_WIDTH = 1.8


#: The groups that are treatments: drawn as diamonds, and the rows of the effect matrix.
TREATMENT_GROUPS = frozenset({"dmt", "relapse", "treatment"})


def group_of(attrs: dict[str, Any]) -> Group:
    """The display group of a node, from its primary class, then its other types; a group
    that narrows the one found (:attr:`Group.narrows`) wins when the node has its class."""
    primary = attrs.get("class", "")
    types = attrs.get("types", [])
    best = _GROUP_BY_CLASS.get(primary)
    if best is None:
        for cls in types:
            group = _GROUP_BY_CLASS.get(cls)
            if group is not None and (best is None or GROUPS.index(group) < GROUPS.index(best)):
                best = group
    if best is None:
        return _GROUPS_BY_KEY["other"]
    for cls in types:
        group = _GROUP_BY_CLASS.get(cls)
        if group is not None and group.narrows == best.key:
            return group
    return best


#: Edge severities, in the order of the codes used in the page data.
SEVERITIES = ("", "serious", "common")


#: The source layer (by its key, ``skos:notation``) whose facts are drawn as plain lines: the
#: graph's first source. When the graph has no layer of that key, the first layer by key is.
BASE_LAYER = "article"


#: Dash patterns of edges that one layer other than the base alone gives (the label's facts
#: dash-dotted, a third layer's dotted), in the order of the layers' keys; more layers than
#: patterns reuse them. None is the common adverse effects' dash (``EDGE_STYLE["common"]``),
#: so a label's common effect (amber, dash-dotted) reads apart from the article's (dashed).
LAYER_DASHES: tuple[tuple[int, ...], ...] = ((10, 3, 2, 3), (2, 4), (1, 3, 1, 3, 8, 3))


#: Edges that two or more layers give are drawn plain on a pale halo (vis-network's edge
#: background): confirmed by both sources.
SEVERAL_LAYERS_HALO: dict[str, Any] = {"color": "rgba(80, 140, 230, 0.32)", "size": 7}


#: The outline of a node that only other layers than the base give (a label's boxed warning):
#: dashed, in a grey that reads on the darkest fills and on white.
LAYER_ONLY_BORDER: dict[str, Any] = {"dashes": [5, 3], "width": 2.5, "color": "#80868b"}
