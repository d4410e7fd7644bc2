#!/usr/bin/env python
"""End-to-end speed of the optimizer integrations: each library's own code against the same
call on frontierkit, on the same data and seeds, in the same run.

Every case runs the library as shipped, then with frontierkit (the injected object, or after
the integration's ``install()``), checks that both give the same result (the same population for
whole runs, equal values within a relative 1e-12 for indicators) and reports the best of
``--repeat`` wall-clock times and the ratio ``library time / frontierkit time`` (above 1:
frontierkit is faster). Absolute times belong to the machine printed in the header.

One function per library, ``bench_<library>()``, each returning its rows; ``__main__`` runs
every such function this file defines (or the ones named on the command line).

Usage::

    python benchmarks/integrations_speed.py                 # every bench_* function
    python benchmarks/integrations_speed.py pymoo deap      # bench_pymoo and bench_deap only
    python benchmarks/integrations_speed.py --quick         # smaller cases, a smoke run
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.join(ROOT, "python") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "python"))


# --- shared helpers ----------------------------------------------------------------------------


def machine() -> str:
    """CPU model, core count and load, for the report header."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at start"
    return f"{name}, {os.cpu_count()} logical CPUs{load}, Python {platform.python_version()}"


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall-clock and best process-CPU time of ``repeat`` calls, and the last result.

    The CPU time (all threads of this process) is what to compare on a shared, loaded machine;
    the wall time is what a user waits.
    """
    wall = cpu = float("inf")
    out = None
    for _ in range(max(1, repeat)):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, out


def compare(
    own: Callable[[], Any], theirs: Callable[[], Any], repeat: int
) -> tuple[tuple[float, float], tuple[float, float], Any, Any]:
    """Time two callables interleaved (own, frontierkit, own, ...) so load hits both alike."""
    best_own = [float("inf")] * 2
    best_fk = [float("inf")] * 2
    a = b = None
    for _ in range(max(1, repeat)):
        w, c, a = best_time(own, 1)
        best_own = [min(best_own[0], w), min(best_own[1], c)]
        w, c, b = best_time(theirs, 1)
        best_fk = [min(best_fk[0], w), min(best_fk[1], c)]
    return (best_own[0], best_own[1]), (best_fk[0], best_fk[1]), a, b


def row(
    library: str,
    case: str,
    own: tuple[float, float],
    fk_time: tuple[float, float],
    same: bool,
    how: str,
) -> dict:
    """One result: ``own``/``fk_time`` are (wall, cpu) seconds."""
    return {
        "library": library,
        "case": case,
        "own_wall": own[0],
        "fk_wall": fk_time[0],
        "wall_ratio": own[0] / fk_time[0] if fk_time[0] > 0 else float("inf"),
        "own_cpu": own[1],
        "fk_cpu": fk_time[1],
        "cpu_ratio": own[1] / fk_time[1] if fk_time[1] > 0 else float("inf"),
        "same": same,
        "how": how,
    }


def print_table(rows: list[dict]) -> None:
    print(
        "| library | case | own wall (s) | frontierkit wall (s) | wall ratio | own CPU (s) "
        "| frontierkit CPU (s) | CPU ratio | same result | via |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|:---:|---|")
    for r in rows:
        print(
            f"| {r['library']} | {r['case']} | {r['own_wall']:.4f} | {r['fk_wall']:.4f} | "
            f"{r['wall_ratio']:.2f}x | {r['own_cpu']:.4f} | {r['fk_cpu']:.4f} | "
            f"{r['cpu_ratio']:.2f}x | {'yes' if r['same'] else 'NO'} | {r['how']} |"
        )
    sys.stdout.flush()


def sphere_front(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` mutually non-dominated points on the positive unit sphere (minimisation)."""
    pts = np.abs(np.random.default_rng(seed).standard_normal((n, d)))
    return pts / np.linalg.norm(pts, axis=1, keepdims=True)


# --- pymoo ------------------------------------------------------------------------------------


def bench_pymoo(quick: bool = False, repeat: int = 2) -> list[dict]:
    """pymoo's NSGA-II, SMS-EMOA and HV indicator, as shipped and on frontierkit.

    pymoo 0.6.2 already sorts and measures with moocore's C code, so whole runs are dominated by
    pymoo's own Python (population bookkeeping, duplicate elimination, mating); the "sorting in
    the run" and "contributions in the run" rows replay the exact inputs a run handed to the
    kernel, to show the part frontierkit replaces.
    """
    import pymoo.algorithms.moo.sms as pymoo_sms
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.sms import SMSEMOA
    from pymoo.indicators.hv import HV as PymooHV
    from pymoo.operators.survival.rank_and_crowding import RankAndCrowding
    from pymoo.optimize import minimize
    from pymoo.problems import get_problem
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    from frontierkit.integrations import pymoo as fk_pymoo

    rows = []

    class Recording(NonDominatedSorting):
        """pymoo's sorting, keeping every (F, n_stop_if_ranked) it is asked to sort.

        The list is a class attribute: ``minimize`` deep-copies the algorithm and its parts.
        """

        calls: list[tuple[np.ndarray, Any]] = []

        def do(self, F: Any, *args: Any, n_stop_if_ranked: Any = None, **kwargs: Any) -> Any:
            Recording.calls.append((np.array(F, dtype=float), n_stop_if_ranked))
            return super().do(F, *args, n_stop_if_ranked=n_stop_if_ranked, **kwargs)

    def nsga2(problem: Any, pop_size: int, n_gen: int, nds: Any = None) -> Any:
        kwargs = {"survival": RankAndCrowding(nds=nds)} if nds is not None else {}
        algorithm = NSGA2(pop_size=pop_size, **kwargs)
        res = minimize(problem, algorithm, ("n_gen", n_gen), seed=1, verbose=False)
        return res.pop.get("X")

    scale = 4 if quick else 1
    runs = [
        ("zdt1", {}, 2000 // scale, 10),
        ("dtlz2", {"n_obj": 3}, 2000 // scale, 10),
        ("dtlz2", {"n_obj": 5}, 1000 // scale, 10),
    ]
    for name, kwargs, pop_size, n_gen in runs:
        problem = get_problem(name, **kwargs)
        m = kwargs.get("n_obj", 2)
        case = f"NSGA-II {name.upper()} m={m}, pop {pop_size}, {n_gen} gens"

        def own(p: Any = problem, s: int = pop_size, g: int = n_gen) -> Any:
            return nsga2(p, s, g)

        def injected(p: Any = problem, s: int = pop_size, g: int = n_gen) -> Any:
            return nsga2(p, s, g, fk_pymoo.FrontierkitNDS())

        def installed(p: Any = problem, s: int = pop_size, g: int = n_gen) -> Any:
            fk_pymoo.install()
            try:
                return nsga2(p, s, g)
            finally:
                fk_pymoo.uninstall()

        t_own, t_fk, X0, X1 = compare(own, injected, repeat)
        rows.append(row("pymoo", case, t_own, t_fk, np.array_equal(X0, X1), "FrontierkitNDS()"))
        t_own, t_fk, X0, X2 = compare(own, installed, repeat)
        rows.append(row("pymoo", case, t_own, t_fk, np.array_equal(X0, X2), "install()"))

        # the sorting step alone, on the run's own survival inputs
        Recording.calls = []
        nsga2(problem, pop_size, n_gen, Recording())
        calls = Recording.calls

        def sort_with(nds: Any, calls: list = calls) -> list:
            return [nds.do(F, n_stop_if_ranked=k) for F, k in calls]

        t_own, t_fk, f0, f1 = compare(
            lambda: sort_with(NonDominatedSorting()),
            lambda: sort_with(fk_pymoo.FrontierkitNDS()),
            repeat + 3,
        )
        same = all(
            len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
            for a, b in zip(f0, f1)
        )
        n = len(calls[0][0])
        case = f"sorting in that run ({len(calls)} calls on {n} x {m})"
        rows.append(row("pymoo", case, t_own, t_fk, same, "FrontierkitNDS().do"))

    # SMS-EMOA: one exact contribution call per generation on the last front
    problem = get_problem("dtlz2", n_obj=3)
    pop_size, n_gen = (100, 300) if not quick else (40, 50)

    def sms() -> Any:
        algorithm = SMSEMOA(pop_size=pop_size)
        return minimize(problem, algorithm, ("n_gen", n_gen), seed=1, verbose=False).pop.get("X")

    def sms_installed() -> Any:
        fk_pymoo.install()
        try:
            return sms()
        finally:
            fk_pymoo.uninstall()

    t_own, t_fk, X0, X1 = compare(sms, sms_installed, repeat)
    case = f"SMS-EMOA DTLZ2 m=3, pop {pop_size}, {n_gen} gens"
    rows.append(row("pymoo", case, t_own, t_fk, np.array_equal(X0, X1), "install()"))

    recorded: list[tuple[np.ndarray, np.ndarray]] = []
    original = pymoo_sms.hv_contributions

    def recording(F: Any, ref: Any, **kwargs: Any) -> Any:
        recorded.append((np.array(F, dtype=float), np.array(ref, dtype=float)))
        return original(F, ref=ref, **kwargs)

    pymoo_sms.hv_contributions = recording
    try:
        sms()
    finally:
        pymoo_sms.hv_contributions = original
    t_own, t_fk, c0, c1 = compare(
        lambda: [original(F, ref=r) for F, r in recorded],
        lambda: [fk_pymoo._hv_contributions(F, ref=r) for F, r in recorded],
        repeat + 3,
    )
    same = all(int(np.argmin(a)) == int(np.argmin(b)) for a, b in zip(c0, c1))
    sizes = [len(F) for F, _ in recorded]
    case = f"contributions in that run ({len(recorded)} calls, {min(sizes)}-{max(sizes)} points)"
    rows.append(row("pymoo", case, t_own, t_fk, same, "install() kernel"))

    # the HV indicator on one large front
    for d, n in [(3, 100_000), (4, 10_000), (5, 2_000), (6, 500)]:
        n = n // scale
        F = sphere_front(n, d, seed=d)
        ref = np.full(d, 1.1)
        t_own, t_fk, v0, v1 = compare(
            lambda F=F, ref=ref: PymooHV(ref_point=ref)(F),
            lambda F=F, ref=ref: fk_pymoo.Hypervolume(ref_point=ref)(F),
            repeat + 3,
        )
        same = abs(v0 - v1) <= 1e-12 * abs(v0)
        case = f"HV indicator, {n} points on a sphere, d={d}"
        rows.append(row("pymoo", case, t_own, t_fk, same, "Hypervolume(ref_point=...)"))
    return rows


# --- DEAP -------------------------------------------------------------------------------------


def _deap_types() -> tuple[Any, Any, Any]:
    from deap import base, creator

    for name, weights in (("BenchMin2", (-1.0, -1.0)), ("BenchMin3", (-1.0, -1.0, -1.0))):
        if not hasattr(creator, name):
            creator.create(name, base.Fitness, weights=weights)
    if not hasattr(creator, "BenchIndividual"):
        creator.create("BenchIndividual", list, fitness=creator.BenchMin2)
    return creator.BenchMin2, creator.BenchMin3, creator.BenchIndividual


def _deap_population(values: np.ndarray, fitness: Any, individual: Any) -> list:
    pop = []
    for v in values.tolist():
        ind = individual(v)
        ind.fitness = fitness(tuple(v))
        pop.append(ind)
    return pop


def _deap_nsga2(mu: int, ngen: int, nobj: int, seed: int = 7) -> np.ndarray:
    """DEAP's NSGA-II example (examples/ga/nsga2.py) on ZDT1 or 3-objective DTLZ2."""
    from deap import base, benchmarks, tools

    fmin2, fmin3, individual = _deap_types()
    fitness = fmin2 if nobj == 2 else fmin3
    ndim = 30 if nobj == 2 else 12

    def evaluate(ind: Any) -> Any:
        return benchmarks.zdt1(ind) if nobj == 2 else benchmarks.dtlz2(ind, 3)

    random.seed(seed)
    toolbox = base.Toolbox()

    def make() -> Any:
        ind = individual(random.uniform(0.0, 1.0) for _ in range(ndim))
        ind.fitness = fitness()
        return ind

    toolbox.register("mate", tools.cxSimulatedBinaryBounded, low=0.0, up=1.0, eta=20.0)
    toolbox.register(
        "mutate", tools.mutPolynomialBounded, low=0.0, up=1.0, eta=20.0, indpb=1.0 / ndim
    )
    pop = [make() for _ in range(mu)]
    for ind in pop:
        ind.fitness.values = evaluate(ind)
    pop = tools.selNSGA2(pop, len(pop))  # looked up at call time: install() applies
    for _ in range(ngen):
        offspring = [toolbox.clone(ind) for ind in tools.selTournamentDCD(pop, len(pop))]
        for ind1, ind2 in zip(offspring[::2], offspring[1::2]):
            if random.random() <= 0.9:
                toolbox.mate(ind1, ind2)
            toolbox.mutate(ind1)
            toolbox.mutate(ind2)
            del ind1.fitness.values, ind2.fitness.values
        for ind in offspring:
            if not ind.fitness.valid:
                ind.fitness.values = evaluate(ind)
        pop = tools.selNSGA2(pop + offspring, mu)
    return np.array(pop)


def bench_deap(quick: bool = False, repeat: int = 2) -> list[dict]:
    """DEAP's selNSGA2, an NSGA-II run and its hypervolume tools, as shipped and installed."""
    from deap import tools
    from deap.benchmarks import tools as bench_tools

    from frontierkit.integrations import deap as fk_deap

    fmin2, fmin3, individual = _deap_types()
    rows = []
    n = 500 if quick else 2000

    def installed(fn: Callable[[], Any]) -> Callable[[], Any]:
        def call() -> Any:
            fk_deap.install()
            try:
                return fn()
            finally:
                fk_deap.uninstall()

        return call

    rng = np.random.default_rng(3)
    # NSGA-II-like selection inputs: a noisy convex front and the cloud it dominates
    for nobj, fitness in ((2, fmin2), (3, fmin3)):
        base_front = sphere_front(n, nobj, seed=nobj)
        values = base_front + rng.exponential(0.3, size=(n, 1)) * rng.random((n, nobj))
        pop = _deap_population(values, fitness, individual)
        for nd in ("standard", "log"):

            def select(nd: str = nd, pop: list = pop) -> list:
                return [id(i) for i in tools.selNSGA2(pop, n // 2, nd=nd)]

            t_own, t_fk, a, b = compare(select, installed(select), repeat)
            case = f"selNSGA2(nd='{nd}'), {n} individuals -> {n // 2}, m={nobj}"
            rows.append(row("DEAP", case, t_own, t_fk, a == b, "install()"))

    # whole NSGA-II runs (DEAP's example structure)
    mu, ngen = (200, 5) if quick else (1000, 5)
    for nobj in (2, 3):

        def run(nobj: int = nobj) -> np.ndarray:
            return _deap_nsga2(mu, ngen, nobj)

        t_own, t_fk, X0, X1 = compare(run, installed(run), 1)
        case = f"NSGA-II run {'ZDT1' if nobj == 2 else 'DTLZ2'} m={nobj}, mu {mu}, {ngen} gens"
        rows.append(row("DEAP", case, t_own, t_fk, np.array_equal(X0, X1), "install()"))

    # hypervolume of a front (deap.benchmarks.tools.hypervolume)
    for d, size in ((2, 50_000), (3, 20_000)):
        size = size // (4 if quick else 1)
        fitness = fmin2 if d == 2 else fmin3
        pop = _deap_population(sphere_front(size, d, seed=d), fitness, individual)
        ref = [1.1] * d
        t_own, t_fk, v0, v1 = compare(
            lambda pop=pop, ref=ref: bench_tools.hypervolume(pop, ref),
            lambda pop=pop, ref=ref: fk_deap.hypervolume(pop, ref),
            repeat + 3,
        )
        case = f"benchmarks.tools.hypervolume, {size} individuals, m={d}"
        same = abs(v0 - v1) <= 1e-12 * abs(v0)
        rows.append(row("DEAP", case, t_own, t_fk, same, "hypervolume()"))

    # least contributor (deap.tools.hypervolume, the MO-CMA-ES indicator)
    size = 100 if quick else 400
    pop = _deap_population(sphere_front(size, 3, seed=11), fmin3, individual)
    t_own, t_fk, i0, i1 = compare(
        lambda: tools.hypervolume(pop), lambda: fk_deap.least_contributor(pop), repeat + 3
    )
    case = f"tools.hypervolume (least contributor), {size} individuals, m=3"
    rows.append(row("DEAP", case, t_own, t_fk, int(i0) == int(i1), "least_contributor()"))
    return rows


# --- driver -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("libraries", nargs="*", help="bench_<name> functions to run (all)")
    parser.add_argument("--quick", action="store_true", help="smaller cases, a smoke run")
    parser.add_argument("--repeat", type=int, default=2, help="timed calls per case (best)")
    args = parser.parse_args(argv)

    benches = {
        name[len("bench_") :]: fn
        for name, fn in globals().items()
        if name.startswith("bench_") and callable(fn)
    }
    chosen = args.libraries or list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        parser.error(f"no bench_ function for {unknown}; known: {sorted(benches)}")

    import frontierkit as fk

    print(f"# Integration speed ({time.strftime('%Y-%m-%d')})")
    print(f"Machine: {machine()}; frontierkit {fk.__version__} backend {fk.backend()}")
    all_rows = []
    for name in chosen:
        fn = benches[name]
        params = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in (("quick", args.quick), ("repeat", args.repeat)) if k in params}
        try:
            rows = fn(**kwargs)
        except ImportError as exc:  # the library is not installed
            print(f"\n{name}: skipped ({exc})")
            continue
        print(f"\n## {name}\n")
        print_table(rows)
        all_rows.extend(rows)
    return 0 if all(r["same"] for r in all_rows) else 1


if __name__ == "__main__":
    sys.exit(main())
