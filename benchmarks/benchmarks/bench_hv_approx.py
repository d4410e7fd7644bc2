"""asv benchmarks: Monte Carlo hypervolume (``hv_approx``) and contributions (``hvc_approx``).

Sphere fronts as in ``bench_hypervolume`` (every point non-dominated, so every one is tested),
reference point 1.1 in every objective, generated in ``setup`` with a fixed seed; every estimate
also uses a fixed seed, so each call draws the same samples on every commit. Times grow about
linearly with the number of samples and, at worst, with the number of points; the union sampler
tests every box against every sample, which makes it the slowest on large sphere fronts (and the
one ``sampler="auto"`` turns down there).

The arrays are NumPy, so the benchmarks time the default (C++) backend; set
``FRONTIERKIT_BACKEND`` in the environment to time another one.
"""

from __future__ import annotations

import numpy as np

import frontierkit as fk

from .bench_pareto import SEED, sphere

REF = 1.1
MC_SEED = 1  # the estimates' seed (the data's is SEED)
N_SAMPLES = 2**16
DIMS = [6, 10]
SIZES = [1_000, 10_000]


class HvApprox:
    """``hv_approx(method="mc")`` with 2^16 samples, by sampler (``auto`` adds its pilot)."""

    params = (DIMS, SIZES, ["auto", "box", "union"])
    param_names = ["d", "n", "sampler"]
    timeout = 120

    def setup(self, d: int, n: int, sampler: str) -> None:
        self.x = sphere(n, d)
        self.ref = np.full(d, REF)

    def time_hv_approx(self, d: int, n: int, sampler: str) -> None:
        fk.hv_approx(self.x, self.ref, n_samples=N_SAMPLES, sampler=sampler, seed=MC_SEED)


class HvApproxMethods:
    """``hv_approx`` by method, default sampler: randomised quasi-Monte Carlo with 2^16 samples
    (16 replicates), and the (epsilon, delta) = (0.1, 0.1) FPRAS (its stopping rule decides
    how many samples it draws)."""

    params = (DIMS, SIZES)
    param_names = ["d", "n"]
    timeout = 120

    def setup(self, d: int, n: int) -> None:
        self.x = sphere(n, d)
        self.ref = np.full(d, REF)

    def time_hv_approx_qmc(self, d: int, n: int) -> None:
        fk.hv_approx(self.x, self.ref, n_samples=N_SAMPLES, method="qmc", seed=MC_SEED)

    def time_hv_approx_fpras(self, d: int, n: int) -> None:
        fk.hv_approx(self.x, self.ref, method="fpras", epsilon=0.1, delta=0.1, seed=MC_SEED)


class HvcApprox:
    """``hvc_approx`` of a 5-D sphere front of 200 points, 4,096 samples per row."""

    timeout = 120

    def setup(self) -> None:
        self.x = sphere(200, 5)
        self.ref = np.full(5, REF)

    def time_hvc_approx(self) -> None:
        fk.hvc_approx(self.x, self.ref, n_samples=4096, seed=MC_SEED)


class HvApproxBatch:
    """One ``hv_approx`` call on 1,000 sphere fronts of 100 points in 8-D, 2^14 samples per set
    (the batch cell of ``compare_peers.py --cells mc``)."""

    timeout = 300

    def setup(self) -> None:
        x = np.abs(np.random.default_rng(SEED).standard_normal((1_000, 100, 8)))
        x /= np.linalg.norm(x, axis=-1, keepdims=True)
        self.x = x
        self.ref = np.full(8, REF)

    def time_hv_approx_batch(self) -> None:
        fk.hv_approx(self.x, self.ref, n_samples=2**14, seed=MC_SEED)
