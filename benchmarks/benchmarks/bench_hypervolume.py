"""asv benchmarks: hypervolume, exclusive contributions and improvements.

Same data as ``bench_pareto`` (fixed seed, generated in ``setup``), with the reference point 1.1
in every objective. Sphere fronts are the main case: every point is non-dominated, so each one
counts and none is filtered away. Sizes shrink with the dimension because the exact algorithms
grow steeply with it; each call stays well under a second, so the suite remains quick.
"""

from __future__ import annotations

import numpy as np

import frontierkit as fk

from .bench_pareto import SEED, sphere, uniform

REF = 1.1

# Points per set, by number of objectives.
HV_SIZES = {2: 100_000, 3: 10_000, 4: 1_000, 5: 300, 6: 100}
HVC_SIZES = {2: 10_000, 3: 1_000, 4: 300, 6: 50}


class Hypervolume:
    """``hypervolume`` of one set: sphere fronts, and uniform points (mostly dominated)."""

    params = (["sphere", "uniform"], sorted(HV_SIZES))
    param_names = ["data", "d"]
    timeout = 120

    def setup(self, data: str, d: int) -> None:
        make = sphere if data == "sphere" else uniform
        self.x = make(HV_SIZES[d], d)
        self.ref = np.full(d, REF)

    def time_hypervolume(self, data: str, d: int) -> None:
        fk.hypervolume(self.x, self.ref)


class HvContributions:
    """``hv_contributions`` of a sphere front (every point has a positive share)."""

    params = (sorted(HVC_SIZES),)
    param_names = ["d"]
    timeout = 120

    def setup(self, d: int) -> None:
        self.x = sphere(HVC_SIZES[d], d)
        self.ref = np.full(d, REF)

    def time_hv_contributions(self, d: int) -> None:
        fk.hv_contributions(self.x, self.ref)


class HvImprovement:
    """``hv_improvement`` of 100 candidates against a 3-D front of 1000 points.

    The candidates lie on the same sphere (another seed), so each one adds a small positive
    volume: none is rejected early as dominated.
    """

    timeout = 120

    def setup(self) -> None:
        self.x = sphere(1_000, 3)
        self.candidates = sphere(100, 3, seed=SEED + 1)
        self.ref = np.full(3, REF)

    def time_hv_improvement(self) -> None:
        fk.hv_improvement(self.x, self.candidates, self.ref)


class HvBatched:
    """``b`` 3-D sphere fronts of 100 points: one (b, n, d) call, ``sets=``, and a Python loop."""

    params = ([100, 1_000],)
    param_names = ["b"]
    timeout = 120

    def setup(self, b: int) -> None:
        x = np.abs(np.random.default_rng(SEED).standard_normal((b, 100, 3)))
        x /= np.linalg.norm(x, axis=-1, keepdims=True)
        self.x = x
        self.flat = x.reshape(-1, 3)
        self.labels = np.repeat(np.arange(b), 100)
        self.ref = np.full(3, REF)

    def time_hypervolume_batch(self, b: int) -> None:
        fk.hypervolume(self.x, self.ref)

    def time_hypervolume_sets(self, b: int) -> None:
        fk.hypervolume(self.flat, self.ref, sets=self.labels)

    def time_hypervolume_loop(self, b: int) -> None:
        for front in self.x:
            fk.hypervolume(front, self.ref)
