// One curve-fitting problem, start to finish: start values by variable projection, then a
// Levenberg-Marquardt polish of the best few, for any model and loss of fit_models.hpp. All of it
// is FK_HD and allocation-free (a few arrays of kMaxParams^2 doubles on the stack), so the CPU
// driver (threads over problems) and the CUDA kernel (a thread per problem) run the same code.
//
// Levenberg-Marquardt (Levenberg 1944, Marquardt 1963) with More's scaling ("The Levenberg-
// Marquardt algorithm: implementation and theory", 1978: the damping is lambda * D with D the
// running maximum of diag(J^T J), so the steps do not depend on the units of the parameters) and
// Nielsen's update of lambda. Robust losses enter as iteratively reweighted Gauss-Newton: each
// point's row of J^T J and J^T r is weighted by rho'((r/s)^2), the majoriser of the loss, which
// keeps the model positive definite for every loss. The l1 loss is reached by Huber losses of
// scale shrinking tenfold per stage (the Huber minimiser tends to the l1 one as the scale goes to
// 0), each stage warm-started from the last. Bounds: steps are projected on the box; a bound
// parameter whose gradient points outward is held for the step.
//
// Variable projection (Golub & Pereyra, "The differentiation of pseudo-inverses and nonlinear
// least squares problems whose variables separate", SIAM J. Numer. Anal. 10(2), 1973): for each
// point of a grid over the nonlinear parameters (exponents, break, midpoint), the parameters the
// model is linear in are solved in closed form (weighted least squares; coefficients that must be
// positive by enumerating which of them are at zero), and the candidate is scored by the true
// objective (loss and space). The best few are polished.
//
// Stopping rules are scale-free: gtol on the cosine between the (weighted) residual vector and
// each column of J, ftol on the relative decrease of the objective, xtol on the relative size of
// the D-scaled step.
#pragma once

#include <cmath>

#include "frontierkit/fit_models.hpp"

namespace frontierkit::fit {

constexpr int kMaxStarts = 32;

enum Status : int { kConverged = 0, kMaxIter = 1, kNonFinite = 2, kSingular = 3, kAtBound = 4 };

struct Problem {
    int model, v, P, space, loss;
    double f_scale;
    int M;
    const double* x;  // M x v
    const double* y;  // M, in the residual's space (log y when space is kLog)
    const double* w;  // M weights; 0 drops a point
};

struct Options {
    int max_iter;  // per start, and per stage of the l1 continuation
    double xtol, ftol, gtol;
    const double* lo;  // P lower bounds (internal parameters), -inf for none
    const double* hi;  // P upper bounds
    const unsigned char* fixed;  // P flags: 1 = held at its start value
    int n_agree;  // stop polishing starts once this many reach the best cost (0: polish all)
};

// v clipped into [lo, hi]; NaN stays NaN (fmax would turn it into lo).
FK_HD double clip(double v, double lo, double hi) { return v != v ? v : fmin(fmax(v, lo), hi); }

// sum_i w_i l(r_i) and, when H is given, the reweighted normal equations: H = sum w rho' J J^T
// (lower triangle, row-major P x P), g = sum w rho' r J, and S = sum w rho' r^2. False when a
// point with positive weight has no finite residual.
FK_HD bool accumulate(const Problem& pb, int loss, double s, const double* p, double* cost, double* H, double* g, double* S) {
    const int P = pb.P;
    double J[kMaxParams];
    if (H) {
        for (int a = 0; a < P * P; ++a) H[a] = 0.0;
        for (int a = 0; a < P; ++a) g[a] = 0.0;
        *S = 0.0;
    }
    double c = 0.0;
    for (int i = 0; i < pb.M; ++i) {
        const double wi = pb.w[i];
        if (!(wi > 0)) continue;
        double r;
        if (!residual(pb.model, pb.v, P, pb.space, pb.x + static_cast<long long>(i) * pb.v, pb.y[i], p, &r, J)) return false;
        double rho1;
        c += wi * loss_value(loss, r, s, &rho1);
        if (!H) continue;
        const double ww = wi * rho1;
        *S += ww * r * r;
        for (int a = 0; a < P; ++a) {
            const double ja = ww * J[a];
            g[a] += ja * r;
            for (int b = 0; b <= a; ++b) H[a * P + b] += ja * J[b];
        }
    }
    *cost = c;
    return c == c && c < __builtin_huge_val();
}

// Cholesky factor of the SPD matrix A (lower triangle used, row-major n x n) in place; false if
// a pivot is not positive (relative to the diagonal).
FK_HD bool cholesky(double* A, int n) {
    for (int j = 0; j < n; ++j) {
        double d = A[j * n + j];
        for (int k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 1e-300) || !(d > 1e-15 * fabs(A[j * n + j]))) return false;
        d = sqrt(d);
        A[j * n + j] = d;
        for (int i = j + 1; i < n; ++i) {
            double t = A[i * n + j];
            for (int k = 0; k < j; ++k) t -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = t / d;
        }
    }
    return true;
}

// Solves L L^T x = b with the factor from cholesky (x may alias b).
FK_HD void cholesky_solve(const double* L, int n, const double* b, double* x) {
    for (int i = 0; i < n; ++i) {
        double t = b[i];
        for (int k = 0; k < i; ++k) t -= L[i * n + k] * x[k];
        x[i] = t / L[i * n + i];
    }
    for (int i = n - 1; i >= 0; --i) {
        double t = x[i];
        for (int k = i + 1; k < n; ++k) t -= L[k * n + i] * x[k];
        x[i] = t / L[i * n + i];
    }
}

struct RunResult {
    double cost;
    int status, n_iter;
};

// Levenberg-Marquardt from p (updated in place) for one loss scale s. iter_budget caps the
// iterations; the result's n_iter counts those used.
FK_HD RunResult lm_run(const Problem& pb, int loss, double s, const Options& opt, double* p, int iter_budget) {
    const int P = pb.P;
    double H[kMaxParams * kMaxParams], A[kMaxParams * kMaxParams], g[kMaxParams], D[kMaxParams];
    double step[kMaxParams], trial[kMaxParams], rhs[kMaxParams];
    double H_new[kMaxParams * kMaxParams], g_new[kMaxParams], S_new;
    int idx[kMaxParams];  // free parameters this step
    double cost, S;
    RunResult res{0.0, kMaxIter, 0};
    if (!accumulate(pb, loss, s, p, &cost, H, g, &S)) {
        res.cost = __builtin_huge_val();
        res.status = kNonFinite;
        return res;
    }
    for (int a = 0; a < P; ++a) D[a] = fmax(H[a * P + a], 1e-300);
    double lam = 1e-3, nu = 2.0;
    while (true) {
        for (int a = 0; a < P; ++a) D[a] = fmax(D[a], H[a * P + a]);
        // Free parameters: not fixed, and not held at a bound by a gradient pointing outward.
        int nf = 0;
        bool small_grad = true;
        for (int a = 0; a < P; ++a) {
            if (opt.fixed[a]) continue;
            if ((p[a] <= opt.lo[a] && g[a] > 0) || (p[a] >= opt.hi[a] && g[a] < 0)) continue;
            idx[nf++] = a;
            if (fabs(g[a]) > opt.gtol * sqrt(H[a * P + a] * S)) small_grad = false;
        }
        // Checked before the budget, so that a run converging on its last iteration says so.
        if (nf == 0 || small_grad || cost == 0.0) {
            res.status = kConverged;
            break;
        }
        if (res.n_iter >= iter_budget) {
            res.status = kMaxIter;
            break;
        }
        ++res.n_iter;
        // done: stop with status `end`. Giving up because the damped normal equations cannot be
        // factored even with lambda past 1e300 is kSingular; because every trial, however
        // short, has no finite objective, kNonFinite (the last accepted point is kept).
        bool accepted = false, done = false, trial_ok = true;
        int end = kConverged;
        while (!accepted) {
            for (int a = 0; a < nf; ++a) {
                for (int b = 0; b <= a; ++b) {
                    const int ia = idx[a], ib = idx[b];
                    A[a * nf + b] = ia >= ib ? H[ia * P + ib] : H[ib * P + ia];
                }
                A[a * nf + a] += lam * D[idx[a]];
                rhs[a] = -g[idx[a]];
            }
            bool solved = cholesky(A, nf);
            if (solved) {
                cholesky_solve(A, nf, rhs, rhs);
                for (int a = 0; a < nf; ++a) solved = solved && fabs(rhs[a]) < __builtin_huge_val();
            }
            if (!solved) {
                lam = lam * nu;
                nu *= 2.0;
                if (lam > 1e300) {
                    done = true;
                    end = kSingular;
                    break;
                }
                continue;
            }
            for (int a = 0; a < P; ++a) trial[a] = p[a];
            for (int a = 0; a < nf; ++a) {
                const int ia = idx[a];
                trial[ia] = clip(p[ia] + rhs[a], opt.lo[ia], opt.hi[ia]);
            }
            double pred = 0.0, dnorm = 0.0, pnorm = 0.0;
            for (int a = 0; a < P; ++a) {
                step[a] = trial[a] - p[a];
                pred -= g[a] * step[a];
                dnorm += D[a] * step[a] * step[a];
                pnorm += D[a] * p[a] * p[a];
            }
            for (int a = 0; a < P; ++a) {
                double hs = 0.0;
                for (int b = 0; b < P; ++b) hs += (a >= b ? H[a * P + b] : H[b * P + a]) * step[b];
                pred -= 0.5 * step[a] * hs;
            }
            const bool tiny_step = sqrt(dnorm) <= opt.xtol * (opt.xtol + sqrt(pnorm));
            // The trial's normal equations come with its cost: most trials are accepted, and
            // then they are the next iteration's, at no second pass over the data.
            double c_new;
            trial_ok = accumulate(pb, loss, s, trial, &c_new, H_new, g_new, &S_new);
            if (trial_ok && c_new < cost) {
                const double actual = cost - c_new;
                const double rho = pred > 0 ? actual / pred : 0.0;
                const double t = 2.0 * rho - 1.0;
                lam *= fmax(1.0 / 3.0, 1.0 - t * t * t);
                nu = 2.0;
                for (int a = 0; a < P; ++a) {
                    p[a] = trial[a];
                    g[a] = g_new[a];
                }
                for (int a = 0; a < P * P; ++a) H[a] = H_new[a];
                S = S_new;
                accepted = true;
                if ((actual <= opt.ftol * c_new && pred <= opt.ftol * c_new) || tiny_step) done = true;
                cost = c_new;
            } else {
                if (tiny_step) {  // no decrease even from a negligible step: at the optimum
                    done = true;
                    break;
                }
                lam *= nu;
                nu *= 2.0;
                if (lam > 1e300) {
                    done = true;
                    end = trial_ok ? kConverged : kNonFinite;
                    break;
                }
            }
        }
        if (done) {
            res.status = end;
            break;
        }
    }
    res.cost = cost;
    return res;
}

// Objective at p for the problem's own loss (l1 included). +inf where undefined.
FK_HD double objective(const Problem& pb, const double* p) {
    double c;
    if (!accumulate(pb, pb.loss, pb.f_scale, p, &c, nullptr, nullptr, nullptr)) return __builtin_huge_val();
    return c;
}

// Polish from p (in place) for the problem's loss: one run, or the Huber continuation for l1.
FK_HD RunResult polish(const Problem& pb, const Options& opt, double* p) {
    if (pb.loss != kL1) return lm_run(pb, pb.loss, pb.f_scale, opt, p, opt.max_iter);
    // l1: 13 Huber stages, the scale starting at the root mean square residual and shrinking
    // tenfold per stage, each warm-started from the last with its own iteration budget. The
    // status is the last stage's.
    double c2;
    if (!accumulate(pb, kL2, 1.0, p, &c2, nullptr, nullptr, nullptr)) return RunResult{__builtin_huge_val(), kNonFinite, 0};
    double wsum = 0.0;
    for (int i = 0; i < pb.M; ++i) wsum += pb.w[i] > 0 ? pb.w[i] : 0.0;
    const double s0 = sqrt(2.0 * c2 / fmax(wsum, 1e-300));
    RunResult total{0.0, kConverged, 0};
    double s = s0;
    // Residuals below 1e-290 are an exact fit; a smaller scale would underflow.
    for (int stage = 0; stage < 13 && s > 1e-290; ++stage, s *= 0.1) {
        const RunResult r = lm_run(pb, kHuber, s, opt, p, opt.max_iter);
        total.n_iter += r.n_iter;
        total.status = r.status;
        if (r.status == kNonFinite) break;
    }
    total.cost = objective(pb, p);
    return total;
}

}  // namespace frontierkit::fit
