"""frontierkit.integrations.optuna against Optuna itself: same ranks, fronts, volumes and runs."""

from __future__ import annotations

import importlib
import inspect
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

import optuna.samplers.nsgaii._elite_population_selection_strategy as nsga_strategy  # noqa: E402
import optuna.study._multi_objective as mo  # noqa: E402
import optuna.visualization._hypervolume_history as hv_history  # noqa: E402
from optuna._hypervolume import wfg  # noqa: E402
from optuna.distributions import FloatDistribution  # noqa: E402
from optuna.exceptions import ExperimentalWarning  # noqa: E402

from frontierkit.integrations import optuna as fko  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)

# Optuna's own functions, read before anything is installed.
OPT_RANK = mo._fast_non_domination_rank
OPT_FRONT = mo._is_pareto_front
OPT_HV = wfg.compute_hypervolume
OPT_BEST = mo._get_pareto_front_trials


@pytest.fixture(autouse=True)
def _never_left_installed():
    assert not fko.is_installed()
    yield
    fko.uninstall()
    assert mo._fast_non_domination_rank is OPT_RANK


def _data(seed: int, n: int, d: int) -> np.ndarray:
    """Seeded points: a coarse grid (ties and duplicates) for even seeds, continuous for odd."""
    rng = np.random.default_rng(seed)
    if seed % 2 == 0:
        return rng.integers(0, 4, size=(n, d)).astype(float)
    return rng.random((n, d))


# --- the drop-in functions against Optuna's -----------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_ranks_equal_optunas(d):
    for seed in range(40):
        rng = np.random.default_rng(10_000 + seed)
        n = int(rng.integers(1, 120))
        x = _data(seed, n, d)
        penalty = None
        if seed % 3 == 1:  # about half infeasible, penalties with ties
            penalty = np.where(rng.random(n) < 0.5, 0.0, rng.integers(1, 4, n).astype(float))
        for n_below in (None, 1, int(rng.integers(1, n + 1)), n, n + 5):
            want = OPT_RANK(x, penalty=penalty, n_below=n_below)
            got = fko._fast_non_domination_rank(x, penalty=penalty, n_below=n_below)
            msg = f"seed={seed} n={n} d={d} n_below={n_below} penalty={penalty is not None}"
            assert got.dtype == want.dtype, msg
            np.testing.assert_array_equal(got, want, err_msg=msg)


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_fronts_equal_optunas(d):
    for seed in range(40):
        n = int(np.random.default_rng(20_000 + seed).integers(1, 150))
        x = _data(seed, n, d)
        unique = np.unique(x, axis=0)  # what Optuna passes with assume_unique_lexsorted=True
        lexsorted = x[np.lexsort(x.T[::-1])]  # sorted, duplicates kept
        cases = [(x, False), (unique, True), (lexsorted, True), (lexsorted, False)]
        for pts, flag in cases:
            msg = f"seed={seed} n={n} d={d} assume_unique_lexsorted={flag}"
            want = OPT_FRONT(pts, flag)
            np.testing.assert_array_equal(fko._is_pareto_front(pts, flag), want, err_msg=msg)


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_hypervolume_equals_optunas(d):
    for seed in range(30):
        rng = np.random.default_rng(30_000 + seed)
        n = int(rng.integers(1, 40 if d == 5 else 150))
        x = _data(seed, n, d)
        for ref in (x.max(axis=0), x.max(axis=0) + rng.random(d)):  # ref on the boundary too
            want = OPT_HV(x, ref)
            got = fko.compute_hypervolume(x, ref)
            assert isinstance(got, float)
            assert got == pytest.approx(want, rel=1e-12, abs=0), f"seed={seed} n={n} d={d}"
            got = fko.compute_hypervolume(np.unique(x, axis=0), ref, assume_pareto=True)
            assert got == pytest.approx(want, rel=1e-12, abs=0), f"seed={seed} n={n} d={d}"


def test_functions_on_every_backend(backend):
    for seed, d in [(0, 2), (1, 3), (2, 4), (3, 5)]:
        x = _data(seed, 60, d)
        ref = x.max(axis=0) + 0.5
        msg = f"seed={seed} d={d} backend={backend}"
        np.testing.assert_array_equal(fko._fast_non_domination_rank(x), OPT_RANK(x), msg)
        np.testing.assert_array_equal(
            fko._fast_non_domination_rank(x, n_below=7), OPT_RANK(x, n_below=7), msg
        )
        np.testing.assert_array_equal(fko._is_pareto_front(x, False), OPT_FRONT(x, False), msg)
        u = np.unique(x, axis=0)
        np.testing.assert_array_equal(fko._is_pareto_front(u, True), OPT_FRONT(u, True), msg)
        assert fko.compute_hypervolume(x, ref) == pytest.approx(OPT_HV(x, ref), rel=1e-12), msg


def test_hypervolume_edge_cases_as_optuna():
    ref = np.array([3.0, 3.0])
    cases = [
        (np.zeros((0, 2)), ref),  # no points
        (np.array([[1.0, 1.0]]), np.array([np.inf, 3.0])),  # infinite reference
        (np.array([[3.0, 3.0], [1.0, 3.0]]), ref),  # points on the reference point
        (np.array([[-np.inf, 3.0]]), ref),  # Optuna: inf * 0 is inf
        (np.array([[-np.inf, 1.0], [1.0, 1.0]]), ref),
        (np.array([[1, 2], [2, 1]]), np.array([3, 3])),  # integers
    ]
    for pts, r in cases:
        with np.errstate(invalid="ignore"):  # Optuna's inf * 0
            assert fko.compute_hypervolume(pts, r) == OPT_HV(pts, r), (pts, r)
    message = "All points must dominate or equal the reference point"
    for pts in (np.array([[4.0, 1.0]]), np.array([[np.nan, 1.0]])):
        with pytest.raises(ValueError, match=message):
            OPT_HV(pts, ref)
        with pytest.raises(ValueError, match=message):
            fko.compute_hypervolume(pts, ref)


def test_rank_errors_and_odd_input_as_optuna():
    x = _data(1, 10, 3)
    message = "The length of penalty and loss_values must be same"
    with pytest.raises(ValueError, match=message):
        fko._fast_non_domination_rank(x, penalty=np.zeros(9))
    with pytest.raises(AssertionError, match="n_below must be a positive integer"):
        fko._fast_non_domination_rank(x, n_below=-1)
    empty = fko._fast_non_domination_rank(np.zeros((0, 3)))
    assert empty.shape == (0,) and empty.dtype == OPT_RANK(np.zeros((0, 3))).dtype
    # NaN goes to Optuna's function: the same answer (or the same error).
    y = x.copy()
    y[3, 1] = np.nan
    np.testing.assert_array_equal(fko._fast_non_domination_rank(y), OPT_RANK(y))
    np.testing.assert_array_equal(fko._is_pareto_front(y, False), OPT_FRONT(y, False))
    with pytest.raises(AssertionError):
        OPT_RANK(x, penalty=np.r_[np.nan, np.zeros(9)])
    with pytest.raises(AssertionError):
        fko._fast_non_domination_rank(x, penalty=np.r_[np.nan, np.zeros(9)])


def test_signatures_equal_optunas():
    for name, replacement in fko._REPLACEMENTS.items():
        original = getattr(importlib.import_module(fko._DEFINED_IN[name]), name)
        want = [
            (p.name, p.kind, p.default) for p in inspect.signature(original).parameters.values()
        ]
        got = [
            (p.name, p.kind, p.default) for p in inspect.signature(replacement).parameters.values()
        ]
        assert got == want, name


# --- the NSGA-II selection strategy ---------------------------------------------------------


def _population(seed: int, n: int, d: int, constrained: bool, numbered: bool):
    rng = np.random.default_rng(seed)
    values = _data(seed, n, d)
    if seed % 4 == 0:
        values[rng.random((n, d)) < 0.1] = np.inf  # infinite objective values as well
    trials = []
    for i in range(n):
        attrs = {}
        if constrained:
            c = rng.choice([-1.0, 0.0, 0.5, 1.0, 2.0], size=2)
            attrs = {"constraints:a": float(c[0]), "constraints:b": float(c[1])}
        t = optuna.trial.create_trial(values=values[i].tolist(), system_attrs=attrs)
        if numbered:
            t.number = i
        trials.append(t)
    return trials


@pytest.mark.parametrize("constrained", [False, True])
def test_selection_equals_optunas_strategy(constrained):
    for seed in range(24):
        d = (2, 3, 5)[seed % 3]
        directions = ["minimize", "maximize", "minimize", "maximize", "minimize"][:d]
        study = optuna.create_study(directions=directions)
        n = int(np.random.default_rng(seed).integers(2, 90))
        trials = _population(seed, n, d, constrained, numbered=seed % 5 != 0)
        for size in sorted({2, 3, n // 2 + 2, n, n + 3}):
            want = nsga_strategy.NSGAIIElitePopulationSelectionStrategy(population_size=size)(
                study, list(trials)
            )
            got = fko.NSGAIIEliteSelection(population_size=size)(study, list(trials))
            assert [id(t) for t in got] == [id(t) for t in want], f"seed={seed} size={size}"


def test_selection_arguments_checked():
    with pytest.raises(ValueError, match="'population_size' must be at least 2, but it is 1"):
        fko.NSGAIIEliteSelection(population_size=1)
    with pytest.raises(TypeError, match="'population_size' must be an int, but it is 2.5"):
        fko.NSGAIIEliteSelection(population_size=2.5)
    study = optuna.create_study(directions=["minimize", "minimize"])
    assert fko.NSGAIIEliteSelection(population_size=4)(study, []) == []
    bad = optuna.trial.create_trial(values=[1.0, 2.0], system_attrs={"constraints:a": math.nan})
    with pytest.raises(ValueError, match="NaN is not acceptable as constraint value"):
        fko.NSGAIIEliteSelection(population_size=4)(study, [bad])


def _dtlz2(trial, d: int, constrained: bool = False):
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(d + 3)]
    g = sum((v - 0.5) ** 2 for v in x[d - 1 :])
    out = []
    for i in range(d):
        v = 1.0 + g
        for j in range(d - 1 - i):
            v *= math.cos(x[j] * math.pi / 2)
        if i > 0:
            v *= math.sin(x[d - 1 - i] * math.pi / 2)
        out.append(round(v, 2))  # rounded: ties and duplicates between trials
    if constrained:
        trial.set_constraint("c", x[0] + x[1] - 1.2)
    return out


def _nsga2_run(strategy: bool, constrained: bool = False):
    size = 50
    kwargs = {}
    if strategy:
        kwargs["elite_population_selection_strategy"] = fko.NSGAIIEliteSelection(
            population_size=size
        )
        with pytest.warns(ExperimentalWarning):
            sampler = optuna.samplers.NSGAIISampler(population_size=size, seed=7, **kwargs)
    else:
        sampler = optuna.samplers.NSGAIISampler(population_size=size, seed=7)
    study = optuna.create_study(directions=["minimize", "maximize", "minimize"], sampler=sampler)
    study.optimize(lambda t: _dtlz2(t, 3, constrained), n_trials=300)
    return [(t.params, t.values, t.constraints) for t in study.trials]


@pytest.mark.parametrize("constrained", [False, True])
def test_seeded_nsga2_identical_with_strategy_and_with_install(constrained):
    want = _nsga2_run(strategy=False, constrained=constrained)
    assert _nsga2_run(strategy=True, constrained=constrained) == want
    fko.install()
    assert _nsga2_run(strategy=False, constrained=constrained) == want
    fko.uninstall()


def test_seeded_tpe_identical_with_install():
    # Multi-objective TPE ranks with n_below and breaks ties by hypervolume subset selection.
    def run():
        sampler = optuna.samplers.TPESampler(seed=3)
        study = optuna.create_study(directions=["minimize"] * 3, sampler=sampler)
        study.optimize(lambda t: _dtlz2(t, 3), n_trials=70)
        return [(t.params, t.values) for t in study.trials]

    want = run()
    fko.install()
    assert run() == want


# --- Study.best_trials and the hypervolume history ------------------------------------------


def _study(n: int, d: int, seed: int, constrained: bool = False):
    rng = np.random.default_rng(seed)
    directions = ["minimize", "maximize"] * d
    study = optuna.create_study(directions=directions[:d])
    values = np.round(rng.random((n, d)) * (1 + np.linspace(1, 0, n))[:, None], 2)
    dist = {"x": FloatDistribution(0.0, 1.0)}
    trials = []
    for i in range(n):
        attrs = {"constraints:c": float(rng.choice([-1.0, 0.0, 1.0]))} if constrained else {}
        trials.append(
            optuna.trial.create_trial(
                params={"x": float(rng.random())},
                distributions=dist,
                values=values[i].tolist(),
                system_attrs=attrs,
            )
        )
    study.add_trials(trials)
    return study


@pytest.mark.parametrize(("d", "constrained"), [(2, False), (3, True), (4, False), (5, False)])
def test_best_trials_identical_with_install(d, constrained):
    study = _study(600, d, seed=d, constrained=constrained)
    want = study.best_trials
    fko.install()
    got = study.best_trials
    assert [t.number for t in got] == [t.number for t in want]
    assert got == want
    stored = study.get_trials(deepcopy=False)
    assert all(t is not stored[t.number] for t in got)  # copies, as Optuna returns


@pytest.mark.parametrize(("d", "constrained"), [(2, False), (3, True), (4, False)])
def test_hypervolume_history_identical_with_install(d, constrained):
    study = _study(400, d, seed=10 + d, constrained=constrained)
    ref = np.where(
        np.array([s == optuna.study.StudyDirection.MINIMIZE for s in study.directions]), 2.5, -0.5
    )
    want = hv_history._get_hypervolume_history_info(study, ref)
    fko.install()
    got = hv_history._get_hypervolume_history_info(study, ref)
    assert got.trial_numbers == want.trial_numbers
    np.testing.assert_allclose(got.values, want.values, rtol=1e-12, atol=0)


# --- install / uninstall ---------------------------------------------------------------------


def _holders():
    # Import every holder the environment can import (the GP ones need torch).
    for name in fko.PATCHED:
        module_name = name.rsplit(".", 1)[0]
        try:
            importlib.import_module(module_name)
        except ImportError:
            pass
    return [
        (sys.modules[m], a) for m, a in (p.rsplit(".", 1) for p in fko.PATCHED) if m in sys.modules
    ]


def test_install_uninstall_identity():
    holders = _holders()
    assert len(holders) >= 12  # all but the two GP modules even without torch
    before = [getattr(m, a) for m, a in holders]
    fko.install()
    fko.install()  # twice: harmless
    assert fko.is_installed()
    for m, a in holders:
        assert getattr(m, a) is fko._REPLACEMENTS[a], f"{m.__name__}.{a}"
    fko.uninstall()
    fko.uninstall()  # twice: harmless
    assert not fko.is_installed()
    for (m, a), obj in zip(holders, before):
        assert getattr(m, a) is obj, f"{m.__name__}.{a}"


def test_install_patches_only_the_listed_attributes():
    holders = _holders()
    snapshot = {m.__name__: dict(vars(m)) for m in {id(m): m for m, _ in holders}.values()}
    fko.install()
    for m, _ in holders:
        changed = {k for k, v in vars(m).items() if snapshot[m.__name__].get(k) is not v}
        assert changed <= set(fko._REPLACEMENTS), (m.__name__, changed)
    fko.uninstall()
    for m, _ in holders:
        assert all(vars(m)[k] is v for k, v in snapshot[m.__name__].items()), m.__name__


def test_install_refuses_other_signatures(monkeypatch):
    monkeypatch.setattr(mo, "_is_pareto_front", lambda loss_values: None)
    with pytest.raises(NotImplementedError, match="install\\(\\) supports Optuna 5.0"):
        fko.install()
    assert not fko.is_installed()
    assert nsga_strategy._fast_non_domination_rank is OPT_RANK  # nothing replaced


def test_module_imported_after_install_is_restored():
    code = (
        "import optuna, sys\n"
        "from frontierkit.integrations import optuna as fko\n"
        "assert 'optuna.visualization._hypervolume_history' not in sys.modules\n"
        "fko.install()\n"
        "import optuna.visualization._hypervolume_history as h\n"
        "assert h.compute_hypervolume is fko.compute_hypervolume\n"
        "fko.uninstall()\n"
        "assert h.compute_hypervolume is optuna._hypervolume.wfg.compute_hypervolume\n"
        "assert h.compute_hypervolume is not fko.compute_hypervolume\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_doctests():
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for test in finder.find(fko):
            runner.run(test)
    assert runner.failures == 0
    assert runner.tries >= 10
