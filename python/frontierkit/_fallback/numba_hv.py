"""numba fallback for exact hypervolume, exclusive contributions and hypervolume improvement.

Same algorithm and semantics as :mod:`frontierkit._fallback.numpy_hv`, compiled with numba: the
WFG algorithm (L. While, L. Bradstreet, L. Barone, "A Fast Way of Calculating Exact
Hypervolumes", IEEE Transactions on Evolutionary Computation 16(1), 2012) in "length space"
``u = ref - p`` (boxes ``[0, u]``, larger is better).  Points are sorted by the last objective,
worst first; each adds ``u_last`` times its (d-1)-D exclusive volume, i.e. its box minus the
hypervolume of the non-dominated limit set ``{min(u_i, u_j) : j later}``, computed one dimension
down, to a 2-D sweep.  Exclusive contributions and improvements use the same limit-set formula
against the other rows / the data.

The recursion on the dimension runs on an explicit stack: level ``L`` holds its points in slice
``L`` of a ``(d + 1, n, d)`` work buffer allocated once per call and writes each point's limit
set into slice ``L + 1``.  (numba recompiles a self-recursive function inside every caller, and
every compiled function adds to the first call's compilation time, so the code is kept in three
compiled functions and sorts with a hand-written heapsort rather than ``np.argsort``.)

Complexity: O(n log n) for d = 2; for d >= 3 O(n^d * d) time in the worst case (much less in
practice, since limit sets shrink after non-dominated filtering) and O(n * d^2) memory.
:func:`contributions` costs n such evaluations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["contributions", "hypervolume", "improvement"]


@njit(cache=False, nogil=True)
def _hv(buf: np.ndarray, m0: int | np.int64, k0: int) -> float:
    """Hypervolume of the boxes ``[0, buf[0, i, :k0]]`` for ``i < m0`` (finite, positive).

    ``buf`` is ``(k0 + 1, n >= m0, >= k0)``; all of it is scratch, ``buf[0]`` included.
    """
    n = buf.shape[1]
    depth = buf.shape[0]
    order = np.empty((depth, n), dtype=np.int64)
    key = np.empty(n, dtype=np.float64)
    cnt = np.zeros(depth, dtype=np.int64)
    pos = np.zeros(depth, dtype=np.int64)
    tot = np.zeros(depth, dtype=np.float64)
    inc = np.zeros(depth, dtype=np.float64)  # (k-1)-D volume of the point being processed
    hgt = np.zeros(depth, dtype=np.float64)  # and its last-objective length
    lvl = 0
    cnt[0] = m0
    enter = True
    while True:
        if enter:
            enter = False
            k = k0 - lvl
            u = buf[lvl]
            m = cnt[lvl]
            if k >= 3:
                # Keep the non-dominated rows (one copy of duplicates): limit sets shrink a lot.
                # Online skyline in place: rows [0, m) are the survivors so far.  (The 1-D max
                # and the 2-D sweep need no filtering.)
                m = 0
                for a in range(cnt[lvl]):
                    beaten = False
                    for b in range(m):
                        geq = True
                        for t in range(k):
                            if u[b, t] < u[a, t]:
                                geq = False
                                break
                        if geq:  # a survivor is at least as good (or equal: keep the first)
                            beaten = True
                            break
                    if beaten:
                        continue
                    w = 0
                    for b in range(m):  # drop the survivors that row a dominates
                        leq = True
                        for t in range(k):
                            if u[b, t] > u[a, t]:
                                leq = False
                                break
                        if not leq:
                            if w != b:
                                for t in range(k):
                                    u[w, t] = u[b, t]
                            w += 1
                    for t in range(k):  # w <= m <= a, so row a is read before any overwrite
                        u[w, t] = u[a, t]
                    m = w + 1
            cnt[lvl] = m
            done = True
            v = 0.0
            if m == 0:
                pass
            elif k == 1:
                v = u[0, 0]
                for a in range(1, m):
                    v = max(v, u[a, 0])
            elif m == 1:
                v = 1.0
                for t in range(k):
                    v *= u[0, t]
            else:
                # Heapsort of the rows by the last objective, ascending (worst first).
                idx = order[lvl]
                for a in range(m):
                    idx[a] = a
                    key[a] = u[a, k - 1]
                start = m // 2
                end = m
                while True:
                    if start > 0:  # build the max-heap
                        start -= 1
                        root = start
                    else:  # move the largest key behind the heap
                        end -= 1
                        if end <= 0:
                            break
                        idx[0], idx[end] = idx[end], idx[0]
                        root = 0
                    while True:  # sift down
                        child = 2 * root + 1
                        if child >= end:
                            break
                        if child + 1 < end and key[idx[child + 1]] > key[idx[child]]:
                            child += 1
                        if key[idx[child]] <= key[idx[root]]:
                            break
                        idx[root], idx[child] = idx[child], idx[root]
                        root = child
                if k == 2:
                    # Sweep from the highest point down; each adds the strip to the right of
                    # the widest point seen so far.
                    best = 0.0
                    for a in range(m - 1, -1, -1):
                        i = idx[a]
                        if u[i, 0] > best:
                            v += u[i, 1] * (u[i, 0] - best)
                            best = u[i, 0]
                else:
                    done = False
                    pos[lvl] = 0
                    tot[lvl] = 0.0
            if done:
                if lvl == 0:
                    return v
                lvl -= 1
                tot[lvl] += hgt[lvl] * max(inc[lvl] - v, 0.0)
        # Every box after point i covers its whole last-axis extent, so i's exclusive part is a
        # slab of height u_last over its (k-1)-D exclusive volume: its (k-1)-D box minus the
        # hypervolume of the limit set, computed one level down.
        u = buf[lvl]
        nxt = buf[lvl + 1]
        h = k0 - lvl - 1
        m = cnt[lvl]
        while pos[lvl] < m:
            i = order[lvl, pos[lvl]]
            pos[lvl] += 1
            mm = 0
            covered = False
            for b in range(pos[lvl], m):
                j = order[lvl, b]
                same = True
                for t in range(h):
                    w = min(u[i, t], u[j, t])
                    nxt[mm, t] = w
                    if w != u[i, t]:
                        same = False
                if same:  # a later point at least as good off the last axis covers the slab
                    covered = True
                    break
                mm += 1
            if covered:
                continue
            vol = 1.0
            for t in range(h):
                vol *= u[i, t]
            if mm == 0:
                tot[lvl] += u[i, h] * vol
                continue
            inc[lvl] = vol
            hgt[lvl] = u[i, h]
            cnt[lvl + 1] = mm
            lvl += 1
            enter = True
            break
        if enter:
            continue
        v = tot[lvl]  # this level is done: hand its volume to the parent
        if lvl == 0:
            return v
        lvl -= 1
        tot[lvl] += hgt[lvl] * max(inc[lvl] - v, 0.0)


@njit(cache=False, nogil=True)
def _hv_sets(data: np.ndarray, offsets: np.ndarray, ref: np.ndarray, out: np.ndarray) -> None:
    """``out[s]``: hypervolume of the rows ``data[offsets[s]:offsets[s + 1]]``."""
    d = data.shape[1]
    nmax = 1
    for s in range(offsets.shape[0] - 1):
        nmax = max(nmax, offsets[s + 1] - offsets[s])
    buf = np.empty((d + 1, nmax, d), dtype=np.float64)
    u = buf[0]
    for s in range(offsets.shape[0] - 1):
        m = np.int64(0)  # not a literal 0: numba would compile _hv once more for Literal[int](0)
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
                w = ref[t] - data[i, t]
                u[m, t] = w
                if w == np.inf:  # -inf in the point, +inf in ref (or an overflow)
                    infinite = True
            m += 1
        if m == 0:
            out[s] = 0.0
        elif infinite:
            out[s] = np.inf
        else:
            out[s] = _hv(buf, m, d)


@njit(cache=False, nogil=True)
def _exclusive(
    pts: np.ndarray, rows: np.ndarray, skips: np.ndarray, ref: np.ndarray, out: np.ndarray
) -> None:
    """``out[c]``: volume covered by the box of ``pts[c]`` and by no box of ``rows``.

    Row ``skips[c]`` of ``rows`` is left out (-1: none).  Every row strictly dominates ``ref``.
    """
    n, d = rows.shape
    buf = np.empty((d + 1, max(n, 1), d), dtype=np.float64)
    lim = buf[0]
    r = np.empty(d, dtype=np.float64)
    for c in range(pts.shape[0]):
        p = pts[c]
        skip = skips[c]
        out[c] = 0.0
        zero = False
        for t in range(d):
            if not p[t] < ref[t]:
                zero = True
        # Weakly dominated (an equal row included): its box lies inside another one.
        for j in range(n):
            if zero:
                break
            if j == skip:
                continue
            le = True
            for t in range(d):
                if rows[j, t] > p[t]:
                    le = False
                    break
            zero = le
        if zero:
            continue
        # Not dominated, so the corner cell at p is exclusive; with p_k = -inf it is unbounded.
        infinite = False
        for t in range(d):
            if p[t] == -np.inf:
                infinite = True
        for k in range(d):
            r[k] = ref[k]
            if infinite or ref[k] != np.inf:
                continue
            # Far out along axis k only rows that are <= p off axis k cover the slab; if none
            # does, the exclusive region reaches +inf.  Otherwise nothing exclusive lies beyond
            # the largest finite coordinate on axis k: clip there.
            found = False
            top = p[k]
            for j in range(n):
                if j == skip:
                    continue
                top = max(top, rows[j, k])  # < inf: the row strictly dominates ref
                if not found:
                    le = True
                    for t in range(d):
                        if t != k and rows[j, t] > p[t]:
                            le = False
                            break
                    found = le
            infinite = not found
            r[k] = top
        vol = 1.0
        for t in range(d):
            vol *= r[t] - p[t]
        if infinite or vol == np.inf:
            out[c] = np.inf
            continue
        mm = np.int64(0)  # not a literal 0 (see _hv_sets)
        for j in range(n):
            if j == skip:
                continue
            pos = True
            for t in range(d):
                w = r[t] - max(p[t], rows[j, t])
                lim[mm, t] = w
                if not w > 0.0:
                    pos = False
            if pos:  # zero-width boxes cover nothing
                mm += 1
        if mm > 0:
            vol -= _hv(buf, mm, d)
        out[c] = max(vol, 0.0)


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
    kept = np.ascontiguousarray(data[idx])
    _exclusive(kept, kept, np.arange(idx.size, dtype=np.int64), ref, part)
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
    _exclusive(candidates, kept, np.full(candidates.shape[0], -1, dtype=np.int64), ref, out)
    return out
