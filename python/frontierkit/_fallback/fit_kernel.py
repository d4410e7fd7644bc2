"""Fallback port of the C++ batched curve fitter, in plain Python that numba compiles unchanged.

Mirrors, function for function, ``cpp/include/frontierkit/fit_models.hpp`` (models and robust
losses), ``fit_solver.hpp`` (Levenberg-Marquardt, Huber continuation for l1),
``fit_starts.hpp`` (variable-projection start values, the fit of one problem),
``cpp/src/fit.cpp`` (the batch driver) and ``cpp/bindings/fit.cpp`` (argument checks).  Same
constants, grids, stopping rules and status codes, and the same order of floating-point
operations wherever Python allows, so that on the same platform the results match the compiled
core bit for bit (exp, log, pow, ... are the C library's in all three: CPython's ``math``,
numba and the C++ build).

This module is a template rather than a backend: :mod:`numba_fit` and :mod:`numpy_fit` copy its
functions with their own globals (see :func:`rebind`).  That is why

* the hot functions only use scalar ``math``, loops, 1-D indexing ``a[i]`` (and ``a[i][j]`` for
  rows) and ``np.empty``/``np.zeros`` of fixed size: numba compiles that in nopython mode, and
  the plain backend swaps ``np`` for Python lists and ``math`` for C-semantics wrappers, which
  keeps its arithmetic on Python floats (about twice as fast as on NumPy scalars, and silent
  on overflow as C is);
* they find each other through module globals only (never through closures or default
  arguments), so rebinding the globals makes jitted functions call jitted functions;
* structs become tuples: ``pb = (model, v, P, space, loss, f_scale, M, x, y, w)`` for
  ``Problem`` (x an (M, v) array, y and w length M), ``opt = (max_iter, xtol, ftol, gtol, lo,
  hi, fixed)`` for ``Options``; values C++ returns through pointers come back as tuples; a
  pointer into the middle of an array becomes an (array, offset) pair (a slice would be a copy
  for the plain backend's lists).

Division by zero raises in Python (and in numba's default error model), where C gives an
infinity or NaN; the divisions whose divisor can be zero go through :func:`fdiv`, and numba
compiles with ``error_model="numpy"``.

One deliberate difference from the binding: chinchilla and kaplan_nd given one input column are
refused (the binding accepts them and the C++ then reads past each row of x).
"""

from __future__ import annotations

import math
import types

import numpy  # the wrappers' arrays; never rebound
import numpy as np  # the hot code's scratch arrays: rebound to lists by the plain backend

__all__ = ["fit_batch", "fit_residuals", "rebind", "KERNEL_FUNCTIONS", "WRAPPER_FUNCTIONS"]

K_MAX_PARAMS = 10
K_MAX_STARTS = 32
K_MAX_LINEAR = K_MAX_PARAMS  # coefficients solved in closed form per grid point
# Problems of up to this many used points keep their targets and, per grid point, their basis
# values, so that a candidate's objective needs no second evaluation of the model.
K_BASIS_CACHE = 64

# Models (internal parameters in brackets; see fit_models.hpp).
MODEL_POWER = 0  # a x^b                                     (a, b)
MODEL_SATURATING_POWER = 1  # a x^-b + c                     (a, b, c)
MODEL_CHINCHILLA = 2  # E + A N^-alpha + B D^-beta           (ln E, ln A, ln B, alpha, beta)
MODEL_KAPLAN_ND = 3  # [(Nc/N)^(aN/aD) + Dc/D]^aD            (ln Nc, ln Dc, aN, aD)
MODEL_BROKEN_POWER = 4  # a + b x^-c0 (1 + (x/d1)^(1/f1))^(-c1 f1)  (a, ln b, c0, c1, ln d1, ln f1)
MODEL_SIGMOID = 5  # lo + (hi - lo) / (1 + exp(-k (x - x0)))  (lo, hi, k, x0)
MODEL_LOG_LINEAR = 6  # c prod_i x_i^a_i                     (ln c, a_1 .. a_v)
MODEL_LOG_QUADRATIC = 7  # c + g.u + sum_{i<=j} h_ij u_i u_j, u = ln x

SPACE_LINEAR = 0
SPACE_LOG = 1

LOSS_L2 = 0
LOSS_HUBER = 1
LOSS_SOFT_L1 = 2
LOSS_CAUCHY = 3
LOSS_ARCTAN = 4
LOSS_L1 = 5

STATUS_CONVERGED = 0
STATUS_MAX_ITER = 1
STATUS_NON_FINITE = 2
STATUS_SINGULAR = 3
STATUS_AT_BOUND = 4

# The loop over problems. A backend may rebind it to numba.prange: problems are independent, so
# a parallel loop gives the same results (numba_fit does not, see there).
prange = range


# ----------------------------------------------------------------------------------------------
# Scalar helpers with C semantics (fmax/fmin ignore a NaN operand; C's x / 0 is not an error).


def fmax(a, b):
    if a != a:
        return b
    if b != b:
        return a
    return a if a > b else b


def fmin(a, b):
    if a != a:
        return b
    if b != b:
        return a
    return a if a < b else b


def clip(v, lo, hi):
    """Clip v into [lo, hi]; NaN stays NaN (fmax would turn it into lo)."""
    if v != v:
        return v
    return fmin(fmax(v, lo), hi)


def fdiv(a, b):
    """Divide as C does where b may be zero (Python and numba's default error model raise)."""
    if b == 0.0:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


# ----------------------------------------------------------------------------------------------
# fit_models.hpp


def n_params(model, v):
    if model == MODEL_POWER:
        return 2
    if model == MODEL_SATURATING_POWER:
        return 3
    if model == MODEL_CHINCHILLA:
        return 5
    if model == MODEL_KAPLAN_ND:
        return 4
    if model == MODEL_BROKEN_POWER:
        return 6
    if model == MODEL_SIGMOID:
        return 4
    if model == MODEL_LOG_LINEAR:
        return 1 + v
    if model == MODEL_LOG_QUADRATIC:
        return 1 + v + v * (v + 1) // 2
    return 0


def log_inputs(model):
    return model != MODEL_SIGMOID


def has_log_form(model):
    return model == MODEL_CHINCHILLA or model == MODEL_KAPLAN_ND or model == MODEL_LOG_LINEAR


def lse2(a, b):
    """Return (log(exp(a) + exp(b)), exp(a) / (exp(a) + exp(b)))."""
    m = a if a > b else b
    if m == -math.inf:
        return m, 0.5
    ea = math.exp(a - m)
    eb = math.exp(b - m)
    s = ea + eb
    return m + math.log(s), ea / s


def model_eval(model, v, xi, p, g):
    """Evaluate the model at input xi: (defined, value), the gradient into g[0..P).

    The value is log f for the models with a log form (has_log_form), f for the others.
    """
    if model == MODEL_POWER:
        lx = xi[0]
        xb = math.exp(p[1] * lx)
        g[0] = xb
        g[1] = p[0] * xb * lx
        return True, p[0] * xb
    if model == MODEL_SATURATING_POWER:
        lx = xi[0]
        t = math.exp(-p[1] * lx)
        g[0] = t
        g[1] = -p[0] * t * lx
        g[2] = 1.0
        return True, p[0] * t + p[2]
    if model == MODEL_CHINCHILLA:
        ln_n = xi[0]
        ln_d = xi[1]
        t0 = p[0]
        t1 = p[1] - p[3] * ln_n
        t2 = p[2] - p[4] * ln_d
        m = fmax(t0, fmax(t1, t2))
        e0 = math.exp(t0 - m)
        e1 = math.exp(t1 - m)
        e2 = math.exp(t2 - m)
        s = e0 + e1 + e2
        w0 = e0 / s
        w1 = e1 / s
        w2 = e2 / s
        g[0] = w0
        g[1] = w1
        g[2] = w2
        g[3] = -w1 * ln_n
        g[4] = -w2 * ln_d
        return True, m + math.log(s)
    if model == MODEL_KAPLAN_ND:
        if p[3] == 0.0:
            return False, 0.0
        dn = p[0] - xi[0]
        ratio = p[2] / p[3]
        s1 = ratio * dn
        s2 = p[1] - xi[1]
        lv, w1 = lse2(s1, s2)
        g[0] = p[2] * w1
        g[1] = p[3] * (1.0 - w1)
        g[2] = w1 * dn
        g[3] = lv - w1 * s1
        return True, p[3] * lv
    if model == MODEL_BROKEN_POWER:
        lx = xi[0]
        f1 = math.exp(p[5])
        t = fdiv(lx - p[4], f1)  # f1 underflows to 0 for ln f1 < -745
        sp = t + math.log1p(math.exp(-t)) if t > 0 else math.log1p(math.exp(t))
        sg = 1.0 / (1.0 + math.exp(-t)) if t > 0 else math.exp(t) / (1.0 + math.exp(t))
        q = p[1] - p[2] * lx - p[3] * f1 * sp
        eq = math.exp(q)
        g[0] = 1.0
        g[1] = eq
        g[2] = -eq * lx
        g[3] = -eq * f1 * sp
        g[4] = eq * p[3] * sg
        g[5] = -eq * p[3] * f1 * (sp - sg * t)
        return True, p[0] + eq
    if model == MODEL_SIGMOID:
        z = p[2] * (xi[0] - p[3])
        s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        ds = s * (1.0 - s)
        span = p[1] - p[0]
        g[0] = 1.0 - s
        g[1] = s
        g[2] = span * ds * (xi[0] - p[3])
        g[3] = -span * ds * p[2]
        return True, p[0] + span * s
    if model == MODEL_LOG_LINEAR:
        lf = p[0]
        g[0] = 1.0
        for i in range(v):
            lf += p[1 + i] * xi[i]
            g[1 + i] = xi[i]
        return True, lf
    if model == MODEL_LOG_QUADRATIC:
        f = p[0]
        g[0] = 1.0
        k = 1
        for i in range(v):
            f += p[k] * xi[i]
            g[k] = xi[i]
            k += 1
        for i in range(v):
            for j in range(i, v):
                f += p[k] * xi[i] * xi[j]
                g[k] = xi[i] * xi[j]
                k += 1
        return True, f
    return False, 0.0


def residual(model, v, P, space, xi, y, p, J):
    """Residual at one point: (finite, r), dr/dp into J[0..P).

    r = f - y (linear space) or log f - y (log space, where y is log y).
    """
    native_log = has_log_form(model)
    want_log = space == SPACE_LOG
    ok, val = model_eval(model, v, xi, p, J)
    if not ok:
        return False, math.nan
    if want_log == native_log:
        r = val - y
    elif want_log:  # log of a linear-form value
        if not (val > 0):
            return False, math.nan
        for j in range(P):
            J[j] /= val
        r = math.log(val) - y
    else:  # linear value of a log-form model
        f = math.exp(val)
        for j in range(P):
            J[j] *= f
        r = f - y
    return (r == r and math.fabs(r) < math.inf), r


def loss_value(loss, r, s):
    """Return (l(r), rho'((r/s)^2)): SciPy's robust loss, and the IRLS weight (0 for l1)."""
    q = fdiv(r, s)  # the l1 continuation's scale can underflow to 0
    z = q * q
    if loss == LOSS_HUBER:
        if z <= 1.0:
            return 0.5 * r * r, 1.0
        return 0.5 * s * s * (2.0 * math.sqrt(z) - 1.0), 1.0 / math.sqrt(z)
    if loss == LOSS_SOFT_L1:
        return s * s * (math.sqrt(1.0 + z) - 1.0), 1.0 / math.sqrt(1.0 + z)
    if loss == LOSS_CAUCHY:
        return 0.5 * s * s * math.log1p(z), 1.0 / (1.0 + z)
    if loss == LOSS_ARCTAN:
        return 0.5 * s * s * math.atan(z), 1.0 / (1.0 + z * z)
    if loss == LOSS_L1:
        return math.fabs(r), 0.0
    return 0.5 * r * r, 1.0


def loss_curvature(loss, r, s):
    """Return d psi / d r (for a sandwich covariance; the solver itself does not use it)."""
    q = fdiv(r, s)
    z = q * q
    if loss == LOSS_HUBER:
        return 1.0 if z <= 1.0 else 0.0
    if loss == LOSS_SOFT_L1:
        return math.pow(1.0 + z, -1.5)
    if loss == LOSS_CAUCHY:
        return (1.0 - z) / ((1.0 + z) * (1.0 + z))
    if loss == LOSS_ARCTAN:
        return (1.0 - 3.0 * z * z) / ((1.0 + z * z) * (1.0 + z * z))
    if loss == LOSS_L1:
        return 0.0
    return 1.0


# ----------------------------------------------------------------------------------------------
# fit_solver.hpp


def accumulate(pb, loss, s, p, H, g, want_normal):
    """Return (ok, cost, S): cost = sum w l(r); with want_normal also H (lower, P x P), g, S.

    want_normal=False stands for C++'s null H (H and g are then not touched).
    """
    model, v, P, space, _loss, _f_scale, M, x, y, w = pb
    J = np.empty(K_MAX_PARAMS)
    S = 0.0
    if want_normal:
        for a in range(P * P):
            H[a] = 0.0
        for a in range(P):
            g[a] = 0.0
    c = 0.0
    for i in range(M):
        wi = w[i]
        if not (wi > 0):
            continue
        ok, r = residual(model, v, P, space, x[i], y[i], p, J)
        if not ok:
            return False, c, S
        lv, rho1 = loss_value(loss, r, s)
        c += wi * lv
        if not want_normal:
            continue
        ww = wi * rho1
        S += ww * r * r
        for a in range(P):
            ja = ww * J[a]
            g[a] += ja * r
            for b in range(a + 1):
                H[a * P + b] += ja * J[b]
    return (c == c and c < math.inf), c, S


def cholesky(A, n):
    """Factor the lower triangle of A (n x n, row-major) in place.

    False if a pivot is not positive relative to its diagonal.
    """
    for j in range(n):
        d = A[j * n + j]
        for k in range(j):
            d -= A[j * n + k] * A[j * n + k]
        if not (d > 1e-300) or not (d > 1e-15 * math.fabs(A[j * n + j])):
            return False
        d = math.sqrt(d)
        A[j * n + j] = d
        for i in range(j + 1, n):
            t = A[i * n + j]
            for k in range(j):
                t -= A[i * n + k] * A[j * n + k]
            A[i * n + j] = t / d
    return True


def cholesky_solve(L, n, b, x):
    """Solve L L^T x = b (x may be b itself)."""
    for i in range(n):
        t = b[i]
        for k in range(i):
            t -= L[i * n + k] * x[k]
        x[i] = t / L[i * n + i]
    for i in range(n - 1, -1, -1):
        t = x[i]
        for k in range(i + 1, n):
            t -= L[k * n + i] * x[k]
        x[i] = t / L[i * n + i]


def lm_run(pb, loss, s, opt, p, iter_budget):
    """Run Levenberg-Marquardt from p (in place) for one loss scale: (cost, status, n_iter)."""
    P = pb[2]
    lo = opt[4]
    hi = opt[5]
    fixed = opt[6]
    xtol = opt[1]
    ftol = opt[2]
    gtol = opt[3]
    H = np.empty(K_MAX_PARAMS * K_MAX_PARAMS)
    A = np.empty(K_MAX_PARAMS * K_MAX_PARAMS)
    g = np.empty(K_MAX_PARAMS)
    D = np.empty(K_MAX_PARAMS)
    step = np.empty(K_MAX_PARAMS)
    trial = np.empty(K_MAX_PARAMS)
    rhs = np.empty(K_MAX_PARAMS)
    H_new = np.empty(K_MAX_PARAMS * K_MAX_PARAMS)
    g_new = np.empty(K_MAX_PARAMS)
    idx = np.empty(K_MAX_PARAMS, np.int64)  # free parameters this step
    status = STATUS_MAX_ITER
    n_iter = 0
    ok, cost, S = accumulate(pb, loss, s, p, H, g, True)
    if not ok:
        return math.inf, STATUS_NON_FINITE, 0
    for a in range(P):
        D[a] = fmax(H[a * P + a], 1e-300)
    lam = 1e-3
    nu = 2.0
    while True:
        for a in range(P):
            D[a] = fmax(D[a], H[a * P + a])
        # Free parameters: not fixed, and not held at a bound by a gradient pointing outward.
        nf = 0
        small_grad = True
        for a in range(P):
            if fixed[a] != 0:
                continue
            if (p[a] <= lo[a] and g[a] > 0) or (p[a] >= hi[a] and g[a] < 0):
                continue
            idx[nf] = a
            nf += 1
            if math.fabs(g[a]) > gtol * math.sqrt(H[a * P + a] * S):
                small_grad = False
        # Checked before the budget, so that a run converging on its last iteration says so.
        if nf == 0 or small_grad or cost == 0.0:
            status = STATUS_CONVERGED
            break
        if n_iter >= iter_budget:
            status = STATUS_MAX_ITER
            break
        n_iter += 1
        # done: stop with status `end` (STATUS_SINGULAR when the damped normal equations
        # cannot be factored even with lambda past 1e300, STATUS_NON_FINITE when no trial has
        # a finite objective; the last accepted point is kept).
        accepted = False
        done = False
        trial_ok = True
        end = STATUS_CONVERGED
        while not accepted:
            for a in range(nf):
                for b in range(a + 1):
                    ia = idx[a]
                    ib = idx[b]
                    A[a * nf + b] = H[ia * P + ib] if ia >= ib else H[ib * P + ia]
                A[a * nf + a] += lam * D[idx[a]]
                rhs[a] = -g[idx[a]]
            solved = cholesky(A, nf)
            if solved:
                cholesky_solve(A, nf, rhs, rhs)
                for a in range(nf):
                    solved = solved and math.fabs(rhs[a]) < math.inf
            if not solved:
                lam = lam * nu
                nu *= 2.0
                if lam > 1e300:
                    done = True
                    end = STATUS_SINGULAR
                    break
                continue
            for a in range(P):
                trial[a] = p[a]
            for a in range(nf):
                ia = idx[a]
                trial[ia] = clip(p[ia] + rhs[a], lo[ia], hi[ia])
            pred = 0.0
            dnorm = 0.0
            pnorm = 0.0
            for a in range(P):
                step[a] = trial[a] - p[a]
                pred -= g[a] * step[a]
                dnorm += D[a] * step[a] * step[a]
                pnorm += D[a] * p[a] * p[a]
            for a in range(P):
                hs = 0.0
                for b in range(P):
                    hs += (H[a * P + b] if a >= b else H[b * P + a]) * step[b]
                pred -= 0.5 * step[a] * hs
            tiny_step = math.sqrt(dnorm) <= xtol * (xtol + math.sqrt(pnorm))
            # The trial's normal equations come with its cost: most trials are accepted, and
            # then they serve the next iteration without a second pass over the data.
            trial_ok, c_new, S_new = accumulate(pb, loss, s, trial, H_new, g_new, True)
            if trial_ok and c_new < cost:
                actual = cost - c_new
                rho = actual / pred if pred > 0 else 0.0
                t = 2.0 * rho - 1.0
                lam *= fmax(1.0 / 3.0, 1.0 - t * t * t)
                nu = 2.0
                for a in range(P):
                    p[a] = trial[a]
                    g[a] = g_new[a]
                for a in range(P * P):
                    H[a] = H_new[a]
                S = S_new
                accepted = True
                if (actual <= ftol * c_new and pred <= ftol * c_new) or tiny_step:
                    done = True
                cost = c_new
            else:
                if tiny_step:  # no decrease even from a negligible step: at the optimum
                    done = True
                    break
                lam *= nu
                nu *= 2.0
                if lam > 1e300:
                    done = True
                    end = STATUS_CONVERGED if trial_ok else STATUS_NON_FINITE
                    break
        if done:
            status = end
            break
    return cost, status, n_iter


def objective(pb, p):
    """Return the problem's own objective (l1 included) at p; +inf where undefined."""
    none = np.empty(0)  # stands for C++'s null H and g
    ok, c, _S = accumulate(pb, pb[4], pb[5], p, none, none, False)
    if not ok:
        return math.inf
    return c


def polish(pb, opt, p):
    """Polish p in place for the problem's loss: (cost, status, n_iter)."""
    loss = pb[4]
    max_iter = opt[0]
    if loss != LOSS_L1:
        return lm_run(pb, loss, pb[5], opt, p, max_iter)
    # l1: 13 Huber stages, the scale starting at the root mean square residual and shrinking
    # tenfold per stage, each warm-started from the last with its own iteration budget. The
    # status is the last stage's.
    none = np.empty(0)
    ok, c2, _S = accumulate(pb, LOSS_L2, 1.0, p, none, none, False)
    if not ok:
        return math.inf, STATUS_NON_FINITE, 0
    M = pb[6]
    w = pb[9]
    wsum = 0.0
    for i in range(M):
        wsum += w[i] if w[i] > 0 else 0.0
    s0 = math.sqrt(2.0 * c2 / fmax(wsum, 1e-300))
    status = STATUS_CONVERGED
    n_iter = 0
    s = s0
    # The scale is multiplied by 0.1 each stage (not recomputed as s0 * 10^-k) as in C++.
    # Residuals below 1e-290 are an exact fit; a smaller scale would underflow.
    stage = 0
    while stage < 13 and s > 1e-290:
        _c, st, it = lm_run(pb, LOSS_HUBER, s, opt, p, max_iter)
        n_iter += it
        status = st
        if st == STATUS_NON_FINITE:
            break
        stage += 1
        s *= 0.1
    return objective(pb, p), status, n_iter


# ----------------------------------------------------------------------------------------------
# fit_starts.hpp


def lerp(a, b, i, n):
    return a if n <= 1 else a + (b - a) * i / (n - 1)


def grid_size(model):
    if model == MODEL_POWER:
        return 49
    if model == MODEL_SATURATING_POWER:
        return 48
    if model == MODEL_CHINCHILLA:
        return 16 * 16
    if model == MODEL_KAPLAN_ND:
        return 12 * 12
    if model == MODEL_BROKEN_POWER:
        return 7 * 7 * 6 * 3
    if model == MODEL_SIGMOID:
        return 16 * 12
    return 1  # linear in every parameter (in its own space): one closed-form solve


def grid_point(model, x_lo, x_hi, k, nl):
    """Write the nonlinear parameters of grid point k into nl (x_lo..x_hi: first input's range)."""
    if model == MODEL_POWER:
        nl[0] = lerp(-3.0, 3.0, k, 49)
    elif model == MODEL_SATURATING_POWER:  # b > 0 on a log scale, a few growth exponents b < 0
        if k < 40:
            nl[0] = math.pow(10.0, lerp(-2.3, 0.7, k, 40))
        else:
            nl[0] = -math.pow(10.0, lerp(-2.0, 0.3, k - 40, 8))
    elif model == MODEL_CHINCHILLA:
        nl[0] = lerp(0.05, 1.5, k // 16, 16)
        nl[1] = lerp(0.05, 1.5, k % 16, 16)
    elif model == MODEL_KAPLAN_ND:  # aD and the ratio aN / aD, both on log scales
        nl[0] = math.pow(10.0, lerp(-1.7, 0.3, k // 12, 12))
        nl[1] = math.pow(10.0, lerp(-0.7, 0.7, k % 12, 12))
    elif model == MODEL_BROKEN_POWER:  # c0, c1, ln d1 inside the data, ln f1
        nl[0] = lerp(-0.5, 1.5, k % 7, 7)
        nl[1] = lerp(-1.5, 1.5, (k // 7) % 7, 7)
        nl[2] = lerp(x_lo, x_hi, 1 + (k // 49) % 6, 8)
        nl[3] = math.log(lerp(0.1, 2.5, k // 294, 3))
    elif model == MODEL_SIGMOID:  # slope +-(0.5 .. 50) / span, midpoint across the data
        span = x_hi - x_lo if x_hi > x_lo else 1.0
        ks = k % 16
        mag = math.pow(10.0, lerp(-0.3, 1.7, ks % 8, 8)) / span
        nl[0] = mag if ks < 8 else -mag
        nl[1] = lerp(x_lo, x_hi, k // 16, 12)


def linear_part(model, v, xi, y, nl, phi):
    """Return (L, t), the basis into phi[0..L): the linear part of the model at one point.

    y is in linear units; L = 0 where the point cannot be used.
    """
    if model == MODEL_POWER:
        phi[0] = math.exp(nl[0] * xi[0])
        return 1, y
    if model == MODEL_SATURATING_POWER:
        phi[0] = math.exp(-nl[0] * xi[0])
        phi[1] = 1.0
        return 2, y
    if model == MODEL_CHINCHILLA:
        phi[0] = 1.0
        phi[1] = math.exp(-nl[0] * xi[0])
        phi[2] = math.exp(-nl[1] * xi[1])
        return 3, y
    if model == MODEL_KAPLAN_ND:  # y^(1/aD) = Nc^r N^-r + Dc / D, r = aN / aD
        if not (y > 0):
            return 0, 0.0
        phi[0] = math.exp(-nl[1] * xi[0])
        phi[1] = math.exp(-xi[1])
        return 2, math.exp(math.log(y) / nl[0])
    if model == MODEL_BROKEN_POWER:
        lx = xi[0]
        f1 = math.exp(nl[3])
        u = (lx - nl[2]) / f1
        sp = u + math.log1p(math.exp(-u)) if u > 0 else math.log1p(math.exp(u))
        phi[0] = 1.0
        phi[1] = math.exp(-nl[0] * lx - nl[1] * f1 * sp)
        return 2, y
    if model == MODEL_SIGMOID:
        z = nl[0] * (xi[0] - nl[1])
        s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        phi[0] = 1.0 - s
        phi[1] = s
        return 2, y
    if model == MODEL_LOG_LINEAR:
        if not (y > 0):
            return 0, 0.0
        phi[0] = 1.0
        for i in range(v):
            phi[1 + i] = xi[i]
        return 1 + v, math.log(y)
    if model == MODEL_LOG_QUADRATIC:
        k = 0
        phi[k] = 1.0
        k += 1
        for i in range(v):
            phi[k] = xi[i]
            k += 1
        for i in range(v):
            for j in range(i, v):
                phi[k] = xi[i] * xi[j]
                k += 1
        return k, y
    return 0, 0.0


def positive_mask(model, space):
    """Bit l set: linear coefficient l must be positive.

    Its logarithm is the internal parameter (E, A, B of chinchilla, ...), or, for power in
    log space, log(a x^b) needs a > 0.
    """
    if model == MODEL_POWER:
        return 1 if space == SPACE_LOG else 0
    if model == MODEL_CHINCHILLA:
        return 7
    if model == MODEL_KAPLAN_ND:
        return 3
    if model == MODEL_BROKEN_POWER:
        return 2
    return 0


def assemble(model, P, nl, c, p):
    """Set the internal parameters p from the nonlinear ones nl and the coefficients c."""
    if model == MODEL_POWER:
        p[0] = c[0]
        p[1] = nl[0]
    elif model == MODEL_SATURATING_POWER:
        p[0] = c[0]
        p[1] = nl[0]
        p[2] = c[1]
    elif model == MODEL_CHINCHILLA:
        p[0] = math.log(c[0])
        p[1] = math.log(c[1])
        p[2] = math.log(c[2])
        p[3] = nl[0]
        p[4] = nl[1]
    elif model == MODEL_KAPLAN_ND:
        p[0] = math.log(c[0]) / nl[1]
        p[1] = math.log(c[1])
        p[2] = nl[1] * nl[0]
        p[3] = nl[0]
    elif model == MODEL_BROKEN_POWER:
        p[0] = c[0]
        p[1] = math.log(c[1])
        p[2] = nl[0]
        p[3] = nl[1]
        p[4] = nl[2]
        p[5] = nl[3]
    elif model == MODEL_SIGMOID:
        p[0] = c[0]
        p[1] = c[1]
        p[2] = nl[0]
        p[3] = nl[1]
    else:
        for a in range(P):
            p[a] = c[a]


def constrained_ls(G, b, L, pos, tiny_pos, c):
    """Solve the weighted least squares G c = b (lower triangle of G, L x L).

    The coefficients in the bit mask pos are kept positive by trying every choice of which of
    them sit at zero (returned as tiny_pos). False if no choice is solvable.
    """
    best = math.inf
    found = False
    A = np.empty(K_MAX_LINEAR * K_MAX_LINEAR)
    sol = np.empty(K_MAX_LINEAR)
    idx = np.empty(K_MAX_LINEAR, np.int64)
    for zero in range(8):
        if (zero & ~pos) != 0:  # only constrained coefficients may sit at zero
            continue
        n = 0
        for li in range(L):
            if not (li < 3 and ((zero >> li) & 1) != 0):
                idx[n] = li
                n += 1
        for a in range(n):
            for q in range(a + 1):
                A[a * n + q] = G[idx[a] * L + idx[q]]
            sol[a] = b[idx[a]]
        if n > 0:
            # A tiny ridge keeps collinear bases (a flat exponent) solvable.
            for a in range(n):
                A[a * n + a] *= 1.0 + 1e-12
            if not cholesky(A, n):
                continue
            cholesky_solve(A, n, sol, sol)
        ok = True
        for a in range(n):
            if idx[a] < 3 and ((pos >> idx[a]) & 1) != 0 and not (sol[a] > 0):
                ok = False
        if not ok:
            continue
        # Residual up to a constant: c^T G c - 2 b^T c = -b_S^T c_S at the solution.
        val = 0.0
        for a in range(n):
            val -= b[idx[a]] * sol[a]
        if val < best:
            best = val
            found = True
            for li in range(L):
                c[li] = tiny_pos if ((pos >> li) & 1) != 0 else 0.0
            for a in range(n):
                c[idx[a]] = sol[a]
        if pos == 0:
            break
    return found


def basis_is_model(model):
    """Return True where the model value (y itself) is sum_l c_l phi_l of linear_part's basis."""
    return model != MODEL_KAPLAN_ND and model != MODEL_LOG_LINEAR


def basis_objective(pb, L, c, cache):
    """Return the objective of the candidate f_i = sum_l c_l phi_il from the cached basis.

    +inf if undefined.
    """
    _model, _v, _P, space, loss, f_scale, M, _x, y, w = pb
    cost = 0.0
    j = 0
    for i in range(M):
        wi = w[i]
        if not (wi > 0):
            continue
        f = 0.0
        for a in range(L):
            f += c[a] * cache[j * K_MAX_LINEAR + a]
        j += 1
        if space == SPACE_LOG:
            if not (f > 0):
                return math.inf
            r = math.log(f) - y[i]
        else:
            r = f - y[i]
        if not (r == r and math.fabs(r) < math.inf):
            return math.inf
        lv, _weight = loss_value(loss, r, f_scale)
        cost += wi * lv
    return cost if (cost == cost and cost < math.inf) else math.inf


def apply_constraints(P, opt, base, p):
    """Give fixed parameters their base value; clip all into the bounds."""
    lo = opt[4]
    hi = opt[5]
    fixed = opt[6]
    for a in range(P):
        if fixed[a] != 0:
            p[a] = base[a]
        p[a] = clip(p[a], lo[a], hi[a])


def varpro_starts(pb, opt, base, n, starts, off, costs):
    """Write the n best grid candidates (true objective) into starts[off + j*P + a].

    Ascending cost (costs[j]); returns how many were found.
    """
    model, v, P, space, _loss, _f_scale, M, x, y, w = pb
    size = grid_size(model)
    x_lo = 0.0
    x_hi = 0.0
    first = True
    ysum = 0.0
    wsum = 0.0
    ylin = np.empty(K_BASIS_CACHE)
    cache = np.empty(K_BASIS_CACHE * K_MAX_LINEAR)
    n_used = 0
    for i in range(M):
        if not (w[i] > 0):
            continue
        x0 = x[i][0]
        if first or x0 < x_lo:
            x_lo = x0
        if first or x0 > x_hi:
            x_hi = x0
        first = False
        yi = math.exp(y[i]) if space == SPACE_LOG else y[i]
        if n_used < K_BASIS_CACHE:
            ylin[n_used] = yi
        n_used += 1
        ysum += w[i] * math.fabs(yi)
        wsum += w[i]
    if first:
        return 0
    cached = n_used <= K_BASIS_CACHE
    fast = cached and basis_is_model(model)
    tiny_pos = 1e-9 * fmax(ysum / wsum, 1e-300)
    pos = positive_mask(model, space)
    found = 0
    nl = np.zeros(4)
    phi = np.empty(K_MAX_LINEAR)
    G = np.empty(K_MAX_LINEAR * K_MAX_LINEAR)
    b = np.empty(K_MAX_LINEAR)
    c = np.empty(K_MAX_LINEAR)
    p = np.empty(K_MAX_PARAMS)
    before = np.empty(K_MAX_PARAMS)
    for k in range(size):
        grid_point(model, x_lo, x_hi, k, nl)
        L = 0
        j = -1  # index of the point among the used ones
        for i in range(M):
            if not (w[i] > 0):
                continue
            j += 1
            if cached:
                yi = ylin[j]
            else:
                yi = math.exp(y[i]) if space == SPACE_LOG else y[i]
            n_basis, t = linear_part(model, v, x[i], yi, nl, phi)
            if n_basis == 0:
                continue
            if fast:
                for a in range(n_basis):
                    cache[j * K_MAX_LINEAR + a] = phi[a]
            if L == 0:
                L = n_basis
                for a in range(L * L):
                    G[a] = 0.0
                for a in range(L):
                    b[a] = 0.0
            # Log space (and the log target of loglinear) fits relative errors: weight 1 / t^2.
            wt = w[i]
            if space == SPACE_LOG and model != MODEL_LOG_LINEAR and t != 0.0:
                wt = fdiv(wt, t * t)  # t * t underflows for |t| < 1e-162
            for a in range(L):
                b[a] += wt * phi[a] * t
                for q in range(a + 1):
                    G[a * L + q] += wt * phi[a] * phi[q]
        if L == 0 or not constrained_ls(G, b, L, pos, tiny_pos, c):
            continue
        assemble(model, P, nl, c, p)
        for a in range(P):
            before[a] = p[a]
        apply_constraints(P, opt, base, p)
        moved = False  # by a bound or a fixed value (or NaN): then c no longer describes p
        for a in range(P):
            moved = moved or not (p[a] == before[a])
        if fast and not moved:
            cost = basis_objective(pb, L, c, cache)
        else:
            cost = objective(pb, p)
        if not (cost < math.inf):
            continue
        # Insert into the sorted list of the n best.
        at = found if found < n else n
        while at > 0 and costs[at - 1] > cost:
            at -= 1
        if at >= n:
            continue
        last = found if found < n else n - 1
        for j in range(last, at, -1):
            costs[j] = costs[j - 1]
            for a in range(P):
                starts[off + j * P + a] = starts[off + (j - 1) * P + a]
        costs[at] = cost
        for a in range(P):
            starts[off + at * P + a] = p[a]
        if found < n:
            found += 1
    return found


def agree_tol(best):
    """Costs within this of the best count as reaching it."""
    return 1e-8 * math.fabs(best) + 1e-300


def fit_problem(pb, opt, base, n_given, n_polish, starts_io, p_out):
    """Fit one problem: (cost, status, n_iter, n_at_best); the best parameters into p_out.

    The starts are polished in turn (the given ones, then the grid's best first), stopping once
    opt[7] (n_agree) of them reach the same best cost. starts_io: K_MAX_STARTS * P scratch
    holding the n_given given starts on entry.
    """
    P = pb[2]
    lo = opt[4]
    hi = opt[5]
    fixed = opt[6]
    n_agree = opt[7]
    costs = np.empty(K_MAX_STARTS)
    n = n_given if n_given < K_MAX_STARTS else K_MAX_STARTS
    room = K_MAX_STARTS - n
    want = n_polish if n_polish < room else room
    if want > 0:
        n += varpro_starts(pb, opt, base, want, starts_io, n * P, costs)
    out_cost = math.inf
    out_status = STATUS_NON_FINITE
    out_n_iter = 0
    out_n_at_best = 0
    finals = np.empty(K_MAX_STARTS)
    p = np.empty(K_MAX_PARAMS)
    for s in range(n):
        for a in range(P):
            p[a] = starts_io[s * P + a]
        apply_constraints(P, opt, base, p)
        r_cost, r_status, r_n_iter = polish(pb, opt, p)
        out_n_iter += r_n_iter
        finals[s] = r_cost if r_cost < math.inf else math.inf  # NaN too
        if finals[s] < out_cost:
            out_cost = finals[s]
            out_status = r_status
            for a in range(P):
                p_out[a] = p[a]
        if n_agree > 0 and s + 1 >= n_agree and out_cost < math.inf:
            agree = 0
            for q in range(s + 1):
                if finals[q] <= out_cost + agree_tol(out_cost):
                    agree += 1
            if agree >= n_agree:
                n = s + 1
                break
    if not (out_cost < math.inf):
        for a in range(P):
            p_out[a] = math.nan
        return out_cost, STATUS_NON_FINITE, out_n_iter, out_n_at_best
    for s in range(n):
        if finals[s] <= out_cost + agree_tol(out_cost):
            out_n_at_best += 1
    # Status details at the best point: a free parameter on a bound, or a singular J^T W J.
    if out_status == STATUS_CONVERGED:
        for a in range(P):
            if fixed[a] == 0 and (p_out[a] <= lo[a] or p_out[a] >= hi[a]):
                out_status = STATUS_AT_BOUND
    if out_status == STATUS_CONVERGED:
        H = np.empty(K_MAX_PARAMS * K_MAX_PARAMS)
        g = np.empty(K_MAX_PARAMS)
        loss = LOSS_L2 if pb[4] == LOSS_L1 else pb[4]
        ok, _c, _S = accumulate(pb, loss, pb[5], p_out, H, g, True)
        if ok:
            A = np.empty(K_MAX_PARAMS * K_MAX_PARAMS)
            idx = np.empty(K_MAX_PARAMS, np.int64)
            nf = 0
            for a in range(P):
                if fixed[a] == 0:
                    idx[nf] = a
                    nf += 1
            for a in range(nf):
                for q in range(a + 1):
                    A[a * nf + q] = H[idx[a] * P + idx[q]]
            if nf > 0 and not cholesky(A, nf):
                out_status = STATUS_SINGULAR
    return out_cost, out_status, out_n_iter, out_n_at_best


# ----------------------------------------------------------------------------------------------
# cpp/src/fit.cpp: the batch loops (sizes passed in, since the plain backend's lists have no
# shape).


def fit_batch_core(
    model,
    v,
    P,
    space,
    loss,
    f_scale,
    K,
    M,
    x_shared,
    n_given,
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
    params,
    cost,
    status,
    n_iter,
    n_at_best,
):
    opt = (max_iter, xtol, ftol, gtol, lo, hi, fixed, n_agree)
    for k in prange(K):
        kx = 0 if x_shared else k
        pb = (model, v, P, space, loss, f_scale, M, x[kx], y[k], w[k])
        scratch = np.empty(K_MAX_STARTS * K_MAX_PARAMS)
        given = n_given if n_given < K_MAX_STARTS else K_MAX_STARTS
        sk = starts[k]
        for s in range(given):
            row = sk[s]
            for a in range(P):
                scratch[s * P + a] = row[a]
        r_cost, r_status, r_n_iter, r_n_at_best = fit_problem(
            pb, opt, base[k], given, n_grid, scratch, params[k]
        )
        cost[k] = r_cost
        status[k] = r_status
        n_iter[k] = r_n_iter
        n_at_best[k] = r_n_at_best


def fit_objective_core(model, v, P, space, loss, f_scale, M, x, y, w, params, S, cost):
    pb = (model, v, P, space, loss, f_scale, M, x[0], y[0], w[0])
    for s in prange(S):
        cost[s] = objective(pb, params[s])


def fit_residuals_core(model, v, P, space, K, M, x_shared, x, y, params, r, J, ok):
    for k in prange(K):
        xk = x[0 if x_shared else k]
        yk = y[k]
        pk = params[k]
        rk = r[k]
        Jk = J[k]
        okk = ok[k]
        for i in range(M):
            Ji = Jk[i]
            good, ri = residual(model, v, P, space, xk[i], yk[i], pk, Ji)
            okk[i] = 1 if good else 0
            rk[i] = ri if good else math.nan
            if not good:
                for a in range(P):
                    Ji[a] = math.nan


# ----------------------------------------------------------------------------------------------
# cpp/bindings/fit.cpp: argument checks, then the core. Not compiled: these normalise None and
# convert to what the (rebound) core takes.


def _to_kernel(a):
    """Convert an array to what the hot code indexes (the plain backend: lists)."""
    return a


def _from_kernel(obj, like):
    """Invert _to_kernel, into an array shaped and typed like `like`."""
    return like


def _array(a, dtype=numpy.float64):
    # C-contiguous, aligned and writeable (numba types a read-only array differently, and the
    # compiled signatures take writeable ones); a copy only where the input is not already so.
    return numpy.require(a, dtype, ("C", "A", "W"))


def _describe(model, x, y, w):
    x = _array(x)
    y = _array(y)
    w = _array(w)
    if x.ndim != 3 or y.ndim != 2 or w.ndim != 2:
        raise ValueError("x must be 3-D (K or 1, M, v); y and weights 2-D (K, M)")
    K, M = y.shape
    v = x.shape[2]
    if w.shape != (K, M) or x.shape[1] != M or (x.shape[0] != K and x.shape[0] != 1):
        raise ValueError("x, y and weights disagree in shape")
    if v < 1 or v > K_MAX_PARAMS:
        raise ValueError("x must have 1 to 10 inputs")
    P = n_params(int(model), int(v))
    if P < 1 or P > K_MAX_PARAMS:
        raise ValueError("unknown model, or too many parameters")
    # As the C++ binding: with one column the kernels would read each point's ln D from the
    # next point (and past the array for the last one).
    if (model == MODEL_CHINCHILLA or model == MODEL_KAPLAN_ND) and v != 2:
        raise ValueError("chinchilla and kaplan_nd take 2 inputs (ln N, ln D)")
    x_shared = x.shape[0] == 1 and K != 1
    return x, y, w, K, M, v, P, x_shared


def fit_batch(
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
    """Fit K problems: (params (K, P), cost (K,), status, n_iter, n_at_best (K,) int32)."""
    x, y, w, K, M, v, P, x_shared = _describe(model, x, y, w)
    lo = _array(lo)
    hi = _array(hi)
    fixed = _array(fixed, numpy.uint8)
    if lo.shape != (P,) or hi.shape != (P,) or fixed.shape != (P,):
        raise ValueError("bounds and fixed must have one entry per parameter")
    if base is not None:
        base = _array(base)
        if base.shape != (K, P):
            raise ValueError("base must have shape (K, P)")
    else:
        base = numpy.zeros((K, P))
    if starts is not None:
        starts = _array(starts)
        if starts.ndim != 3 or starts.shape[0] != K or starts.shape[2] != P or starts.shape[1] < 1:
            raise ValueError("starts must have shape (K, S, P)")
    n_grid = int(n_grid)
    if n_grid < 0 or (starts is None and n_grid < 1):
        raise ValueError("n_grid must be positive when no starts are given")
    if starts is not None and starts.shape[1] + n_grid > K_MAX_STARTS:
        raise ValueError("at most 32 starts per problem")
    n_agree = int(n_agree)
    if n_agree < 0:
        raise ValueError("n_agree must be non-negative")
    if starts is None:
        starts = numpy.zeros((K, 0, P))  # S = 0 given starts, as C++'s null pointer
    outs = (
        numpy.empty((K, P)),
        numpy.empty(K),
        numpy.empty(K, numpy.int32),
        numpy.empty(K, numpy.int32),
        numpy.empty(K, numpy.int32),
    )
    kouts = [_to_kernel(o) for o in outs]
    fit_batch_core(
        int(model),
        int(v),
        int(P),
        int(space),
        int(loss),
        float(f_scale),
        int(K),
        int(M),
        bool(x_shared),
        int(starts.shape[1]),
        _to_kernel(x),
        _to_kernel(y),
        _to_kernel(w),
        int(max_iter),
        float(xtol),
        float(ftol),
        float(gtol),
        _to_kernel(lo),
        _to_kernel(hi),
        _to_kernel(fixed),
        _to_kernel(base),
        _to_kernel(starts),
        n_grid,
        n_agree,
        kouts[0],
        kouts[1],
        kouts[2],
        kouts[3],
        kouts[4],
    )
    return tuple(_from_kernel(ko, o) for ko, o in zip(kouts, outs))


def fit_objective(model, space, loss, f_scale, x, y, w, params):
    """Return the objective of one problem (K = 1) at S internal parameter vectors.

    Shape (S,); inf where undefined.
    """
    x, y, w, K, M, v, P, _x_shared = _describe(model, x, y, w)
    if K != 1 or x.shape[0] != 1:
        raise ValueError("fit_objective takes one problem (K = 1)")
    params = _array(params)
    if params.ndim != 2 or params.shape[1] != P:
        raise ValueError("params must have shape (S, P)")
    S = params.shape[0]
    out = numpy.empty(S)
    kout = _to_kernel(out)
    fit_objective_core(
        int(model),
        int(v),
        int(P),
        int(space),
        int(loss),
        float(f_scale),
        int(M),
        _to_kernel(x),
        _to_kernel(y),
        _to_kernel(w),
        _to_kernel(params),
        int(S),
        kout,
    )
    return _from_kernel(kout, out)


def fit_residuals(model, space, x, y, params):
    """Return residuals r (K, M), Jacobian J (K, M, P) and defined-mask ok (K, M) uint8.

    r and J are NaN where the model is undefined.
    """
    x, y, _w, K, M, v, P, x_shared = _describe(model, x, y, numpy.empty(numpy.shape(y)))
    params = _array(params)
    if params.shape != (K, P):
        raise ValueError("params must have shape (K, P)")
    outs = (numpy.empty((K, M)), numpy.empty((K, M, P)), numpy.empty((K, M), numpy.uint8))
    kouts = [_to_kernel(o) for o in outs]
    fit_residuals_core(
        int(model),
        int(v),
        int(P),
        int(space),
        int(K),
        int(M),
        bool(x_shared),
        _to_kernel(x),
        _to_kernel(y),
        _to_kernel(params),
        kouts[0],
        kouts[1],
        kouts[2],
    )
    return tuple(_from_kernel(ko, o) for ko, o in zip(kouts, outs))


# ----------------------------------------------------------------------------------------------
# Rebinding, for the two backends.

# Hot functions (compiled by numba), leaves first; and the wrappers (always plain Python).
KERNEL_FUNCTIONS = (
    "fmax",
    "fmin",
    "clip",
    "fdiv",
    "n_params",
    "log_inputs",
    "has_log_form",
    "lse2",
    "model_eval",
    "residual",
    "loss_value",
    "loss_curvature",
    "accumulate",
    "cholesky",
    "cholesky_solve",
    "lm_run",
    "objective",
    "polish",
    "lerp",
    "grid_size",
    "grid_point",
    "linear_part",
    "positive_mask",
    "assemble",
    "constrained_ls",
    "basis_is_model",
    "basis_objective",
    "apply_constraints",
    "varpro_starts",
    "agree_tol",
    "fit_problem",
    "fit_batch_core",
    "fit_objective_core",
    "fit_residuals_core",
)
WRAPPER_FUNCTIONS = (
    "_to_kernel",
    "_from_kernel",
    "_array",
    "_describe",
    "fit_batch",
    "fit_objective",
    "fit_residuals",
)


def rebind(overrides, decorate=None):
    """Copy this module's functions into a namespace that is also their globals.

    ``overrides`` replaces module globals (``math``, ``np``, ``prange``, ``_to_kernel``, ...);
    ``decorate(name, function)`` (e.g. ``numba.njit``) is applied to each hot function, in
    KERNEL_FUNCTIONS order (callees first, for compilers that compile at once). The copies look
    each other up in the namespace, so decorated functions call decorated functions.
    """
    ns = dict(globals())
    ns.update(overrides)
    for name in KERNEL_FUNCTIONS + WRAPPER_FUNCTIONS:
        if name in overrides:  # e.g. _to_kernel: the backend's own version stays
            continue
        f = globals()[name]
        copy = types.FunctionType(f.__code__, ns, f.__name__, f.__defaults__, f.__closure__)
        copy.__doc__ = f.__doc__
        copy.__qualname__ = f.__qualname__
        if decorate is not None and name in KERNEL_FUNCTIONS:
            copy = decorate(name, copy)
        ns[name] = copy
    return types.SimpleNamespace(**{n: ns[n] for n in KERNEL_FUNCTIONS + WRAPPER_FUNCTIONS})
