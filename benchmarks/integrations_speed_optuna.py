#!/usr/bin/env python
"""End-to-end speed of Optuna with and without frontierkit (frontierkit.integrations.optuna).

Every case runs Optuna's own code twice on the same study or seed, once as shipped and once after
``install()`` (or with ``NSGAIIEliteSelection`` passed to the sampler), checks that both give the
same result (equal trials, equal fronts, hypervolumes within a relative 1e-12) and prints a
Markdown table of the times and the ratio ``Optuna / with frontierkit`` (above 1: faster).

Cases (``--cases``, all by default):

* ``hv-history``: the data of Optuna's hypervolume history plot
  (``optuna.visualization._hypervolume_history._get_hypervolume_history_info``, what both
  ``plot_hypervolume_history`` functions draw) for a study of ``--trials`` trials (5,000) with
  ``--objectives`` objectives (4), reference point 1.6 in every objective;
* ``best-trials``: ``Study.best_trials`` on the same study;
* ``nsga2``: a seeded ``NSGAIISampler`` run (3 objectives, population ``--population`` (500),
  ``--nsga2-trials`` trials (2,000)), as shipped, with ``NSGAIIEliteSelection`` and after
  ``install()``, with the time the runs spent selecting elites (NSGA-II selects once per
  generation; the rest of a run is Optuna's per-trial bookkeeping, which frontierkit does not
  touch, so the run's ratio stays near 1); and the selection step alone, one call of the
  strategy on ``--selection`` (5,000) trials of 4 objectives choosing half of them;
* ``tpe``: a seeded multi-objective ``TPESampler`` run (4 objectives, ``--tpe-trials`` (200)
  trials), whose ranking with ``n_below`` and hypervolume subset selection use the replaced
  functions.

Data: the trials of ``hv-history`` / ``best-trials`` are made with ``optuna.trial.create_trial``
and ``Study.add_trials`` from DTLZ2 values (``d - 1`` uniform angles, distance ``g`` to the
front uniform in ``[0, 0.5]`` scaled down linearly from 1 to 0.01 over the trials, as if an
optimizer converged), seed 0; the runs optimise DTLZ2 with ``d + 3`` variables (objective values
rounded to 2 decimals in ``nsga2``, for ties). Times are the best of ``--repeat`` (3) calls for
``hv-history``, ``best-trials`` and the selection step, and the best of ``--run-repeat`` (2)
runs for the runs (the variants take turns, so a slow spell of a shared machine hits each).
Absolute times hold for the machine printed above the table only; ratios carry over better.
``--clock cpu`` times the process' CPU time (all its threads) instead of the wall clock: steadier
when other jobs share the machine.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import time
import warnings

import numpy as np

try:
    import optuna
except ImportError:  # pragma: no cover
    sys.exit("this benchmark needs Optuna: pip install optuna")

from optuna.distributions import FloatDistribution
from optuna.exceptions import ExperimentalWarning
from optuna.visualization._hypervolume_history import _get_hypervolume_history_info

from frontierkit.integrations import optuna as fko

optuna.logging.set_verbosity(optuna.logging.WARNING)

clock = time.perf_counter  # --clock cpu: time.process_time (this process' CPU time, all threads)


def dtlz2(x: np.ndarray, d: int) -> np.ndarray:
    """DTLZ2 values of rows ``x`` (angles in [0, 1], then distance variables)."""
    g = ((x[:, d - 1 :] - 0.5) ** 2).sum(axis=1) if x.shape[1] >= d else np.zeros(len(x))
    theta = x[:, : d - 1] * (np.pi / 2)
    f = np.repeat((1.0 + g)[:, None], d, axis=1)
    for i in range(d):
        for j in range(d - 1 - i):
            f[:, i] *= np.cos(theta[:, j])
        if i > 0:
            f[:, i] *= np.sin(theta[:, d - 1 - i])
    return f


def converging_study(n: int, d: int, seed: int = 0) -> optuna.Study:
    rng = np.random.default_rng(seed)
    x = rng.random((n, d - 1))
    g = 0.5 * rng.random(n) * np.linspace(1.0, 0.01, n)
    values = dtlz2(x, d) * (1.0 + g)[:, None]
    dist = {f"x{j}": FloatDistribution(0.0, 1.0) for j in range(d - 1)}
    study = optuna.create_study(directions=["minimize"] * d)
    study.add_trials(
        [
            optuna.trial.create_trial(
                params={f"x{j}": float(x[i, j]) for j in range(d - 1)},
                distributions=dist,
                values=values[i].tolist(),
            )
            for i in range(n)
        ]
    )
    return study


def best_of(repeat: int, fn):
    best, out = math.inf, None
    for _ in range(repeat):
        t = clock()
        out = fn()
        best = min(best, clock() - t)
    return best, out


def with_install(fn):
    fko.install()
    try:
        return fn()
    finally:
        fko.uninstall()


def case_hv_history(args, rows):
    study = converging_study(args.trials, args.objectives)
    ref = np.full(args.objectives, 1.6)
    t0, want = best_of(args.repeat, lambda: _get_hypervolume_history_info(study, ref))
    t1, got = with_install(
        lambda: best_of(args.repeat, lambda: _get_hypervolume_history_info(study, ref))
    )
    same = got.trial_numbers == want.trial_numbers and np.allclose(
        got.values, want.values, rtol=1e-12, atol=0
    )
    label = f"hypervolume history, {args.trials} trials, {args.objectives} objectives"
    rows.append((label, t0, t1, same, f"final HV {want.values[-1]:.6f}"))


def case_best_trials(args, rows):
    study = converging_study(args.trials, args.objectives)
    t0, want = best_of(args.repeat, lambda: study.best_trials)
    t1, got = with_install(lambda: best_of(args.repeat, lambda: study.best_trials))
    label = f"`Study.best_trials`, {args.trials} trials, {args.objectives} objectives"
    rows.append((label, t0, t1, got == want, f"{len(want)} trials on the front"))


def nsga2_objective(trial):
    x = np.array([[trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(6)]])
    return [round(float(v), 2) for v in dtlz2(x, 3)[0]]


class TimedStrategy:
    """An elite selection strategy that adds the time of each of its calls to ``seconds``."""

    def __init__(self, strategy):
        self.strategy, self.seconds = strategy, 0.0

    def __call__(self, study, population):
        t = clock()
        try:
            return self.strategy(study, population)
        finally:
            self.seconds += clock() - t


def nsga2_run(args, strategy: bool):
    """One seeded run: (time, trials, time spent selecting elites).

    Optuna's strategy is passed explicitly too (what the sampler builds by default), so that both
    runs have their selection timed the same way.
    """
    size = args.population
    shipped = optuna.samplers.nsgaii._elite_population_selection_strategy
    chosen = (
        fko.NSGAIIEliteSelection if strategy else shipped.NSGAIIElitePopulationSelectionStrategy
    )
    timed = TimedStrategy(chosen(population_size=size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        sampler = optuna.samplers.NSGAIISampler(
            population_size=size, seed=1, elite_population_selection_strategy=timed
        )
    study = optuna.create_study(directions=["minimize", "maximize", "minimize"], sampler=sampler)
    t = clock()
    study.optimize(nsga2_objective, n_trials=args.nsga2_trials)
    elapsed = clock() - t
    return elapsed, ([(tr.params, tr.values) for tr in study.trials], timed.seconds)


def interleaved(rounds: int, variants):
    """Best time and last result of each variant, run in turn ``rounds`` times."""
    best = [math.inf] * len(variants)
    results = [None] * len(variants)
    for _ in range(rounds):
        for k, fn in enumerate(variants):
            gc.collect()
            t, results[k] = fn()
            best[k] = min(best[k], t)
    return list(zip(best, results))


def case_nsga2(args, rows):
    (t0, want), (t1, got), (t2, got2) = interleaved(
        args.run_repeat,
        [
            lambda: nsga2_run(args, strategy=False),
            lambda: nsga2_run(args, strategy=True),
            lambda: with_install(lambda: nsga2_run(args, strategy=False)),
        ],
    )
    label = f"NSGA-II run, population {args.population}, {args.nsga2_trials} trials, 3 objectives"
    for how, t, (trials, selecting) in (
        ("`NSGAIIEliteSelection`", t1, got),
        ("`install()`", t2, got2),
    ):
        note = f"same trials; selecting elites took {fmt(want[1])} vs {fmt(selecting)}"
        rows.append((f"{label}, {how}", t0, t, trials == want[0], note))

    n, d = args.selection, 4
    study = converging_study(n, d, seed=1)
    trials = study.get_trials(deepcopy=False)
    size = n // 2
    shipped = optuna.samplers.nsgaii._elite_population_selection_strategy
    optuna_strategy = shipped.NSGAIIElitePopulationSelectionStrategy(population_size=size)
    ours = fko.NSGAIIEliteSelection(population_size=size)
    t0, want = best_of(args.repeat, lambda: optuna_strategy(study, list(trials)))
    t1, got = best_of(args.repeat, lambda: ours(study, list(trials)))
    same = [id(t) for t in got] == [id(t) for t in want]
    label = f"NSGA-II selection step alone, {n} trials of {d} objectives -> {size}"
    rows.append((label, t0, t1, same, "same trials, same order"))


def tpe_run(args):
    d = 4

    def objective(trial):
        x = np.array([[trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(d + 3)]])
        return dtlz2(x, d)[0].tolist()

    study = optuna.create_study(
        directions=["minimize"] * d, sampler=optuna.samplers.TPESampler(seed=3)
    )
    t = clock()
    study.optimize(objective, n_trials=args.tpe_trials)
    return clock() - t, [(tr.params, tr.values) for tr in study.trials]


def case_tpe(args, rows):
    (t0, want), (t1, got) = interleaved(
        args.run_repeat, [lambda: tpe_run(args), lambda: with_install(lambda: tpe_run(args))]
    )
    label = f"TPE run, {args.tpe_trials} trials, 4 objectives, `install()`"
    rows.append((label, t0, t1, got == want, "same trials"))


CASES = {
    "hv-history": case_hv_history,
    "best-trials": case_best_trials,
    "nsga2": case_nsga2,
    "tpe": case_tpe,
}


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    ap.add_argument("--trials", type=int, default=5000)
    ap.add_argument("--objectives", type=int, default=4)
    ap.add_argument("--population", type=int, default=500)
    ap.add_argument("--nsga2-trials", type=int, default=2000)
    ap.add_argument("--selection", type=int, default=5000)
    ap.add_argument("--tpe-trials", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--run-repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    ap.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="cpu: time this process' CPU time, steadier when other jobs share the machine",
    )
    args = ap.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.quick:
        args.trials, args.population, args.nsga2_trials = 300, 20, 100
        args.selection, args.tpe_trials, args.repeat, args.run_repeat = 200, 30, 1, 1

    import frontierkit as fk

    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, Optuna {optuna.__version__}, frontierkit {fk.__version__} "
        f"({fk.backend()} backend); {time.strftime('%Y-%m-%d')}; {args.clock} clock"
    )
    print()
    rows: list = []
    for name in args.cases:
        CASES[name](args, rows)
    print("| case | Optuna | with frontierkit | ratio | same result |")
    print("|---|---:|---:|---:|---|")
    ok = True
    for label, t0, t1, same, note in rows:
        ok &= bool(same)
        print(
            f"| {label} | {fmt(t0)} | {fmt(t1)} | {t0 / t1:.2f}x | "
            f"{'yes' if same else 'NO'} ({note}) |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
