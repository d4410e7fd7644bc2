"""Exact hypervolume, exclusive contributions and improvement of sets of points."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _backend
from ._validate import (
    Prepared,
    is_cupy,
    prepare_points,
    prepare_ref,
    screen_prepared,
    to_input_layout,
)
from ._warnings import FallbackWarning

__all__ = ["hv_contributions", "hv_improvement", "hypervolume"]


def _host_backend(prep: Prepared, what: str, stacklevel: int = 4) -> str:
    """Pick the host backend that computes ``what``.

    CuPy input without a CUDA kernel for it is copied to the host, with a FallbackWarning (said,
    not hidden).
    """
    name = _backend.backend(prep.cupy)
    if name == "cuda":
        warnings.warn(
            f"{what} has no CUDA kernel for this input; computing on the host",
            FallbackWarning,
            stacklevel=stacklevel,
        )
        name = "cpp" if _backend.core_module() is not None else "numpy"
    return name


# The CUDA kernel gives each set one warp: right for many small sets, wrong for one big one.
_CUDA_MAX_SET = 8192


def _cuda_volumes(prep: Prepared, ref: np.ndarray) -> Any:
    """Hypervolume of each set (grouped order) from the CUDA module, as a CuPy array (d <= 3)."""
    import cupy as cp

    data = prep.data if prep.cupy else cp.asarray(prep.data)
    out = cp.empty(len(prep.offsets) - 1, dtype=cp.float64)
    mod = _backend.cuda_module()
    assert mod is not None  # guaranteed by backend()
    mod.hypervolume(
        data.data.ptr,
        prep.n,
        prep.d,
        prep.offsets,
        np.ascontiguousarray(ref, dtype=np.float64),
        out.data.ptr,
        cp.cuda.get_current_stream().ptr,
    )
    return out


def _use_cuda_volumes(prep: Prepared) -> bool:
    if _backend.backend(prep.cupy) != "cuda" or prep.d > 3:
        return False
    return int(np.diff(prep.offsets).max(initial=0)) <= _CUDA_MAX_SET


def _host_volumes(prep: Prepared, ref: np.ndarray) -> np.ndarray:
    """Hypervolume of each set of ``prep`` (grouped order), on the host."""
    data = prep.host
    name = _host_backend(prep, "hypervolume")
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        vols = core.hypervolume(data, prep.offsets, ref, 0)
        # The C++ driver gives NaN for a set holding NaN (its screen for rows outside the
        # reference box finds them), so the input is screened only when some result is NaN;
        # overflow in extreme inputs can give NaN too, and then the screen finds nothing.
        if not prep.screened and np.isnan(vols).any():
            screen_prepared(prep)
        return vols
    screen_prepared(prep)  # a no-op unless the backend changed since preparing
    return _fallback_module(name).hypervolume(data, prep.offsets, ref)


def hypervolume(points: Any, /, ref: Any, *, maximise: bool | Any = False, sets: Any = None) -> Any:
    """Exact hypervolume of a set of points with respect to a reference point.

    The hypervolume is the measure of the union of the boxes ``[p, ref]`` over the points ``p``
    that strictly dominate ``ref`` (minimisation): only the part of each point's box inside the
    reference box counts, and a point that does not strictly dominate ``ref`` adds nothing.

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        One point per row; a 3-D array is a batch of ``b`` sets. NumPy or CuPy.
    ref : array_like, shape (d,), or float
        The reference point, in the same (unflipped) units as ``points``; a scalar is used for
        every objective.
    maximise : bool or sequence of bool, optional
        Objectives to maximise (their reference values are read the same way).
    sets : array_like, shape (n,), optional
        One label per row: one hypervolume per label, in sorted label order.

    Returns
    -------
    float or ndarray
        A float for one set; an array with one value per set for a batch or ``sets=`` (CuPy for
        CuPy input). ``inf`` when a counted box has an infinite side.

    Raises
    ------
    ValueError
        Wrong shape, NaN in a row or in ``ref``, ``ref`` or ``maximise`` of the wrong length.
    TypeError
        Non-numeric input.

    Notes
    -----
    Algorithms (C++): d = 2, a distribution sort and a sweep, O(n log n); d = 3, a dimension
    sweep keeping the area of a staircase up to date [Beume et al., IEEE TEC 2009; HV3D+,
    Guerreiro & Fonseca, IEEE TEC 2018], O(n log n); d = 4, HV4D+ [same paper], O(n^2); d = 5, a
    dimension sweep over the 4-D algorithm [Fonseca, Paquete & Lopez-Ibanez, CEC 2006], O(n^3)
    worst case; d >= 6, WFG with bounding [While, Bradstreet & Barone, IEEE TEC 2012] down to
    the 4-D base, O(n^(d-2)) worst case. From d = 5 up both cores share the top level, and the
    result is the same bit for bit with any number of threads. Batches are shared among the
    cores. CuPy input with d <= 3 and sets of up to 8192 rows runs on the GPU (one warp per set:
    a bitonic sort and the same sweeps); other CuPy input is computed on the host with a
    FallbackWarning.

    Examples
    --------
    >>> import frontierkit as fk
    >>> fk.hypervolume([[1, 2], [2, 1]], ref=[3, 3])
    3.0
    >>> fk.hypervolume([[1, 2], [2, 1], [2.5, 2.5]], ref=[3, 3])
    3.0
    >>> fk.hypervolume([[1, 1], [4, 1]], ref=[3, 3])
    4.0
    >>> fk.hypervolume([[2, 1]], ref=[0, 3], maximise=[True, False])
    4.0

    """
    # NumPy input on the C++ backend: the kernel screens for NaN (see _host_volumes).
    kernel_screens = not is_cupy(points) and _backend.backend(False) == "cpp"
    prep = prepare_points(points, maximise=maximise, sets=sets, screen_nan=not kernel_screens)
    r = prepare_ref(ref, prep, maximise)
    if prep.n > 0 and _use_cuda_volumes(prep):
        dev = _cuda_volumes(prep, r)
        if prep.batch is None and sets is None:
            return float(dev[0])
        return dev if prep.cupy else dev.get()
    if prep.n == 0:
        vols = np.zeros(len(prep.offsets) - 1)
    else:
        vols = np.asarray(_host_volumes(prep, r), dtype=np.float64)
    if prep.batch is None and sets is None:
        return float(vols[0]) if len(vols) else 0.0
    if prep.cupy:
        import cupy as cp

        return cp.asarray(vols)
    return vols


def _fallback_module(name: str) -> Any:
    if name == "numba":
        from ._fallback import numba_hv

        return numba_hv
    from ._fallback import numpy_hv

    return numpy_hv


def hv_contributions(
    points: Any, /, ref: Any, *, maximise: bool | Any = False, sets: Any = None
) -> Any:
    """Exclusive hypervolume contribution of every point.

    The contribution of a point is the measure of the part of its box ``[p, ref]`` that no other
    point's box covers, i.e. ``hypervolume(P) - hypervolume(P without p)``: what the set loses
    when the point goes (the quantity SMS-EMOA-style selection removes the smallest of).

    Parameters
    ----------
    points : array_like, shape (n, d) or (b, n, d)
        One point per row; a 3-D array is a batch of ``b`` independent sets. NumPy or CuPy.
    ref : array_like, shape (d,), or float
        The reference point, in the same (unflipped) units as ``points``; a scalar is used for
        every objective.
    maximise : bool or sequence of bool, optional
        Objectives to maximise (their reference values are read the same way).
    sets : array_like, shape (n,), optional
        One label per row: contributions are computed within each set.

    Returns
    -------
    ndarray
        One value per row, in input order (shape ``(b, n)`` for a batch; CuPy for CuPy input).
        A point that does not strictly dominate ``ref``, a point another point weakly dominates,
        and each of several equal points contribute exactly 0. ``inf`` where the region only that
        point covers is unbounded (an infinite coordinate in the point or in ``ref``).

    Raises
    ------
    ValueError
        Wrong shape, NaN in a row or in ``ref``, ``ref`` or ``maximise`` of the wrong length.
    TypeError
        Non-numeric input.

    Notes
    -----
    The true exclusive contribution counts the boxes of dominated points too: with points
    ``(1, 1)`` and ``(2, 2)`` and ``ref = (3, 3)`` the first contributes 3, not 4 (moocore's
    ``hv_contributions`` drops dominated points first and reports 4).

    Algorithms (C++): d = 2, a sort and a sweep, O(n log n); d = 3, HVC3D [Guerreiro & Fonseca,
    IEEE TEC 2018], O(n log n), with dominated points handled exactly; d = 4, for each point a
    sweep in the fourth objective of its 3-D exclusive area, fed by the HV4D+ sweep [same paper],
    O(n^2) on fronts (O(n^3) worst case); d >= 5, each point's box less the hypervolume of its
    limit set (WFG [While, Bradstreet & Barone, IEEE TEC 2012]) with the box shrunk to the region
    the point can own alone and a k-d tree to find the rows that reach it, shared among the
    cores. Never one full hypervolume per point. With an infinite coordinate the rules
    above add an O(n^2) dominance pass.

    Examples
    --------
    >>> import frontierkit as fk
    >>> fk.hv_contributions([[1, 3], [2, 2], [3, 1]], ref=[4, 4]).tolist()
    [1.0, 1.0, 1.0]
    >>> fk.hv_contributions([[1, 1], [2, 2], [2, 2]], ref=[3, 3]).tolist()
    [3.0, 0.0, 0.0]

    """
    prep = prepare_points(points, maximise=maximise, sets=sets)
    r = prepare_ref(ref, prep, maximise)
    if prep.n == 0:
        return to_input_layout(prep, np.zeros(0))
    data = prep.host
    name = _host_backend(prep, "hv_contributions")
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        values = core.hv_contributions(data, prep.offsets, r, 0)
    else:
        mod = _fallback_module(name)
        values = np.zeros(prep.n)
        o = prep.offsets
        for s in range(len(o) - 1):
            values[o[s] : o[s + 1]] = mod.contributions(
                np.ascontiguousarray(data[o[s] : o[s + 1]]), r
            )
    return to_input_layout(prep, values)


def hv_improvement(
    points: Any, candidates: Any, /, ref: Any, *, maximise: bool | Any = False
) -> Any:
    """Hypervolume each candidate would add to a set of points, one candidate at a time.

    ``hv_improvement(P, C, ref)[j] == hypervolume(P + [C[j]], ref) - hypervolume(P, ref)``: the
    exclusive contribution candidate ``j`` would have if it joined ``P`` alone. It is what
    hypervolume-based acquisition and archive updates need, computed without forming the union.

    Parameters
    ----------
    points : array_like, shape (n, d)
        The current set, one point per row (``n`` may be 0). NumPy or CuPy.
    candidates : array_like, shape (m, d)
        The candidate points, one per row.
    ref : array_like, shape (d,), or float
        The reference point, in the same (unflipped) units as the points; a scalar is used for
        every objective.
    maximise : bool or sequence of bool, optional
        Objectives to maximise (applies to ``points``, ``candidates`` and ``ref``).

    Returns
    -------
    ndarray
        Shape ``(m,)``: 0 for a candidate that does not strictly dominate ``ref`` or that a point
        of ``points`` weakly dominates; ``inf`` where the region it would add is unbounded. CuPy
        for CuPy candidates.

    Raises
    ------
    ValueError
        Wrong shapes (a batch is not supported here), a different number of objectives in
        ``points`` and ``candidates``, NaN, ``ref`` or ``maximise`` of the wrong length.
    TypeError
        Non-numeric input.

    Notes
    -----
    For each candidate ``c``: the volume of its box less the hypervolume of the limit set
    ``{max(c, p) : p in points}``, by the exact algorithm for the dimension (see
    :func:`hypervolume`); candidates are shared among the cores.

    Examples
    --------
    >>> import frontierkit as fk
    >>> fk.hv_improvement([[1, 3], [3, 1]], [[2, 2], [0, 0], [3, 3]], ref=[4, 4]).tolist()
    [1.0, 11.0, 0.0]

    """
    prep = prepare_points(points, maximise=maximise)
    cand = prepare_points(candidates, maximise=maximise, name="candidates")
    if prep.batch is not None or cand.batch is not None:
        bad = "points" if prep.batch is not None else "candidates"
        raise ValueError(
            f"'{bad}' must be a 2-D array of shape (n, d) here; batches are not supported"
        )
    if prep.d != cand.d and prep.n and cand.n:
        raise ValueError(
            f"'candidates' must have {prep.d} columns like 'points', but it has {cand.d}"
        )
    r = prepare_ref(ref, cand, maximise)
    data = prep.host
    cdata = cand.host
    if data.shape[1] != cdata.shape[1]:  # an empty set given as shape (0, 0)
        data = np.zeros((0, cdata.shape[1]))
    name = _host_backend(cand, "hv_improvement")
    if cand.n == 0:
        values = np.zeros(0)
    elif name == "cpp":
        core = _backend.core_module()
        assert core is not None
        values = core.hv_improvement(np.ascontiguousarray(data), cdata, r, 0)
    else:
        values = _fallback_module(name).improvement(np.ascontiguousarray(data), cdata, r)
    return to_input_layout(cand, values)
