"""Positions for large graphs, computed before the page is written."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from mskg.viz.style import DEFAULT_SEED

if TYPE_CHECKING:
    import networkx as nx


#: Above this many nodes, positions are precomputed and physics is off. The curated graph with
#: its label layer (260 nodes, 513 edges) settles in the browser in a few hundred steps; graphs
#: of 350 nodes and as many edges no longer do within the page's 1,500.
DEFAULT_PHYSICS_THRESHOLD = 300


def layout_positions(
    network: nx.MultiDiGraph, seed: int = DEFAULT_SEED, spacing: float = 80.0
) -> dict[str, tuple[float, float]]:
    """Deterministic positions (pixels) for every node, for graphs too large for the browser's
    physics: a multilevel force layout per connected component, components packed in rows,
    largest first.

    Pure Python (numpy is not a dependency): each component is coarsened by merging every node
    into a neighbouring hub (a maximal independent set, highest degree first) until about 40
    clusters are left; the clusters are laid out with Fruchterman-Reingold, then each finer level
    starts from its cluster's position and is refined with a few cheap iterations (repulsion only
    between nodes in neighbouring grid cells). 5,000 nodes take about a second.
    """
    nodes = sorted(network.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    neighbours: list[set[int]] = [set() for _ in nodes]
    for u, v in network.edges():
        i, j = index[u], index[v]
        if i != j:
            neighbours[i].add(j)
            neighbours[j].add(i)
    seen = [False] * len(nodes)
    components: list[list[int]] = []
    for start in range(len(nodes)):
        if seen[start]:
            continue
        seen[start] = True
        comp, frontier = [start], [start]
        while frontier:
            nxt = []
            for i in frontier:
                for j in neighbours[i]:
                    if not seen[j]:
                        seen[j] = True
                        nxt.append(j)
            comp.extend(nxt)
            frontier = sorted(nxt)
        components.append(sorted(comp))
    components.sort(key=lambda c: (-len(c), c[0]))
    rng = random.Random(seed)
    boxes: list[tuple[list[int], list[tuple[float, float]], float, float]] = []
    for comp in components:
        local = {g: i for i, g in enumerate(comp)}
        adjacency = [dict.fromkeys(sorted(local[j] for j in neighbours[g]), 1.0) for g in comp]
        coords = _multilevel_layout(adjacency, rng)
        xs = [x for x, _ in coords]
        ys = [y for _, y in coords]
        minx, miny = min(xs), min(ys)
        coords = [(x - minx, y - miny) for x, y in coords]
        boxes.append((comp, coords, max(xs) - minx, max(ys) - miny))
    total_area = sum((w + 2) * (h + 2) for _, _, w, h in boxes)
    row_width = max(math.sqrt(total_area) * 1.3, max((w for *_, w, _ in boxes), default=1))
    positions: dict[str, tuple[float, float]] = {}
    x0 = y0 = row_height = 0.0
    for comp, coords, w, h in boxes:
        if x0 > 0 and x0 + w > row_width:
            x0 = 0.0
            y0 += row_height + 2
            row_height = 0.0
        for i, (x, y) in zip(comp, coords, strict=True):
            positions[nodes[i]] = (round((x0 + x) * spacing), round((y0 + y) * spacing))
        x0 += w + 2
        row_height = max(row_height, h)
    return positions


_COARSEST = 40


#: Repulsion is this much stronger than in textbook Fruchterman-Reingold: limited to near pairs,
#: it has no pressure (inside a crowd the pushes cancel out), and the springs would otherwise
#: pack a large graph several times denser than the node sizes ask for.
_REPULSION = 30.0


def _coarsen(
    adjacency: list[dict[int, float]], mass: list[float]
) -> tuple[list[int], list[dict[int, float]]] | None:
    """Merge nodes into clusters: (cluster of each node, the clusters' adjacency), or None when
    that would not shrink the graph enough to be worth a level.

    Seeds are a maximal independent set, highest degree first; every other node joins the
    lightest neighbouring seed that has room (a cluster holds at most four times the mean
    mass, so one hub cannot swallow the graph level after level), or else seeds its own
    cluster. Leaves always join their only neighbour: a drug's private effects go with it."""
    n = len(adjacency)
    order = sorted(range(n), key=lambda i: (-len(adjacency[i]), i))
    hub = [False] * n
    for i in order:
        if len(adjacency[i]) > 1 and not any(hub[j] for j in adjacency[i]):
            hub[i] = True
    cap = 4.0 * sum(mass) / n
    cluster = [-1] * n
    weight: list[float] = []
    for i in range(n):
        if hub[i]:
            cluster[i] = len(weight)
            weight.append(mass[i])
    for i in order:
        if hub[i]:
            continue
        seeds = [j for j in adjacency[i] if hub[j]]
        if len(adjacency[i]) == 1 and seeds:
            best = seeds[0]
        else:
            roomy = [j for j in seeds if weight[cluster[j]] + mass[i] <= cap]
            if not roomy:
                continue
            best = min(roomy, key=lambda j: (weight[cluster[j]], -len(adjacency[j]), j))
        cluster[i] = cluster[best]
        weight[cluster[best]] += mass[i]
    for i in range(n):
        if cluster[i] < 0:
            cluster[i] = len(weight)
            weight.append(mass[i])
    count = len(weight)
    if count > 0.8 * n or count < 8 <= n:
        return None  # barely shrinks, or would leave too few clusters to lay out
    # A coarse edge weighs as many fine edges as it stands for.
    coarse: list[dict[int, float]] = [{} for _ in range(count)]
    for i in range(n):
        for j, w in adjacency[i].items():
            a, b = cluster[i], cluster[j]
            if a != b:
                coarse[a][b] = coarse[a].get(b, 0.0) + w
    return cluster, coarse


def _multilevel_layout(
    adjacency: list[dict[int, float]], rng: random.Random
) -> list[tuple[float, float]]:
    n = len(adjacency)
    if n == 1:
        return [(0.0, 0.0)]
    # How many original nodes each cluster holds, at every level: a cluster takes the room of
    # its members (its radius grows as the square root of their number).
    levels = [adjacency]
    masses = [[1.0] * n]
    clusters: list[list[int]] = []
    while len(levels[-1]) > _COARSEST:
        step = _coarsen(levels[-1], masses[-1])
        if step is None:
            break
        parent, coarse = step
        mass = [0.0] * len(coarse)
        for i, c in enumerate(parent):
            mass[c] += masses[-1][i]
        clusters.append(parent)
        levels.append(coarse)
        masses.append(mass)
    top = levels[-1]
    radius = [math.sqrt(m) for m in masses[-1]]
    side = math.sqrt(n) * 1.2
    xs = [rng.uniform(0, side) for _ in top]
    ys = [rng.uniform(0, side) for _ in top]
    # Repulsion between all pairs here (the graph is small), so the overall shape is right.
    reach = 1e6 if len(top) <= 200 else 2.0
    _fruchterman_reingold(xs, ys, top, radius, 100 if len(top) <= 500 else 50, side / 5, rng, reach)
    for level in range(len(levels) - 2, -1, -1):
        fine = levels[level]
        parent = clusters[level]
        mass = masses[level]
        # Each cluster's members start on a sunflower spiral around it, spaced by their size,
        # so the refinement begins near the right density and needs few iterations.
        fx = [0.0] * len(fine)
        fy = [0.0] * len(fine)
        filled = [0.0] * len(top)
        turn = [rng.uniform(0, 2 * math.pi) for _ in top]
        count = [0] * len(top)
        for i, c in enumerate(parent):
            r = 0.75 * math.sqrt(filled[c] + (mass[i] / 2 if count[c] else 0.0))
            angle = turn[c] + count[c] * _GOLDEN_ANGLE
            fx[i] = xs[c] + r * math.cos(angle)
            fy[i] = ys[c] + r * math.sin(angle)
            filled[c] += mass[i]
            count[c] += 1
        xs, ys, top = fx, fy, fine
        radius = [math.sqrt(m) for m in mass]
        iterations = 30 if len(fine) <= 500 else 12 if len(fine) <= 2000 else 8
        lengths = sorted(
            math.hypot(xs[i] - xs[j], ys[i] - ys[j]) for i in range(len(fine)) for j in fine[i]
        )
        # Steps up to a typical edge's length: enough to untangle, not to scatter.
        temperature = lengths[len(lengths) // 2]
        _fruchterman_reingold(xs, ys, fine, radius, iterations, temperature, rng)
    _spread(xs, ys, radius)
    return list(zip(xs, ys, strict=True))


def _spread(xs: list[float], ys: list[float], radius: list[float]) -> None:
    """Scale the layout so that a typical node's nearest neighbour is about one size away."""
    n = len(xs)
    if n < 3:
        return
    cell = 2.0 * sorted(radius)[n // 2]
    grid: dict[tuple[int, int], list[int]] = {}
    for i in range(n):
        grid.setdefault((math.floor(xs[i] / cell), math.floor(ys[i] / cell)), []).append(i)
    ratios = []
    for (cx, cy), members in grid.items():
        near = [
            j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((cx + ox, cy + oy), ())
        ]
        for i in members:
            best = math.inf
            for j in near:
                if j != i:
                    d = math.hypot(xs[i] - xs[j], ys[i] - ys[j]) / ((radius[i] + radius[j]) * 0.5)
                    best = min(best, d)
            if best < math.inf:
                ratios.append(best)
    if len(ratios) < n // 2:
        return  # already sparse: most nodes have nobody close
    ratios.sort()
    typical = ratios[len(ratios) // 2]
    if typical <= 0:
        return
    scale = 1.0 / typical
    mid_x = sum(xs) / n
    mid_y = sum(ys) / n
    for i in range(n):
        xs[i] = mid_x + (xs[i] - mid_x) * scale
        ys[i] = mid_y + (ys[i] - mid_y) * scale


_HALF_NEIGHBOURHOOD = ((1, -1), (1, 0), (1, 1), (0, 1))


_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _fruchterman_reingold(
    xs: list[float],
    ys: list[float],
    adjacency: list[dict[int, float]],
    radius: list[float],
    iterations: int,
    temperature: float,
    rng: random.Random,
    reach: float = 2.0,
) -> None:
    """Move ``xs``, ``ys`` in place, with Fruchterman-Reingold forces scaled to each pair's size
    ``s`` (the mean of their radii, 1 for single nodes): repulsion s²/d between nodes closer
    than 2s, attraction d²/s along edges. A grid finds the close pairs, each pair once; the few
    clusters much larger than the rest repel every node directly. Springs to hubs are weakened
    (as in ForceAtlas2's hub dissuasion), so a drug with hundreds of effects does not pull them
    all into one clump. The step is capped by a temperature that falls linearly to zero."""
    n = len(xs)
    ordered = sorted(radius)
    normal = ordered[min(n - 1, int(n * 0.98))]
    big = [i for i in range(n) if radius[i] > normal]
    is_big = set(big)
    edges = [
        (
            i,
            j,
            2.0
            * w
            / (radius[i] + radius[j])
            / math.sqrt(max(len(adjacency[i]), len(adjacency[j]))),
        )
        for i in range(n)
        for j, w in adjacency[i].items()
        if i < j
    ]
    cell = reach * normal
    near2 = reach * reach
    cool = temperature / (iterations + 1)
    floor = math.floor
    sqrt = math.sqrt
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            if i in is_big:
                continue
            key = (floor(xs[i] / cell), floor(ys[i] / cell))
            members = grid.get(key)
            if members is None:
                grid[key] = [i]
            else:
                members.append(i)
        for (cx, cy), members in grid.items():
            others = [members]
            for ox, oy in _HALF_NEIGHBOURHOOD:
                near = grid.get((cx + ox, cy + oy))
                if near is not None:
                    others.append(near)
            for a, i in enumerate(members):
                xi, yi, ri = xs[i], ys[i], radius[i]
                fx = fy = 0.0
                for o, group in enumerate(others):
                    for j in group[a + 1 :] if o == 0 else group:
                        ddx = xi - xs[j]
                        ddy = yi - ys[j]
                        d2 = ddx * ddx + ddy * ddy
                        size = (ri + radius[j]) * 0.5
                        s2 = size * size
                        if d2 >= near2 * s2:
                            continue
                        if d2 < 1e-9:
                            ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                        f = _REPULSION * s2 / d2
                        fx += ddx * f
                        fy += ddy * f
                        dx[j] -= ddx * f
                        dy[j] -= ddy * f
                dx[i] += fx
                dy[i] += fy
        # The pair force again, written out: in this hot loop a call per pair would cost more.
        for b in big:
            xb, yb, rb = xs[b], ys[b], radius[b]
            for j in range(n):
                if j == b or (j in is_big and j < b):
                    continue
                ddx = xb - xs[j]
                ddy = yb - ys[j]
                d2 = ddx * ddx + ddy * ddy
                size = (rb + radius[j]) * 0.5
                s2 = size * size
                if d2 >= near2 * s2:
                    continue
                if d2 < 1e-9:
                    ddx, ddy, d2 = rng.uniform(-0.01, 0.01), 0.01, 1e-4
                f = _REPULSION * s2 / d2
                dx[b] += ddx * f
                dy[b] += ddy * f
                dx[j] -= ddx * f
                dy[j] -= ddy * f
        for i, j, weight in edges:
            ddx = xs[i] - xs[j]
            ddy = ys[i] - ys[j]
            f = weight * sqrt(ddx * ddx + ddy * ddy)
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            d = sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > temperature:
                xs[i] += dx[i] * temperature / d
                ys[i] += dy[i] * temperature / d
            else:
                xs[i] += dx[i]
                ys[i] += dy[i]
        temperature -= cool
