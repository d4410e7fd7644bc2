"""frontierkit as Optuna's non-dominated sort and hypervolume.

Two ways in, both needing Optuna (written against Optuna 5.0):

1. **The documented injection point.** :class:`NSGAIIEliteSelection` is a drop-in
   ``elite_population_selection_strategy`` for :class:`optuna.samplers.NSGAIISampler`: the same
   call, the same constraint handling and the same crowding-distance tie-breaking as Optuna's own
   strategy, so a seeded study samples exactly the same trials with either::

       import optuna
       from frontierkit.integrations.optuna import NSGAIIEliteSelection

       sampler = optuna.samplers.NSGAIISampler(
           population_size=50,
           seed=0,
           elite_population_selection_strategy=NSGAIIEliteSelection(population_size=50),
       )

   (Optuna marks the argument experimental and warns with ``ExperimentalWarning``.)

2. **install() / uninstall().** :func:`install` replaces Optuna's internal non-dominated sort and
   exact hypervolume, in the module that defines each and in every Optuna module that imported
   its own reference to it, so that Optuna's samplers (NSGA-II, NSGA-III, multi-objective TPE and
   its hypervolume subset selection, GP), :attr:`optuna.study.Study.best_trials`, the parallel
   coordinate plot and the hypervolume history plot run on frontierkit; :func:`uninstall` puts
   the very same objects back::

       from frontierkit.integrations import optuna as fk_optuna

       fk_optuna.install()
       study.best_trials  # frontierkit's sort
       fk_optuna.uninstall()

   The replaced attributes, and nothing else (:data:`PATCHED` lists them as
   ``"module.attribute"`` strings):

   - ``_is_pareto_front`` (first front) in ``optuna.study._multi_objective``, where it is
     defined, and in ``optuna._hypervolume.box_decomposition``, ``optuna._gp.acqf`` and
     ``optuna.samplers._gp.sampler``: :func:`frontierkit.is_nondominated`;
   - ``_fast_non_domination_rank`` (ranks) in ``optuna.study._multi_objective`` and in
     ``optuna.samplers.nsgaii._elite_population_selection_strategy`` (NSGA-II and NSGA-III),
     ``optuna.samplers._tpe.sampler`` and ``optuna.visualization._parallel_coordinate``:
     :func:`frontierkit.pareto_rank`;
   - ``compute_hypervolume`` in ``optuna._hypervolume.wfg``, where it is defined, and in
     ``optuna._hypervolume``, ``optuna._hypervolume.hssp`` (TPE's hypervolume subset selection)
     and ``optuna.visualization._hypervolume_history``: :func:`frontierkit.hypervolume`;
   - ``_get_pareto_front_trials`` (``Study.best_trials``) in ``optuna.study._multi_objective``
     and ``optuna.study.study``: see below.

   A module of the list that is not imported yet is left alone: imported later, it copies the
   replacement from the defining module, and :func:`uninstall` finds it there and restores it
   too. Optuna's box decomposition and WFG internals stay Optuna's (they reach frontierkit
   through the functions above).


Every replacement keeps the signature, return type and results of the function it replaces:
maximised objectives, constraint penalties (infeasible trials ranked by penalty after the
feasible ones), ``n_below`` (ranks beyond the first ``n_below`` unique points collapse into one,
as in Optuna), ``assume_unique_lexsorted`` (duplicates after the first are not on the front) and
``assume_pareto`` (a hint frontierkit does not need). Input Optuna treats in ways of its own
(NaN, infinite objective values in a hypervolume, arrays of another shape or dtype) is handed to
Optuna's original function, so it gives Optuna's answer. ``_get_pareto_front_trials`` (what
``Study.best_trials`` calls) sorts the study's trials without copying them and deep-copies only
the trials on the front; Optuna deep-copies every trial first. The returned trials are equal,
and are copies all the same.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

try:
    import optuna
    from optuna.samplers.nsgaii._constraints_evaluation import (
        _evaluate_penalty,
        _validate_constraints,
    )
    from optuna.study import StudyDirection
    from optuna.study._constrained_optimization import _is_constrained_optimization
except ImportError as exc:  # pragma: no cover - exercised only without Optuna
    raise ImportError("frontierkit.integrations.optuna needs Optuna: pip install optuna") from exc

from .. import _backend
from .. import hypervolume as _fk_hypervolume
from .. import is_nondominated as _fk_is_nondominated
from .. import pareto_rank as _fk_pareto_rank

if TYPE_CHECKING:
    from optuna.study import Study
    from optuna.trial import FrozenTrial

__all__ = ["PATCHED", "NSGAIIEliteSelection", "install", "is_installed", "uninstall"]


# --- drop-in replacements for Optuna's internal functions ----------------------------------

# Where each replaced function is defined; install() takes Optuna's original from there.
_DEFINED_IN = {
    "_is_pareto_front": "optuna.study._multi_objective",
    "_fast_non_domination_rank": "optuna.study._multi_objective",
    "_get_pareto_front_trials": "optuna.study._multi_objective",
    "compute_hypervolume": "optuna._hypervolume.wfg",
}

# Every Optuna 5.0 module holding a reference to one of them (the defining module first).
_HOLDERS = {
    "_is_pareto_front": (
        "optuna.study._multi_objective",
        "optuna._hypervolume.box_decomposition",
        "optuna._gp.acqf",
        "optuna.samplers._gp.sampler",
    ),
    "_fast_non_domination_rank": (
        "optuna.study._multi_objective",
        "optuna.samplers.nsgaii._elite_population_selection_strategy",
        "optuna.samplers._tpe.sampler",
        "optuna.visualization._parallel_coordinate",
    ),
    "_get_pareto_front_trials": (
        "optuna.study._multi_objective",
        "optuna.study.study",
    ),
    "compute_hypervolume": (
        "optuna._hypervolume.wfg",
        "optuna._hypervolume",
        "optuna._hypervolume.hssp",
        "optuna.visualization._hypervolume_history",
    ),
}

#: Every attribute :func:`install` may replace, as ``"module.attribute"``.
PATCHED: tuple[str, ...] = tuple(f"{m}.{name}" for name, mods in _HOLDERS.items() for m in mods)

# The parameters (name, kind, default) each original must have for install() to replace it.
_P = inspect.Parameter
_EXPECTED = {
    "_is_pareto_front": (
        ("loss_values", _P.POSITIONAL_OR_KEYWORD, _P.empty),
        ("assume_unique_lexsorted", _P.POSITIONAL_OR_KEYWORD, _P.empty),
    ),
    "_fast_non_domination_rank": (
        ("loss_values", _P.POSITIONAL_OR_KEYWORD, _P.empty),
        ("penalty", _P.KEYWORD_ONLY, None),
        ("n_below", _P.KEYWORD_ONLY, None),
    ),
    "_get_pareto_front_trials": (
        ("study", _P.POSITIONAL_OR_KEYWORD, _P.empty),
        ("consider_constraint", _P.POSITIONAL_OR_KEYWORD, False),
    ),
    "compute_hypervolume": (
        ("loss_vals", _P.POSITIONAL_OR_KEYWORD, _P.empty),
        ("reference_point", _P.POSITIONAL_OR_KEYWORD, _P.empty),
        ("assume_pareto", _P.POSITIONAL_OR_KEYWORD, False),
    ),
}


def _optuna_original(name: str) -> Callable[..., Any]:
    """Optuna's own function ``name`` (kept by install(), else read from its defining module)."""
    fn = _original.get(name)
    return fn if fn is not None else getattr(importlib.import_module(_DEFINED_IN[name]), name)


# Optuna calls these many times on a few points (its hypervolume subset selection calls the
# hypervolume once per candidate and step), where the public functions' conversion and checks
# cost ten times the C++ kernel. The arrays reaching the helpers below are already checked
# (2-D, real, no NaN), so on the C++ backend they go straight to the kernel; any other backend
# goes through the public function.


def _core() -> Any:
    return _backend.core_module() if _backend.backend(False) == "cpp" else None


def _one_set(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    data = np.ascontiguousarray(points, dtype=np.float64)
    return data, np.array([0, len(data)], dtype=np.int64)


def _ranks(points: np.ndarray) -> np.ndarray:
    core = _core()
    if core is None:
        return np.asarray(_fk_pareto_rank(points), dtype=int)
    return core.pareto_rank(*_one_set(points), 0).astype(int)


def _front(points: np.ndarray, keep_weakly: bool) -> np.ndarray:
    core = _core()
    if core is None:
        return _fk_is_nondominated(points, keep_weakly=keep_weakly)
    return core.nondominated(*_one_set(points), keep_weakly, 0)[0]


def _volume(points: np.ndarray, ref: np.ndarray) -> float:
    core = _core()
    if core is None:
        return _fk_hypervolume(points, ref)
    ref = np.ascontiguousarray(ref, dtype=np.float64)
    return float(core.hypervolume(*_one_set(points), ref, 0)[0])


def _plain_matrix(x: Any) -> bool:
    """Whether ``x`` is a 2-D real array without NaN: what the fast paths take."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype.kind not in "fiu":
        return False
    return x.dtype.kind != "f" or not np.isnan(x).any()


def _nondomination_rank(loss_values: np.ndarray, n_below: int | None) -> np.ndarray:
    """Optuna's ``_calculate_nondomination_rank`` computed by frontierkit."""
    n = len(loss_values)
    if n == 0 or (n_below is not None and n_below <= 0):
        return np.zeros(n, dtype=int)
    if loss_values.shape[1] == 1:  # Optuna ranks one objective densely, whatever n_below is
        return np.unique(loss_values[:, 0], return_inverse=True)[1].reshape(-1)
    if n_below is None or n_below >= n:  # every front is needed
        return _ranks(loss_values)
    # Optuna counts n_below in unique points and gives every point past the front holding the
    # n_below-th of them one shared rank: the number of fronts it peeled.
    unique, inverse = np.unique(loss_values, axis=0, return_inverse=True)
    ranks = _ranks(unique)
    covered = np.cumsum(np.bincount(ranks))
    peeled = int(np.searchsorted(covered, min(n_below, len(unique)))) + 1
    return np.minimum(ranks, peeled)[inverse.reshape(-1)]


def _fast_non_domination_rank(
    loss_values: np.ndarray, *, penalty: np.ndarray | None = None, n_below: int | None = None
) -> np.ndarray:
    """Optuna's constrained non-domination rank (0-based), computed by frontierkit.

    Parameters
    ----------
    loss_values : ndarray, shape (n, d)
        Objective values, all minimised.
    penalty : ndarray, shape (n,), optional
        Constraint violation of each row; rows with ``penalty <= 0`` are feasible and ranked
        first, the others after them, by penalty alone.
    n_below : int, optional
        Only the ranks of the best ``n_below`` unique rows are needed: every row past the front
        that completes them gets one rank, one more than that front's (Optuna's convention).

    Returns
    -------
    ndarray of int, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.integrations.optuna import _fast_non_domination_rank
    >>> _fast_non_domination_rank(np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [3.0, 3.0]]))
    array([0, 0, 1, 2])
    >>> _fast_non_domination_rank(np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 3.0]]), n_below=1)
    array([0, 1, 1])

    """
    plain_penalty = penalty is None or (
        isinstance(penalty, np.ndarray)
        and penalty.ndim == 1
        and penalty.dtype.kind in "fiu"
        and not np.isnan(penalty).any()
    )
    if not (_plain_matrix(loss_values) and plain_penalty) or len(loss_values) == 0:
        return _optuna_original("_fast_non_domination_rank")(
            loss_values, penalty=penalty, n_below=n_below
        )
    n_below = n_below or len(loss_values)
    assert n_below > 0, "n_below must be a positive integer."  # Optuna's own check
    if penalty is None:
        return _nondomination_rank(loss_values, n_below)
    if len(penalty) != len(loss_values):
        raise ValueError(
            "The length of penalty and loss_values must be same, but got "
            f"{len(penalty)=} and {len(loss_values)=}."
        )
    ranks = np.empty(len(loss_values), dtype=int)
    feasible = penalty <= 0
    ranks[feasible] = _nondomination_rank(loss_values[feasible], n_below)
    n_below -= int(np.count_nonzero(feasible))
    first_infeasible = int(np.max(ranks[feasible], initial=-1)) + 1
    ranks[~feasible] = first_infeasible + _nondomination_rank(
        penalty[~feasible][:, np.newaxis], n_below
    )
    return ranks


def _is_pareto_front(loss_values: np.ndarray, assume_unique_lexsorted: bool) -> np.ndarray:
    """Optuna's first-front mask (all objectives minimised), computed by frontierkit.

    Parameters
    ----------
    loss_values : ndarray, shape (n, d)
        Objective values, all minimised.
    assume_unique_lexsorted : bool
        Optuna's promise that the rows are unique and sorted; frontierkit does not need it, but
        as in Optuna, only the first of equal rows is then on the front (with one objective, only
        the first row), while with False every copy of a non-dominated row is.

    Returns
    -------
    ndarray of bool, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.integrations.optuna import _is_pareto_front
    >>> _is_pareto_front(np.array([[1.0, 2.0], [1.0, 2.0], [2.0, 3.0]]), False)
    array([ True,  True, False])
    >>> _is_pareto_front(np.array([[1.0, 2.0], [1.0, 2.0], [2.0, 3.0]]), True)
    array([ True, False, False])

    """
    if not _plain_matrix(loss_values) or len(loss_values) == 0:
        return _optuna_original("_is_pareto_front")(loss_values, assume_unique_lexsorted)
    if not assume_unique_lexsorted:
        return _front(loss_values, True)
    if loss_values.shape[1] == 1:  # Optuna takes the first of sorted values without looking
        on_front = np.zeros(len(loss_values), dtype=bool)
        on_front[0] = True
        return on_front
    return _front(loss_values, False)


def compute_hypervolume(
    loss_vals: np.ndarray, reference_point: np.ndarray, assume_pareto: bool = False
) -> float:
    """Optuna's exact hypervolume (all objectives minimised), computed by frontierkit.

    Parameters
    ----------
    loss_vals : ndarray, shape (n, d)
        The points; every one must weakly dominate ``reference_point``.
    reference_point : ndarray, shape (d,)
        The reference point.
    assume_pareto : bool, optional
        Optuna's hint that no row dominates another; frontierkit does not need it.

    Returns
    -------
    float
        The hypervolume; ``inf`` when ``reference_point`` has an infinite coordinate (as in
        Optuna), 0.0 for no points.

    Raises
    ------
    ValueError
        A point does not weakly dominate ``reference_point`` (Optuna's error and message).

    Examples
    --------
    >>> import numpy as np
    >>> from frontierkit.integrations.optuna import compute_hypervolume
    >>> compute_hypervolume(np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([3.0, 3.0]))
    3.0

    """
    if not (
        isinstance(loss_vals, np.ndarray)
        and isinstance(reference_point, np.ndarray)
        and loss_vals.ndim == 2
        and reference_point.ndim == 1
        and loss_vals.shape[1] == reference_point.shape[0]
        and loss_vals.dtype.kind in "fiu"
        and reference_point.dtype.kind in "fiu"
        # Optuna turns inf * 0 into inf; frontierkit counts a box with an empty side as 0.
        and np.isfinite(loss_vals).all()
    ):
        return _optuna_original("compute_hypervolume")(loss_vals, reference_point, assume_pareto)
    if not (loss_vals <= reference_point).all():
        raise ValueError(
            "All points must dominate or equal the reference point. "
            "That is, for all points in the loss_vals and the coordinate `i`, "
            "`loss_vals[i] <= reference_point[i]`."
        )
    if not np.isfinite(reference_point).all():
        return float("inf")
    if loss_vals.size == 0:
        return 0.0
    hv = _volume(loss_vals, reference_point)
    return hv if math.isfinite(hv) else float("inf")


def _get_pareto_front_trials(study: Study, consider_constraint: bool = False) -> list[FrozenTrial]:
    """Return the study's Pareto-optimal trials as deep copies (``Study.best_trials``).

    Sorts the trials as the storage holds them and deep-copies only those on the front, where
    Optuna deep-copies every trial before sorting; the sort is frontierkit's once installed.

    Parameters
    ----------
    study : optuna.study.Study
        The study.
    consider_constraint : bool, optional
        Keep only feasible trials (every constraint value <= 0).

    Returns
    -------
    list of optuna.trial.FrozenTrial
        Completed trials no other completed trial dominates, in trial order.

    Examples
    --------
    >>> import optuna
    >>> from frontierkit.integrations.optuna import _get_pareto_front_trials
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(directions=["minimize", "minimize"])
    >>> for v in ([1.0, 2.0], [2.0, 1.0], [2.0, 2.0]):
    ...     study.add_trial(optuna.trial.create_trial(values=v))
    >>> [t.number for t in _get_pareto_front_trials(study)]
    [0, 1]

    """
    from optuna.study import _multi_objective  # looked up per call: the installed sort

    trials = study.get_trials(deepcopy=False)
    front = _multi_objective._get_pareto_front_trials_by_trials(
        trials, study.directions, consider_constraint
    )
    return copy.deepcopy(front)


_REPLACEMENTS: dict[str, Callable[..., Any]] = {
    "_is_pareto_front": _is_pareto_front,
    "_fast_non_domination_rank": _fast_non_domination_rank,
    "_get_pareto_front_trials": _get_pareto_front_trials,
    "compute_hypervolume": compute_hypervolume,
}


# --- install / uninstall -------------------------------------------------------------------

_lock = threading.RLock()
_original: dict[str, Callable[..., Any]] = {}  # Optuna's function per name, while installed
_saved: dict[tuple[str, str], Any] = {}  # (module, attribute) -> the object install() replaced


def _check_signature(name: str, fn: Any) -> None:
    try:
        params = tuple(
            (p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
        )
    except (TypeError, ValueError):
        params = ()
    if params != _EXPECTED[name]:
        raise NotImplementedError(
            f"install() supports Optuna 5.0's {_DEFINED_IN[name]}.{name}, but Optuna "
            f"{optuna.__version__} has {name}{inspect.signature(fn) if params else ''}"
        )


def install() -> None:
    """Make Optuna use frontierkit for its non-dominated sort and hypervolume.

    Replaces the attributes listed in :data:`PATCHED` (those of modules already imported; a
    module imported later copies the replacement from the defining module) with drop-ins of the
    same signature and results. Calling it again changes nothing; :func:`uninstall` undoes it.

    Raises
    ------
    NotImplementedError
        The installed Optuna's functions do not have Optuna 5.0's signatures (nothing is
        replaced then).

    Examples
    --------
    >>> import optuna
    >>> from frontierkit.integrations import optuna as fk_optuna
    >>> fk_optuna.install()
    >>> fk_optuna.is_installed()
    True
    >>> optuna.study._multi_objective._fast_non_domination_rank.__module__
    'frontierkit.integrations.optuna'
    >>> optuna.study.Study.best_trials.fget.__module__  # unchanged: it calls the sort
    'optuna.study.study'
    >>> fk_optuna.uninstall()

    """
    with _lock:
        if _original:
            return
        originals = {}
        for name, module_name in _DEFINED_IN.items():
            fn = getattr(importlib.import_module(module_name), name, None)
            if fn is None:
                raise NotImplementedError(
                    f"install() supports Optuna 5.0, but Optuna {optuna.__version__} has no "
                    f"{module_name}.{name}"
                )
            _check_signature(name, fn)
            originals[name] = fn
        _original.update(originals)
        for name, modules in _HOLDERS.items():
            for module_name in modules:
                module = sys.modules.get(module_name)
                if module is None or not hasattr(module, name):
                    continue
                _saved[(module_name, name)] = getattr(module, name)
                setattr(module, name, _REPLACEMENTS[name])


def uninstall() -> None:
    """Put back every object :func:`install` replaced (the same objects, not copies).

    Modules imported while installed, which copied a replacement, get Optuna's original.
    Harmless when not installed.

    Examples
    --------
    >>> import optuna
    >>> from frontierkit.integrations import optuna as fk_optuna
    >>> before = optuna._hypervolume.compute_hypervolume
    >>> fk_optuna.install(); fk_optuna.uninstall()
    >>> optuna._hypervolume.compute_hypervolume is before
    True

    """
    with _lock:
        if not _original:
            return
        for name, modules in _HOLDERS.items():
            for module_name in modules:
                module = sys.modules.get(module_name)
                if module is None or getattr(module, name, None) is not _REPLACEMENTS[name]:
                    continue
                setattr(module, name, _saved.get((module_name, name), _original[name]))
        _saved.clear()
        _original.clear()


def is_installed() -> bool:
    """Whether :func:`install` is in effect.

    Examples
    --------
    >>> from frontierkit.integrations import optuna as fk_optuna
    >>> fk_optuna.is_installed()
    False

    """
    return bool(_original)


# --- NSGA-II elite population selection ----------------------------------------------------


def _crowding_order(values: np.ndarray, numbers: Sequence[int]) -> np.ndarray:
    """Positions of a front's trials by decreasing crowding distance, Optuna's ties included.

    Optuna sorts the front in place (a stable sort) by each objective in turn, adds each trial's
    normalised gap between its neighbours, keyed by trial number, then sorts stably by that sum
    and reverses the list. The same sorts on positions give the same order, ties and all.
    """
    m, d = values.shape
    order = np.arange(m)
    ids = np.unique(np.asarray(numbers), return_inverse=True)[1].reshape(-1)
    shared = len(np.unique(ids)) < m  # the same trial twice: Optuna sums into one key
    distance = np.zeros(m)
    for i in range(d):
        order = order[np.argsort(values[order, i], kind="stable")]
        col = values[order, i]
        if col[0] == col[-1]:
            continue
        not_low = np.flatnonzero(col != -np.inf)
        not_high = np.flatnonzero(col != np.inf)
        v_min = col[not_low[0]] if len(not_low) else np.inf
        v_max = col[not_high[-1]] if len(not_high) else -np.inf
        width = v_max - v_min
        if width <= 0:
            width = 1.0
        padded = np.concatenate(([-np.inf], col, [np.inf]))
        below, above = padded[:-2], padded[2:]
        with np.errstate(invalid="ignore"):  # inf - inf, zeroed just below
            gap = np.where(below == above, 0.0, above - below)
        if shared:
            np.add.at(distance, ids[order], gap / width)
        else:
            distance[ids[order]] += gap / width
    return order[np.argsort(distance[ids[order]], kind="stable")][::-1]


class NSGAIIEliteSelection:
    """NSGA-II elite population selection on frontierkit's non-dominated sort.

    A drop-in for Optuna's ``NSGAIIElitePopulationSelectionStrategy`` (the
    ``elite_population_selection_strategy`` argument of
    :class:`optuna.samplers.NSGAIISampler`): it returns the same trials in the same order, so a
    seeded study samples the same trials with either.

    Parameters
    ----------
    population_size : int
        How many trials to select (at least 2).
    constraints_func : callable, optional
        Accepted for the same signature as Optuna's strategy and, as there, not called: the
        constraints are read from each trial (``FrozenTrial.constraints``), where the sampler
        (or ``Trial.set_constraint``) stores them.

    Raises
    ------
    TypeError
        ``population_size`` is not an integer.
    ValueError
        ``population_size`` is below 2.

    Notes
    -----
    Ranks the trials by constrained domination (feasible trials by Pareto rank, with
    maximised objectives negated; then infeasible ones by their total constraint violation),
    with :func:`frontierkit.pareto_rank`, takes whole fronts while they fit, and fills the rest
    from the next front by decreasing crowding distance [Deb et al., IEEE TEC 2002], computed as
    Optuna does (sum over objectives of the gap between neighbours over the finite range; ties
    kept in Optuna's order).

    Examples
    --------
    >>> import warnings
    >>> import optuna
    >>> from frontierkit.integrations.optuna import NSGAIIEliteSelection
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    ...     sampler = optuna.samplers.NSGAIISampler(
    ...         population_size=10,
    ...         seed=0,
    ...         elite_population_selection_strategy=NSGAIIEliteSelection(population_size=10),
    ...     )
    >>> study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("x", 0, 1)),
    ...                n_trials=30)
    >>> len(study.best_trials) > 0
    True

    """

    def __init__(
        self,
        *,
        population_size: int,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ) -> None:
        if isinstance(population_size, bool) or not isinstance(population_size, (int, np.integer)):
            raise TypeError(f"'population_size' must be an int, but it is {population_size!r}")
        if population_size < 2:
            raise ValueError(f"'population_size' must be at least 2, but it is {population_size}")
        self._population_size = int(population_size)
        self._constraints_func = constraints_func

    def __call__(self, study: Study, population: list[FrozenTrial]) -> list[FrozenTrial]:
        """Select the elite population from ``population``.

        Parameters
        ----------
        study : optuna.study.Study
            The study (its ``directions`` say which objectives are maximised).
        population : list of optuna.trial.FrozenTrial
            The candidates: completed trials of the last generation and its parents.

        Returns
        -------
        list of optuna.trial.FrozenTrial
            At most ``population_size`` trials of ``population``: whole fronts in population
            order, then the chosen part of the next front in crowding-distance order.

        Raises
        ------
        ValueError
            A constraint value is NaN (Optuna's error).

        Examples
        --------
        >>> import optuna
        >>> from frontierkit.integrations.optuna import NSGAIIEliteSelection
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(directions=["minimize", "maximize"])
        >>> values = [[1.0, 1.0], [2.0, 2.0], [3.0, 0.0], [0.5, 0.5]]
        >>> trials = [optuna.trial.create_trial(values=v) for v in values]
        >>> [t.values for t in NSGAIIEliteSelection(population_size=3)(study, trials)]
        [[2.0, 2.0], [1.0, 1.0], [0.5, 0.5]]

        """
        if not population:
            return []
        is_constrained = _is_constrained_optimization(population)
        _validate_constraints(population, is_constrained=is_constrained)
        values = np.array([trial.values for trial in population], dtype=np.float64)
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        penalty = _evaluate_penalty(population) if is_constrained else None
        ranks = _fast_non_domination_rank(values * signs, penalty=penalty)

        by_rank = np.argsort(ranks, kind="stable")  # fronts in order, population order within
        bounds = np.cumsum(np.bincount(ranks))
        size = self._population_size
        # Optuna takes a front whole only while it leaves room: a front that fills the
        # population exactly is still put in crowding order.
        last = int(np.searchsorted(bounds, size, side="left"))
        if last == len(bounds):
            return [population[i] for i in by_rank]
        start = int(bounds[last - 1]) if last else 0
        elite = [population[i] for i in by_rank[:start]]
        front = by_rank[start : bounds[last]]
        order = _crowding_order(values[front], [population[i].number for i in front])
        elite.extend(population[front[j]] for j in order[: size - start])
        return elite
