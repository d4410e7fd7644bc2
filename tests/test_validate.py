"""Bad input: the exception type and message are API."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk

FUNCS = [fk.is_nondominated, fk.filter_dominated, fk.pareto_rank, fk.nondominated_sort]


@pytest.mark.parametrize("func", FUNCS)
def test_nan_names_the_row(func):
    pts = np.ones((5, 3))
    pts[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"'points' must not contain NaN, but row 3 does"):
        func(pts)
    batch = np.ones((2, 4, 3))
    batch[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"row 2 of set 1"):
        func(batch)


@pytest.mark.parametrize("d", [2, 3, 4, 6])
@pytest.mark.parametrize("where", ["first", "pivot", "middle", "last", "all"])
def test_nan_in_large_input_every_backend(backend, d, where):
    # Large enough for the C++ first-front pre-filter, which does the NaN screen itself: a NaN
    # row must be found wherever it sits, including a row whose other coordinates would make it
    # the strongest pivot.
    rng = np.random.default_rng(d)
    n = 5000
    pts = rng.random((n, d)) + 1.0
    row = {"first": 0, "pivot": 4096, "middle": 2500, "last": n - 1, "all": 7}[where]
    pts[row] = 0.0
    pts[row, d - 1] = np.nan
    if where == "all":
        pts[:, 0] = np.nan
    first = 0 if where == "all" else row
    for func in (fk.is_nondominated, fk.filter_dominated):
        with pytest.raises(ValueError, match=rf"'points' must not contain NaN, but row {first} does"):
            func(pts)
        with pytest.raises(ValueError, match=rf"but row {first} does"):
            func(pts, maximise=[True] + [False] * (d - 1))
    labels = np.arange(n) % 3
    with pytest.raises(ValueError, match=rf"but row {first} does"):
        fk.is_nondominated(pts, sets=labels)
    with pytest.raises(ValueError, match=rf"row {first % 2500} of set {first // 2500}"):
        fk.is_nondominated(pts.reshape(2, 2500, d))


@pytest.mark.parametrize("func", FUNCS)
def test_shapes(func):
    with pytest.raises(ValueError, match=r"shape \(n, d\).*but it has shape \(5,\)"):
        func(np.ones(5))
    with pytest.raises(ValueError, match=r"shape \(\)"):
        func(np.float64(1.0))
    with pytest.raises(ValueError, match=r"but it has shape \(1, 2, 3, 4\)"):
        func(np.ones((1, 2, 3, 4)))
    with pytest.raises(ValueError, match=r"at least one objective"):
        func(np.ones((4, 0)))
    with pytest.raises(ValueError, match=r"rectangular"):
        func([[1, 2], [3]])


@pytest.mark.parametrize("func", FUNCS)
def test_types(func):
    with pytest.raises(TypeError, match=r"'points' must hold real numbers.*complex"):
        func(np.ones((3, 2), dtype=complex))
    with pytest.raises(TypeError, match=r"'points' must hold real numbers.*bool"):
        func(np.ones((3, 2), dtype=bool))
    with pytest.raises(TypeError, match=r"'points' must hold real numbers"):
        func(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match=r"'points' must be an array"):
        func(None)


def test_maximise_checks():
    pts = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"'maximise' must have length 3.*length 2"):
        fk.pareto_rank(pts, maximise=[True, False])
    with pytest.raises(TypeError, match=r"'maximise' must be a bool or a sequence of bools"):
        fk.pareto_rank(pts, maximise=[1, 0, 1])
    with pytest.raises(TypeError, match=r"'maximise'"):
        fk.pareto_rank(pts, maximise="yes")


def test_sets_checks():
    pts = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"'sets' must have length 4.*length 3"):
        fk.pareto_rank(pts, sets=[0, 0, 1])
    with pytest.raises(ValueError, match=r"'sets' must be 1-D"):
        fk.pareto_rank(pts, sets=np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"'sets' must be None"):
        fk.pareto_rank(np.ones((2, 3, 2)), sets=[0, 1, 2])


def test_option_checks():
    pts = np.ones((3, 2))
    with pytest.raises(TypeError, match=r"'keep_weakly' must be a bool"):
        fk.is_nondominated(pts, keep_weakly=1)
    with pytest.raises(TypeError, match=r"'n_stop' must be an int"):
        fk.nondominated_sort(pts, n_stop=2.5)
    with pytest.raises(ValueError, match=r"'n_stop' must be >= 0"):
        fk.nondominated_sort(pts, n_stop=-1)


def test_forced_backend_errors(monkeypatch):
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "fortran")
    with pytest.raises(ValueError, match=r"FRONTIERKIT_BACKEND must be one of cpp, cuda, numba, numpy"):
        fk.pareto_rank(np.ones((2, 2)))
    if not fk.backend_info()["backends"]["cuda"]["usable"]:
        monkeypatch.setenv("FRONTIERKIT_BACKEND", "cuda")
        with pytest.raises(RuntimeError, match=r"FRONTIERKIT_BACKEND=cuda but that backend is not usable"):
            fk.pareto_rank(np.ones((2, 2)))


def test_core_binding_backstops():
    core = pytest.importorskip("frontierkit._core")
    with pytest.raises(ValueError, match="offsets"):
        core.pareto_rank(np.ones((3, 2)), np.array([0, 2], dtype=np.int64), 1)
    with pytest.raises(ValueError, match="non-decreasing"):
        core.pareto_rank(np.ones((3, 2)), np.array([0, 2, 1, 3], dtype=np.int64), 1)
    with pytest.raises(TypeError):
        core.pareto_rank(np.ones((3, 2), dtype=np.float32), np.array([0, 3], dtype=np.int64), 1)
