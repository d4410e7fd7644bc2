"""CUDA backend: host replicas of the device logic (always run) and real-GPU tests (marked gpu;
skipped without a device)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frontierkit as fk
from reference import hv_grid, hv_inclusion_exclusion, nondominated_mask, pareto_ranks


@pytest.fixture
def cp():
    return pytest.importorskip("cupy")


@pytest.mark.gpu
@pytest.mark.parametrize("d", [1, 2, 3, 5, 10, 17])
def test_cupy_in_cupy_out_matches_reference(cp, d):
    rng = np.random.default_rng(d)
    pts = rng.integers(0, 3, size=(300, d)).astype(float)
    got = fk.pareto_rank(cp.asarray(pts))
    assert isinstance(got, cp.ndarray)
    np.testing.assert_array_equal(got.get(), pareto_ranks(pts))
    for keep in (False, True):
        mask = fk.is_nondominated(cp.asarray(pts), keep_weakly=keep)
        assert isinstance(mask, cp.ndarray)
        np.testing.assert_array_equal(mask.get(), nondominated_mask(pts, keep))


@pytest.mark.gpu
def test_batched_matches_cpu(cp):
    rng = np.random.default_rng(2)
    batch = rng.random((500, 200, 3))
    np.testing.assert_array_equal(fk.pareto_rank(cp.asarray(batch)).get(), fk.pareto_rank(batch))
    labels = rng.integers(0, 9, size=2000)
    pts = rng.integers(0, 5, size=(2000, 4)).astype(float)
    np.testing.assert_array_equal(
        fk.pareto_rank(cp.asarray(pts), sets=labels).get(), fk.pareto_rank(pts, sets=labels)
    )


@pytest.mark.gpu
def test_large_uniform_matches_cpu(cp):
    rng = np.random.default_rng(3)
    pts = rng.random((20000, 10))
    np.testing.assert_array_equal(fk.pareto_rank(cp.asarray(pts)).get(), fk.pareto_rank(pts))
    np.testing.assert_array_equal(
        fk.is_nondominated(cp.asarray(pts)).get(), fk.is_nondominated(pts)
    )


@pytest.mark.gpu
def test_runs_on_the_callers_stream(cp):
    pts = cp.asarray(np.random.default_rng(4).random((1000, 3)))
    with cp.cuda.Stream(non_blocking=True) as stream:
        ranks = fk.pareto_rank(pts)
        stream.synchronize()
    np.testing.assert_array_equal(ranks.get(), fk.pareto_rank(pts.get()))


@pytest.mark.gpu
def test_forced_cuda_with_numpy_input(monkeypatch):
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cuda")
    pts = np.random.default_rng(5).random((500, 4))
    got = fk.pareto_rank(pts)
    assert isinstance(got, np.ndarray)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cpp")
    np.testing.assert_array_equal(got, fk.pareto_rank(pts))


# --- batched hypervolume: the device logic on the host (cuda/hv_batch.cuh via _core) ----------

HV_VALUES = st.one_of(
    st.sampled_from([-np.inf, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0, np.inf]),
    st.floats(-2.0, 4.0, allow_nan=False),
)


@pytest.fixture
def core():
    return pytest.importorskip("frontierkit._core")


def _batch(sets, d):
    """(points, offsets) of a list of (n_s, d) arrays, grouped by set as the kernels take them."""
    pts = np.concatenate([np.reshape(p, (-1, d)) for p in sets]) if sets else np.zeros((0, d))
    sizes = [len(p) for p in sets]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return np.ascontiguousarray(pts, dtype=np.float64), offsets


def _assert_volumes(got, want, msg, rtol=1e-12, atol=1e-15):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, msg
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: judged by equality
        close = (got == want) | (np.abs(got - want) <= rtol * np.abs(want) + atol)
    bad = np.flatnonzero(~close)
    assert bad.size == 0, (
        f"{msg}: set {bad[0]}: replica {got[bad[0]]!r}, reference {want[bad[0]]!r}"
    )


def _awkward_sets(seed, d):
    """Small sets: ties, duplicates, dominated rows, rows on the reference boundary, +/-inf."""
    rng = np.random.default_rng(seed)
    sets = [np.zeros((0, d)), np.ones((1, d)), np.full((1, d), 3.0), np.full((3, d), 2.0)]
    for n in (1, 2, 3, 5, 8, 11):
        sets.append(rng.integers(0, 4, size=(n, d)).astype(float))  # ties, duplicates, boundary (3)
        p = rng.integers(-1, 4, size=(n, d)).astype(float)
        p[rng.random((n, d)) < 0.15] = -np.inf
        p[rng.random((n, d)) < 0.1] = np.inf
        sets.append(p)
        sets.append(rng.random((n, d)) * 3.5)
    return sets


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("ref_kind", ["finite", "plus_inf", "minus_inf"])
def test_hv_logic_small_sets_match_inclusion_exclusion(core, d, ref_kind):
    seed = 700 + 10 * d + len(ref_kind)
    sets = _awkward_sets(seed, d)
    ref = np.full(d, 3.0)
    if ref_kind == "plus_inf":
        ref[0] = np.inf
    elif ref_kind == "minus_inf":
        ref[-1] = -np.inf
    pts, offsets = _batch(sets, d)
    got = core.cuda_logic_hypervolume(pts, offsets, ref)
    want = [hv_inclusion_exclusion(p, ref) for p in sets]
    _assert_volumes(got, want, f"seed={seed} d={d} ref={ref}")
    _assert_volumes(got, core.hypervolume(pts, offsets, ref, 1), f"C++ core, seed={seed} d={d}")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), d=st.integers(1, 3))
def test_hv_logic_awkward_batches(data, d):
    core = pytest.importorskip("frontierkit._core")
    sizes = data.draw(st.lists(st.integers(0, 7), min_size=1, max_size=4), label="sizes")
    rows = st.lists(HV_VALUES, min_size=d, max_size=d)
    sets = [np.array(data.draw(st.lists(rows, min_size=n, max_size=n)), dtype=float) for n in sizes]
    ref = np.array(
        data.draw(
            st.lists(st.sampled_from([-np.inf, 0.0, 1.0, 2.5, 3.0, np.inf]), min_size=d, max_size=d)
        )
    )
    pts, offsets = _batch(sets, d)
    got = core.cuda_logic_hypervolume(pts, offsets, ref)
    _assert_volumes(got, [hv_inclusion_exclusion(p, ref) for p in sets], f"ref={ref}", atol=1e-12)


def _hv_shapes(kind, n, d, rng):
    if kind == "uniform":
        return rng.random((n, d))
    if kind == "grid":  # ties, duplicates and rows on the boundary (1.0)
        return rng.integers(0, 9, size=(n, d)) / 8.0
    if kind == "sphere":  # mutually non-dominated: the longest staircases
        x = np.abs(rng.standard_normal((n, d)))
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    if kind == "front_insert":  # each row enters the staircase at its front: the most shifting
        t = rng.permutation(n) / n
        return np.stack([1.0 - t, t, t][:d], axis=1) * 0.9
    # "copies": duplicated and dominated rows (some on the boundary), shuffled
    base = rng.random((max(1, -(-n // 4)), d))
    rows = np.concatenate([base, base, base + 0.05, np.minimum(base + 0.2, 1.0)])
    return rng.permutation(rows)[:n]


HV_KINDS = ["uniform", "grid", "sphere", "front_insert", "copies"]


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("kind", HV_KINDS)
def test_hv_logic_larger_sets_match_core(core, d, kind):
    # Sizes around the warp's 32-row screening rounds and the bitonic network's powers of two.
    seed = 8100 + 10 * d + HV_KINDS.index(kind)
    rng = np.random.default_rng(seed)
    sizes = [0, 1, 2, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300]
    sets = [_hv_shapes(kind, n, d, rng) for n in sizes]
    ref = np.full(d, 1.0)
    pts, offsets = _batch(sets, d)
    got = core.cuda_logic_hypervolume(pts, offsets, ref)
    msg = f"seed={seed} kind={kind} d={d}"
    _assert_volumes(got, core.hypervolume(pts, offsets, ref, 1), msg)
    for s, p in enumerate(sets):
        if len(p) <= (300 if d == 2 else 40):
            assert got[s] == pytest.approx(hv_grid(p, ref), rel=1e-12, abs=1e-15), (
                f"{msg} n={len(p)}"
            )


@pytest.mark.parametrize("d", [2, 3])
def test_hv_logic_invariances(core, d):
    seed = 9000 + d
    rng = np.random.default_rng(seed)
    p = rng.random((150, d))
    ref = np.full(d, 1.1)
    dominated = p + rng.random(p.shape) * 0.05
    outside = np.concatenate([p[:20] + 1.1, np.full((3, d), 1.1)])  # none strictly dominates ref
    sets = [p, rng.permutation(p), np.concatenate([p, p, dominated, outside]), outside]
    got = core.cuda_logic_hypervolume(*_batch(sets, d), ref)
    msg = f"seed={seed} d={d}"
    assert got[1] == pytest.approx(got[0], rel=1e-12), msg
    assert got[2] == pytest.approx(got[0], rel=1e-12), msg
    assert got[3] == 0.0, msg


def test_hv_logic_rejects_bad_input(core):
    pts, offsets = _batch([np.ones((2, 4))], 4)
    with pytest.raises(ValueError, match="d = 1, 2 or 3"):
        core.cuda_logic_hypervolume(pts, offsets, np.full(4, 2.0))
    pts, _ = _batch([np.ones((2, 3))], 3)
    with pytest.raises(ValueError, match="non-decreasing"):
        core.cuda_logic_hypervolume(pts, np.array([0, 2, 1, 2], dtype=np.int64), np.full(3, 2.0))
    with pytest.raises(ValueError, match="ref"):
        core.cuda_logic_hypervolume(pts, np.array([0, 2], dtype=np.int64), np.full(2, 2.0))


# --- batched hypervolume on a real GPU ----------------------------------------------------


@pytest.mark.gpu
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("kind", HV_KINDS)
def test_hypervolume_batched_matches_cpu(cp, d, kind):
    seed = 9500 + 10 * d + HV_KINDS.index(kind)
    rng = np.random.default_rng(seed)
    batch = np.stack([_hv_shapes(kind, 100, d, rng) for _ in range(3000)])
    ref = np.full(d, 1.0)
    got = fk.hypervolume(cp.asarray(batch), ref)
    assert isinstance(got, cp.ndarray)
    np.testing.assert_allclose(
        got.get(), fk.hypervolume(batch, ref), rtol=1e-12, err_msg=f"seed={seed}"
    )


@pytest.mark.gpu
def test_hypervolume_one_objective_matches_cpu(cp):
    batch = np.random.default_rng(9550).random((3000, 100, 1))
    got = fk.hypervolume(cp.asarray(batch), [0.9])
    np.testing.assert_array_equal(got.get(), fk.hypervolume(batch, [0.9]))


@pytest.mark.gpu
@pytest.mark.parametrize("d", [2, 3])
def test_hypervolume_sets_matches_cpu(cp, d):
    # Ragged labels: empty-after-screening sets, one-row sets, and sets too large for shared
    # memory next to small ones (both slot kinds in one launch).
    seed = 9600 + d
    rng = np.random.default_rng(seed)
    sizes = [1, 2, 5, 100, 33, 700, 5000, 1] + list(rng.integers(0, 200, size=300))
    parts = [_hv_shapes(HV_KINDS[i % len(HV_KINDS)], n, d, rng) for i, n in enumerate(sizes)]
    parts[0] = np.full((1, d), 1.5)  # outside the reference box
    pts = np.concatenate(parts)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    order = rng.permutation(len(pts))
    pts, labels = pts[order], labels[order]
    ref = np.full(d, 1.0)
    got = fk.hypervolume(cp.asarray(pts), ref, sets=labels)
    assert isinstance(got, cp.ndarray)
    want = fk.hypervolume(pts, ref, sets=labels)
    np.testing.assert_allclose(got.get(), want, rtol=1e-12, err_msg=f"seed={seed}")


@pytest.mark.gpu
@pytest.mark.parametrize("d", [2, 3])
def test_hypervolume_awkward_on_gpu(cp, d):
    sets = _awkward_sets(9700 + d, d)
    n = max(len(p) for p in sets)
    ref = np.full(d, 3.0)
    # Pad every set to n rows with rows outside the box, which count for nothing.
    batch = np.stack([np.concatenate([p, np.full((n - len(p), d), 4.0)]) for p in sets])
    got = fk.hypervolume(cp.asarray(batch), ref).get()
    _assert_volumes(got, [hv_inclusion_exclusion(p, ref) for p in sets], f"d={d}")
    for r in (np.where(np.arange(d) == 0, np.inf, 3.0), np.where(np.arange(d) == 0, -np.inf, 3.0)):
        _assert_volumes(
            fk.hypervolume(cp.asarray(batch), r).get(), fk.hypervolume(batch, r), f"ref={r}"
        )
    single = fk.hypervolume(cp.asarray(sets[-1]), ref)
    assert isinstance(single, float)
    assert single == pytest.approx(hv_inclusion_exclusion(sets[-1], ref), rel=1e-12)


@pytest.mark.gpu
def test_hypervolume_medium_and_large_sets(cp):
    # Slots of fewer warps a block (medium) and in global scratch (large).
    rng = np.random.default_rng(9800)
    for shape in ((50, 1000, 2), (50, 700, 3), (4, 6000, 2), (3, 2500, 3)):
        batch = rng.random(shape)
        ref = np.full(shape[2], 1.0)
        np.testing.assert_allclose(
            fk.hypervolume(cp.asarray(batch), ref).get(), fk.hypervolume(batch, ref), rtol=1e-12
        )


@pytest.mark.gpu
def test_hypervolume_runs_on_the_callers_stream(cp):
    batch = cp.asarray(np.random.default_rng(9900).random((2000, 100, 3)))
    ref = np.full(3, 1.0)
    with cp.cuda.Stream(non_blocking=True) as stream:
        vols = fk.hypervolume(batch, ref)
        stream.synchronize()
    np.testing.assert_allclose(vols.get(), fk.hypervolume(batch.get(), ref), rtol=1e-12)


@pytest.mark.gpu
def test_hypervolume_big_set_or_high_d_falls_back_with_warning(cp):
    from frontierkit.hypervolume import _CUDA_MAX_SET

    big = np.random.default_rng(9901).random((_CUDA_MAX_SET + 1, 2))
    with pytest.warns(fk.FallbackWarning, match="hypervolume has no CUDA kernel for this input"):
        got = fk.hypervolume(cp.asarray(big), 1.0)
    assert got == pytest.approx(fk.hypervolume(big, 1.0), rel=1e-12)
    pts = np.random.default_rng(9902).random((30, 4))
    with pytest.warns(fk.FallbackWarning):
        assert fk.hypervolume(cp.asarray(pts), 1.0) == pytest.approx(
            fk.hypervolume(pts, 1.0), rel=1e-12
        )


# --- curve fitting ------------------------------------------------------------------------------


def _fit_cases():
    rng = np.random.default_rng(21)
    x = np.geomspace(1.0, 1e3, 20)
    k = 500
    a, b, c = rng.uniform(2, 10, k), rng.uniform(0.2, 0.8, k), rng.uniform(1, 3, k)
    y = (a[:, None] * x ** -b[:, None] + c[:, None]) * np.exp(0.01 * rng.standard_normal((k, 20)))
    y[3, 5:] = np.nan  # ragged
    y[4] = np.nan  # too few points
    n, d = (v.ravel() for v in np.meshgrid(np.geomspace(1e8, 3e10, 10), np.geomspace(1e9, 1e12, 9)))
    law = 1.69 + 406.4 * n**-0.34 + 410.7 * d**-0.28
    yc = law * np.exp(0.01 * rng.standard_normal((50, law.size)))
    return [
        ("saturating_power", x, y, {}),
        ("saturating_power", x, y, {"loss": "l1"}),
        (
            "chinchilla",
            np.column_stack([n, d]),
            yc,
            {"space": "log", "loss": "huber", "f_scale": 1e-3},
        ),
        (
            "sigmoid",
            np.linspace(-3, 3, 30),
            0.2
            + 0.6 / (1 + np.exp(-(np.linspace(-3, 3, 30) - 0.3)))
            + 0.01 * rng.standard_normal((40, 30)),
            {"loss": "soft_l1", "f_scale": 0.02},
        ),
    ]


@pytest.mark.gpu
@pytest.mark.parametrize("case", range(4))
def test_fit_cupy_in_cupy_out_matches_cpu(cp, case):
    model, x, y, opts = _fit_cases()[case]
    got = fk.fit_curves(model, x, cp.asarray(y), **opts)
    assert isinstance(got.params, cp.ndarray) and isinstance(got.cost, cp.ndarray)
    want = fk.fit_curves(model, x, y, **opts)
    np.testing.assert_array_equal(got.status, want.status)
    # exp and log on the device differ from the host's in the last bits: the same optima.
    np.testing.assert_allclose(got.cost.get(), want.cost, rtol=1e-9, equal_nan=True)
    scale = np.maximum(1.0, np.abs(want.params))
    np.testing.assert_allclose(
        got.params.get() / scale, want.params / scale, atol=1e-6, equal_nan=True
    )
    np.testing.assert_allclose(got.predict(x), want.predict(x), rtol=1e-6, equal_nan=True)


@pytest.mark.gpu
def test_fit_forced_cuda_backend_takes_numpy(cp, monkeypatch):
    model, x, y, opts = _fit_cases()[0]
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cuda")
    got = fk.fit_curves(model, x, y[:50], **opts)
    assert isinstance(got.params, np.ndarray) and got.settings["backend"] == "cuda"
    monkeypatch.delenv("FRONTIERKIT_BACKEND")
    want = fk.fit_curves(model, x, y[:50], **opts)
    np.testing.assert_allclose(got.cost, want.cost, rtol=1e-9, equal_nan=True)


# --- Monte Carlo hypervolume: the GPU path's array work and kernels' host replicas -----------


def _mc_sets(rng, d, sizes, awkward=False):
    pts = rng.random((sum(sizes), d))
    if awkward and len(pts) > 3:
        pts[1] = 2.0  # outside the reference box: not counted
        pts[2] = pts[3]  # a duplicate
    return pts, np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


@pytest.mark.parametrize("d", [1, 2, 4, 7])
@pytest.mark.parametrize("estimator,replicates", [(-1, 0), (0, 0), (1, 0), (-1, 8), (1, 4)])
def test_mc_logic_matches_core(core, d, estimator, replicates):
    """The GPU path (with the kernels' host replicas) draws the CPU's samples: the same sampler,
    box counts exactly, union sums to rounding (their order differs)."""
    from frontierkit import _mc_device

    rng = np.random.default_rng(d * 10 + estimator + replicates)
    pts, off = _mc_sets(rng, d, [30, 0, 1, 57], awkward=True)
    ref = np.full(d, 1.05)
    k = _mc_device.HostKernels()
    for n_samples in (2, 3001):
        if replicates > n_samples:
            continue
        v, e, u = _mc_device.hv_approx(k, pts, off, ref, n_samples, 5, estimator, replicates)
        w = core.hv_approx(pts, off, ref, n_samples, 5, estimator, replicates, 0.0, 0.0, 1)
        np.testing.assert_array_equal(u, w[2])
        np.testing.assert_allclose(v, w[0], rtol=1e-13, atol=0)
        np.testing.assert_allclose(e, w[1], rtol=1e-9, atol=1e-300)
        box = u == 0
        np.testing.assert_array_equal(v[box], w[0][box])
    # Sets with an infinite counted row, or an infinite ref, are infinite, as on the CPU.
    pts2 = pts.copy()
    pts2[0, 0] = -np.inf
    v, _e, _u = _mc_device.hv_approx(k, pts2, off, ref, 100, 1, estimator, replicates)
    w = core.hv_approx(pts2, off, ref, 100, 1, estimator, replicates, 0.0, 0.0, 1)
    np.testing.assert_allclose(v, w[0], rtol=1e-13)
    assert v[0] == np.inf


@pytest.mark.parametrize("d", [2, 3, 6])
def test_mc_contribution_logic_matches_core(core, d):
    from frontierkit import _mc_device

    rng = np.random.default_rng(40 + d)
    pts, off = _mc_sets(rng, d, [25, 1, 0, 40], awkward=True)
    ref = np.full(d, 1.02)
    v, e = _mc_device.hvc_approx(_mc_device.HostKernels(), pts, off, ref, 1500, 9)
    w = core.hvc_approx(pts, off, ref, 1500, 9, 1)
    np.testing.assert_allclose(v, w[0], rtol=1e-13, atol=0)
    np.testing.assert_allclose(e, w[1], rtol=1e-13, atol=0)
    pts[0, 1] = -np.inf
    with pytest.raises(ValueError, match="finite"):
        _mc_device.hvc_approx(_mc_device.HostKernels(), pts, off, ref, 10, 9)


def test_mc_logic_rejects_bad_input(core):
    pts = np.random.default_rng(0).random((10, 3))
    off = np.array([0, 10], dtype=np.int64)
    with pytest.raises(ValueError, match="ref"):
        core.cuda_logic_mc_prepare(pts, off, np.ones(2))
    with pytest.raises(ValueError, match="d must be 1 to 64"):
        core.cuda_logic_mc_prepare(np.zeros((2, 65)), np.array([0, 2]), np.ones(65))
    lo, cdf, _lb, _ls = core.cuda_logic_mc_prepare(pts, off, np.ones(3))
    with pytest.raises(ValueError, match="must match the sets"):
        core.cuda_logic_mc_sums(
            pts, off, np.ones(3), lo, cdf, np.array([5, 5]), np.zeros(1, np.int32), 0, 0, 1, 1
        )


@pytest.mark.gpu
@pytest.mark.parametrize("method", ["mc", "qmc"])
@pytest.mark.parametrize("sampler", ["auto", "box", "union"])
def test_hv_approx_on_gpu_matches_cpu(cp, method, sampler):
    rng = np.random.default_rng(8)
    for d in (3, 8):
        batch = rng.random((20, 60, d))
        ref = np.full(d, 1.1)
        want = fk.hv_approx(batch, ref, n_samples=40_000, seed=3, method=method, sampler=sampler)
        got = fk.hv_approx(
            cp.asarray(batch), ref, n_samples=40_000, seed=3, method=method, sampler=sampler
        )
        assert isinstance(got.value, cp.ndarray)
        np.testing.assert_array_equal(got.sampler, want.sampler)
        np.testing.assert_allclose(got.value.get(), want.value, rtol=1e-12)
        np.testing.assert_allclose(got.stderr.get(), want.stderr, rtol=1e-8)
        one = fk.hv_approx(cp.asarray(batch[0]), ref, n_samples=40_000, seed=3, method=method)
        assert one.value == pytest.approx(want.value[0], rel=1e-12) or sampler != "auto"


@pytest.mark.gpu
def test_hv_approx_on_gpu_big_set_and_sets(cp):
    rng = np.random.default_rng(9)
    x = np.abs(rng.standard_normal((10_000, 10)))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    want = fk.hv_approx(x, 1.1, n_samples=2**18, seed=1)
    got = fk.hv_approx(cp.asarray(x), 1.1, n_samples=2**18, seed=1)
    assert got.sampler == want.sampler
    assert got.value == pytest.approx(want.value, rel=1e-12)
    labels = rng.integers(0, 7, size=500)
    pts = rng.random((500, 4))
    want = fk.hv_approx(pts, 1.0, n_samples=5000, seed=2, sets=labels)
    got = fk.hv_approx(cp.asarray(pts), 1.0, n_samples=5000, seed=2, sets=cp.asarray(labels))
    np.testing.assert_allclose(got.value.get(), want.value, rtol=1e-12)


@pytest.mark.gpu
def test_hvc_approx_on_gpu_matches_cpu(cp):
    rng = np.random.default_rng(10)
    batch = rng.random((30, 50, 5))
    want = fk.hvc_approx(batch, 1.05, n_samples=3000, seed=4)
    got = fk.hvc_approx(cp.asarray(batch), 1.05, n_samples=3000, seed=4)
    assert isinstance(got.value, cp.ndarray) and got.value.shape == (30, 50)
    np.testing.assert_allclose(got.value.get(), want.value, rtol=1e-12)
    np.testing.assert_allclose(got.stderr.get(), want.stderr, rtol=1e-12)


@pytest.mark.gpu
def test_hv_approx_fpras_and_high_d_fall_back_with_warning(cp, monkeypatch):
    rng = np.random.default_rng(11)
    pts = rng.random((40, 4))
    with pytest.warns(fk.FallbackWarning, match="hv_approx has no CUDA kernel"):
        got = fk.hv_approx(cp.asarray(pts), 1.0, method="fpras", epsilon=0.1, seed=1)
    assert got.value == fk.hv_approx(pts, 1.0, method="fpras", epsilon=0.1, seed=1).value
    with pytest.warns(fk.FallbackWarning):
        fk.hv_approx(cp.asarray(rng.random((10, 65))), 1.0, seed=1)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cuda")  # NumPy input on the forced CUDA backend
    got = fk.hv_approx(pts, 1.0, n_samples=5000, seed=1)
    monkeypatch.delenv("FRONTIERKIT_BACKEND")
    assert got.value == pytest.approx(fk.hv_approx(pts, 1.0, n_samples=5000, seed=1).value)
