// Monte Carlo hypervolume on the CPU (estimators in frontierkit/hv_approx.hpp). Samples are
// taken in fixed chunks, each chunk's sums kept apart and added in chunk order at the end, so the
// result does not depend on the number of threads. Cost: O(n d) per sample at worst (the union
// estimator always scans every box; the box estimator stops at the first dominating point, the
// points ordered by decreasing box volume so that likely dominators come first).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "frontierkit/hv_approx.hpp"
#include "frontierkit/parallel.hpp"

namespace frontierkit::mc {

namespace {

constexpr std::int64_t kChunk = 2048;
constexpr std::size_t kBlock = 8;  // points per block of the coordinate-major copy
// Pilot samples per estimator: 2,048, fewer for large sets (down to 256), whose samples cost
// O(n) each, so that choosing the estimator costs little next to the run itself.
std::int64_t pilot_size(std::size_t n) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((std::size_t{1} << 22) / std::max<std::size_t>(n, 1)),
                                    256, 2048);
}

struct Sums {
    double s1 = 0.0, s2 = 0.0, work = 0.0;
};

struct Prepared {
    std::size_t n, d;
    std::vector<double> pts;   // rows by decreasing box volume
    // The same rows in blocks of kBlock, coordinate-major within a block (blk[(b * d + j) *
    // kBlock + l] = coordinate j of row b * kBlock + l), the tail padded with +inf rows that
    // dominate nothing: a sample is tested against 8 rows a coordinate at a time, and a block is
    // left as soon as none of its rows can still be <= the sample.
    std::vector<double> blk;
    std::size_t nblk;
    std::vector<double> cdf;   // cumulative box volumes / their sum (union estimator)
    std::vector<double> lo;    // componentwise minimum of the points
    const double* ref;
    double log_box, log_sum;   // log vol(bounding box), log sum of the box volumes
};

// Rows in blocks of kBlock, coordinate-major within a block, padded with +inf (see Prepared).
std::vector<double> block_copy(const double* pts, std::size_t n, std::size_t d) {
    std::vector<double> blk(((n + kBlock - 1) / kBlock) * d * kBlock, std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t j = 0; j < d; ++j) blk[((k / kBlock) * d + j) * kBlock + k % kBlock] = pts[k * d + j];
    return blk;
}

// The counted rows of a set (those strictly dominating ref, whose boxes have volume inside the
// reference box), copied in order; `where` (if given) receives their indices. True if a counted
// row or ref has an infinite value.
bool counted_rows(const double* points, std::size_t n, std::size_t d, const double* ref, std::vector<double>& kept,
                  std::vector<std::size_t>* where) {
    bool infinite = false;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = points + i * d;
        bool counted = true;
        for (std::size_t j = 0; j < d; ++j) counted = counted && p[j] < ref[j];
        if (!counted) continue;
        for (std::size_t j = 0; j < d; ++j) infinite = infinite || std::isinf(p[j]) || std::isinf(ref[j]);
        kept.insert(kept.end(), p, p + d);
        if (where) where->push_back(i);
    }
    return infinite;
}

Prepared prepare(const double* points, std::size_t n, std::size_t d, const double* ref) {
    Prepared pr{n, d, {}, {}, 0, {}, std::vector<double>(d, std::numeric_limits<double>::infinity()), ref, 0.0, 0.0};
    std::vector<double> logv(n);
    for (std::size_t i = 0; i < n; ++i) logv[i] = log_box_volume(points + i * d, ref, static_cast<int>(d));
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logv[a] > logv[b]; });
    pr.pts.resize(n * d);
    for (std::size_t k = 0; k < n; ++k)
        std::copy(points + order[k] * d, points + order[k] * d + d, pr.pts.begin() + static_cast<std::ptrdiff_t>(k * d));
    pr.nblk = (n + kBlock - 1) / kBlock;
    pr.blk = block_copy(pr.pts.data(), n, d);
    pr.cdf.resize(n);
    prepare_set(pr.pts.data(), static_cast<std::int64_t>(n), static_cast<int>(d), ref, pr.lo.data(), pr.cdf.data(),
                &pr.log_box, &pr.log_sum);
    return pr;
}

// Bit l of the result: row b * kBlock + l is <= u in every coordinate.
inline unsigned block_mask(const Prepared& pr, std::size_t b, const double* u) {
    const double* q = pr.blk.data() + b * pr.d * kBlock;
#if defined(__SSE2__)
    __m128d m0 = _mm_castsi128_pd(_mm_set1_epi32(-1)), m1 = m0, m2 = m0, m3 = m0;
    for (std::size_t j = 0; j < pr.d; ++j, q += kBlock) {
        const __m128d uj = _mm_set1_pd(u[j]);
        m0 = _mm_and_pd(m0, _mm_cmple_pd(_mm_loadu_pd(q), uj));
        m1 = _mm_and_pd(m1, _mm_cmple_pd(_mm_loadu_pd(q + 2), uj));
        m2 = _mm_and_pd(m2, _mm_cmple_pd(_mm_loadu_pd(q + 4), uj));
        m3 = _mm_and_pd(m3, _mm_cmple_pd(_mm_loadu_pd(q + 6), uj));
        const unsigned any = static_cast<unsigned>(_mm_movemask_pd(_mm_or_pd(_mm_or_pd(m0, m1), _mm_or_pd(m2, m3))));
        if (!any) return 0u;
    }
    return static_cast<unsigned>(_mm_movemask_pd(m0)) | static_cast<unsigned>(_mm_movemask_pd(m1)) << 2 |
           static_cast<unsigned>(_mm_movemask_pd(m2)) << 4 | static_cast<unsigned>(_mm_movemask_pd(m3)) << 6;
#else
    unsigned m = (1u << kBlock) - 1u;
    for (std::size_t j = 0; j < pr.d && m; ++j, q += kBlock)
        for (std::size_t l = 0; l < kBlock; ++l)
            if (!(q[l] <= u[j])) m &= ~(1u << l);
    return m;
#endif
}

// True if some point is <= u in every coordinate; *examined counts the points looked at.
inline bool dominated(const Prepared& pr, const double* u, double* examined) {
    for (std::size_t b = 0; b < pr.nblk; ++b) {
        if (block_mask(pr, b, u)) {
            *examined += static_cast<double>((b + 1) * kBlock);
            return true;
        }
    }
    *examined += static_cast<double>(pr.nblk * kBlock);
    return false;
}

inline std::size_t count_containing(const Prepared& pr, const double* u) {
    std::size_t c = 0;
    for (std::size_t b = 0; b < pr.nblk; ++b) c += static_cast<std::size_t>(__builtin_popcount(block_mask(pr, b, u)));
    return c;
}

// A randomly shifted Kronecker lattice (quasi-Monte Carlo): point i is frac(shift + i alpha),
// alpha_j = phi^-(j+1) with phi the root of x^(m+1) = x + 1 (Roberts' R_m sequence, the
// generalised golden ratio), one independent uniform shift per replicate (Cranley-Patterson).
struct Lattice {
    const double* shift;  // m values, or null for plain Monte Carlo
    const double* alpha;
};

// Sample i of estimator `est`: 0/1 (box: dominated or not) or 1/c (union: c boxes hold it), in
// [0, 1]; r and u are scratch of d + 1 and d values.
inline double sample(const Prepared& pr, int est, std::uint64_t seed, std::uint32_t stream, std::int64_t i,
                     const Lattice& q, double* r, double* u, double* work) {
    // The sample points of device_sample (hv_approx.hpp); the dominance tests 8 rows at a time.
    const SetView v{pr.pts.data(), static_cast<std::int64_t>(pr.n), static_cast<int>(pr.d), pr.lo.data(), pr.ref,
                    pr.cdf.data()};
    const int m = v.d + (est == kEstBox ? 0 : 1);
    if (q.shift)
        lattice_point(q.shift, q.alpha, i, m, r);
    else
        uniforms(seed, stream, static_cast<std::uint64_t>(i), m, r);
    if (est == kEstBox) {
        box_point(v, r, u);
        return dominated(pr, u, work) ? 1.0 : 0.0;
    }
    union_point(v, pick_box(v.cdf, v.n, r[0]), r, u);
    // u lies in its own box, so c >= 1 (u may round onto ref; it still counts its box).
    *work += static_cast<double>(pr.n);
    return 1.0 / static_cast<double>(std::max<std::size_t>(1, count_containing(pr, u)));
}

Sums run_chunk(const Prepared& pr, int est, std::uint64_t seed, std::uint32_t stream, std::int64_t a, std::int64_t b,
               const Lattice& q) {
    Sums s;
    std::vector<double> r(pr.d + 1), u(pr.d);
    for (std::int64_t i = a; i < b; ++i) {
        const double z = sample(pr, est, seed, stream, i, q, r.data(), u.data(), &s.work);
        s.s1 += z;
        s.s2 += z * z;
    }
    return s;
}

Sums run(const Prepared& pr, int est, std::uint64_t seed, std::uint32_t stream, std::int64_t samples, int threads,
         const Lattice& q = Lattice{nullptr, nullptr}) {
    const std::int64_t chunks = (samples + kChunk - 1) / kChunk;
    std::vector<Sums> part(static_cast<std::size_t>(chunks));
    parallel_for(static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
        const auto a = static_cast<std::int64_t>(c) * kChunk;
        part[c] = run_chunk(pr, est, seed, stream, a, std::min(samples, a + kChunk), q);
    });
    Sums total;
    for (const Sums& s : part) {  // in chunk order: the same sum on any number of threads
        total.s1 += s.s1;
        total.s2 += s.s2;
        total.work += s.work;
    }
    return total;
}

// The stopping rule of Dagum, Karp, Luby & Ross ("An optimal algorithm for Monte Carlo
// estimation", SIAM J. Comput. 29(5), 2000): for samples Z in [0, 1] of mean mu > 0, draw until
// their sum reaches target = 1 + (1 + eps) 4 (e - 2) ln(2 / delta) / eps^2; then target / N is
// within a factor 1 -+ eps of mu with probability at least 1 - delta. Chunks run in parallel in
// waves; the chunk in which the running sum (chunk sums added in order) crosses the target is
// rerun sample by sample, so N, and the estimate, do not depend on the number of threads.
double stopping_target(double eps, double delta) {
    return 1.0 + (1.0 + eps) * 4.0 * (std::exp(1.0) - 2.0) * std::log(2.0 / delta) / (eps * eps);
}

Sums run_until(const Prepared& pr, int est, std::uint64_t seed, std::uint32_t stream, double target,
               std::int64_t first_wave, int threads, std::int64_t* drawn) {
    Sums total;
    std::int64_t next = 0;  // first sample of the next wave
    std::int64_t wave = std::max<std::int64_t>({1, threads, (first_wave + kChunk - 1) / kChunk});
    for (;;) {
        std::vector<Sums> part(static_cast<std::size_t>(wave));
        parallel_for(static_cast<std::size_t>(wave), threads, [&](std::size_t c) {
            const std::int64_t a = next + static_cast<std::int64_t>(c) * kChunk;
            part[c] = run_chunk(pr, est, seed, stream, a, a + kChunk, Lattice{nullptr, nullptr});
        });
        for (std::int64_t c = 0; c < wave; ++c) {
            const Sums& s = part[static_cast<std::size_t>(c)];
            const std::int64_t a = next + c * kChunk;
            if (total.s1 + s.s1 >= target) {  // crosses in this chunk: find the sample
                std::vector<double> r(pr.d + 1), u(pr.d);
                Sums t;
                std::int64_t i = a;
                while (i < a + kChunk) {
                    const double z = sample(pr, est, seed, stream, i, Lattice{nullptr, nullptr}, r.data(), u.data(),
                                            &t.work);
                    t.s1 += z;
                    t.s2 += z * z;
                    ++i;
                    if (total.s1 + t.s1 >= target) break;
                }
                total.s1 += t.s1;
                total.s2 += t.s2;
                total.work += t.work;
                *drawn = i;
                return total;
            }
            total.s1 += s.s1;
            total.s2 += s.s2;
            total.work += s.work;
        }
        next += wave * kChunk;
        wave = std::min<std::int64_t>(2 * wave, 1024);
    }
}

// Mean and variance of one sample of the estimator (before scaling).
void moments(const Sums& s, std::int64_t n, double* mean, double* var) {
    *mean = s.s1 / static_cast<double>(n);
    *var = n > 1 ? std::max(0.0, (s.s2 - s.s1 * *mean) / static_cast<double>(n - 1)) : 0.0;
}

Estimate estimate(const double* points, std::size_t n, std::size_t d, const double* ref, const Options& o,
                  std::uint32_t set) {
    const std::int64_t n_samples = o.n_samples;
    const std::uint64_t seed = o.seed;
    const int estimator = o.estimator, threads = o.threads, replicates = o.replicates;
    const bool fpras = o.epsilon > 0.0;
    // Only the counted rows matter; an infinite side makes V infinite.
    std::vector<double> kept;
    const bool infinite = counted_rows(points, n, d, ref, kept, nullptr);
    const int fallback = estimator == kEstAuto ? kEstBox : estimator;
    if (infinite) return Estimate{std::numeric_limits<double>::infinity(), 0.0, fallback, 0.0, 0};
    n = kept.size() / d;
    if (n == 0) return Estimate{0.0, 0.0, fallback, 0.0, 0};
    const Prepared pr = prepare(kept.data(), n, d, ref);
    const std::uint32_t base = set << 2;
    int est = estimator;
    const double target = fpras ? stopping_target(o.epsilon, o.delta) : 0.0;
    double expected = 0.0;  // samples the stopping rule is expected to need (from the pilot)
    if (est == kEstAuto || fpras) {
        // A pilot of each estimator on streams of its own: the one of least variance per unit
        // of work runs. The box estimator's hit rate is shrunk towards 1/2 a little, so that a
        // pilot with no hit (or no miss) does not claim zero variance.
        const std::int64_t m = fpras ? pilot_size(n) : std::min<std::int64_t>(pilot_size(n), n_samples);
        const Sums sb = run(pr, kEstBox, seed, base | kPilotBox, m, threads);
        const Sums su = run(pr, kEstUnion, seed, base | kPilotUnion, m, threads);
        const double ph = (sb.s1 + 0.5) / (static_cast<double>(m) + 1.0);
        double mu, vu;
        moments(su, m, &mu, &vu);
        const double var_box = std::exp(2.0 * pr.log_box) * ph * (1.0 - ph);
        const double var_union = std::exp(2.0 * pr.log_sum) * std::max(vu, 0.25 / (static_cast<double>(m) * m));
        const double cost_box = sb.work / static_cast<double>(m) + 1.0, cost_union = su.work / static_cast<double>(m) + 1.0;
        // The stopping rule needs about target / mean samples whatever the variance, so it
        // compares means per unit of work.
        const double need_box = target / ph, need_union = target / std::max(mu, 1.0 / static_cast<double>(n));
        if (est == kEstAuto)
            est = fpras ? (need_box * cost_box <= need_union * cost_union ? kEstBox : kEstUnion)
                        : (var_box * cost_box <= var_union * cost_union ? kEstBox : kEstUnion);
        expected = est == kEstBox ? need_box : need_union;
    }
    const double scale = std::exp(est == kEstBox ? pr.log_box : pr.log_sum);
    if (replicates > 0) {
        // Quasi-Monte Carlo: `replicates` independently shifted copies of one lattice of
        // n_samples / replicates points; the replicates' spread gives the standard error.
        const int m = static_cast<int>(d) + (est == kEstBox ? 0 : 1);
        const std::vector<double> alpha = lattice_alpha(m);
        const std::int64_t per = n_samples / replicates;
        std::vector<double> shift(static_cast<std::size_t>(m)), rep(static_cast<std::size_t>(replicates));
        double work = 0.0;
        for (int k = 0; k < replicates; ++k) {
            uniforms(seed, kQmcShift | set, static_cast<std::uint64_t>(k), m, shift.data());
            const Sums s = run(pr, est, seed, 0, per, threads, Lattice{shift.data(), alpha.data()});
            rep[static_cast<std::size_t>(k)] = scale * s.s1 / static_cast<double>(per);
            work += s.work;
        }
        double mean = 0.0, ss = 0.0;
        for (double v : rep) mean += v;
        mean /= replicates;
        for (double v : rep) ss += (v - mean) * (v - mean);
        const double se = replicates > 1 ? std::sqrt(ss / (replicates - 1) / replicates) : 0.0;
        return Estimate{mean, se, est, work / static_cast<double>(per * replicates), per * replicates};
    }
    if (fpras) {
        std::int64_t drawn = 0;
        const Sums s = run_until(pr, est, seed, base | (est == kEstBox ? kBox : kUnion), target,
                                 static_cast<std::int64_t>(std::min(expected, 1e9)), threads, &drawn);
        double mean, var;
        moments(s, drawn, &mean, &var);
        return Estimate{scale * target / static_cast<double>(drawn), scale * std::sqrt(var / static_cast<double>(drawn)),
                        est, s.work / static_cast<double>(drawn), drawn};
    }
    const Sums s = run(pr, est, seed, base | (est == kEstBox ? kBox : kUnion), n_samples, threads);
    double mean, var;
    moments(s, n_samples, &mean, &var);
    return Estimate{scale * mean, scale * std::sqrt(var / static_cast<double>(n_samples)), est,
                    s.work / static_cast<double>(n_samples), n_samples};
}

// --- exclusive contributions --------------------------------------------------------------------

// Exclusive contribution of every counted row of one set (rows in the input order, n x d, all
// strictly dominating ref): row i's exclusive region lies in [p_i, b_i], b_ij the least q_j over
// the rows q that are <= p_i in every other coordinate (and ref_j): beyond it q dominates. Samples
// uniform in that box, not dominated by any other row, estimate the region's share of it.
void contributions(const double* pts, std::size_t n, std::size_t d, const double* ref, std::int64_t n_samples,
                   std::uint64_t seed, std::uint32_t set, int threads, double* value, double* err) {
    const Prepared view{n, d, {}, block_copy(pts, n, d), (n + kBlock - 1) / kBlock, {}, {}, ref, 0.0, 0.0};
    const std::uint32_t stream = kContribution | set;
    parallel_for(n, threads, [&](std::size_t i) {
        const double* p = pts + i * d;
        std::vector<double> hi(d), u(d);
        const double logv = exclusive_box(pts, static_cast<std::int64_t>(n), static_cast<int>(d),
                                          static_cast<std::int64_t>(i), ref, hi.data());
        if (std::isinf(logv)) {
            value[i] = 0.0;
            err[i] = 0.0;
            return;
        }
        const unsigned own = 1u << (i % kBlock);
        const std::size_t own_block = i / kBlock;
        std::int64_t miss = 0;
        std::vector<double> rnd(d);
        for (std::int64_t t = 0; t < n_samples; ++t) {
            // Sample t of row i is sample i * 2^32 + t of the stream: rows draw disjoint samples.
            uniforms(seed, stream, (static_cast<std::uint64_t>(i) << 32) | static_cast<std::uint64_t>(t),
                     static_cast<int>(d), rnd.data());
            for (std::size_t j = 0; j < d; ++j) u[j] = mul_add(hi[j] - p[j], rnd[j], p[j]);
            bool dominated_by_other = false;
            for (std::size_t b = 0; b < view.nblk && !dominated_by_other; ++b) {
                unsigned m = block_mask(view, b, u.data());
                if (b == own_block) m &= ~own;
                dominated_by_other = m != 0u;
            }
            miss += !dominated_by_other;
        }
        const double m = static_cast<double>(n_samples), ph = static_cast<double>(miss) / m;
        const double vol = std::exp(logv);
        value[i] = vol * ph;
        // The variance of the share uses (miss + 1/2) / (m + 1): a box that every sample found
        // exclusive (or none did) still gets an error bar, of the size its sample allows.
        const double pt = (static_cast<double>(miss) + 0.5) / (m + 1.0);
        err[i] = vol * std::sqrt(pt * (1.0 - pt) / m);
    });
}

}  // namespace

void hvc_mc_sets(const double* points, std::size_t d, const std::int64_t* offsets, std::size_t nsets,
                 const double* ref, std::int64_t n_samples, std::uint64_t seed, int threads, double* value,
                 double* stderr_) {
    if (n_samples < 2) throw std::invalid_argument("n_samples must be at least 2");
    if (nsets > (std::size_t{1} << 30)) throw std::invalid_argument("too many sets");
    for (std::size_t s = 0; s < nsets; ++s) {
        const auto a = static_cast<std::size_t>(offsets[s]), b = static_cast<std::size_t>(offsets[s + 1]);
        if (b - a > 0xFFFFFFFFu) throw std::invalid_argument("at most 2^32 rows per set");
        // Counted rows (strictly dominating ref) go to the estimator; the others add nothing
        // and take nothing away (their box has no volume inside the reference box).
        std::vector<double> kept;
        std::vector<std::size_t> where;
        std::fill(value + a, value + b, 0.0);
        std::fill(stderr_ + a, stderr_ + b, 0.0);
        const bool infinite = counted_rows(points + a * d, b - a, d, ref, kept, &where);
        if (infinite) throw std::invalid_argument("hvc_approx needs finite points and reference point");
        std::vector<double> v(where.size()), e(where.size());
        contributions(kept.data(), where.size(), d, ref, n_samples, seed, static_cast<std::uint32_t>(s), threads,
                      v.data(), e.data());
        for (std::size_t k = 0; k < where.size(); ++k) {
            value[a + where[k]] = v[k];
            stderr_[a + where[k]] = e[k];
        }
    }
}

void hv_mc_sets(const double* points, std::size_t d, const std::int64_t* offsets, std::size_t nsets,
                const double* ref, const Options& o, double* value, double* stderr_, int* used, std::int64_t* drawn) {
    if (o.n_samples < 2) throw std::invalid_argument("n_samples must be at least 2");
    if (o.replicates < 0 || o.replicates == 1 || (o.replicates > 0 && o.n_samples / o.replicates < 1))
        throw std::invalid_argument("replicates must be 0 (Monte Carlo) or 2 to n_samples");
    if (o.estimator < -1 || o.estimator > 1) throw std::invalid_argument("unknown estimator");
    if (o.epsilon != 0.0 && !(o.epsilon > 0.0 && o.epsilon < 1.0 && o.delta > 0.0 && o.delta < 1.0))
        throw std::invalid_argument("epsilon and delta must lie in (0, 1)");
    if (o.epsilon > 0.0 && o.replicates > 0) throw std::invalid_argument("fpras takes no replicates");
    if (nsets > (std::size_t{1} << 30)) throw std::invalid_argument("too many sets");
    auto one = [&](std::size_t s, int t) {
        const auto a = static_cast<std::size_t>(offsets[s]), b = static_cast<std::size_t>(offsets[s + 1]);
        Options os = o;
        os.threads = t;
        const Estimate e = estimate(points + a * d, b - a, d, ref, os, static_cast<std::uint32_t>(s));
        value[s] = e.value;
        stderr_[s] = e.stderr_;
        used[s] = e.estimator;
        drawn[s] = e.drawn;
    };
    if (nsets == 1) {
        one(0, o.threads);
        return;
    }
    parallel_for(nsets, o.threads, [&](std::size_t s) { one(s, 1); });  // sets over threads
}

}  // namespace frontierkit::mc
