// Monte Carlo hypervolume: a counter-based generator and per-sample functions (FK_HD, so a CUDA
// kernel can draw the very same samples), and the CPU estimators.
//
// Random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011). Sample i of stream s is a pure function of (seed, s, i), so a seed gives
// the same samples on any number of threads, and on the GPU.
//
// Estimators of V = vol(union of the boxes [p, ref]) over the counted points p:
// - box: u uniform in the bounding box [lo, ref] (lo the componentwise minimum of the points);
//   V = vol(box) * P(u dominated). Each sample stops at the first dominating point.
// - union: the Karp-Luby estimator as refined by Bringmann & Friedrich ("Approximating the
//   volume of unions and intersections of high-dimensional geometric objects", CGTA 43(6),
//   2010): box i chosen with probability vol_i / S (S = sum of the box volumes), u uniform in
//   it, c(u) the number of boxes containing u; V = S * E[1 / c(u)]. Samples fall only where the
//   union is, so it suits a union that is a small part of its bounding box.
// Both are unbiased; the standard error is the sample standard deviation over sqrt(n).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#ifndef FK_HD
#if defined(__CUDACC__)
#define FK_HD __host__ __device__ __forceinline__
#else
#define FK_HD inline
#endif
#endif

namespace frontierkit::mc {

struct U4 {
    std::uint32_t v[4];
};

FK_HD void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t* hi, std::uint32_t* lo) {
    const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
    *hi = static_cast<std::uint32_t>(p >> 32);
    *lo = static_cast<std::uint32_t>(p);
}

// Philox4x32 with 10 rounds: four 32-bit words from a 128-bit counter and a 64-bit key.
FK_HD U4 philox(U4 c, std::uint32_t k0, std::uint32_t k1) {
    for (int r = 0; r < 10; ++r) {
        std::uint32_t hi0, lo0, hi1, lo1;
        mulhilo(0xD2511F53u, c.v[0], &hi0, &lo0);
        mulhilo(0xCD9E8D57u, c.v[2], &hi1, &lo1);
        c = U4{{hi1 ^ c.v[1] ^ k0, lo1, hi0 ^ c.v[3] ^ k1, lo0}};
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

// A double uniform in (0, 1) from 64 random bits (53 of them used).
FK_HD double u01(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t b = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11;
    return (static_cast<double>(b) + 0.5) * (1.0 / 9007199254740992.0);
}

// The uniforms of sample i of stream s: out[0..m) (pairs of doubles per Philox call).
FK_HD void uniforms(std::uint64_t seed, std::uint32_t stream, std::uint64_t i, int m, double* out) {
    const auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int j = 0; 2 * j < m; ++j) {
        const U4 r = philox(U4{{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                                static_cast<std::uint32_t>(j), stream}},
                            k0, k1);
        out[2 * j] = u01(r.v[0], r.v[1]);
        if (2 * j + 1 < m) out[2 * j + 1] = u01(r.v[2], r.v[3]);
    }
}

// Streams: the main run and the pilot runs that choose the estimator never share samples.
enum Stream : std::uint32_t { kBox = 0, kUnion = 1, kPilotBox = 2, kPilotUnion = 3 };
enum Estimator : int { kEstBox = 0, kEstUnion = 1, kEstAuto = -1 };

struct Estimate {
    double value, stderr_;
    int estimator;
    double work;          // mean points examined per sample
    std::int64_t drawn;   // samples drawn
};

// How to estimate. replicates > 1: quasi-Monte Carlo, that many randomly shifted copies of a
// Kronecker lattice of n_samples / replicates points each, the standard error from their spread.
// epsilon > 0: an (epsilon, delta) approximation (the stopping rule of Dagum, Karp, Luby & Ross
// on the chosen sampler, whose samples lie in [0, 1]); n_samples is then unused.
struct Options {
    std::int64_t n_samples = 0;
    std::uint64_t seed = 0;
    int estimator = kEstAuto;
    int replicates = 0;
    double epsilon = 0.0, delta = 0.0;
    int threads = 0;
};

// Every set of a batch (offsets into the rows, nsets + 1 of them; n x d row-major, minimisation,
// no NaN; only rows strictly dominating ref count, and a counted row or ref with an infinite
// value gives +inf), one seed stream per set: value, stderr, the estimator used and the samples
// drawn per set. The auto estimator runs a pilot of each on streams of its own and keeps the one
// of least variance (least mean, for epsilon > 0) per unit of work. Deterministic for a seed,
// whatever the number of threads.
void hv_mc_sets(const double* points, std::size_t d, const std::int64_t* offsets, std::size_t nsets,
                const double* ref, const Options& o, double* value, double* stderr_, int* used,
                std::int64_t* drawn);

// Estimated exclusive contribution of every row of every set (value and stderr per row, in the
// rows' order): samples uniform in a box around the row's exclusive region (bounded by the rows
// that beat it in all coordinates but one), counted when no other row dominates them. Rows not
// strictly dominating ref contribute 0; infinite values are an error. Sample t of row i of set s
// is a pure function of (seed, s, i, t).
void hvc_mc_sets(const double* points, std::size_t d, const std::int64_t* offsets, std::size_t nsets,
                 const double* ref, std::int64_t n_samples, std::uint64_t seed, int threads, double* value,
                 double* stderr_);

}  // namespace frontierkit::mc
