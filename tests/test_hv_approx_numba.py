"""numba Monte Carlo fallback: the same estimates as the C++ core and the NumPy fallback."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

import frontierkit as fk  # noqa: E402
from frontierkit._backend import core_module  # noqa: E402
from frontierkit._fallback import numba_mc, numpy_mc  # noqa: E402

CORE = core_module()
needs_core = pytest.mark.skipif(CORE is None, reason="the compiled core is not built")

# Monte Carlo, quasi-Monte Carlo (16 replicates) and the (eps, delta) stopping rule.
MODES = [(0, 0.0, 0.0), (16, 0.0, 0.0), (0, 0.05, 0.1)]
N_SAMPLES = 3000  # more than one chunk of 2,048


def random_set(d, n, seed):
    """Points near a front (some dominated), with a little of everything the samplers meet."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x *= rng.uniform(1.0, 1.3, (n, 1))
    return np.ascontiguousarray(x), np.full(d, 1.2)


def batch():
    """Several sets with offsets: rows outside ref, duplicates, an empty set, an infinite row."""
    rng = np.random.default_rng(9)
    d = 3
    a = rng.random((25, d))
    b = np.vstack([rng.random((10, d)), [[2.0, 0.1, 0.1]], rng.random((5, d)) + 1.05])
    c = np.vstack([a[:6], a[:6], a[2:3]])  # duplicates
    e = np.empty((0, d))
    f = np.vstack([rng.random((4, d)), [[-np.inf, 0.5, 0.5]]])  # counted: infinite volume
    g = np.vstack([rng.random((4, d)), [[np.inf, 0.5, 0.5]]])  # not counted: finite
    h = np.full((3, d), 1.1)  # on ref: not counted
    sets = [a, b, c, e, f, g, h, rng.random((1, d))]
    off = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    return np.vstack(sets), off, np.full(d, 1.1)


def same(got, want, used):
    """Box sampler: identical; union sampler and lattices: within 1e-12."""
    value, err, u, drawn = got
    np.testing.assert_array_equal(u, want[2])
    np.testing.assert_array_equal(drawn, want[3])
    if used is not None:
        np.testing.assert_array_equal(u, used)
    for k, (x, y) in enumerate(zip((value, err), want[:2])):
        exact = u == 0
        np.testing.assert_array_equal(x[exact], y[exact], err_msg=f"box, output {k}")
        np.testing.assert_allclose(x[~exact], y[~exact], rtol=1e-12, atol=0, err_msg=str(k))


def check(pts, off, ref, seed, against_numpy):
    for estimator in (-1, 0, 1):
        for reps, eps, delta in MODES:
            args = (pts, off, ref, N_SAMPLES, seed, estimator, reps, eps, delta)
            got = numba_mc.hv_approx(*args)
            assert got[0].dtype == np.float64 and got[1].dtype == np.float64
            assert got[2].dtype == np.int32 and got[3].dtype == np.int64
            want_used = None if estimator == -1 else np.full(len(off) - 1, estimator)
            if CORE is not None:
                same(got, CORE.hv_approx(*args, 0), want_used)
            if against_numpy:
                want = numpy_mc.hv_approx(*args)
                for k in range(4):
                    np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=0)
                box = got[2] == 0
                np.testing.assert_array_equal(got[0][box], want[0][box])


@needs_core
@pytest.mark.parametrize("d", range(2, 8))
def test_matches_core(d):
    for n, seed in [(1, 0), (2, 1), (13, 2), (70, 3), (300, 2**63 + 5)]:
        pts, ref = random_set(d, n, seed + d)
        check(pts, np.array([0, n], dtype=np.int64), ref, seed, against_numpy=False)


@pytest.mark.parametrize("d,n", [(2, 1), (3, 9), (4, 40), (6, 25), (7, 12)])
def test_matches_numpy_fallback(d, n):
    pts, ref = random_set(d, n, 40 + d)
    check(pts, np.array([0, n], dtype=np.int64), ref, 123, against_numpy=True)


def test_batch_with_offsets_and_edges():
    pts, off, ref = batch()
    check(pts, off, ref, 77, against_numpy=True)
    value, err, used, drawn = numba_mc.hv_approx(pts, off, ref, 1000, 1, -1)
    assert value[3] == 0.0 and value[6] == 0.0 and drawn[3] == drawn[6] == 0
    assert value[4] == np.inf and err[4] == 0.0 and drawn[4] == 0
    assert np.isfinite(value[5]) and value[5] > 0
    assert value[7] > 0 and err[7] == 0.0  # one box: exact
    # An infinite reference coordinate: every set with a counted row is infinite.
    r = ref.copy()
    r[1] = np.inf
    got = numba_mc.hv_approx(pts, off, r, 1000, 1, 0)
    if CORE is not None:
        same(got, CORE.hv_approx(pts, off, r, 1000, 1, 0, 0, 0.0, 0.0, 0), None)
    assert got[0][0] == np.inf and got[0][3] == 0.0


def check_contributions(pts, off, ref, n_samples, seed, against_numpy=True):
    got = numba_mc.hvc_approx(pts, off, ref, n_samples, seed)
    wants = [CORE.hvc_approx(pts, off, ref, n_samples, seed, 0)] if CORE is not None else []
    if against_numpy:
        wants.append(numpy_mc.hvc_approx(pts, off, ref, n_samples, seed))
    for want in wants:
        for x, y in zip(got, want):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=0)
    return got


@pytest.mark.parametrize("d", range(2, 8))
def test_contributions_match(d):
    for n, seed in [(1, 0), (6, 1), (40, 2)]:
        pts, ref = random_set(d, n, 70 + d + n)
        check_contributions(pts, np.array([0, n], dtype=np.int64), ref, 600, seed, n <= 6)
    if CORE is not None:
        pts, ref = random_set(d, 300, 80 + d)
        check_contributions(pts, np.array([0, 300], dtype=np.int64), ref, 200, 5, False)


def test_contributions_batch():
    pts, off, ref = batch()
    keep = np.ones(len(pts), dtype=bool)
    keep[off[4] : off[5]] = False  # the set with a counted infinite row is an error
    sizes = [int(keep[off[s] : off[s + 1]].sum()) for s in range(len(off) - 1)]
    off2 = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    value, err = check_contributions(pts[keep], off2, ref, 1500, 3)
    rows = pts[keep]
    outside = ~(rows < ref).all(axis=1)
    assert (value[outside] == 0).all() and (err[outside] == 0).all()
    dup = slice(off2[2], off2[3])  # every row of the duplicated set has a copy: nothing exclusive
    assert (value[dup] == 0).all()
    with pytest.raises(ValueError, match="hvc_approx needs finite points and reference point"):
        numba_mc.hvc_approx(pts, off, ref, 100, 0)


def test_errors_as_numpy_fallback():
    pts, ref = random_set(3, 5, 0)
    off = np.array([0, 5], dtype=np.int64)
    for mod in (numba_mc, numpy_mc):
        with pytest.raises(ValueError, match="n_samples must be at least 2"):
            mod.hv_approx(pts, off, ref, 1, 0, -1)
        with pytest.raises(ValueError, match="n_samples must be at least 2"):
            mod.hvc_approx(pts, off, ref, 1, 0)
        for reps, n in [(1, 100), (-2, 100), (11, 10)]:
            with pytest.raises(ValueError, match=r"replicates must be 0 \(Monte Carlo\) or 2 to"):
                mod.hv_approx(pts, off, ref, n, 0, -1, reps)
    # Checks of the C++ core that numpy_mc leaves to its caller (it would loop for ever on some).
    for args, msg in [
        ((2, 0, 0.0, 0.0), "unknown estimator"),
        ((-1, 0, 0.1, 0.0), "epsilon and delta must lie in"),
        ((-1, 0, 1.5, 0.1), "epsilon and delta must lie in"),
        ((-1, 4, 0.1, 0.1), "fpras takes no replicates"),
    ]:
        with pytest.raises(ValueError, match=msg):
            numba_mc.hv_approx(pts, off, ref, 100, 0, *args)
        if CORE is not None:
            with pytest.raises(ValueError, match=msg):
                CORE.hv_approx(pts, off, ref, 100, 0, *args, 0)


@pytest.mark.parametrize("method", ["mc", "qmc", "fpras"])
def test_public_api_on_the_numba_backend(method, monkeypatch):
    rng = np.random.default_rng(21)
    pts = rng.random((80, 5))
    labels = rng.integers(0, 3, size=80)
    want = fk.hv_approx(pts, 1.05, n_samples=4000, seed=6, method=method, sets=labels)
    wantc = fk.hvc_approx(pts, 1.05, n_samples=1000, seed=6, sets=labels)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numba")
    got = fk.hv_approx(pts, 1.05, n_samples=4000, seed=6, method=method, sets=labels)
    gotc = fk.hvc_approx(pts, 1.05, n_samples=1000, seed=6, sets=labels)
    np.testing.assert_array_equal(got.sampler, want.sampler)
    np.testing.assert_allclose(got.value, want.value, rtol=1e-12)
    np.testing.assert_array_equal(got.n_samples, want.n_samples)
    np.testing.assert_allclose(gotc.value, wantc.value, rtol=1e-12)
