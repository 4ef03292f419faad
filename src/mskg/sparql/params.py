"""Query parameters: resolving values to nodes and binding them into the algebra or the text."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from mskg.errors import UnknownNameError, UsageError
from mskg.prefixes import PREFIXES, expand_curie
from mskg.sparql.guard import walk_algebra
from mskg.sparql.results import display_term

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.term import Node

    from mskg.sparql.named import NamedQuery


_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[^\s<>\"]*)$")


_IRI_SCHEMES = ("http://", "https://", "urn:", "file:", "mailto:")


#: Properties whose values name a node, for binding parameters by label.
_LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://schema.org/proprietaryName",
    "http://schema.org/nonProprietaryName",
)


def parse_param_args(items: Sequence[str]) -> dict[str, list[str]]:
    """``["drug=natalizumab", "drug=Ocrevus"]`` -> ``{"drug": ["natalizumab", "Ocrevus"]}``."""
    params: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE, e.g. drug=natalizumab")
        params.setdefault(name, []).append(value.strip())
    return params


def resolve_value(graph: Graph, value: str, cls: str | None = None) -> list[Node]:
    """The nodes a parameter value names.

    ``<IRI>``, an absolute IRI (``https://...``) or a prefixed name (``mskr:natalizumab``) name one
    node, which must be in the graph and, when ``cls`` is given, an instance of it (or of a
    subclass); ``"text"`` is a plain literal; anything else is matched, ignoring case, against
    labels (rdfs:label, skos:prefLabel, skos:altLabel, brand and generic names) and against the
    last segment of mskr: IRIs, restricted to instances of ``cls`` when given. Raises
    :class:`UnknownNameError` with the closest names when nothing matches.
    """
    from rdflib import Literal, URIRef

    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return [Literal(text[1:-1])]
    iri: URIRef | None = None
    if text.startswith("<") and text.endswith(">"):
        iri = URIRef(text[1:-1])
    elif text.startswith(_IRI_SCHEMES):
        iri = URIRef(text)
    elif _PREFIXED.match(text):
        expanded = _expand_prefixed(graph, text)
        if expanded is not None:
            iri = URIRef(expanded)
    members = _instances(graph, cls) if cls else None
    kind = _class_label(graph, cls) if cls else "name"
    if iri is not None:
        if members is not None and iri in members:
            return [iri]
        in_graph = _in_graph(graph, iri)
        if members is None and in_graph:
            return [iri]
        note = f"in the graph, but not a {kind}" if in_graph else "not in the graph"
        raise UnknownNameError(kind, text, _candidates(graph, members, iris=True), note=note)

    wanted = text.casefold()
    found: dict[Node, None] = {}
    for prop in _LABEL_PROPERTIES:
        for subject, label in graph.subject_objects(URIRef(prop)):
            if str(label).casefold() == wanted and (members is None or subject in members):
                found[subject] = None
    if re.fullmatch(r"[\w.-]+", text):
        local = URIRef(PREFIXES["mskr"] + text)
        if (local, None, None) in graph and (members is None or local in members):
            found[local] = None
    if found:
        return sorted(found, key=str)
    raise UnknownNameError(kind, text, _candidates(graph, members))


def _in_graph(graph: Graph, node: Node) -> bool:
    """Whether ``node`` occurs in ``graph``, as subject, predicate or object."""
    return any(
        pattern in graph for pattern in ((node, None, None), (None, None, node), (None, node, None))
    )


def _candidates(graph: Graph, members: set[Node] | None, iris: bool = False) -> list[str]:
    """The names to suggest: the labels of the labelled nodes (of ``members`` only, when given),
    or their prefixed names (``mskr:natalizumab``) when the value was written as an IRI."""
    from rdflib import URIRef

    names: set[str] = set()
    for prop in _LABEL_PROPERTIES:
        for subject, label in graph.subject_objects(URIRef(prop)):
            if members is None or subject in members:
                if not iris:
                    names.add(str(label))
                elif isinstance(subject, URIRef):
                    names.add(display_term(subject))
    return sorted(names)


def _expand_prefixed(graph: Graph, name: str) -> str | None:
    """The IRI of the prefixed name ``name``: under mskg's prefixes, else under those the graph
    binds (a user's own graph folder may declare more)."""
    iri = expand_curie(name)
    if iri is not None:
        return iri
    prefix, _, local = name.partition(":")
    for bound, namespace in graph.namespaces():
        if bound == prefix:
            return str(namespace) + local
    return None


def _expand(graph: Graph, name: str) -> str:
    if _PREFIXED.match(name) and not name.startswith(_IRI_SCHEMES):
        iri = _expand_prefixed(graph, name)
        if iri is not None:
            return iri
    return name.strip("<>")


def _instances(graph: Graph, cls: str) -> set[Node]:
    """Instances of ``cls`` or of any of its subclasses (``rdfs:subClassOf*``)."""
    from rdflib import URIRef

    from mskg.graph.hierarchy import instances

    return instances(graph, URIRef(_expand(graph, cls)))


def _class_label(graph: Graph, cls: str) -> str:
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    label = graph.value(URIRef(_expand(graph, cls)), RDFS.label)
    return str(label) if label is not None else cls


def _query_variables(query: Query) -> set[str]:
    from rdflib.term import Variable

    names: set[str] = set()
    for node in walk_algebra(query.algebra):
        for value in node.values():
            if isinstance(value, Variable):
                names.add(str(value))
            elif isinstance(value, (list, tuple, set)):
                names.update(str(v) for v in value if isinstance(v, Variable))
        for triple in node.get("triples") or []:
            names.update(str(t) for t in triple if isinstance(t, Variable))
    return {n for n in names if not n.startswith("__")}


def parameter_variable(name: str, variables: Collection[str]) -> str:
    """The query variable that parameter ``name`` binds: ``?NAMEIri`` if the query uses it,
    else ``?NAME``.

    This follows the column convention of the named queries: ``?drug`` is a drug's label and
    ``?drugIri`` its IRI, and ``--param drug=natalizumab`` names the drug, so it binds the IRI.
    """
    iri = f"{name}Iri"
    return iri if iri in variables else name


def bind_parameters(
    graph: Graph,
    query: NamedQuery,
    prepared: Query,
    values: Mapping[str, str | Sequence[str]] | None,
) -> dict[str, list[Node]]:
    """Resolve the parameter values (given or default) of ``query`` to nodes of ``graph``.

    Returns the nodes bound to each query variable (see :func:`parameter_variable`). A query
    with a header (a title or parameters) accepts only the parameters it declares; a query
    without one (e.g. ``mskg query -e``) accepts any variable it uses. Unknown parameter names
    raise :class:`UsageError` listing the accepted ones; values that name nothing raise
    :class:`UnknownNameError` listing the closest names.
    """
    given: dict[str, list[str]] = {}
    for key, raw in (values or {}).items():
        given[key.lstrip("?$")] = [raw] if isinstance(raw, str) else list(raw)
    declared = {p.name: p for p in query.header.params}
    has_header = bool(declared or query.header.title)
    variables = _query_variables(prepared)
    accepted = set(declared) if has_header else variables
    for key in given:
        if key not in accepted:
            takes = ", ".join(sorted(accepted)) if accepted else "none"
            raise UsageError(f"unknown parameter {key!r} for {query.name}; it takes: {takes}")
    bound: dict[str, list[Node]] = {}
    source: dict[str, str] = {}
    for key in sorted(accepted):
        param = declared.get(key)
        raw_values = given.get(key) or ([param.default] if param and param.default else [])
        nodes: dict[Node, None] = {}
        for raw in raw_values:
            for node in resolve_value(graph, raw, param.cls if param else None):
                nodes[node] = None
        if not nodes:
            continue
        variable = parameter_variable(key, variables)
        if variable in bound:
            raise UsageError(
                f"parameters {source[variable]!r} and {key!r} both bind ?{variable}; give one"
            )
        bound[variable] = list(nodes)
        source[variable] = key
    return bound


_WRAPPERS = {
    "Slice",
    "Distinct",
    "Reduced",
    "OrderBy",
    "Project",
    "Extend",
    "Filter",
    "AggregateJoin",
    "Group",
}


def inject_values_algebra(query: Query, bound: Mapping[str, Sequence[Node]]) -> None:
    """Join a VALUES table of the bound parameters into the query's WHERE pattern.

    Equivalent to writing ``VALUES ?drug { mskr:natalizumab }`` at the start of the WHERE clause:
    the table goes under the solution modifiers, grouping and the pattern's own filters and
    binds, and is joined lazily, so the pattern is evaluated with the parameters already bound.
    """
    import itertools

    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if not bound:
        return
    names = sorted(bound)
    rows = [
        {Variable(n): v for n, v in zip(names, combo, strict=True)}
        for combo in itertools.product(*(bound[n] for n in names))
    ]
    values = CompValue("ToMultiSet", p=CompValue("values", res=rows))
    values["_vars"] = {Variable(n) for n in names}

    parent: CompValue = query.algebra
    while True:
        child = parent.get("p")
        if child is None:
            raise UsageError("the query has no WHERE clause to bind parameters in")
        if isinstance(child, CompValue) and child.name in _WRAPPERS:
            parent = child
            continue
        break
    join = CompValue("Join", p1=values, p2=child, lazy=True)
    join["_vars"] = set(values["_vars"]) | set(child.get("_vars") or ())
    parent["p"] = join


_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)


#: A prefix used in a query: ``mskr:`` in ``mskr:natalizumab`` (not in an IRI or a variable).
_PREFIX_USE = re.compile(r"(?<![\w<?$:])([A-Za-z][\w.-]*)?:")


def with_prefixes(sparql: str) -> str:
    """``sparql`` with ``PREFIX`` lines for mskg's prefixes it uses but does not declare.

    The named queries may rely on mskg's standard prefixes (as the memory store allows); other
    engines need them declared.
    """
    used = {m.group(1) or "" for m in _PREFIX_USE.finditer(sparql)}
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(sparql)}
    missing = [
        f"PREFIX {prefix}: <{PREFIXES[prefix]}>"
        for prefix in PREFIXES
        if prefix in used and prefix not in declared
    ]
    return "\n".join([*missing, sparql]) if missing else sparql


def inject_values(sparql: str, bound: Mapping[str, Sequence[Node]]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { ... }`` written just inside its WHERE clause's brace.

    The same place :func:`mskg.sparql.engine.run_query` puts the table in the algebra: under the
    solution modifiers and grouping, joined with the pattern.
    """
    if not bound:
        return sparql
    import itertools

    check_parameters(bound)
    names = sorted(bound)
    rows = itertools.product(*(bound[n] for n in names))
    table = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ {table} }} "
    at = _where_brace(sparql)
    if at is None:
        raise UsageError("the query has no WHERE clause to bind parameters in")
    return sparql[: at + 1] + values + sparql[at + 1 :]


#: Characters an IRI may not hold (RFC 3987 and the SPARQL IRIREF production).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def valid_iri(text: str) -> bool:
    r"""Whether ``text`` can stand between ``<`` and ``>`` in SPARQL (an IRIREF): not empty, and
    no space, control character or any of ``<>"{}|^`\``."""
    return bool(text) and not _BAD_IRI.search(text)


_IRI_SCHEME = re.compile(r"(?:https?|urn|file|mailto|ftp):", re.IGNORECASE)


_PREFIXED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")


def _bad_iri(name: str, iri: str) -> UsageError:
    return UsageError(
        f"parameter {name}: {iri!r} is not a valid IRI (it may not hold spaces, quotes, "
        "<>{}|^` or backslashes)"
    )


def check_parameter_values(params: Mapping[str, str | Sequence[str]] | None) -> None:
    """Refuse, before anything runs, a parameter value meant as an IRI (``<...>``, ``http...``,
    ``mskr:...``) that is not a valid one, e.g. ``drug=http://x/a> } SERVICE <...> #``: the same
    :class:`UsageError` on every store (the HTTP server answers 400)."""
    for name, raw in (params or {}).items():
        for value in [raw] if isinstance(raw, str) else raw:
            text = value.strip()
            iri: str | None = None
            if text.startswith("<") and text.endswith(">"):
                iri = text[1:-1]
            elif _IRI_SCHEME.match(text):
                iri = text
            else:
                prefixed = _PREFIXED_NAME.fullmatch(text)
                if prefixed and (prefixed.group(1) or "") in PREFIXES:
                    iri = text
            if iri is not None and not valid_iri(iri):
                raise _bad_iri(name, iri)


def check_parameters(bound: Mapping[str, Sequence[Node]]) -> None:
    """Refuse a bound IRI that is not valid (:class:`UsageError`): it would not survive being
    written into the query text (rdflib's ``n3()`` raises a bare Exception)."""
    from rdflib import URIRef

    for name, nodes in bound.items():
        for node in nodes:
            if isinstance(node, URIRef) and not valid_iri(str(node)):
                raise _bad_iri(name, str(node))


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<var>[?$][\w]+)
      | (?P<word>[A-Za-z_][\w.-]*:?[\w.-]*)
      | (?P<brace>\{)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _where_brace(sparql: str) -> int | None:
    """Offset of the ``{`` opening the outermost WHERE clause (skipping strings, IRIs, comments)."""
    first: int | None = None
    form = ""
    after_where = False
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind in ("comment", "string", "iri", "var"):
            continue
        if kind == "word":
            word = match.group().upper()
            if not form and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            after_where = word == "WHERE"
            continue
        if kind == "brace":
            if after_where:
                return match.start()
            if first is None:
                first = match.start()
            continue
        if not match.group().isspace():
            after_where = False
    # No WHERE keyword: SELECT * { ... } or ASK { ... } open the pattern with their first brace.
    return first if form in ("SELECT", "ASK") else None
