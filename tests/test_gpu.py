"""CUDA backend on a real GPU (marked gpu; skipped without a device)."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk
from reference import nondominated_mask, pareto_ranks

pytestmark = pytest.mark.gpu


@pytest.fixture
def cp():
    return pytest.importorskip("cupy")


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


def test_batched_matches_cpu(cp):
    rng = np.random.default_rng(2)
    batch = rng.random((500, 200, 3))
    np.testing.assert_array_equal(fk.pareto_rank(cp.asarray(batch)).get(), fk.pareto_rank(batch))
    labels = rng.integers(0, 9, size=2000)
    pts = rng.integers(0, 5, size=(2000, 4)).astype(float)
    np.testing.assert_array_equal(
        fk.pareto_rank(cp.asarray(pts), sets=labels).get(), fk.pareto_rank(pts, sets=labels)
    )


def test_large_uniform_matches_cpu(cp):
    rng = np.random.default_rng(3)
    pts = rng.random((20000, 10))
    np.testing.assert_array_equal(fk.pareto_rank(cp.asarray(pts)).get(), fk.pareto_rank(pts))
    np.testing.assert_array_equal(
        fk.is_nondominated(cp.asarray(pts)).get(), fk.is_nondominated(pts)
    )


def test_runs_on_the_callers_stream(cp):
    pts = cp.asarray(np.random.default_rng(4).random((1000, 3)))
    with cp.cuda.Stream(non_blocking=True) as stream:
        ranks = fk.pareto_rank(pts)
        stream.synchronize()
    np.testing.assert_array_equal(ranks.get(), fk.pareto_rank(pts.get()))


def test_forced_cuda_with_numpy_input(monkeypatch):
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cuda")
    pts = np.random.default_rng(5).random((500, 4))
    got = fk.pareto_rank(pts)
    assert isinstance(got, np.ndarray)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cpp")
    np.testing.assert_array_equal(got, fk.pareto_rank(pts))
