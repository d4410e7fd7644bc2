"""Curve-fitting fallbacks (numba and plain Python) against the compiled C++ fitter.

The fallbacks port fit_models.hpp, fit_solver.hpp and fit_starts.hpp operation for operation, so
on one machine they give the core's results to the last bit (checked on x86-64 Linux, where
neither GCC's default flags nor numba fuse multiply-adds). The assertions still allow for last-bit
differences in costs (1e-9 relative) and parameters, but compare status, n_at_best and the
iteration counts exactly: a different grid, step or stopping rule changes those at once. (A
platform whose C++ build contracts a*b+c into FMAs could differ in them.)

Input conventions of the kernels: every model but the sigmoid takes u = ln x; chinchilla and
kaplan_nd take (ln N, ln D); in log space y is passed as ln y. Parameters are the internal ones
(logarithms of positive scales; see the enum in fit_models.hpp).

The plain-Python backend is slow (up to 0.2 s per problem for the broken power law, whose
start grid has 882 points), so its cases are few and small: K <= 2, M <= 20, n_grid 2.
"""

from __future__ import annotations

import numpy as np
import pytest

from frontierkit._backend import core_module

INF = np.inf
L1 = 5
N_LOSSES = 6

# Internal parameters of the synthetic data per model, as functions of the number of inputs v.
_TRUTH = {
    0: lambda v: [2.5, -0.35],  # a x^b
    1: lambda v: [3.0, 0.45, 0.6],  # a x^-b + c
    2: lambda v: [np.log(1.7), np.log(400.0), np.log(410.0), 0.34, 0.28],  # chinchilla
    3: lambda v: [np.log(1e4), np.log(2e4), 0.4, 0.5],  # kaplan_nd: ln Nc, ln Dc, aN, aD
    4: lambda v: [0.2, np.log(4.0), 0.3, 0.6, np.log(300.0), np.log(0.6)],  # broken power
    5: lambda v: [0.2, 1.5, 1.3, 2.0],  # sigmoid: lo, hi, k, x0
    6: lambda v: [1.0, -0.3, 0.2, -0.1][: 1 + v],  # loglinear: ln c, a_1..a_v
    7: lambda v: (
        [5.0, -0.5, -0.3, -0.2][: 1 + v]  # log_quadratic: c, g, h (positive here)
        + [0.05, 0.01, 0.02, 0.03, 0.01, 0.04][: v * (v + 1) // 2]
    ),
}
# Ranges of the raw inputs (x, or N and D); the sigmoid's x is used as is, the others' logged.
_RANGES = {
    0: [(1e1, 1e4)],
    1: [(1e1, 1e4)],
    2: [(1e7, 1e10), (1e9, 1e12)],
    3: [(1e1, 1e4), (1e1, 1e5)],
    4: [(1.0, 1e5)],
    5: [(-3.0, 7.0)],
    6: [(1.0, 1e3)] * 3,
    7: [(1.0, 150.0)] * 3,
}
_INPUTS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1}  # loglinear and log_quadratic take 1 to 3
_MODEL_V = [(m, v) for m in range(8) for v in ((1, 2, 3) if m >= 6 else (_INPUTS[m],))]


def _n_params(model, v):
    return len(_TRUTH[model](v))


def _model_value(model, u, p):
    """f at inputs u (..., v) from an independent NumPy formula (the data must not come from
    the code under test)."""
    if model == 0:
        return p[0] * np.exp(p[1] * u[..., 0])
    if model == 1:
        return p[0] * np.exp(-p[1] * u[..., 0]) + p[2]
    if model == 2:
        return np.exp(p[0]) + np.exp(p[1] - p[3] * u[..., 0]) + np.exp(p[2] - p[4] * u[..., 1])
    if model == 3:
        return (np.exp(p[2] / p[3] * (p[0] - u[..., 0])) + np.exp(p[1] - u[..., 1])) ** p[3]
    if model == 4:
        f1 = np.exp(p[5])
        soft = np.logaddexp(0.0, (u[..., 0] - p[4]) / f1)
        return p[0] + np.exp(p[1] - p[2] * u[..., 0] - p[3] * f1 * soft)
    if model == 5:
        return p[0] + (p[1] - p[0]) / (1.0 + np.exp(-p[2] * (u[..., 0] - p[3])))
    v = u.shape[-1]
    if model == 6:
        return np.exp(p[0] + u @ np.asarray(p[1:]))
    f = p[0] + u @ np.asarray(p[1 : 1 + v])
    k = 1 + v
    for i in range(v):
        for j in range(i, v):
            f = f + p[k] * u[..., i] * u[..., j]
            k += 1
    return f


def _data(model, v, space, K, M, seed=0, shared=False, outlier=False, noise=0.02):
    """(x, y, w, truth): inputs as the kernels take them, y (ln y in log space), unit weights."""
    rng = np.random.default_rng(1000 * seed + 100 * model + 10 * v + space)
    kx = 1 if shared else K
    cols = []
    for a, b in _RANGES[model][:v]:
        if model == 5:
            cols.append(rng.uniform(a, b, (kx, M)))
        else:
            cols.append(rng.uniform(np.log(a), np.log(b), (kx, M)))
    x = np.ascontiguousarray(np.stack(cols, axis=-1))
    p = np.array(_TRUTH[model](v), dtype=np.float64)
    f = _model_value(model, np.broadcast_to(x, (K, M, v)), p)
    y = f * np.exp(noise * rng.standard_normal((K, M)))
    if outlier:  # something for the robust losses to discount
        y[:, 3] *= 1.5
    if space == 1:
        y = np.log(y)
    return x, np.ascontiguousarray(y), np.ones((K, M)), p


def _free(P):
    return np.full(P, -INF), np.full(P, INF), np.zeros(P, dtype=np.uint8)


def _args(model, v, space, loss, K, M, max_iter, n_grid, n_agree=None, **kw):
    # The early stop after n_agree agreeing starts: off, 1 and 2, rotating with the loss.
    n_agree = loss % 3 if n_agree is None else n_agree
    x, y, w, _p = _data(model, v, space, K, M, outlier=loss > 0, **kw)
    f_scale = 0.05 if space == 1 else 0.05 * float(np.median(np.abs(y)))
    lo, hi, fixed = _free(_n_params(model, v))
    return (
        model,
        space,
        loss,
        f_scale,
        x,
        y,
        w,
        max_iter,
        1e-10,
        1e-10,
        1e-10,
        lo,
        hi,
        fixed,
        None,
        None,
        n_grid,
        n_agree,
    )


@pytest.fixture(scope="module")
def core():
    mod = core_module()
    if mod is None or not hasattr(mod, "fit_batch"):
        pytest.skip("the compiled core has no fit_batch")
    return mod


# The fallback modules themselves are imported, not import-or-skipped: missing from an installed
# package, they must fail here rather than hide.
@pytest.fixture(scope="module")
def numba_fit():
    pytest.importorskip("numba")
    from frontierkit._fallback import numba_fit

    return numba_fit


@pytest.fixture(scope="module")
def numpy_fit():
    from frontierkit._fallback import numpy_fit

    return numpy_fit


def _assert_same_fit(got, want):
    params, cost, status, n_iter, n_at_best = got
    assert params.dtype == np.float64 and cost.dtype == np.float64
    assert status.dtype == np.int32 and n_iter.dtype == np.int32 and n_at_best.dtype == np.int32
    assert params.shape == want[0].shape and cost.shape == want[1].shape
    np.testing.assert_array_equal(status, want[2])
    np.testing.assert_array_equal(n_at_best, want[4])
    # Same grid, same steps, same stopping rules: the same iteration count.
    np.testing.assert_array_equal(n_iter, want[3])
    np.testing.assert_allclose(cost, want[1], rtol=1e-9, atol=0.0)
    scale = np.maximum(1.0, np.abs(want[0]))
    np.testing.assert_allclose(params / scale, want[0] / scale, rtol=0.0, atol=1e-7)


def _check(backend, core, args):
    want = core.fit_batch(*args, 1)
    got = backend.fit_batch(*args)
    _assert_same_fit(got, want)
    return got


# ----------------------------------------------------------------------------------------------
# fit_batch: every model, loss and space.


@pytest.mark.parametrize("loss", range(N_LOSSES))
@pytest.mark.parametrize("space", [0, 1])
@pytest.mark.parametrize("model,v", _MODEL_V)
def test_numba_matches_core(numba_fit, core, model, v, space, loss):
    _check(numba_fit, core, _args(model, v, space, loss, K=3, M=25, max_iter=200, n_grid=3))


# A few cases per model for the slow backend, the losses rotating over models and spaces, and
# every loss in both spaces for two models with cheap start grids.
_NUMPY_CASES = sorted(
    {
        (m, _INPUTS.get(m, 2), space, (m + 3 * space) % N_LOSSES)
        for m in range(8)
        for space in (0, 1)
    }
    | {(m, v, space, loss) for m, v in [(0, 1), (6, 2)] for space in (0, 1) for loss in range(6)}
)


@pytest.mark.parametrize("model,v,space,loss", _NUMPY_CASES)
def test_numpy_matches_core(numpy_fit, core, model, v, space, loss):
    _check(numpy_fit, core, _args(model, v, space, loss, K=2, M=20, max_iter=100, n_grid=2))


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_l1_continuation_and_more_starts(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    n_grid = 8 if which == "numba" else 2
    for model, v in [(0, 1), (6, 2)]:
        for space in (0, 1):
            _check(
                backend, core, _args(model, v, space, L1, K=2, M=20, max_iter=100, n_grid=n_grid)
            )


# ----------------------------------------------------------------------------------------------
# Bounds, fixed parameters, given starts, shared inputs, weights, and the status codes.


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_bounds_fixed_and_given_starts(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    K, M = 2, 20
    x, y, w, p = _data(2, 2, 1, K, M)
    # ln E fixed at a wrong value, alpha capped below its true value: the fit ends on the bound.
    lo = np.array([-INF, -INF, -INF, 0.0, 0.0])
    hi = np.array([INF, INF, INF, 0.3, 1.0])
    fixed = np.array([1, 0, 0, 0, 0], dtype=np.uint8)
    base = np.tile(p, (K, 1))
    base[:, 0] = np.log(1.5)
    starts = np.tile(p, (K, 2, 1)) + np.array([0.1, -0.1])[None, :, None]
    args = (2, 1, 1, 0.05, x, y, w, 100, 1e-10, 1e-10, 1e-10, lo, hi, fixed, base, starts, 2, 0)
    params, _cost, status, _n_iter, _n_at_best = _check(backend, core, args)
    assert np.all(status == 4)  # at a bound
    np.testing.assert_array_equal(params[:, 0], base[:, 0])
    assert np.all(params[:, 3] == 0.3)
    # Given starts only (n_grid 0), l1 loss.
    args = (2, 1, L1, 0.05, x, y, w, 40, 1e-10, 1e-10, 1e-10, lo, hi, fixed, base, starts, 0, 2)
    _check(backend, core, args)


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_shared_inputs_zero_weights_and_failures(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    # One x for all problems.
    x, y, w, _p = _data(5, 1, 0, 3, 20, shared=True)
    assert x.shape[0] == 1
    lo, hi, fixed = _free(4)
    _check(
        backend,
        core,
        (5, 0, 3, 0.05, x, y, w, 100, 1e-10, 1e-10, 1e-10, lo, hi, fixed, None, None, 2, 2),
    )
    # Problem 0 has no point left: non-finite status and NaN parameters; problem 1 lost a few.
    x, y, w, _p = _data(3, 2, 1, 2, 20)
    w[0] = 0.0
    w[1, :5] = 0.0
    lo, hi, fixed = _free(4)
    params, cost, status, n_iter, n_at_best = _check(
        backend,
        core,
        (3, 1, 0, 1.0, x, y, w, 100, 1e-10, 1e-10, 1e-10, lo, hi, fixed, None, None, 2, 0),
    )
    assert status[0] == 2 and cost[0] == INF and np.isnan(params[0]).all() and n_at_best[0] == 0
    assert status[1] == 0 and np.isfinite(params[1]).all()
    # Collinear inputs: J^T J is singular at the solution.
    x, y, w, _p = _data(6, 2, 1, 2, 20)
    x[..., 1] = x[..., 0]
    lo, hi, fixed = _free(3)
    _params, _cost, status, _n, _b = _check(
        backend,
        core,
        (6, 1, 0, 1.0, x, y, w, 100, 1e-10, 1e-10, 1e-10, lo, hi, fixed, None, None, 2, 1),
    )
    assert np.all(status == 3)


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_wild_starts(request, core, which):
    """Starts far off: exp overflows, residuals turn non-finite, steps are rejected.

    C gives inf or NaN where Python raises (and NumPy scalars warn, an error under pytest); the
    fallbacks must follow C through those paths.
    """
    backend = request.getfixturevalue(f"{which}_fit")
    rng = np.random.default_rng(7)
    for i, (model, v) in enumerate(_MODEL_V):
        for space in (0, 1):
            x, y, w, p = _data(model, v, space, 2, 12)
            starts = p + 30.0 * rng.standard_normal((2, 3, p.size))
            lo, hi, fixed = _free(p.size)
            loss = (i + space) % N_LOSSES
            args = (
                model,
                space,
                loss,
                0.1,
                x,
                y,
                w,
                30,
                1e-10,
                1e-10,
                1e-10,
                lo,
                hi,
                fixed,
                None,
                starts,
                0,
                i % 3,
            )
            _check(backend, core, args)


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_argument_checks(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    x, y, w, _p = _data(0, 1, 0, 2, 10)
    lo, hi, fixed = _free(2)
    good = (0, 0, 0, 1.0, x, y, w, 10, 1e-8, 1e-8, 1e-8, lo, hi, fixed, None, None, 1, 2)
    bad = [
        {4: np.ascontiguousarray(x[:, :5])},  # x and y disagree
        {11: lo[:1]},  # one bound per parameter
        {14: np.zeros((2, 3))},  # base (K, P)
        {15: np.zeros((2, 1, 3))},  # starts (K, S, P)
        {16: 0},  # no starts and no grid
        {15: np.zeros((2, 30, 2)), 16: 3},  # more than 32 starts
        {0: 99},  # unknown model
        {17: -1},  # n_agree
    ]
    for change in bad:
        args = list(good)
        for i, value in change.items():
            args[i] = value
        with pytest.raises(ValueError):
            core.fit_batch(*args, 1)
        with pytest.raises(ValueError):
            backend.fit_batch(*args)
    # One input for a two-input model (the kernels would read the next point's ln D).
    x2, y2, w2, _p = _data(2, 2, 1, 1, 10)
    lo5, hi5, fixed5 = _free(5)
    args = (
        2,
        1,
        0,
        1.0,
        np.ascontiguousarray(x2[..., :1]),
        y2,
        w2,
        10,
        1e-8,
        1e-8,
        1e-8,
        lo5,
        hi5,
        fixed5,
        None,
        None,
        1,
        2,
    )
    for mod, extra in ((core, (1,)), (backend, ())):
        with pytest.raises(ValueError, match="take 2 inputs"):
            mod.fit_batch(*args, *extra)
        with pytest.raises(ValueError, match="take 2 inputs"):
            mod.fit_residuals(2, 1, args[4], y2, np.zeros((1, 5)), *extra)


# ----------------------------------------------------------------------------------------------
# fit_residuals: the core's values, and the Jacobian against central differences.


@pytest.mark.parametrize("which", ["numba", "numpy"])
@pytest.mark.parametrize("space", [0, 1])
@pytest.mark.parametrize("model,v", _MODEL_V)
def test_residuals_and_jacobian(request, core, which, model, v, space):
    backend = request.getfixturevalue(f"{which}_fit")
    M = 12
    x, y, _w, p = _data(model, v, space, 1, M)
    P = p.size
    # Problem 0 at a point off the truth; then each parameter moved by +-h (central differences).
    p0 = p * 1.05 + 0.01
    h = 1e-6 * np.maximum(1.0, np.abs(p0))
    params = np.tile(p0, (1 + 2 * P, 1))
    for a in range(P):
        params[1 + 2 * a, a] += h[a]
        params[2 + 2 * a, a] -= h[a]
    K = params.shape[0]
    yk = np.ascontiguousarray(np.broadcast_to(y, (K, M)))
    r, J, ok = backend.fit_residuals(model, space, x, yk, params)
    want = core.fit_residuals(model, space, x, yk, params, 1)
    assert r.shape == (K, M) and J.shape == (K, M, P) and ok.shape == (K, M)
    assert ok.dtype == np.uint8
    np.testing.assert_array_equal(ok, want[2])
    assert ok.all()
    np.testing.assert_allclose(r, want[0], rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(J, want[1], rtol=1e-12, atol=1e-300)
    fd = np.stack([(r[1 + 2 * a] - r[2 + 2 * a]) / (2.0 * h[a]) for a in range(P)], axis=-1)
    scale = np.maximum(np.abs(fd), np.abs(J[0]).max(axis=0, keepdims=True))
    assert np.all(np.abs(J[0] - fd) <= 1e-6 * scale), (J[0], fd)


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_residuals_undefined(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    # kaplan_nd with aD = 0, and a power law with a < 0 in log space: no residual there.
    for model, v, space, a in [(3, 2, 0, 3), (0, 1, 1, 0)]:
        x, y, _w, p = _data(model, v, space, 1, 5)
        params = p[None].copy()
        params[0, a] = 0.0 if model == 3 else -1.0
        r, J, ok = backend.fit_residuals(model, space, x, y, params)
        want = core.fit_residuals(model, space, x, y, params, 1)
        np.testing.assert_array_equal(ok, want[2])
        assert not ok.any() and np.isnan(r).all() and np.isnan(J).all()


@pytest.mark.parametrize("name", ["numba", "numpy"])
def test_public_fit_on_each_backend_equals_cpp(name, monkeypatch):
    """fit_curves dispatches to the fallback and gives the compiled core's result."""
    import frontierkit as fk

    if name == "numba":
        pytest.importorskip("numba")
    x = np.geomspace(1, 100, 12)
    y = np.vstack([2.0 * x**-0.4 + 0.3, 1.5 * x**-0.7 + 0.1]) * (1 + 0.01 * np.sin(np.arange(12)))
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cpp")
    want = fk.fit_curves("saturating_power", x, y, loss="huber", f_scale=0.01, n_starts=2, max_iter=100)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", name)
    got = fk.fit_curves("saturating_power", x, y, loss="huber", f_scale=0.01, n_starts=2, max_iter=100)
    np.testing.assert_allclose(got.params, want.params, rtol=1e-9)
    np.testing.assert_allclose(got.cost, want.cost, rtol=1e-12)
    np.testing.assert_array_equal(got.status, want.status)
    np.testing.assert_allclose(got.stderr, want.stderr, rtol=1e-7)


# ----------------------------------------------------------------------------------------------
# fit_objective: the objective at many parameter vectors (scoring a grid of starts).


def _scipy_loss(loss, r, s):
    """SciPy least_squares' per-point loss 0.5 s^2 rho((r/s)^2); |r| for l1."""
    z = (r / s) ** 2
    if loss == L1:
        return np.abs(r)
    rho = [z, np.where(z <= 1, z, 2 * np.sqrt(z) - 1), 2 * (np.sqrt(1 + z) - 1), np.log1p(z), np.arctan(z)][loss]
    return 0.5 * s * s * rho


@pytest.mark.parametrize("which", ["numba", "numpy"])
def test_objective_matches_formula_and_core(request, core, which):
    backend = request.getfixturevalue(f"{which}_fit")
    rng = np.random.default_rng(3)
    for model, v in _MODEL_V:
        for space in (0, 1):
            for loss in range(N_LOSSES):
                if space == 1 and model in (5, 7):
                    continue  # a quadratic or a sigmoid may be negative: no log residual
                x, y, w, p = _data(model, v, space, 1, 15, outlier=True)
                w[0, 2] = 0.0  # a dropped point
                w[0, 4] = 2.5
                s = 0.05
                params = p + 0.05 * rng.standard_normal((6, p.size))
                want_core = core.fit_objective(model, space, loss, s, x, y, w, params, 1)
                got = backend.fit_objective(model, space, loss, s, x, y, w, params)
                np.testing.assert_allclose(got, want_core, rtol=1e-12)
                for j in range(params.shape[0]):
                    fj = _model_value(model, x[0], params[j])
                    r = (np.log(fj) if space == 1 else fj) - y[0]
                    want = float(np.sum(w[0] * _scipy_loss(loss, r, s)))
                    np.testing.assert_allclose(want_core[j], want, rtol=1e-9)
    # Undefined: log of a negative model value gives +inf; shape errors are ValueErrors.
    x, y, w, p = _data(0, 1, 1, 1, 10)
    bad = np.array([[-1.0, 0.3], [2.0, 0.3]])
    for mod, extra in ((core, (1,)), (backend, ())):
        out = mod.fit_objective(0, 1, 0, 1.0, x, y, w, bad, *extra)
        assert out[0] == INF and np.isfinite(out[1])
        with pytest.raises(ValueError):
            mod.fit_objective(0, 1, 0, 1.0, x, y, w, np.zeros((2, 3)), *extra)
        with pytest.raises(ValueError):
            mod.fit_objective(0, 1, 0, 1.0, np.repeat(x, 2, 0), np.repeat(y, 2, 0), np.repeat(w, 2, 0), bad, *extra)
