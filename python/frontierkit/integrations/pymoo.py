"""frontierkit as pymoo's non-dominated sorting and hypervolume backend.

pymoo (0.6.x) has no plugin registry. This module offers two ways in:

1. The injection points pymoo documents: a sorting object for the ``nds=`` argument of
   :class:`pymoo.operators.survival.rank_and_crowding.RankAndCrowding` (and so of ``NSGA2``),
   and a hypervolume indicator with pymoo's :class:`~pymoo.core.indicator.Indicator` interface::

       from pymoo.algorithms.moo.nsga2 import NSGA2
       from pymoo.operators.survival.rank_and_crowding import RankAndCrowding
       from frontierkit.integrations.pymoo import FrontierkitNDS, Hypervolume

       algorithm = NSGA2(pop_size=100, survival=RankAndCrowding(nds=FrontierkitNDS()))
       hv = Hypervolume(ref_point=[1.1, 1.1])(res.F)

2. An opt-in :func:`install` that makes every pymoo component use frontierkit: it replaces the
   moocore functions pymoo imported into its own modules (the Pareto ranking behind
   ``NonDominatedSorting``, the first-front filter behind ``find_non_dominated``, the exact
   hypervolume behind ``Hypervolume``/``HV`` and the contributions behind SMS-EMOA), and nothing
   else. :func:`uninstall` puts the very same objects back.

Results are those of pymoo's own code: the same fronts (same order, same ascending indices
within a front, same integer dtype), so a seeded run gives the same population with or without
frontierkit; hypervolumes agree to rounding (relative 1e-12). Input with NaN, which frontierkit
rejects, is handed to moocore's own function so that pymoo behaves exactly as before.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from pymoo.indicators.hv import Hypervolume as _PymooHypervolume
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

import frontierkit as fk

from ._patch import Patches

__all__ = ["HV", "FrontierkitNDS", "Hypervolume", "install", "is_installed", "uninstall"]


# --- moocore-compatible kernels (what install() puts into pymoo's modules) --------------------


def _has_nan(*arrays: Any) -> bool:
    for a in arrays:
        arr = np.asarray(a)
        if arr.dtype.kind in "fc" and bool(np.isnan(arr).any()):
            return True
    return False


def _moocore(name: str) -> Any:
    import moocore

    return getattr(moocore, name)


# frontierkit rejects NaN (ValueError); moocore accepts it. Each kernel tries frontierkit first
# and, only when that fails on NaN, hands the call to moocore so pymoo behaves as before.


def _pareto_rank(points: Any, /, *, maximise: bool | Any = False) -> np.ndarray:
    """Drop-in for :func:`moocore.pareto_rank`: 0-based ranks as int32, equal copies tied."""
    try:
        return np.asarray(fk.pareto_rank(points, maximise=maximise), dtype=np.int32)
    except ValueError:
        if not _has_nan(points):
            raise
    return _moocore("pareto_rank")(points, maximise=maximise)


def _is_nondominated(
    points: Any, /, *, maximise: bool | Any = False, keep_weakly: bool = False
) -> np.ndarray:
    """Drop-in for :func:`moocore.is_nondominated`."""
    try:
        return fk.is_nondominated(points, maximise=maximise, keep_weakly=bool(keep_weakly))
    except ValueError:
        if not _has_nan(points):
            raise
    return _moocore("is_nondominated")(points, maximise=maximise, keep_weakly=keep_weakly)


def _hypervolume(points: Any, /, ref: Any, *, maximise: bool | Any = False) -> float:
    """Drop-in for :func:`moocore.hypervolume`."""
    try:
        return fk.hypervolume(points, ref=ref, maximise=maximise)
    except ValueError:
        if not _has_nan(points, ref):
            raise
    return _moocore("hypervolume")(points, ref=ref, maximise=maximise)


def _hv_contributions(
    points: Any, /, ref: Any, maximise: bool | Any = False, ignore_dominated: bool = True
) -> np.ndarray:
    """Drop-in for :func:`moocore.hv_contributions`.

    With ``ignore_dominated=True`` (moocore's default) dominated points are dropped before the
    contributions are computed and get 0, as moocore does; equal copies of a non-dominated point
    stay and contribute 0 each.
    """
    try:
        if not ignore_dominated:
            return fk.hv_contributions(points, ref=ref, maximise=maximise)
        pts = np.asarray(points, dtype=np.float64)
        values = fk.hv_contributions(pts, ref=ref, maximise=maximise)
        if values.all():  # nothing is (weakly) dominated: nothing to drop
            return values
        keep = fk.is_nondominated(pts, maximise=maximise, keep_weakly=True)
        if keep.all():
            return values
        out = np.zeros(len(pts))
        out[keep] = fk.hv_contributions(pts[keep], ref=ref, maximise=maximise)
        return out
    except ValueError:
        if not _has_nan(points, ref):
            raise
    return _moocore("hv_contributions")(
        points, ref=ref, maximise=maximise, ignore_dominated=ignore_dominated
    )


# --- the injection points --------------------------------------------------------------------


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)):
        raise TypeError(f"'{name}' must be an int or None, but it is {value!r}")
    if isinstance(value, float):
        if np.isnan(value):
            raise ValueError(f"'{name}' must be a number, but it is nan")
        return None if value == np.inf else int(np.ceil(max(value, -1.0)))
    return int(value)


class FrontierkitNDS(NonDominatedSorting):
    """pymoo's ``NonDominatedSorting`` computed by :func:`frontierkit.pareto_rank`.

    Pass an instance wherever pymoo takes an ``nds=`` object (``RankAndCrowding``,
    ``ConstrRankAndCrowding``, ``NSGA2(survival=...)``). :meth:`do` returns exactly what
    ``NonDominatedSorting().do`` returns: a list of fronts, best first, each an ascending array
    of row indices of pymoo's default integer dtype.

    Parameters
    ----------
    epsilon : float or array_like, optional
        Subtracted from ``F`` before sorting, as in pymoo.
    method : str, optional
        Kept for compatibility with pymoo's signature; the sorting is always frontierkit's.
    dominator : object, optional
        A custom pymoo ``Dominator``. frontierkit sorts by Pareto dominance only, so with a
        dominator the call is handed to pymoo's own implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.integrations.pymoo import FrontierkitNDS
    >>> F = np.array([[2.0, 2.0], [1.0, 1.0], [3.0, 0.0], [3.0, 3.0]])
    >>> [f.tolist() for f in FrontierkitNDS().do(F)]
    [[1, 2], [0], [3]]
    >>> FrontierkitNDS().do(F, only_non_dominated_front=True).tolist()
    [1, 2]

    Used by NSGA-II (``from pymoo.algorithms.moo.nsga2 import NSGA2``)::

        NSGA2(pop_size=100, survival=RankAndCrowding(nds=FrontierkitNDS()))

    """

    def __init__(
        self,
        epsilon: float | Any | None = None,
        method: str = "fast_non_dominated_sort",
        dominator: Any = None,
    ) -> None:
        super().__init__(epsilon=epsilon, method=method, dominator=dominator)

    def do(
        self,
        F: Any,
        return_rank: bool = False,
        only_non_dominated_front: bool = False,
        n_stop_if_ranked: int | None = None,
        n_fronts: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Sort the rows of ``F`` into Pareto fronts (minimisation), as pymoo does.

        Parameters
        ----------
        F : array_like, shape (n, m)
            Objective values, one solution per row.
        return_rank : bool, optional
            Also return the rank of every row (``sys.maxsize`` for rows left unsorted).
        only_non_dominated_front : bool, optional
            Return only the indices of the first front (all copies of a non-dominated row).
        n_stop_if_ranked : int, optional
            Stop after the front that brings the number of sorted rows to at least this.
        n_fronts : int, optional
            Return at most this many fronts.
        **kwargs
            Passed on to pymoo's implementation when a ``dominator`` is set; ignored otherwise.

        Returns
        -------
        list of ndarray, ndarray, or tuple
            The fronts; the first front alone with ``only_non_dominated_front``; ``(fronts,
            rank)`` with ``return_rank``.

        Examples
        --------
        >>> import numpy as np
        >>> from frontierkit.integrations.pymoo import FrontierkitNDS
        >>> F = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [1.0, 1.0]])
        >>> fronts, rank = FrontierkitNDS().do(F, return_rank=True, n_stop_if_ranked=2)
        >>> [f.tolist() for f in fronts], rank.tolist()[:3]
        ([[0, 3]], [0, 9223372036854775807, 9223372036854775807])

        """
        if self.dominator is not None:
            return super().do(
                F,
                return_rank=return_rank,
                only_non_dominated_front=only_non_dominated_front,
                n_stop_if_ranked=n_stop_if_ranked,
                n_fronts=n_fronts,
                **kwargs,
            )
        F = np.asarray(F).astype(float)
        n_stop = _count(n_stop_if_ranked, "n_stop_if_ranked")
        limit = 1 if only_non_dominated_front else _count(n_fronts, "n_fronts")

        ranks = None
        fronts: list[np.ndarray] = []
        if len(F) > 0:
            points = F - self.epsilon if self.epsilon is not None else F
            ranks = _pareto_rank(points)
            sizes = np.bincount(ranks)
            keep = len(sizes)
            if n_stop is not None:  # pymoo stops after the front that reaches n_stop
                keep = min(keep, int(np.searchsorted(np.cumsum(sizes), n_stop)) + 1)
            if limit is not None:
                keep = min(keep, max(limit, 0))
            if keep == len(sizes):
                order = np.argsort(ranks, kind="stable")
            else:
                rows = np.flatnonzero(ranks < keep)
                order = rows[np.argsort(ranks[rows], kind="stable")]
            fronts = np.split(order, np.cumsum(sizes[:keep])[:-1]) if keep else []

        if only_non_dominated_front:
            return fronts[0] if fronts else np.array([], dtype=int)
        if return_rank:
            rank = np.full(len(F), sys.maxsize, dtype=int)
            if ranks is not None and fronts:
                ranked = ranks < len(fronts)
                rank[ranked] = ranks[ranked]
            return fronts, rank
        return fronts


class Hypervolume(_PymooHypervolume):
    """pymoo's hypervolume indicator computed by :func:`frontierkit.hypervolume`.

    Same constructor and behaviour as :class:`pymoo.indicators.hv.Hypervolume` (``HV``), of
    which it is a subclass: the indicator normalises ``F`` with ``ideal``/``nadir`` (derived from
    ``pf`` when given) and measures the region dominated by the points and bounded by the
    reference point (minimisation).

    Parameters
    ----------
    ref_point : array_like, shape (m,), optional
        The reference point; ``pf.max(axis=0)`` when omitted and ``pf`` is given.
    pf : array_like, shape (k, m), optional
        A Pareto front, used for ``ideal``, ``nadir`` and the default reference point.
    nds : bool, optional
        Accepted for compatibility (deprecated in pymoo; dominated points never count).
    norm_ref_point : bool, optional
        Normalise the reference point like ``F`` (pymoo's default True).
    ideal, nadir : array_like, shape (m,), optional
        Bounds for the normalisation (``zero_to_one=True``).
    **kwargs
        Passed to pymoo's ``Indicator`` (for example ``zero_to_one``).

    Raises
    ------
    ValueError
        Neither ``ref_point`` nor ``pf`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.integrations.pymoo import Hypervolume
    >>> Hypervolume(ref_point=np.array([3.0, 3.0]))(np.array([[1.0, 2.0], [2.0, 1.0]]))
    3.0

    """

    def __init__(
        self,
        ref_point: Any = None,
        pf: Any = None,
        nds: bool = True,
        norm_ref_point: bool = True,
        ideal: Any = None,
        nadir: Any = None,
        **kwargs: Any,
    ) -> None:
        if ref_point is None and pf is None:
            raise ValueError("'ref_point' must be given when 'pf' is not")
        super().__init__(
            ref_point=ref_point,
            pf=pf,
            nds=nds,
            norm_ref_point=norm_ref_point,
            ideal=ideal,
            nadir=nadir,
            **kwargs,
        )

    def _do(self, F: Any, *args: Any, **kwargs: Any) -> float:
        return float(_hypervolume(F, ref=self.ref_point))


HV = Hypervolume
"""Alias of :class:`Hypervolume`, as pymoo has ``HV`` for its own."""


# --- install / uninstall ---------------------------------------------------------------------

# (module, attribute, replacement): the moocore functions pymoo's modules imported by name and
# call through their module globals. Patching these names reaches every user of them
# (NonDominatedSorting in all algorithms, find_non_dominated, Hypervolume/HV, SMS-EMOA).
_TARGETS: tuple[tuple[str, str, Any], ...] = (
    ("pymoo.util.nds.non_dominated_sorting", "pareto_rank", _pareto_rank),
    ("pymoo.util.nds.non_dominated_sorting", "is_nondominated", _is_nondominated),
    ("pymoo.indicators.hv", "_hypervolume", _hypervolume),
    ("pymoo.indicators.hv.approximate", "hv_contributions", _hv_contributions),
    ("pymoo.algorithms.moo.sms", "hv_contributions", _hv_contributions),
)

_PATCHES = Patches(_TARGETS)


def install() -> None:
    """Make pymoo's own sorting and hypervolume code run on frontierkit.

    Replaces, in the pymoo modules that call them, the moocore functions pymoo imported:

    - ``pymoo.util.nds.non_dominated_sorting.pareto_rank`` (every ``NonDominatedSorting``:
      NSGA-II, NSGA-III, SMS-EMOA, AGE-MOEA, C-TAEA, ... and ``RankAndCrowding``'s default),
    - ``pymoo.util.nds.non_dominated_sorting.is_nondominated`` (``find_non_dominated``),
    - ``pymoo.indicators.hv._hypervolume`` (``Hypervolume`` / ``HV`` and what uses them),
    - ``pymoo.indicators.hv.approximate.hv_contributions`` and
      ``pymoo.algorithms.moo.sms.hv_contributions`` (exact contributions, moocore's
      ``ignore_dominated`` rule).

    Nothing else changes. Calling it again is harmless; :func:`uninstall` restores the originals.
    Code that bound one of these functions to its own name before the call keeps the original.

    Examples
    --------
    >>> import pymoo.util.nds.non_dominated_sorting as nds
    >>> from frontierkit.integrations import pymoo as fk_pymoo
    >>> before = nds.pareto_rank
    >>> fk_pymoo.install()
    >>> fk_pymoo.is_installed(), nds.pareto_rank is before
    (True, False)
    >>> fk_pymoo.uninstall()
    >>> nds.pareto_rank is before
    True

    """
    _PATCHES.apply()


def uninstall() -> None:
    """Put back the exact objects :func:`install` replaced (a no-op when not installed).

    Examples
    --------
    >>> from frontierkit.integrations import pymoo as fk_pymoo
    >>> fk_pymoo.uninstall()
    >>> fk_pymoo.is_installed()
    False

    """
    _PATCHES.restore()


def is_installed() -> bool:
    """Whether :func:`install` is in effect.

    Examples
    --------
    >>> from frontierkit.integrations import pymoo as fk_pymoo
    >>> fk_pymoo.is_installed()
    False

    """
    return _PATCHES.active()
