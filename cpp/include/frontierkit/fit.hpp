// Batched curve fitting on the CPU: K independent problems, threads over problems. The per-problem
// work is fit_starts.hpp's fit_problem, shared with the CUDA kernel.
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

void fit_batch(const Batch& b, const BatchOutput& out, int threads);

// The objective (the problem's loss, summed) of problem 0 of b at S parameter vectors
// (S x P, internal): +inf where it is undefined. For scoring a large grid of starts.
void objectives(const Batch& b, const double* params, std::int64_t S, double* cost, int threads);

// Residuals and their Jacobian at given parameters: r (K x M), J (K x M x P); ok[k*M+i] = 0
// where the model is undefined (r and J are then NaN).
void residuals(const Batch& b, const double* params, double* r, double* J, std::uint8_t* ok, int threads);

}  // namespace frontierkit::fit
