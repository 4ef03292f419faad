"""What changed between two versions of the graph, statement by statement.

:func:`diff_graphs` compares two graphs as sets of triples. Blank nodes have no name to match by,
so each is named by what it says: a hash of its full description (its properties and values,
blank-node values described the same way, recursively). The same description gets the same name
in both versions, whatever else changed around it, so an unchanged dosing phase written as
``[ ... ]`` is unchanged, and a changed one shows as its old statements removed and its new ones
added. Blank nodes with identical descriptions collapse into one, as RDF's set semantics allow.
Literals compare by their lexical form and datatype, as written: ``"P1D"`` and ``"PT24H"`` differ.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from mskg.prefixes import compress_iri

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


def _sort_key(triple: Triple) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def _content_names(graph: Graph) -> dict[BNode, BNode]:
    """A name for every blank node of ``graph``: ``b`` + a hash of its description."""
    outgoing: dict[BNode, list[tuple[Node, Node]]] = {}
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing.setdefault(s, []).append((p, o))
        if isinstance(o, BNode):
            outgoing.setdefault(o, [])
    memo: dict[BNode, str] = {}

    def describe(root: BNode) -> str:
        """``[p1 o1 ; p2 o2 ...]``, sorted, with blank-node values described in turn. A blank node
        reached again through itself is ``[cycle]``; a description holding one depends on where
        it was entered, so it is not kept for reuse. Iterative: long RDF lists are deep."""
        # Each frame: node, its remaining (p, o) pairs, the parts so far, [cut by a cycle],
        # and the property through which its parent reached it.
        stack: list[tuple[BNode, Iterator[tuple[Node, Node]], list[str], list[bool], str]] = [
            (root, iter(outgoing[root]), [], [False], "")
        ]
        on_path = {root}
        while True:
            node, pairs, parts, cut, via = stack[-1]
            child: BNode | None = None
            for p, o in pairs:
                if not isinstance(o, BNode):
                    parts.append(f"{p.n3()} {o.n3()}")
                elif o in memo:
                    parts.append(f"{p.n3()} {memo[o]}")
                elif o in on_path:
                    parts.append(f"{p.n3()} [cycle]")
                    cut[0] = True
                else:
                    child = o
                    stack.append((o, iter(outgoing[o]), [], [False], p.n3()))
                    on_path.add(o)
                    break
            if child is not None:
                continue
            description = "[" + " ; ".join(sorted(parts)) + "]"
            stack.pop()
            on_path.discard(node)
            if not cut[0]:
                memo[node] = description
            if not stack:
                return description
            stack[-1][2].append(f"{via} {description}")
            stack[-1][3][0] = stack[-1][3][0] or cut[0]

    return {
        node: BNode("b" + hashlib.sha256(describe(node).encode()).hexdigest()[:16])
        for node in outgoing
    }


def _by_content(graph: Graph) -> set[Triple]:
    names = _content_names(graph)
    if not names:
        return set(graph)
    return {
        (
            names.get(s, s) if isinstance(s, BNode) else s,
            p,
            names.get(o, o) if isinstance(o, BNode) else o,
        )
        for s, p, o in graph
    }


def diff_graphs(old: Graph, new: Graph) -> GraphDiff:
    """The statements added and removed going from ``old`` to ``new``."""
    before = _by_content(old)
    after = _by_content(new)
    return GraphDiff(
        added=sorted(after - before, key=_sort_key),
        removed=sorted(before - after, key=_sort_key),
        unchanged=len(before & after),
    )


def diff_paths(old: Path | str, new: Path | str) -> GraphDiff:
    """Load two graph folders (or files) through the loader and compare them."""
    from mskg.graph.loader import load_graph

    return diff_graphs(load_graph(old), load_graph(new))


def _short(term: Node) -> str:
    """``term`` in Turtle, with prefixed names for IRIs and literal datatypes where possible."""
    if isinstance(term, Literal) and term.datatype is not None:
        # Literal.n3() would write an integer as 450: keep the lexical form and the datatype.
        return f"{Literal(str(term)).n3()}^^{_short(term.datatype)}"
    text = term.n3()
    if text.startswith("<") and text.endswith(">"):
        curie = compress_iri(text[1:-1]) or ""
        local = curie.partition(":")[2]
        # A prefixed name only where Turtle needs no escapes in the local name.
        if local and all(c.isalnum() or c in "-_" for c in local):
            return curie
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
