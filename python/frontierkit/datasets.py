"""Generated benchmark data (for the demo, the benchmarks and quick experiments)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

__all__ = ["ScalingRuns", "scaling_law_runs", "sphere_front", "uniform_points"]


def uniform_points(n: int, d: int, *, seed: int | None = 0) -> np.ndarray:
    """``n`` points drawn uniformly from the unit cube ``[0, 1)^d``.

    Examples
    --------
    >>> uniform_points(3, 2, seed=1).shape
    (3, 2)

    """
    return np.random.default_rng(seed).random((int(n), int(d)))


def sphere_front(n: int, d: int, *, seed: int | None = 0) -> np.ndarray:
    """``n`` points on the positive part of the unit sphere: all mutually non-dominated.

    Examples
    --------
    >>> p = sphere_front(4, 3, seed=1)
    >>> bool(np.allclose((p ** 2).sum(axis=1), 1.0))
    True

    """
    x = np.abs(np.random.default_rng(seed).standard_normal((int(n), int(d))))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


#: Hoffmann et al.'s (2022) fitted law, the default truth of :func:`scaling_law_runs`.
CHINCHILLA_TRUTH: Mapping[str, float] = {
    "E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28,
}


@dataclasses.dataclass(frozen=True)
class ScalingRuns:
    """Synthetic training runs of :func:`scaling_law_runs`, one entry per run.

    Attributes
    ----------
    N, D, L, C : ndarray, shape (M,)
        Parameters, training tokens, final loss and compute budget (``C = 6 N D``) of each run.
    truth : dict
        The parameters ``E, A, B, alpha, beta`` of the law the losses were drawn from.
    noise : float
        Standard deviation of the multiplicative (log-normal) noise on ``L``.

    """

    N: np.ndarray
    D: np.ndarray
    L: np.ndarray
    C: np.ndarray
    truth: dict[str, float]
    noise: float

    def law(self, N: np.ndarray, D: np.ndarray) -> np.ndarray:
        """Return the noise-free loss ``E + A N^-alpha + B D^-beta`` of the true law."""
        t = self.truth
        return t["E"] + t["A"] * np.asarray(N) ** -t["alpha"] + t["B"] * np.asarray(D) ** -t["beta"]

    def compute_optimal(self, C: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the true compute-optimal ``(N_opt, D_opt)`` for budgets ``C`` (``C = 6 N D``)."""
        return _optimum(self.truth, np.asarray(C, dtype=float))


def _optimum(t: Mapping[str, float], c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Minimising A N^-alpha + B (C / 6N)^-beta over N: alpha A N^-alpha = beta B D^-beta.
    s = t["alpha"] + t["beta"]
    g = (t["alpha"] * t["A"] / (t["beta"] * t["B"])) ** (1.0 / s)
    n_opt = g * (c / 6.0) ** (t["beta"] / s)
    return n_opt, c / (6.0 * n_opt)


def scaling_law_runs(
    n_budgets: int = 5,
    per_budget: int = 9,
    *,
    budgets: tuple[float, float] = (1e18, 1e22),
    spread: float = 8.0,
    noise: float = 0.005,
    truth: Mapping[str, float] | None = None,
    seed: int | None = 0,
) -> ScalingRuns:
    """Synthetic Chinchilla-style training runs from an IsoFLOP design.

    ``n_budgets`` compute budgets ``C`` are spaced geometrically over ``budgets``. At each
    budget, ``per_budget`` model sizes ``N`` are spaced geometrically from ``N_opt / spread``
    to ``N_opt * spread`` around the true compute-optimal size, each trained on
    ``D = C / (6 N)`` tokens. The final losses follow
    ``L = (E + A N^-alpha + B D^-beta) * exp(noise * z)`` with standard normal ``z``.

    Parameters
    ----------
    n_budgets : int
        Number of compute budgets (IsoFLOP curves).
    per_budget : int
        Number of model sizes (runs) per budget.
    budgets : (float, float)
        Smallest and largest budget, in FLOPs.
    spread : float
        Factor (> 1) between the compute-optimal size and the smallest and largest size.
    noise : float
        Standard deviation of the log-normal noise on the loss (0.005 is about 0.5 %).
    truth : mapping, optional
        Any of ``E, A, B, alpha, beta``, replacing Hoffmann et al.'s values
        (E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28).
    seed : int or None
        Seed of NumPy's default generator (for the noise).

    Returns
    -------
    ScalingRuns
        ``N``, ``D``, ``L`` and ``C`` of the ``n_budgets * per_budget`` runs (budget by
        budget, sizes ascending), the ``truth`` and ``compute_optimal(C)`` of the true law.

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.datasets import scaling_law_runs
    >>> runs = scaling_law_runs(4, 7, noise=0.0, seed=0)
    >>> runs.N.shape
    (28,)
    >>> bool(np.allclose(6 * runs.N * runs.D, runs.C))
    True
    >>> bool(np.allclose(runs.L, runs.law(runs.N, runs.D)))
    True

    """
    n_budgets, per_budget = int(n_budgets), int(per_budget)
    if n_budgets < 1 or per_budget < 1:
        raise ValueError(
            f"'n_budgets' and 'per_budget' must be positive, but they are {n_budgets}, {per_budget}"
        )
    lo, hi = (float(b) for b in budgets)
    if not 0 < lo <= hi < np.inf:
        raise ValueError(f"'budgets' must be 0 < low <= high (finite), but it is {budgets!r}")
    if not spread >= 1:
        raise ValueError(f"'spread' must be at least 1, but it is {spread}")
    if not noise >= 0:
        raise ValueError(f"'noise' must be non-negative, but it is {noise}")
    t = dict(CHINCHILLA_TRUTH)
    unknown = set(truth or ()) - set(t)
    if unknown:
        raise ValueError(f"'truth' takes E, A, B, alpha, beta, not {', '.join(sorted(unknown))}")
    t.update({k: float(v) for k, v in (truth or {}).items()})
    c = np.geomspace(lo, hi, n_budgets)
    n_opt, _ = _optimum(t, c)
    n = (n_opt[:, None] * np.geomspace(1.0 / spread, spread, per_budget)[None, :]).ravel()
    cc = np.repeat(c, per_budget)
    d = cc / (6.0 * n)
    clean = t["E"] + t["A"] * n ** -t["alpha"] + t["B"] * d ** -t["beta"]
    z = np.random.default_rng(seed).standard_normal(n.size)
    return ScalingRuns(N=n, D=d, L=clean * np.exp(noise * z), C=cc, truth=t, noise=float(noise))
