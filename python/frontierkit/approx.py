"""Monte Carlo hypervolume with standard errors and confidence intervals."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np

from . import _backend, _mc_device
from ._validate import level_quantile, prepare_points, prepare_ref, to_host, to_input_layout
from .hypervolume import _host_backend

__all__ = ["HVCEstimate", "HVEstimate", "hv_approx", "hvc_approx"]

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
    n_samples : int or ndarray of int
        Samples per set (for ``fpras``, the samples its stopping rule drew: one per set for a
        batch).
    method : str
        ``"mc"``, ``"qmc"`` or ``"fpras"``.
    sampler : str or ndarray of str
        Where the samples were drawn: ``"box"`` (uniformly in the bounding box of the points and
        the reference point) or ``"union"`` (in the union of the points' boxes, Karp-Luby).
    seed : int
        The seed used (drawn from the operating system when none was given): passing it again
        reproduces the estimate exactly, on any number of threads.
    replicates : int or None
        For ``qmc``, the number of randomised replicates the standard error comes from (the
        interval then uses Student's t with ``replicates - 1`` degrees of freedom).
    epsilon, delta : float or None
        For ``fpras``: the estimate is within a factor ``1 -+ epsilon`` of the hypervolume with
        probability at least ``1 - delta`` (see :meth:`bound`).

    """

    value: Any
    stderr: Any
    n_samples: Any
    method: str
    sampler: Any
    seed: int
    replicates: int | None = None
    epsilon: float | None = None
    delta: float | None = None

    def ci(self, level: float = 0.95) -> Any:
        """Return the normal-approximation interval ``value -+ z * stderr``.

        A (low, high) pair, or an array of shape (sets, 2) for a batch.
        """
        return _interval(
            self.value, self.stderr, level, None if self.replicates is None else self.replicates - 1
        )

    def bound(self) -> Any:
        """Return the guaranteed interval of ``fpras``, from ``value / (1 + epsilon)``.

        The interval, up to ``value / (1 - epsilon)``, holds the hypervolume with probability at
        least ``1 - delta`` (for a batch, for each set on its own). Only for ``method="fpras"``.
        """
        if self.epsilon is None:
            raise ValueError(f"bound() needs method='fpras', but the method was {self.method!r}")
        v = np.asarray(self.value)
        lo, hi = v / (1.0 + self.epsilon), v / (1.0 - self.epsilon)
        if v.ndim == 0:
            return (float(lo), float(hi))
        return np.stack([lo, hi], axis=-1)


def _interval(value: Any, stderr: Any, level: float, dof: int | None = None) -> Any:
    """``value -+ z * stderr``: a (low, high) pair for scalars, else an array (..., 2)."""
    z = level_quantile(level, dof)
    lo, hi = np.asarray(value) - z * np.asarray(stderr), np.asarray(value) + z * np.asarray(stderr)
    if np.ndim(value) == 0:
        return (float(lo), float(hi))
    return np.stack([lo, hi], axis=-1)


def _check_n_samples(n_samples: Any) -> int:
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"'n_samples' must be an integer, but it is {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(f"'n_samples' must be at least 2, but it is {n_samples}")
    return int(n_samples)


def _check_fraction(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"'{name}' must be a number, but it is {type(value).__name__}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"'{name}' must lie in (0, 1), but it is {value}")
    return float(value)


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
    method: Literal["mc", "qmc", "fpras"] = "mc",
    sampler: Literal["auto", "box", "union"] = "auto",
    seed: Any = None,
    sets: Any = None,
    replicates: int = 16,
    epsilon: float | None = None,
    delta: float | None = None,
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
        Unused by ``fpras``, which draws until its guarantee is met.
    method : {"mc", "qmc", "fpras"}
        ``"mc"``: plain Monte Carlo. ``"qmc"``: randomised quasi-Monte Carlo, ``replicates``
        independently shifted copies of a Kronecker lattice (Roberts' generalised golden-ratio
        sequence) of ``n_samples // replicates`` points; the standard error comes from the
        replicates' spread. ``"fpras"``: an (``epsilon``, ``delta``) approximation -- within a
        factor ``1 -+ epsilon`` of the hypervolume with probability at least ``1 - delta`` --
        by the stopping rule of Dagum, Karp, Luby and Ross on the chosen sampler.
    sampler : {"auto", "box", "union"}
        ``"box"``: uniform samples in the bounding box ``[min of the points, ref]``, counting
        those some point dominates (each test stops at the first dominating point).
        ``"union"``: samples only inside the union of the points' boxes: a box chosen with
        probability proportional to its volume, a point uniform in it, weighted by one over the
        number of boxes containing it (Karp and Luby's estimator, as used for hypervolume by
        Bringmann and Friedrich) -- right when the union is a small part of its bounding box.
        ``"auto"`` runs a pilot of 2,048 samples of each (on streams of their own; fewer, down
        to 256, for sets of more than 2,048 points) and keeps the one of least variance per
        unit of work.
    seed : int, optional
        Seed of the counter-based generator (Philox4x32-10): the same seed gives the same
        estimate on every call and any number of threads. None draws one (see ``.seed``).
    sets : array_like of int, optional
        Set labels of the rows of a 2-D ``points``: one estimate per set.
    replicates : int
        Randomised replicates of ``qmc`` (at least 2).
    epsilon, delta : float, optional
        The relative error and failure probability of ``fpras``, each in (0, 1); default 0.01
        and 0.05. Only for ``fpras``.

    Returns
    -------
    HVEstimate
        ``value``, ``stderr``, ``ci(level)``, ``n_samples``, ``sampler``, ``seed``.

    Notes
    -----
    Both samplers are unbiased; ``stderr`` is the sample standard deviation of the estimator over
    ``sqrt(n_samples)``, and ``ci`` the normal interval around the estimate (tested: the 95%
    interval holds the exact volume in 93-97% of seeds, d = 2..8).

    ``fpras`` draws samples Z in [0, 1] (a hit of the box sampler, or 1/c of the union sampler)
    until their sum reaches ``T = 1 + (1 + epsilon) 4 (e - 2) ln(2 / delta) / epsilon^2`` and
    reports ``scale * T / N``; the guarantee holds for either sampler, so ``auto`` keeps the one
    the pilot says needs the least work (about ``T / mean`` samples). With the union sampler the
    mean is at least ``1 / n``, so it needs at most ``n T`` samples: polynomial in n, d,
    ``1 / epsilon`` and ``log(1 / delta)``. ``.bound()`` gives the guaranteed interval.

    Sample i of a set is a pure
    function of (seed, set, i), so threads share the samples in fixed chunks whose sums are
    added in order. Cost O(n d) per sample at worst; the box sampler tests 8 points at a time.
    Philox: Salmon et al., SC 2011. Union sampling: Karp & Luby, J. Algorithms 1989; Bringmann
    & Friedrich, CGTA 43(6), 2010. Stopping rule: Dagum, Karp, Luby & Ross, SIAM J. Comput.
    29(5), 2000.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> est = fk.hv_approx([[1, 2], [2, 1]], ref=[3, 3], n_samples=100_000, seed=1)
    >>> abs(est.value - 3.0) < 4 * est.stderr
    True
    >>> lo, hi = est.ci(0.95)
    >>> g = fk.hv_approx([[1, 2], [2, 1]], ref=[3, 3], method="fpras", epsilon=0.05, seed=1)
    >>> lo, hi = g.bound()  # holds 3.0 with probability >= 0.95

    """
    if method not in ("mc", "qmc", "fpras"):
        raise ValueError(f"'method' must be 'mc', 'qmc' or 'fpras', but it is {method!r}")
    eps = dlt = 0.0
    if method == "fpras":
        eps = _check_fraction("epsilon", 0.01 if epsilon is None else epsilon)
        dlt = _check_fraction("delta", 0.05 if delta is None else delta)
    elif epsilon is not None or delta is not None:
        raise ValueError(f"'epsilon' and 'delta' apply to method='fpras' only, not {method!r}")
    if isinstance(replicates, (bool, np.bool_)) or not isinstance(replicates, (int, np.integer)):
        raise TypeError(f"'replicates' must be an integer, but it is {type(replicates).__name__}")
    if sampler not in _SAMPLERS:
        raise ValueError(f"'sampler' must be one of {', '.join(_SAMPLERS)}, but it is {sampler!r}")
    n_samples = _check_n_samples(n_samples)
    reps = 0
    if method == "qmc":
        if not 2 <= replicates <= n_samples:
            raise ValueError(f"'replicates' must be from 2 to n_samples, but it is {replicates}")
        reps = int(replicates)
    s = _seed(seed)
    prep = prepare_points(points, maximise=maximise, sets=sets)
    r = prepare_ref(ref, prep, maximise)
    if _on_device(prep) and method != "fpras":
        value, err, used_dev = _mc_device.hv_approx(
            _mc_device.DeviceKernels(), _device_data(prep), prep.offsets, r, n_samples, s,
            _SAMPLERS[sampler], reps,
        )  # fmt: skip
        if not prep.cupy:  # NumPy input on the forced CUDA backend
            value, err = value.get(), err.get()
        used = used_dev.get()
        return _estimate_result(prep, sets, method, value, err, used, None, n_samples, s, reps)
    data = prep.host
    name = _host_backend(prep, "hv_approx", stacklevel=3)
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        value, err, used, drawn = core.hv_approx(
            data, prep.offsets, r, int(n_samples), s, _SAMPLERS[sampler], reps, eps, dlt, 0
        )
    else:
        fallback = _fallback_module(name)
        value, err, used, drawn = fallback.hv_approx(
            data, prep.offsets, r, int(n_samples), s, _SAMPLERS[sampler], reps, eps, dlt
        )
    ed = (eps, dlt) if method == "fpras" else None
    return _estimate_result(prep, sets, method, value, err, used, drawn, n_samples, s, reps, ed)


def _fallback_module(name: str) -> Any:
    """Return the numba or the NumPy implementation (the same samples as the C++ core)."""
    if name == "numba":
        from ._fallback import numba_mc

        return numba_mc
    from ._fallback import numpy_mc

    return numpy_mc


def _on_device(prep: Any) -> bool:
    """Say whether the CUDA kernels take this call (CUDA backend in use, d <= 64)."""
    return prep.d <= _mc_device.MAX_D and _backend.backend(prep.cupy) == "cuda"


def _device_data(prep: Any) -> Any:
    import cupy as cp

    return prep.data if prep.cupy else cp.asarray(prep.data)


def _estimate_result(prep, sets, method, value, err, used, drawn, n_samples, seed, reps, ed=None):
    """Build the HVEstimate: scalars for a single set, else arrays (CuPy for CuPy input)."""
    q = reps or None
    ed = ed or (None, None)
    if prep.batch is None and sets is None:
        n_used = int(drawn[0]) if method == "fpras" else int(n_samples)
        sampler = str(_SAMPLER_NAMES[int(used[0])])
        return HVEstimate(float(value[0]), float(err[0]), n_used, method, sampler, seed, q, *ed)
    if prep.cupy:
        import cupy as cp

        value, err = cp.asarray(value), cp.asarray(err)
    n_used = drawn if method == "fpras" else int(n_samples)
    return HVEstimate(value, err, n_used, method, _SAMPLER_NAMES[used], seed, q, *ed)


@dataclasses.dataclass(frozen=True)
class HVCEstimate:
    """Monte Carlo estimates of every row's exclusive hypervolume contribution.

    Attributes
    ----------
    value, stderr : ndarray, shape (n,) or (b, n)
        Estimated contributions and their standard errors, in the input's layout (0 for rows
        that do not strictly dominate the reference point, and for rows another row weakly
        dominates).
    n_samples : int
        Samples per row.
    seed : int
        The seed used.
    sets : ndarray or None
        The set label of every row when ``sets=`` was given.

    """

    value: Any
    stderr: Any
    n_samples: int
    seed: int
    sets: Any = None

    def ci(self, level: float = 0.95) -> Any:
        """Normal-approximation intervals, shape (n, 2)."""
        return _interval(self.value, self.stderr, level)

    def least_contributor(self, n_draws: int = 4096) -> Any:
        """Return the row of least estimated contribution and the probability that it is the least.

        The probability is that of the row being the minimum when every row's contribution is
        drawn from its estimate's normal distribution (independent across rows, as their
        samples are), computed from ``n_draws`` joint draws with a generator seeded by
        ``seed``. Returns ``(index, probability)``, or arrays of them, one per set, for a batch.
        """
        value, err = np.asarray(to_host(self.value)), np.asarray(to_host(self.stderr))
        rng = np.random.default_rng(self.seed)
        if value.ndim == 2:  # a batch (b, n): one answer per set
            out = [_least(v, e, rng, n_draws) for v, e in zip(value, err)]
        elif self.sets is not None:
            labels = np.asarray(self.sets)
            out = [
                _least(
                    value[labels == g], err[labels == g], rng, n_draws, np.flatnonzero(labels == g)
                )
                for g in np.unique(labels)
            ]
        else:
            return _least(value, err, rng, n_draws)
        return np.array([i for i, _ in out]), np.array([q for _, q in out])


def _least(
    value: np.ndarray, err: np.ndarray, rng: np.random.Generator, n_draws: int, index: Any = None
):
    if value.size == 0:
        raise ValueError("least_contributor needs at least one row")
    best = int(np.argmin(value))
    draws = value + err * rng.standard_normal((n_draws, value.size))
    prob = float(np.mean(np.argmin(draws, axis=1) == best))
    return (best if index is None else int(index[best])), prob


def hvc_approx(
    points: Any,
    /,
    ref: Any,
    *,
    maximise: bool | Any = False,
    n_samples: int = 2**12,
    seed: Any = None,
    sets: Any = None,
) -> HVCEstimate:
    """Estimate every row's exclusive hypervolume contribution by Monte Carlo sampling.

    Parameters
    ----------
    points, ref, maximise, sets
        As in :func:`frontierkit.hv_contributions`.
    n_samples : int
        Samples per row (at least 2).
    seed : int, optional
        Seed of the Philox4x32-10 generator (sample t of row i of set s depends on nothing
        else); None draws one.

    Returns
    -------
    HVCEstimate
        ``value``, ``stderr``, ``ci(level)`` and ``least_contributor()`` (the index of the least
        contributor and the probability that it is the least: what SMS-EMOA-style selection
        needs when exact contributions are too slow).

    Notes
    -----
    Row i's exclusive region lies in the box [p_i, b_i], where b_ij is the smallest q_j over
    the rows q that are no worse than p_i in every coordinate but j (and ref_j): beyond it, q
    dominates. Samples are drawn uniformly in that box and count when no other row dominates
    them (Bringmann & Friedrich's sampling box for contributions, "Approximating the least
    hypervolume contributor", TCS 425, 2012). The standard error uses the share (hits + 1/2) /
    (n + 1), so a box found wholly exclusive still gets an error bar. O(n^2 d) to find the
    boxes, then O(n d) per sample; rows share the threads.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> est = fk.hvc_approx([[1, 3], [2, 2], [3, 1]], ref=[4, 4], seed=0)
    >>> est.value.round(6).tolist()  # each row's box is wholly exclusive here: exact
    [1.0, 1.0, 1.0]
    >>> est.least_contributor()[0] in (0, 1, 2)
    True

    """
    n_samples = _check_n_samples(n_samples)
    s = _seed(seed)
    prep = prepare_points(points, maximise=maximise, sets=sets)
    r = prepare_ref(ref, prep, maximise)
    labels = None if sets is None else np.asarray(to_host(sets))
    if _on_device(prep):
        value, err = _mc_device.hvc_approx(
            _mc_device.DeviceKernels(), _device_data(prep), prep.offsets, r, int(n_samples), s
        )
        value, err = to_input_layout(prep, value), to_input_layout(prep, err)
        return HVCEstimate(value, err, int(n_samples), s, labels)
    data = prep.host
    name = _host_backend(prep, "hvc_approx", stacklevel=3)
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        value, err = core.hvc_approx(data, prep.offsets, r, int(n_samples), s, 0)
    else:
        value, err = _fallback_module(name).hvc_approx(data, prep.offsets, r, int(n_samples), s)
    value, err = to_input_layout(prep, value), to_input_layout(prep, err)
    return HVCEstimate(value, err, int(n_samples), s, labels)
