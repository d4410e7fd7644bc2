"""Exclusive hypervolume contributions and hypervolume improvement on every host backend, against
references from the definition (HV(P) - HV(P without p) by inclusion-exclusion), moocore and
pygmo."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pytest

import frontierkit as fk
from frontierkit._fallback import numpy_hv
from reference import hv_inclusion_exclusion

INF = np.inf


def _sphere(n, d, seed):
    x = np.abs(np.random.default_rng(seed).standard_normal((n, d)))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _by_subtraction(pts, ref):
    """HV(P) - HV(P without row i) for every row, by inclusion-exclusion (n <= 12)."""
    total = hv_inclusion_exclusion(pts, ref)
    return np.array(
        [total - hv_inclusion_exclusion(np.delete(pts, i, axis=0), ref) for i in range(len(pts))]
    )


def _small_cases():
    rng = np.random.default_rng(777)
    cases = []
    for d in range(1, 6):
        for n in (1, 2, 3, 6, 9):
            cases.append((rng.random((n, d)), np.full(d, 1.0)))
            # Ties on every axis, duplicates, dominated rows, rows on the reference boundary.
            cases.append((rng.integers(0, 4, size=(n, d)).astype(float), np.full(d, 3.0)))
    return cases


SMALL = _small_cases()


@pytest.mark.parametrize("case", range(len(SMALL)))
def test_contributions_match_the_definition(case, backend, guard):
    pts, ref = SMALL[case]
    got = fk.hv_contributions(guard(pts), ref)
    want = _by_subtraction(pts, ref)
    np.testing.assert_allclose(
        got, want, rtol=1e-12, atol=1e-12 * max(1.0, float(np.abs(want).max()))
    )


def test_closed_forms(backend):
    # A staircase: each step owns a unit square.
    assert fk.hv_contributions([[1, 3], [2, 2], [3, 1]], [4, 4]).tolist() == [1.0, 1.0, 1.0]
    # A dominated row's box is cut out of its dominator's share (moocore drops it and says 4).
    assert fk.hv_contributions([[1, 1], [2, 2]], [3, 3]).tolist() == [3.0, 0.0]
    # Equal rows share everything: both 0.
    assert fk.hv_contributions([[1, 1], [1, 1], [0, 2]], [3, 3]).tolist() == [0.0, 0.0, 1.0]
    # Rows on or beyond the reference box own nothing and cut nothing.
    assert fk.hv_contributions([[1, 1], [3, 0], [0, 5]], [3, 3]).tolist() == [4.0, 0.0, 0.0]
    # One row: its whole box.
    assert fk.hv_contributions([[1.0, 2.0, 3.0, 0.0, 1.0]], [2, 4, 6, 1, 2]).tolist() == [6.0]
    # 1-D: only a unique minimum owns the stretch up to the next value.
    assert fk.hv_contributions([[3.0], [1.0], [2.0]], [5]).tolist() == [0.0, 1.0, 0.0]
    assert fk.hv_contributions([[1.0], [1.0]], [5]).tolist() == [0.0, 0.0]
    assert fk.hv_contributions(np.zeros((0, 3)), [1, 1, 1]).shape == (0,)


def test_infinite_coordinates(backend):
    # A row with -inf that nothing dominates owns an unbounded corner.
    assert fk.hv_contributions([[-INF, 2], [1, 1]], [3, 3]).tolist() == [INF, 2.0]
    # ... unless another row weakly dominates it.
    assert fk.hv_contributions([[-INF, 2], [-INF, 1]], [3, 3]).tolist() == [0.0, INF]
    # ref = +inf on x: the row with the lowest y owns an unbounded slab; the other is bounded.
    assert fk.hv_contributions([[1, 2], [2, 1]], [INF, 3]).tolist() == [1.0, INF]
    # Bounded share of a row whose neighbour has -inf.
    assert fk.hv_contributions([[0, 2], [-INF, 3], [2, 0]], [4, 4]).tolist() == [2.0, INF, 4.0]


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_infinite_random_against_fallback(d, backend):
    rng = np.random.default_rng(50 + d)
    for trial in range(40):
        n = int(rng.integers(1, 9))
        pts = rng.integers(0, 4, size=(n, d)).astype(float)
        ref = np.full(d, 3.0)
        if trial % 2:
            pts[rng.random((n, d)) < 0.2] = -INF
        else:
            ref[rng.integers(0, d)] = INF
        got = fk.hv_contributions(pts, ref)
        want = numpy_hv.contributions(pts, ref)
        np.testing.assert_allclose(
            got, want, rtol=1e-12, atol=1e-12, err_msg=f"trial {trial}: {pts.tolist()} {ref}"
        )


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("kind", ["sphere", "uniform", "grid"])
def test_against_subtraction_on_larger_sets(d, kind, backend):
    rng = np.random.default_rng(100 * d + len(kind))
    n = {2: 1500, 3: 600, 4: 150, 5: 50, 6: 30}[d]
    if backend == "numpy":
        n = min(n, 30)
    if kind == "sphere":
        pts = _sphere(n, d, d)
    elif kind == "uniform":
        pts = rng.random((n, d))
    else:
        pts = rng.integers(0, 5, size=(n, d)) / 4.0
    ref = np.full(d, 1.1)
    got = fk.hv_contributions(pts, ref)
    total = fk.hypervolume(pts, ref)
    for i in rng.choice(n, size=min(n, 12), replace=False):
        want = total - fk.hypervolume(np.delete(pts, i, axis=0), ref)
        assert got[i] == pytest.approx(want, rel=1e-9, abs=1e-12 * total), f"row {i}"


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_against_moocore_on_fronts(d, backend):
    moocore = pytest.importorskip("moocore")
    n = {2: 3000, 3: 1000, 4: 200, 5: 60}[d]
    if backend == "numpy":
        n = min(n, 30)
    pts = _sphere(n, d, 7 + d)
    ref = np.full(d, 1.1)
    np.testing.assert_allclose(
        fk.hv_contributions(pts, ref),
        moocore.hv_contributions(pts, ref=ref),
        rtol=1e-10,
        atol=1e-15,
    )


@pytest.mark.parametrize("d", [3, 6, 8])
def test_against_pygmo(d, backend):
    pg = pytest.importorskip("pygmo")
    n = {3: 300, 6: 40, 8: 20}[d]
    if backend == "numpy":
        n = min(n, 15)
    pts = _sphere(n, d, 70 + d)
    ref = np.full(d, 1.1)
    want = np.asarray(pg.hypervolume(pts).contributions(ref))
    np.testing.assert_allclose(fk.hv_contributions(pts, ref), want, rtol=1e-10, atol=1e-15)


def test_maximise_batches_and_sets(backend):
    rng = np.random.default_rng(21)
    pts = rng.random((40, 3))
    flags = [True, False, True]
    sign = np.where(flags, -1.0, 1.0)
    ref = np.array([-0.1, 1.1, -0.1])
    np.testing.assert_allclose(
        fk.hv_contributions(pts, ref, maximise=flags),
        fk.hv_contributions(pts * sign, ref * sign),
        rtol=1e-14,
    )
    batch = rng.random((5, 20, 4))
    got = fk.hv_contributions(batch, np.ones(4))
    assert got.shape == (5, 20)
    np.testing.assert_allclose(got, [fk.hv_contributions(b, np.ones(4)) for b in batch], rtol=1e-14)
    labels = rng.integers(0, 3, 40)
    got = fk.hv_contributions(pts, np.ones(3), sets=labels)
    for lab in np.unique(labels):
        np.testing.assert_allclose(
            got[labels == lab], fk.hv_contributions(pts[labels == lab], np.ones(3)), rtol=1e-14
        )


def test_improvement_is_the_gain_of_adding(backend, guard):
    rng = np.random.default_rng(31)
    for d, n in ((1, 5), (2, 200), (3, 120), (4, 40), (5, 15), (6, 8)):
        if backend == "numpy":
            n = min(n, 15)
        pts = guard(rng.random((n, d)))
        cand = guard(
            np.vstack([rng.random((6, d)), pts[:2], rng.random((2, d)) * 0.2, np.full((1, d), 1.0)])
        )
        ref = np.ones(d)
        got = fk.hv_improvement(pts, cand, ref)
        base = fk.hypervolume(pts, ref)
        want = [fk.hypervolume(np.vstack([pts, c]), ref) - base for c in cand]
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13, err_msg=f"d={d}")
        assert got[6] == 0.0 and got[7] == 0.0  # rows of the set add nothing


def test_improvement_closed_forms_and_infinite(backend):
    assert fk.hv_improvement(
        [[1, 3], [3, 1]], [[2, 2], [0, 0], [3, 3], [4, 0]], [4, 4]
    ).tolist() == [1.0, 11.0, 0.0, 0.0]
    assert fk.hv_improvement(np.zeros((0, 2)), [[1, 1]], [3, 3]).tolist() == [4.0]
    assert fk.hv_improvement([[1, 1]], np.zeros((0, 2)), [3, 3]).shape == (0,)
    assert fk.hv_improvement([[1, 1]], [[-INF, 2]], [3, 3]).tolist() == [INF]
    assert fk.hv_improvement([[-INF, 1]], [[0, 2]], [3, 3]).tolist() == [0.0]
    assert fk.hv_improvement([[1, 2]], [[2, 1]], [INF, 3]).tolist() == [INF]
    assert fk.hv_improvement([[1, 1]], [[2, 0]], [INF, 3]).tolist() == [INF]
    assert fk.hv_improvement([[1, 1]], [[0, 2]], [INF, 3]).tolist() == [1.0]
    assert fk.hv_improvement([[3, 1]], [[1, 3]], [4, 4], maximise=[False, False]).tolist() == [2.0]
    assert fk.hv_improvement([[-3, 1]], [[-1, 3]], [-4, 4], maximise=[True, False]).tolist() == [
        2.0
    ]


def test_improvement_bad_input():
    with pytest.raises(
        ValueError, match=r"'candidates' must have 2 columns like 'points', but it has 3"
    ):
        fk.hv_improvement(np.ones((3, 2)), np.ones((2, 3)), [2, 2])
    with pytest.raises(ValueError, match=r"'points' must be a 2-D array of shape \(n, d\) here"):
        fk.hv_improvement(np.ones((2, 3, 2)), np.ones((2, 2)), [2, 2])
    with pytest.raises(ValueError, match=r"'candidates' must not contain NaN, but row 1 does"):
        fk.hv_improvement(np.ones((3, 2)), [[0, 0], [np.nan, 0]], [2, 2])
    with pytest.raises(ValueError, match=r"'ref' must have length 2"):
        fk.hv_improvement(np.ones((3, 2)), np.zeros((2, 2)), [2, 2, 2])
    with pytest.raises(ValueError, match=r"'ref' must have length 2"):
        fk.hv_contributions(np.ones((3, 2)), [2, 2, 2])
    with pytest.raises(ValueError, match=r"'points' must not contain NaN, but row 0 does"):
        fk.hv_contributions([[np.nan, 1.0]], [2, 2])


def test_concurrent_calls_agree():
    pts = _sphere(400, 4, 5)
    ref = np.full(4, 1.1)
    want = fk.hv_contributions(pts, ref)
    with cf.ThreadPoolExecutor(4) as pool:
        for got in pool.map(lambda _: fk.hv_contributions(pts, ref), range(8)):
            np.testing.assert_array_equal(got, want)
