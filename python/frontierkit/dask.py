"""Scale-out on Dask: the batched kernels applied chunk by chunk to dask arrays.

Every function here takes a dask array (a NumPy array is wrapped with :func:`dask.array.asarray`)
and returns a lazy result built with :func:`dask.array.map_blocks` (or
:func:`dask.array.blockwise`, its general form): nothing is computed until you call
``.compute()``, ``dask.compute(...)`` or ``.persist()``, and each chunk then runs the same
compiled kernel as the in-memory function, with the same result.

- :func:`pareto_rank`, :func:`is_nondominated`, :func:`hypervolume`, :func:`hv_contributions`
  and :func:`hv_approx` take a batch of sets of shape ``(b, n, d)`` chunked along the set axis
  (axis 0). The kernels need whole sets, so chunks that split ``n`` or ``d`` are merged first
  (a lazy ``rechunk``); a chunk of ``c`` sets then holds ``c * n * d`` float64 values.
- :func:`fit_curves` takes curves ``y`` of shape ``(K, M)`` chunked along ``K``; ``x`` (and
  ``weights``, ``mask``, ``p0``) either shared or with one row per curve, chunked like ``y``.

Results equal those of the in-memory call bit for bit, whatever the chunking: the Monte Carlo
estimates use the same sample streams (set ``s`` of the batch draws stream ``s`` in every chunk),
and the fits use the default exponent bounds of the whole batch (found by a first, cheap pass over
the data; pass finite ``bounds`` for the exponents to skip it). Errors that depend only on shapes,
dtypes and options are raised at once; those that depend on the values (NaN in a set, a
non-positive ``x``) are raised when the graph is computed, with the same message as in memory
(set numbers counted in the whole batch).

Schedulers
----------
Without a client, dask runs the chunks on its default threaded scheduler: the kernels release
the GIL, so the threads run in parallel (each kernel call also shares a large chunk among the
cores itself, so on one machine the in-memory call is usually as fast; dask pays off when the
batch does not fit in memory or when there are more machines). With a ``distributed`` client,
the chunks run on its workers::

    from dask.distributed import Client, LocalCluster

    client = Client(LocalCluster(n_workers=1, threads_per_worker=2))  # this machine, or
    client = Client("tcp://scheduler-host:8786")  # a running `dask scheduler` + `dask worker`s

Every worker must be able to import frontierkit, the same version as the client: install it
in the workers' environment (their image, conda environment or virtualenv), or on running
workers with ``client.register_plugin(PipInstall(packages=["frontierkit==<version>"]))``
(``from distributed.diagnostics.plugin import PipInstall``); check with
``client.get_versions(check=True, packages=["frontierkit"])``. A kernel call already shares its
chunk among every core of its machine, so one worker process per machine with a thread or two
keeps the cores busy; more processes or threads only oversubscribe them. Chunks travel between
processes, so build the input on the workers (``da.from_zarr``, ``da.from_array`` over a file,
``dask.array.random``) rather than sending a large NumPy array from the client.

Examples
--------
>>> import numpy as np, dask.array as da
>>> import frontierkit as fk, frontierkit.dask as fkd
>>> pts = np.random.default_rng(0).random((1000, 50, 3))
>>> x = da.from_array(pts, chunks=(250, 50, 3))
>>> hv = fkd.hypervolume(x, ref=[1, 1, 1])  # lazy: a dask array of shape (1000,)
>>> bool((hv.compute() == fk.hypervolume(pts, ref=[1, 1, 1])).all())
True

"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Literal

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError as exc:  # pragma: no cover - exercised only without dask
    raise ImportError(
        "frontierkit.dask needs dask: pip install 'dask[array,distributed]' "
        "(or pip install 'frontierkit[dask]')"
    ) from exc

from . import _backend
from . import approx as _approx
from . import fit as _fit
from ._validate import _check_dtype, level_quantile, prepare_points, prepare_ref
from .hypervolume import _host_backend as _hv_host_backend
from .hypervolume import hv_contributions as _hv_contributions
from .hypervolume import hypervolume as _hypervolume
from .pareto import is_nondominated as _is_nondominated
from .pareto import pareto_rank as _pareto_rank

__all__ = [
    "DaskFitResult",
    "DaskHVEstimate",
    "fit_curves",
    "hv_approx",
    "hv_contributions",
    "hypervolume",
    "is_nondominated",
    "pareto_rank",
]


# --- input checks ------------------------------------------------------------------------------


def _as_dask(a: Any, name: str) -> da.Array:
    """Return ``a`` as a dask array (NumPy and array_like input are wrapped, not copied)."""
    if isinstance(a, da.Array):
        return a
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"'{name}' must be an array of numbers, but it is {type(a).__name__}")
    try:
        return da.asarray(a)
    except Exception as exc:
        raise ValueError(f"'{name}' must be a rectangular array of numbers: {exc}") from exc


def _check_known(a: da.Array, name: str) -> None:
    if any(np.isnan(s) for s in a.shape):
        raise ValueError(
            f"'{name}' must have known chunk sizes, but its shape is {a.shape}: call "
            f"{name}.compute_chunk_sizes() first"
        )


def _batch(points: Any, sets: Any) -> da.Array:
    """Check a (b, n, d) batch and give every chunk whole sets (axes 1 and 2 in one chunk)."""
    if sets is not None:
        raise NotImplementedError(
            "'sets' is not supported by frontierkit.dask: give a 3-D batch (b, n, d) instead, "
            "padding short sets with rows of the worst value in every objective (+inf where "
            "minimised, -inf where maximised), which change no rank, volume or contribution "
            "of the other rows"
        )
    arr = _as_dask(points, "points")
    _check_dtype(np.dtype(arr.dtype), "points")
    if arr.ndim != 3:
        raise ValueError(
            "'points' must be a 3-D batch of shape (b, n, d) chunked along b, but it has shape "
            f"{arr.shape} (use the in-memory frontierkit function for a single set)"
        )
    _check_known(arr, "points")
    if arr.shape[2] < 1 and arr.shape[1] > 0:
        raise ValueError(
            f"'points' must have at least one objective (column), but it has shape {arr.shape}"
        )
    if arr.numblocks[1] > 1 or arr.numblocks[2] > 1:
        arr = arr.rechunk({1: -1, 2: -1})
    return arr


def _dummy(points: da.Array) -> np.ndarray:
    """One set of one row, as ``points`` holds: the options are checked on it eagerly."""
    return np.zeros((1, 1, max(points.shape[2], 1)))


# A set number in an error message of a chunk counts from the chunk's first set.
_SET_IN_MESSAGE = re.compile(r"\bof set (\d+)\b")


def _run(func: Any, block: np.ndarray, start: int, *args: Any, **kwargs: Any) -> Any:
    """``func(block, ...)``, with set numbers in a ValueError counted in the whole batch."""
    try:
        return func(block, *args, **kwargs)
    except ValueError as exc:
        if start == 0 or not _SET_IN_MESSAGE.search(str(exc)):
            raise
        msg = _SET_IN_MESSAGE.sub(lambda m: f"of set {int(m.group(1)) + start}", str(exc), 1)
        raise ValueError(msg) from None


def _start(block_info: Any) -> int:
    """Index of the chunk's first set in the batch (from map_blocks' ``block_info``)."""
    if not block_info:
        return 0
    return int(block_info[0]["array-location"][0][0])


# --- sorting and exact hypervolume --------------------------------------------------------------


def _rank_block(block: np.ndarray, maximise: Any, block_info: Any = None) -> np.ndarray:
    return _run(_pareto_rank, block, _start(block_info), maximise=maximise)


def _front_block(
    block: np.ndarray, maximise: Any, keep_weakly: bool, block_info: Any = None
) -> np.ndarray:
    return _run(
        _is_nondominated,
        block,
        _start(block_info),
        maximise=maximise,
        keep_weakly=keep_weakly,
    )


def _hv_block(block: np.ndarray, ref: Any, maximise: Any, block_info: Any = None) -> np.ndarray:
    out = _run(_hypervolume, block, _start(block_info), ref, maximise=maximise)
    return np.asarray(out, dtype=np.float64)


def _hvc_block(block: np.ndarray, ref: Any, maximise: Any, block_info: Any = None) -> np.ndarray:
    return _run(_hv_contributions, block, _start(block_info), ref, maximise=maximise)


def _host_ref(ref: Any) -> Any:
    if isinstance(ref, da.Array):
        raise TypeError("'ref' must be a NumPy array or a sequence of numbers, not a dask array")
    return ref


def pareto_rank(points: Any, /, *, maximise: bool | Any = False, sets: Any = None) -> da.Array:
    """0-based Pareto rank of every row of every set of a dask batch.

    The dask counterpart of :func:`frontierkit.pareto_rank`: one kernel call per chunk of sets.

    Parameters
    ----------
    points : dask.array.Array, shape (b, n, d)
        A batch of ``b`` sets chunked along axis 0 (a NumPy array is wrapped). Chunks that split
        ``n`` or ``d`` are merged (lazily): the kernel needs whole sets.
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    sets : None
        Not supported (NotImplementedError): pad ragged sets into a (b, n, d) batch.

    Returns
    -------
    dask.array.Array of intp, shape (b, n)
        Lazy; chunked like ``points`` along axis 0.

    Raises
    ------
    ValueError
        ``points`` not 3-D, unknown chunk sizes, ``maximise`` of the wrong length; NaN in a set
        (when computed).
    TypeError
        Non-numeric input.

    Examples
    --------
    >>> import dask.array as da, frontierkit.dask as fkd
    >>> x = da.from_array([[[1, 1], [2, 2]], [[3, 1], [1, 3]]], chunks=1)
    >>> fkd.pareto_rank(x).compute()
    array([[0, 1],
           [0, 0]])

    """
    arr = _batch(points, sets)
    _pareto_rank(_dummy(arr), maximise=maximise)
    return arr.map_blocks(
        _rank_block,
        maximise=maximise,
        drop_axis=2,
        dtype=np.intp,
        meta=np.empty((0, 0), dtype=np.intp),
    )


def is_nondominated(
    points: Any, /, *, maximise: bool | Any = False, keep_weakly: bool = False, sets: Any = None
) -> da.Array:
    """Mask of the non-dominated rows of every set of a dask batch.

    The dask counterpart of :func:`frontierkit.is_nondominated`.

    Parameters
    ----------
    points : dask.array.Array, shape (b, n, d)
        A batch of sets chunked along axis 0 (see :func:`pareto_rank`).
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    keep_weakly : bool, optional
        Keep every copy of a non-dominated row (True) or only its first occurrence (False).
    sets : None
        Not supported (NotImplementedError).

    Returns
    -------
    dask.array.Array of bool, shape (b, n)

    Examples
    --------
    >>> import dask.array as da, frontierkit.dask as fkd
    >>> x = da.from_array([[[1, 2], [2, 1], [2, 2]], [[1, 1], [1, 1], [0, 3]]], chunks=1)
    >>> fkd.is_nondominated(x).compute()
    array([[ True,  True, False],
           [ True, False,  True]])

    """
    arr = _batch(points, sets)
    _is_nondominated(_dummy(arr), maximise=maximise, keep_weakly=keep_weakly)
    return arr.map_blocks(
        _front_block,
        maximise=maximise,
        keep_weakly=keep_weakly,
        drop_axis=2,
        dtype=bool,
        meta=np.empty((0, 0), dtype=bool),
    )


def hypervolume(
    points: Any, /, ref: Any, *, maximise: bool | Any = False, sets: Any = None
) -> da.Array:
    """Exact hypervolume of every set of a dask batch.

    The dask counterpart of :func:`frontierkit.hypervolume`.

    Parameters
    ----------
    points : dask.array.Array, shape (b, n, d)
        A batch of sets chunked along axis 0 (see :func:`pareto_rank`).
    ref : array_like, shape (d,), or float
        The reference point (NumPy or a sequence; small, so it goes to every chunk).
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    sets : None
        Not supported (NotImplementedError).

    Returns
    -------
    dask.array.Array of float64, shape (b,)

    Raises
    ------
    ValueError
        ``points`` not 3-D, ``ref`` or ``maximise`` of the wrong length, NaN in ``ref``; NaN in
        a set (when computed).
    TypeError
        Non-numeric input, a dask ``ref``.

    Examples
    --------
    >>> import dask.array as da, frontierkit.dask as fkd
    >>> x = da.from_array([[[1, 2], [2, 1]], [[1, 1], [4, 1]]], chunks=1)
    >>> fkd.hypervolume(x, ref=[3, 3]).compute()
    array([3., 4.])

    """
    arr = _batch(points, sets)
    ref = _host_ref(ref)
    _hypervolume(_dummy(arr), ref, maximise=maximise)
    return arr.map_blocks(
        _hv_block,
        ref=ref,
        maximise=maximise,
        drop_axis=[1, 2],
        dtype=np.float64,
        meta=np.empty((0,), dtype=np.float64),
    )


def hv_contributions(
    points: Any, /, ref: Any, *, maximise: bool | Any = False, sets: Any = None
) -> da.Array:
    """Exclusive hypervolume contribution of every row of every set of a dask batch.

    The dask counterpart of :func:`frontierkit.hv_contributions`.

    Parameters
    ----------
    points : dask.array.Array, shape (b, n, d)
        A batch of sets chunked along axis 0 (see :func:`pareto_rank`).
    ref : array_like, shape (d,), or float
        The reference point.
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    sets : None
        Not supported (NotImplementedError).

    Returns
    -------
    dask.array.Array of float64, shape (b, n)

    Examples
    --------
    >>> import dask.array as da, frontierkit.dask as fkd
    >>> x = da.from_array([[[1, 3], [2, 2], [3, 1]], [[1, 1], [2, 2], [2, 2]]], chunks=1)
    >>> fkd.hv_contributions(x, ref=[4, 4]).compute()
    array([[1., 1., 1.],
           [5., 0., 0.]])

    """
    arr = _batch(points, sets)
    ref = _host_ref(ref)
    _hv_contributions(_dummy(arr), ref, maximise=maximise)
    return arr.map_blocks(
        _hvc_block,
        ref=ref,
        maximise=maximise,
        drop_axis=2,
        dtype=np.float64,
        meta=np.empty((0, 0), dtype=np.float64),
    )


# --- Monte Carlo hypervolume --------------------------------------------------------------------

_HV_RECORD = np.dtype(
    [("value", np.float64), ("stderr", np.float64), ("sampler", "U5"), ("drawn", np.int64)]
)


@dataclasses.dataclass(frozen=True)
class DaskHVEstimate:
    """A lazy Monte Carlo hypervolume estimate of every set of a dask batch.

    The fields mirror :class:`frontierkit.HVEstimate`; ``value``, ``stderr``, ``sampler`` (and
    ``n_samples`` for ``fpras``) are dask arrays of shape (b,) that share one kernel call per
    chunk: compute them together (:meth:`compute`, or ``dask.compute(est.value, est.stderr)``)
    so that the sampling runs once.

    Attributes
    ----------
    value, stderr : dask.array.Array of float64, shape (b,)
        The estimates and their standard errors.
    n_samples : int or dask.array.Array of int64
        Samples per set (for ``fpras``, the samples its stopping rule drew in each set).
    method : str
        ``"mc"``, ``"qmc"`` or ``"fpras"``.
    sampler : dask.array.Array of str, shape (b,)
        ``"box"`` or ``"union"``, per set.
    seed : int
        The seed used (drawn once when none was given).
    replicates, epsilon, delta
        As in :class:`frontierkit.HVEstimate`.

    """

    value: da.Array
    stderr: da.Array
    n_samples: Any
    method: str
    sampler: da.Array
    seed: int
    replicates: int | None = None
    epsilon: float | None = None
    delta: float | None = None

    def compute(self, **kwargs: Any) -> _approx.HVEstimate:
        """Compute every field in one pass and return an in-memory :class:`~frontierkit.HVEstimate`.

        ``kwargs`` go to :func:`dask.compute` (``scheduler=...``; a distributed client in use is
        picked up by default).
        """
        drawn = self.n_samples if isinstance(self.n_samples, da.Array) else None
        value, err, sampler, n = dask.compute(
            self.value, self.stderr, self.sampler, drawn, **kwargs
        )
        return _approx.HVEstimate(
            value,
            err,
            self.n_samples if n is None else n,
            self.method,
            sampler,
            self.seed,
            self.replicates,
            self.epsilon,
            self.delta,
        )

    def ci(self, level: float = 0.95) -> da.Array:
        """Lazy normal-approximation intervals ``value -+ z * stderr``, shape (b, 2).

        Student's t with ``replicates - 1`` degrees of freedom for ``qmc``, as in memory.
        """
        z = level_quantile(level, None if self.replicates is None else self.replicates - 1)
        return da.stack([self.value - z * self.stderr, self.value + z * self.stderr], axis=-1)


def _hv_approx_block(
    block: np.ndarray,
    ref: np.ndarray,
    maximise: Any,
    options: tuple[int, int, int, int, float, float],
    on_device: bool,
    block_info: Any = None,
) -> np.ndarray:
    """Estimates of the chunk's sets on the streams they have in the whole batch.

    The kernels key sample i of set s by (seed, s, i), s being the set's place in ``offsets``:
    ``start`` empty sets in front of the chunk's own give set j of the chunk the number
    ``start + j``, as in the whole batch (an empty set costs nothing: no sample is drawn).
    """
    start = _start(block_info)
    n_samples, seed, sampler, reps, eps, dlt = options
    prep = _run(prepare_points, block, start, maximise=maximise)
    b = block.shape[0]
    out = np.empty(b, dtype=_HV_RECORD)
    if b == 0:
        return out
    offsets = np.concatenate([np.zeros(start, dtype=np.int64), prep.offsets])
    if on_device:
        from . import _mc_device

        value, err, used = _mc_device.hv_approx(
            _mc_device.DeviceKernels(), _approx._device_data(prep), offsets, ref, n_samples,
            seed, sampler, reps,
        )  # fmt: skip
        value, err, used = value.get(), err.get(), used.get()
        drawn = np.full(start + b, n_samples, dtype=np.int64)
    else:
        name = _hv_host_backend(prep, "hv_approx")
        if name == "cpp":
            core = _backend.core_module()
            assert core is not None
            value, err, used, drawn = core.hv_approx(
                prep.host, offsets, ref, n_samples, seed, sampler, reps, eps, dlt, 0
            )
        else:
            value, err, used, drawn = _approx._fallback_module(name).hv_approx(
                prep.host, offsets, ref, n_samples, seed, sampler, reps, eps, dlt
            )
    out["value"] = value[start:]
    out["stderr"] = err[start:]
    out["sampler"] = _approx._SAMPLER_NAMES[np.asarray(used)[start:]]
    out["drawn"] = np.asarray(drawn)[start:]
    return out


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
) -> DaskHVEstimate:
    """Monte Carlo hypervolume of every set of a dask batch, with standard errors.

    The dask counterpart of :func:`frontierkit.hv_approx`, with the same estimates: set ``s``
    draws the samples it draws in the in-memory call on the whole batch (the streams are keyed
    by the seed and the set's index in the batch, which each chunk is given), so the result does
    not depend on the chunking, the scheduler or the number of workers.

    Parameters
    ----------
    points : dask.array.Array, shape (b, n, d)
        A batch of sets chunked along axis 0 (see :func:`pareto_rank`), with known chunk sizes.
    ref, maximise, n_samples, method, sampler, replicates, epsilon, delta
        As in :func:`frontierkit.hv_approx`.
    seed : int, optional
        Seed of the counter-based generator; None draws one now (``.seed`` tells which).
    sets : None
        Not supported (NotImplementedError).

    Returns
    -------
    DaskHVEstimate
        Lazy ``value``, ``stderr``, ``sampler`` (and ``n_samples`` for ``fpras``);
        ``.compute()`` gives the :class:`frontierkit.HVEstimate` of the in-memory call.

    Raises
    ------
    ValueError
        As :func:`frontierkit.hv_approx`, at once for the options and shapes.
    TypeError
        Non-numeric input, options of the wrong type.

    Examples
    --------
    >>> import numpy as np, dask.array as da, frontierkit as fk, frontierkit.dask as fkd
    >>> pts = np.random.default_rng(1).random((6, 20, 3))
    >>> est = fkd.hv_approx(da.from_array(pts, chunks=2), ref=1.0, n_samples=4096, seed=7)
    >>> mem = fk.hv_approx(pts, ref=1.0, n_samples=4096, seed=7)
    >>> bool((est.compute().value == mem.value).all())
    True

    """
    arr = _batch(points, sets)
    ref = _host_ref(ref)
    s = _approx._seed(seed)
    # The in-memory function checks every option on a set that counts no row (no sampling).
    dummy = np.full((1, 1, max(arr.shape[2], 1)), np.inf)
    dummy[..., _flags(maximise, dummy.shape[2])] = -np.inf
    probe = _approx.hv_approx(
        dummy,
        ref,
        maximise=maximise,
        n_samples=n_samples,
        method=method,
        sampler=sampler,
        seed=s,
        replicates=replicates,
        epsilon=epsilon,
        delta=delta,
    )
    prep = prepare_points(dummy, maximise=maximise)
    r = prepare_ref(ref, prep, maximise)
    reps = int(replicates) if method == "qmc" else 0
    eps = float(probe.epsilon) if probe.epsilon is not None else 0.0
    dlt = float(probe.delta) if probe.delta is not None else 0.0
    options = (int(n_samples), s, _approx._SAMPLERS[sampler], reps, eps, dlt)
    on_device = _approx._on_device(prep) and method != "fpras"
    records = arr.map_blocks(
        _hv_approx_block,
        ref=r,
        maximise=maximise,
        options=options,
        on_device=on_device,
        drop_axis=[1, 2],
        dtype=_HV_RECORD,
        meta=np.empty((0,), dtype=_HV_RECORD),
    )
    n_used: Any = records["drawn"] if method == "fpras" else int(n_samples)
    return DaskHVEstimate(
        records["value"],
        records["stderr"],
        n_used,
        method,
        records["sampler"],
        s,
        probe.replicates,
        probe.epsilon,
        probe.delta,
    )


def _flags(maximise: Any, d: int) -> np.ndarray:
    if isinstance(maximise, (bool, np.bool_)):
        return np.full(d, bool(maximise))
    flags = np.asarray(maximise)
    return flags if flags.shape == (d,) and flags.dtype == bool else np.zeros(d, dtype=bool)


# --- curve fitting ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DaskFitResult:
    """Lazy fits of K curves: the fields of :class:`frontierkit.FitResult` as dask arrays.

    ``params``, ``cost``, ``status``, ``n_iter``, ``n_at_best``, ``stderr`` and ``cov`` share one
    kernel call per chunk of curves: compute them together (:meth:`compute`, or
    ``dask.compute(res.params, res.status)``) so that every curve is fitted once, or
    :meth:`persist` the result first.

    Attributes
    ----------
    model : str
        The model name.
    param_names : tuple of str
        Parameter names, the order of the last axis of ``params``.
    params, stderr : dask.array.Array of float64, shape (K, P)
    cost : dask.array.Array of float64, shape (K,)
    status : dask.array.Array of str, shape (K,)
    n_iter, n_at_best : dask.array.Array of int, shape (K,)
    cov : dask.array.Array of float64, shape (K, P, P)

    """

    model: str
    param_names: tuple[str, ...]
    params: da.Array
    cost: da.Array
    status: da.Array
    n_iter: da.Array
    n_at_best: da.Array
    stderr: da.Array
    cov: da.Array
    # Per-chunk bookkeeping for FitResult.settings: the number of points dropped, the range of
    # the first input, the default exponent bounds of the batch; and the settings' other entries.
    _summary: da.Array = dataclasses.field(repr=False)
    _limits: Any = dataclasses.field(repr=False)
    _settings: dict[str, Any] = dataclasses.field(repr=False)
    _bounds: Any = dataclasses.field(repr=False)

    def _fields(self) -> tuple[da.Array, ...]:
        return (self.params, self.cost, self.status, self.n_iter, self.n_at_best, self.stderr)

    def compute(self, **kwargs: Any) -> _fit.FitResult:
        """Fit every curve (one pass) and return the in-memory :class:`~frontierkit.FitResult`.

        ``kwargs`` go to :func:`dask.compute`. The result, ``settings`` and ``report()``
        included, is that of :func:`frontierkit.fit_curves` on the whole batch.
        """
        (params, cost, status, n_iter, n_best, stderr, cov, summary, limits) = dask.compute(
            *self._fields(), self.cov, self._summary, self._limits, **kwargs
        )
        spec = _fit.MODELS[self.model]
        p = len(self.param_names)
        lo, hi = _fit._bounds(self._bounds, spec, p)
        auto = _apply_limits(lo, hi, limits)
        x_lo = np.fmin.reduce(summary["x_lo"], initial=np.nan)
        x_hi = np.fmax.reduce(summary["x_hi"], initial=np.nan)
        settings = {
            **self._settings,
            "K": int(cost.shape[0]),
            "x_range": (float(x_lo), float(x_hi)),
            "n_dropped": int(summary["n_dropped"].sum()),
            "bounds": _fit._describe_bounds(
                self._bounds, list(self.param_names), lo, hi, sorted(set(auto))
            ),
        }
        return _fit.FitResult(
            model=self.model,
            param_names=self.param_names,
            params=params,
            cost=cost,
            status=status,
            n_iter=n_iter,
            n_at_best=n_best,
            stderr=stderr,
            cov=cov,
            settings=settings,
        )

    def persist(self, **kwargs: Any) -> DaskFitResult:
        """Run the fits now (on the cluster, in the background with distributed) and keep them.

        Returns a DaskFitResult whose arrays are backed by the computed chunks.
        """
        parts = dask.persist(*self._fields(), self.cov, self._summary, self._limits, **kwargs)
        names = ("params", "cost", "status", "n_iter", "n_at_best", "stderr", "cov")
        return dataclasses.replace(
            self, **dict(zip(names, parts[:7])), _summary=parts[7], _limits=parts[8]
        )


def _apply_limits(lo: np.ndarray, hi: np.ndarray, limits: Any) -> list[int]:
    """Put the batch's exponent limits on the unbounded sides of ``lo``, ``hi`` (in place).

    As :func:`frontierkit.fit_curves` does; returns the parameters changed.
    """
    changed = []
    if limits is None:
        return changed
    for j in np.flatnonzero(np.isfinite(limits)):
        if lo[j] == -np.inf:
            lo[j] = -limits[j]
            changed.append(int(j))
        if hi[j] == np.inf:
            hi[j] = limits[j]
            changed.append(int(j))
    return changed


def _pad_single(k_total: int, *blocks: Any) -> tuple[Any, ...]:
    """Double a chunk of one curve of a larger batch (its result's first row is kept).

    A one-curve call is not a batch to the in-memory function (an unusable row of per-curve x
    raises there, instead of giving that curve the status ``invalid_data``); two copies are.
    """
    if k_total <= 1:
        return blocks
    return tuple(None if b is None else np.concatenate([b, b]) for b in blocks)


def _limits_block(
    y: np.ndarray,
    x: Any,
    weights: Any,
    mask: Any,
    *,
    x_shared: Any,
    model: str,
    space: str,
    n_params: int,
    k_total: int,
) -> np.ndarray:
    """Find the default exponent bounds one chunk of curves would get alone: shape (1, P).

    The in-memory fit bounds each exponent by 40 / (the widest span of its input over the
    curves); the bound of the batch is the least of the chunks' bounds (+inf: no bound).
    """
    out = np.full((1, n_params), np.inf)
    if y.shape[0] == 0:
        return out
    if y.shape[0] == 1:
        y, x, weights, mask = _pad_single(k_total, y, x, weights, mask)
    spec = _fit.MODELS[model]
    xx, _, w, _, _, _ = _fit._prepare_data(
        spec, x_shared if x is None else x, y, weights, mask, space
    )
    lo, hi = np.full(n_params, -np.inf), np.full(n_params, np.inf)
    for j in _fit._exponent_bounds(spec, xx, w, lo, hi):
        out[0, j] = hi[j]
    return out


def _record_dtype(p: int, status: np.dtype, ints: np.dtype) -> np.dtype:
    return np.dtype(
        [
            ("params", np.float64, (p,)),
            ("cost", np.float64),
            ("status", status),
            ("n_iter", ints),
            ("n_at_best", ints),
            ("stderr", np.float64, (p,)),
            ("cov", np.float64, (p, p)),
            ("n_dropped", np.int64),
            ("x_lo", np.float64),
            ("x_hi", np.float64),
        ]
    )


def _fit_block(
    y: np.ndarray,
    x: Any,
    weights: Any,
    mask: Any,
    p0: Any,
    *,
    x_shared: Any,
    p0_shared: Any,
    limits: Any,
    model: str,
    options: dict[str, Any],
    k_total: int,
    record: np.dtype,
) -> np.ndarray:
    """Fit one chunk of curves with the batch's bounds; a record per curve."""
    k = y.shape[0]
    out = np.empty(k, dtype=record)
    if k == 0:
        return out
    if k == 1:
        y, x, weights, mask, p0 = _pad_single(k_total, y, x, weights, mask, p0)
    spec = _fit.MODELS[model]
    xs = x_shared if x is None else x
    opts = dict(options)
    bounds = opts.pop("bounds")
    if limits is not None and np.isfinite(limits).any():
        p = limits.shape[0]
        lo, hi = np.full(p, -np.inf), np.full(p, np.inf)
        if bounds is not None:  # the given bounds, as given (they were checked eagerly)
            lo = np.broadcast_to(_fit._float_array(bounds[0], "bounds"), (p,)).copy()
            hi = np.broadcast_to(_fit._float_array(bounds[1], "bounds"), (p,)).copy()
        # Exponents are never held as logarithms, so these are their internal bounds too.
        _apply_limits(lo, hi, limits)
        bounds = (lo, hi)
    res = _fit.fit_curves(
        model,
        xs,
        y,
        weights=weights,
        mask=mask,
        p0=p0_shared if p0 is None else p0,
        bounds=bounds,
        **opts,
    )
    xx, _, w, _, _, _ = _fit._prepare_data(spec, xs, y, weights, mask, options["space"])
    x_lo, x_hi = _fit._x_range(spec, xx, w)
    for name in ("params", "cost", "status", "n_iter", "n_at_best", "stderr", "cov"):
        out[name] = getattr(res, name)[:k]
    out["n_dropped"] = (w[:k] == 0).sum(axis=1)
    out["x_lo"], out["x_hi"] = np.nan, np.nan
    out["x_lo"][0], out["x_hi"][0] = x_lo, x_hi
    return out


def _real(a: Any, name: str) -> None:
    if np.dtype(a.dtype).kind not in "iufb":
        raise TypeError(f"'{name}' must hold real numbers, but its dtype is {a.dtype}")


def _layout_x(x: Any, spec: Any, k: int, m: int, kchunks: tuple[int, ...]) -> tuple[Any, bool, int]:
    """``x`` as given to the chunks: (array, one row per curve?, inputs per point).

    The layouts of :func:`frontierkit.fit_curves`: (M,) shared; (K, M) per curve or (1, M)
    shared for one-input models, (M, v) shared for the others; (K, M, v) or (1, M, v).
    Per-curve x becomes a dask array chunked like ``y``; shared x stays as it is.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"'x' must be an array of numbers, but it is {type(x).__name__}")
    arr = x if isinstance(x, da.Array) else np.asarray(x)
    _real(arr, "x")
    shape = tuple(int(s) for s in arr.shape)
    if arr.ndim == 1:
        rows, points, v = 1, shape[0], 1
    elif arr.ndim == 2 and spec.inputs == 1:
        rows, points, v = shape[0], shape[1], 1
    elif arr.ndim == 2:
        rows, points, v = 1, shape[0], shape[1]
    elif arr.ndim == 3:
        rows, points, v = shape
    else:
        raise ValueError(f"'x' must be 1-D (M,), 2-D or 3-D (K, M, v), but it has shape {shape}")
    if rows not in (1, k):
        raise ValueError(
            f"'x' must be shared or have one row per problem ({k}), but it has shape {shape}"
        )
    if points != m:
        raise ValueError(
            f"'x' must have {m} points per problem (like 'y'), but it has shape {shape}"
        )
    per_curve = rows == k and k > 1
    if not per_curve:
        if not isinstance(arr, da.Array):  # shared NumPy x: its values are checked now
            _fit._layout_x(arr, spec, None, 1, m)
        return arr, False, v
    arr = _as_dask(arr, "x")
    return arr.rechunk((kchunks,) + tuple((s,) for s in shape[1:])), True, v


def _broadcast_data(a: Any, name: str, k: int, m: int, kchunks: tuple[int, ...]) -> da.Array | None:
    """``weights`` or ``mask`` broadcast to (K, M) and chunked like ``y`` (lazily)."""
    if a is None:
        return None
    arr = _as_dask(a, name)
    if name == "mask" and arr.dtype != bool:
        raise TypeError(f"'mask' must be a boolean array, but its dtype is {arr.dtype}")
    _real(arr, name)
    try:
        arr = da.broadcast_to(arr, (k, m))
    except ValueError:
        raise ValueError(
            f"'{name}' must broadcast to {(k, m)}, but it has shape {arr.shape}"
        ) from None
    return arr.rechunk((kchunks, (m,)))


def _layout_p0(p0: Any, k: int, p: int, kchunks: tuple[int, ...]) -> tuple[Any, bool]:
    """``p0`` as given to the chunks: "auto" or (P,) shared; (K, P) or (K, S, P) per curve."""
    if isinstance(p0, str):
        return p0, False
    arr = p0 if isinstance(p0, da.Array) else np.asarray(p0)
    _real(arr, "p0")
    shape = tuple(int(s) for s in arr.shape)
    if arr.ndim <= 1:
        return arr, False
    if not (
        (arr.ndim == 2 and shape == (k, p))
        or (arr.ndim == 3 and shape[0] == k and shape[2] == p and 1 <= shape[1] <= 32)
    ):
        raise ValueError(
            f"'p0' must have shape ({p},), ({k}, {p}) or ({k}, S, {p}) with S <= 32, "
            f"but it has shape {shape}"
        )
    arr = _as_dask(arr, "p0")
    return arr.rechunk((kchunks,) + tuple((s,) for s in shape[1:])), True


def fit_curves(
    model: str,
    x: Any,
    y: Any,
    *,
    weights: Any = None,
    mask: Any = None,
    space: _fit.Space = "linear",
    loss: _fit.Loss = "l2",
    f_scale: float = 1.0,
    p0: Any = "auto",
    n_starts: int = 8,
    n_agree: int | None = None,
    bounds: Any = None,
    fixed: Any = None,
    max_iter: int = 500,
    xtol: float = 1e-12,
    ftol: float = 1e-12,
    gtol: float = 1e-10,
    seed: Any = None,
) -> DaskFitResult:
    """Fit one model to K curves held in a dask array, chunk by chunk.

    The dask counterpart of :func:`frontierkit.fit_curves`, with the same fits: every curve
    gets the parameters, cost and status the in-memory call on the whole batch gives it.

    Parameters
    ----------
    model : str
        One of :data:`frontierkit.fit.MODELS`.
    x : array_like or dask.array.Array
        Shared by every curve ((M,), or (M, v) for models of several inputs; NumPy or dask, sent
        whole to every chunk) or one row per curve ((K, M) or (K, M, v), rechunked like ``y``).
    y : dask.array.Array, shape (K, M)
        The curves, chunked along K (chunks that split M are merged). NaN drops a point.
    weights, mask : array_like or dask.array.Array, optional
        Broadcast to (K, M) and chunked like ``y``.
    p0 : "auto" or array_like
        Starts: (P,) for every curve, or (K, P) / (K, S, P) per curve (chunked like ``y``).
    space, loss, f_scale, n_starts, n_agree, bounds, fixed, max_iter, xtol, ftol, gtol, seed
        As in :func:`frontierkit.fit_curves`.

    Returns
    -------
    DaskFitResult
        Lazy ``params`` (K, P), ``cost``, ``status``, ``n_iter``, ``n_at_best``, ``stderr``,
        ``cov``; ``.compute()`` gives the :class:`frontierkit.FitResult` of the whole batch.

    Raises
    ------
    ValueError
        ``y`` not 2-D, ``x``, ``weights``, ``mask`` or ``p0`` of the wrong shape, bad options (at
        once); bad values in a chunk's data (when computed).
    TypeError
        Non-numeric input, a non-boolean ``mask``, an unknown ``model`` type.

    Notes
    -----
    The in-memory fit bounds every power-law exponent it is not given bounds for by
    ``40 / span``, the span being the widest log-range of its input over the whole batch. To get
    the same fits, a first pass over the chunks finds that span (it reads ``x``, ``y``,
    ``weights`` and ``mask`` once more, but fits nothing); finite ``bounds`` for the exponents,
    or a model without exponents (``sigmoid``, ``loglinear``, ``log_quadratic``), skip it.

    Examples
    --------
    >>> import numpy as np, dask.array as da, frontierkit as fk, frontierkit.dask as fkd
    >>> x = np.geomspace(1, 1e3, 10)
    >>> y = np.array([[2.0], [3.0], [4.0]]) * x ** -np.array([[0.5], [0.3], [0.7]]) + 1.0
    >>> res = fkd.fit_curves("saturating_power", x, da.from_array(y, chunks=2))
    >>> res.params.round(6).compute()
    array([[2. , 0.5, 1. ],
           [3. , 0.3, 1. ],
           [4. , 0.7, 1. ]])
    >>> fit = res.compute()  # a frontierkit.FitResult, as fk.fit_curves("saturating_power", x, y)
    >>> fit.status.tolist()
    ['converged', 'converged', 'converged']

    """
    spec = _fit._model(model)
    ys = _as_dask(y, "y")
    if ys.dtype.kind not in "iufb":
        raise TypeError(f"'y' must hold real numbers, but its dtype is {ys.dtype}")
    if ys.ndim != 2:
        raise ValueError(
            f"'y' must be 2-D (K, M) with the curves chunked along K, but it has shape {ys.shape}"
        )
    _check_known(ys, "y")
    k, m = (int(s) for s in ys.shape)
    if ys.numblocks[1] > 1:
        ys = ys.rechunk({1: -1})
    kchunks = ys.chunks[0]

    x_arr, x_per_curve, v = _layout_x(x, spec, k, m, kchunks)
    names = spec.names(v)
    p = len(names)
    w_arr = _broadcast_data(weights, "weights", k, m, kchunks)
    m_arr = _broadcast_data(mask, "mask", k, m, kchunks)
    p0_arr, p0_per_curve = _layout_p0(p0, k, p, kchunks)

    # Every option is checked eagerly by the in-memory fit of two curves with no usable point
    # (it fits nothing); its settings are those of the batch but for the data-dependent ones.
    dummy_x = np.ones((m,) if v == 1 and spec.inputs == 1 else (m, v))
    dummy_p0 = p0_arr
    if p0_per_curve:
        dummy_p0 = np.ones((2,) + tuple(p0_arr.shape[1:]))
    elif isinstance(p0_arr, da.Array):
        dummy_p0 = np.ones(p0_arr.shape)
    options = dict(
        space=space,
        loss=loss,
        f_scale=f_scale,
        n_starts=n_starts,
        n_agree=n_agree,
        bounds=bounds,
        fixed=fixed,
        max_iter=max_iter,
        xtol=xtol,
        ftol=ftol,
        gtol=gtol,
        seed=seed,
    )
    probe = _fit.fit_curves(model, dummy_x, np.full((2, m), np.nan), p0=dummy_p0, **options)
    settings = {**probe.settings, "weights": "given" if weights is not None else "none"}
    dtype = _record_dtype(p, probe.status.dtype, probe.n_iter.dtype)

    # Per-curve arrays go through blockwise aligned on the curve axis 'i' (map_blocks would
    # align arrays of different ranks on their last axes); shared ones go whole to every chunk.
    args: list[Any] = [ys, "ij"]
    for arr, per_curve, index in (
        (x_arr, x_per_curve, "ixv"),
        (w_arr, True, "iw"),
        (m_arr, True, "im"),
        (p0_arr, p0_per_curve, "isp" if p0_arr is not None and np.ndim(p0_arr) == 3 else "ip"),
    ):
        if arr is None or not per_curve:
            args += [None, None]
        else:
            args += [arr, index[: arr.ndim]]
    shared = dict(
        x_shared=None if x_per_curve else x_arr,
        model=model,
        k_total=k,
    )

    limits = None
    exps = _fit._EXPONENTS.get(spec.code, {})
    given_lo, given_hi = _fit._bounds(bounds, spec, p)
    if any(given_lo[j] == -np.inf or given_hi[j] == np.inf for j in exps):
        per_chunk = da.blockwise(
            _limits_block,
            "iq",
            *args[:8],
            new_axes={"q": p},
            adjust_chunks={"i": 1},
            concatenate=True,
            dtype=np.float64,
            meta=np.empty((0, 0), dtype=np.float64),
            space=space,
            n_params=p,
            **shared,
        )
        limits = per_chunk.min(axis=0)

    records = da.blockwise(
        _fit_block,
        "i",
        *args,
        concatenate=True,
        dtype=dtype,
        meta=np.empty((0,), dtype=dtype),
        p0_shared=None if p0_per_curve else p0_arr,
        limits=limits,
        options=options,
        record=dtype,
        **shared,
    )
    return DaskFitResult(
        model=model,
        param_names=tuple(names),
        params=records["params"],
        cost=records["cost"],
        status=records["status"],
        n_iter=records["n_iter"],
        n_at_best=records["n_at_best"],
        stderr=records["stderr"],
        cov=records["cov"],
        _summary=records[["n_dropped", "x_lo", "x_hi"]],
        _limits=limits,
        _settings=settings,
        _bounds=bounds,
    )
