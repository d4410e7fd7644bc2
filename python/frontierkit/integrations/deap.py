"""frontierkit as DEAP's non-dominated sorting and hypervolume backend.

DEAP (1.4.x) has no plugin registry; its documented injection point is the toolbox, where any
function can be registered. This module offers drop-in functions with DEAP's signatures and
results, and an opt-in :func:`install` that puts them where DEAP's own code looks them up::

    from deap import base, tools
    from frontierkit.integrations import deap as fk_deap

    toolbox = base.Toolbox()
    # 1. explicitly, through the toolbox
    toolbox.register("select", lambda pop, k: [
        ind for front in fk_deap.sort_nondominated(pop, k) for ind in front
    ])
    # 2. or make tools.selNSGA2, selNSGA3, the MO-CMA-ES strategy, ... use frontierkit
    fk_deap.install()
    toolbox.register("select", tools.selNSGA2)

- :func:`sort_nondominated` is :func:`deap.tools.sortNondominated`: the same fronts, the
  individuals in the same order, the same stopping rule, so ``selNSGA2`` and a seeded run give
  the same populations. :func:`sort_log_nondominated` is :func:`deap.tools.sortLogNondominated`.
  Both read the weighted fitness ``ind.fitness.wvalues`` (DEAP maximises weighted values, so a
  negative weight minimises that objective).
- :func:`hypervolume` is ``deap.benchmarks.tools.hypervolume`` (the hypervolume of a front of
  individuals, minimising ``-wvalues``) and :func:`least_contributor` is
  ``deap.tools.hypervolume`` (the index of the individual of least exclusive contribution, the
  indicator of the MO-CMA-ES strategy).

Cases frontierkit does not model are handed to DEAP's own function, which then behaves (or
fails) exactly as it always did: fitness classes that redefine dominance or equality (such as
``ConstrainedFitness``, which DEAP's ``sortNondominated`` itself rejects as unhashable), NaN,
non-numeric or ragged fitness values, and empty fitnesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import deap.benchmarks.tools as _deap_benchmarks_tools
import deap.tools.emo as _deap_emo
import deap.tools.indicator as _deap_indicator
import numpy as np
from deap import base

import frontierkit as fk

from ._patch import Patches

__all__ = [
    "hypervolume",
    "install",
    "is_installed",
    "least_contributor",
    "sort_log_nondominated",
    "sort_nondominated",
    "uninstall",
]

# DEAP's own functions, bound when this module is first imported (before any install()).
_deap_sort_nondominated = _deap_emo.sortNondominated
_deap_sort_log_nondominated = _deap_emo.sortLogNondominated
_deap_hypervolume = _deap_benchmarks_tools.hypervolume
_deap_least_contributor = _deap_indicator.hypervolume

# Above this many pairs a dominance block is split (bounds temporary memory to a few MiB).
_BLOCK_PAIRS = 1 << 21


def _plain_fitness(fitness_type: type) -> bool:
    """Whether a fitness class compares and dominates as :class:`deap.base.Fitness` does."""
    return (
        getattr(fitness_type, "dominates", None) is base.Fitness.dominates
        and fitness_type.__eq__ is base.Fitness.__eq__
        and fitness_type.__hash__ is base.Fitness.__hash__
    )


def _group(individuals: Sequence[Any], check_type: bool) -> tuple[list[list[int]], Any] | None:
    """Distinct weighted fitnesses in order of first appearance, and who has each.

    Returns ``(groups, W)``: ``groups[u]`` lists the positions of the individuals whose
    ``wvalues`` equal row ``u`` of ``W`` (float64), or None when frontierkit cannot stand in
    for DEAP on this input.
    """
    index: dict[Any, int] = {}
    groups: list[list[int]] = []
    keys: list[Any] = []
    types = set()
    for i, ind in enumerate(individuals):
        fitness = ind.fitness
        types.add(type(fitness))
        w = fitness.wvalues
        u = index.get(w)  # equal tuples, equal Fitness (DEAP keys a dict by the Fitness)
        if u is None:
            index[w] = len(groups)
            groups.append([i])
            keys.append(w)
        else:
            groups[u].append(i)
    if check_type and not all(_plain_fitness(t) for t in types):
        return None
    try:
        raw = np.asarray(keys)
    except ValueError:  # ragged wvalues
        return None
    if raw.ndim != 2 or raw.shape[1] == 0 or raw.dtype.kind not in "fiub":
        return None
    if raw.dtype.kind in "iu" and raw.size and np.abs(raw).max() > 2**53:
        return None  # float64 would merge distinct integers
    W = raw.astype(np.float64)
    if np.isnan(W).any():
        return None
    return groups, W


def _check_k(k: Any) -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"'k' must be an int, but it is {k!r}")
    return int(k)


def _visit_order(W: np.ndarray, previous: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Order in which DEAP's fast non-dominated sort discovers the next front.

    DEAP walks the previous front in its order and, for each of them, the distinct fitnesses it
    dominates in order of first appearance; a fitness joins the next front when its last
    dominator in the previous front is visited. So the next front is sorted by (position of
    that last dominator, first appearance).
    """
    A = W[previous]
    B = W[members]
    a = len(A)
    last = np.empty(len(B), dtype=np.intp)
    step = max(1, _BLOCK_PAIRS // max(a, 1))
    for lo in range(0, len(B), step):
        block = B[lo : lo + step]
        # rows of different fronts are never equal, so weakly better everywhere = dominates
        covers = A[:, None, 0] >= block[None, :, 0]
        for j in range(1, W.shape[1]):
            covers &= A[:, None, j] >= block[None, :, j]
        last[lo : lo + step] = a - 1 - np.argmax(covers[::-1], axis=0)
    return members[np.lexsort((members, last))]


def sort_nondominated(
    individuals: Sequence[Any], k: int, first_front_only: bool = False
) -> list[list[Any]]:
    """DEAP's ``sortNondominated`` (NSGA-II's fast non-dominated sort) on frontierkit.

    Sorts the individuals into Pareto fronts by their weighted fitness ``ind.fitness.wvalues``
    (larger is better, as in DEAP), stopping after the front that brings the number of sorted
    individuals to ``min(len(individuals), k)``.

    Parameters
    ----------
    individuals : sequence of individuals
        Objects with a DEAP ``fitness`` attribute (valid fitnesses).
    k : int
        The number of individuals to sort; 0 returns an empty list.
    first_front_only : bool, optional
        Return only the first front (as a one-element list of fronts).

    Returns
    -------
    list of list
        The fronts, best first, holding the individuals themselves (not copies), in exactly the
        order ``deap.tools.sortNondominated`` gives them: the first front in input order with
        equal fitnesses gathered at their first appearance, each later front in the order
        DEAP's algorithm discovers it.

    Raises
    ------
    TypeError
        ``k`` is not an integer.

    Notes
    -----
    Ranks come from :func:`frontierkit.pareto_rank` on the distinct fitnesses (O(n log n) for 2
    and 3 objectives); DEAP's order within each later front is then recovered by one dominance
    pass between consecutive fronts, O(sum |F_r| |F_r+1| m), instead of DEAP's O(m n^2) Python
    loops. Fitness classes that redefine dominance or equality, NaN or ragged values are handed
    to DEAP's own function.

    Examples
    --------
    >>> from deap import base, creator
    >>> from frontierkit.integrations.deap import sort_nondominated
    >>> if not hasattr(creator, "FitnessMin2"):
    ...     creator.create("FitnessMin2", base.Fitness, weights=(-1.0, -1.0))
    >>> class Ind(list):
    ...     def __init__(self, values):
    ...         super().__init__(values)
    ...         self.fitness = creator.FitnessMin2(values)
    >>> pop = [Ind((2, 2)), Ind((1, 1)), Ind((3, 0)), Ind((3, 3))]
    >>> [[list(ind) for ind in front] for front in sort_nondominated(pop, k=4)]
    [[[1, 1], [3, 0]], [[2, 2]], [[3, 3]]]
    >>> [[list(ind) for ind in front] for front in sort_nondominated(pop, k=2)]
    [[[1, 1], [3, 0]]]

    """
    k = _check_k(k)
    if k == 0:
        return []
    individuals = list(individuals)
    if not individuals:
        return [[]]
    grouped = _group(individuals, check_type=True)
    if grouped is None:
        return _deap_sort_nondominated(individuals, k, first_front_only)
    groups, W = grouped
    ranks = np.asarray(fk.pareto_rank(W, maximise=True), dtype=np.intp)
    sizes = np.array([len(g) for g in groups])
    if first_front_only:
        keep = 1
    else:
        covered = np.cumsum(np.bincount(ranks, weights=sizes))
        keep = int(np.searchsorted(covered, min(len(individuals), k))) + 1
        keep = min(keep, len(covered))
    wanted = np.flatnonzero(ranks < keep)
    by_rank = wanted[np.argsort(ranks[wanted], kind="stable")]  # ascending within each rank
    members = np.split(by_rank, np.cumsum(np.bincount(ranks[wanted], minlength=keep))[:-1])
    orders = [members[0]]
    for r in range(1, keep):
        orders.append(_visit_order(W, orders[-1], members[r]))
    return [[individuals[i] for u in order.tolist() for i in groups[u]] for order in orders]


def sort_log_nondominated(
    individuals: Sequence[Any], k: int, first_front_only: bool = False
) -> list[Any]:
    """DEAP's ``sortLogNondominated`` (Fortin et al.'s generalized sort) on frontierkit.

    Parameters
    ----------
    individuals : sequence of individuals
        Objects with a DEAP ``fitness`` attribute (valid fitnesses).
    k : int
        Stop after the front that brings the number of sorted individuals to at least ``k``;
        0 returns an empty list.
    first_front_only : bool, optional
        Return the first front itself (a flat list of individuals), as DEAP does.

    Returns
    -------
    list
        The fronts, best first, each ordered as DEAP orders it: distinct weighted fitnesses in
        decreasing lexicographic order, the individuals sharing one in input order. The first
        front alone (a list of individuals) with ``first_front_only``.

    Raises
    ------
    TypeError
        ``k`` is not an integer.

    Notes
    -----
    Ranks come from :func:`frontierkit.pareto_rank`, which implements the same divide and
    conquer family (Jensen-Fortin-Buzdalov) in C++. Fewer than two objectives, NaN, ragged or
    empty input are handed to DEAP's own function.

    Examples
    --------
    >>> from deap import base, creator
    >>> from frontierkit.integrations.deap import sort_log_nondominated
    >>> if not hasattr(creator, "FitnessMin2"):
    ...     creator.create("FitnessMin2", base.Fitness, weights=(-1.0, -1.0))
    >>> class Ind(list):
    ...     def __init__(self, values):
    ...         super().__init__(values)
    ...         self.fitness = creator.FitnessMin2(values)
    >>> pop = [Ind((2, 2)), Ind((1, 1)), Ind((3, 0)), Ind((3, 3))]
    >>> [[list(ind) for ind in front] for front in sort_log_nondominated(pop, k=4)]
    [[[1, 1], [3, 0]], [[2, 2]], [[3, 3]]]

    """
    k = _check_k(k)
    if k == 0:
        return []
    individuals = list(individuals)
    grouped = _group(individuals, check_type=False) if individuals else None
    if grouped is None or grouped[1].shape[1] < 2:
        return _deap_sort_log_nondominated(individuals, k, first_front_only)
    groups, W = grouped
    ranks = np.asarray(fk.pareto_rank(W, maximise=True), dtype=np.intp)
    descending = np.lexsort(W.T[::-1])[::-1]  # distinct rows: reversing ascending is exact
    order = descending[np.argsort(ranks[descending], kind="stable")]
    counts = np.bincount(ranks)
    fronts = [
        [individuals[i] for u in part.tolist() for i in groups[u]]
        for part in np.split(order, np.cumsum(counts)[:-1])
    ]
    if first_front_only:
        return fronts[0]
    covered = 0
    for r, front in enumerate(fronts):
        covered += len(front)
        if covered >= k:
            return fronts[: r + 1]
    return fronts


def _minimised(front: Sequence[Any]) -> np.ndarray:
    # DEAP multiplies the weighted values by -1 to minimise; -x is the same number.
    return -np.array([ind.fitness.wvalues for ind in front], dtype=np.float64)


def _reference(wobj: np.ndarray, ref: Any) -> Any:
    if ref is not None:
        return ref
    if wobj.size == 0:
        raise ValueError("'front' must not be empty when 'ref' is not given")
    return wobj.max(axis=0) + 1


def hypervolume(front: Sequence[Any], ref: Any = None) -> float:
    """Hypervolume of a front of individuals, as ``deap.benchmarks.tools.hypervolume``.

    Parameters
    ----------
    front : sequence of individuals
        Individuals with valid fitnesses (dominated ones add nothing).
    ref : array_like, optional
        The reference point in minimised units, ``-wvalues`` (for weights of -1: the objective
        values themselves). Default: the worst value of each objective plus 1.

    Returns
    -------
    float
        The volume of the region the points ``-wvalues`` dominate inside the reference box.

    Raises
    ------
    ValueError
        An empty ``front`` without ``ref``, a ``ref`` of the wrong length.

    Examples
    --------
    >>> from deap import base, creator
    >>> from frontierkit.integrations.deap import hypervolume
    >>> if not hasattr(creator, "FitnessMin2"):
    ...     creator.create("FitnessMin2", base.Fitness, weights=(-1.0, -1.0))
    >>> class Ind(list):
    ...     def __init__(self, values):
    ...         super().__init__(values)
    ...         self.fitness = creator.FitnessMin2(values)
    >>> hypervolume([Ind((1, 2)), Ind((2, 1))], ref=[3, 3])
    3.0
    >>> hypervolume([Ind((1, 2)), Ind((2, 1))])  # ref = (2 + 1, 2 + 1)
    3.0

    """
    wobj = _minimised(front)
    r = _reference(wobj, ref)
    if wobj.size == 0:
        return 0.0
    if np.isnan(wobj).any() or np.isnan(np.asarray(r, dtype=np.float64)).any():
        return float(_deap_hypervolume(front, ref))
    return float(fk.hypervolume(wobj, ref=r))


def least_contributor(front: Sequence[Any], ref: Any = None, **kwargs: Any) -> Any:
    """Index of the individual of least hypervolume contribution, as ``deap.tools.hypervolume``.

    This is the indicator of DEAP's MO-CMA-ES (``cma.StrategyMultiObjective``): the individual
    whose removal loses the least hypervolume.

    Parameters
    ----------
    front : sequence of individuals
        Usually mutually non-dominated individuals with valid fitnesses.
    ref : array_like, optional
        The reference point in minimised units (``-wvalues``); default: the worst value of each
        objective plus 1.
    **kwargs
        Ignored, as DEAP ignores keywords other than ``ref``.

    Returns
    -------
    numpy.intp
        The position in ``front`` of the least contributor (the first one on exact ties).

    Raises
    ------
    ValueError
        An empty ``front``.

    Notes
    -----
    DEAP computes ``len(front)`` hypervolumes, one without each point, and takes the largest;
    here the exact contributions come from one :func:`frontierkit.hv_contributions` call and
    the smallest is taken. Both are the same quantity; only contributions equal to within
    rounding can make the two pick different (equally good) individuals.

    Examples
    --------
    >>> from deap import base, creator
    >>> from frontierkit.integrations.deap import least_contributor
    >>> if not hasattr(creator, "FitnessMin2"):
    ...     creator.create("FitnessMin2", base.Fitness, weights=(-1.0, -1.0))
    >>> class Ind(list):
    ...     def __init__(self, values):
    ...         super().__init__(values)
    ...         self.fitness = creator.FitnessMin2(values)
    >>> int(least_contributor([Ind((1, 3)), Ind((2, 2.5)), Ind((3, 1))], ref=[4, 4]))
    1

    """
    del kwargs
    wobj = _minimised(front)
    r = _reference(wobj, ref)
    if wobj.size == 0:
        raise ValueError("'front' must not be empty")
    if np.isnan(wobj).any() or np.isnan(np.asarray(r, dtype=np.float64)).any():
        return _deap_least_contributor(front, ref=ref)
    return np.argmin(fk.hv_contributions(wobj, ref=r))


# --- install / uninstall ---------------------------------------------------------------------

# (module, attribute, replacement): where DEAP's code looks these functions up when it runs.
# selNSGA2 / selNSGA3 call them through deap.tools.emo's globals; the MO-CMA-ES strategy and user
# code through the deap.tools namespace; benchmark scripts through deap.benchmarks.tools.
_TARGETS: tuple[tuple[str, str, Any], ...] = (
    ("deap.tools.emo", "sortNondominated", sort_nondominated),
    ("deap.tools.emo", "sortLogNondominated", sort_log_nondominated),
    ("deap.tools", "sortNondominated", sort_nondominated),
    ("deap.tools", "sortLogNondominated", sort_log_nondominated),
    ("deap.tools", "hypervolume", least_contributor),
    ("deap.benchmarks.tools", "hypervolume", hypervolume),
)

_PATCHES = Patches(_TARGETS)


def install() -> None:
    """Make DEAP's selection and hypervolume code run on frontierkit.

    Replaces ``sortNondominated`` and ``sortLogNondominated`` in ``deap.tools.emo`` (where
    ``selNSGA2``, ``selNSGA3`` and ``selNSGA3WithMemory`` look them up) and in ``deap.tools``,
    ``deap.tools.hypervolume`` (the MO-CMA-ES indicator) with :func:`least_contributor`, and
    ``deap.benchmarks.tools.hypervolume`` with :func:`hypervolume`. Nothing else changes. Calling
    it again is harmless; :func:`uninstall` restores the originals. Names bound before the call
    (``from deap.tools import sortNondominated``) keep DEAP's functions.

    Examples
    --------
    >>> from deap import tools
    >>> from frontierkit.integrations import deap as fk_deap
    >>> before = tools.sortNondominated
    >>> fk_deap.install()
    >>> tools.sortNondominated is fk_deap.sort_nondominated
    True
    >>> fk_deap.uninstall()
    >>> tools.sortNondominated is before
    True

    """
    _PATCHES.apply()


def uninstall() -> None:
    """Put back the exact objects :func:`install` replaced (a no-op when not installed).

    Examples
    --------
    >>> from frontierkit.integrations import deap as fk_deap
    >>> fk_deap.uninstall()
    >>> fk_deap.is_installed()
    False

    """
    _PATCHES.restore()


def is_installed() -> bool:
    """Whether :func:`install` is in effect.

    Examples
    --------
    >>> from frontierkit.integrations import deap as fk_deap
    >>> fk_deap.is_installed()
    False

    """
    return _PATCHES.active()
