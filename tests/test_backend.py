"""Backend discovery, forcing and fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk
from frontierkit import _backend


def test_backend_info_shape():
    info = fk.backend_info()
    assert set(info["backends"]) == {"cpp", "cuda", "numba", "numpy"}
    for entry in info["backends"].values():
        assert set(entry) == {"importable", "usable", "detail"}
        assert not entry["usable"] or entry["importable"]
    assert info["backends"]["numpy"]["usable"]
    assert info["default"] in {"cpp", "numba", "numpy"}


def test_cpp_is_default_when_built():
    if not fk.backend_info()["backends"]["cpp"]["usable"]:
        pytest.skip("compiled module not built")
    assert fk.backend() == "cpp"


def test_forcing_through_environment(monkeypatch):
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numpy")
    assert fk.backend() == "numpy"
    assert fk.backend_info()["forced"] == "numpy"


def test_missing_core_falls_back_with_warning(monkeypatch):
    real = _backend._import

    def no_core(name):
        if name == "frontierkit._core":
            return None, "ImportError: hidden by the test"
        return real(name)

    monkeypatch.setattr(_backend, "_import", no_core)
    pts = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
    with pytest.warns(fk.FallbackWarning, match="not importable"):
        ranks = fk.pareto_rank(pts)
    np.testing.assert_array_equal(ranks, [0, 0, 1])


def test_calls_from_several_threads_agree():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(8)
    sets = [rng.random((3000, 3)) for _ in range(8)]
    want = [fk.pareto_rank(s) for s in sets]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(fk.pareto_rank, sets))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
