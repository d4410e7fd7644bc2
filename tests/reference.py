"""Slow, obviously correct references: plain loops over all pairs, straight from the definitions."""

from __future__ import annotations

import numpy as np


def dominates(a, b) -> bool:
    """a <= b in every objective and a < b in at least one (minimisation)."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def nondominated_mask(points, keep_weakly: bool = False) -> np.ndarray:
    pts = [tuple(float(v) for v in row) for row in np.asarray(points)]
    out = []
    for i, p in enumerate(pts):
        ok = not any(dominates(q, p) for q in pts)
        if ok and not keep_weakly:
            ok = p not in pts[:i]
        out.append(ok)
    return np.array(out, dtype=bool)


def pareto_ranks(points) -> np.ndarray:
    """Peel fronts: front k = rows no remaining row dominates."""
    pts = [tuple(float(v) for v in row) for row in np.asarray(points)]
    ranks = [-1] * len(pts)
    left = set(range(len(pts)))
    k = 0
    while left:
        front = [i for i in left if not any(dominates(pts[j], pts[i]) for j in left)]
        for i in front:
            ranks[i] = k
        left -= set(front)
        k += 1
    return np.array(ranks, dtype=np.int64)


def dominance_matrix(points) -> np.ndarray:
    """D[i, j] = row i dominates row j, for all pairs at once (the same definition, vectorised)."""
    p = np.asarray(points, dtype=float)
    le = (p[:, None, :] <= p[None, :, :]).all(axis=2)
    lt = (p[:, None, :] < p[None, :, :]).any(axis=2)
    return le & lt


def pareto_ranks_matrix(points) -> np.ndarray:
    """pareto_ranks for a few thousand rows: peel fronts off the all-pairs dominance matrix."""
    dom = dominance_matrix(points)
    n = dom.shape[0]
    ranks = np.full(n, -1, dtype=np.int64)
    left = np.ones(n, dtype=bool)
    k = 0
    while left.any():
        front = left & ~dom[left].any(axis=0)
        ranks[front] = k
        left &= ~front
        k += 1
    return ranks
