"""Plain-Python fallback of the batched curve fitter.

A port of the C++ fit_models.hpp, fit_solver.hpp, fit_starts.hpp and src/fit.cpp.

Runs :mod:`frontierkit._fallback.fit_kernel`'s code interpreted, per problem and per point, so it
is slow (up to 0.2 s per problem of 25 points, for the broken power law's 882-point start grid;
thousands of times slower than the core) but gives the C++ core's results. Two substitutions
keep it so (see :func:`fit_kernel.rebind`):

* arrays become nested Python lists for the duration of the call, so that every value is a
  Python float (NumPy scalars are slower, and warn on overflow where C is silent);
* ``math`` becomes :class:`_CMath`, whose functions return what C's do where CPython's raise
  (exp overflow gives inf, log(0) gives -inf, sqrt(-1) gives NaN). They call the very same C
  library functions otherwise, so the values are bit-identical.
"""

from __future__ import annotations

import math

import numpy as np

from . import fit_kernel

__all__ = ["fit_batch", "fit_objective", "fit_residuals"]


class _CMath:
    """The subset of ``math`` that the kernel uses, with C's results instead of exceptions."""

    inf = math.inf
    nan = math.nan
    fabs = staticmethod(math.fabs)
    atan = staticmethod(math.atan)
    copysign = staticmethod(math.copysign)

    @staticmethod
    def exp(x):
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def log(x):
        if x > 0 or x != x:
            return math.log(x)
        return -math.inf if x == 0 else math.nan

    @staticmethod
    def log1p(x):
        if x > -1.0 or x != x:
            return math.log1p(x)
        return -math.inf if x == -1.0 else math.nan

    @staticmethod
    def sqrt(x):
        if x >= 0 or x != x:
            return math.sqrt(x)
        return math.nan

    @staticmethod
    def pow(x, y):
        try:
            return math.pow(x, y)
        except OverflowError:
            # Only a positive result can overflow where the kernel calls pow (base 10, 1 + z).
            return math.inf
        except ValueError:  # 0 to a negative power, or a negative base to a fraction
            return math.inf if x == 0 else math.nan


class _ListArrays:
    """Stands for ``np`` in the kernel: its fixed-size scratch arrays become Python lists."""

    int64 = int
    float64 = float

    @staticmethod
    def empty(n, dtype=float):
        return [dtype(0)] * n

    @staticmethod
    def zeros(n, dtype=float):
        return [dtype(0)] * n


def _to_lists(a):
    return a.tolist()


def _from_lists(obj, like):
    return np.asarray(obj, dtype=like.dtype).reshape(like.shape)


_ns = fit_kernel.rebind(
    {
        "math": _CMath,
        "np": _ListArrays,
        "prange": range,
        "_to_kernel": _to_lists,
        "_from_kernel": _from_lists,
    }
)

fit_batch = _ns.fit_batch
fit_objective = _ns.fit_objective
fit_residuals = _ns.fit_residuals
