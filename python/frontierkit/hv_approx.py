"""Monte Carlo hypervolume with standard errors and confidence intervals."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any, Literal

import numpy as np

from . import _backend
from ._validate import prepare_points, prepare_ref
from ._warnings import FallbackWarning

__all__ = ["HVEstimate", "hv_approx"]

_SAMPLERS = {"auto": -1, "box": 0, "union": 1}
_SAMPLER_NAMES = np.array(["box", "union"])


@dataclasses.dataclass(frozen=True)
class HVEstimate:
    """A Monte Carlo estimate of the hypervolume (of one set, or of every set of a batch).

    Attributes
    ----------
    value, stderr : float or ndarray
        The estimate and its standard error (the sample standard deviation of the estimator over
        the square root of ``n_samples``); arrays of one value per set for a batch.
    n_samples : int
        Samples per set.
    method : str
        ``"mc"``.
    sampler : str or ndarray of str
        Where the samples were drawn: ``"box"`` (uniformly in the bounding box of the points and
        the reference point) or ``"union"`` (in the union of the points' boxes, Karp-Luby).
    seed : int
        The seed used (drawn from the operating system when none was given): passing it again
        reproduces the estimate exactly, on any number of threads.

    """

    value: Any
    stderr: Any
    n_samples: int
    method: str
    sampler: Any
    seed: int

    def ci(self, level: float = 0.95) -> Any:
        """Normal-approximation interval ``value -+ z * stderr``: a (low, high) pair, or an
        array of shape (sets, 2) for a batch.
        """
        if not 0 < level < 1:
            raise ValueError(f"'level' must be between 0 and 1, but it is {level}")
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + level / 2)
        lo, hi = (
            np.asarray(self.value) - z * np.asarray(self.stderr),
            np.asarray(self.value) + z * np.asarray(self.stderr),
        )
        if np.ndim(self.value) == 0:
            return (float(lo), float(hi))
        return np.stack([lo, hi], axis=-1)


def _seed(seed: Any) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy) & (2**64 - 1)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"'seed' must be an integer or None, but it is {type(seed).__name__}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"'seed' must be in [0, 2**64), but it is {seed}")
    return int(seed)


def hv_approx(
    points: Any,
    /,
    ref: Any,
    *,
    maximise: bool | Any = False,
    n_samples: int = 2**16,
    method: Literal["mc"] = "mc",
    sampler: Literal["auto", "box", "union"] = "auto",
    seed: Any = None,
    sets: Any = None,
) -> HVEstimate:
    """Estimate the hypervolume by Monte Carlo sampling, with a standard error.

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        Objective vectors (rows), as in :func:`frontierkit.hypervolume`.
    ref : array_like
        Reference point (one value per objective, or a scalar); rows that do not strictly
        dominate it do not count.
    maximise : bool or sequence of bool
        Objectives to maximise.
    n_samples : int
        Samples per set (at least 2). The standard error falls as ``1 / sqrt(n_samples)``.
    method : {"mc"}
        Plain Monte Carlo.
    sampler : {"auto", "box", "union"}
        ``"box"``: uniform samples in the bounding box ``[min of the points, ref]``, counting
        those some point dominates (each test stops at the first dominating point).
        ``"union"``: samples only inside the union of the points' boxes: a box chosen with
        probability proportional to its volume, a point uniform in it, weighted by one over the
        number of boxes containing it (Karp and Luby's estimator, as used for hypervolume by
        Bringmann and Friedrich) -- right when the union is a small part of its bounding box.
        ``"auto"`` runs a pilot of 2,048 samples of each (on streams of their own) and keeps
        the one of least variance per unit of work.
    seed : int, optional
        Seed of the counter-based generator (Philox4x32-10): the same seed gives the same
        estimate on every call and any number of threads. None draws one (see ``.seed``).
    sets : array_like of int, optional
        Set labels of the rows of a 2-D ``points``: one estimate per set.

    Returns
    -------
    HVEstimate
        ``value``, ``stderr``, ``ci(level)``, ``n_samples``, ``sampler``, ``seed``.

    Notes
    -----
    Both samplers are unbiased; ``stderr`` is the sample standard deviation of the estimator over
    ``sqrt(n_samples)``, and ``ci`` the normal interval around the estimate (tested: the 95%
    interval holds the exact volume in 93-97% of seeds, d = 2..8). Sample i of a set is a pure
    function of (seed, set, i), so threads share the samples in fixed chunks whose sums are
    added in order. Cost O(n d) per sample at worst; the box sampler tests 8 points at a time.
    Philox: Salmon et al., SC 2011. Union sampling: Karp & Luby, J. Algorithms 1989; Bringmann
    & Friedrich, CGTA 43(6), 2010.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> est = fk.hv_approx([[1, 2], [2, 1]], ref=[3, 3], n_samples=100_000, seed=1)
    >>> abs(est.value - 3.0) < 4 * est.stderr
    True
    >>> lo, hi = est.ci(0.95)

    """
    if method != "mc":
        raise ValueError(f"'method' must be 'mc', but it is {method!r}")
    if sampler not in _SAMPLERS:
        raise ValueError(f"'sampler' must be one of {', '.join(_SAMPLERS)}, but it is {sampler!r}")
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"'n_samples' must be an integer, but it is {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(f"'n_samples' must be at least 2, but it is {n_samples}")
    s = _seed(seed)
    prep = prepare_points(points, maximise=maximise, sets=sets)
    r = prepare_ref(ref, prep, maximise)
    data = prep.host
    name = _backend.backend(prep.cupy)
    if name == "cuda":
        warnings.warn(
            "hv_approx has no CUDA kernel yet; computing on the host", FallbackWarning, stacklevel=2
        )
        name = "cpp" if _backend.core_module() is not None else "numpy"
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        value, err, used = core.hv_approx(
            data, prep.offsets, r, int(n_samples), s, _SAMPLERS[sampler], 0
        )
    else:
        from ._fallback import numpy_mc

        value, err, used = numpy_mc.hv_approx(
            data, prep.offsets, r, int(n_samples), s, _SAMPLERS[sampler]
        )
    single = prep.batch is None and sets is None
    if single:
        return HVEstimate(
            float(value[0]), float(err[0]), int(n_samples), method, str(_SAMPLER_NAMES[used[0]]), s
        )
    if prep.cupy:
        import cupy as cp

        value, err = cp.asarray(value), cp.asarray(err)
    return HVEstimate(value, err, int(n_samples), method, _SAMPLER_NAMES[used], s)
