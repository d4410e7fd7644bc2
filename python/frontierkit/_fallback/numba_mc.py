"""numba fallback of the Monte Carlo hypervolume (cpp/src/hv_mc.cpp).

Same samples, samplers, chunks, pilot and stopping rule as the C++ core and
:mod:`frontierkit._fallback.numpy_mc`, but one sample at a time, compiled with numba:

- sample ``i`` of stream ``s`` comes from Philox4x32-10 on the counter ``(i_lo, i_hi, j, s)``
  with the key ``(seed_lo, seed_hi)``, two doubles per call (``j`` counts the pairs), in
  ``uint64`` arithmetic masked to 32 bits;
- box sampler: ``u`` uniform in the bounding box ``[lo, ref]``, the points scanned by decreasing
  box volume (stable order) and the scan left at the first dominating point; the points
  examined are counted by blocks of 8 as in C++ (they steer the automatic choice of sampler);
- union sampler (Karp-Luby, Bringmann-Friedrich): a box drawn by its volume (lower bound in the
  cumulative volumes), ``u`` uniform in it, ``1 / c(u)`` with ``c`` the boxes holding ``u``
  (counted over the rows sorted by their first coordinate, up to the first row beyond ``u_0``);
- both test 8 rows at a time (blocks stored coordinate-major, padded with +inf rows), leaving a
  block at the first coordinate where none of its rows can still be ``<= u``;
- samples are summed in order within chunks of 2,048, and the chunk sums added in order, as the
  C++ core does on any number of threads: the estimates equal the core's to the last bit (the
  logarithms and exponentials go through the same C library).

Quasi-Monte Carlo (``replicates > 1``) replaces the generator by randomly shifted Kronecker
lattices; ``eps > 0`` samples until the running sum reaches the Dagum-Karp-Luby-Ross target.
The per-sample loops run in compiled code without allocation; the set-up per set (filtering,
the stable sort by box volume, the pilot's choice) stays in Python.  Only five small functions
are compiled (numba compiles each function once per signature, which adds to the first call's
time), and the sort is NumPy's, outside compiled code.

Cost: O(n d) per sample at worst for ``n`` points in ``d`` dimensions (the union sampler scans
every box; the box sampler stops at the first dominating point); :func:`hvc_approx` costs
O(n d) per sample of each row, over the rows that can dominate a point of its sampling box.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["hv_approx", "hvc_approx"]

_CHUNK = 2048
_BOX, _UNION, _PILOT_BOX, _PILOT_UNION = 0, 1, 2, 3

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_MASK = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S11 = np.uint64(11)
_ULP53 = 1.0 / 9007199254740992.0


@njit(cache=False, nogil=True)
def _uniforms(k0: np.uint64, k1: np.uint64, stream: np.uint64, i: np.uint64, m: int, out):
    """Fill ``out[:m]`` with the uniforms of sample ``i`` of a stream (Philox4x32-10).

    All words are ``uint64`` holding 32-bit values: the 32 x 32 -> 64-bit products fit, and
    the key schedule's sums are masked back to 32 bits.
    """
    lo_i = i & _MASK
    hi_i = i >> _S32
    for j in range((m + 1) // 2):
        c0 = lo_i
        c1 = hi_i
        c2 = np.uint64(j)
        c3 = stream
        a = k0
        b = k1
        for _ in range(10):
            p0 = c0 * _M0
            p1 = c2 * _M1
            c0 = (p1 >> _S32) ^ c1 ^ a
            c1 = p1 & _MASK
            c2 = (p0 >> _S32) ^ c3 ^ b
            c3 = p0 & _MASK
            a = (a + _W0) & _MASK
            b = (b + _W1) & _MASK
        out[2 * j] = (float(((c0 << _S32) | c1) >> _S11) + 0.5) * _ULP53
        if 2 * j + 1 < m:
            out[2 * j + 1] = (float(((c2 << _S32) | c3) >> _S11) + 0.5) * _ULP53


@njit(cache=False, nogil=True)
def _log_volumes(pts, ref):
    """Log box volume of every row: sum_j log(ref_j - p_j), added in coordinate order."""
    n, d = pts.shape
    out = np.empty(n, dtype=np.float64)
    for k in range(n):
        s = 0.0
        for j in range(d):
            s += math.log(ref[j] - pts[k, j])
        out[k] = s
    return out


@njit(cache=False, nogil=True)
def _cumulative(logv):
    """Cumulative box volumes relative to the first (largest) one, divided by their sum.

    ``logv`` in decreasing order; returns the cdf (last value exactly 1) and the sum.
    """
    n = logv.shape[0]
    cdf = np.empty(n, dtype=np.float64)
    top = logv[0]
    acc = 0.0
    for k in range(n):
        acc += math.exp(logv[k] - top)
        cdf[k] = acc
    for k in range(n):
        cdf[k] /= acc
    cdf[n - 1] = 1.0
    return cdf, acc


@njit(cache=False, nogil=True)
def _draw(pts, blk, lo, ref, cdf, est, k0, k1, stream, count, target, shift, alpha):
    """Draw samples 0, 1, ... of an estimator: (sum, sum of squares, rows examined, samples).

    ``est`` 0 (box: 0/1) or 1 (union: 1/c); ``pts`` by decreasing box volume, ``blk`` the
    same rows in blocks of 8 (coordinate-major, +inf padded), for the union sampler sorted by
    the first coordinate. Without a
    ``target`` (0) ``count`` samples, else samples until the running sum reaches ``target``
    (the chunk sums added in order, as the C++ core's rerun of the crossing chunk finds it).
    A non-empty ``shift`` draws lattice points ``frac(shift + i alpha)`` instead of Philox.
    """
    n, d = pts.shape
    m = d if est == 0 else d + 1
    r = np.empty(m, dtype=np.float64)
    u = np.empty(d, dtype=np.float64)
    width = np.empty(d, dtype=np.float64)
    for j in range(d):
        width[j] = ref[j] - lo[j]
    key0 = np.uint64(k0)
    key1 = np.uint64(k1)
    st = np.uint64(stream)
    lattice = shift.shape[0] > 0
    until = target > 0.0
    nblk = (n + 7) // 8
    miss_work = float(nblk * 8)
    s1 = 0.0
    s2 = 0.0
    work = 0.0
    a = 0
    while until or a < count:
        b = a + _CHUNK if until else min(count, a + _CHUNK)
        c1 = 0.0
        c2 = 0.0
        cw = 0.0
        for i in range(a, b):
            if lattice:
                for j in range(m):
                    t = shift[j] + float(i) * alpha[j]
                    r[j] = t - np.floor(t)
            else:
                _uniforms(key0, key1, st, np.uint64(i), m, r)
            if est == 0:
                for j in range(d):
                    u[j] = lo[j] + width[j] * r[j]
            else:
                x = r[0]
                left = 0
                right = n
                while left < right:  # the first cdf value >= x
                    mid = (left + right) >> 1
                    if cdf[mid] < x:
                        left = mid + 1
                    else:
                        right = mid
                q = min(left, n - 1)
                for j in range(d):
                    u[j] = pts[q, j] + (ref[j] - pts[q, j]) * r[j + 1]
            # Blocks of 8 rows, coordinate-major: bit l of `mask` says row 8 b + l is <= u in
            # the coordinates so far; a block is left once no row can still be.
            c = 0
            for blo in range(0, nblk * d * 8, d * 8):
                if est == 1 and blk[blo] > u[0]:
                    break  # the union's blocks come by increasing first coordinate
                mask = 255
                o = blo
                for j in range(d):
                    uj = u[j]
                    mj = 0
                    for k in range(8):
                        mj |= (blk[o + k] <= uj) << k
                    mask &= mj
                    if mask == 0:
                        break
                    o += 8
                if mask != 0:
                    if est == 0:  # the first dominating row ends a box sample
                        c = blo // d + 8
                        break
                    mask -= (mask >> 1) & 0x55
                    mask = (mask & 0x33) + ((mask >> 2) & 0x33)
                    c += (mask + (mask >> 4)) & 0x0F
            if est == 0:
                z = 1.0 if c > 0 else 0.0
                cw += float(c) if c > 0 else miss_work
            else:
                z = 1.0 / float(max(c, 1))
                cw += float(n)
            c1 += z
            c2 += z * z
            if until and s1 + c1 >= target:
                return s1 + c1, s2 + c2, work + cw, i + 1
        s1 += c1
        s2 += c2
        work += cw
        a = b
    return s1, s2, work, count


@njit(cache=False, nogil=True)
def _contributions(pts, ref, n_samples, k0, k1, stream, value, err):
    """Monte Carlo exclusive contribution of every row of one set (all counted, finite).

    Row ``i``'s exclusive region lies in ``[p_i, hi]``, ``hi_j`` the least ``q_j`` over the rows
    ``q`` worse than ``p_i`` in coordinate ``j`` only (and ``ref_j``); a row weakly dominating
    ``p_i`` leaves nothing. Sample ``t`` of row ``i`` is sample ``i * 2^32 | t`` of the stream;
    only the rows ``<=`` the largest value a sample can round to can dominate it, so only they
    are scanned (the count of misses is the same).
    """
    n, d = pts.shape
    hi = np.empty(d, dtype=np.float64)
    top = np.empty(d, dtype=np.float64)
    u = np.empty(d, dtype=np.float64)
    r = np.empty(d, dtype=np.float64)
    near = np.empty(n, dtype=np.int64)
    key0 = np.uint64(k0)
    key1 = np.uint64(k1)
    st = np.uint64(stream)
    for i in range(n):
        value[i] = 0.0
        err[i] = 0.0
        for j in range(d):
            hi[j] = ref[j]
        empty = False
        for q in range(n):
            if q == i:
                continue
            worse = 0
            at = 0
            for j in range(d):
                if pts[q, j] > pts[i, j]:
                    worse += 1
                    at = j
            if worse == 0:  # q weakly dominates row i
                empty = True
                break
            if worse == 1 and pts[q, at] < hi[at]:
                hi[at] = pts[q, at]
        if empty:
            continue
        logv = 0.0
        for j in range(d):
            if not hi[j] > pts[i, j]:
                empty = True
                break
            logv += math.log(hi[j] - pts[i, j])
        if empty:
            continue
        for j in range(d):  # no sample exceeds p + (hi - p) (rounding is monotone)
            top[j] = pts[i, j] + (hi[j] - pts[i, j])
        cnt = 0
        for q in range(n):
            if q == i:
                continue
            below = True
            for j in range(d):
                if not pts[q, j] <= top[j]:
                    below = False
                    break
            if below:
                near[cnt] = q
                cnt += 1
        miss = 0
        row = np.uint64(i) << _S32
        for t in range(n_samples):
            _uniforms(key0, key1, st, row | np.uint64(t), d, r)
            for j in range(d):
                u[j] = pts[i, j] + (hi[j] - pts[i, j]) * r[j]
            hit = False
            for c in range(cnt):
                q = near[c]
                inside = True
                for j in range(d):
                    if not pts[q, j] <= u[j]:
                        inside = False
                        break
                if inside:
                    hit = True
                    break
            if not hit:
                miss += 1
        mf = float(n_samples)
        vol = math.exp(logv)
        value[i] = vol * (float(miss) / mf)
        pt = (float(miss) + 0.5) / (mf + 1.0)
        err[i] = vol * math.sqrt(pt * (1.0 - pt) / mf)


def _pilot_size(n: int) -> int:
    """Pilot samples per estimator (as the C++ core): 2,048, down to 256 for large sets."""
    return min(max((1 << 22) // max(n, 1), 256), 2048)


def _stopping_target(eps: float, delta: float) -> float:
    """Dagum-Karp-Luby-Ross target (the C library's exp and log, as the C++ core)."""
    return 1.0 + (1.0 + eps) * 4.0 * (math.exp(1.0) - 2.0) * math.log(2.0 / delta) / (eps * eps)


def _lattice_alpha(m: int) -> np.ndarray:
    """Roberts' R_m increments phi^-(j+1) mod 1, phi the root of x^(m+1) = x + 1 (C's pow)."""
    phi = 2.0
    for _ in range(60):
        phi -= (math.pow(phi, m + 1) - phi - 1.0) / ((m + 1) * math.pow(phi, m) - 1.0)
    out = np.empty(m)
    g = 1.0
    for j in range(m):
        g /= phi
        out[j] = g - math.floor(g)
    return out


def _moments(s1: float, s2: float, n: int) -> tuple[float, float]:
    mean = s1 / n
    var = max(0.0, (s2 - s1 * mean) / (n - 1)) if n > 1 else 0.0
    return mean, var


_NO_LATTICE = np.empty(0, dtype=np.float64)


def _estimate(pts, ref, n_samples, k0, k1, estimator, set_index, replicates, eps, delta):
    """One set: (value, stderr, sampler used, samples drawn), as the C++ estimate()."""
    fallback = 0 if estimator == -1 else estimator
    pts = pts[(pts < ref).all(axis=1)]
    n, d = pts.shape
    if n and (np.isinf(pts).any() or np.isinf(ref).any()):
        return math.inf, 0.0, fallback, 0
    if n == 0:
        return 0.0, 0.0, fallback, 0
    logv = _log_volumes(pts, ref)
    order = np.argsort(-logv, kind="stable")  # decreasing volume, ties in row order
    pts = np.ascontiguousarray(pts[order])
    cdf, acc = _cumulative(np.ascontiguousarray(logv[order]))
    lo = pts.min(axis=0)
    # The rows in blocks of 8, coordinate-major within a block, padded with +inf rows: by
    # decreasing volume for the box sampler (its first dominating row sets the work), by
    # increasing first coordinate for the union sampler's count (it can stop at a row > u_0).
    blocks = []
    for rows in (pts, pts[np.argsort(pts[:, 0], kind="stable")]):
        pad = np.full((-(-n // 8) * 8, d), np.inf)
        pad[:n] = rows
        blocks.append(np.ascontiguousarray(pad.reshape(-1, 8, d).transpose(0, 2, 1)).ravel())
    log_sum = float(logv[order[0]]) + math.log(acc)
    log_box = 0.0
    for j in range(d):
        log_box += math.log(ref[j] - lo[j])
    base = set_index << 2
    est = estimator
    fpras = eps > 0.0
    target = _stopping_target(eps, delta) if fpras else 0.0

    def run(e, stream, count, shift=_NO_LATTICE, alpha=_NO_LATTICE, until=0.0):
        return _draw(pts, blocks[e], lo, ref, cdf, e, k0, k1, stream, count, until, shift, alpha)

    if est == -1 or fpras:
        m = _pilot_size(n) if fpras else min(_pilot_size(n), n_samples)
        b1, _b2, bw, _ = run(_BOX, base | _PILOT_BOX, m)
        u1, u2, uw, _ = run(_UNION, base | _PILOT_UNION, m)
        ph = (b1 + 0.5) / (m + 1.0)
        mu, vu = _moments(u1, u2, m)
        var_box = math.exp(2.0 * log_box) * ph * (1.0 - ph)
        var_union = math.exp(2.0 * log_sum) * max(vu, 0.25 / (float(m) * m))
        cost_box, cost_union = bw / m + 1.0, uw / m + 1.0
        need_box, need_union = target / ph, target / max(mu, 1.0 / n)
        if est == -1:
            if fpras:
                est = _BOX if need_box * cost_box <= need_union * cost_union else _UNION
            else:
                est = _BOX if var_box * cost_box <= var_union * cost_union else _UNION
    scale = math.exp(log_box if est == _BOX else log_sum)
    if replicates > 0:
        m = d + (0 if est == _BOX else 1)
        alpha = _lattice_alpha(m)
        per = n_samples // replicates
        shift = np.empty(m)
        stream = np.uint64(0x40000000 | set_index)
        reps = []
        for k in range(replicates):
            _uniforms(np.uint64(k0), np.uint64(k1), stream, np.uint64(k), m, shift)
            s1, _s2, _w, _ = run(est, 0, per, shift, alpha)
            reps.append(scale * s1 / per)
        mean = 0.0
        for v in reps:  # in order, as the C++ core adds them
            mean += v
        mean /= replicates
        ss = 0.0
        for v in reps:
            ss += (v - mean) * (v - mean)
        return mean, math.sqrt(ss / (replicates - 1) / replicates), est, per * replicates
    stream = base | (_BOX if est == _BOX else _UNION)
    if fpras:
        s1, s2, _w, drawn = run(est, stream, 0, until=target)
        _mean, var = _moments(s1, s2, drawn)
        return scale * target / drawn, scale * math.sqrt(var / drawn), est, drawn
    s1, s2, _w, _ = run(est, stream, n_samples)
    mean, var = _moments(s1, s2, n_samples)
    return scale * mean, scale * math.sqrt(var / n_samples), est, n_samples


def _seed_key(seed: int) -> tuple[int, int]:
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return seed & 0xFFFFFFFF, seed >> 32


def hv_approx(points, offsets, ref, n_samples, seed, estimator, replicates=0, eps=0.0, delta=0.0):
    """Estimate the hypervolume of each set: (value, stderr, sampler, samples drawn).

    Monte Carlo (replicates 0, eps 0), randomised quasi-Monte Carlo (replicates > 1) or the
    (eps, delta) stopping rule; the sampler used is 0 (box) or 1 (union). ``estimator`` -1
    chooses per set by a pilot of each sampler.
    """
    n_samples, replicates, estimator = int(n_samples), int(replicates), int(estimator)
    eps, delta = float(eps), float(delta)
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    if replicates < 0 or replicates == 1 or (replicates > 0 and n_samples // replicates < 1):
        raise ValueError("replicates must be 0 (Monte Carlo) or 2 to n_samples")
    # The C++ core's further checks: a bad epsilon or delta would sample forever here.
    if estimator < -1 or estimator > 1:
        raise ValueError("unknown estimator")
    if eps != 0.0 and not (0.0 < eps < 1.0 and 0.0 < delta < 1.0):
        raise ValueError("epsilon and delta must lie in (0, 1)")
    if eps > 0.0 and replicates > 0:
        raise ValueError("fpras takes no replicates")
    points = np.ascontiguousarray(points, dtype=np.float64)
    ref = np.ascontiguousarray(ref, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    k0, k1 = _seed_key(seed)
    nsets = len(offsets) - 1
    value, err = np.empty(nsets), np.empty(nsets)
    used, drawn = np.empty(nsets, dtype=np.int32), np.empty(nsets, dtype=np.int64)
    for s in range(nsets):
        rows = points[offsets[s] : offsets[s + 1]]
        value[s], err[s], used[s], drawn[s] = _estimate(
            rows, ref, n_samples, k0, k1, estimator, s, replicates, eps, delta
        )
    return value, err, used, drawn


def hvc_approx(points, offsets, ref, n_samples, seed):
    """Monte Carlo exclusive contribution of every row: (value, stderr), in the rows' order."""
    n_samples = int(n_samples)
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    points = np.ascontiguousarray(points, dtype=np.float64)
    ref = np.ascontiguousarray(ref, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    k0, k1 = _seed_key(seed)
    value, err = np.zeros(len(points)), np.zeros(len(points))
    for s in range(len(offsets) - 1):
        a, b = int(offsets[s]), int(offsets[s + 1])
        rows = points[a:b]
        counted = np.flatnonzero((rows < ref).all(axis=1))
        if len(counted) and (np.isinf(rows[counted]).any() or np.isinf(ref).any()):
            raise ValueError("hvc_approx needs finite points and reference point")
        if len(counted) == 0:
            continue
        v, e = np.zeros(len(counted)), np.zeros(len(counted))
        _contributions(
            np.ascontiguousarray(rows[counted]), ref, n_samples, k0, k1, 0x80000000 | s, v, e
        )
        value[a + counted], err[a + counted] = v, e
    return value, err
