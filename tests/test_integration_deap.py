"""frontierkit.integrations.deap against DEAP itself: same fronts, same order, same runs."""

from __future__ import annotations

import random

import numpy as np
import pytest

deap = pytest.importorskip("deap")

from deap import base, benchmarks, creator, tools  # noqa: E402
from deap.benchmarks import tools as bench_tools  # noqa: E402
from deap.tools import emo  # noqa: E402

from frontierkit.integrations import deap as fk_deap  # noqa: E402

WEIGHTS = {
    "FkMin2": (-1.0, -1.0),
    "FkMin3": (-1.0, -1.0, -1.0),
    "FkMix3": (1.0, -1.0, 0.5),
    "FkMin5": (-1.0,) * 5,
    "FkMix5": (1.0, -2.0, 1.0, -1.0, 3.0),
}
for _name, _weights in WEIGHTS.items():
    if not hasattr(creator, _name):
        creator.create(_name, base.Fitness, weights=_weights)
if not hasattr(creator, "FkIndividual"):
    creator.create("FkIndividual", list, fitness=creator.FkMin2)


class FirstObjectiveFitness(base.Fitness):
    """A fitness with its own dominance rule (only the first objective counts)."""

    weights = (-1.0, -1.0)

    def dominates(self, other, obj=slice(None)):
        return self.wvalues[0] > other.wvalues[0]


class ConstrainedMin2(base.ConstrainedFitness):
    weights = (-1.0, -1.0)


class Ind(list):
    """A bare individual: a list with a fitness."""


def make_population(values, fitness_name):
    fitness = getattr(creator, fitness_name)
    pop = []
    for row in values:
        ind = Ind(list(row))
        ind.fitness = fitness(tuple(float(v) for v in row))
        pop.append(ind)
    return pop


def ids(fronts):
    return [[id(ind) for ind in front] for front in fronts]


@pytest.fixture(autouse=True)
def _uninstalled():
    fk_deap.uninstall()
    yield
    fk_deap.uninstall()


def cases():
    """(seed, fitness class, values): ties and duplicates on a grid, or distinct uniform values."""
    out = []
    master = np.random.default_rng(424242)
    for name in WEIGHTS:
        d = len(WEIGHTS[name])
        for rep in range(8):
            seed = int(master.integers(1 << 31))
            rng = np.random.default_rng(seed)
            n = int(rng.integers(1, 150))
            if rep % 2:
                values = rng.integers(0, 4, size=(n, d)).astype(float)  # many ties
            else:
                values = rng.random((n, d))
            if rep % 4 == 3:  # exact copies of whole rows
                values = values[rng.integers(0, n, size=n)]
            out.append((seed, name, values))
    return out


CASES = cases()


@pytest.mark.parametrize("case", range(len(CASES)))
def test_sort_nondominated_is_deaps(case):
    seed, name, values = CASES[case]
    pop = make_population(values, name)
    n = len(pop)
    rng = np.random.default_rng(seed)
    for k in (n, n + 5, 1, int(rng.integers(1, n + 1)), -1):
        for first_only in (False, True):
            want = tools.sortNondominated(pop, k, first_only)
            got = fk_deap.sort_nondominated(pop, k, first_only)
            assert ids(got) == ids(want), f"seed={seed} {name} n={n} k={k} first={first_only}"


@pytest.mark.parametrize("case", range(len(CASES)))
def test_sort_log_nondominated_is_deaps(case):
    seed, name, values = CASES[case]
    pop = make_population(values, name)
    n = len(pop)
    rng = np.random.default_rng(seed)
    for k in (n, n + 5, 1, int(rng.integers(1, n + 1))):
        want = tools.sortLogNondominated(pop, k)
        got = fk_deap.sort_log_nondominated(pop, k)
        assert ids(got) == ids(want), f"seed={seed} {name} n={n} k={k}"
    first_want = tools.sortLogNondominated(pop, n, first_front_only=True)
    first_got = fk_deap.sort_log_nondominated(pop, n, first_front_only=True)
    assert [id(i) for i in first_got] == [id(i) for i in first_want], f"seed={seed} {name}"


def test_edge_cases_match_deap():
    pop = make_population([[1.0, 2.0], [2.0, 1.0]], "FkMin2")
    assert fk_deap.sort_nondominated(pop, 0) == tools.sortNondominated(pop, 0) == []
    assert fk_deap.sort_nondominated([], 3) == tools.sortNondominated([], 3) == [[]]
    assert fk_deap.sort_log_nondominated(pop, 0) == []
    one = make_population([[1.0, 1.0]], "FkMin2")
    assert ids(fk_deap.sort_nondominated(one, 1)) == ids(tools.sortNondominated(one, 1))
    same = make_population([[1.0, 1.0]] * 5, "FkMin2")
    assert ids(fk_deap.sort_nondominated(same, 2)) == ids(tools.sortNondominated(same, 2))
    # -0.0 and 0.0 are one fitness for DEAP
    zeros = make_population([[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0]], "FkMin2")
    assert ids(fk_deap.sort_nondominated(zeros, 3)) == ids(tools.sortNondominated(zeros, 3))


def test_k_must_be_an_integer():
    pop = make_population([[1.0, 2.0]], "FkMin2")
    with pytest.raises(TypeError, match="'k' must be an int, but it is 1.5"):
        fk_deap.sort_nondominated(pop, 1.5)
    with pytest.raises(TypeError, match="'k' must be an int"):
        fk_deap.sort_log_nondominated(pop, None)


def test_unmodelled_input_goes_to_deap():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 3, size=(40, 2)).astype(float)
    # a fitness class with its own dominance rule: DEAP's function decides
    pop = []
    for row in values:
        ind = Ind(list(row))
        ind.fitness = FirstObjectiveFitness(tuple(row))
        pop.append(ind)
    want = tools.sortNondominated(pop, len(pop))
    assert len(want) == 3  # the rule DEAP applied is the class's own
    assert ids(fk_deap.sort_nondominated(pop, len(pop))) == ids(want)
    # ConstrainedFitness is unhashable, so DEAP's sort raises; so does the stand-in
    cpop = []
    for row in values:
        ind = Ind(list(row))
        ind.fitness = ConstrainedMin2(tuple(row), constraint_violation=[0.0])
        cpop.append(ind)
    with pytest.raises(TypeError, match="unhashable"):
        tools.sortNondominated(cpop, len(cpop))
    with pytest.raises(TypeError, match="unhashable"):
        fk_deap.sort_nondominated(cpop, len(cpop))
    # NaN
    nan_pop = make_population(np.vstack([values, [[np.nan, 0.0]]]), "FkMin2")
    assert ids(fk_deap.sort_nondominated(nan_pop, 41)) == ids(tools.sortNondominated(nan_pop, 41))


@pytest.mark.parametrize("name", list(WEIGHTS))
def test_hypervolume_is_deaps(name):
    master = np.random.default_rng(99)
    d = len(WEIGHTS[name])
    for _ in range(10):
        seed = int(master.integers(1 << 31))
        rng = np.random.default_rng(seed)
        values = rng.random((int(rng.integers(1, 80)), d))
        if seed % 2:
            values = np.round(values * 3) / 3
        pop = make_population(values, name)
        want = bench_tools.hypervolume(pop)
        assert fk_deap.hypervolume(pop) == pytest.approx(want, rel=1e-12), f"seed={seed}"
        wobj = -np.array([ind.fitness.wvalues for ind in pop])
        ref = wobj.max(axis=0) + 0.25
        want = bench_tools.hypervolume(pop, ref)
        assert fk_deap.hypervolume(pop, ref) == pytest.approx(want, rel=1e-12), f"seed={seed}"


@pytest.mark.parametrize("d", [2, 3, 4])
def test_least_contributor_is_deaps(d):
    name = {2: "FkMin2", 3: "FkMix3"}.get(d)
    if name is None:
        if not hasattr(creator, "FkMin4"):
            creator.create("FkMin4", base.Fitness, weights=(-1.0,) * 4)
        name = "FkMin4"
    master = np.random.default_rng(5)
    for _ in range(10):
        seed = int(master.integers(1 << 31))
        rng = np.random.default_rng(seed)
        pts = np.abs(rng.standard_normal((int(rng.integers(2, 40)), d)))
        pts /= np.linalg.norm(pts, axis=1, keepdims=True)  # a mutually non-dominated front
        weights = np.array(getattr(creator, name).weights)
        values = -pts / weights  # wvalues = -pts: the minimised points are pts
        pop = make_population(values, name)
        want = tools.hypervolume(pop)
        got = fk_deap.least_contributor(pop)
        assert got == want, f"seed={seed}"
        assert fk_deap.least_contributor(pop, ref=[1.5] * d) == tools.hypervolume(
            pop, ref=[1.5] * d
        ), f"seed={seed}"


def test_hypervolume_errors():
    with pytest.raises(ValueError, match="'front' must not be empty when 'ref' is not given"):
        fk_deap.hypervolume([])
    assert fk_deap.hypervolume([], ref=[1.0, 1.0]) == 0.0
    with pytest.raises(ValueError, match="'front' must not be empty"):
        fk_deap.least_contributor([], ref=[1.0, 1.0])


def nsga2_run(seed, *, ngen=30, mu=100, nobj=2, nd="standard"):
    """DEAP's NSGA-II example (examples/ga/nsga2.py) on ZDT1 or 3-objective DTLZ2."""
    ndim = 30 if nobj == 2 else 12
    fitness = creator.FkMin2 if nobj == 2 else creator.FkMin3
    if nobj == 2:
        evaluate = benchmarks.zdt1
    else:

        def evaluate(ind):
            return benchmarks.dtlz2(ind, 3)

    random.seed(seed)
    toolbox = base.Toolbox()

    def individual():
        ind = creator.FkIndividual(random.uniform(0.0, 1.0) for _ in range(ndim))
        ind.fitness = fitness()
        return ind

    toolbox.register("population", tools.initRepeat, list, individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("mate", tools.cxSimulatedBinaryBounded, low=0.0, up=1.0, eta=20.0)
    toolbox.register(
        "mutate", tools.mutPolynomialBounded, low=0.0, up=1.0, eta=20.0, indpb=1.0 / ndim
    )
    toolbox.register("select", tools.selNSGA2, nd=nd)

    pop = toolbox.population(n=mu)
    for ind in pop:
        ind.fitness.values = toolbox.evaluate(ind)
    pop = toolbox.select(pop, len(pop))
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
                ind.fitness.values = toolbox.evaluate(ind)
        pop = toolbox.select(pop + offspring, mu)
    return np.array(pop), np.array([ind.fitness.values for ind in pop])


@pytest.mark.parametrize(("nobj", "nd"), [(2, "standard"), (3, "standard"), (2, "log")])
def test_nsga2_run_is_the_same_with_install(nobj, nd):
    X0, F0 = nsga2_run(11, nobj=nobj, nd=nd)
    fk_deap.install()
    try:
        X1, F1 = nsga2_run(11, nobj=nobj, nd=nd)
    finally:
        fk_deap.uninstall()
    np.testing.assert_array_equal(X1, X0)
    np.testing.assert_array_equal(F1, F0)


def mo_cma_es_run(seed, *, ngen=60, mu=10, n=5):
    """DEAP's MO-CMA-ES (cma.StrategyMultiObjective: sortLogNondominated + tools.hypervolume)."""
    from deap import cma

    def evaluate(ind):
        return benchmarks.zdt1([min(max(v, 0.0), 1.0) for v in ind])

    # DEAP's strategy draws from NumPy's legacy global generator: seed (and restore) that one
    np.random.seed(seed)  # noqa: NPY002
    random.seed(seed)
    pop = [creator.FkIndividual(x) for x in np.random.uniform(0, 1, (mu, n))]  # noqa: NPY002
    for ind in pop:
        ind.fitness.values = evaluate(ind)
    strategy = cma.StrategyMultiObjective(pop, sigma=0.5, mu=mu, lambda_=mu)
    for _ in range(ngen):
        offspring = strategy.generate(creator.FkIndividual)
        for ind in offspring:
            ind.fitness.values = evaluate(ind)
        strategy.update(offspring)
    return np.array(strategy.parents)


def test_mo_cma_es_run_is_the_same_with_install():
    state = np.random.get_state()  # noqa: NPY002
    try:
        X0 = mo_cma_es_run(3)
        fk_deap.install()
        X1 = mo_cma_es_run(3)
    finally:
        fk_deap.uninstall()
        np.random.set_state(state)  # noqa: NPY002
    np.testing.assert_array_equal(X1, X0)


def test_install_replaces_and_uninstall_restores_exactly():
    targets = [
        (emo, "sortNondominated"),
        (emo, "sortLogNondominated"),
        (tools, "sortNondominated"),
        (tools, "sortLogNondominated"),
        (tools, "hypervolume"),
        (bench_tools, "hypervolume"),
    ]
    before = [getattr(m, a) for m, a in targets]
    fk_deap.uninstall()  # without install: harmless
    assert [getattr(m, a) for m, a in targets] == before
    fk_deap.install()
    fk_deap.install()  # twice: harmless, the originals stay saved
    assert fk_deap.is_installed()
    assert emo.sortNondominated is fk_deap.sort_nondominated
    assert emo.sortLogNondominated is fk_deap.sort_log_nondominated
    assert tools.sortNondominated is fk_deap.sort_nondominated
    assert tools.sortLogNondominated is fk_deap.sort_log_nondominated
    assert tools.hypervolume is fk_deap.least_contributor
    assert bench_tools.hypervolume is fk_deap.hypervolume
    fk_deap.uninstall()
    assert not fk_deap.is_installed()
    for (module, attr), original in zip(targets, before):
        assert getattr(module, attr) is original, f"{module.__name__}.{attr}"
    fk_deap.uninstall()
    for (module, attr), original in zip(targets, before):
        assert getattr(module, attr) is original, f"{module.__name__}.{attr}"


def test_installed_selnsga2_selects_the_same_individuals():
    rng = np.random.default_rng(3)
    pop = make_population(rng.integers(0, 20, size=(400, 3)).astype(float), "FkMin3")
    want = [id(i) for i in tools.selNSGA2(pop, 150)]
    fk_deap.install()
    got = [id(i) for i in tools.selNSGA2(pop, 150)]
    fk_deap.uninstall()
    assert got == want


def test_docstring_examples():
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(fk_deap):
        runner.run(test)
    assert runner.failures == 0
    assert runner.tries > 10
    assert not fk_deap.is_installed()
