"""Monte Carlo hypervolume: calibration against the exact volume, reproducibility, backends."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk
from frontierkit._backend import core_module
from frontierkit._fallback import numpy_mc
from reference import hv_inclusion_exclusion

SAMPLERS = {"auto": -1, "box": 0, "union": 1}


@pytest.mark.parametrize(
    "sampler,method", [("auto", "mc"), ("box", "mc"), ("union", "mc"), ("auto", "qmc")]
)
def test_95_percent_intervals_cover_the_exact_volume(sampler, method):
    """400 seeds per dimension d = 2..8: the 95% interval holds the exact volume in 93-97% of
    all 2,800 estimates, and in every dimension within the 99.9% binomial band of 400 trials
    (0.91-0.99). For qmc the interval comes from 16 replicates (Student's t)."""
    per_d = []
    for d in range(2, 9):
        rng = np.random.default_rng(100 + d)
        pts = rng.random((20, d))
        ref = np.ones(d)
        exact = fk.hypervolume(pts, ref)
        hits = 0
        for seed in range(400):
            est = fk.hv_approx(pts, ref, n_samples=4000, seed=seed, sampler=sampler, method=method)
            lo, hi = est.ci(0.95)
            hits += lo <= exact <= hi
        per_d.append(hits / 400)
    assert all(0.91 <= c <= 0.99 for c in per_d), per_d
    assert 0.93 <= np.mean(per_d) <= 0.97, per_d


def test_unbiased_against_inclusion_exclusion():
    """The mean of many independent estimates converges on the exact volume (an independent
    reference: inclusion-exclusion over the boxes)."""
    rng = np.random.default_rng(5)
    pts = rng.random((8, 4))
    ref = np.full(4, 1.2)
    exact = hv_inclusion_exclusion(pts, ref)
    for sampler in ("box", "union"):
        est = [fk.hv_approx(pts, ref, n_samples=20_000, seed=s, sampler=sampler) for s in range(30)]
        mean = np.mean([e.value for e in est])
        se = np.sqrt(np.sum([e.stderr**2 for e in est])) / len(est)
        assert abs(mean - exact) <= 4 * se, (sampler, mean, exact, se)


def test_same_seed_same_estimate_on_any_thread_count():
    core = core_module()
    rng = np.random.default_rng(2)
    pts = rng.random((500, 6))
    off = np.array([0, 500], dtype=np.int64)
    ref = np.full(6, 1.1)
    for est in (0, 1):
        runs = [
            core.hv_approx(pts, off, ref, 50_000, 99, est, 0, 0.0, 0.0, t) for t in (1, 2, 3, 0)
        ]
        for r in runs[1:]:
            np.testing.assert_array_equal(r[0], runs[0][0])
            np.testing.assert_array_equal(r[1], runs[0][1])
    a = fk.hv_approx(pts, ref, seed=7)
    b = fk.hv_approx(pts, ref, seed=7)
    assert a == b
    c = fk.hv_approx(pts, ref, seed=8)
    assert c.value != a.value
    drawn = fk.hv_approx(pts, ref)  # a seed is drawn, and reported
    assert fk.hv_approx(pts, ref, seed=drawn.seed) == drawn


@pytest.mark.parametrize("method", ["mc", "qmc"])
@pytest.mark.parametrize("sampler", ["auto", "box", "union"])
def test_numpy_fallback_draws_the_same_samples(sampler, method, monkeypatch):
    rng = np.random.default_rng(3)
    pts = rng.random((60, 5))
    ref = np.full(5, 1.05)
    want = fk.hv_approx(pts, ref, n_samples=6000, seed=11, sampler=sampler, method=method)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numpy")
    got = fk.hv_approx(pts, ref, n_samples=6000, seed=11, sampler=sampler, method=method)
    assert got.sampler == want.sampler
    np.testing.assert_allclose(got.value, want.value, rtol=1e-13)
    np.testing.assert_allclose(got.stderr, want.stderr, rtol=1e-10)
    # The generator itself: two doubles per Philox call, in (0, 1), the same in both.
    u = numpy_mc.philox_uniforms(2**40 + 3, 5, 2**33, 1000, 3)
    assert u.shape == (1000, 3) and (u > 0).all() and (u < 1).all()
    assert abs(u.mean() - 0.5) < 0.02


def test_exact_cases_and_edges():
    # One point: its box is the bounding box (every box sample hits) and the union (every union
    # sample lies in exactly one box): exact either way, with zero error.
    for sampler in ("auto", "box", "union"):
        e = fk.hv_approx([[1.0, 2.0, 0.5]], ref=[3, 3, 3], seed=0, sampler=sampler)
        assert e.value == pytest.approx(2 * 1 * 2.5, rel=1e-14) and e.stderr == 0.0
    # Disjoint boxes: the union sampler's count is always 1: exact.
    u = fk.hv_approx([[0.0, 2.0], [2.0, 0.0]], ref=[1.0, 1.0], seed=0, sampler="union")
    assert u.value == 0.0 and u.stderr == 0.0  # neither row strictly dominates ref
    u = fk.hv_approx([[0.0, 0.9], [0.9, 0.0]], ref=[1.0, 1.0], seed=0, sampler="union")
    assert u.value == pytest.approx(0.19, rel=0.2)
    # Rows outside the reference box do not count; none counted: 0.
    z = fk.hv_approx([[5.0, 5.0]], ref=[1.0, 1.0], seed=0)
    assert z.value == 0.0 and z.stderr == 0.0
    # An infinite side: an infinite volume.
    assert fk.hv_approx([[-np.inf, 0.0]], ref=[1.0, 1.0], seed=0).value == np.inf
    # Maximisation flips columns, as in hypervolume().
    m = fk.hv_approx([[2.0, 1.0]], ref=[0.0, 3.0], maximise=[True, False], seed=0)
    assert m.value == pytest.approx(4.0, rel=1e-14)


def test_batches_and_sets():
    rng = np.random.default_rng(4)
    batch = rng.random((5, 30, 3))
    ref = np.full(3, 1.1)
    est = fk.hv_approx(batch, ref, n_samples=20_000, seed=1)
    exact = fk.hypervolume(batch, ref)
    assert est.value.shape == (5,) and est.stderr.shape == (5,) and est.ci().shape == (5, 2)
    assert (np.abs(est.value - exact) <= 5 * est.stderr).all()
    labels = np.repeat(np.arange(5), 30)
    by_sets = fk.hv_approx(batch.reshape(-1, 3), ref, n_samples=20_000, seed=1, sets=labels)
    np.testing.assert_array_equal(by_sets.value, est.value)
    # Set 0 of a batch draws the samples of a single call.
    np.testing.assert_array_equal(
        fk.hv_approx(batch[0], ref, n_samples=20_000, seed=1).value, est.value[0]
    )


def test_bad_input():
    pts = [[1.0, 2.0], [2.0, 1.0]]
    with pytest.raises(ValueError, match="'method'"):
        fk.hv_approx(pts, [3, 3], method="exact")
    with pytest.raises(ValueError, match="'epsilon' must lie in"):
        fk.hv_approx(pts, [3, 3], method="fpras", epsilon=1.0)
    with pytest.raises(ValueError, match="'delta' must lie in"):
        fk.hv_approx(pts, [3, 3], method="fpras", delta=0.0)
    with pytest.raises(TypeError, match="'epsilon' must be a number"):
        fk.hv_approx(pts, [3, 3], method="fpras", epsilon="0.1")
    with pytest.raises(ValueError, match="apply to method='fpras' only"):
        fk.hv_approx(pts, [3, 3], epsilon=0.1)
    with pytest.raises(ValueError, match="bound\\(\\) needs method='fpras'"):
        fk.hv_approx(pts, [3, 3], seed=0).bound()
    with pytest.raises(ValueError, match="'replicates'"):
        fk.hv_approx(pts, [3, 3], method="qmc", replicates=1)
    with pytest.raises(TypeError, match="'replicates'"):
        fk.hv_approx(pts, [3, 3], method="qmc", replicates=2.0)
    with pytest.raises(ValueError, match="'sampler'"):
        fk.hv_approx(pts, [3, 3], sampler="grid")
    with pytest.raises(ValueError, match="'n_samples'"):
        fk.hv_approx(pts, [3, 3], n_samples=1)
    with pytest.raises(TypeError, match="'n_samples'"):
        fk.hv_approx(pts, [3, 3], n_samples=1e5)
    with pytest.raises(ValueError, match="'seed'"):
        fk.hv_approx(pts, [3, 3], seed=-1)
    with pytest.raises(TypeError, match="'seed'"):
        fk.hv_approx(pts, [3, 3], seed="a")
    with pytest.raises(ValueError, match="NaN"):
        fk.hv_approx([[np.nan, 1.0]], [3, 3])
    with pytest.raises(ValueError, match="'ref'"):
        fk.hv_approx(pts, [3, 3, 3])
    with pytest.raises(ValueError, match="'level'"):
        fk.hv_approx(pts, [3, 3], seed=0).ci(1.0)


# --- (epsilon, delta) approximation -------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["auto", "box", "union"])
def test_fpras_meets_its_guarantee(sampler):
    """200 seeds per dimension d = 2..7 at epsilon = 0.05, delta = 0.1: the estimate is within a
    factor 1 -+ epsilon of the exact volume in at least 1 - delta of them (with the 99.9%
    binomial slack), and the box sampler's estimate is the target over the samples drawn, times
    the bounding box."""
    eps, delta = 0.05, 0.1
    target = numpy_mc.stopping_target(eps, delta)
    fails = trials = 0
    for d in range(2, 8):
        rng = np.random.default_rng(300 + d)
        pts = rng.random((15, d))
        ref = np.ones(d)
        exact = fk.hypervolume(pts, ref)
        for seed in range(200):
            est = fk.hv_approx(
                pts, ref, method="fpras", epsilon=eps, delta=delta, seed=seed, sampler=sampler
            )
            fails += abs(est.value - exact) > eps * exact
            trials += 1
            lo, hi = est.bound()
            assert lo == est.value / (1 + eps) and hi == est.value / (1 - eps)
            assert est.epsilon == eps and est.delta == delta and est.method == "fpras"
            # The rule's estimate is the target over the samples drawn, times the sampled volume.
            if est.sampler == "box":
                lo_pt = pts.min(axis=0)
                assert est.value == pytest.approx(target / est.n_samples * np.prod(ref - lo_pt))
    assert fails / trials <= delta + 3.1 * np.sqrt(delta * (1 - delta) / trials), (fails, trials)


def test_fpras_cost_and_spread():
    """Against a wrong target (say T too small by 4), the errors would exceed epsilon far more
    often: the relative errors' spread must fit the rule's (about 1 / sqrt(T)), and the samples
    drawn must be T / mean to within that spread."""
    eps, delta = 0.1, 0.1
    target = numpy_mc.stopping_target(eps, delta)
    rng = np.random.default_rng(9)
    pts = rng.random((25, 4))
    ref = np.ones(4)
    exact = fk.hypervolume(pts, ref)
    box = np.prod(ref - pts.min(axis=0))
    rel, drawn = [], []
    for seed in range(300):
        est = fk.hv_approx(
            pts, ref, method="fpras", epsilon=eps, delta=delta, seed=seed, sampler="box"
        )
        rel.append(est.value / exact - 1.0)
        drawn.append(est.n_samples)
    p = exact / box  # hit rate of the box sampler
    # N is negative-binomial-like: mean T / p, relative spread sqrt((1 - p) / T).
    assert np.mean(drawn) == pytest.approx(target / p, rel=4 * np.sqrt((1 - p) / target / 300))
    spread = np.sqrt((1 - p) / target)
    assert 0.8 * spread <= np.std(rel) <= 1.25 * spread, (np.std(rel), spread)
    assert abs(np.mean(rel)) <= 4 * spread / np.sqrt(300)


def test_fpras_threads_fallback_and_batches(monkeypatch):
    core = core_module()
    rng = np.random.default_rng(12)
    pts = rng.random((300, 5))
    off = np.array([0, 300], dtype=np.int64)
    ref = np.full(5, 1.1)
    for est in (-1, 0, 1):  # several waves of chunks at epsilon = 0.02: the same N on any threads
        runs = [core.hv_approx(pts, off, ref, 2, 5, est, 0, 0.02, 0.1, t) for t in (1, 2, 3, 0)]
        assert runs[0][3][0] > 3 * 2048
        for r in runs[1:]:
            for a, b in zip(r, runs[0]):
                np.testing.assert_array_equal(a, b)
    want = [
        fk.hv_approx(pts, ref, method="fpras", epsilon=0.05, seed=4, sampler=s)
        for s in ("auto", "box", "union")
    ]
    labels = np.repeat([0, 1], [300, 100])
    batch = fk.hv_approx(
        np.vstack([pts, pts[:100]]), ref, method="fpras", epsilon=0.05, seed=4, sets=labels
    )
    assert batch.n_samples.shape == (2,) and batch.bound().shape == (2, 2)
    assert batch.value[0] == want[0].value and batch.n_samples[0] == want[0].n_samples
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numpy")
    for w, s in zip(want, ("auto", "box", "union")):
        got = fk.hv_approx(pts, ref, method="fpras", epsilon=0.05, seed=4, sampler=s)
        assert got.sampler == w.sampler and got.n_samples == w.n_samples
        np.testing.assert_allclose(got.value, w.value, rtol=1e-13)
        np.testing.assert_allclose(got.stderr, w.stderr, rtol=1e-10)
    # Edges: nothing counted, an infinite side.
    assert fk.hv_approx([[5.0, 5.0]], [1, 1], method="fpras", seed=0).value == 0.0
    assert fk.hv_approx([[-np.inf, 0.0]], [1, 1], method="fpras", seed=0).value == np.inf


# --- exclusive contributions -------------------------------------------------------------------


@pytest.mark.parametrize("d", [3, 4, 6])
def test_contribution_intervals_cover_the_exact_contributions(d):
    """200 seeds x 30 points on a front: the 95% intervals hold the exact contributions in
    93-97% of all 6,000 cases."""
    pts = fk.datasets.sphere_front(30, d, seed=1)
    ref = np.full(d, 1.1)
    exact = fk.hv_contributions(pts, ref)
    core = core_module()
    off = np.array([0, 30], dtype=np.int64)
    cover = []
    for seed in range(200):
        v, e = core.hvc_approx(np.ascontiguousarray(pts), off, ref, 5000, seed, 0)
        cover.append(np.abs(v - exact) <= 1.96 * e)
    assert 0.93 <= np.mean(cover) <= 0.97, np.mean(cover)


def test_contributions_fallback_threads_and_edges(monkeypatch):
    rng = np.random.default_rng(9)
    pts = rng.random((40, 4))
    pts[5] = pts[4]  # duplicates contribute nothing
    pts[6] = pts[3] + 0.01  # dominated by row 3
    pts[7] = [2.0, 0.1, 0.1, 0.1]  # outside the reference box
    ref = np.full(4, 1.1)
    core = core_module()
    off = np.array([0, 40], dtype=np.int64)
    runs = [core.hvc_approx(pts, off, ref, 3000, 5, t) for t in (1, 2, 0)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r[0], runs[0][0])
    est = fk.hvc_approx(pts, ref, n_samples=3000, seed=5)
    np.testing.assert_array_equal(est.value, runs[0][0])
    assert est.value[[4, 5, 6, 7]].tolist() == [0.0] * 4 and est.stderr[7] == 0.0
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numpy")
    slow = fk.hvc_approx(pts, ref, n_samples=3000, seed=5)
    np.testing.assert_allclose(slow.value, est.value, rtol=1e-12, atol=0)
    np.testing.assert_allclose(slow.stderr, est.stderr, rtol=1e-12, atol=0)
    monkeypatch.delenv("FRONTIERKIT_BACKEND")
    with pytest.raises(ValueError, match="finite"):
        fk.hvc_approx([[-np.inf, 0.0], [0.5, 0.5]], ref=[1.0, 1.0], seed=0)


def test_least_contributor():
    pts = fk.datasets.sphere_front(40, 3, seed=2)
    ref = 1.1
    exact = fk.hv_contributions(pts, ref)
    est = fk.hvc_approx(pts, ref, n_samples=50_000, seed=1)
    idx, prob = est.least_contributor()
    assert idx == int(np.argmin(exact)) and 0.5 < prob <= 1.0
    # A clear least contributor: found with probability about 1.
    clear = np.array([[0.0, 1.0], [0.5, 0.5], [0.52, 0.49], [1.0, 0.0]])
    i, p = fk.hvc_approx(clear, ref=[1.5, 1.5], seed=3).least_contributor()
    assert i == int(np.argmin(fk.hv_contributions(clear, ref=[1.5, 1.5]))) and p > 0.99
    # Batches and sets: one answer per set, indices within the set (batch) or of the rows (sets).
    batch = np.stack([pts, pts[::-1]])
    bi, bp = fk.hvc_approx(batch, ref, n_samples=50_000, seed=1).least_contributor()
    assert bi.tolist() == [int(np.argmin(exact)), 39 - int(np.argmin(exact))] and bp.shape == (2,)
    labels = np.repeat([7, 3], 40)
    si, _ = fk.hvc_approx(
        batch.reshape(-1, 3), ref, n_samples=50_000, seed=1, sets=labels
    ).least_contributor()
    assert sorted(si.tolist()) == sorted([int(np.argmin(exact)), 40 + 39 - int(np.argmin(exact))])


def test_student_t_quantile():
    """The interval of a qmc estimate uses Student's t (Hill's expansion) for its replicates."""
    from frontierkit._validate import level_quantile

    # Tabulated two-sided 95% t quantiles.
    for dof, want in ((5, 2.5706), (15, 2.1314), (31, 2.0395), (100, 1.9840)):
        assert level_quantile(0.95, dof) == pytest.approx(want, abs=2e-3)
    assert level_quantile(0.95) == pytest.approx(1.95996, abs=1e-5)
    est = fk.hv_approx([[1.0, 2.0], [2.0, 1.0], [1.5, 1.5]], ref=[3, 3], method="qmc", seed=0)
    lo, hi = est.ci(0.95)
    assert est.replicates == 16 and hi - lo == pytest.approx(
        2 * level_quantile(0.95, 15) * est.stderr
    )
