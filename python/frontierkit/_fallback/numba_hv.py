"""numba fallback for exact hypervolume, exclusive contributions and hypervolume improvement.

Same algorithm and semantics as :mod:`frontierkit._fallback.numpy_hv`, compiled with numba: the
WFG algorithm (L. While, L. Bradstreet, L. Barone, "A Fast Way of Calculating Exact
Hypervolumes", IEEE Transactions on Evolutionary Computation 16(1), 2012) in "length space"
``u = ref - p`` (boxes ``[0, u]``, larger is better).  Points are sorted by the last objective,
worst first; each adds ``u_last`` times its (d-1)-D exclusive volume, i.e. its box minus the
hypervolume of the non-dominated limit set ``{min(u_i, u_j) : j later}``, computed by recursion
on the dimension down to a 2-D sweep.  Exclusive contributions and improvements use the same
limit-set formula against the other rows / the data.

The recursion is plain numba self-recursion; the limit set of each level lives in one slice of a
``(d + 1, n, d)`` work buffer allocated once per call, so a level reuses its child's slice for
every point instead of allocating.

Complexity: O(n log n) for d = 2; for d >= 3 O(n^d * d) time in the worst case (much less in
practice, since limit sets shrink after non-dominated filtering) and O(n * d^2) memory.
:func:`contributions` costs n such evaluations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["contributions", "hypervolume", "improvement"]


@njit(cache=False, nogil=True)
def _filter_nondominated(u: np.ndarray, m: int, k: int) -> int:
    """Compact ``u[:m, :k]`` (maximisation) to its non-dominated rows; one copy of duplicates."""
    keep = np.ones(m, dtype=np.bool_)
    for a in range(m):
        for b in range(m):
            if b == a:
                continue
            geq = True
            strict = False
            for t in range(k):
                if u[b, t] < u[a, t]:
                    geq = False
                    break
                if u[b, t] > u[a, t]:
                    strict = True
            # Strictly beaten, or an equal row comes earlier (that one is kept instead).
            if geq and (strict or b < a):
                keep[a] = False
                break
    w = 0
    for a in range(m):
        if keep[a]:
            if w != a:
                for t in range(k):
                    u[w, t] = u[a, t]
            w += 1
    return w


@njit(cache=False, nogil=True)
def _argsort(u: np.ndarray, m: int, col: int, sign: float) -> np.ndarray:
    """Row order of ``u[:m]`` by ``sign * u[:, col]`` ascending (heapsort).

    Hand-written because ``np.argsort`` adds seconds to every numba compilation.
    """
    idx = np.arange(m)
    key = np.empty(m, dtype=np.float64)
    for i in range(m):
        key[i] = sign * u[i, col]
    # Build a max-heap, then move the largest key to the end repeatedly.
    start = m // 2 - 1
    while start >= 0:
        _sift(idx, key, start, m)
        start -= 1
    end = m - 1
    while end > 0:
        idx[0], idx[end] = idx[end], idx[0]
        _sift(idx, key, 0, end)
        end -= 1
    return idx


@njit(cache=False, nogil=True)
def _sift(idx: np.ndarray, key: np.ndarray, root: int, size: int) -> None:
    while True:
        child = 2 * root + 1
        if child >= size:
            return
        if child + 1 < size and key[idx[child + 1]] > key[idx[child]]:
            child += 1
        if key[idx[child]] <= key[idx[root]]:
            return
        idx[root], idx[child] = idx[child], idx[root]
        root = child


@njit(cache=False, nogil=True)
def _hv2(u: np.ndarray, m: int) -> float:
    """2-D hypervolume of boxes ``[0, u[i, :2]]``: sweep in decreasing first length."""
    order = _argsort(u, m, 0, -1.0)
    best = 0.0
    total = 0.0
    for t in range(m):
        r = order[t]
        y = u[r, 1]
        if y > best:  # adds the strip above the highest point seen so far
            total += u[r, 0] * (y - best)
            best = y
    return total


@njit(cache=False, nogil=True)
def _hv_rec(buf: np.ndarray, level: int, m: int, k: int) -> float:
    """Hypervolume of boxes ``[0, buf[level, i, :k]]`` for ``i < m`` (finite, positive).

    Uses ``buf[level + 1]`` for the limit sets of the next dimension down.
    """
    u = buf[level]
    if m == 0:
        return 0.0
    if k == 1:
        best = u[0, 0]
        for i in range(1, m):
            if u[i, 0] > best:
                best = u[i, 0]
        return best
    if m == 1:
        vol = 1.0
        for t in range(k):
            vol *= u[0, t]
        return vol
    if k == 2:
        return _hv2(u, m)
    # Worst last objective first: every later box covers this point's whole last-axis extent,
    # so its exclusive part is a slab of height u_last over a (k-1)-D exclusive volume.
    order = _argsort(u, m, k - 1, 1.0)
    nxt = buf[level + 1]
    h = k - 1
    total = 0.0
    for a in range(m):
        i = order[a]
        mm = 0
        covered = False
        for b in range(a + 1, m):
            j = order[b]
            same = True
            for t in range(h):
                v = min(u[i, t], u[j, t])
                nxt[mm, t] = v
                if v != u[i, t]:
                    same = False
            if same:  # a later point at least as good off the last axis covers the whole slab
                covered = True
                break
            mm += 1
        if covered:
            continue
        vol = 1.0
        for t in range(h):
            vol *= u[i, t]
        if mm > 0:
            mm = _filter_nondominated(nxt, mm, h)
            vol -= _hv_rec(buf, level + 1, mm, h)
        if vol > 0.0:
            total += u[i, h] * vol
    return total


@njit(cache=False, nogil=True)
def _hv_sets(data: np.ndarray, offsets: np.ndarray, ref: np.ndarray, out: np.ndarray) -> None:
    d = data.shape[1]
    nmax = 1
    for s in range(offsets.shape[0] - 1):
        nmax = max(nmax, offsets[s + 1] - offsets[s])
    buf = np.empty((d + 1, nmax, d), dtype=np.float64)
    u = buf[0]
    for s in range(offsets.shape[0] - 1):
        m = 0
        infinite = False
        for i in range(offsets[s], offsets[s + 1]):
            inside = True
            for t in range(d):
                if not data[i, t] < ref[t]:
                    inside = False
                    break
            if not inside:
                continue
            for t in range(d):
                v = ref[t] - data[i, t]
                u[m, t] = v
                if v == np.inf:  # -inf in the point, +inf in ref (or an overflow)
                    infinite = True
            m += 1
        if m == 0:
            out[s] = 0.0
        elif infinite:
            out[s] = np.inf
        else:
            m = _filter_nondominated(u, m, d)
            out[s] = _hv_rec(buf, 0, m, d)


@njit(cache=False, nogil=True)
def _exclusive(p: np.ndarray, rows: np.ndarray, skip: int, ref: np.ndarray, buf: np.ndarray) -> float:
    """Volume covered by the box of ``p`` and by no box of ``rows`` (row ``skip`` left out).

    ``p`` and every row strictly dominate ``ref``; ``buf`` is ``(d + 1, len(rows), d)``.
    """
    n, d = rows.shape
    # Weakly dominated (this includes an equal row): its box lies inside another one.
    for j in range(n):
        if j == skip:
            continue
        le = True
        for t in range(d):
            if rows[j, t] > p[t]:
                le = False
                break
        if le:
            return 0.0
    # Not dominated, so the corner cell at p is exclusive; with p_k = -inf it is unbounded.
    for t in range(d):
        if p[t] == -np.inf:
            return np.inf
    r = ref.copy()
    for k in range(d):
        if r[k] != np.inf:
            continue
        # Far out along axis k only rows that are <= p off axis k cover the slab; if none does,
        # the exclusive region reaches +inf.  Otherwise clip at the largest finite coordinate.
        found = False
        top = p[k]
        for j in range(n):
            if j == skip:
                continue
            if rows[j, k] > top:  # rows[j, k] < inf since the row dominates ref
                top = rows[j, k]
            if not found:
                le = True
                for t in range(d):
                    if t != k and rows[j, t] > p[t]:
                        le = False
                        break
                found = le
        if not found:
            return np.inf
        r[k] = top
    vol = 1.0
    for t in range(d):
        vol *= r[t] - p[t]
    if vol == np.inf:
        return np.inf
    lim = buf[0]
    mm = 0
    for j in range(n):
        if j == skip:
            continue
        pos = True
        for t in range(d):
            v = r[t] - max(p[t], rows[j, t])
            lim[mm, t] = v
            if not v > 0.0:
                pos = False
        if pos:  # zero-width boxes cover nothing
            mm += 1
    if mm > 0:
        mm = _filter_nondominated(lim, mm, d)
        vol -= _hv_rec(buf, 0, mm, d)
    return max(vol, 0.0)


@njit(cache=False, nogil=True)
def _contributions(kept: np.ndarray, ref: np.ndarray, out: np.ndarray) -> None:
    n, d = kept.shape
    buf = np.empty((d + 1, max(n, 1), d), dtype=np.float64)
    for i in range(n):
        out[i] = _exclusive(kept[i], kept, i, ref, buf)


@njit(cache=False, nogil=True)
def _improvement(kept: np.ndarray, cand: np.ndarray, ref: np.ndarray, out: np.ndarray) -> None:
    n, d = kept.shape
    buf = np.empty((d + 1, max(n, 1), d), dtype=np.float64)
    for i in range(cand.shape[0]):
        inside = True
        for t in range(d):
            if not cand[i, t] < ref[t]:
                inside = False
                break
        out[i] = _exclusive(cand[i], kept, -1, ref, buf) if inside else 0.0


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
    out = np.empty(len(offsets) - 1, dtype=np.float64)
    _hv_sets(data, np.ascontiguousarray(offsets, dtype=np.int64), ref, out)
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
    part = np.empty(idx.size, dtype=np.float64)
    _contributions(np.ascontiguousarray(data[idx]), ref, part)
    out[idx] = part
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
    out = np.empty(candidates.shape[0], dtype=np.float64)
    kept = np.ascontiguousarray(data[np.all(data < ref, axis=1)])
    _improvement(kept, candidates, ref, out)
    return out
