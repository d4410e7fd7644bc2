"""Exact hypervolume: every host backend against the references in tests/reference.py and moocore."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk
from reference import hv_grid, hv_inclusion_exclusion


def _sphere(n, d, seed):
    x = np.abs(np.random.default_rng(seed).standard_normal((n, d)))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _small_cases():
    rng = np.random.default_rng(4242)
    cases = []
    for d in range(1, 6):
        for n in (1, 2, 5, 9):
            cases.append((rng.random((n, d)), np.full(d, 1.0)))
            cases.append((rng.integers(0, 4, size=(n, d)).astype(float), np.full(d, 3.0)))  # ties, duplicates, boundary
    return cases


SMALL = _small_cases()


@pytest.mark.parametrize("case", range(len(SMALL)))
def test_matches_inclusion_exclusion_and_grid(case, backend, guard):
    pts, ref = SMALL[case]
    pts = guard(pts)
    want = hv_inclusion_exclusion(pts, ref)
    if pts.shape[1] <= 3:
        assert hv_grid(pts, ref) == pytest.approx(want, rel=1e-12, abs=1e-15)
    assert fk.hypervolume(pts, ref) == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("kind", ["sphere", "uniform", "grid"])
def test_against_moocore(d, kind, backend):
    moocore = pytest.importorskip("moocore")
    rng = np.random.default_rng(10 * d + len(kind))
    n = {2: 2000, 3: 1000, 4: 200, 5: 80, 6: 40}[d]
    if backend == "numpy":
        n = min(n, 40)
    if kind == "sphere":
        pts = _sphere(n, d, d)
    elif kind == "uniform":
        pts = rng.random((n, d))
    else:
        pts = rng.integers(0, 5, size=(n, d)) / 4.0
    ref = np.full(d, 1.1)
    want = moocore.hypervolume(pts, ref=ref)
    assert fk.hypervolume(pts, ref) == pytest.approx(want, rel=1e-12)


def test_closed_forms(backend):
    assert fk.hypervolume([[1.0, 2.0, 3.0]], [2, 4, 6]) == 6.0
    # A staircase: (1, 3), (2, 2), (3, 1) under (4, 4): 3 + 2 + 1.
    assert fk.hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]) == 6.0
    # Duplicates and dominated rows change nothing.
    assert fk.hypervolume([[1, 3], [2, 2], [2, 2], [3, 3], [3, 1]], [4, 4]) == 6.0
    # Rows on or outside the reference box add nothing.
    assert fk.hypervolume([[4, 1], [1, 4], [5, 5]], [4, 4]) == 0.0
    assert fk.hypervolume([[1, 1], [4, 0]], [4, 4]) == 9.0
    # Infinite boxes.
    assert fk.hypervolume([[-np.inf, 1.0]], [1, 2]) == np.inf
    assert fk.hypervolume([[0.0, 1.0]], [np.inf, 2]) == np.inf
    assert fk.hypervolume([[0.0, 1.0]], [-np.inf, 2]) == 0.0
    assert fk.hypervolume([[np.inf, 1.0]], [1, 2]) == 0.0
    assert fk.hypervolume(np.zeros((0, 3)), [1, 1, 1]) == 0.0


def test_maximise_is_negation(backend):
    pts = np.random.default_rng(3).random((30, 3))
    flags = [True, False, True]
    ref = np.array([-0.1, 1.1, -0.1])
    flipped = pts * np.where(flags, -1, 1)
    want = fk.hypervolume(flipped, ref * np.where(flags, -1, 1))
    assert fk.hypervolume(pts, ref, maximise=flags) == pytest.approx(want, rel=1e-14)
    assert fk.hypervolume(-pts, -np.full(3, 1.1), maximise=True) == pytest.approx(
        fk.hypervolume(pts, np.full(3, 1.1)), rel=1e-14
    )


def test_batched_equals_one_by_one(backend):
    rng = np.random.default_rng(8)
    batch = rng.random((7, 25, 4))
    ref = np.full(4, 1.0)
    got = fk.hypervolume(batch, ref)
    assert isinstance(got, np.ndarray) and got.shape == (7,)
    np.testing.assert_allclose(got, [fk.hypervolume(b, ref) for b in batch], rtol=1e-14)
    flat = rng.random((60, 3))
    labels = rng.integers(0, 4, 60) * 10
    got = fk.hypervolume(flat, np.ones(3), sets=labels)
    want = [fk.hypervolume(flat[labels == lab], np.ones(3)) for lab in np.unique(labels)]
    np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize("n", [3, 60, 127, 128, 129, 300])
@pytest.mark.parametrize("kind", ["sphere", "uniform", "grid", "outlier", "flat", "tiny_span"])
def test_3d_small_and_large_sets_against_moocore(n, kind, backend):
    """Sizes on both sides of the heap-free path for small 3-D sets (at most 128 rows after the
    pivot screen), with z values that defeat its bucketing: one far outlier, all equal, and a span
    too small to scale by."""
    moocore = pytest.importorskip("moocore")
    rng = np.random.default_rng(n + 1000 * len(kind))
    if kind == "sphere":
        pts = _sphere(n, 3, n)
    elif kind == "uniform":
        pts = rng.random((n, 3))
    elif kind == "grid":
        pts = rng.integers(0, 5, size=(n, 3)) / 4.0
    else:
        pts = _sphere(n, 3, n)
        if kind == "outlier":
            pts[0, 2] = -1e12
        elif kind == "flat":
            pts[:, 2] = 0.5
        else:
            pts[:, 2] = rng.integers(0, 3, n) * 1e-310
    ref = np.full(3, 1.1)
    want = moocore.hypervolume(pts, ref=ref)
    assert fk.hypervolume(pts, ref) == pytest.approx(want, rel=1e-12)
    assert fk.hypervolume(pts[::-1], ref) == pytest.approx(want, rel=1e-12)


def test_many_sets_use_threads_and_agree():
    batch = np.random.default_rng(9).random((400, 60, 3))
    got = fk.hypervolume(batch, np.ones(3))
    np.testing.assert_array_equal(got[::37], [fk.hypervolume(b, np.ones(3)) for b in batch[::37]])


def test_bad_ref():
    pts = np.ones((4, 3)) * 0.5
    with pytest.raises(ValueError, match=r"'ref' must have length 3 \(one value per objective\)"):
        fk.hypervolume(pts, [1, 1])
    with pytest.raises(ValueError, match=r"'ref' must not contain NaN, but entry 1 is NaN"):
        fk.hypervolume(pts, [1, np.nan, 1])
    with pytest.raises(TypeError, match=r"'ref' must"):
        fk.hypervolume(pts, "1,1,1")
    with pytest.raises(TypeError, match=r"'ref' must hold real numbers"):
        fk.hypervolume(pts, np.array(["a", "b", "c"]))
    bad = pts.copy()
    bad[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"'points' must not contain NaN, but row 2 does"):
        fk.hypervolume(bad, [1, 1, 1])
    with pytest.raises(ValueError, match=r"'maximise' must have length 3"):
        fk.hypervolume(pts, [1, 1, 1], maximise=[True, False])


def _simplex(n, d, seed):
    """Points on the linear front sum(x) = 1 (all mutually non-dominated)."""
    x = np.random.default_rng(seed).exponential(size=(n, d))
    return x / x.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("d", [5, 6, 7, 8, 9, 10])
@pytest.mark.parametrize("kind", ["sphere", "linear", "uniform"])
def test_against_pygmo_in_many_objectives(d, kind, backend):
    pg = pytest.importorskip("pygmo")
    n = {5: 120, 6: 80, 7: 50, 8: 35, 9: 25, 10: 20}[d]
    if backend == "numpy":
        n = min(n, 14)
    if kind == "sphere":
        pts = _sphere(n, d, 300 + d)
    elif kind == "linear":
        pts = _simplex(n, d, 400 + d)
    else:
        pts = np.random.default_rng(500 + d).random((n, d))
    ref = np.full(d, 1.1)
    want = pg.hypervolume(pts).compute(ref)
    assert fk.hypervolume(pts, ref) == pytest.approx(want, rel=1e-12)
