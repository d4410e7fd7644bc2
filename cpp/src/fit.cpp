// Batched curve fitting on the CPU: the problems are independent, so threads take them in
// chunks; each runs fit_problem (variable projection starts + Levenberg-Marquardt, see
// fit_solver.hpp and fit_starts.hpp).
#include "frontierkit/fit.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "frontierkit/parallel.hpp"

namespace frontierkit::fit {

void fit_batch(const Batch& b, const BatchOutput& out, int threads) {
    // Small batches of small problems stay on one thread.
    const int t = b.K * b.M < 2000 ? 1 : threads;
    parallel_for(static_cast<std::size_t>(b.K), t, [&](std::size_t k) { fit_one(b, out, static_cast<std::int64_t>(k)); });
}

void objectives(const Batch& b, const double* params, std::int64_t S, double* cost, int threads) {
    const Problem pb = problem_of(b, 0);
    parallel_for(static_cast<std::size_t>(S), S * b.M < 20000 ? 1 : threads, [&](std::size_t s) {
        cost[s] = objective(pb, params + static_cast<std::int64_t>(s) * b.P);
    });
}

void residuals(const Batch& b, const double* params, double* r, double* J, std::uint8_t* ok, int threads) {
    parallel_for(static_cast<std::size_t>(b.K), b.K * b.M < 20000 ? 1 : threads, [&](std::size_t kk) {
        const auto k = static_cast<std::int64_t>(kk);
        const Problem pb = problem_of(b, k);
        for (std::int64_t i = 0; i < b.M; ++i) {
            double* Ji = J + (k * b.M + i) * b.P;
            double ri;
            const bool good = residual(pb.model, pb.v, pb.P, pb.space, pb.x + i * pb.v, pb.y[i], params + k * b.P, &ri, Ji);
            ok[k * b.M + i] = good;
            r[k * b.M + i] = good ? ri : NAN;
            if (!good)
                for (int a = 0; a < b.P; ++a) Ji[a] = NAN;
        }
    });
}

}  // namespace frontierkit::fit
