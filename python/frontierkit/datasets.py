"""Generated benchmark point sets (for the demo, the benchmarks and quick experiments)."""

from __future__ import annotations

import numpy as np

__all__ = ["sphere_front", "uniform_points"]


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
