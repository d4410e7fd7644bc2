"""frontierkit.dask: lazy graphs whose results equal the in-memory calls, on threads and on a
real distributed cluster of worker processes.
"""

from __future__ import annotations

import inspect
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

import frontierkit as fk

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import frontierkit.dask as fkd  # noqa: E402  (needs dask)

SEED = 20240611
CHUNKINGS = [
    "whole",  # one chunk
    (1,) * 4 + (56,),  # chunks of one set, then the rest
    (7, 13, 0, 19, 21),  # uneven, with an empty chunk
    "split",  # chunks that also split n and d (merged by frontierkit.dask)
]
FIT_FIELDS = ("params", "cost", "status", "n_iter", "n_at_best", "stderr", "cov")


def _points(b=60, n=40, d=3, seed=SEED):
    rng = np.random.default_rng(seed)
    pts = rng.random((b, n, d))
    pts[::7, 1] = pts[::7, 0]  # duplicate rows
    pts[3, :, 0] = 2.0  # a set outside the reference box in one objective
    return pts


def _chunk(arr, chunking):
    if chunking == "whole":
        return da.from_array(arr, chunks=arr.shape)
    if chunking == "split":
        return da.from_array(
            arr, chunks=(11, (arr.shape[1] // 2, arr.shape[1] - arr.shape[1] // 2), 1)
        )
    assert sum(chunking) == arr.shape[0]
    return da.from_array(arr, chunks=(chunking,) + tuple((s,) for s in arr.shape[1:]))


def _same(a, b, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (what, a.dtype, b.dtype)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    np.testing.assert_array_equal(a, b, err_msg=f"{what} (seed {SEED})")


def _no_compute(*args, **kwargs):
    raise AssertionError("a frontierkit.dask function computed something while building its graph")


# --- the API mirrors the in-memory one ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "pareto_rank",
        "is_nondominated",
        "hypervolume",
        "hv_contributions",
        "hv_approx",
        "fit_curves",
    ],
)
def test_same_signature_as_in_memory(name):
    mine = inspect.signature(getattr(fkd, name)).parameters
    theirs = inspect.signature(getattr(fk, name)).parameters
    assert list(mine) == list(theirs)
    for p in theirs.values():
        assert mine[p.name].kind == p.kind, p.name
        assert mine[p.name].default == p.default, p.name
    assert "Examples" in (getattr(fkd, name).__doc__ or "")


def test_docstring_examples():
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(fkd):
        runner.run(test)
    assert runner.failures == 0
    assert runner.tries >= 20


def test_graphs_are_lazy():
    pts = _chunk(_points(), (7, 13, 0, 19, 21))
    x = np.geomspace(1, 100, 8)
    y = da.from_array(np.outer(np.arange(1, 5), x**-0.5) + 1.0, chunks=2)
    with dask.config.set(scheduler=_no_compute):
        outs = [
            fkd.pareto_rank(pts),
            fkd.is_nondominated(pts),
            fkd.hypervolume(pts, ref=1.0),
            fkd.hv_contributions(pts, ref=1.0),
            fkd.hv_approx(pts, ref=1.0, seed=1).value,
            fkd.fit_curves("saturating_power", x, y).params,
        ]
    assert all(isinstance(o, da.Array) for o in outs)
    assert outs[0].chunks == ((7, 13, 0, 19, 21), (40,))
    assert outs[2].chunks == ((7, 13, 0, 19, 21),)
    assert outs[5].chunks == ((2, 2), (3,))


# --- non-dominated sorting and exact hypervolume -----------------------------------------------


@pytest.mark.parametrize("chunking", CHUNKINGS)
def test_sorting_and_hypervolume_equal_in_memory(chunking):
    pts = _points()
    x = _chunk(pts, chunking)
    maximise = [False, True, False]
    ref = [1.0, 0.0, 1.0]
    got = dask.compute(
        fkd.pareto_rank(x),
        fkd.pareto_rank(x, maximise=maximise),
        fkd.is_nondominated(x),
        fkd.is_nondominated(x, keep_weakly=True),
        fkd.hypervolume(x, ref=1.0),
        fkd.hypervolume(x, ref, maximise=maximise),
        fkd.hv_contributions(x, ref=1.0),
        scheduler="threads",
    )
    want = (
        fk.pareto_rank(pts),
        fk.pareto_rank(pts, maximise=maximise),
        fk.is_nondominated(pts),
        fk.is_nondominated(pts, keep_weakly=True),
        fk.hypervolume(pts, ref=1.0),
        fk.hypervolume(pts, ref, maximise=maximise),
        fk.hv_contributions(pts, ref=1.0),
    )
    for i, (g, w) in enumerate(zip(got, want)):
        _same(g, w, f"result {i}, chunking {chunking}")


@pytest.mark.parametrize("d", [2, 4, 6])
def test_hypervolume_other_dimensions(d):
    pts = _points(b=24, n=25, d=d)
    x = _chunk(pts, (5, 1, 18))
    _same(fkd.hypervolume(x, ref=1.1).compute(), fk.hypervolume(pts, ref=1.1))
    _same(fkd.pareto_rank(x).compute(), fk.pareto_rank(pts))


def test_numpy_and_integer_input():
    pts = np.random.default_rng(SEED).integers(0, 5, size=(9, 6, 2))
    _same(fkd.pareto_rank(pts).compute(), fk.pareto_rank(pts))
    _same(fkd.hypervolume(pts, ref=6).compute(), fk.hypervolume(pts, ref=6))


def test_empty_sets_and_batches():
    for shape in [(0, 5, 3), (4, 0, 3)]:
        pts = np.zeros(shape)
        x = da.from_array(pts, chunks=2)
        _same(fkd.pareto_rank(x).compute(), fk.pareto_rank(pts))
        _same(fkd.hypervolume(x, ref=1.0).compute(), fk.hypervolume(pts, ref=1.0))
        _same(fkd.hv_contributions(x, ref=1.0).compute(), fk.hv_contributions(pts, ref=1.0))
        _same(
            fkd.hv_approx(x, ref=1.0, seed=3).compute().value, fk.hv_approx(pts, 1.0, seed=3).value
        )


# --- Monte Carlo hypervolume: the same sample streams in every chunk ----------------------------


@pytest.mark.parametrize("chunking", CHUNKINGS)
@pytest.mark.parametrize(
    "options",
    [
        {"n_samples": 1024},
        {"n_samples": 512, "sampler": "union"},
        {"n_samples": 1024, "method": "qmc", "replicates": 8},
        {"method": "fpras", "epsilon": 0.2, "delta": 0.1},
    ],
    ids=["mc-auto", "mc-union", "qmc", "fpras"],
)
def test_hv_approx_equals_in_memory(chunking, options):
    pts = _points(b=60, n=12)
    est = fkd.hv_approx(_chunk(pts, chunking), ref=1.0, seed=11, **options)
    got = est.compute(scheduler="threads")
    want = fk.hv_approx(pts, ref=1.0, seed=11, **options)
    assert isinstance(got, fk.HVEstimate)
    for field in ("value", "stderr", "sampler", "n_samples"):
        _same(getattr(got, field), getattr(want, field), f"{field}, {chunking}")
    assert (got.method, got.seed, got.replicates, got.epsilon, got.delta) == (
        want.method,
        want.seed,
        want.replicates,
        want.epsilon,
        want.delta,
    )
    np.testing.assert_array_equal(est.ci(0.9).compute(), want.ci(0.9))


def test_hv_approx_seed_drawn_once():
    pts = _points(b=10, n=8)
    est = fkd.hv_approx(da.from_array(pts, chunks=3), ref=1.0, n_samples=256)
    got = est.compute()
    _same(got.value, fk.hv_approx(pts, ref=1.0, n_samples=256, seed=est.seed).value)


# --- curve fitting ------------------------------------------------------------------------------


def _curves(k=40, m=12, seed=SEED):
    """Saturating power laws with per-curve x; awkward rows that make the batch matter."""
    rng = np.random.default_rng(seed)
    x = np.tile(np.geomspace(1, 1e3, m), (k, 1))
    a, b, c = rng.uniform(1, 10, k), rng.uniform(0.2, 0.8, k), rng.uniform(0.5, 2, k)
    y = a[:, None] * x ** -b[:, None] + c[:, None]
    y *= np.exp(0.05 * rng.standard_normal(y.shape))
    # Flat but for the first point: the exponent of a spike there runs to the default bound,
    # which the widest span of x in the batch (curve 5's) sets.
    y[3] = 2.0 + 0.01 * rng.standard_normal(m)
    y[3, 0] += 0.5
    x[5] = np.geomspace(1, 1e6, m)
    y[5] = 1.0 + 0.01 * rng.standard_normal(m)
    y[7] = np.nan  # too few points
    x[9, 0] = -1.0  # an unusable x row: invalid_data
    y[11, :4] = np.nan  # a ragged curve
    return x, y


@pytest.mark.parametrize("chunking", [(40,), (3, 1, 36), (7, 13, 0, 20), (1,) * 40])
def test_fit_curves_equal_in_memory(chunking):
    x, y = _curves()
    want = fk.fit_curves("saturating_power", x, y)
    assert {"at_bound", "invalid_data", "too_few_points"} <= set(want.status)
    res = fkd.fit_curves("saturating_power", _chunk(x, chunking), _chunk(y, chunking))
    got = res.compute(scheduler="threads")
    assert isinstance(got, fk.FitResult)
    for field in FIT_FIELDS:
        _same(getattr(got, field), getattr(want, field), f"{field}, chunking {chunking}")
    assert got.param_names == want.param_names
    assert got.settings == want.settings
    assert got.report() == want.report()
    # The lazy fields are the same arrays.
    params, status = dask.compute(res.params, res.status, scheduler="threads")
    _same(params, want.params)
    _same(status, want.status)


def test_fit_bounds_come_from_the_whole_batch():
    # Fitting the chunks on their own gives curve 3 another exponent bound (its chunk lacks curve
    # 5's span): the equality above depends on the first pass over the whole batch.
    x, y = _curves()
    alone = fk.fit_curves("saturating_power", x[:4], y[:4])
    whole = fk.fit_curves("saturating_power", x, y)
    assert whole.status[3] == "at_bound"
    assert alone.params[3, 1] != whole.params[3, 1]
    got = fkd.fit_curves("saturating_power", _chunk(x, (4, 36)), _chunk(y, (4, 36))).compute()
    _same(got.params, whole.params)


def test_fit_shared_x_weights_mask_and_starts():
    x, y = _curves(k=24)
    x = x[0]
    y[9] = np.abs(y[9])
    rng = np.random.default_rng(SEED)
    weights = rng.uniform(0.5, 2.0, y.shape)
    mask = np.ones(y.shape[1], dtype=bool)
    mask[2] = False
    p0 = np.column_stack([np.full(24, 3.0), np.full(24, 0.4), np.full(24, 1.0)])
    kw = dict(weights=weights, mask=mask, p0=p0, loss="huber", f_scale=0.1, space="log")
    want = fk.fit_curves("saturating_power", x, y, **kw)
    dkw = dict(kw, weights=da.from_array(weights, chunks=(5, 12)), p0=da.from_array(p0, chunks=7))
    got = fkd.fit_curves(
        "saturating_power", da.from_array(x, chunks=5), da.from_array(y, chunks=(5, 6)), **dkw
    ).compute()
    for field in FIT_FIELDS:
        _same(getattr(got, field), getattr(want, field), field)
    assert got.settings == want.settings


def test_fit_models_of_several_inputs_and_without_exponents():
    rng = np.random.default_rng(SEED)
    n_, d_ = np.meshgrid(np.geomspace(1e8, 1e10, 4), np.geomspace(1e9, 1e11, 4))
    x = np.column_stack([n_.ravel(), d_.ravel()])
    e = rng.uniform(1.5, 2.0, 6)
    y = e[:, None] + 406.4 * x[:, 0] ** -0.34 + 410.7 * x[:, 1] ** -0.28
    y *= np.exp(0.001 * rng.standard_normal(y.shape))
    want = fk.fit_curves("chinchilla", x, y, n_starts=4)
    got = fkd.fit_curves("chinchilla", x, da.from_array(y, chunks=4), n_starts=4).compute()
    for field in FIT_FIELDS:
        _same(getattr(got, field), getattr(want, field), field)
    # sigmoid has no exponent: no first pass; per-curve x.
    xs = np.tile(np.linspace(-3, 3, 15), (5, 1)) + rng.standard_normal((5, 1))
    ys = 1.0 / (1.0 + np.exp(-2.0 * xs)) + 0.01 * rng.standard_normal(xs.shape)
    res = fkd.fit_curves("sigmoid", da.from_array(xs, chunks=2), da.from_array(ys, chunks=2))
    assert res._limits is None
    _same(res.compute().params, fk.fit_curves("sigmoid", xs, ys).params)
    # Finite bounds on the exponent: no first pass either.
    x1, y1 = _curves(k=12)
    bounds = ([0.0, -5.0, -np.inf], [np.inf, 5.0, np.inf])
    res = fkd.fit_curves(
        "saturating_power", da.from_array(x1, chunks=4), da.from_array(y1, chunks=4), bounds=bounds
    )
    assert res._limits is None
    want = fk.fit_curves("saturating_power", x1, y1, bounds=bounds)
    got = res.compute()
    _same(got.params, want.params)
    assert got.settings == want.settings


def test_fit_persist():
    x, y = _curves(k=12)
    res = fkd.fit_curves("saturating_power", x, da.from_array(y, chunks=3)).persist(
        scheduler="threads"
    )
    want = fk.fit_curves("saturating_power", x, y)
    _same(res.cost.compute(), want.cost)
    _same(res.compute().params, want.params)


# --- errors -------------------------------------------------------------------------------------


def _message(func, *args, **kwargs):
    with pytest.raises(Exception) as info:
        func(*args, **kwargs)
    return type(info.value), str(info.value)


def test_errors_at_graph_time_match_in_memory():
    pts = _points(b=6, n=4)
    x = da.from_array(pts, chunks=2)
    cases = [
        (fkd.hypervolume, fk.hypervolume, (x, [1, 1]), (pts, [1, 1]), {}),
        (fkd.hypervolume, fk.hypervolume, (x, [1, np.nan, 1]), (pts, [1, np.nan, 1]), {}),
        (fkd.pareto_rank, fk.pareto_rank, (x,), (pts,), {"maximise": [True]}),
        (fkd.is_nondominated, fk.is_nondominated, (x,), (pts,), {"keep_weakly": 1}),
        (fkd.hv_approx, fk.hv_approx, (x, 1.0), (pts, 1.0), {"method": "exact"}),
        (fkd.hv_approx, fk.hv_approx, (x, 1.0), (pts, 1.0), {"n_samples": 1}),
        (fkd.hv_approx, fk.hv_approx, (x, 1.0), (pts, 1.0), {"epsilon": 0.1}),
    ]
    for mine, theirs, a, b, kw in cases:
        assert _message(mine, *a, **kw) == _message(theirs, *b, **kw), (mine.__name__, kw)


def test_errors_for_dask_specific_input():
    pts = _points(b=6, n=4)
    with pytest.raises(ValueError, match="'points' must be a 3-D batch"):
        fkd.hypervolume(da.from_array(pts[0]), ref=1.0)
    with pytest.raises(TypeError, match="'points' must hold real numbers"):
        fkd.pareto_rank(da.from_array(np.full((2, 3, 2), "a")))
    with pytest.raises(NotImplementedError, match="'sets' is not supported"):
        fkd.pareto_rank(da.from_array(pts), sets=np.zeros(6))
    with pytest.raises(TypeError, match="'ref' must be a NumPy array"):
        fkd.hypervolume(da.from_array(pts), ref=da.ones(3))
    x = da.from_array(pts, chunks=2)
    unknown = x[x[:, 0, 0] > 0.5]
    with pytest.raises(ValueError, match=r"known chunk sizes.*compute_chunk_sizes"):
        fkd.hv_approx(unknown, ref=1.0)


def test_value_errors_when_computed_name_the_set_of_the_batch():
    pts = _points(b=20, n=5)
    pts[13, 2, 1] = np.nan
    with pytest.raises(ValueError) as want:
        fk.hypervolume(pts, ref=1.0)
    assert "row 2 of set 13" in str(want.value)
    for func in (fkd.hypervolume, fkd.hv_contributions):
        lazy = func(da.from_array(pts, chunks=6), ref=1.0)  # no error yet
        with pytest.raises(ValueError, match=str(want.value)):
            lazy.compute()
    with pytest.raises(ValueError, match=str(want.value)):
        fkd.hv_approx(da.from_array(pts, chunks=6), ref=1.0, seed=1).compute()
    with pytest.raises(ValueError, match=str(want.value)):
        fkd.pareto_rank(da.from_array(pts, chunks=6)).compute()


def test_fit_errors():
    x, y = _curves(k=12)
    yd = da.from_array(y, chunks=2)
    with pytest.raises(ValueError, match=r"'y' must be 2-D \(K, M\)"):
        fkd.fit_curves("power", x[0], da.from_array(y[0]))
    with pytest.raises(TypeError, match="'y' must hold real numbers"):
        fkd.fit_curves("power", x[0], da.from_array(np.full((2, 12), "a")))
    with pytest.raises(ValueError, match=r"'x' must have 12 points per problem"):
        fkd.fit_curves("power", x[0, :5], yd)
    with pytest.raises(ValueError, match=r"'x' must be shared or have one row per problem \(12\)"):
        fkd.fit_curves("power", x[:4], yd)
    with pytest.raises(ValueError, match=r"'weights' must broadcast to \(12, 12\)"):
        fkd.fit_curves("power", x, yd, weights=np.ones(5))
    with pytest.raises(TypeError, match="'mask' must be a boolean array"):
        fkd.fit_curves("power", x, yd, mask=np.ones(12))
    with pytest.raises(ValueError, match=r"'p0' must have shape \(2,\), \(12, 2\)"):
        fkd.fit_curves("power", x, yd, p0=np.ones((5, 2)))
    # Option checks: the in-memory messages, at once.
    for kw in ({"loss": "l3"}, {"space": "exp"}, {"f_scale": -1.0}, {"n_starts": 0},
               {"fixed": ["a"]}, {"bounds": (1.0,)}):  # fmt: skip
        assert _message(fkd.fit_curves, "power", x, yd, **kw) == _message(
            fk.fit_curves, "power", x, y, **kw
        ), kw
    assert _message(fkd.fit_curves, "quadratic", x, yd) == _message(
        fk.fit_curves, "quadratic", x, y
    )
    # A bad shared x is checked at once, a bad per-curve x row gives that curve invalid_data.
    bad = x[0].copy()
    bad[0] = 0.0
    with pytest.raises(ValueError, match="'x' must be positive"):
        fkd.fit_curves("power", bad, yd)


# --- a real cluster of worker processes ---------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    """Two worker processes with one thread each, frontierkit importable in them."""
    # CI installs frontierkit; from a source tree the workers need its location on their path.
    root = str(Path(fk.__file__).resolve().parents[1])
    with pytest.MonkeyPatch.context() as mp:
        old = os.environ.get("PYTHONPATH")
        mp.setenv("PYTHONPATH", root + (os.pathsep + old if old else ""))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # start-up chatter (ports, deprecations)
            cluster = distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            cl = distributed.Client(cluster, set_as_default=False)
    try:
        yield cl
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ResourceWarnings of closing sockets and processes
            cl.close()
            cluster.close()


cluster_warnings = pytest.mark.filterwarnings("ignore::ResourceWarning")


@cluster_warnings
def test_cluster_workers_are_processes(client):
    pids = client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    assert set(client.run(lambda: __import__("frontierkit").backend()).values()) == {fk.backend()}


@cluster_warnings
def test_cluster_sorting_and_hypervolume(client):
    pts = _points()
    x = _chunk(pts, (7, 13, 0, 19, 21))
    got = dask.compute(
        fkd.pareto_rank(x),
        fkd.is_nondominated(x, maximise=True),
        fkd.hypervolume(x, ref=1.0),
        fkd.hv_contributions(x, ref=1.0),
        scheduler=client,
    )
    _same(got[0], fk.pareto_rank(pts))
    _same(got[1], fk.is_nondominated(pts, maximise=True))
    _same(got[2], fk.hypervolume(pts, ref=1.0))
    _same(got[3], fk.hv_contributions(pts, ref=1.0))


@cluster_warnings
def test_cluster_hv_approx(client):
    pts = _points(b=60, n=12)
    for options in ({"n_samples": 1024}, {"method": "fpras", "epsilon": 0.2}):
        got = fkd.hv_approx(_chunk(pts, (1,) * 4 + (56,)), ref=1.0, seed=5, **options)
        got = got.compute(scheduler=client)
        want = fk.hv_approx(pts, ref=1.0, seed=5, **options)
        for field in ("value", "stderr", "sampler", "n_samples"):
            _same(getattr(got, field), getattr(want, field), field)


@cluster_warnings
def test_cluster_fit_curves(client):
    x, y = _curves()
    want = fk.fit_curves("saturating_power", x, y)
    res = fkd.fit_curves("saturating_power", _chunk(x, (3, 1, 36)), _chunk(y, (3, 1, 36)))
    got = res.compute(scheduler=client)
    for field in FIT_FIELDS:
        _same(getattr(got, field), getattr(want, field), field)
    assert got.settings == want.settings


@cluster_warnings
def test_cluster_errors_reach_the_client(client):
    pts = _points(b=20, n=5)
    pts[13, 2, 1] = np.nan
    with pytest.raises(ValueError, match="row 2 of set 13"):
        fkd.hypervolume(da.from_array(pts, chunks=6), ref=1.0).compute(scheduler=client)


def test_every_host_backend(backend):
    # The set offset given to each chunk reaches the numba and NumPy samplers too.
    pts = _points(b=12, n=6)
    x = da.from_array(pts, chunks=(5, 1, 6))
    for options in ({"n_samples": 256}, {"method": "fpras", "epsilon": 0.3}):
        got = fkd.hv_approx(x, ref=1.0, seed=9, **options).compute(scheduler="threads")
        want = fk.hv_approx(pts, ref=1.0, seed=9, **options)
        for field in ("value", "stderr", "sampler", "n_samples"):
            _same(getattr(got, field), getattr(want, field), f"{field} on {backend}")
    _same(fkd.hypervolume(x, ref=1.0).compute(), fk.hypervolume(pts, ref=1.0))
    _same(fkd.pareto_rank(x).compute(), fk.pareto_rank(pts))
