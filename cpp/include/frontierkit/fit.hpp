// Batched curve fitting: K independent problems. The per-problem work (fit_one, below) is FK_HD
// and shared by the CPU driver (threads over problems) and the CUDA kernel (cuda/fit_batch.cu).
#pragma once

#include <cstdint>

#include "frontierkit/fit_starts.hpp"

namespace frontierkit::fit {

struct Batch {
    int model, v, P, space, loss;
    double f_scale;
    std::int64_t K, M;
    const double* x;  // (K or 1) x M x v
    bool x_shared;    // one x for every problem
    const double* y;  // K x M, in the residual's space
    const double* w;  // K x M weights, 0 drops a point
    int max_iter;
    double xtol, ftol, gtol;
    const double* lo;  // P
    const double* hi;  // P
    const unsigned char* fixed;  // P
    const double* base;    // K x P values of fixed parameters (may be null when none is fixed)
    const double* starts;  // K x S x P given starts, or null
    int n_given;           // S
    int n_grid;            // how many variable-projection candidates to polish as well
    int n_agree;           // stop once this many starts reach the best cost (0: polish all)
};

struct BatchOutput {
    double* params;  // K x P
    double* cost;    // K
    std::int32_t* status;
    std::int32_t* n_iter;
    std::int32_t* n_at_best;
};

// Problem k of the batch.
FK_HD Problem problem_of(const Batch& b, std::int64_t k) {
    const double* x = b.x + (b.x_shared ? 0 : k * b.M * b.v);
    return Problem{b.model, b.v, b.P, b.space, b.loss, b.f_scale, static_cast<int>(b.M), x, b.y + k * b.M, b.w + k * b.M};
}

// The whole fit of problem k: the per-problem work of the CPU driver (a thread takes problems
// in turn) and of the CUDA kernel (a thread per problem), one function for both.
FK_HD void fit_one(const Batch& b, const BatchOutput& out, std::int64_t k) {
    const Options opt{b.max_iter, b.xtol, b.ftol, b.gtol, b.lo, b.hi, b.fixed, b.n_agree};
    double scratch[kMaxStarts * kMaxParams];
    const int given = b.starts ? (b.n_given < kMaxStarts ? b.n_given : kMaxStarts) : 0;
    for (int a = 0; a < given * b.P; ++a) scratch[a] = b.starts[(k * b.n_given) * b.P + a];
    double zeros[kMaxParams] = {};
    const double* base = b.base ? b.base + k * b.P : zeros;
    const FitOutput r = fit_problem(problem_of(b, k), opt, base, given, b.n_grid, scratch, out.params + k * b.P);
    out.cost[k] = r.cost;
    out.status[k] = r.status;
    out.n_iter[k] = r.n_iter;
    out.n_at_best[k] = r.n_at_best;
}

void fit_batch(const Batch& b, const BatchOutput& out, int threads);

// The objective (the problem's loss, summed) of problem 0 of b at S parameter vectors
// (S x P, internal): +inf where it is undefined. For scoring a large grid of starts.
void objectives(const Batch& b, const double* params, std::int64_t S, double* cost, int threads);

// Residuals and their Jacobian at given parameters: r (K x M), J (K x M x P); ok[k*M+i] = 0
// where the model is undefined (r and J are then NaN).
void residuals(const Batch& b, const double* params, double* r, double* J, std::uint8_t* ok, int threads);

}  // namespace frontierkit::fit
