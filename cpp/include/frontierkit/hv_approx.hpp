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
#include <vector>

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

// --- per-sample functions on a prepared set (the CPU estimators and the CUDA kernels share them)

// a * b + c with two roundings on the device too (nvcc would fuse it into one), so that a sample
// lands on the same double on the CPU and the GPU.
FK_HD double mul_add(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
    return __dadd_rn(__dmul_rn(a, b), c);
#else
    return a * b + c;
#endif
}

// log of the volume of the box [p, ref] (every side positive), summed in coordinate order.
FK_HD double log_box_volume(const double* p, const double* ref, int d) {
    double s = 0.0;
    for (int j = 0; j < d; ++j) s += log(ref[j] - p[j]);
    return s;
}

// A set of counted rows prepared for sampling: rows sorted by decreasing box volume (row-major,
// n x d), lo their componentwise minimum, cdf the cumulative box volumes over their sum.
struct SetView {
    const double* pts;
    std::int64_t n;
    int d;
    const double* lo;
    const double* ref;
    const double* cdf;
};

// lo, cdf, log vol([lo, ref]) and log of the sum of the box volumes of rows already sorted by
// decreasing box volume (n >= 1), accumulated in row order.
FK_HD void prepare_set(const double* pts, std::int64_t n, int d, const double* ref, double* lo, double* cdf,
                       double* log_box, double* log_sum) {
    for (int j = 0; j < d; ++j) lo[j] = pts[j];
    for (std::int64_t k = 1; k < n; ++k)
        for (int j = 0; j < d; ++j) lo[j] = fmin(lo[j], pts[k * d + j]);
    const double top = log_box_volume(pts, ref, d);
    double acc = 0.0;
    for (std::int64_t k = 0; k < n; ++k) {
        acc += exp(log_box_volume(pts + k * d, ref, d) - top);
        cdf[k] = acc;
    }
    for (std::int64_t k = 0; k < n; ++k) cdf[k] /= acc;
    cdf[n - 1] = 1.0;
    *log_sum = top + log(acc);
    *log_box = log_box_volume(lo, ref, d);
}

// The first row <= u in every coordinate, or n.
FK_HD std::int64_t first_dominating(const SetView& v, const double* u) {
    for (std::int64_t k = 0; k < v.n; ++k) {
        const double* q = v.pts + k * v.d;
        int j = 0;
        while (j < v.d && q[j] <= u[j]) ++j;
        if (j == v.d) return k;
    }
    return v.n;
}

// The number of rows <= u in every coordinate (boxes holding u).
FK_HD std::int64_t count_containing_rows(const SetView& v, const double* u) {
    std::int64_t c = 0;
    for (std::int64_t k = 0; k < v.n; ++k) {
        const double* q = v.pts + k * v.d;
        int j = 0;
        while (j < v.d && q[j] <= u[j]) ++j;
        c += j == v.d;
    }
    return c;
}

// The box of the union sampler for the uniform r: the first k with cdf[k] >= r.
FK_HD std::int64_t pick_box(const double* cdf, std::int64_t n, double r) {
    std::int64_t a = 0, b = n;
    while (a < b) {
        const std::int64_t m = a + (b - a) / 2;
        if (cdf[m] < r)
            a = m + 1;
        else
            b = m;
    }
    return a < n ? a : n - 1;
}

// Point i of a randomly shifted Kronecker lattice: frac(shift + i alpha), m coordinates.
FK_HD void lattice_point(const double* shift, const double* alpha, std::int64_t i, int m, double* r) {
    for (int j = 0; j < m; ++j) {
        const double t = mul_add(static_cast<double>(i), alpha[j], shift[j]);
        r[j] = t - floor(t);
    }
}

// The sample point of the box estimator (u uniform in [lo, ref]) or of the union estimator (u
// uniform in the box of row k) from the uniforms r.
FK_HD void box_point(const SetView& v, const double* r, double* u) {
    for (int j = 0; j < v.d; ++j) u[j] = mul_add(v.ref[j] - v.lo[j], r[j], v.lo[j]);
}
FK_HD void union_point(const SetView& v, std::int64_t k, const double* r, double* u) {
    const double* p = v.pts + k * v.d;
    for (int j = 0; j < v.d; ++j) u[j] = mul_add(v.ref[j] - p[j], r[j + 1], p[j]);
}

// Streams: the main run and the pilot runs that choose the estimator never share samples.
enum Stream : std::uint32_t { kBox = 0, kUnion = 1, kPilotBox = 2, kPilotUnion = 3 };
enum Estimator : int { kEstBox = 0, kEstUnion = 1, kEstAuto = -1 };
constexpr std::uint32_t kQmcShift = 0x40000000u;      // | set: the shifts of the QMC replicates
constexpr std::uint32_t kContribution = 0x80000000u;  // | set: contribution samples
constexpr int kWorkBlock = 8;  // the box estimator's work is counted in blocks of 8 rows, as the CPU tests them

// Sample i of estimator est (0/1 for box, 1/c for union, in [0, 1]), from stream `stream` or,
// when shift is not null, from the lattice; r and u are scratch of d + 1 and d values; *work
// gains the rows examined (as the CPU counts them: whole blocks of kWorkBlock for box).
FK_HD double device_sample(const SetView& v, int est, std::uint64_t seed, std::uint32_t stream, std::int64_t i,
                           const double* shift, const double* alpha, double* r, double* u, double* work) {
    const int m = v.d + (est == kEstBox ? 0 : 1);
    if (shift)
        lattice_point(shift, alpha, i, m, r);
    else
        uniforms(seed, stream, static_cast<std::uint64_t>(i), m, r);
    if (est == kEstBox) {
        box_point(v, r, u);
        const std::int64_t k = first_dominating(v, u);
        const std::int64_t blocks = k < v.n ? k / kWorkBlock + 1 : (v.n + kWorkBlock - 1) / kWorkBlock;
        *work += static_cast<double>(blocks * kWorkBlock);
        return k < v.n ? 1.0 : 0.0;
    }
    union_point(v, pick_box(v.cdf, v.n, r[0]), r, u);
    *work += static_cast<double>(v.n);
    const std::int64_t c = count_containing_rows(v, u);
    return 1.0 / static_cast<double>(c > 1 ? c : 1);
}

// Row i's exclusive region lies in [p_i, hi]: hi_j the least q_j over the other rows q that are
// <= p_i in every other coordinate (and ref_j); beyond it q dominates. Returns log vol([p_i, hi]),
// or -inf when the box is empty (another row weakly dominates p_i, or a side is 0).
FK_HD double exclusive_box(const double* pts, std::int64_t n, int d, std::int64_t i, const double* ref, double* hi) {
    const double* p = pts + i * d;
    for (int j = 0; j < d; ++j) hi[j] = ref[j];
    for (std::int64_t q = 0; q < n; ++q) {
        if (q == i) continue;
        const double* r = pts + q * d;
        int worse = 0, at = 0;  // coordinates where r > p
        for (int j = 0; j < d; ++j)
            if (r[j] > p[j]) {
                ++worse;
                at = j;
            }
        if (worse == 0) return -INFINITY;  // r weakly dominates p: nothing is exclusive
        if (worse == 1) hi[at] = fmin(hi[at], r[at]);
    }
    double logv = 0.0;  // a product of d sides could underflow
    for (int j = 0; j < d; ++j) {
        if (!(hi[j] > p[j])) return -INFINITY;
        logv += log(hi[j] - p[j]);
    }
    return logv;
}

// Contribution sample t of row i: the point (uniforms from stream kContribution | set, counter
// i * 2^32 + t) in [p_i, hi], and whether no other row dominates it.
FK_HD bool exclusive_sample(const double* pts, std::int64_t n, int d, std::int64_t i, const double* hi,
                            std::uint64_t seed, std::uint32_t set, std::int64_t t, double* r, double* u) {
    uniforms(seed, kContribution | set, (static_cast<std::uint64_t>(i) << 32) | static_cast<std::uint64_t>(t), d, r);
    const double* p = pts + i * d;
    for (int j = 0; j < d; ++j) u[j] = mul_add(hi[j] - p[j], r[j], p[j]);
    for (std::int64_t q = 0; q < n; ++q) {
        if (q == i) continue;
        const double* w = pts + q * d;
        int j = 0;
        while (j < d && w[j] <= u[j]) ++j;
        if (j == d) return false;
    }
    return true;
}

// --- the GPU decomposition (cuda/hv_mc.cu; replayed on the host by the tests) -----------------

// The sums (z, z^2, rows examined) of samples first, first + stride, ... < count of one thread.
// stream: main (set << 2 | est) or pilot (set << 2 | 2 + est); shift: the lattice shift of a QMC
// replicate or null.
FK_HD void thread_sums(const SetView& v, int est, std::uint64_t seed, std::uint32_t stream, std::int64_t count,
                       std::int64_t first, std::int64_t stride, const double* shift, const double* alpha, double* r,
                       double* u, double* out) {
    double s1 = 0.0, s2 = 0.0, w = 0.0;
    for (std::int64_t i = first; i < count; i += stride) {
        const double z = device_sample(v, est, seed, stream, i, shift, alpha, r, u, &w);
        s1 += z;
        s2 += z * z;
    }
    out[0] = s1;
    out[1] = s2;
    out[2] = w;
}

// The contribution samples first, first + stride, ... < n_samples of row i (of a set of n rows
// at pts) that no other row dominates.
FK_HD std::int64_t thread_misses(const double* pts, std::int64_t n, int d, std::int64_t i, const double* hi,
                                 std::uint64_t seed, std::uint32_t set, std::int64_t n_samples, std::int64_t first,
                                 std::int64_t stride, double* r, double* u) {
    std::int64_t miss = 0;
    for (std::int64_t t = first; t < n_samples; t += stride) miss += exclusive_sample(pts, n, d, i, hi, seed, set, t, r, u);
    return miss;
}

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

// Roberts' R_m lattice increments: phi^-(j+1) mod 1, phi the root of x^(m+1) = x + 1 (the
// generalised golden ratio; Newton from above converges to it in (1, 2)). Host code.
inline std::vector<double> lattice_alpha(int m) {
    double phi = 2.0;
    for (int it = 0; it < 60; ++it) phi -= (std::pow(phi, m + 1) - phi - 1.0) / ((m + 1) * std::pow(phi, m) - 1.0);
    std::vector<double> a(static_cast<std::size_t>(m));
    double g = 1.0;
    for (int j = 0; j < m; ++j) {
        g /= phi;
        a[static_cast<std::size_t>(j)] = g - std::floor(g);
    }
    return a;
}

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
