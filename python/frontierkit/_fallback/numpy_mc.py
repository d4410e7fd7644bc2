"""NumPy fallback of the Monte Carlo hypervolume (cpp/src/hv_mc.cpp).

The same Philox4x32-10 stream, the same samplers, the same chunks and the same pilot, vectorised
over the samples of a chunk: the estimates equal the C++ core's up to the rounding of the union
sampler's sums (the box sampler's counts are exact).
"""

from __future__ import annotations

import numpy as np

__all__ = ["hv_approx", "hvc_approx", "philox_uniforms"]

_CHUNK = 2048


def _pilot_size(n: int) -> int:
    """Pilot samples per estimator (as the C++ core): 2,048, down to 256 for large sets."""
    return min(max((1 << 22) // max(n, 1), 256), 2048)


_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
BOX, UNION, PILOT_BOX, PILOT_UNION = 0, 1, 2, 3


def _philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 on arrays of counters (uint32), one key."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint32) for c in (c0, c1, c2, c3))
    k0, k1 = np.uint32(k0), np.uint32(k1)
    for _ in range(10):
        p0 = c0.astype(np.uint64) * _M0
        p1 = c2.astype(np.uint64) * _M1
        hi0, lo0 = (p0 >> np.uint64(32)).astype(np.uint32), (p0 & _MASK32).astype(np.uint32)
        hi1, lo1 = (p1 >> np.uint64(32)).astype(np.uint32), (p1 & _MASK32).astype(np.uint32)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        with np.errstate(over="ignore"):
            k0 = np.uint32(k0 + _W0)
            k1 = np.uint32(k1 + _W1)
    return c0, c1, c2, c3


def _u01(hi, lo):
    b = ((hi.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)) >> np.uint64(11)
    return (b.astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def philox_uniforms(seed: int, stream: int, first: int, count: int, m: int) -> np.ndarray:
    """Uniforms of samples first .. first + count - 1 of a stream: shape (count, m)."""
    i = np.arange(first, first + count, dtype=np.uint64)
    lo_i, hi_i = (i & _MASK32).astype(np.uint32), (i >> np.uint64(32)).astype(np.uint32)
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    out = np.empty((count, m))
    for j in range((m + 1) // 2):
        r = _philox(
            lo_i, hi_i, np.full(count, j, np.uint32), np.full(count, stream, np.uint32), k0, k1
        )
        out[:, 2 * j] = _u01(r[0], r[1])
        if 2 * j + 1 < m:
            out[:, 2 * j + 1] = _u01(r[2], r[3])
    return out


class _Set:
    def __init__(self, pts: np.ndarray, ref: np.ndarray):
        logv = np.log(ref - pts).sum(axis=1)
        order = np.argsort(-logv, kind="stable")
        self.pts = pts[order]
        self.ref = ref
        self.lo = pts.min(axis=0)
        w = np.cumsum(np.exp(logv[order] - logv[order[0]]))
        self.log_sum = logv[order[0]] + np.log(w[-1])
        self.cdf = w / w[-1]
        self.cdf[-1] = 1.0
        self.log_box = float(np.log(ref - self.lo).sum())

    def values(self, est: int, seed: int, stream: int, a: int, b: int, lattice=None):
        """Return samples a .. b - 1 of the estimator (0/1 box, 1/c union) and the work done."""
        n, d = self.pts.shape
        m = d + (0 if est == BOX else 1)
        if lattice is None:
            rnd = philox_uniforms(seed, stream, a, b - a, m)
        else:
            shift, alpha = lattice
            t = shift + np.arange(a, b, dtype=np.float64)[:, None] * alpha
            rnd = t - np.floor(t)
        if est == BOX:
            u = self.lo + (self.ref - self.lo) * rnd
            dom = (self.pts[None, :, :] <= u[:, None, :]).all(axis=2)  # (samples, points)
            hit = dom.any(axis=1)
            first = np.where(hit, dom.argmax(axis=1), n)
            # Examined points as the C++ counts them: up to the first hit's block of 8.
            blocks = (n + 7) // 8
            work = np.where(hit, (first // 8 + 1) * 8, blocks * 8).sum()
            return hit.astype(float), float(work)
        k = np.minimum(np.searchsorted(self.cdf, rnd[:, 0], side="left"), n - 1)
        p = self.pts[k]
        u = p + (self.ref - p) * rnd[:, 1:]
        c = (self.pts[None, :, :] <= u[:, None, :]).all(axis=2).sum(axis=1)
        return 1.0 / np.maximum(c, 1).astype(float), float(n * (b - a))

    def chunk(self, est: int, seed: int, stream: int, a: int, b: int, lattice=None):
        z, work = self.values(est, seed, stream, a, b, lattice)
        return float(z.sum()), float((z * z).sum()), work

    def run(self, est: int, seed: int, stream: int, samples: int, lattice=None):
        s1 = s2 = work = 0.0
        for a in range(0, samples, _CHUNK):
            c1, c2, w = self.chunk(est, seed, stream, a, min(samples, a + _CHUNK), lattice)
            s1, s2, work = s1 + c1, s2 + c2, work + w
        return s1, s2, work


def _moments(s1: float, s2: float, n: int) -> tuple[float, float]:
    mean = s1 / n
    var = max(0.0, (s2 - s1 * mean) / (n - 1)) if n > 1 else 0.0
    return mean, var


def stopping_target(eps: float, delta: float) -> float:
    """Dagum-Karp-Luby-Ross stopping-rule target (as the C++ core)."""
    return 1.0 + (1.0 + eps) * 4.0 * (np.exp(1.0) - 2.0) * np.log(2.0 / delta) / (eps * eps)


def _run_until(st: _Set, est: int, seed: int, stream: int, target: float):
    """Sample until the running sum (chunk sums added in order) reaches target: (s1, s2, N).

    Within a chunk the sums are sequential (``cumsum``), as the C++ core adds them, so the chunk
    test and the search inside the crossing chunk agree.
    """
    s1 = s2 = 0.0
    a = 0
    while True:
        z = st.values(est, seed, stream, a, a + _CHUNK)[0]
        c1, c2 = np.cumsum(z), np.cumsum(z * z)
        if s1 + c1[-1] >= target:
            i = int(np.argmax(s1 + c1 >= target))
            return s1 + c1[i], s2 + c2[i], a + i + 1
        s1, s2 = s1 + c1[-1], s2 + c2[-1]
        a += _CHUNK


def lattice_alpha(m: int) -> np.ndarray:
    """Roberts' R_m increments: phi^-(j+1) mod 1, phi the root of x^(m+1) = x + 1 (as C++)."""
    phi = 2.0
    for _ in range(60):
        phi -= (phi ** (m + 1) - phi - 1.0) / ((m + 1) * phi**m - 1.0)
    out = np.empty(m)
    g = 1.0
    for j in range(m):
        g /= phi
        out[j] = g - np.floor(g)
    return out


def _estimate(pts, ref, n_samples, seed, estimator, set_index, replicates=0, eps=0.0, delta=0.0):
    fallback = 0 if estimator == -1 else estimator
    counted = (pts < ref).all(axis=1)
    pts = pts[counted]
    if len(pts) and (np.isinf(pts).any() or np.isinf(ref).any()):
        return np.inf, 0.0, fallback, 0
    if len(pts) == 0:
        return 0.0, 0.0, fallback, 0
    st = _Set(pts, ref)
    base = set_index << 2
    est = estimator
    fpras = eps > 0.0
    target = stopping_target(eps, delta) if fpras else 0.0
    if est == -1 or fpras:
        m = _pilot_size(len(pts)) if fpras else min(_pilot_size(len(pts)), n_samples)
        b1, _b2, bw = st.run(BOX, seed, base | PILOT_BOX, m)
        u1, u2, uw = st.run(UNION, seed, base | PILOT_UNION, m)
        ph = (b1 + 0.5) / (m + 1.0)
        mu, vu = _moments(u1, u2, m)
        var_box = np.exp(2.0 * st.log_box) * ph * (1.0 - ph)
        var_union = np.exp(2.0 * st.log_sum) * max(vu, 0.25 / (m * m))
        cost_box, cost_union = bw / m + 1.0, uw / m + 1.0
        need_box, need_union = target / ph, target / max(mu, 1.0 / len(pts))
        if est == -1:
            if fpras:
                est = BOX if need_box * cost_box <= need_union * cost_union else UNION
            else:
                est = BOX if var_box * cost_box <= var_union * cost_union else UNION
    scale = np.exp(st.log_box if est == BOX else st.log_sum)
    if replicates > 0:
        m = pts.shape[1] + (0 if est == BOX else 1)
        alpha = lattice_alpha(m)
        per = n_samples // replicates
        reps = []
        for k in range(replicates):
            shift = philox_uniforms(seed, 0x40000000 | set_index, k, 1, m)[0]
            s1, _s2, _w = st.run(est, seed, 0, per, (shift, alpha))
            reps.append(scale * s1 / per)
        mean = 0.0
        for v in reps:  # in order, as C++ adds them
            mean += v
        mean /= replicates
        ss = 0.0
        for v in reps:
            ss += (v - mean) * (v - mean)
        return mean, float(np.sqrt(ss / (replicates - 1) / replicates)), est, per * replicates
    stream = base | (BOX if est == BOX else UNION)
    if fpras:
        s1, s2, drawn = _run_until(st, est, seed, stream, target)
        _mean, var = _moments(s1, s2, drawn)
        return scale * target / drawn, scale * np.sqrt(var / drawn), est, drawn
    s1, s2, _w = st.run(est, seed, stream, n_samples)
    mean, var = _moments(s1, s2, n_samples)
    return scale * mean, scale * np.sqrt(var / n_samples), est, n_samples


def hv_approx(points, offsets, ref, n_samples, seed, estimator, replicates=0, eps=0.0, delta=0.0):
    """Estimate the hypervolume of each set: (value, stderr, sampler, samples drawn).

    Monte Carlo (replicates 0, eps 0), randomised quasi-Monte Carlo (replicates > 1) or the
    (eps, delta) stopping rule; the sampler used is 0 (box) or 1 (union).
    """
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    if replicates < 0 or replicates == 1 or (replicates > 0 and n_samples // replicates < 1):
        raise ValueError("replicates must be 0 (Monte Carlo) or 2 to n_samples")
    if estimator not in (-1, 0, 1):
        raise ValueError("unknown estimator")
    if eps != 0.0 and not (0.0 < eps < 1.0 and 0.0 < delta < 1.0):
        raise ValueError("epsilon and delta must lie in (0, 1)")
    if eps > 0.0 and replicates > 0:
        raise ValueError("fpras takes no replicates")
    nsets = len(offsets) - 1
    value, err, used = np.empty(nsets), np.empty(nsets), np.empty(nsets, dtype=np.int32)
    drawn = np.empty(nsets, dtype=np.int64)
    for s in range(nsets):
        value[s], err[s], used[s], drawn[s] = _estimate(
            points[offsets[s] : offsets[s + 1]],
            ref,
            n_samples,
            seed,
            estimator,
            s,
            replicates,
            eps,
            delta,
        )
    return value, err, used, drawn


def _contributions(pts, ref, n_samples, seed, set_index):
    n, d = pts.shape
    value, err = np.zeros(n), np.zeros(n)
    stream = 0x80000000 | set_index
    for i in range(n):
        p = pts[i]
        others = np.delete(pts, i, axis=0)
        worse = others > p
        if (worse.sum(axis=1) == 0).any():  # weakly dominated by another row
            continue
        hi = ref.copy()
        one = worse.sum(axis=1) == 1
        if one.any():
            at = worse[one].argmax(axis=1)
            np.minimum.at(hi, at, others[one][np.arange(one.sum()), at])
        if not (hi > p).all():
            continue
        logv = float(np.log(hi - p).sum())
        u = p + (hi - p) * philox_uniforms(seed, stream, (i << 32) | 0, n_samples, d)
        miss = 0
        for a in range(0, n_samples, _CHUNK):
            dom = (others[None, :, :] <= u[a : a + _CHUNK, None, :]).all(axis=2).any(axis=1)
            miss += int((~dom).sum())
        vol = np.exp(logv)
        value[i] = vol * (miss / n_samples)
        pt = (miss + 0.5) / (n_samples + 1.0)
        err[i] = vol * np.sqrt(pt * (1.0 - pt) / n_samples)
    return value, err


def hvc_approx(points, offsets, ref, n_samples, seed):
    """Monte Carlo exclusive contribution of every row: (value, stderr), in the rows' order."""
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    value, err = np.zeros(len(points)), np.zeros(len(points))
    for s in range(len(offsets) - 1):
        a, b = offsets[s], offsets[s + 1]
        rows = points[a:b]
        counted = np.flatnonzero((rows < ref).all(axis=1))
        if len(counted) and (np.isinf(rows[counted]).any() or np.isinf(ref).any()):
            raise ValueError("hvc_approx needs finite points and reference point")
        v, e = _contributions(rows[counted], ref, n_samples, seed, s)
        value[a + counted], err[a + counted] = v, e
    return value, err
