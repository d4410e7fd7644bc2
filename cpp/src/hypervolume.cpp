// The hypervolume drivers: screen the rows (only rows that strictly dominate ref count), settle
// infinite coordinates, pick the algorithm for the dimension, and share work among the cores.
//
// Infinite coordinates follow the measure-theoretic definition. A counted box with an infinite
// side has infinite volume. For exclusive contributions (and improvements, which are the
// contribution of a candidate added to the set) a row's share is infinite exactly when the region
// only it covers is unbounded:
//  * a row with -inf somewhere that no other row weakly dominates owns an unbounded corner;
//  * with ref_k = +inf, far out along axis k every box's cross-section is its projection without
//    axis k, so a row owns an unbounded slab unless another row is <= it on every other axis.
// Every other share is finite and lies below the largest finite coordinate on such an axis k,
// and only meets -inf coordinates of other rows through max(row, other): so the finite algorithms
// give it exactly after ref_k is clipped to that largest coordinate and -inf entries are raised
// to the smallest finite value of their column.
#include <algorithm>
#include <cmath>
#include <limits>

#include "frontierkit/hypervolume.hpp"
#include "frontierkit/parallel.hpp"

namespace frontierkit::hv {

namespace {

bool strictly_inside(const double* p, const double* ref, std::size_t d) {
    bool inside = true;
    for (std::size_t k = 0; k < d; ++k) inside &= p[k] < ref[k];
    return inside;
}

// Hypervolume of m >= 1 finite rows that all strictly dominate the finite ref.
double finite_hv(const double* rows, std::size_t m, std::size_t d, const double* ref, int threads) {
    switch (d) {
        case 1: {
            double lo = rows[0];
            for (std::size_t i = 1; i < m; ++i) lo = std::min(lo, rows[i]);
            return ref[0] - lo;
        }
        case 2:
            return detail::hv2d(rows, m, ref);
        case 3:
            return detail::hv3d(rows, m, ref);
        case 4:
            return detail::hv4d(rows, m, ref);
        default:
            return detail::hv_wfg(rows, m, d, ref, threads);
    }
}

// Exclusive contributions of m >= 1 finite rows that all strictly dominate the finite ref.
void finite_hvc(const double* rows, std::size_t m, std::size_t d, const double* ref, double* out, int threads) {
    switch (d) {
        case 1: {
            // Only a unique minimum owns anything: the stretch up to the next row (or ref).
            std::size_t best = 0;
            double second = ref[0];
            for (std::size_t i = 1; i < m; ++i) {
                if (rows[i] < rows[best]) {
                    second = rows[best];
                    best = i;
                } else {
                    second = std::min(second, rows[i]);
                }
            }
            std::fill(out, out + m, 0.0);
            out[best] = second - rows[best];
            return;
        }
        case 2:
            return detail::hvc2d(rows, m, ref, out);
        case 3:
            return detail::hvc3d(rows, m, ref, out);
        case 4:
            return detail::hvc4d(rows, m, ref, out);
        default:
            return detail::hvc_wfg(rows, m, d, ref, out, threads);
    }
}

// The exclusive share of each of the m rows (row-major, every row strictly dominates ref) when
// some coordinate is infinite (see the file comment). Rows whose share is infinite or zero by the
// rules get it directly; the others go through the finite algorithms on clipped data.
void infinite_hvc(const double* rows, std::size_t m, std::size_t d, const double* ref, double* out, int threads) {
    std::vector<double> lo(d, HUGE_VAL), hi(d, -HUGE_VAL);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < d; ++k) {
            const double v = rows[i * d + k];
            if (std::isfinite(v)) {
                lo[k] = std::min(lo[k], v);
                hi[k] = std::max(hi[k], v);
            }
        }
    std::vector<std::uint8_t> settled(m, 0);
    for (std::size_t i = 0; i < m; ++i) {
        const double* p = rows + i * d;
        bool dominated = false;
        for (std::size_t j = 0; j < m && !dominated; ++j)
            dominated = j != i && weakly_dominates(rows + j * d, p, d);
        if (dominated) {
            out[i] = 0.0;
            settled[i] = 1;
            continue;
        }
        bool unbounded = false;
        for (std::size_t k = 0; k < d && !unbounded; ++k) unbounded = p[k] == -HUGE_VAL;
        for (std::size_t k = 0; k < d && !unbounded; ++k) {
            if (ref[k] != HUGE_VAL) continue;
            bool covered = false;  // another row <= p off axis k
            for (std::size_t j = 0; j < m && !covered; ++j) {
                if (j == i) continue;
                const double* q = rows + j * d;
                bool le = true;
                for (std::size_t a = 0; a < d && le; ++a) le = a == k || q[a] <= p[a];
                covered = le;
            }
            unbounded = !covered;
        }
        if (unbounded) {
            out[i] = HUGE_VAL;
            settled[i] = 1;
        }
    }
    // The others: every remaining row is finite (a row with -inf is either dominated or
    // unbounded), so lo/hi exist in every column where they are needed.
    std::vector<double> clip(ref, ref + d);
    for (std::size_t k = 0; k < d; ++k)
        if (ref[k] == HUGE_VAL) clip[k] = hi[k];
    std::vector<double> data;
    std::vector<std::size_t> who;  // rows of `data` that are still open, by position in `rows`
    std::vector<std::size_t> pos;  // positions of all rows kept in `data`
    for (std::size_t i = 0; i < m; ++i) {
        const double* p = rows + i * d;
        bool inside = true;
        for (std::size_t k = 0; k < d; ++k) inside &= std::max(p[k], lo[k]) < clip[k];
        if (!inside) {  // a zero-width box after clipping: it covers nothing and owns nothing
            if (!settled[i]) out[i] = 0.0, settled[i] = 1;
            continue;
        }
        for (std::size_t k = 0; k < d; ++k) data.push_back(std::max(p[k], lo[k]));
        pos.push_back(i);
    }
    if (pos.empty()) return;
    std::vector<double> share(pos.size());
    finite_hvc(data.data(), pos.size(), d, clip.data(), share.data(), threads);
    for (std::size_t t = 0; t < pos.size(); ++t)
        if (!settled[pos[t]]) out[pos[t]] = share[t];
}

// The rows of pts (n x d) that strictly dominate ref, copied contiguously; sets `infinite` when one
// of them (or ref) has an infinite coordinate. idx (if given) receives their row numbers.
std::vector<double> kept_rows(const double* pts, std::size_t n, std::size_t d, const double* ref, bool& infinite,
                              std::vector<std::size_t>* idx) {
    std::vector<double> rows;
    infinite = false;
    for (std::size_t k = 0; k < d; ++k) infinite |= std::isinf(ref[k]);
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = pts + i * d;
        if (!strictly_inside(p, ref, d)) continue;
        for (std::size_t k = 0; k < d; ++k) infinite |= std::isinf(p[k]);
        rows.insert(rows.end(), p, p + d);
        if (idx) idx->push_back(i);
    }
    return rows;
}

// True when every row strictly dominates ref and everything is finite: the common case, which
// needs no copy.
bool all_counted_and_finite(const double* pts, std::size_t n, std::size_t d, const double* ref) {
    bool all_in = true, finite = true;
    for (std::size_t k = 0; k < d; ++k) finite &= std::isfinite(ref[k]);
    for (std::size_t i = 0; i < n && all_in && finite; ++i) {
        const double* p = pts + i * d;
        for (std::size_t k = 0; k < d; ++k) {
            all_in &= p[k] < ref[k];
            finite &= p[k] > -HUGE_VAL;
        }
    }
    return all_in && finite;
}

}  // namespace

double hypervolume(const double* pts, std::size_t n, std::size_t d, const double* ref, int threads) {
    if (n == 0 || d == 0) return 0.0;
    if (all_counted_and_finite(pts, n, d, ref)) return finite_hv(pts, n, d, ref, threads);
    // A row with NaN fails the check above, so only this path needs to look for one.
    for (std::size_t i = 0; i < n * d; ++i)
        if (pts[i] != pts[i]) return std::numeric_limits<double>::quiet_NaN();
    bool infinite = false;
    const std::vector<double> rows = kept_rows(pts, n, d, ref, infinite, nullptr);
    const std::size_t m = rows.size() / d;
    if (m == 0) return 0.0;
    if (infinite) return HUGE_VAL;  // a box with an infinite side and positive other sides
    return finite_hv(rows.data(), m, d, ref, threads);
}

void hypervolume_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                      const double* ref, double* out, int threads) {
    if (nsets == 1) {  // one set: its own algorithm may use the cores
        out[0] = hypervolume(pts + offsets[0] * d, static_cast<std::size_t>(offsets[1] - offsets[0]), d, ref,
                             threads);
        return;
    }
    // Even small sets cost enough in d >= 3 for threads to pay off over a few hundred rows.
    parallel_sets(nsets, offsets, threads, 256, [&](std::size_t s) {
        out[s] = hypervolume(pts + offsets[s] * d, static_cast<std::size_t>(offsets[s + 1] - offsets[s]), d, ref, 1);
    });
}

void contributions(const double* pts, std::size_t n, std::size_t d, const double* ref, double* out,
                   int threads) {
    if (n == 0 || d == 0) return;
    if (all_counted_and_finite(pts, n, d, ref)) return finite_hvc(pts, n, d, ref, out, threads);
    std::fill(out, out + n, 0.0);
    bool infinite = false;
    std::vector<std::size_t> idx;
    const std::vector<double> rows = kept_rows(pts, n, d, ref, infinite, &idx);
    const std::size_t m = idx.size();
    if (m == 0) return;
    std::vector<double> share(m);
    if (infinite)
        infinite_hvc(rows.data(), m, d, ref, share.data(), threads);
    else
        finite_hvc(rows.data(), m, d, ref, share.data(), threads);
    for (std::size_t t = 0; t < m; ++t) out[idx[t]] = share[t];
}

void improvement(const double* pts, std::size_t n, const double* cand, std::size_t m, std::size_t d,
                 const double* ref, double* out, int threads) {
    std::fill(out, out + m, 0.0);
    if (m == 0 || d == 0) return;
    bool infinite = false;
    const std::vector<double> rows = kept_rows(pts, n, d, ref, infinite, nullptr);
    const std::size_t nk = rows.size() / d;
    for (std::size_t k = 0; k < d; ++k) infinite |= std::isinf(ref[k]);
    parallel_for(m, threads, [&](std::size_t c) {
        const double* p = cand + c * d;
        if (!strictly_inside(p, ref, d)) return;
        for (std::size_t i = 0; i < nk; ++i)
            if (weakly_dominates(rows.data() + i * d, p, d)) return;  // adds nothing
        bool inf_here = infinite;
        for (std::size_t k = 0; k < d; ++k) inf_here |= std::isinf(p[k]);
        if (inf_here) {
            // The candidate's share of the set with it added; the rule-based path is O(nk^2), so
            // it runs only when something is infinite.
            std::vector<double> all(rows);
            all.insert(all.end(), p, p + d);
            std::vector<double> share(nk + 1);
            infinite_hvc(all.data(), nk + 1, d, ref, share.data(), 1);
            out[c] = share[nk];
            return;
        }
        // Finite: the box of p less the hypervolume of the limit set {max(p, q)}; limit rows on the
        // reference boundary cover nothing.
        double vol = 1.0;
        for (std::size_t k = 0; k < d; ++k) vol *= ref[k] - p[k];
        std::vector<double> limit;
        limit.reserve(nk * d);
        for (std::size_t i = 0; i < nk; ++i) {
            const double* q = rows.data() + i * d;
            bool inside = true;
            for (std::size_t k = 0; k < d; ++k) inside &= std::max(p[k], q[k]) < ref[k];
            if (!inside) continue;
            for (std::size_t k = 0; k < d; ++k) limit.push_back(std::max(p[k], q[k]));
        }
        const std::size_t nl = limit.size() / d;
        out[c] = nl == 0 ? vol : std::max(0.0, vol - finite_hv(limit.data(), nl, d, ref, 1));
    });
}

}  // namespace frontierkit::hv
