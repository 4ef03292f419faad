"""What changed between two versions of the graph, statement by statement.

:func:`diff_graphs` compares two graphs as sets of triples. Blank nodes have no name to match by,
so when either graph has any, both are first put in rdflib's canonical form (the same blank node
structure gets the same labels), and statements are compared there. Literals compare by their
lexical form and datatype, as written: ``"P1D"`` and ``"PT24H"`` differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.term import Node

from mskg.vocab import PREFIXES

Triple = tuple[Node, Node, Node]


@dataclass
class GraphDiff:
    """Statements only in the new graph (added) and only in the old one (removed), sorted."""

    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)
    unchanged: int = 0

    @property
    def same(self) -> bool:
        return not self.added and not self.removed


def _has_bnodes(graph: Graph) -> bool:
    return any(isinstance(term, BNode) for triple in graph for term in triple)


def _sort_key(triple: Triple) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def diff_graphs(old: Graph, new: Graph) -> GraphDiff:
    """The statements added and removed going from ``old`` to ``new``."""
    if _has_bnodes(old) or _has_bnodes(new):
        from rdflib.compare import to_canonical_graph

        old, new = to_canonical_graph(old), to_canonical_graph(new)
    before: set[Triple] = set(old)
    after: set[Triple] = set(new)
    return GraphDiff(
        added=sorted(after - before, key=_sort_key),
        removed=sorted(before - after, key=_sort_key),
        unchanged=len(before & after),
    )


def diff_paths(old: Path | str, new: Path | str) -> GraphDiff:
    """Load two graph folders (or files) through the loader and compare them."""
    from mskg.loader import load_graph

    return diff_graphs(load_graph(old), load_graph(new))


def _short(term: Node) -> str:
    text = term.n3()
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
        for prefix, namespace in PREFIXES.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and all(c.isalnum() or c in "-_" for c in local):
                return f"{prefix}:{local}"
    return text


def format_diff(diff: GraphDiff, fmt: str = "text") -> str:
    """``text``: ``+ s p o .`` / ``- s p o .`` lines with prefixed names and a summary;
    ``nt``: the same lines in N-Triples; ``json``: {"added": [...], "removed": [...]}."""
    if fmt == "json":
        as_lists = {
            key: [[t.n3() for t in triple] for triple in triples]
            for key, triples in (("added", diff.added), ("removed", diff.removed))
        }
        return json.dumps({**as_lists, "unchanged": diff.unchanged}, indent=2) + "\n"
    show = _short if fmt == "text" else (lambda term: term.n3())
    lines = [f"- {show(s)} {show(p)} {show(o)} ." for s, p, o in diff.removed]
    lines += [f"+ {show(s)} {show(p)} {show(o)} ." for s, p, o in diff.added]
    if fmt == "text":
        lines.append(
            f"# {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{diff.unchanged} unchanged statements"
        )
    return "\n".join(lines) + ("\n" if lines else "")
