"""frontierkit.integrations.pymoo against pymoo itself: same fronts, same values, same runs."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("pymoo")
moocore = pytest.importorskip("moocore")

import pymoo.algorithms.moo.sms as pymoo_sms  # noqa: E402
import pymoo.indicators.hv as pymoo_hv  # noqa: E402
import pymoo.indicators.hv.approximate as pymoo_hv_approx  # noqa: E402
import pymoo.util.nds.non_dominated_sorting as pymoo_nds  # noqa: E402
from pymoo.algorithms.moo.nsga2 import NSGA2  # noqa: E402
from pymoo.algorithms.moo.sms import SMSEMOA  # noqa: E402
from pymoo.indicators.hv import HV as PymooHV  # noqa: E402
from pymoo.operators.survival.rank_and_crowding import RankAndCrowding  # noqa: E402
from pymoo.optimize import minimize  # noqa: E402
from pymoo.problems import get_problem  # noqa: E402
from pymoo.util.dominator import Dominator  # noqa: E402
from pymoo.util.nds.non_dominated_sorting import (  # noqa: E402
    NonDominatedSorting,
    find_non_dominated,
)

from frontierkit.integrations import pymoo as fk_pymoo  # noqa: E402
from frontierkit.integrations.pymoo import HV, FrontierkitNDS, Hypervolume  # noqa: E402


@pytest.fixture(autouse=True)
def _uninstalled():
    fk_pymoo.uninstall()
    yield
    fk_pymoo.uninstall()


def cases():
    """(seed, F): ties and duplicates on a grid, exact copies, or distinct uniform values."""
    out = []
    master = np.random.default_rng(20260101)
    for d in (2, 3, 5):
        for rep in range(12):
            seed = int(master.integers(1 << 31))
            rng = np.random.default_rng(seed)
            n = int(rng.integers(0, 200)) if rep else 0
            if rep % 3 == 1:
                F = rng.integers(0, 4, size=(n, d)).astype(float)
            elif rep % 3 == 2:
                F = rng.random((max(n // 3, 1), d))[rng.integers(0, max(n // 3, 1), size=n)]
            else:
                F = rng.random((n, d))
            out.append((seed, F))
    out.append((0, np.ones((30, 3))))
    out.append((1, np.array([[1.0, np.inf], [np.inf, 1.0], [2.0, 2.0], [-np.inf, 5.0]])))
    return out


CASES = cases()


def assert_same(got, want, msg):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), msg
        for g, w in zip(got, want):
            assert_same(g, w, msg)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), msg
        for g, w in zip(got, want):
            assert_same(g, w, msg)
    else:
        assert isinstance(got, np.ndarray), msg
        assert got.dtype == want.dtype, msg
        np.testing.assert_array_equal(got, want, err_msg=msg)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_fronts_are_pymoos(case):
    seed, F = CASES[case]
    rng = np.random.default_rng(seed)
    n = len(F)
    options = [
        {},
        {"return_rank": True},
        {"only_non_dominated_front": True},
        {"n_stop_if_ranked": n // 2},
        {"n_stop_if_ranked": int(rng.integers(0, n + 3)), "return_rank": True},
        {"n_stop_if_ranked": 0},
        {"n_fronts": int(rng.integers(0, 4)), "return_rank": True},
        {"n_fronts": 2, "n_stop_if_ranked": n + 1},
    ]
    for kwargs in options:
        want = NonDominatedSorting().do(F, **kwargs)
        got = FrontierkitNDS().do(F, **kwargs)
        assert_same(got, want, f"seed={seed} shape={F.shape} {kwargs}")


def test_epsilon_and_dominator_follow_pymoo():
    rng = np.random.default_rng(12)
    F = rng.integers(0, 5, size=(120, 3)).astype(float)
    eps = np.array([0.5, 0.0, 1.0])
    assert_same(FrontierkitNDS(epsilon=eps).do(F), NonDominatedSorting(epsilon=eps).do(F), "eps")
    dom = Dominator()
    assert_same(
        FrontierkitNDS(dominator=dom).do(F, n_stop_if_ranked=50),
        NonDominatedSorting(dominator=dom).do(F, n_stop_if_ranked=50),
        "dominator",
    )
    assert isinstance(FrontierkitNDS(), NonDominatedSorting)


def test_count_arguments_are_checked():
    F = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(TypeError, match="'n_stop_if_ranked' must be an int or None, but it is"):
        FrontierkitNDS().do(F, n_stop_if_ranked="3")
    with pytest.raises(TypeError, match="'n_fronts' must be an int or None, but it is True"):
        FrontierkitNDS().do(F, n_fronts=True)


def random_fronts(d, count, master_seed):
    master = np.random.default_rng(master_seed)
    for _ in range(count):
        seed = int(master.integers(1 << 31))
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 120))
        F = rng.random((n, d))
        if seed % 3 == 0:
            F = np.round(F * 4) / 4  # ties, duplicates, points on the reference boundary
        yield seed, F


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_hypervolume_is_pymoos(d):
    for seed, F in random_fronts(d, 15, 1000 + d):
        msg = f"seed={seed} d={d}"
        ref = np.full(d, 1.0 if seed % 2 else 1.1)
        assert Hypervolume(ref_point=ref)(F) == pytest.approx(
            PymooHV(ref_point=ref)(F), rel=1e-12, abs=0
        ), msg
        pf = np.random.default_rng(seed).random((10, d))
        for kwargs in ({"pf": pf}, {"pf": pf, "zero_to_one": True}):
            assert HV(**kwargs)(F) == pytest.approx(PymooHV(**kwargs)(F), rel=1e-12, abs=0), msg
        kwargs = {"ref_point": ref, "ideal": np.zeros(d), "nadir": np.full(d, 2.0)}
        kwargs["zero_to_one"] = True
        assert Hypervolume(**kwargs)(F) == pytest.approx(PymooHV(**kwargs)(F), rel=1e-12, abs=0), (
            msg
        )
        assert Hypervolume(ref_point=ref, norm_ref_point=False)(F[0]) == pytest.approx(
            PymooHV(ref_point=ref, norm_ref_point=False)(F[0]), rel=1e-12, abs=0
        ), msg
    assert Hypervolume(ref_point=np.ones(d))(np.zeros((0, d))) == 0.0


def test_hypervolume_needs_a_reference_point():
    with pytest.raises(ValueError, match="'ref_point' must be given when 'pf' is not"):
        Hypervolume()
    assert isinstance(Hypervolume(ref_point=[1.0, 1.0]), pymoo_hv.Hypervolume)


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_installed_kernels_are_moocores(d):
    """What install() puts into pymoo behaves as the moocore function it replaces."""
    for seed, F in random_fronts(d, 15, 2000 + d):
        msg = f"seed={seed} d={d}"
        ref = np.full(d, 1.1)
        ranks = fk_pymoo._pareto_rank(F)
        want = moocore.pareto_rank(F)
        assert ranks.dtype == want.dtype, msg
        np.testing.assert_array_equal(ranks, want, err_msg=msg)
        for keep in (False, True):
            np.testing.assert_array_equal(
                fk_pymoo._is_nondominated(F, keep_weakly=keep),
                moocore.is_nondominated(F, keep_weakly=keep),
                err_msg=msg,
            )
        total = moocore.hypervolume(F, ref=ref)
        assert fk_pymoo._hypervolume(F, ref=ref) == pytest.approx(total, rel=1e-12), msg
        # moocore's contributions in d >= 4 carry absolute errors of the size of the total
        # volume's rounding, and it reports some tiny ones as 0 (seed 64377835: 9.26e-10, which
        # the volume differences of both libraries confirm, comes back as 0.0); d <= 3 are exact
        atol = (1e-12 if d <= 3 else 1e-8) * total
        for ignore in (True, False):
            np.testing.assert_allclose(
                fk_pymoo._hv_contributions(F, ref=ref, ignore_dominated=ignore),
                moocore.hv_contributions(F, ref=ref, ignore_dominated=ignore),
                rtol=1e-12,
                atol=atol,
                err_msg=msg,
            )


def test_nan_goes_to_moocore_and_other_errors_are_raised():
    nan = np.array([[1.0, np.nan], [0.5, 1.0], [2.0, 2.0]])
    np.testing.assert_array_equal(fk_pymoo._pareto_rank(nan), moocore.pareto_rank(nan))
    np.testing.assert_array_equal(
        fk_pymoo._is_nondominated(nan, keep_weakly=True),
        moocore.is_nondominated(nan, keep_weakly=True),
    )
    ref = np.array([3.0, 3.0])
    assert fk_pymoo._hypervolume(nan, ref=ref) == moocore.hypervolume(nan, ref=ref)
    np.testing.assert_array_equal(
        fk_pymoo._hv_contributions(nan, ref=ref), moocore.hv_contributions(nan, ref=ref)
    )
    with pytest.raises(ValueError, match="'ref' must have length 2"):
        fk_pymoo._hypervolume(nan[1:], ref=np.ones(3))


def nsga2_run(problem, nds=None, *, pop_size=100, n_gen=30, seed=1):
    if nds is None:
        algorithm = NSGA2(pop_size=pop_size)
    else:
        algorithm = NSGA2(pop_size=pop_size, survival=RankAndCrowding(nds=nds))
    res = minimize(problem, algorithm, ("n_gen", n_gen), seed=seed, verbose=False)
    return res.pop.get("X"), res.pop.get("F")


@pytest.mark.parametrize(("name", "kwargs"), [("zdt1", {}), ("dtlz2", {"n_obj": 3}), ("zdt3", {})])
def test_nsga2_run_is_the_same(name, kwargs):
    problem = get_problem(name, **kwargs)
    X0, F0 = nsga2_run(problem)
    X1, F1 = nsga2_run(problem, FrontierkitNDS())
    np.testing.assert_array_equal(X1, X0)
    np.testing.assert_array_equal(F1, F0)
    fk_pymoo.install()
    try:
        X2, F2 = nsga2_run(problem)
    finally:
        fk_pymoo.uninstall()
    np.testing.assert_array_equal(X2, X0)
    np.testing.assert_array_equal(F2, F0)


def test_sms_emoa_run_is_the_same_with_install():
    problem = get_problem("dtlz2", n_obj=3)

    def run():
        res = minimize(problem, SMSEMOA(pop_size=40), ("n_gen", 25), seed=4, verbose=False)
        return res.pop.get("X")

    X0 = run()
    fk_pymoo.install()
    try:
        X1 = run()
    finally:
        fk_pymoo.uninstall()
    np.testing.assert_array_equal(X1, X0)


TARGETS = [
    (pymoo_nds, "pareto_rank"),
    (pymoo_nds, "is_nondominated"),
    (pymoo_hv, "_hypervolume"),
    (pymoo_hv_approx, "hv_contributions"),
    (pymoo_sms, "hv_contributions"),
]


def test_install_replaces_and_uninstall_restores_exactly():
    before = [getattr(m, a) for m, a in TARGETS]
    fk_pymoo.uninstall()  # without install: harmless
    assert all(getattr(m, a) is b for (m, a), b in zip(TARGETS, before))
    fk_pymoo.install()
    fk_pymoo.install()  # twice: harmless, the originals stay saved
    assert fk_pymoo.is_installed()
    assert pymoo_nds.pareto_rank is fk_pymoo._pareto_rank
    assert pymoo_nds.is_nondominated is fk_pymoo._is_nondominated
    assert pymoo_hv._hypervolume is fk_pymoo._hypervolume
    assert pymoo_hv_approx.hv_contributions is fk_pymoo._hv_contributions
    assert pymoo_sms.hv_contributions is fk_pymoo._hv_contributions
    # pymoo's own classes are untouched: only the functions they call changed
    assert pymoo_nds.NonDominatedSorting is NonDominatedSorting
    fk_pymoo.uninstall()
    assert not fk_pymoo.is_installed()
    for (module, attr), original in zip(TARGETS, before):
        assert getattr(module, attr) is original, f"{module.__name__}.{attr}"
    fk_pymoo.uninstall()
    for (module, attr), original in zip(TARGETS, before):
        assert getattr(module, attr) is original, f"{module.__name__}.{attr}"


def test_installed_pymoo_gives_pymoos_answers():
    rng = np.random.default_rng(8)
    F = rng.integers(0, 6, size=(300, 3)).astype(float)
    want = NonDominatedSorting().do(F, return_rank=True)
    want_nd = find_non_dominated(F)
    want_hv = PymooHV(ref_point=np.full(3, 6.0))(F)
    fk_pymoo.install()
    try:
        got = NonDominatedSorting().do(F, return_rank=True)
        got_nd = find_non_dominated(F)
        got_hv = PymooHV(ref_point=np.full(3, 6.0))(F)
    finally:
        fk_pymoo.uninstall()
    assert_same(got, want, "NonDominatedSorting after install")
    assert_same(got_nd, want_nd, "find_non_dominated after install")
    assert got_hv == pytest.approx(want_hv, rel=1e-12)
    assert got[1].max() < sys.maxsize


def test_docstring_examples():
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(fk_pymoo):
        runner.run(test)
    assert runner.failures == 0
    assert runner.tries > 10
    assert not fk_pymoo.is_installed()
