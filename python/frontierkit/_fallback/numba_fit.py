"""numba fallback of the batched curve fitter.

A port of the C++ fit_models.hpp, fit_solver.hpp, fit_starts.hpp and src/fit.cpp.

The code is :mod:`frontierkit._fallback.fit_kernel`'s, compiled function by function: each hot
function is copied with its globals pointing to a namespace of compiled functions
(:func:`fit_kernel.rebind`), so compiled code calls compiled code. ``error_model="numpy"`` gives
C's x / 0 (an infinity or NaN, no exception), and math functions in nopython mode follow C as
well (exp overflows to inf, log(0) is -inf), which is what the C++ core does; with the same C
library the results match it bit for bit.

Every function is compiled for one explicit signature. Left to itself, numba would compile a
function again for every literal constant it is called with (``lerp(.., 49)``,
``accumulate(.., LOSS_L2, .., False)``, ...) and for the intermediate types it meets while
inferring its callers, which doubles the compilation time (tens of seconds). Compilation
happens on the first call of :func:`fit_batch` or :func:`fit_residuals`, not at import.

The batch loop runs the problems one after the other: ``parallel=True`` would spread them over
threads with the same results (they are independent), but it adds to the first call's
compilation, and numba's default "workqueue" threading layer aborts when two Python threads run
parallel code at once, which callers of a ``nogil`` function may well do.
"""

from __future__ import annotations

import threading

import numba
from numba import types as nt

from . import fit_kernel

__all__ = ["fit_batch", "fit_objective", "fit_residuals"]

_JIT_OPTIONS = {"cache": False, "nogil": True, "error_model": "numpy"}


def _signatures():
    i8, f8, b1, none = nt.int64, nt.float64, nt.boolean, nt.none
    a1, a2, a3 = nt.float64[::1], nt.float64[:, ::1], nt.float64[:, :, ::1]
    i32 = nt.int32[::1]
    u1, u2 = nt.uint8[::1], nt.uint8[:, ::1]
    # Problem (model, v, P, space, loss, f_scale, M, x, y, w) and Options (max_iter, xtol, ftol,
    # gtol, lo, hi, fixed, n_agree) as fit_kernel passes them.
    pb = nt.Tuple((i8, i8, i8, i8, i8, f8, i8, a2, a1, a1))
    opt = nt.Tuple((i8, f8, f8, f8, a1, a1, u1, i8))

    def tup(*ts):
        return nt.Tuple(ts)

    return {
        "fmax": f8(f8, f8),
        "fmin": f8(f8, f8),
        "clip": f8(f8, f8, f8),
        "fdiv": f8(f8, f8),
        "n_params": i8(i8, i8),
        "log_inputs": b1(i8),
        "has_log_form": b1(i8),
        "lse2": tup(f8, f8)(f8, f8),
        "model_eval": tup(b1, f8)(i8, i8, a1, a1, a1),
        "residual": tup(b1, f8)(i8, i8, i8, i8, a1, f8, a1, a1),
        "loss_value": tup(f8, f8)(i8, f8, f8),
        "loss_curvature": f8(i8, f8, f8),
        "accumulate": tup(b1, f8, f8)(pb, i8, f8, a1, a1, a1, b1),
        "cholesky": b1(a1, i8),
        "cholesky_solve": none(a1, i8, a1, a1),
        "lm_run": tup(f8, i8, i8)(pb, i8, f8, opt, a1, i8),
        "objective": f8(pb, a1),
        "polish": tup(f8, i8, i8)(pb, opt, a1),
        "lerp": f8(f8, f8, i8, i8),
        "grid_size": i8(i8),
        "grid_point": none(i8, f8, f8, i8, a1),
        "linear_part": tup(i8, f8)(i8, i8, a1, f8, a1, a1),
        "positive_mask": i8(i8, i8),
        "assemble": none(i8, i8, a1, a1, a1),
        "constrained_ls": b1(a1, a1, i8, i8, f8, a1),
        "basis_is_model": b1(i8),
        "basis_objective": f8(pb, i8, a1, a1),
        "apply_constraints": none(i8, opt, a1, a1),
        "varpro_starts": i8(pb, opt, a1, i8, a1, i8, a1),
        "agree_tol": f8(f8),
        "fit_problem": tup(f8, i8, i8, i8)(pb, opt, a1, i8, i8, a1, a1),
        "fit_batch_core": none(
            i8,
            i8,
            i8,
            i8,
            i8,
            f8,
            i8,
            i8,
            b1,
            i8,
            a3,
            a2,
            a2,
            i8,
            f8,
            f8,
            f8,
            a1,
            a1,
            u1,
            a2,
            a3,
            i8,
            i8,
            a2,
            a1,
            i32,
            i32,
            i32,
        ),
        "fit_objective_core": none(i8, i8, i8, i8, i8, f8, i8, a3, a2, a2, a2, i8, a1),
        "fit_residuals_core": none(i8, i8, i8, i8, i8, i8, b1, a3, a2, a2, a2, a3, u2),
    }


_lock = threading.Lock()
_ns = None


def _compiled():
    """Return the namespace of compiled functions, built (and compiled) on first use."""
    global _ns
    with _lock:
        if _ns is None:
            sigs = _signatures()
            # fit_kernel.rebind decorates in KERNEL_FUNCTIONS order, callees first, so each
            # eager compilation finds its callees already compiled in the namespace.
            _ns = fit_kernel.rebind(
                {}, decorate=lambda name, f: numba.njit(sigs[name], **_JIT_OPTIONS)(f)
            )
        return _ns


def fit_batch(*args):
    """fit_kernel.fit_batch, compiled: (params (K, P), cost (K,), status, n_iter, n_at_best)."""
    return _compiled().fit_batch(*args)


def fit_objective(*args):
    """fit_kernel.fit_objective, compiled: the objective of one problem at S parameter vectors."""
    return _compiled().fit_objective(*args)


def fit_residuals(model, space, x, y, params):
    """Residuals (K, M), Jacobian (K, M, P) and defined-mask (K, M) at internal parameters."""
    return _compiled().fit_residuals(model, space, x, y, params)
