"""Slow, obviously correct references: plain loops over all pairs, straight from the definitions."""

from __future__ import annotations

import itertools
import math

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
    """pareto_ranks for a few thousand rows: peel fronts off the all-pairs dominance matrix,
    keeping each row's count of dominators not yet peeled (front k = rows whose count is 0)."""
    dom = dominance_matrix(points)
    n = dom.shape[0]
    ranks = np.full(n, -1, dtype=np.int64)
    left = np.ones(n, dtype=bool)
    dominators = dom.sum(axis=0)
    k = 0
    while left.any():
        front = left & (dominators == 0)
        ranks[front] = k
        left &= ~front
        dominators -= dom[front].sum(axis=0)
        k += 1
    return ranks


def _hv_kept(points, ref) -> tuple[np.ndarray, np.ndarray]:
    """Rows that strictly dominate ref (the only ones with a box of positive volume), and ref."""
    ref = np.asarray(ref, dtype=float).reshape(-1)
    p = np.asarray(points, dtype=float).reshape(-1, ref.size)
    return p[np.all(p < ref, axis=1)], ref


def hv_inclusion_exclusion(points, ref) -> float:
    """Hypervolume by inclusion-exclusion over every non-empty subset of the kept rows (n <= 12).

    The boxes [p, ref] of a subset intersect in the box [max over the subset, ref].
    """
    p, ref = _hv_kept(points, ref)
    n = p.shape[0]
    assert n <= 12, "inclusion-exclusion is for small sets only"
    if n and not np.all(np.isfinite(ref - p)):
        return math.inf  # the union contains a box with an infinite side
    terms = []
    for size in range(1, n + 1):
        sign = 1.0 if size % 2 else -1.0
        for subset in itertools.combinations(range(n), size):
            corner = p[list(subset)].max(axis=0)
            terms.append(sign * float(np.prod(ref - corner)))
    return math.fsum(terms)


def hv_grid(points, ref) -> float:
    """Hypervolume as the total volume of grid cells covered by some box [p, ref].

    The grid has, on each axis, the distinct coordinates of the kept rows and of ref; a cell
    [lo, hi] lies inside [p, ref] exactly when p <= lo.  For small n and d (up to ~2e5 cells).
    """
    p, ref = _hv_kept(points, ref)
    n, d = p.shape
    if n == 0:
        return 0.0
    axes = [np.unique(np.append(p[:, k], ref[k])) for k in range(d)]
    lows = [a[:-1] for a in axes]
    lengths = [np.diff(a) for a in axes]
    assert math.prod(len(lo) for lo in lows) <= 400_000, "grid too large"
    covered = np.zeros([len(lo) for lo in lows], dtype=bool)
    for row in p:
        cell = np.ones_like(covered)
        for k in range(d):
            shape = [1] * d
            shape[k] = -1
            cell &= (row[k] <= lows[k]).reshape(shape)
        covered |= cell
    vol = np.ones_like(covered, dtype=float)
    for k in range(d):
        shape = [1] * d
        shape[k] = -1
        vol = vol * lengths[k].reshape(shape)
    return math.fsum(vol[covered].tolist())
