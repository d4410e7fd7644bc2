"""Exact hypervolume fallbacks (NumPy and numba) against slow references from the definition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference import hv_grid, hv_inclusion_exclusion

INF = math.inf


@pytest.fixture(params=["numpy", "numba"])
def hv(request):
    """The fallback module under test (skipped where it, or numba, is not importable)."""
    if request.param == "numba":
        pytest.importorskip("numba")
    return pytest.importorskip(f"frontierkit._fallback.{request.param}_hv")


def _hv1(mod, points, ref) -> float:
    ref = np.asarray(ref, dtype=np.float64).reshape(-1)
    p = np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, ref.size))
    return float(mod.hypervolume(p, np.array([0, p.shape[0]], dtype=np.int64), ref)[0])


def _arr(points, d) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, d))


def _close(actual: float, expected: float, rel: float = 1e-12, abs_tol: float = 0.0) -> bool:
    if math.isinf(expected) or math.isinf(actual):
        return actual == expected
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_tol)


def _grid_exclusive(points, i: int, ref) -> float:
    """Volume of the grid cells covered by the box of row i and by no other row's box."""
    ref = np.asarray(ref, dtype=float)
    p = np.asarray(points, dtype=float).reshape(-1, ref.size)
    inside = np.all(p < ref, axis=1)
    if not inside[i]:
        return 0.0
    d = ref.size
    axes = [np.unique(np.append(p[inside, k], ref[k])) for k in range(d)]
    shape = [1] * d

    def along(k, v):
        s = list(shape)
        s[k] = -1
        return v.reshape(s)

    count = np.zeros([len(a) - 1 for a in axes], dtype=np.int64)
    mine = None
    for j in np.flatnonzero(inside):
        cover = np.ones_like(count, dtype=bool)
        for k in range(d):
            cover = cover & along(k, p[j, k] <= axes[k][:-1])
        count += cover
        if j == i:
            mine = cover
    vol = np.ones_like(count, dtype=float)
    for k in range(d):
        vol = vol * along(k, np.diff(axes[k]))
    return math.fsum(vol[mine & (count == 1)].tolist())


def _random_case(rng, d: int, n: int, specials: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Points with ties, duplicates, points on and beyond the reference box, optionally infs."""
    if rng.random() < 0.5:
        p = rng.integers(0, 5, size=(n, d)) / 4.0  # a coarse grid: ties, and 1.0 lies on ref
    else:
        p = rng.uniform(0.0, 1.15, size=(n, d))
    ref = np.ones(d)
    if n >= 2 and rng.random() < 0.4:  # duplicates
        k = int(rng.integers(1, n))
        p[rng.integers(0, n, size=k)] = p[rng.integers(0, n, size=k)]
    if n and rng.random() < 0.3:  # on the boundary of the reference box
        p[rng.integers(0, n), rng.integers(0, d)] = 1.0
    if specials and n and rng.random() < 0.4:
        for _ in range(int(rng.integers(1, 3))):
            p[rng.integers(0, n), rng.integers(0, d)] = rng.choice([-INF, INF])
    if specials and rng.random() < 0.15:
        ref[rng.integers(0, d)] = INF
    return np.ascontiguousarray(p), ref


# ---------------------------------------------------------------------------------------------
# The references against each other


def test_references_agree_on_random_sets():
    rng = np.random.default_rng(1)
    for _ in range(400):
        d = int(rng.integers(1, 5))
        n = int(rng.integers(0, 9))
        p, ref = _random_case(rng, d, n)
        a = hv_inclusion_exclusion(p, ref)
        b = hv_grid(p, ref)
        assert _close(a, b), (p, ref, a, b)


def test_references_closed_forms():
    assert hv_grid([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], [4.0, 4.0]) == 6.0
    assert hv_inclusion_exclusion([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], [4.0, 4.0]) == 6.0
    for f in (hv_grid, hv_inclusion_exclusion):
        assert f(np.zeros((0, 3)), [1.0, 1.0, 1.0]) == 0.0
        assert f([[1.0, 0.0], [0.0, 2.0]], [1.0, 2.0]) == 0.0  # on the boundary
        assert f([[-INF, 0.0]], [1.0, 1.0]) == INF
        assert f([[0.0, 0.0]], [INF, 1.0]) == INF


# ---------------------------------------------------------------------------------------------
# hypervolume


def test_hypervolume_matches_references_random(hv):
    rng = np.random.default_rng(2)
    for _ in range(250):
        d = int(rng.integers(1, 7))
        n = int(rng.integers(0, 9 if d <= 4 else 6))
        p, ref = _random_case(rng, d, n)
        got = _hv1(hv, p, ref)
        assert _close(got, hv_grid(p, ref)), (p, ref, got)
        assert _close(got, hv_inclusion_exclusion(p, ref)), (p, ref, got)


def test_hypervolume_matches_references_continuous(hv):
    rng = np.random.default_rng(3)
    for d in range(1, 7):
        for _ in range(15):
            n = int(rng.integers(1, 9))
            p = rng.uniform(-1.0, 2.0, size=(n, d))
            ref = rng.uniform(1.0, 3.0, size=d)
            assert _close(_hv1(hv, p, ref), hv_inclusion_exclusion(p, ref)), (p, ref)


def test_hypervolume_closed_forms(hv):
    rng = np.random.default_rng(4)
    for d in range(1, 7):
        p = rng.uniform(-1.0, 0.0, size=d)
        ref = rng.uniform(0.0, 1.0, size=d)
        single = math.prod((ref - p).tolist())
        assert _close(_hv1(hv, [p], ref), single)
        assert _close(_hv1(hv, [p, p, p], ref), single)  # duplicates count once
        assert _hv1(hv, [ref + 1.0, ref], ref) == 0.0  # nothing strictly inside the box
        assert _hv1(hv, np.zeros((0, d)), ref) == 0.0
    stairs = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]
    assert _close(_hv1(hv, stairs, [4.0, 4.0]), 3 * 1 + 2 * 1 + 1 * 1)
    # Dominated, duplicated and out-of-box rows change nothing.
    noisy = stairs + [[2.0, 2.0], [3.0, 3.0], [5.0, 0.0], [0.0, 4.0], [1.0, 3.0]]
    assert _close(_hv1(hv, noisy, [4.0, 4.0]), 6.0)
    assert _hv1(hv, [[1.0, 2.0, 3.0]], [2.0, 3.0, 5.0]) == 2.0
    assert _hv1(hv, [[3.0], [1.0], [2.0]], [4.0]) == 3.0
    assert _hv1(hv, [[0.0, -INF], [0.5, 0.5]], [1.0, 1.0]) == INF
    assert _hv1(hv, [[0.0, 0.0]], [1.0, INF]) == INF
    assert _hv1(hv, [[0.0, INF], [2.0, 0.0]], [1.0, INF]) == 0.0  # no row strictly inside
    assert _hv1(hv, [[0.0, 0.0]], [1.0, -INF]) == 0.0


def test_hypervolume_batched_offsets(hv):
    rng = np.random.default_rng(5)
    for d in (1, 2, 3, 5):
        sizes = [0, 4, 0, 0, 7, 1, 3, 0]
        data = _arr(rng.integers(0, 5, size=(sum(sizes), d)) / 4.0, d)
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        ref = np.ones(d)
        got = hv.hypervolume(data, offsets, ref)
        assert got.dtype == np.float64 and got.shape == (len(sizes),)
        for s in range(len(sizes)):
            one = hv.hypervolume(
                _arr(data[offsets[s] : offsets[s + 1]], d),
                np.array([0, sizes[s]], dtype=np.int64),
                ref,
            )
            assert got[s] == one[0]
            assert _close(got[s], hv_grid(data[offsets[s] : offsets[s + 1]], ref))
        assert hv.hypervolume(data, np.zeros(1, dtype=np.int64), ref).shape == (0,)
        empty = hv.hypervolume(np.zeros((0, d)), np.zeros(3, dtype=np.int64), ref)
        np.testing.assert_array_equal(empty, np.zeros(2))


def test_hypervolume_matches_moocore_on_sphere_fronts(hv):
    moocore = pytest.importorskip("moocore")
    rng = np.random.default_rng(6)
    sizes = {2: 300, 3: 150, 4: 60, 5: 35, 6: 25}
    for d, n in sizes.items():
        x = np.abs(rng.standard_normal((n, d)))
        p = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True))
        ref = np.full(d, 1.1)
        expected = float(moocore.hypervolume(p, ref=ref))
        assert _close(_hv1(hv, p, ref), expected), d


def test_fallbacks_agree_on_larger_sets():
    pytest.importorskip("numba")
    numpy_hv = pytest.importorskip("frontierkit._fallback.numpy_hv")
    numba_hv = pytest.importorskip("frontierkit._fallback.numba_hv")
    rng = np.random.default_rng(7)
    for d, n in ((2, 400), (3, 150), (4, 60), (5, 30)):
        for grid in (False, True):
            p = rng.integers(0, 8, size=(n, d)) / 7.0 if grid else rng.random((n, d))
            p = np.ascontiguousarray(p)
            ref = np.ones(d)
            assert _close(_hv1(numba_hv, p, ref), _hv1(numpy_hv, p, ref))
            a = numba_hv.contributions(p, ref)
            b = numpy_hv.contributions(p, ref)
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# contributions


def test_contributions_equal_leave_one_out(hv):
    rng = np.random.default_rng(8)
    for _ in range(120):
        d = int(rng.integers(1, 6))
        n = int(rng.integers(1, 8))
        p, ref = _random_case(rng, d, n, specials=False)
        total = hv_inclusion_exclusion(p, ref)
        got = hv.contributions(p, ref)
        assert got.dtype == np.float64 and got.shape == (n,)
        for i in range(n):
            loo = total - hv_inclusion_exclusion(np.delete(p, i, axis=0), ref)
            # The difference of two references is only good to a few ulps of the total.
            assert _close(got[i], loo, abs_tol=1e-13 * max(total, 1e-300)), (p, ref, i)
            assert _close(got[i], _grid_exclusive(p, i, ref), abs_tol=1e-15), (p, ref, i)


def test_contributions_zero_for_duplicates_and_dominated(hv):
    rng = np.random.default_rng(9)
    for d in range(1, 7):
        base = rng.uniform(0.0, 1.0, size=(6, d))
        p = np.vstack([base, base[2], base[2] + 0.01, base[:1], [np.full(d, 2.0)], base[3]])
        ref = np.full(d, 1.5)
        got = hv.contributions(_arr(p, d), ref)
        for i in (2, 6, 0, 8, 10, 3):  # copies of rows 2, 0, 3
            assert got[i] == 0.0
        assert got[7] == 0.0  # dominated by row 2
        assert got[9] == 0.0  # outside the reference box
        assert np.all(got >= 0.0)


def test_contributions_closed_forms(hv):
    c = hv.contributions(_arr([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], 2), np.array([4.0, 4.0]))
    np.testing.assert_array_equal(c, [1.0, 1.0, 1.0])
    c = hv.contributions(_arr([[1.0], [2.0], [0.5], [0.5]], 1), np.array([4.0]))
    np.testing.assert_array_equal(c, [0.0, 0.0, 0.0, 0.0])
    c = hv.contributions(_arr([[1.0], [2.0], [0.5]], 1), np.array([4.0]))
    np.testing.assert_array_equal(c, [0.0, 0.0, 0.5])
    c = hv.contributions(_arr([[0.0, 0.0, 0.0]], 3), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(c, [6.0])
    assert hv.contributions(np.zeros((0, 2)), np.ones(2)).shape == (0,)


def test_contributions_with_infinities(hv):
    ref = np.array([1.0, 2.0])
    c = hv.contributions(_arr([[-INF, 0.0], [-INF, 1.0], [0.0, -INF]], 2), ref)
    np.testing.assert_array_equal(c, [INF, 0.0, INF])
    # An infinite reference side: the exclusive region can still be bounded.
    c = hv.contributions(_arr([[0.0], [1.0]], 1), np.array([INF]))
    np.testing.assert_array_equal(c, [1.0, 0.0])
    c = hv.contributions(_arr([[0.0, 0.0], [1.0, -1.0]], 2), np.array([INF, 1.0]))
    np.testing.assert_array_equal(c, [1.0, INF])
    rng = np.random.default_rng(10)
    values = np.array([-INF, 0.0, 1.0, 2.0, 3.0, INF])
    for _ in range(150):
        d = int(rng.integers(1, 4))
        n = int(rng.integers(1, 6))
        p = _arr(values[rng.integers(0, 6, size=(n, d))], d)
        ref = rng.choice(np.array([2.0, 3.0, 3.5, INF]), size=d)
        got = hv.contributions(p, ref)
        for i in range(n):
            assert _close(got[i], _grid_exclusive(p, i, ref)), (p, ref, i)


# ---------------------------------------------------------------------------------------------
# improvement


def test_improvement_equals_union_difference(hv):
    rng = np.random.default_rng(11)
    for _ in range(100):
        d = int(rng.integers(1, 6))
        n = int(rng.integers(0, 7))
        p, ref = _random_case(rng, d, n, specials=False)
        cand = np.vstack([_random_case(rng, d, 3, specials=False)[0], p[:2]])
        cand = _arr(cand, d)
        total = hv_inclusion_exclusion(p, ref)
        got = hv.improvement(p, cand, ref)
        assert got.dtype == np.float64 and got.shape == (cand.shape[0],)
        for c, g in zip(cand, got):
            diff = hv_inclusion_exclusion(np.vstack([p, c]), ref) - total
            assert _close(g, diff, abs_tol=1e-13 * max(total, 1e-300)), (p, c, ref)
            assert _close(g, _grid_exclusive(np.vstack([p, c]), n, ref), abs_tol=1e-15)
        assert np.all(got[cand.shape[0] - min(n, 2) :] == 0.0)  # rows already in the set


def test_improvement_closed_forms(hv):
    data = _arr([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], 2)
    ref = np.array([4.0, 4.0])
    cand = _arr(
        [[1.0, 1.0], [2.0, 2.0], [2.5, 2.5], [0.0, 5.0], [4.0, 0.0], [1.5, 2.5], [-INF, 3.0]], 2
    )
    got = hv.improvement(data, cand, ref)
    np.testing.assert_array_equal(got, [3.0 - 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, INF])
    assert np.all(hv.improvement(np.zeros((0, 2)), _arr([[3.0, 2.0]], 2), ref) == [2.0])
    assert hv.improvement(data, np.zeros((0, 2)), ref).shape == (0,)
    # An infinite reference side: bounded once the slab far out is covered by the data.
    got = hv.improvement(
        _arr([[1.0, 0.0]], 2), _arr([[0.0, 0.0], [0.0, -1.0]], 2), np.array([INF, 1.0])
    )
    np.testing.assert_array_equal(got, [1.0, INF])
