"""NumPy fallback for exact hypervolume, exclusive contributions and hypervolume improvement.

All three are built on the WFG algorithm (L. While, L. Bradstreet, L. Barone, "A Fast Way of
Calculating Exact Hypervolumes", IEEE Transactions on Evolutionary Computation 16(1), 2012):

* Points that do not strictly dominate the reference point are dropped and the rest are moved to
  "length space" ``u = ref - p`` (each box becomes ``[0, u]``; larger is better), so that every
  later step works on lengths and ``ref - max(p, q)`` is simply ``min(u_p, u_q)``.
* The points are sorted by the last objective, worst first.  The hypervolume is the sum over
  points of ``u_last * exclhv_{d-1}``, where ``exclhv_{d-1}`` is the (d-1)-volume of the point's
  box minus the hypervolume of the non-dominated part of its *limit set*
  ``{min(u_i, u_j) : j later}`` over the first d-1 objectives.  The recursion ends in a 2-D
  sort-and-sweep (and ``max(u)`` in 1-D).
* The exclusive contribution of a point ``p`` relative to a set ``S`` is ``prod(u_p)`` minus the
  hypervolume of the limit set ``{min(u_p, u_q) : q in S}``; it is used for both
  :func:`contributions` (``S`` = the other rows) and :func:`improvement` (``S`` = the data).

Complexity: O(n log n) for d = 2; for d >= 3 the recursion is O(n^d * d) time in the worst
case (much less in practice, since limit sets shrink after non-dominated filtering); the
pairwise dominance tests are blocked to a few million booleans at a time.
:func:`contributions` costs n such evaluations.  Plain Python loops drive the recursion, so this
backend is meant for sets of up to a few hundred points.

Infinite coordinates follow the measure-theoretic definition: a kept box with an infinite side
has infinite volume; an exclusive contribution is infinite exactly when the region that only the
point covers is unbounded, and finite (computed after clipping the infinite side) otherwise.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["contributions", "hypervolume", "improvement"]

_BLOCK_ELEMENTS = 1 << 22  # cap on block x m x d booleans held at once by the dominance test


def _nondominated(u: np.ndarray) -> np.ndarray:
    """Rows of ``u`` (maximisation) that no other row weakly dominates; one copy of duplicates."""
    m, k = u.shape
    if m <= 1:
        return u
    keep = np.empty(m, dtype=bool)
    block = max(1, _BLOCK_ELEMENTS // max(1, m * k))
    idx = np.arange(m)
    for a in range(0, m, block):
        rows = u[a : a + block]
        # ge[r, b]: row b is >= row r everywhere; eq[r, b]: they are equal.
        ge = np.all(u[None, :, :] >= rows[:, None, :], axis=2)
        eq = np.all(u[None, :, :] == rows[:, None, :], axis=2)
        # A row goes if something strictly better exists, or an equal row comes earlier.
        earlier = idx[None, :] < idx[a : a + block, None]
        keep[a : a + block] = ~np.any((ge & ~eq) | (eq & earlier), axis=1)
    return u[keep]


def _hv2(u: np.ndarray) -> float:
    """2-D hypervolume of boxes ``[0, u]``: sweep in decreasing first length."""
    order = np.lexsort((-u[:, 1], -u[:, 0]))
    x = u[order, 0]
    y = u[order, 1]
    # Each point adds the strip between its height and the highest point seen so far.
    prev = np.maximum.accumulate(np.concatenate(([0.0], y[:-1])))
    gain = np.maximum(y - prev, 0.0)
    return math.fsum((x * gain).tolist())


def _hv(u: np.ndarray) -> float:
    """Hypervolume of the union of boxes ``[0, u_i]``; ``u`` finite and positive."""
    m, k = u.shape
    if m == 0:
        return 0.0
    if k == 1:
        return float(u[:, 0].max())
    if k == 2:  # the sweep needs no filtering
        return _hv2(u)
    u = _nondominated(u)  # limit sets shrink a lot
    m = u.shape[0]
    if m == 1:
        return float(np.prod(u[0]))
    # Worst last objective first: every later box then covers this point's whole last-axis
    # extent, so its exclusive part is a slab of height u_last over a (k-1)-D exclusive volume.
    u = u[np.argsort(u[:, -1], kind="stable")]
    head = u[:, :-1]
    terms = []
    for i in range(m - 1):
        p = head[i]
        limit = np.minimum(p, head[i + 1 :])
        # A later point at least as good in the first k-1 objectives covers the whole slab.
        if np.any(np.all(limit == p, axis=1)):
            continue
        excl = float(np.prod(p)) - _hv(limit)
        if excl > 0.0:
            terms.append(u[i, -1] * excl)
    terms.append(float(np.prod(u[-1])))
    return math.fsum(terms)


def _set_hv(rows: np.ndarray, ref: np.ndarray) -> float:
    rows = rows[np.all(rows < ref, axis=1)]
    if rows.shape[0] == 0:
        return 0.0
    u = ref - rows
    if not np.all(np.isfinite(u)):  # -inf in a kept point, +inf in ref (or an overflow)
        return math.inf
    return _hv(u)


def _exclusive(p: np.ndarray, others: np.ndarray, ref: np.ndarray) -> float:
    """Volume covered by the box of ``p`` and by no box of ``others``.

    ``p`` and every row of ``others`` strictly dominate ``ref``.
    """
    d = p.shape[0]
    # Weakly dominated (this includes an equal row): its box lies inside another one.
    if others.shape[0] and np.any(np.all(others <= p, axis=1)):
        return 0.0
    # Not dominated, so the corner cell at p is exclusive; with p_k = -inf it is unbounded.
    if np.any(p == -math.inf):
        return math.inf
    top = np.flatnonzero(ref == math.inf)
    if top.size:
        ref = ref.copy()
        for k in top:
            # Far out along axis k only the boxes of rows that are <= p off axis k cover the
            # slab; if none does, the exclusive region reaches +inf.
            off = np.arange(d) != k
            if not np.any(np.all(others[:, off] <= p[off], axis=1)):
                return math.inf
            # Otherwise nothing exclusive lies beyond the largest finite coordinate: clip there.
            col = others[:, k]
            col = col[np.isfinite(col)]
            ref[k] = max(p[k], col.max()) if col.size else p[k]
    u = ref - p
    vol = float(np.prod(u))
    if not math.isfinite(vol):
        return math.inf
    limit = ref - np.maximum(p, others)
    limit = limit[np.all(limit > 0.0, axis=1)]  # zero-width boxes cover nothing
    if limit.shape[0] == 0:
        return vol
    return max(0.0, vol - _hv(limit))


def hypervolume(data: np.ndarray, offsets: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Hypervolume of each set of points (minimisation).

    Parameters
    ----------
    data : numpy.ndarray
        ``(n, d)`` float64, C-contiguous; the rows of all sets, one after another.
    offsets : numpy.ndarray
        int64, length ``nsets + 1``; set ``s`` is ``data[offsets[s]:offsets[s + 1]]``.
    ref : numpy.ndarray
        float64, length ``d``; rows that do not strictly dominate it are ignored.

    Returns
    -------
    numpy.ndarray
        float64, length ``nsets``.

    """
    nsets = len(offsets) - 1
    out = np.empty(nsets, dtype=np.float64)
    for s in range(nsets):
        out[s] = _set_hv(data[offsets[s] : offsets[s + 1]], ref)
    return out


def contributions(data: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Exclusive hypervolume contribution of each row: ``HV(P) - HV(P without the row)``.

    Rows that are dominated, equal to another row, or do not strictly dominate ``ref`` get 0.

    Parameters
    ----------
    data : numpy.ndarray
        ``(n, d)`` float64, C-contiguous.
    ref : numpy.ndarray
        float64, length ``d``.

    Returns
    -------
    numpy.ndarray
        float64, length ``n``.

    """
    out = np.zeros(data.shape[0], dtype=np.float64)
    idx = np.flatnonzero(np.all(data < ref, axis=1))
    kept = data[idx]
    for t, i in enumerate(idx):
        out[i] = _exclusive(kept[t], np.delete(kept, t, axis=0), ref)
    return out


def improvement(data: np.ndarray, candidates: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Hypervolume each candidate would add to ``data``: ``HV(data + {c}) - HV(data)``.

    Parameters
    ----------
    data : numpy.ndarray
        ``(n, d)`` float64, C-contiguous.
    candidates : numpy.ndarray
        ``(m, d)`` float64, C-contiguous; each is evaluated on its own.
    ref : numpy.ndarray
        float64, length ``d``.

    Returns
    -------
    numpy.ndarray
        float64, length ``m``.

    """
    out = np.zeros(candidates.shape[0], dtype=np.float64)
    kept = data[np.all(data < ref, axis=1)]
    for i in np.flatnonzero(np.all(candidates < ref, axis=1)):
        out[i] = _exclusive(candidates[i], kept, ref)
    return out
