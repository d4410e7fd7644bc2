"""Batched power-law and scaling-law fitting: many small curve fits in one call.

Every fit runs variable-projection start values (the parameters a model is linear in are solved
in closed form over a grid of the others, candidates scored by the true objective) and a
Levenberg-Marquardt polish of the best few, with SciPy's robust losses, in float64. The solver is
one C++ implementation shared with the CUDA kernel (``cpp/include/frontierkit/fit_*.hpp``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np

from . import _backend
from ._validate import is_cupy, level_quantile
from ._validate import to_host as _host

__all__ = [
    "BootstrapResult",
    "ChinchillaFit",
    "FitResult",
    "MODELS",
    "bootstrap",
    "fit_chinchilla",
    "fit_curves",
]

Loss = Literal["l2", "l1", "huber", "soft_l1", "cauchy", "arctan"]
Space = Literal["linear", "log"]

_LOSSES = {"l2": 0, "linear": 0, "huber": 1, "soft_l1": 2, "cauchy": 3, "arctan": 4, "l1": 5}
_SPACES = {"linear": 0, "log": 1}
_STATUS = np.array(
    [
        "converged",
        "max_iter",
        "non_finite",
        "singular",
        "at_bound",
        "too_few_points",
        "invalid_data",
    ]
)
_TOO_FEW, _INVALID = 5, 6


@dataclasses.dataclass(frozen=True)
class _Model:
    code: int
    form: str
    inputs: int | None  # None: any number (1..3 or 1..9)
    positive: tuple[int, ...]  # parameters held as logarithms internally (must be > 0)
    log_inputs: bool = True
    # Default n_agree: how many starts must reach the best cost before polishing stops. Set per
    # model from trials on noisy problems with outliers (200 per model and loss) against
    # polishing every start: 2 lost nothing for power, saturating_power, chinchilla and sigmoid,
    # kaplan_nd needed 3, and broken_power (whose robust fits have several close optima) lost
    # a few even with 3, so it polishes every start.
    n_agree: int = 2

    def names(self, v: int) -> list[str]:
        if self.code == 0:
            return ["a", "b"]
        if self.code == 1:
            return ["a", "b", "c"]
        if self.code == 2:
            return ["E", "A", "B", "alpha", "beta"]
        if self.code == 3:
            return ["N_c", "D_c", "alpha_N", "alpha_D"]
        if self.code == 4:
            return ["a", "b", "c0", "c1", "d1", "f1"]
        if self.code == 5:
            return ["lower", "upper", "k", "x0"]  # k >= 0 as reported: lower at -inf, upper at +inf
        if self.code == 6:
            return ["c"] + ([f"a_{i + 1}" for i in range(v)] if v > 1 else ["a"])
        quad = [f"h_{i + 1}{j + 1}" for i in range(v) for j in range(i, v)]
        return ["c"] + [f"g_{i + 1}" for i in range(v)] + quad


MODELS: dict[str, _Model] = {
    "power": _Model(0, "a * x**b", 1, ()),
    "saturating_power": _Model(1, "a * x**(-b) + c", 1, ()),
    "chinchilla": _Model(2, "E + A * N**(-alpha) + B * D**(-beta)", 2, (0, 1, 2)),
    "kaplan_nd": _Model(
        3, "((N_c / N)**(alpha_N / alpha_D) + D_c / D)**alpha_D", 2, (0, 1), n_agree=3
    ),
    "broken_power": _Model(
        4, "a + b * x**(-c0) * (1 + (x / d1)**(1 / f1))**(-c1 * f1)", 1, (1, 4, 5), n_agree=0
    ),
    "sigmoid": _Model(
        5, "lower + (upper - lower) / (1 + exp(-k * (x - x0)))", 1, (), log_inputs=False
    ),
    "loglinear": _Model(6, "c * prod_i x_i**a_i", None, (0,)),
    "log_quadratic": _Model(7, "c + g . u + sum_{i<=j} h_ij u_i u_j, u = log(x)", None, ()),
}
_MAX_INPUTS = {6: 9, 7: 3}


# --- result objects ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FitResult:
    """The fits of K problems (or of one, when ``y`` was 1-D: then the leading axis is absent).

    Attributes
    ----------
    params : ndarray, shape (K, P)
        Best parameters, in the order of ``param_names``.
    cost : ndarray, shape (K,)
        The objective at ``params``: the SUM over points of ``weight * loss(residual)``, with the
        per-point loss of SciPy's ``least_squares`` (``0.5 * r**2`` for ``l2``, ``|r|`` for
        ``l1``); residuals in the fit's ``space``.
    status : ndarray of str, shape (K,)
        ``converged``, ``max_iter``, ``non_finite`` (no start gave a finite objective, or the
        search stopped where every step left the model's domain), ``singular`` (the parameters
        are not identified by the data), ``at_bound`` (converged with a parameter on a bound)
        ``too_few_points`` (fewer usable points than free parameters, e.g. a row that is all
        NaN) or ``invalid_data`` (a problem of a batch whose own y or x cannot be used: an
        infinite value, or one not positive where a logarithm is taken); those two are not
        fitted, their parameters and cost are NaN, and the other problems are unaffected.
    n_iter, n_at_best : ndarray of int, shape (K,)
        Levenberg-Marquardt iterations over all starts; how many of the polished starts reached
        the best cost (to 1e-8 relative).
    stderr, cov : ndarray
        Standard errors (K, P) and covariance (K, P, P) of the parameters: ``s**2 (J^T W J)^-1``
        for ``l2``; the sandwich ``A^-1 B A^-1`` (with the loss's curvature in ``A``) for robust
        losses. NaN where undefined (``l1``, or a singular ``A``): use :func:`bootstrap` there.

    """

    model: str
    param_names: tuple[str, ...]
    params: np.ndarray
    cost: np.ndarray
    status: np.ndarray
    n_iter: np.ndarray
    n_at_best: np.ndarray
    stderr: np.ndarray
    cov: np.ndarray
    settings: dict[str, Any] = dataclasses.field(repr=False)

    def predict(self, x: Any) -> np.ndarray:
        """Return the fitted curves at ``x`` (same layouts as in :func:`fit_curves`).

        Shape (K, M), or (M,) for a single fit.
        """
        spec = MODELS[self.model]
        single = self.params.ndim == 1
        params = np.atleast_2d(_host(self.params))
        k = params.shape[0]
        xx, m = _layout_x(x, spec, self.settings["inputs"], k, None)
        y0 = np.zeros((k, m))
        f, _, ok = _residuals(spec, 0, xx, y0, _to_internal(spec, params))
        f = np.where(ok.astype(bool), f, np.nan)
        return f[0] if single else f

    def predict_ci(self, x: Any, level: float = 0.95) -> np.ndarray:
        """Delta-method interval of the fitted curves at ``x``: shape (K, M, 2), or (M, 2).

        ``predict(x) -+ z * sqrt(g^T cov g)``, g the gradient of the prediction in the
        parameters (central differences); NaN where ``cov`` is undefined (l1 loss, singular).
        It is the uncertainty of the curve, not of a new observation.
        """
        val, var = _delta(self, lambda p: dataclasses.replace(self, params=p).predict(x), False)
        return _interval(val, var, level_quantile(level), False)

    def take(self, index: int) -> FitResult:
        """Problem ``index`` of a batched result, as a result of one problem."""
        params = _host(self.params)
        if params.ndim != 2:
            raise ValueError("take() needs a batched result (params of shape (K, P))")
        k = params.shape[0]
        if not -k <= index < k:
            raise IndexError(f"'index' must be in [-{k}, {k}), but it is {index}")
        parts = {
            f.name: getattr(self, f.name)[index]
            for f in dataclasses.fields(self)
            if f.name not in ("model", "param_names", "settings")
        }
        return dataclasses.replace(self, **parts)

    def plot(self, x: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """Draw the fit on log-log axes: see :func:`frontierkit.plot.fit` (``x``, ``y``: data)."""
        from .plot import fit as _plot_fit

        return _plot_fit(self, x, y, **kwargs)

    def inverse(self, y_target: Any, *, given: Any = None) -> np.ndarray:
        """Return the input where each fitted curve reaches ``y_target`` (e.g. tokens to a loss).

        For one-input models the x with f(x) = y_target; for ``chinchilla`` and ``kaplan_nd``
        the second input (D) with f(N, D) = y_target at ``given`` = N. NaN where the curve
        never reaches the target (e.g. a loss below a saturating law's floor).

        Parameters
        ----------
        y_target : array_like
            Targets; every fit is evaluated at every target.
        given : array_like, optional
            The first input (N) for the two-input models, broadcast against ``y_target``.

        Returns
        -------
        ndarray
            Shape ``params.shape[:-1] + broadcast(y_target, given).shape``.

        Notes
        -----
        Closed forms for every model except ``broken_power``, which is inverted numerically
        (the first crossing on a fine logarithmic grid from 1e-6 of the smallest to 1e6 times
        the largest input, refined by bisection). ``log_quadratic`` and ``loglinear`` with
        several inputs have no unique inverse (ValueError); see :meth:`optimum`.

        Examples
        --------
        >>> import numpy as np, frontierkit as fk
        >>> x = np.geomspace(1, 1e4, 12)
        >>> res = fk.fit_curves("saturating_power", x, 8.0 * x**-0.5 + 2.0)
        >>> round(float(res.inverse(2.08)), 3)  # where 8 x^-0.5 = 0.08
        10000.0

        """
        return _inverse(self, y_target, given)

    def inverse_ci(self, y_target: Any, level: float = 0.95, *, given: Any = None) -> np.ndarray:
        """Delta-method intervals of :meth:`inverse`, shape ``inverse(...).shape + (2,)``.

        The variance is ``grad^T cov grad`` (gradient of the inverse in the parameters, by
        central differences); the interval is symmetric in log x, so it stays positive. NaN
        where ``cov`` is (``l1`` fits: use :func:`bootstrap` there).
        """
        z = level_quantile(level)
        val, var = _delta(self, lambda p: _inverse_params(self, p, y_target, given), log=True)
        return _interval(val, var, z, log=True)

    def optimum(self, level: float | None = None) -> dict[str, np.ndarray]:
        """Return the stationary point of a fitted ``log_quadratic``.

        That is the best setting of a hyperparameter sweep, in the original units of x.

        Returns a dict with ``x`` (shape (..., v)), ``y`` (the fitted value there) and ``kind``
        (``minimum``, ``maximum`` or ``saddle``, from the curvature); with ``level``, also the
        delta-method intervals ``x_ci`` (symmetric in log x) and ``y_ci``. Only
        ``log_quadratic`` has an interior optimum among the built-in models (the others are
        monotone in each input): any other model is a ValueError.

        Examples
        --------
        >>> import numpy as np, frontierkit as fk
        >>> lr = np.geomspace(1e-4, 1e-1, 9)
        >>> loss = 2.0 + 0.1 * (np.log(lr) - np.log(3e-3)) ** 2
        >>> round(float(fk.fit_curves("log_quadratic", lr, loss).optimum()["x"][0]), 6)
        0.003

        """
        if self.model != "log_quadratic":
            raise ValueError(
                "optimum() needs a model with an interior optimum (log_quadratic), "
                f"not {self.model!r}"
            )
        v = self.settings["inputs"]
        u, y, kind = _quadratic_stationary(_host(self.params), v)
        out = {"x": np.exp(u), "y": y, "kind": kind}
        if level is not None:
            z = level_quantile(level)
            for j in range(v):
                val, var = _delta(
                    self, lambda p, j=j: _quadratic_stationary(p, v)[0][..., j], log=False
                )
                lo_hi = _interval(val, var, z, log=False)
                out.setdefault("x_ci", np.empty(u.shape + (2,)))[..., j, :] = np.exp(lo_hi)
            val, var = _delta(self, lambda p: _quadratic_stationary(p, v)[1], log=False)
            out["y_ci"] = _interval(val, var, z, log=False)
        return out

    def report(self) -> str:
        """Every choice behind the fit, so that it can be reproduced."""
        s = self.settings
        lines = [
            f"model      {self.model}: {MODELS[self.model].form}",
            f"parameters {', '.join(self.param_names)}",
            f"loss       {s['loss']} (f_scale={s['f_scale']:g}), residuals in {s['space']} space",
            "objective  sum over points of weight * loss(residual)",
            f"problems   {s['K']} x {s['M']} points; {s['n_dropped']} points dropped (NaN or mask)",
            f"weights    {s['weights']}",
            f"starts     {s['starts']}; polishing stops once {s['n_agree']} agree"
            if s["n_agree"]
            else f"starts     {s['starts']}; every start polished",
            f"bounds     {s['bounds']}",
            f"fixed      {s['fixed']}",
            f"stopping   max_iter={s['max_iter']}, xtol={s['xtol']:g}, "
            f"ftol={s['ftol']:g}, gtol={s['gtol']:g}",
            f"seed       {s['seed']}",
            f"backend    {s['backend']}",
        ]
        st = np.atleast_1d(self.status)
        counts = ", ".join(
            f"{name} {int((st == name).sum())}" for name in _STATUS if (st == name).any()
        )
        lines.append(f"status     {counts}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class BootstrapResult:
    """A fit and its bootstrap refits.

    ``samples.params`` has shape (B, P) for one problem, (K, B, P) for K.
    """

    fit: FitResult
    samples: FitResult
    resample: str
    seed: Any

    def ci(self, level: float = 0.95) -> np.ndarray:
        """Percentile intervals of every parameter: shape (P, 2), or (K, P, 2)."""
        return _percentile_ci(self.samples.params, level, axis=-2)


# --- derived quantities -----------------------------------------------------------------------


def _inverse(res: FitResult, y_target: Any, given: Any) -> np.ndarray:
    return _inverse_params(res, _host(res.params), y_target, given)


def _inverse_params(res: FitResult, params: np.ndarray, y_target: Any, given: Any) -> np.ndarray:
    """inverse() at parameters ``params`` (reported, (..., P))."""
    model, v = res.model, res.settings["inputs"]
    y = _float_array(y_target, "y_target")
    two = model in ("chinchilla", "kaplan_nd")
    if two:
        if given is None:
            raise ValueError(f"{model} has two inputs: pass 'given' (N) to solve for D")
        g = _float_array(given, "given")
        if not (g > 0).all():
            raise ValueError("'given' must be positive")
        y, g = np.broadcast_arrays(y, g)
    elif given is not None:
        raise ValueError(f"'given' is only used by the two-input models, not {model!r}")
    if model == "log_quadratic" or (model == "loglinear" and v > 1):
        raise ValueError(f"{model} with {v} input(s) has no unique inverse")
    lead = params.shape[:-1]
    p = [params[..., j].reshape(lead + (1,) * y.ndim) for j in range(params.shape[-1])]
    with np.errstate(all="ignore"):
        # A power of a negative base is real for integer exponents: the base's sign is checked
        # (as a positive ratio) rather than left to the power.
        def root(base, e):
            return np.where(base > 0, np.abs(base) ** e, np.nan)

        if model in ("power", "loglinear"):
            x = root(y / p[0], 1 / p[1])
        elif model == "saturating_power":
            x = root((y - p[2]) / p[0], -1 / p[1])
        elif model == "sigmoid":
            x = p[3] - np.log((p[1] - p[0]) / (y - p[0]) - 1) / p[2]
        elif model == "chinchilla":
            x = root(p[2] / (y - p[0] - p[1] * g ** -p[3]), 1 / p[4])
        elif model == "kaplan_nd":
            x = p[1] / (root(y, 1 / p[3]) - (p[0] / g) ** (p[2] / p[3]))
        else:  # broken_power
            x = _invert_numerically(res, params, y)
        x = np.asarray(x, dtype=float)
        # Only a positive, finite input that reproduces the target counts.
        bad = ~(np.isfinite(x) & (x > 0)) if model != "sigmoid" else ~np.isfinite(x)
    x = np.where(bad, np.nan, x)
    return np.broadcast_to(x, lead + y.shape).copy()


def _invert_numerically(res: FitResult, params: np.ndarray, y: np.ndarray) -> np.ndarray:
    """First crossing of f(x) = y on a logarithmic grid, refined by bisection (one input)."""
    lead, n_p = params.shape[:-1], params.shape[-1]
    flat = params.reshape(-1, n_p)
    lo, hi = res.settings["x_range"]
    grid = np.geomspace(lo * 1e-6, hi * 1e6, 4001)
    yt = y.reshape(-1)
    d = (
        dataclasses.replace(res, params=flat).predict(grid)[:, None, :] - yt[None, :, None]
    )  # (K', T, G)
    cross = np.signbit(d[..., :-1]) != np.signbit(d[..., 1:])
    out = np.full((flat.shape[0], yt.size), np.nan)
    ii, tt = np.nonzero(cross.any(axis=-1))
    if ii.size:
        j = np.argmax(cross[ii, tt], axis=-1)
        a, b, fa = np.log(grid[j]), np.log(grid[j + 1]), d[ii, tt, j]
        probe = dataclasses.replace(res, params=flat[ii])
        for _ in range(60):
            m = 0.5 * (a + b)
            fm = probe.predict(np.exp(m)[:, None])[:, 0] - yt[tt]
            same = np.signbit(fm) == np.signbit(fa)
            a, fa, b = np.where(same, m, a), np.where(same, fm, fa), np.where(same, b, m)
        out[ii, tt] = np.exp(0.5 * (a + b))
    return out.reshape(lead + y.shape)


def _quadratic_stationary(params: np.ndarray, v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return u* (log x), the value there and its kind (from the curvature).

    u* is where the gradient of c + g.u + sum_{i<=j} h_ij u_i u_j vanishes.
    """
    c = params[..., 0]
    g = params[..., 1 : 1 + v]
    q = np.zeros(params.shape[:-1] + (v, v))
    k = 1 + v
    for i in range(v):
        for j in range(i, v):
            h = params[..., k]
            if i == j:
                q[..., i, i] = 2 * h
            else:
                q[..., i, j] = q[..., j, i] = h
            k += 1
    with np.errstate(all="ignore"):
        ok = np.isfinite(q).all(axis=(-1, -2)) & np.isfinite(g).all(axis=-1)
        qs = np.where(ok[..., None, None], q, np.eye(v))
        ev = np.linalg.eigvalsh(qs)
        scale = np.max(np.abs(ev), axis=-1)
        regular = ok & (np.min(np.abs(ev), axis=-1) > 1e-12 * scale)
        u = -np.linalg.solve(
            np.where(regular[..., None, None], qs, np.eye(v)),
            np.where(regular[..., None], g, 0.0)[..., None],
        )[..., 0]
        u = np.where(regular[..., None], u, np.nan)
        y = np.where(regular, c + 0.5 * np.sum(g * u, axis=-1), np.nan)
    kind = np.where(
        ~regular,
        "none",
        np.where(
            (ev > 0).all(axis=-1), "minimum", np.where((ev < 0).all(axis=-1), "maximum", "saddle")
        ),
    )
    return u, y, kind


def _delta(res: FitResult, fn: Any, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return fn at the fit and the delta-method variance grad^T cov grad.

    The variance is that of log fn when ``log``; the gradient is in the reported parameters, by
    central differences.
    """
    p0 = np.asarray(_host(res.params), dtype=float)
    val = np.asarray(fn(p0), dtype=float)
    lead = p0.shape[:-1]
    extra = val.ndim - len(lead)
    grads = []
    with np.errstate(all="ignore"):
        for j in range(p0.shape[-1]):
            h = 1e-6 * np.maximum(np.abs(p0[..., j]), 1e-3)
            up, dn = p0.copy(), p0.copy()
            up[..., j] += h
            dn[..., j] -= h
            fu, fd = np.asarray(fn(up), dtype=float), np.asarray(fn(dn), dtype=float)
            if log:
                fu, fd = np.log(fu), np.log(fd)
            grads.append((fu - fd) / (2 * h).reshape(lead + (1,) * extra))
        grad = np.stack(grads, axis=-1)  # (..., targets, P)
        cov = np.asarray(_host(res.cov), dtype=float).reshape(
            lead + (1,) * extra + p0.shape[-1:] * 2
        )
        var = np.einsum("...i,...ij,...j->...", grad, cov, grad)
    return val, var


def _interval(val: np.ndarray, var: np.ndarray, z: float, log: bool) -> np.ndarray:
    sd = np.sqrt(np.where(var >= 0, var, np.nan))
    with np.errstate(all="ignore"):
        if log:
            lo, hi = val * np.exp(-z * sd), val * np.exp(z * sd)
        else:
            lo, hi = val - z * sd, val + z * sd
    return np.stack([lo, hi], axis=-1)


# --- helpers ----------------------------------------------------------------------------------


def _model(model: Any) -> _Model:
    if not isinstance(model, str):
        raise TypeError(f"'model' must be a model name (str), but it is {type(model).__name__}")
    if model not in MODELS:
        raise ValueError(f"'model' must be one of {', '.join(MODELS)}, but it is {model!r}")
    return MODELS[model]


def _float_array(a: Any, name: str) -> np.ndarray:
    a = _host(a)
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"'{name}' must be an array of numbers, but it is {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except Exception as exc:
        raise ValueError(f"'{name}' must be a rectangular array of numbers: {exc}") from exc
    if arr.dtype.kind not in "iufb":
        raise TypeError(f"'{name}' must hold real numbers, but its dtype is {arr.dtype}")
    return arr.astype(np.float64)


def _layout_x(x: Any, spec: _Model, v: int | None, k: int, m: int | None) -> tuple[np.ndarray, int]:
    """X as (K or 1, M, v), as the kernels take it (logarithms for log-input models).

    1-D is (M,) shared; 2-D is (K, M) for one-input models and (M, v) shared otherwise; 3-D is
    (K or 1, M, v). ``m`` (from y) is checked when given; ``v`` is the expected input count.
    """
    arr = _float_array(x, "x")
    if arr.ndim == 1:
        arr = arr[None, :, None]
    elif arr.ndim == 2:
        arr = arr[:, :, None] if spec.inputs == 1 else arr[None]
    elif arr.ndim != 3:
        raise ValueError(
            f"'x' must be 1-D (M,), 2-D or 3-D (K, M, v), but it has shape {arr.shape}"
        )
    if arr.shape[0] not in (1, k):
        raise ValueError(
            f"'x' must be shared or have one row per problem ({k}), but it has shape {np.shape(x)}"
        )
    if m is not None and arr.shape[1] != m:
        raise ValueError(
            f"'x' must have {m} points per problem (like 'y'), but it has shape {np.shape(x)}"
        )
    if v is not None and arr.shape[2] != v:
        raise ValueError(f"'x' must have {v} input(s) per point, but it has shape {np.shape(x)}")
    nv = arr.shape[2]
    if spec.inputs is not None and nv != spec.inputs:
        raise ValueError(
            f"'x' must have {spec.inputs} input(s) per point for this model, but it has {nv}"
        )
    if spec.inputs is None and not 1 <= nv <= _MAX_INPUTS[spec.code]:
        raise ValueError(
            f"'x' must have 1 to {_MAX_INPUTS[spec.code]} inputs per point, but it has {nv}"
        )
    if np.isnan(arr).any():
        raise ValueError("'x' must not contain NaN (use NaN in 'y' or 'mask' to drop points)")
    if spec.log_inputs:
        if not (arr > 0).all():
            raise ValueError(
                "'x' must be positive for this model (it is used through its logarithm)"
            )
        arr = np.log(arr)
    if not np.isfinite(arr).all():
        raise ValueError("'x' must be finite")
    return np.ascontiguousarray(arr), arr.shape[1]


def _to_internal(spec: _Model, params: np.ndarray) -> np.ndarray:
    out = np.array(params, dtype=np.float64, copy=True)
    for j in spec.positive:
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., j] = np.log(out[..., j])
    return out


def _to_reported(spec: _Model, params: np.ndarray) -> np.ndarray:
    out = np.array(params, dtype=np.float64, copy=True)
    with np.errstate(over="ignore"):  # a start that ran away reports inf, not a warning
        for j in spec.positive:
            out[..., j] = np.exp(out[..., j])
    return out


def _host_backend() -> str:
    """Return the backend for host-side helpers (residuals, objectives).

    That is the compiled core when the fit itself runs on the GPU.
    """
    name = _backend.backend(False)
    if name == "cuda":
        return "cpp" if _backend.core_module() is not None else "numpy"
    return name


def _residuals(spec: _Model, space: int, x: np.ndarray, y: np.ndarray, internal: np.ndarray):
    name = _host_backend()
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        return core.fit_residuals(spec.code, space, x, y, np.ascontiguousarray(internal), 0)
    mod = _fallback(name)
    return mod.fit_residuals(spec.code, space, x, y, np.ascontiguousarray(internal))


def _objective(
    spec: _Model,
    space: int,
    loss: int,
    f_scale: float,
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    internal: np.ndarray,
) -> np.ndarray:
    """Return the objective of one problem at S internal parameter vectors.

    x, y, w are as the kernels take them (K = 1); the result has shape (S,), inf where undefined.
    """
    name = _host_backend()
    internal = np.ascontiguousarray(internal, dtype=np.float64)
    if name == "cpp":
        core = _backend.core_module()
        assert core is not None
        return core.fit_objective(spec.code, space, loss, f_scale, x, y, w, internal, 0)
    return _fallback(name).fit_objective(spec.code, space, loss, f_scale, x, y, w, internal)


def _fallback(name: str) -> Any:
    if name == "numba":
        from ._fallback import numba_fit

        return numba_fit
    if name == "numpy":
        from ._fallback import numpy_fit

        return numpy_fit
    raise NotImplementedError(f"fitting on the {name} backend takes NumPy arrays on the host")


def _percentile_ci(samples: np.ndarray, level: float, axis: int) -> np.ndarray:
    if not 0 < level < 1:
        raise ValueError(f"'level' must be between 0 and 1, but it is {level}")
    lo, hi = 50 * (1 - level), 50 * (1 + level)
    q = np.nanpercentile(samples, [lo, hi], axis=axis)
    return np.moveaxis(q, 0, -1)


def _loss_terms(loss: int, r: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """psi(r) = d loss / d r and its derivative, for the covariance."""
    z = (r / s) ** 2
    if loss == 0:
        return r, np.ones_like(r)
    if loss == 1:
        inner = z <= 1
        return np.where(inner, r, s * np.sign(r)), inner.astype(float)
    if loss == 2:
        return r / np.sqrt(1 + z), (1 + z) ** -1.5
    if loss == 3:
        return r / (1 + z), (1 - z) / (1 + z) ** 2
    if loss == 4:
        return r / (1 + z * z), (1 - 3 * z * z) / (1 + z * z) ** 2
    return np.sign(r), np.zeros_like(r)  # l1


def _covariance(spec, loss, f_scale, space, x, y, w, internal, fixed) -> np.ndarray:
    k, p = internal.shape
    r, jac, ok = _residuals(spec, space, x, y, internal)
    use = (w > 0) & ok.astype(bool)
    r = np.where(use, r, 0.0)
    jac = np.where(use[..., None], jac, 0.0)
    jac[..., fixed.astype(bool)] = 0.0
    psi, dpsi = _loss_terms(loss, r, f_scale)
    n = use.sum(axis=1).astype(float)
    dof = np.maximum(n - (p - fixed.sum()), 1.0)
    free = ~fixed.astype(bool)
    jf = jac[..., free]
    nf = jf.shape[-1]
    if nf == 0:
        return np.zeros((k, p, p))
    af = np.einsum("km,kmi,kmj->kij", w * dpsi, jf, jf)
    # Invertible (numerically full rank, numpy's matrix_rank rule) and finite: every problem at
    # once, the others replaced by the identity until the end.
    ok = np.isfinite(af).all(axis=(1, 2))
    eye = np.broadcast_to(np.eye(nf), af.shape)
    af = np.where(ok[:, None, None], af, eye)
    sv = np.linalg.svd(af, compute_uv=False)
    ok &= sv[:, -1] > sv[:, 0] * nf * np.finfo(float).eps
    inv = np.linalg.inv(np.where(ok[:, None, None], af, eye))
    if loss == 0:
        s2 = np.sum(w * r**2, axis=1) / dof
        cf = s2[:, None, None] * inv
    else:
        b = np.einsum("km,kmi,kmj->kij", w * psi**2, jf, jf)
        cf = inv @ b @ inv * (n / dof)[:, None, None]
    cov = np.full((k, p, p), np.nan)
    sub = np.zeros((k, p, p))
    sub[:, free[:, None] & free[None, :]] = cf.reshape(k, -1)
    cov[ok] = sub[ok]
    # Reported parameters: the positive ones are exp(internal), d reported = reported * d internal.
    scale = np.ones((k, p))
    with np.errstate(over="ignore", invalid="ignore"):
        for j in spec.positive:
            scale[:, j] = np.exp(internal[:, j])
        return cov * scale[:, :, None] * scale[:, None, :]


# --- public API -------------------------------------------------------------------------------


def fit_curves(
    model: str,
    x: Any,
    y: Any,
    *,
    weights: Any = None,
    mask: Any = None,
    space: Space = "linear",
    loss: Loss = "l2",
    f_scale: float = 1.0,
    p0: Any = "auto",
    n_starts: int = 8,
    n_agree: int | None = None,
    bounds: Any = None,
    fixed: Any = None,
    max_iter: int = 500,
    xtol: float = 1e-12,
    ftol: float = 1e-12,
    gtol: float = 1e-10,
    seed: Any = None,
) -> FitResult:
    """Fit one model to K independent curves in one call.

    Parameters
    ----------
    model : str
        One of :data:`MODELS`: ``power`` (a x^b), ``saturating_power`` (a x^-b + c),
        ``chinchilla`` (E + A N^-alpha + B D^-beta; x holds N and D), ``kaplan_nd``,
        ``broken_power`` (one break, as in broken neural scaling laws), ``sigmoid`` (reported
        with k >= 0: ``lower`` is the level as x -> -inf, ``upper`` as x -> +inf),
        ``loglinear`` (c prod x_i^a_i, any number of inputs) and ``log_quadratic`` (a quadratic
        in log inputs, for the optimum of a hyperparameter sweep).
    x : array_like
        Inputs: (M,) shared by every problem, (K, M) one row per problem, or (K, M, v) / (M, v)
        for models of several inputs. Positive, except for ``sigmoid``.
    y : array_like
        (K, M) targets, or (M,) for a single problem. NaN drops a point (ragged problems). A
        problem left with fewer points than free parameters is not fitted: ValueError for a
        single problem, status ``too_few_points`` inside a batch (the others are unaffected).
    weights : array_like, optional
        Non-negative multipliers of each point's loss, broadcast to (K, M); 0 drops a point.
    mask : array_like of bool, optional
        False drops a point.
    space : {"linear", "log"}
        Residuals ``f(x) - y`` or ``log f(x) - log y`` (then y must be positive).
    loss : {"l2", "l1", "huber", "soft_l1", "cauchy", "arctan"}
        SciPy's robust losses with scale ``f_scale``; ``l1`` is the absolute deviation.
    f_scale : float
        Scale of the robust losses ``huber``, ``soft_l1``, ``cauchy`` and ``arctan``, in the units
        of the residuals (of log y with ``space="log"``): residuals well below it are penalised
        as by ``l2``. Positive and finite; ``l2`` and ``l1`` do not use it.
    p0 : "auto" or array_like
        ``"auto"``: the ``n_starts`` best variable-projection candidates. An array gives starts
        instead: (P,) for every problem, (K, P) one per problem, (K, S, P) several per problem.
    n_starts : int
        Variable-projection candidates per problem (with ``p0="auto"``; at most 32).
    n_agree : int, optional
        The starts are polished in turn, the given ones first, then the variable-projection
        candidates best first, and the search stops once ``n_agree`` of them have reached the
        same best cost (to 1e-8 relative). 0 polishes every start. Default: 2, or 3 for
        ``kaplan_nd`` and 0 for ``broken_power`` (whose robust fits have several close optima).
    bounds : (lower, upper), optional
        Scalars or (P,) arrays; parameters that are held as logarithms (E, A, B, ...) need
        positive bounds to bind.
    fixed : sequence of str or bool array, optional
        Parameters held at their ``p0`` value.
    max_iter, xtol, ftol, gtol
        Iteration cap per start and the scale-free stopping rules (see Notes).
    seed : optional
        Recorded in :meth:`FitResult.report`; the fit itself is deterministic.

    Returns
    -------
    FitResult
        With CuPy input the fits run on the GPU (one thread per problem, the same code as the
        CPU's) and the numeric fields are CuPy arrays; the covariance is computed on the host.

    Notes
    -----
    Start values by variable projection (Golub & Pereyra, SIAM J. Numer. Anal. 10(2), 1973),
    then Levenberg-Marquardt with More's scaling (1978); robust losses by iteratively
    reweighted Gauss-Newton steps; ``l1`` through Huber losses of shrinking scale. Stopping:
    gtol on the cosine between the residuals and each Jacobian column, ftol on the relative
    decrease of the objective, xtol on the relative scaled step. Cost per iteration O(M P^2).

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> x = np.array([1.0, 2, 4, 8, 16])
    >>> res = fk.fit_curves("power", x, 3.0 * x**-0.5)
    >>> np.round(res.params, 6).tolist(), str(res.status)
    ([3.0, -0.5], 'converged')

    """
    return _fit(
        model,
        x,
        y,
        weights,
        mask,
        space,
        loss,
        f_scale,
        p0,
        n_starts,
        bounds,
        fixed,
        max_iter,
        xtol,
        ftol,
        gtol,
        seed,
        extra=None,
        n_agree=n_agree,
    )


def _prepare_data(spec: _Model, x: Any, y: Any, weights: Any, mask: Any, space: str):
    """Return the validated data as the kernels take it.

    x (K or 1, M, v), y in the residual's space (K, M), weights (K, M) with dropped points at 0;
    whether y was 1-D; how many were dropped; and the problems of a batch whose own data cannot
    be used (their weights are 0): a single problem, or shared x, raises instead.
    """
    yy = _float_array(y, "y")
    single = yy.ndim == 1
    if single:
        yy = yy[None]
    if yy.ndim != 2:
        raise ValueError(f"'y' must be 1-D (M,) or 2-D (K, M), but it has shape {np.shape(y)}")
    k, m = yy.shape
    invalid = np.zeros(k, dtype=bool)
    xa = _float_array(x, "x")
    if k > 1 and xa.ndim >= 2 and xa.shape[0] == k and (xa.ndim == 3 or spec.inputs == 1):
        # One x row per problem: a row that is unusable (NaN, infinite, or not positive for a
        # model that takes logarithms) spoils its own problem only.
        rows = xa.reshape(k, -1)
        bad_x = ~np.isfinite(rows).all(axis=1)
        if spec.log_inputs:
            bad_x |= ~(rows > 0).all(axis=1)
        if bad_x.any():
            xa = xa.copy()
            xa[bad_x] = 1.0
            invalid |= bad_x
    xx, _ = _layout_x(xa, spec, None, k, m)

    w = np.ones((k, m))
    if weights is not None:
        ww = _float_array(weights, "weights")
        try:
            w = np.broadcast_to(ww, (k, m)).astype(np.float64)
        except ValueError:
            raise ValueError(
                f"'weights' must broadcast to {(k, m)}, but it has shape {ww.shape}"
            ) from None
        if not (np.isfinite(w).all() and (w >= 0).all()):
            raise ValueError("'weights' must be finite and non-negative")
    if mask is not None:
        mk = np.asarray(mask)
        if mk.dtype != bool:
            raise TypeError(f"'mask' must be a boolean array, but its dtype is {mk.dtype}")
        try:
            w = np.where(np.broadcast_to(mk, (k, m)), w, 0.0)
        except ValueError:
            raise ValueError(
                f"'mask' must broadcast to {(k, m)}, but it has shape {mk.shape}"
            ) from None
    drop = np.isnan(yy)
    w = np.where(drop, 0.0, w)
    used = w > 0
    bad_y = (np.isinf(yy) & used).any(axis=1)
    if space == "log":
        bad_y |= ((yy <= 0) & used).any(axis=1)
    if single and bad_y[0]:
        if np.isinf(yy[used]).any():
            raise ValueError("'y' must be finite where it is used (NaN drops a point)")
        raise ValueError("'y' must be positive for space='log'")
    invalid |= bad_y
    w[invalid] = 0.0
    n_dropped = int((w == 0).sum())
    if space == "log":
        with np.errstate(invalid="ignore", divide="ignore"):
            yk = np.where(w > 0, np.log(np.where(w > 0, yy, 1.0)), 0.0)
    else:
        yk = np.where(w > 0, yy, 0.0)

    return xx, np.ascontiguousarray(yk), np.ascontiguousarray(w), single, n_dropped, invalid


def _x_range(spec: _Model, xx: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Smallest and largest first input over the used points, in the input's own units."""
    used = np.broadcast_to(w > 0, (max(xx.shape[0], w.shape[0]), w.shape[1]))
    first = np.broadcast_to(xx[..., 0], used.shape)[used]
    if first.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = float(first.min()), float(first.max())
    return (float(np.exp(lo)), float(np.exp(hi))) if spec.log_inputs else (lo, hi)


def _fit(
    model,
    x,
    y,
    weights,
    mask,
    space,
    loss,
    f_scale,
    p0,
    n_starts,
    bounds,
    fixed,
    max_iter,
    xtol,
    ftol,
    gtol,
    seed,
    extra,
    n_agree=None,
    spans=None,
) -> FitResult:
    """Implement :func:`fit_curves`, with optional extra starts.

    ``extra`` (K, P) adds one start per problem (reported parameters) to the variable-projection
    candidates (bootstrap refits start from the full fit's optimum). ``spans`` (from
    :func:`_input_spans`) replaces the batch's own input spans in the default exponent bounds,
    so that a batch fitted in parts gets the bounds of the whole.
    """
    spec = _model(model)
    if loss not in _LOSSES:
        raise ValueError(
            f"'loss' must be one of {', '.join(k for k in _LOSSES if k != 'linear')}, "
            f"but it is {loss!r}"
        )
    if space not in _SPACES:
        raise ValueError(f"'space' must be 'linear' or 'log', but it is {space!r}")
    f_scale = float(f_scale)
    if not (f_scale > 0 and np.isfinite(f_scale)):
        raise ValueError(f"'f_scale' must be positive and finite, but it is {f_scale}")
    for name, val in (("xtol", xtol), ("ftol", ftol), ("gtol", gtol)):
        if not (float(val) >= 0 and np.isfinite(float(val))):
            raise ValueError(f"'{name}' must be non-negative and finite, but it is {val}")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"'max_iter' must be a positive integer, but it is {max_iter!r}")
    if (
        not isinstance(n_starts, (int, np.integer))
        or not (1 if extra is None else 0) <= n_starts <= 32
    ):
        raise ValueError(f"'n_starts' must be an integer from 1 to 32, but it is {n_starts!r}")
    if n_agree is None:
        n_agree = spec.n_agree
    if not isinstance(n_agree, (int, np.integer)) or n_agree < 0:
        raise ValueError(f"'n_agree' must be a non-negative integer, but it is {n_agree!r}")

    cupy_in = any(is_cupy(a) for a in (x, y, weights, mask))
    mask = _host(mask)
    xx, yk, w, single, n_dropped, invalid = _prepare_data(spec, x, y, weights, mask, space)
    (k, m), v = yk.shape, xx.shape[2]
    names = spec.names(v)
    p = len(names)

    lo, hi = _bounds(bounds, spec, p)
    auto_bounds = _exponent_bounds(spec, xx, w, lo, hi, spans)
    fixed_mask = _fixed(fixed, names)
    n_free = p - int(fixed_mask.sum())
    n_used = (w > 0).sum(axis=1)
    too_few = (n_used < n_free) | invalid
    if single and too_few[0]:
        raise ValueError(
            f"'y' has {int(n_used[0])} usable points (after NaN, mask and zero weights), "
            f"fewer than the {n_free} free parameters of {model!r}"
        )
    starts, base, starts_desc = _starts(p0, spec, k, p, n_starts, fixed_mask)
    n_grid = n_starts if starts is None else 0
    if extra is not None and starts is None:
        starts = np.ascontiguousarray(_to_internal(spec, extra)[:, None, :])
        if n_starts == 0:
            n_grid, starts_desc = 0, "the full fit's optimum"
        else:
            starts_desc = f"the full fit's optimum, then {starts_desc}"

    loss_code, space_code = _LOSSES[loss], _SPACES[space]
    name = _backend.backend(cupy_in)
    args = (
        spec.code,
        space_code,
        loss_code,
        f_scale,
        xx,
        np.ascontiguousarray(yk),
        np.ascontiguousarray(w),
        int(max_iter),
        float(xtol),
        float(ftol),
        float(gtol),
        lo,
        hi,
        fixed_mask,
        base,
        starts,
        n_grid,
        int(n_agree),
    )
    if name == "cuda":
        params, cost, status, n_iter, n_best = _fit_cuda(*args)
    elif name == "cpp":
        core = _backend.core_module()
        assert core is not None
        params, cost, status, n_iter, n_best = core.fit_batch(*args, 0)
    else:
        params, cost, status, n_iter, n_best = _fallback(name).fit_batch(*args)
    if too_few.any():
        params[too_few], cost[too_few], status[too_few] = np.nan, np.nan, _TOO_FEW
        n_iter[too_few], n_best[too_few] = 0, 0
        status[invalid] = _INVALID
    if spec.code == 5:
        # (lower, upper, k, x0) and (upper, lower, -k, x0) are the same sigmoid: report k >= 0,
        # so that lower is the level as x -> -inf and upper as x -> +inf.
        # (Not when fixed values or bounds refer to the parameters as they were given.)
        constrained = fixed_mask[:3].any() or np.isfinite(lo[:3]).any() or np.isfinite(hi[:3]).any()
        flip = (params[:, 2] < 0) & (not constrained)
        params[flip] = params[flip][:, [1, 0, 2, 3]] * np.array([1.0, 1.0, -1.0, 1.0])

    cov = _covariance(spec, loss_code, f_scale, space_code, xx, yk, w, params, fixed_mask)
    reported = _to_reported(spec, params)
    stderr = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    settings = {
        "K": k,
        "M": m,
        "inputs": v,
        "x_range": _x_range(spec, xx, w),
        "loss": loss,
        "f_scale": f_scale,
        "space": space,
        "n_dropped": n_dropped,
        "weights": "given" if weights is not None else "none",
        "starts": starts_desc,
        "n_agree": int(n_agree),
        "bounds": _describe_bounds(bounds, names, lo, hi, auto_bounds),
        "fixed": [n for n, f in zip(names, fixed_mask) if f] or "none",
        "max_iter": int(max_iter),
        "xtol": float(xtol),
        "ftol": float(ftol),
        "gtol": float(gtol),
        "seed": seed,
        "backend": name,
    }
    out = dict(
        params=reported,
        cost=cost,
        status=_STATUS[status],
        n_iter=n_iter,
        n_at_best=n_best,
        stderr=stderr,
        cov=cov,
    )
    if single:
        out = {key: val[0] for key, val in out.items()}
    if cupy_in:  # CuPy in, CuPy out (status stays a NumPy array of strings)
        import cupy as cp

        out = {key: val if key == "status" else cp.asarray(val) for key, val in out.items()}
    return FitResult(model=model, param_names=tuple(names), settings=settings, **out)


def _fit_cuda(
    model,
    space,
    loss,
    f_scale,
    x,
    y,
    w,
    max_iter,
    xtol,
    ftol,
    gtol,
    lo,
    hi,
    fixed,
    base,
    starts,
    n_grid,
    n_agree,
):
    """Run the CUDA kernel (a thread per problem) on device copies of the prepared arrays.

    The results come back to the host for the covariance.
    """
    import cupy as cp

    mod = _backend.cuda_module()
    assert mod is not None  # guaranteed by backend()
    k, m = y.shape
    v = x.shape[2]
    p = lo.shape[0]
    dev = [cp.asarray(np.ascontiguousarray(a)) for a in (x, y, w, lo, hi, fixed)]
    d_base = cp.asarray(base) if base is not None else None
    d_starts = cp.asarray(starts) if starts is not None else None
    outs = (
        cp.empty((k, p)),
        cp.empty(k),
        cp.empty(k, dtype=cp.int32),
        cp.empty(k, dtype=cp.int32),
        cp.empty(k, dtype=cp.int32),
    )
    mod.fit_batch(
        model,
        space,
        loss,
        f_scale,
        k,
        m,
        v,
        dev[0].data.ptr,
        x.shape[0] == 1 and k != 1,
        dev[1].data.ptr,
        dev[2].data.ptr,
        max_iter,
        xtol,
        ftol,
        gtol,
        dev[3].data.ptr,
        dev[4].data.ptr,
        dev[5].data.ptr,
        0 if d_base is None else d_base.data.ptr,
        0 if d_starts is None else d_starts.data.ptr,
        0 if starts is None else starts.shape[1],
        n_grid,
        n_agree,
        *(o.data.ptr for o in outs),
        cp.cuda.get_current_stream().ptr,
    )
    return tuple(o.get() for o in outs)


def _bounds(bounds: Any, spec: _Model, p: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.full(p, -np.inf), np.full(p, np.inf)
    if bounds is None:
        return lo, hi
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise ValueError("'bounds' must be a pair (lower, upper)")
    lo = np.broadcast_to(_float_array(bounds[0], "bounds"), (p,)).copy()
    hi = np.broadcast_to(_float_array(bounds[1], "bounds"), (p,)).copy()
    if np.isnan(lo).any() or np.isnan(hi).any() or (lo > hi).any():
        raise ValueError("'bounds' must have lower <= upper and no NaN")
    with np.errstate(divide="ignore"):
        for j in spec.positive:
            lo[j] = np.log(lo[j]) if lo[j] > 0 else -np.inf
            hi[j] = np.log(hi[j]) if hi[j] > 0 else -np.inf
    if (lo > hi).any():
        raise ValueError("'bounds' must leave room for positive values of the positive parameters")
    return lo, hi


# Power-law exponents (parameter index -> the input it acts on), bounded by default: an exponent
# b with |b| ln(x_max / x_min) > _SPAN_LIMIT makes x^b change by more than e^40 (4e17) over the
# data, so the term is a spike at one end that float64 cannot tell from zero elsewhere. On such
# data (a power term below the noise) the unbounded least-squares infimum lies at infinite
# exponent and coefficient, and the search would drift there for its whole budget; bounded, it
# stops on the bound (status ``at_bound``).
_EXPONENTS = {0: {1: 0}, 1: {1: 0}, 2: {3: 0, 4: 1}, 3: {2: 0, 3: 1}, 4: {2: 0, 3: 0}}
_SPAN_LIMIT = 40.0


def _input_spans(spec: _Model, xx: np.ndarray, w: np.ndarray) -> dict[int, float]:
    """Return the span of each exponent's input: the widest over the problems (used points)."""
    spans = {}
    used = np.broadcast_to(w > 0, (max(xx.shape[0], w.shape[0]), w.shape[1]))
    has = used.any(axis=1)
    for inp in set(_EXPONENTS.get(spec.code, {}).values()):
        if not has.any():
            continue
        col = np.where(used, np.broadcast_to(xx[..., inp], used.shape), np.nan)[has]
        spans[inp] = float(np.max(np.nanmax(col, axis=1) - np.nanmin(col, axis=1)))
    return spans


def _exponent_bounds(
    spec: _Model,
    xx: np.ndarray,
    w: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    spans: dict[int, float] | None = None,
) -> list[int]:
    """Tighten (in place) the unbounded sides of the exponents to +-_SPAN_LIMIT / input span.

    The span of an exponent's input is the widest over the problems (used points only), or
    ``spans[input]`` when given. Returns the parameters changed.
    """
    changed = []
    if spans is None:
        spans = _input_spans(spec, xx, w)
    for j, inp in _EXPONENTS.get(spec.code, {}).items():
        if inp not in spans:
            continue
        span = spans[inp]
        if not (np.isfinite(span) and span > 0):
            continue
        limit = _SPAN_LIMIT / span
        if lo[j] == -np.inf:
            lo[j] = -limit
            changed.append(j)
        if hi[j] == np.inf:
            hi[j] = limit
            changed.append(j)
    return sorted(set(changed))


def _describe_bounds(
    bounds: Any, names: list[str], lo: np.ndarray, hi: np.ndarray, auto: list[int]
) -> str:
    parts = []
    if bounds is not None:
        parts.append(f"given: {list(lo)} .. {list(hi)} (internal)")
    if auto:
        lims = ", ".join(f"{names[j]} in [{lo[j]:.4g}, {hi[j]:.4g}]" for j in auto)
        parts.append(f"exponents within |b| ln(x_max/x_min) <= {_SPAN_LIMIT:g}: {lims}")
    return "; ".join(parts) if parts else "none"


def _fixed(fixed: Any, names: list[str]) -> np.ndarray:
    out = np.zeros(len(names), dtype=np.uint8)
    if fixed is None:
        return out
    items = [fixed] if isinstance(fixed, str) else list(fixed)
    if items and all(isinstance(f, (bool, np.bool_)) for f in items):
        if len(items) != len(names):
            raise ValueError(f"'fixed' must have {len(names)} flags, but it has {len(items)}")
        return np.array(items, dtype=np.uint8)
    for f in items:
        if f not in names:
            raise ValueError(
                f"'fixed' names unknown parameter {f!r}; the parameters are {', '.join(names)}"
            )
        out[names.index(f)] = 1
    return out


def _starts(p0: Any, spec: _Model, k: int, p: int, n_starts: int, fixed: np.ndarray):
    if isinstance(p0, str):
        if p0 != "auto":
            raise ValueError(f"'p0' must be 'auto' or an array of start values, but it is {p0!r}")
        if fixed.any():
            raise ValueError("'fixed' parameters need their values in 'p0'")
        return None, None, f"variable projection, the {n_starts} best candidates"
    arr = _float_array(p0, "p0")
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (k, 1, p)) if arr.shape == (p,) else arr
    elif arr.ndim == 2 and arr.shape == (k, p):
        arr = arr[:, None, :]
    if arr.ndim != 3 or arr.shape[0] != k or arr.shape[2] != p or not 1 <= arr.shape[1] <= 32:
        raise ValueError(
            f"'p0' must have shape ({p},), ({k}, {p}) or ({k}, S, {p}) with S <= 32, "
            f"but it has shape {np.shape(p0)}"
        )
    if not np.isfinite(arr).all():
        raise ValueError("'p0' must be finite")
    for j in spec.positive:
        if (arr[..., j] <= 0).any():
            raise ValueError(
                f"'p0' must be positive for parameter {spec.names(1)[j] if spec.inputs == 1 else j}"
            )
    internal = np.ascontiguousarray(_to_internal(spec, arr))
    base = np.ascontiguousarray(internal[:, 0, :])
    return internal, base, f"given, {arr.shape[1]} per problem"


_FIT_DEFAULTS = {
    "space": "linear",
    "loss": "l2",
    "f_scale": 1.0,
    "p0": "auto",
    "n_starts": 8,
    "n_agree": None,
    "bounds": None,
    "fixed": None,
    "max_iter": 500,
    "xtol": 1e-12,
    "ftol": 1e-12,
    "gtol": 1e-10,
}


def bootstrap(
    model: str,
    x: Any,
    y: Any,
    *,
    n_resamples: int = 1000,
    resample: Literal["rows", "clusters"] = "rows",
    clusters: Any = None,
    refit: Literal["warm", "full"] = "warm",
    seed: Any = 0,
    progress: Any = None,
    **fit_options: Any,
) -> BootstrapResult:
    """Fit, then refit on ``n_resamples`` bootstrap resamples of the points, in one batch.

    A resample is the same problem with integer weights (how often each point, or each cluster
    of points, was drawn), so the refits are just more batch elements of one call.

    Parameters
    ----------
    model, x, y, **fit_options
        As in :func:`fit_curves`.
    n_resamples : int
        Number of resamples B.
    resample : {"rows", "clusters"}
        Draw points, or whole clusters of points (given by ``clusters``).
    clusters : array_like, optional
        With ``resample="clusters"`` (and only then): one label per point, shape (M,), shared by
        every problem, e.g. the model size, so that the points of one training run stay together.
    refit : {"warm", "full"}
        ``"warm"``: each refit starts from the full fit's optimum (a resample's optimum is almost
        always in that basin: on the 240-point Chinchilla data, 1,000 resamples, the full
        variable-projection search never found a lower cost). ``"full"``: the
        variable-projection candidates as well, about 10x slower.
    seed
        Seed of NumPy's default generator; the same seed gives the same resamples.
    progress : callable, optional
        ``progress(done, total)`` is called as the refits complete (they then run in about 20
        batches instead of one; each refit is independent, so the results are the same).

    Returns
    -------
    BootstrapResult
        ``fit`` (the full-data fit), ``samples`` (the B refits; for K problems the params have
        shape (K, B, P)) and ``ci(level)``.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> rng = np.random.default_rng(0)
    >>> x = np.geomspace(1, 100, 30)
    >>> y = 2.0 * x**-0.3 * np.exp(0.01 * rng.standard_normal(30))
    >>> b = fk.bootstrap("power", x, y, space="log", n_resamples=200, seed=1)
    >>> lo, hi = b.ci(0.95)[1]
    >>> bool(lo < -0.3 < hi)
    True

    """
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"'n_resamples' must be a positive integer, but it is {n_resamples!r}")
    if resample not in ("rows", "clusters"):
        raise ValueError(f"'resample' must be 'rows' or 'clusters', but it is {resample!r}")
    if refit not in ("warm", "full"):
        raise ValueError(f"'refit' must be 'warm' or 'full', but it is {refit!r}")
    full = fit_curves(model, x, y, seed=seed, **fit_options)
    yy = _float_array(y, "y")
    single = yy.ndim == 1
    y2 = yy[None] if single else yy
    k, m = y2.shape
    if resample == "clusters":
        if clusters is None:
            raise ValueError("resample='clusters' needs 'clusters', one label per point")
        labels = np.asarray(clusters)
        if labels.shape != (m,):
            raise ValueError(
                f"'clusters' must have one label per point ({m}), but it has shape {labels.shape}"
            )
        _, inverse = np.unique(labels, return_inverse=True)
    elif clusters is not None:
        raise ValueError("'clusters' is only used with resample='clusters'")
    rng = np.random.default_rng(seed)
    base_w = np.ones((k, m))
    if fit_options.get("weights") is not None:
        base_w = np.broadcast_to(_float_array(fit_options["weights"], "weights"), (k, m))
    if fit_options.get("mask") is not None:
        base_w = np.where(np.broadcast_to(np.asarray(fit_options["mask"]), (k, m)), base_w, 0.0)
    base_w = np.where(np.isnan(y2), 0.0, base_w)
    counts = np.empty((k, n_resamples, m))
    for i in range(k):
        used = np.flatnonzero(base_w[i] > 0)
        if resample == "rows":
            draws = rng.integers(0, used.size, size=(n_resamples, used.size))
            c = np.zeros((n_resamples, m))
            np.add.at(c, (np.arange(n_resamples)[:, None], used[draws]), 1.0)
        else:
            groups = np.unique(inverse[used])
            draws = groups[rng.integers(0, groups.size, size=(n_resamples, groups.size))]
            per_group = np.zeros((n_resamples, inverse.max() + 1))
            np.add.at(per_group, (np.arange(n_resamples)[:, None], draws), 1.0)
            c = per_group[:, inverse] * (base_w[i] > 0)
        counts[i] = c * base_w[i]
    # Resample b of problem i is batch element i * B + b.
    xx = _float_array(x, "x")
    spec = MODELS[model]
    per_problem_x = (xx.ndim == 3) or (
        xx.ndim == 2 and spec.inputs == 1 and xx.shape == (k, m) and k > 1
    )
    x_rep = np.repeat(xx, n_resamples, axis=0) if per_problem_x else xx
    y_rep = np.repeat(y2, n_resamples, axis=0)
    opts = {key: val for key, val in fit_options.items() if key not in ("weights", "mask")}
    kw = {name: opts.pop(name, default) for name, default in _FIT_DEFAULTS.items()}
    if opts:
        raise TypeError(f"unexpected option(s) {', '.join(map(repr, opts))}")
    extra = np.repeat(np.atleast_2d(full.params), n_resamples, axis=0)
    if refit == "warm":
        kw["n_starts"] = 0
    w_rep = counts.reshape(k * n_resamples, m)
    total = k * n_resamples
    if progress is None:
        samples = _fit(model, x_rep, y_rep, w_rep, None, seed=seed, extra=extra, **kw)
    else:
        step = max(64, -(-total // 20))
        # The default exponent bounds come from the input spans of the whole batch.
        xx_all, _y, w_all, *_ = _prepare_data(spec, x_rep, y_rep, w_rep, None, kw["space"])
        spans = _input_spans(spec, xx_all, w_all)
        parts = []
        cuts = [*range(0, total, step), total]
        if len(cuts) > 2 and cuts[-1] - cuts[-2] == 1:
            del cuts[-2]  # no one-problem batch (a lone problem is fitted as "not a batch")
        for a, b in zip(cuts[:-1], cuts[1:]):
            xa = x_rep[a:b] if per_problem_x else x_rep
            parts.append(
                _fit(
                    model,
                    xa,
                    y_rep[a:b],
                    w_rep[a:b],
                    None,
                    seed=seed,
                    extra=extra[a:b],
                    spans=spans,
                    **kw,
                )  # fmt: skip
            )
            progress(b, total)
        samples = _concat_results(parts)
    shaped = _reshape_samples(samples, k, n_resamples, single)
    return BootstrapResult(fit=full, samples=shaped, resample=resample, seed=seed)


def _concat_results(parts: list[FitResult]) -> FitResult:
    """One FitResult of the problems of several batched ones, in order."""
    arrays = {
        f.name: np.concatenate([getattr(p, f.name) for p in parts])
        for f in dataclasses.fields(FitResult)
        if f.name not in ("model", "param_names", "settings")
    }
    settings = {**parts[0].settings, "K": int(arrays["cost"].shape[0])}
    return dataclasses.replace(parts[0], settings=settings, **arrays)


def _reshape_samples(s: FitResult, k: int, b: int, single: bool) -> FitResult:
    def shape(a):
        a = np.asarray(a)
        a = a.reshape((k, b) + a.shape[1:])
        return a[0] if single else a

    return dataclasses.replace(
        s,
        params=shape(s.params),
        cost=shape(s.cost),
        status=shape(s.status),
        n_iter=shape(s.n_iter),
        n_at_best=shape(s.n_at_best),
        stderr=shape(s.stderr),
        cov=shape(s.cov),
    )


_bootstrap = bootstrap  # fit_chinchilla's argument `bootstrap` shadows the function


def _hoffmann_grid() -> np.ndarray:
    """Hoffmann et al.'s 4,500 starts as internal parameters (ln E, ln A, ln B, alpha, beta)."""
    return (
        np.array(
            np.meshgrid(
                np.arange(-1.0, 1.01, 0.5),
                np.arange(0.0, 25.1, 5.0),
                np.arange(0.0, 25.1, 5.0),
                np.arange(0.0, 2.01, 0.5),
                np.arange(0.0, 2.01, 0.5),
                indexing="ij",
            )
        )
        .reshape(5, -1)
        .T.copy()
    )


def _fit_hoffmann(x: np.ndarray, l_: np.ndarray, opts: dict[str, Any]) -> FitResult:
    """Score Hoffmann et al.'s grid by the objective and polish its best starts."""
    opts = dict(opts)
    n_best = opts.pop("n_starts", 8)
    if "p0" in opts:
        raise TypeError("init='hoffmann' chooses the starts; do not pass 'p0' as well")
    if not isinstance(n_best, (int, np.integer)) or not 1 <= n_best <= 32:
        raise ValueError(f"'n_starts' must be an integer from 1 to 32, but it is {n_best!r}")
    loss, space = opts["loss"], opts["space"]
    spec = MODELS["chinchilla"]
    grid = _hoffmann_grid()
    if loss in _LOSSES and space in _SPACES and np.isfinite(float(opts["f_scale"])):
        xx, yk, w, _, _, _ = _prepare_data(
            spec, x, l_, opts.get("weights"), opts.get("mask"), space
        )
        scores = _objective(
            spec, _SPACES[space], _LOSSES[loss], float(opts["f_scale"]), xx, yk[:1], w[:1], grid
        )
        grid = grid[np.argsort(scores, kind="stable")[:n_best]]
    # (Otherwise fit_curves names the bad option.)
    res = fit_curves("chinchilla", x, l_, p0=_to_reported(spec, grid[:n_best])[None], **opts)
    desc = f"Hoffmann et al.'s grid of 4,500 starts scored by the objective, the {n_best} best"
    return dataclasses.replace(res, settings={**res.settings, "starts": desc})


# --- Chinchilla --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChinchillaFit:
    """A fit of L(N, D) = E + A N^-alpha + B D^-beta, with bootstrap refits when asked for."""

    fit: FitResult
    boot: BootstrapResult | None

    @property
    def params(self) -> dict[str, float]:
        """The fitted E, A, B, alpha, beta by name."""
        return dict(zip(self.fit.param_names, map(float, self.fit.params)))

    def ci(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Return intervals of every parameter, by name.

        Bootstrap percentiles when there are resamples, else Wald intervals from the standard
        errors.
        """
        if self.boot is not None:
            q = self.boot.ci(level)
        else:
            from statistics import NormalDist

            z = NormalDist().inv_cdf(0.5 + level / 2)
            q = np.stack(
                [self.fit.params - z * self.fit.stderr, self.fit.params + z * self.fit.stderr],
                axis=-1,
            )
        return {n: (float(a), float(b)) for n, (a, b) in zip(self.fit.param_names, q)}

    def compute_optimal(self, C: Any, level: float = 0.95) -> dict[str, np.ndarray]:
        """Compute-optimal N and D for budgets C (FLOPs, with C = 6 N D).

        Minimising the law subject to 6 N D = C gives N_opt = G (C/6)^(beta/(alpha+beta)) and
        D_opt = (C/6)^(alpha/(alpha+beta)) / G, G = (alpha A / (beta B))^(1/(alpha+beta)).
        Returns ``N_opt``, ``D_opt`` and, with bootstrap resamples, their percentile intervals
        ``N_opt_ci`` and ``D_opt_ci`` (shape (..., 2)).
        """
        c = _float_array(C, "C")
        if not (c > 0).all():
            raise ValueError("'C' must be positive")
        n_opt, d_opt = _compute_optimal(self.fit.params, c)
        out = {"N_opt": n_opt, "D_opt": d_opt}
        if self.boot is not None:
            ns, ds = _compute_optimal(
                self.boot.samples.params.reshape((-1,) + (1,) * c.ndim + (5,)), c
            )
            ok = np.isfinite(ns) & np.isfinite(ds)
            ns, ds = np.where(ok, ns, np.nan), np.where(ok, ds, np.nan)
            out["N_opt_ci"] = _percentile_ci(ns, level, axis=0)
            out["D_opt_ci"] = _percentile_ci(ds, level, axis=0)
        return out


def _compute_optimal(params: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e, a, b, alpha, beta = (params[..., i] for i in range(5))
    s = alpha + beta
    g = (alpha * a / (beta * b)) ** (1 / s)
    half = c / 6.0
    return g * half ** (beta / s), half ** (alpha / s) / g


def fit_chinchilla(
    N: Any,
    D: Any,
    L: Any,
    *,
    loss: Loss = "huber",
    f_scale: float = 1e-3,
    space: Space = "log",
    init: Any = "varpro",
    bootstrap: int = 0,
    resample: Literal["rows", "clusters"] = "rows",
    clusters: Any = None,
    seed: Any = 0,
    progress: Any = None,
    **fit_options: Any,
) -> ChinchillaFit:
    """Fit the Chinchilla law L(N, D) = E + A N^-alpha + B D^-beta (Hoffmann et al. 2022).

    Parameters
    ----------
    N, D, L : array_like, shape (M,)
        Parameters, training tokens and final loss of each run.
    loss, f_scale, space
        The objective; the defaults are Hoffmann et al.'s (Huber, delta 1e-3, on log L).
    init : {"varpro", "hoffmann"} or array_like
        ``"varpro"``: variable-projection starts. ``"hoffmann"``: Hoffmann et al.'s grid of
        4,500 starts (alpha, beta in {0, .5, .., 2}, e in {-1, -.5, .., 1}, a, b in
        {0, 5, .., 25} for E = exp(e), A = exp(a), B = exp(b)); every start is scored by the
        objective and the ``n_starts`` (default 8) best are polished (Hoffmann et al. polish
        all of them with L-BFGS; on the Epoch data that reaches the same optimum, about 100x
        slower). An array: starts (5,) or (S, 5) in (E, A, B, alpha, beta).
    bootstrap : int
        Number of bootstrap resamples (0: none).
    resample, clusters, seed, progress
        As in :func:`frontierkit.bootstrap`.
    **fit_options
        Further options of :func:`fit_curves` (e.g. ``n_starts``, ``bounds``, ``max_iter``),
        used by the fit and by the bootstrap refits.

    Returns
    -------
    ChinchillaFit
        ``params``, ``ci(level)``, ``compute_optimal(C)``, the underlying ``fit`` and ``boot``.

    Examples
    --------
    >>> import numpy as np, frontierkit as fk
    >>> N, D = np.meshgrid(np.geomspace(1e8, 1e10, 6), np.geomspace(1e9, 1e11, 6))
    >>> L = 1.69 + 406.4 * N**-0.34 + 410.7 * D**-0.28
    >>> f = fk.fit_chinchilla(N.ravel(), D.ravel(), L.ravel(), loss="l2")
    >>> {k: round(v, 4) for k, v in f.params.items()}
    {'E': 1.69, 'A': 406.4, 'B': 410.7, 'alpha': 0.34, 'beta': 0.28}

    """
    n, d, l_ = (_float_array(a, name).ravel() for a, name in ((N, "N"), (D, "D"), (L, "L")))
    if not (n.shape == d.shape == l_.shape):
        raise ValueError(
            "'N', 'D' and 'L' must have the same length, "
            f"but they have {n.size}, {d.size}, {l_.size}"
        )
    x = np.stack([n, d], axis=1)
    opts = dict(loss=loss, f_scale=f_scale, space=space, **fit_options)
    if isinstance(init, str) and init == "hoffmann":
        fit = _fit_hoffmann(x, l_, opts)
    elif isinstance(init, str):
        if init != "varpro":
            raise ValueError(
                f"'init' must be 'varpro', 'hoffmann' or an array of starts, but it is {init!r}"
            )
        fit = fit_curves("chinchilla", x, l_, **opts)
    else:
        p0 = _float_array(init, "init")
        fit = fit_curves("chinchilla", x, l_, p0=p0.reshape(1, -1, p0.shape[-1]), **opts)
    boot = None
    if bootstrap:
        boot = _bootstrap(
            "chinchilla",
            x,
            l_,
            n_resamples=int(bootstrap),
            resample=resample,
            clusters=clusters,
            seed=seed,
            progress=progress,
            **opts,
        )
        boot = dataclasses.replace(boot, fit=fit)
    return ChinchillaFit(fit=fit, boot=boot)
