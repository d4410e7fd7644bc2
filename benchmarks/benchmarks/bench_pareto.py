"""asv benchmarks: Pareto ranks and first fronts (non-dominated sorting).

Data is generated in ``setup`` with a fixed seed, so every commit is timed on the same arrays:

* uniform points in ``[0, 1)^d`` (few points on the first front, many fronts);
* "sphere fronts": ``|N(0, 1)|`` rows scaled to unit length, all mutually non-dominated (the
  first front is the whole set, the worst case for first-front filters);
* batches of small populations, shape ``(b, n, d)``, as an evolutionary algorithm holds them.

The arrays are NumPy, so the benchmarks time the default (C++) backend; set
``FRONTIERKIT_BACKEND`` in the environment to time another one.
"""

from __future__ import annotations

import numpy as np

import frontierkit as fk

SEED = 12345
SIZES = [1_000, 10_000, 100_000]
DIMS = [2, 3, 5, 10]


def uniform(n: int, d: int, seed: int = SEED) -> np.ndarray:
    """``n`` points uniform in ``[0, 1)^d``."""
    return np.random.default_rng(seed).random((n, d))


def sphere(n: int, d: int, seed: int = SEED) -> np.ndarray:
    """``n`` mutually non-dominated points on the positive part of the unit sphere."""
    x = np.abs(np.random.default_rng(seed).standard_normal((n, d)))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


class ParetoRankUniform:
    """``pareto_rank`` and ``nondominated_sort`` (every front) of uniform points."""

    params = (SIZES, DIMS)
    param_names = ["n", "d"]
    timeout = 300

    def setup(self, n: int, d: int) -> None:
        self.x = uniform(n, d)

    def time_pareto_rank(self, n: int, d: int) -> None:
        fk.pareto_rank(self.x)

    def time_nondominated_sort(self, n: int, d: int) -> None:
        fk.nondominated_sort(self.x)


class IsNondominatedUniform:
    """``is_nondominated`` (first front only) of uniform points."""

    params = (SIZES, DIMS)
    param_names = ["n", "d"]
    timeout = 300

    def setup(self, n: int, d: int) -> None:
        self.x = uniform(n, d)

    def time_is_nondominated(self, n: int, d: int) -> None:
        fk.is_nondominated(self.x)

    def time_is_nondominated_keep_weakly(self, n: int, d: int) -> None:
        fk.is_nondominated(self.x, keep_weakly=True)


class SphereFront:
    """A set that is one single front: first-front filter and ranks (all rank 0)."""

    params = (SIZES, DIMS)
    param_names = ["n", "d"]
    timeout = 300

    def setup(self, n: int, d: int) -> None:
        self.x = sphere(n, d)

    def time_is_nondominated(self, n: int, d: int) -> None:
        fk.is_nondominated(self.x)

    def time_pareto_rank(self, n: int, d: int) -> None:
        fk.pareto_rank(self.x)


class Batched:
    """``b`` populations of 200 points ranked together: one 3-D call, ``sets=``, a loop."""

    params = ([100, 1000], [2, 3, 5])
    param_names = ["b", "d"]
    timeout = 300

    def setup(self, b: int, d: int) -> None:
        self.x = np.random.default_rng(SEED).random((b, 200, d))
        self.flat = self.x.reshape(-1, d)
        self.labels = np.repeat(np.arange(b), 200)

    def time_pareto_rank_batch(self, b: int, d: int) -> None:
        fk.pareto_rank(self.x)

    def time_is_nondominated_batch(self, b: int, d: int) -> None:
        fk.is_nondominated(self.x)

    def time_pareto_rank_sets(self, b: int, d: int) -> None:
        fk.pareto_rank(self.flat, sets=self.labels)

    def time_pareto_rank_loop(self, b: int, d: int) -> None:
        for population in self.x:
            fk.pareto_rank(population)


class PeakMemory:
    """Peak memory of one large call (the process peak, the 24 MB input included)."""

    timeout = 300

    def setup(self) -> None:
        self.x = uniform(1_000_000, 3)

    def peakmem_is_nondominated_1e6_d3(self) -> None:
        fk.is_nondominated(self.x)

    def peakmem_pareto_rank_1e6_d3(self) -> None:
        fk.pareto_rank(self.x)
