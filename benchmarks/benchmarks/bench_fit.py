"""asv benchmarks: batched curve fitting and Chinchilla scaling-law fits.

All data is generated in ``setup`` with a fixed seed (nothing is read from disk):

* saturating power laws ``y = a x^-b + c``, 20 points per curve log-spaced over 1e6..1e9,
  ``a ~ U(5, 50)``, ``b ~ U(0.1, 0.6)``, ``c ~ U(1, 3)``, 1% multiplicative noise; the batch is
  fitted in one ``fit_curves`` call;
* synthetic Chinchilla runs: an IsoFLOP-style design (model sizes swept at fixed compute
  budgets) with losses from Hoffmann et al.'s fitted law and 1% log-normal noise, fitted with
  ``fit_chinchilla`` (Huber on log L, variable-projection starts, Hoffmann et al.'s grid, and
  bootstrap refits);
* log-linear laws ``y = c x1^a1 x2^a2`` (two inputs), fitted in log space, where the model is
  linear and the fit is one least-squares solve per curve.

The arrays are NumPy, so the benchmarks time the default (C++) backend; set
``FRONTIERKIT_BACKEND`` in the environment to time another one.
"""

from __future__ import annotations

import numpy as np

import frontierkit as fk

from .bench_pareto import SEED

POINTS = 20  # per curve
HOFFMANN = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def saturating_curves(k: int, m: int = POINTS, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``k`` noisy saturating power laws sampled at ``m`` shared x: ``(x (m,), Y (k, m))``."""
    rng = np.random.default_rng(seed)
    x = np.geomspace(1e6, 1e9, m)
    a, b, c = rng.uniform(5, 50, k), rng.uniform(0.1, 0.6, k), rng.uniform(1, 3, k)
    y = a[:, None] * x ** -b[:, None] + c[:, None]
    return x, y * (1 + 0.01 * rng.standard_normal((k, m)))


def chinchilla_runs(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic training runs ``(N, D, L)``: 12 compute budgets from 1e18 to 1e22 FLOPs, 24
    model sizes from 5e7 to 2e10 parameters each, kept where 2e8 <= D <= 5e11 tokens (about
    200 runs), losses from Hoffmann et al.'s law with 1% log-normal noise."""
    n, c = np.meshgrid(np.geomspace(5e7, 2e10, 24), np.geomspace(1e18, 1e22, 12))
    d = c / (6 * n)
    keep = (d >= 2e8) & (d <= 5e11)
    n, d = n[keep], d[keep]
    h = HOFFMANN
    law = h["E"] + h["A"] * n ** -h["alpha"] + h["B"] * d ** -h["beta"]
    noise = np.exp(0.01 * np.random.default_rng(seed).standard_normal(n.size))
    return n, d, law * noise


def loglinear_curves(k: int, m: int = POINTS, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``k`` laws ``c x1^a1 x2^a2`` with 2% log-normal noise at ``m`` shared two-input points:
    ``(x (m, 2), Y (k, m))``."""
    rng = np.random.default_rng(seed)
    x = np.exp(rng.uniform(np.log(1e6), np.log(1e10), (m, 2)))
    c = rng.uniform(1, 10, k)
    a = rng.uniform(-0.5, 0.5, (k, 2))
    y = c[:, None] * np.exp(a @ np.log(x).T)
    return x, y * np.exp(0.02 * rng.standard_normal((k, m)))


class SaturatingBatch:
    """``fit_curves("saturating_power")`` on ``k`` curves of 20 points in one call."""

    params = ([1_000, 10_000],)
    param_names = ["k"]
    timeout = 300

    def setup(self, k: int) -> None:
        self.x, self.y = saturating_curves(k)

    def time_fit_curves(self, k: int) -> None:
        fk.fit_curves("saturating_power", self.x, self.y)


class Chinchilla:
    """``fit_chinchilla`` on synthetic runs: default (variable-projection) starts, Hoffmann et
    al.'s grid of starts, and 200 bootstrap resamples."""

    timeout = 300

    def setup(self) -> None:
        self.n, self.d, self.loss = chinchilla_runs()

    def time_varpro(self) -> None:
        fk.fit_chinchilla(self.n, self.d, self.loss)

    def time_hoffmann_init(self) -> None:
        fk.fit_chinchilla(self.n, self.d, self.loss, init="hoffmann")

    def time_bootstrap_200(self) -> None:
        fk.fit_chinchilla(self.n, self.d, self.loss, bootstrap=200, seed=0)


class LogLinearBatch:
    """``fit_curves("loglinear", space="log")`` on 10,000 two-input curves of 20 points: linear
    in log space, so each fit is a closed-form least-squares solve."""

    timeout = 300

    def setup(self) -> None:
        self.x, self.y = loglinear_curves(10_000)

    def time_fit_curves_log(self) -> None:
        fk.fit_curves("loglinear", self.x, self.y, space="log")
