"""The Monte Carlo hypervolume on the GPU: the array work around the kernels of cuda/hv_mc.cu.

Written once against an array module ``xp`` and a set of kernels: CuPy with the CUDA kernels,
or NumPy with their host replicas (``_core.cuda_logic_*``), which the tests run on machines
without a GPU, so this code and the kernels' per-sample logic are checked everywhere. The steps
are the CPU estimator's (cpp/src/hv_mc.cpp): the counted rows of each set, sorted by decreasing
box volume; the pilot that picks the sampler; the main run or the QMC replicates; the same
formulas for the estimate and its standard error.
"""

from __future__ import annotations

import numpy as np

from . import _backend

THREADS = 128  # kMcThreads of cuda/hv_mc.hpp
MAX_D = 64  # kMcMaxD


def blocks_for(count: int, cap: int) -> int:
    """Blocks per (set, replicate): about 16 samples a thread, at most ``cap`` blocks."""
    return int(min(max(-(-count // (THREADS * 16)), 1), cap))


class HostKernels:
    """The host replicas of the kernels, on NumPy arrays (for tests)."""

    xp = np

    def __init__(self) -> None:
        core = _backend.core_module()
        assert core is not None
        self.core = core

    def prepare(self, pts, off, ref):
        return self.core.cuda_logic_mc_prepare(pts, off, ref)

    def sums(self, pts, off, ref, lo, cdf, count, est, seed, kind, replicates, blocks):
        return self.core.cuda_logic_mc_sums(
            pts, off, ref, lo, cdf, count, est, seed, kind, replicates, blocks
        )

    def hvc(self, pts, off, row_set, ref, seed, n_samples, blocks):
        return self.core.cuda_logic_hvc(pts, off, row_set, ref, seed, n_samples)


class DeviceKernels:
    """The CUDA kernels, on CuPy arrays, queued on the current stream."""

    def __init__(self) -> None:
        import cupy

        self.xp = cupy
        mod = _backend.cuda_module()
        assert mod is not None
        self.mod = mod

    def _stream(self) -> int:
        return int(self.xp.cuda.get_current_stream().ptr)

    def prepare(self, pts, off, ref):
        cp = self.xp
        nsets, d = len(off) - 1, pts.shape[1]
        lo, cdf = cp.zeros((nsets, d)), cp.empty(len(pts))
        log_box, log_sum = cp.zeros(nsets), cp.zeros(nsets)
        self.mod.mc_prepare(
            pts.data.ptr, off.data.ptr, nsets, d, ref.data.ptr, lo.data.ptr, cdf.data.ptr,
            log_box.data.ptr, log_sum.data.ptr, self._stream(),
        )  # fmt: skip
        return lo, cdf, log_box, log_sum

    def sums(self, pts, off, ref, lo, cdf, count, est, seed, kind, replicates, blocks):
        cp = self.xp
        nsets = len(off) - 1
        part = cp.empty(nsets * replicates * blocks * 3)
        out = cp.empty((nsets * replicates, 3))
        self.mod.mc_sums(
            pts.data.ptr, off.data.ptr, nsets, pts.shape[1], ref.data.ptr, lo.data.ptr,
            cdf.data.ptr, count.data.ptr, est.data.ptr, seed, kind, replicates, blocks,
            part.data.ptr, out.data.ptr, self._stream(),
        )  # fmt: skip
        return out

    def hvc(self, pts, off, row_set, ref, seed, n_samples, blocks):
        cp = self.xp
        n, d = pts.shape
        hi, logv = cp.empty((n, d)), cp.empty(n)
        miss = cp.zeros(n, dtype=cp.int64)
        self.mod.hvc(
            pts.data.ptr, off.data.ptr, row_set.data.ptr, n, d, ref.data.ptr, seed, n_samples,
            blocks, hi.data.ptr, logv.data.ptr, miss.data.ptr, self._stream(),
        )  # fmt: skip
        return hi, logv, miss


def _counted(k, data, offsets: np.ndarray, ref: np.ndarray, by_volume: bool):
    """Select the counted rows of the sets without an infinite one, grouped by set.

    Rows are in input order, or by decreasing box volume (ties by row). Returns them, their set
    labels, offsets and counts, the sets with an infinite counted row (all of them with an
    infinite ref), ref as an ``xp`` array, and the rows' indices in ``data``.
    """
    xp = k.xp
    nsets = len(offsets) - 1
    set_id = xp.asarray(np.repeat(np.arange(nsets, dtype=np.int64), np.diff(offsets)))
    r = xp.asarray(ref)
    counted = (data < r).all(axis=1)
    bad = counted & xp.isinf(data).any(axis=1)
    infinite = xp.bincount(set_id[bad], minlength=nsets) > 0
    if np.isinf(ref).any():
        infinite = xp.bincount(set_id[counted], minlength=nsets) > 0
    keep = xp.flatnonzero(counted & ~infinite[set_id])
    if by_volume:
        logv = xp.log(r - data[keep]).sum(axis=1)
        keep = keep[xp.lexsort(xp.stack([keep.astype(np.float64), -logv, set_id[keep] * 1.0]))]
    pts, sid = xp.ascontiguousarray(data[keep]), xp.ascontiguousarray(set_id[keep])
    counts = xp.bincount(sid, minlength=nsets).astype(np.int64)
    off = xp.concatenate([xp.zeros(1, dtype=np.int64), xp.cumsum(counts)])
    return pts, sid, off, counts, infinite, r, keep


def _moments(s1, s2, n, xp):
    mean = s1 / n
    var = xp.where(n > 1, xp.maximum(0.0, (s2 - s1 * mean) / xp.maximum(n - 1, 1)), 0.0)
    return mean, var


def pilot_size(n, xp):
    """Pilot samples per estimator (as the C++ core): 2,048, down to 256 for large sets."""
    return xp.clip((1 << 22) // xp.maximum(n, 1), 256, 2048)


def hv_approx(k, data, offsets, ref, n_samples, seed, estimator, replicates):
    """(value, stderr, sampler used) of every set, as arrays of ``k.xp``."""
    xp = k.xp
    pts, _sid, off, counts, infinite, r, _rows = _counted(k, data, offsets, ref, True)
    nsets = len(offsets) - 1
    live = counts > 0
    lo, cdf, log_box, log_sum = k.prepare(pts, off, r)
    fallback = 0 if estimator == -1 else estimator
    est = xp.full(nsets, fallback, dtype=np.int32)
    if estimator == -1:
        m = xp.where(live, xp.minimum(pilot_size(counts, xp), n_samples), 0)
        mm = xp.maximum(m, 1).astype(np.float64)
        blocks = blocks_for(int(m.max()) if nsets else 1, 2048)
        sb = k.sums(pts, off, r, lo, cdf, m, xp.zeros(nsets, np.int32), seed, 2, 1, blocks)
        su = k.sums(pts, off, r, lo, cdf, m, xp.ones(nsets, np.int32), seed, 2, 1, blocks)
        ph = (sb[:, 0] + 0.5) / (mm + 1.0)
        _mu, vu = _moments(su[:, 0], su[:, 1], mm, xp)
        var_box = xp.exp(2.0 * log_box) * ph * (1.0 - ph)
        var_union = xp.exp(2.0 * log_sum) * xp.maximum(vu, 0.25 / (mm * mm))
        cost_box, cost_union = sb[:, 2] / mm + 1.0, su[:, 2] / mm + 1.0
        est = xp.where(var_box * cost_box <= var_union * cost_union, 0, 1)
        est = xp.where(live, est, fallback).astype(np.int32)
    scale = xp.exp(xp.where(est == 0, log_box, log_sum))
    if replicates > 0:
        per = n_samples // replicates
        count = xp.where(live, per, 0).astype(np.int64)
        out = k.sums(pts, off, r, lo, cdf, count, est, seed, 0, replicates, blocks_for(per, 2048))
        s1 = out[:, 0].reshape(nsets, replicates)
        rep = scale[:, None] * s1 / per
        mean = xp.zeros(nsets)
        for j in range(replicates):  # in order, as the CPU adds them
            mean = mean + rep[:, j]
        mean = mean / replicates
        ss = xp.zeros(nsets)
        for j in range(replicates):
            ss = ss + (rep[:, j] - mean) * (rep[:, j] - mean)
        value, err = mean, xp.sqrt(ss / (replicates - 1) / replicates)
    else:
        count = xp.where(live, n_samples, 0).astype(np.int64)
        out = k.sums(pts, off, r, lo, cdf, count, est, seed, 0, 1, blocks_for(n_samples, 2048))
        mean, var = _moments(out[:, 0], out[:, 1], float(n_samples), xp)
        value, err = scale * mean, scale * xp.sqrt(var / n_samples)
    value = xp.where(infinite, np.inf, xp.where(live, value, 0.0))
    err = xp.where(live, err, 0.0)
    return value, err, est


def hvc_approx(k, data, offsets, ref, n_samples, seed):
    """(value, stderr) of every row's exclusive contribution, as arrays of ``k.xp``."""
    xp = k.xp
    # Counted rows in input order within each set: the CPU's counter numbers them so.
    pts, sid, off, _counts, infinite, r, rows = _counted(k, data, offsets, ref, False)
    if bool(infinite.any()):
        raise ValueError("hvc_approx needs finite points and reference point")
    _hi, logv, miss = k.hvc(pts, off, sid, r, seed, n_samples, blocks_for(n_samples, 64))
    m = float(n_samples)
    empty = xp.isinf(logv)
    vol = xp.exp(xp.where(empty, 0.0, logv))
    pt = (miss + 0.5) / (m + 1.0)
    value = xp.zeros(len(data))
    err = xp.zeros(len(data))
    value[rows] = xp.where(empty, 0.0, vol * (miss / m))
    err[rows] = xp.where(empty, 0.0, vol * xp.sqrt(pt * (1.0 - pt) / m))
    return value, err
