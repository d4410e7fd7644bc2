from __future__ import annotations

import os

import numpy as np
import pytest

import frontierkit as fk

HOST_BACKENDS = [
    name for name in ("cpp", "numba", "numpy") if fk.backend_info()["backends"][name]["usable"]
]


def _gpu_available() -> bool:
    return bool(fk.backend_info()["backends"]["cuda"]["usable"])


def pytest_collection_modifyitems(config, items):
    if _gpu_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device, CuPy and frontierkit._cuda")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=HOST_BACKENDS)
def backend(request, monkeypatch):
    """Run the test body once per available host backend (forced through the environment)."""
    monkeypatch.setenv("FRONTIERKIT_BACKEND", request.param)
    return request.param


class Guarded:
    """Arrays handed to frontierkit; check() fails if any of them was written to."""

    def __init__(self):
        self._kept = []

    def __call__(self, arr):
        arr = np.asarray(arr)
        self._kept.append((arr, arr.copy()))
        return arr

    def check(self):
        for arr, before in self._kept:
            np.testing.assert_array_equal(arr, before, err_msg="input array was modified")


@pytest.fixture
def guard():
    g = Guarded()
    yield g
    g.check()


@pytest.fixture(autouse=True)
def _no_forced_backend_leak(monkeypatch):
    if "FRONTIERKIT_BACKEND" in os.environ:
        monkeypatch.delenv("FRONTIERKIT_BACKEND")
