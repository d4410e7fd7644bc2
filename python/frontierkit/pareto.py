"""Non-dominated sorting: first front, Pareto ranks and fronts, single sets and batches."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _backend
from ._validate import (
    Prepared,
    check_n_stop,
    is_cupy,
    prepare_points,
    raise_nan,
    screen_prepared,
    to_input_layout,
)

__all__ = ["filter_dominated", "is_nondominated", "nondominated_sort", "pareto_rank"]


# --- dispatch ------------------------------------------------------------------------------


def _cuda_rank(prep: Prepared, first_front_only: bool) -> tuple[Any, Any]:
    """Ranks and earlier-copy flags from the CUDA module, as CuPy arrays (grouped order)."""
    import cupy as cp

    data = prep.data if prep.cupy else cp.asarray(prep.data)
    ranks = cp.empty(prep.n, dtype=cp.int32)
    dup = cp.empty(prep.n, dtype=cp.uint8)
    mod = _backend.cuda_module()
    assert mod is not None  # guaranteed by backend()
    mod.pareto_rank(
        data.data.ptr,
        prep.n,
        prep.d,
        prep.offsets,
        ranks.data.ptr,
        dup.data.ptr,
        first_front_only,
        cp.cuda.get_current_stream().ptr,
    )
    return ranks, dup


def _ranks(prep: Prepared) -> Any:
    if prep.n == 0:
        return np.zeros(0, dtype=np.int32)
    name = _backend.backend(prep.cupy)
    if name == "cuda":
        return _cuda_rank(prep, False)[0]
    host = prep.host
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        return core.pareto_rank(host, prep.offsets, 0)
    if name == "numba":
        from ._fallback import numba_pareto

        return numba_pareto.pareto_rank(host, prep.offsets)
    from ._fallback import numpy_pareto

    return numpy_pareto.pareto_rank(host, prep.offsets)


def _prepare_front(points: Any, maximise: Any, sets: Any) -> Prepared:
    # The C++ first-front kernel screens for NaN inside its first pass over the points (a row
    # with NaN always survives its pre-filter), which spares a separate pass here.
    cpp = _backend.backend(is_cupy(points)) == "cpp"
    return prepare_points(points, maximise=maximise, sets=sets, screen_nan=not cpp)


def _front_mask(prep: Prepared, keep_weakly: bool) -> Any:
    if prep.n == 0:
        return np.zeros(0, dtype=bool)
    name = _backend.backend(prep.cupy)
    if name == "cuda":
        screen_prepared(prep)  # a no-op unless the backend changed since preparing
        ranks, dup = _cuda_rank(prep, True)
        mask = ranks == 0
        return mask if keep_weakly else mask & (dup == 0)
    host = prep.host
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        mask, nan = core.nondominated(host, prep.offsets, bool(keep_weakly), 0)
        if nan:
            raise_nan(prep)
        return mask
    screen_prepared(prep)  # a no-op unless the backend changed since preparing
    if name == "numba":
        from ._fallback import numba_pareto

        return numba_pareto.nondominated(host, prep.offsets, bool(keep_weakly))
    from ._fallback import numpy_pareto

    return numpy_pareto.nondominated(host, prep.offsets, bool(keep_weakly))


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"'{name}' must be a bool, but it is {value!r}")
    return bool(value)


# --- public API ----------------------------------------------------------------------------


def is_nondominated(
    points: Any, /, *, maximise: bool | Any = False, keep_weakly: bool = False, sets: Any = None
) -> Any:
    """Mask of the rows that no other row dominates (the first Pareto front).

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        One point per row; a 3-D array is a batch of ``b`` sets sorted independently. NumPy or
        CuPy; integer and float32 input are accepted (results equal those of float64).
    maximise : bool or sequence of bool, optional
        Maximise every objective (True) or the ones flagged; minimisation by default.
    keep_weakly : bool, optional
        Keep every copy of a non-dominated row (True) or only its first occurrence (False).
    sets : array_like, shape (n,), optional
        One label per row: rows are compared only with rows of the same label.

    Returns
    -------
    ndarray of bool, shape (n,) or (b, n)
        Same array type as ``points``.

    Raises
    ------
    ValueError
        Wrong shape, NaN in a row, ``maximise`` or ``sets`` of the wrong length.
    TypeError
        Non-numeric input.

    Notes
    -----
    Row ``a`` dominates row ``b`` when ``a <= b`` in every objective and ``a < b`` in at least
    one. ``+inf`` and ``-inf`` are ordinary values. Algorithms (C++): a pivot pre-filter, then
    for d = 2 a sort and a running minimum, O(n log n); for d = 3 a sweep over one staircase, with
    a Fenwick-tree sweep, O(n log n), as its fallback [Kung, Luccio & Preparata, J. ACM 1975];
    for d >= 4 the Jensen-Fortin-Buzdalov
    divide and conquer, O(n log^(d-1) n) [Buzdalov & Shalyto, PPSN 2014]. CUDA: tiled all-pairs
    dominance into bitsets. Memory O(n) on the CPU.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> fk.is_nondominated(np.array([[1, 2], [2, 1], [2, 2], [1, 2]]))
    array([ True,  True, False, False])
    >>> fk.is_nondominated([[1, 2], [2, 1], [1, 2]], keep_weakly=True)
    array([ True,  True,  True])

    """
    keep = _check_flag(keep_weakly, "keep_weakly")
    prep = _prepare_front(points, maximise, sets)
    return to_input_layout(prep, _front_mask(prep, keep))


def filter_dominated(
    points: Any, /, *, maximise: bool | Any = False, keep_weakly: bool = False, sets: Any = None
) -> Any:
    """Return the rows of ``points`` that no other row dominates, in their input order.

    Parameters are those of :func:`is_nondominated`. Returns the selected rows of ``points``
    itself (same array type and dtype); for a 3-D batch, a list with one array per set; with
    ``sets=``, the rows non-dominated within their set (``sets[is_nondominated(...)]`` labels them).

    Examples
    --------
    >>> import frontierkit as fk
    >>> fk.filter_dominated([[3, 1], [1, 3], [2, 2], [3, 3]])
    array([[3, 1],
           [1, 3],
           [2, 2]])

    """
    keep = _check_flag(keep_weakly, "keep_weakly")
    prep = _prepare_front(points, maximise, sets)
    mask = to_input_layout(prep, _front_mask(prep, keep))
    original = prep.original if prep.cupy else np.asarray(prep.original)
    if prep.batch is not None:
        return [original[s][mask[s]] for s in range(prep.batch[0])]
    return original[mask]


def pareto_rank(points: Any, /, *, maximise: bool | Any = False, sets: Any = None) -> Any:
    """0-based Pareto rank (front index) of every row.

    Front 0 is the non-dominated set; front ``k`` is what is non-dominated once fronts
    ``0..k-1`` are removed. Identical rows get the same rank.

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        As in :func:`is_nondominated`.
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    sets : array_like, shape (n,), optional
        Rank within each label's rows.

    Returns
    -------
    ndarray of intp, shape (n,) or (b, n)

    Notes
    -----
    Algorithms (C++): d = 2, a lexicographic sort and a binary search into the running minimum of
    each front, O(n log n) [Jensen, IEEE TEC 2003]; d = 3, a sweep with a binary search over the
    fronts, each held as a staircase [Zhang et al., IEEE TEC 2015], O(n log F log n) for F fronts,
    with the divide and conquer below as the fallback for adversarial staircases; d >= 4, the
    Jensen-Fortin-Buzdalov divide and conquer, O(n log^(d-1) n) [Fortin et al., GECCO 2013;
    Buzdalov & Shalyto, PPSN 2014], with vectorised all-pairs blocks on small subproblems, after
    peeling wide fronts one at a time. Memory O(n). CUDA: dominance bitsets and front peeling,
    one launch for a whole batch.

    Examples
    --------
    >>> import frontierkit as fk
    >>> fk.pareto_rank([[1, 1], [2, 2], [3, 1], [3, 3], [1, 1]])
    array([0, 1, 1, 2, 0])
    >>> fk.pareto_rank([[1, 1], [2, 2]], maximise=True)
    array([1, 0])

    """
    prep = prepare_points(points, maximise=maximise, sets=sets)
    ranks = to_input_layout(prep, _ranks(prep))
    return ranks.astype(np.intp) if not prep.cupy else ranks.astype("int64")


def _fronts_from_ranks(ranks: np.ndarray, n_stop: int | None) -> list[np.ndarray]:
    if ranks.size == 0:
        return []
    order = np.argsort(ranks, kind="stable")
    bounds = np.cumsum(np.bincount(ranks))
    fronts = np.split(order, bounds[:-1])
    if n_stop is not None:
        keep = int(np.searchsorted(bounds, n_stop)) + 1 if n_stop > 0 else 0
        fronts = fronts[:keep]
    return fronts


def nondominated_sort(
    points: Any, /, *, maximise: bool | Any = False, n_stop: int | None = None, sets: Any = None
) -> list:
    """Row indices of every Pareto front, best first (NSGA-II's fast non-dominated sort).

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        As in :func:`is_nondominated`.
    maximise : bool or sequence of bool, optional
        Objectives to maximise.
    n_stop : int, optional
        Return fronts only until at least ``n_stop`` rows are covered (what NSGA-II's survival
        step needs); all fronts when None.
    sets : array_like, shape (n,), optional
        Sort each label's rows separately.

    Returns
    -------
    list of ndarray
        ``fronts[k]`` holds the indices (ascending) of the rows of rank ``k``. For a 3-D batch,
        one such list per set (indices within the set); with ``sets=``, one list per label in
        ``numpy.unique(sets)`` order (indices into ``points``). Always NumPy arrays.

    Examples
    --------
    >>> import frontierkit as fk
    >>> [f.tolist() for f in fk.nondominated_sort([[2, 2], [1, 1], [3, 0], [3, 3]])]
    [[1, 2], [0], [3]]
    >>> [f.tolist() for f in fk.nondominated_sort([[2, 2], [1, 1], [3, 0], [3, 3]], n_stop=2)]
    [[1, 2]]

    """
    stop = check_n_stop(n_stop)
    prep = prepare_points(points, maximise=maximise, sets=sets)
    ranks = to_input_layout(prep, _ranks(prep))
    if prep.cupy:
        ranks = ranks.get()
    ranks = np.asarray(ranks, dtype=np.int64)
    if prep.batch is not None:
        return [_fronts_from_ranks(ranks[s], stop) for s in range(prep.batch[0])]
    if prep.labels is not None:
        grouped = prep.perm if prep.perm is not None else np.arange(prep.n)
        out = []
        for c in range(len(prep.labels)):
            rows = grouped[prep.offsets[c] : prep.offsets[c + 1]]  # ascending: stable grouping
            out.append([rows[f] for f in _fronts_from_ranks(ranks[rows], stop)])
        return out
    return _fronts_from_ranks(ranks, stop)
