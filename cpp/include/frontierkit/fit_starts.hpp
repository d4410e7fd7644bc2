// Start values by variable projection and the whole fit of one problem (see fit_solver.hpp for
// the method). FK_HD and allocation-free like the solver.
#pragma once

#include <cmath>

#include "frontierkit/fit_solver.hpp"

namespace frontierkit::fit {

constexpr int kMaxLinear = kMaxParams;  // coefficients solved in closed form per grid point
// Problems of up to this many used points keep their targets and, per grid point, their basis
// values on the stack, so that a candidate's objective needs no second evaluation of the model.
constexpr int kBasisCache = 64;

// The grid of one model: its size and, per grid point, the nonlinear parameters.
struct Grid {
    int size;
    double x_lo, x_hi;  // range of the first input (ln x where the model takes logarithms)
};

FK_HD double lerp(double a, double b, int i, int n) { return n <= 1 ? a : a + (b - a) * i / (n - 1); }

FK_HD int grid_size(int model) {
    switch (model) {
        case kPower: return 49;
        case kSaturatingPower: return 48;
        case kChinchilla: return 16 * 16;
        case kKaplanND: return 12 * 12;
        case kBrokenPower: return 7 * 7 * 6 * 3;
        case kSigmoid: return 16 * 12;
        default: return 1;  // linear in every parameter (in its own space): one closed-form solve
    }
}

// Nonlinear parameters of grid point k.
FK_HD void grid_point(int model, const Grid& gr, int k, double* nl) {
    switch (model) {
        case kPower: nl[0] = lerp(-3.0, 3.0, k, 49); break;
        case kSaturatingPower:  // b > 0 on a log scale, a few growth exponents b < 0
            nl[0] = k < 40 ? pow(10.0, lerp(-2.3, 0.7, k, 40)) : -pow(10.0, lerp(-2.0, 0.3, k - 40, 8));
            break;
        case kChinchilla:
            nl[0] = lerp(0.05, 1.5, k / 16, 16);
            nl[1] = lerp(0.05, 1.5, k % 16, 16);
            break;
        case kKaplanND:  // aD and the ratio aN / aD, both on log scales
            nl[0] = pow(10.0, lerp(-1.7, 0.3, k / 12, 12));
            nl[1] = pow(10.0, lerp(-0.7, 0.7, k % 12, 12));
            break;
        case kBrokenPower: {  // c0, c1, ln d1 inside the data, ln f1
            nl[0] = lerp(-0.5, 1.5, k % 7, 7);
            nl[1] = lerp(-1.5, 1.5, (k / 7) % 7, 7);
            nl[2] = lerp(gr.x_lo, gr.x_hi, 1 + (k / 49) % 6, 8);
            nl[3] = log(lerp(0.1, 2.5, k / 294, 3));
            break;
        }
        case kSigmoid: {  // slope +-(0.5 .. 50) / span, midpoint across the data
            const double span = gr.x_hi > gr.x_lo ? gr.x_hi - gr.x_lo : 1.0;
            const int ks = k % 16;
            const double mag = pow(10.0, lerp(-0.3, 1.7, ks % 8, 8)) / span;
            nl[0] = ks < 8 ? mag : -mag;
            nl[1] = lerp(gr.x_lo, gr.x_hi, k / 16, 12);
            break;
        }
        default: break;
    }
}

// Linear part of the model at one point for given nonlinear parameters: the basis phi[0..L)
// and the target t (the value the combination sum c_l phi_l should match) from y in linear
// units. Returns L (0 where the point cannot be used).
FK_HD int linear_part(int model, int v, const double* xi, double y, const double* nl, double* phi, double* t) {
    switch (model) {
        case kPower:
            phi[0] = exp(nl[0] * xi[0]);
            *t = y;
            return 1;
        case kSaturatingPower:
            phi[0] = exp(-nl[0] * xi[0]);
            phi[1] = 1.0;
            *t = y;
            return 2;
        case kChinchilla:
            phi[0] = 1.0;
            phi[1] = exp(-nl[0] * xi[0]);
            phi[2] = exp(-nl[1] * xi[1]);
            *t = y;
            return 3;
        case kKaplanND:  // y^(1/aD) = Nc^r N^-r + Dc / D, r = aN / aD
            if (!(y > 0)) return 0;
            phi[0] = exp(-nl[1] * xi[0]);
            phi[1] = exp(-xi[1]);
            *t = exp(log(y) / nl[0]);
            return 2;
        case kBrokenPower: {
            const double lx = xi[0], f1 = exp(nl[3]), u = (lx - nl[2]) / f1;
            const double sp = u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
            phi[0] = 1.0;
            phi[1] = exp(-nl[0] * lx - nl[1] * f1 * sp);
            *t = y;
            return 2;
        }
        case kSigmoid: {
            const double z = nl[0] * (xi[0] - nl[1]);
            const double s = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
            phi[0] = 1.0 - s;
            phi[1] = s;
            *t = y;
            return 2;
        }
        case kLogLinear:
            if (!(y > 0)) return 0;
            phi[0] = 1.0;
            for (int i = 0; i < v; ++i) phi[1 + i] = xi[i];
            *t = log(y);
            return 1 + v;
        case kLogQuadratic: {
            const double* u = xi;
            int k = 0;
            phi[k++] = 1.0;
            for (int i = 0; i < v; ++i) phi[k++] = u[i];
            for (int i = 0; i < v; ++i)
                for (int j = i; j < v; ++j) phi[k++] = u[i] * u[j];
            *t = y;
            return k;
        }
        default: return 0;
    }
}

// Bit l set: coefficient l must be positive: its logarithm is the internal parameter (E, A, B of
// chinchilla, ...), or, for power in log space, log(a x^b) needs a > 0.
FK_HD unsigned positive_mask(int model, int space) {
    switch (model) {
        case kPower: return space == kLog ? 1u : 0u;
        case kChinchilla: return 7u;
        case kKaplanND: return 3u;
        case kBrokenPower: return 2u;
        default: return 0u;
    }
}

// Internal parameters from the nonlinear ones and the coefficients.
FK_HD void assemble(int model, int P, const double* nl, const double* c, double* p) {
    switch (model) {
        case kPower: p[0] = c[0], p[1] = nl[0]; break;
        case kSaturatingPower: p[0] = c[0], p[1] = nl[0], p[2] = c[1]; break;
        case kChinchilla: p[0] = log(c[0]), p[1] = log(c[1]), p[2] = log(c[2]), p[3] = nl[0], p[4] = nl[1]; break;
        case kKaplanND:
            p[0] = log(c[0]) / nl[1], p[1] = log(c[1]), p[2] = nl[1] * nl[0], p[3] = nl[0];
            break;
        case kBrokenPower:
            p[0] = c[0], p[1] = log(c[1]), p[2] = nl[0], p[3] = nl[1], p[4] = nl[2], p[5] = nl[3];
            break;
        case kSigmoid: p[0] = c[0], p[1] = c[1], p[2] = nl[0], p[3] = nl[1]; break;
        default:
            for (int a = 0; a < P; ++a) p[a] = c[a];
            break;
    }
}

// Weighted least squares G c = b (G: L x L normal matrix, lower triangle), with the coefficients
// in `pos` kept positive: every choice of which of them sit at zero is solved and the feasible
// one of least residual kept (at most 3 such coefficients, so at most 8 solves). A coefficient
// at zero is returned as tiny_pos. False if no choice is solvable.
FK_HD bool constrained_ls(const double* G, const double* b, int L, unsigned pos, double tiny_pos, double* c) {
    double best = __builtin_huge_val();
    bool found = false;
    double A[kMaxLinear * kMaxLinear], sol[kMaxLinear];
    int idx[kMaxLinear];
    for (unsigned zero = 0; zero < 8u; ++zero) {
        if ((zero & ~pos) != 0u) continue;  // only constrained coefficients may sit at zero
        int n = 0;
        for (int l = 0; l < L; ++l)
            if (!(l < 3 && ((zero >> l) & 1u))) idx[n++] = l;
        for (int a = 0; a < n; ++a) {
            for (int q = 0; q <= a; ++q) A[a * n + q] = G[idx[a] * L + idx[q]];
            sol[a] = b[idx[a]];
        }
        if (n > 0) {
            // A tiny ridge keeps collinear bases (a flat exponent) solvable.
            for (int a = 0; a < n; ++a) A[a * n + a] *= 1.0 + 1e-12;
            if (!cholesky(A, n)) continue;
            cholesky_solve(A, n, sol, sol);
        }
        bool ok = true;
        for (int a = 0; a < n; ++a)
            if (idx[a] < 3 && ((pos >> idx[a]) & 1u) && !(sol[a] > 0)) ok = false;
        if (!ok) continue;
        // Residual up to a constant: c^T G c - 2 b^T c = -b_S^T c_S at the solution.
        double val = 0.0;
        for (int a = 0; a < n; ++a) val -= b[idx[a]] * sol[a];
        if (val < best) {
            best = val;
            found = true;
            for (int l = 0; l < L; ++l) c[l] = ((pos >> l) & 1u) ? tiny_pos : 0.0;
            for (int a = 0; a < n; ++a) c[idx[a]] = sol[a];
        }
        if (pos == 0u) break;
    }
    return found;
}

// True where the model value is the combination sum c_l phi_l of linear_part's basis (with the
// target y itself): the candidate's objective then follows from the cached basis.
FK_HD bool basis_is_model(int model) { return model != kKaplanND && model != kLogLinear; }

// The objective of the candidate f_i = sum_l c_l phi_il, with phi from the cache (row j of the
// j-th used point, stride kMaxLinear). The same sum as objective() at the assembled parameters,
// up to rounding; +inf where undefined.
FK_HD double basis_objective(const Problem& pb, int L, const double* c, const double* cache) {
    double cost = 0.0;
    int j = 0;
    for (int i = 0; i < pb.M; ++i) {
        const double wi = pb.w[i];
        if (!(wi > 0)) continue;
        double f = 0.0;
        for (int a = 0; a < L; ++a) f += c[a] * cache[j * kMaxLinear + a];
        ++j;
        double r;
        if (pb.space == kLog) {
            if (!(f > 0)) return __builtin_huge_val();
            r = log(f) - pb.y[i];
        } else {
            r = f - pb.y[i];
        }
        if (!(r == r && fabs(r) < __builtin_huge_val())) return __builtin_huge_val();
        double weight;
        cost += wi * loss_value(pb.loss, r, pb.f_scale, &weight);
    }
    return cost == cost && cost < __builtin_huge_val() ? cost : __builtin_huge_val();
}

// Fixed parameters take their base value; the others are clipped into the bounds.
FK_HD void apply_constraints(int P, const Options& opt, const double* base, double* p) {
    for (int a = 0; a < P; ++a) {
        if (opt.fixed[a]) p[a] = base[a];
        p[a] = clip(p[a], opt.lo[a], opt.hi[a]);
    }
}

// The n best grid candidates (by the true objective) into starts[n x P], ascending cost; returns
// how many were found (grid points whose objective is finite).
FK_HD int varpro_starts(const Problem& pb, const Options& opt, const double* base, int n, double* starts, double* costs) {
    const int P = pb.P;
    Grid gr{grid_size(pb.model), 0.0, 0.0};
    bool first = true;
    double ysum = 0.0, wsum = 0.0;
    double ylin[kBasisCache], cache[kBasisCache * kMaxLinear];
    int n_used = 0;
    for (int i = 0; i < pb.M; ++i) {
        if (!(pb.w[i] > 0)) continue;
        const double x0 = pb.x[static_cast<long long>(i) * pb.v];
        if (first || x0 < gr.x_lo) gr.x_lo = x0;
        if (first || x0 > gr.x_hi) gr.x_hi = x0;
        first = false;
        const double y = pb.space == kLog ? exp(pb.y[i]) : pb.y[i];
        if (n_used < kBasisCache) ylin[n_used] = y;
        ++n_used;
        ysum += pb.w[i] * fabs(y);
        wsum += pb.w[i];
    }
    if (first) return 0;
    const bool cached = n_used <= kBasisCache, fast = cached && basis_is_model(pb.model);
    const double tiny_pos = 1e-9 * fmax(ysum / wsum, 1e-300);
    const unsigned pos = positive_mask(pb.model, pb.space);
    int found = 0;
    double nl[4] = {0, 0, 0, 0}, phi[kMaxLinear], G[kMaxLinear * kMaxLinear], b[kMaxLinear], c[kMaxLinear];
    double p[kMaxParams], before[kMaxParams];
    for (int k = 0; k < gr.size; ++k) {
        grid_point(pb.model, gr, k, nl);
        int L = 0, j = -1;  // j: index of the point among the used ones
        for (int i = 0; i < pb.M; ++i) {
            if (!(pb.w[i] > 0)) continue;
            ++j;
            const double y = cached ? ylin[j] : pb.space == kLog ? exp(pb.y[i]) : pb.y[i];
            double t;
            // With the cache, the basis is written straight into its row (a copy of a run-time
            // length would be a library call per point).
            double* ph = fast ? cache + j * kMaxLinear : phi;
            const int l = linear_part(pb.model, pb.v, pb.x + static_cast<long long>(i) * pb.v, y, nl, ph, &t);
            if (l == 0) continue;
            if (L == 0) {
                L = l;
                for (int a = 0; a < L * L; ++a) G[a] = 0.0;
                for (int a = 0; a < L; ++a) b[a] = 0.0;
            }
            // Log space (and the log target of loglinear) fits relative errors: weight 1 / t^2.
            double wt = pb.w[i];
            if (pb.space == kLog && pb.model != kLogLinear && t != 0.0) wt /= t * t;
            for (int a = 0; a < L; ++a) {
                b[a] += wt * ph[a] * t;
                for (int q = 0; q <= a; ++q) G[a * L + q] += wt * ph[a] * ph[q];
            }
        }
        if (L == 0 || !constrained_ls(G, b, L, pos, tiny_pos, c)) continue;
        assemble(pb.model, P, nl, c, p);
        for (int a = 0; a < P; ++a) before[a] = p[a];
        apply_constraints(P, opt, base, p);
        bool moved = false;  // by a bound or a fixed value (or NaN): then c no longer describes p
        for (int a = 0; a < P; ++a) moved = moved || !(p[a] == before[a]);
        const double cost = fast && !moved ? basis_objective(pb, L, c, cache) : objective(pb, p);
        if (!(cost < __builtin_huge_val())) continue;
        // Insert into the sorted list of the n best.
        int at = found < n ? found : n;
        while (at > 0 && costs[at - 1] > cost) --at;
        if (at >= n) continue;
        const int last = found < n ? found : n - 1;
        for (int j = last; j > at; --j) {
            costs[j] = costs[j - 1];
            for (int a = 0; a < P; ++a) starts[j * P + a] = starts[(j - 1) * P + a];
        }
        costs[at] = cost;
        for (int a = 0; a < P; ++a) starts[at * P + a] = p[a];
        if (found < n) ++found;
    }
    return found;
}

struct FitOutput {
    double cost;
    int status, n_iter, n_at_best;
};

// Costs within this of the best count as reaching it.
FK_HD double agree_tol(double best) { return 1e-8 * fabs(best) + 1e-300; }

// The whole fit of one problem: polish the starts in turn (the n_given given ones, then the
// n_polish best of the variable-projection grid, best first) and keep the best, stopping early
// once opt.n_agree of them reach the same best cost. starts_io holds kMaxStarts x P doubles of
// scratch (the given starts on entry); p_out receives the best parameters.
FK_HD FitOutput fit_problem(const Problem& pb, const Options& opt, const double* base, int n_given, int n_polish,
                            double* starts_io, double* p_out) {
    const int P = pb.P;
    double costs[kMaxStarts];
    int n = n_given < kMaxStarts ? n_given : kMaxStarts;
    const int room = kMaxStarts - n, want = n_polish < room ? n_polish : room;
    if (want > 0) n += varpro_starts(pb, opt, base, want, starts_io + n * P, costs);
    FitOutput out{__builtin_huge_val(), kNonFinite, 0, 0};
    double finals[kMaxStarts];
    double p[kMaxParams];
    for (int s = 0; s < n; ++s) {
        for (int a = 0; a < P; ++a) p[a] = starts_io[s * P + a];
        apply_constraints(P, opt, base, p);
        const RunResult r = polish(pb, opt, p);
        out.n_iter += r.n_iter;
        finals[s] = r.cost < __builtin_huge_val() ? r.cost : __builtin_huge_val();  // NaN too
        if (finals[s] < out.cost) {
            out.cost = finals[s];
            out.status = r.status;
            for (int a = 0; a < P; ++a) p_out[a] = p[a];
        }
        if (opt.n_agree > 0 && s + 1 >= opt.n_agree && out.cost < __builtin_huge_val()) {
            int agree = 0;
            for (int q = 0; q <= s; ++q) agree += finals[q] <= out.cost + agree_tol(out.cost);
            if (agree >= opt.n_agree) {
                n = s + 1;
                break;
            }
        }
    }
    if (!(out.cost < __builtin_huge_val())) {
        for (int a = 0; a < P; ++a) p_out[a] = __builtin_nan("");
        out.status = kNonFinite;
        return out;
    }
    for (int s = 0; s < n; ++s) out.n_at_best += finals[s] <= out.cost + agree_tol(out.cost);
    // Status details at the best point: a free parameter on a bound, or a singular J^T W J.
    if (out.status == kConverged) {
        for (int a = 0; a < P; ++a)
            if (!opt.fixed[a] && (p_out[a] <= opt.lo[a] || p_out[a] >= opt.hi[a])) out.status = kAtBound;
    }
    if (out.status == kConverged) {
        double H[kMaxParams * kMaxParams], g[kMaxParams], S, c;
        const int loss = pb.loss == kL1 ? kL2 : pb.loss;
        if (accumulate(pb, loss, pb.f_scale, p_out, &c, H, g, &S)) {
            double A[kMaxParams * kMaxParams];
            int nf = 0, idx[kMaxParams];
            for (int a = 0; a < P; ++a)
                if (!opt.fixed[a]) idx[nf++] = a;
            for (int a = 0; a < nf; ++a)
                for (int q = 0; q <= a; ++q) A[a * nf + q] = H[idx[a] * P + idx[q]];
            if (nf > 0 && !cholesky(A, nf)) out.status = kSingular;
        }
    }
    return out;
}

}  // namespace frontierkit::fit
